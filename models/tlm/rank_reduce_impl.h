#pragma once
// The arithmetic inside the rank_reduce_unit, behind a small interface so that the module
// does not know whether the golden C++ model or the Verilated RTL (rank_reduce_rtl_impl.h) computes the
// step: a new implementation is one more class and one more RankReduceImplKind, with no edit
// of rank_reduce_unit.
//
// The unit owns the data flow: it loads the state the step needs from the SRAM, hands it to
// step(), and stores what step() returns. The golden implementation cannot take its state
// from outside (golden::RankReduceFixed has no state loader), so it keeps the state itself and
// checks, word by word, that what the unit loaded equals what it holds; a mismatch (someone
// wrote the SRAM behind the unit's back) throws lrt::RunError naming the word.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <systemc>
#include <thread>
#include <vector>

#include "core/background_worker.h"
#include "golden/rank_reduce/rank_reduce.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "hw/accel_specs.h"

namespace lrt::tlm {

/// @brief The hardware-visible rankReduce state (docs/fixed_point_rank_reduce.md §6) as
/// plain words: what the SRAM holds between pairs.
struct RankReduceState {
  std::vector<int16_t> q_left;   ///< n_o x q codes, column-major (column r: last residual)
  std::vector<int16_t> q_right;  ///< n_i x q codes, column-major
  std::vector<int16_t> exp_left;   ///< q column exponents (16-bit registers)
  std::vector<int16_t> exp_right;  ///< q column exponents
  std::vector<uint32_t> cx;        ///< q weight codes, cx[r] = 0
  int16_t cx_exp = 0;

  /// @brief The all-zero (reset) state of the given shape.
  static RankReduceState zero(const golden::RankReduceParams& params);
  bool operator==(const RankReduceState& o) const;
};

/// @brief One (dz, a) pair as codes with block exponents (RankReduceFixed::step_codes).
struct RankReducePair {
  const int16_t* dz = nullptr;  ///< n_o codes
  int dz_exp = 0;
  const int16_t* a = nullptr;   ///< n_i codes
  int a_exp = 0;
};

/// @brief A pair handed to an implementation ahead of its step (its own copy of the codes).
struct SpeculativePair {
  std::vector<int16_t> codes;  ///< n_o dz codes, then n_i a codes
  int dz_exp = 0;
  int a_exp = 0;
};

/// @brief True when every dz code or every a code is 0: the pair changes no state (§4.1).
bool is_zero_input(const golden::RankReduceParams& params, const RankReducePair& pair);

/// @brief The arithmetic of one rank-reduce unit (see the file comment).
class RankReduceImpl {
 public:
  virtual ~RankReduceImpl() = default;
  /// @brief Folds one pair into `state`. A zero input (every dz or every a code 0,
  /// is_zero_input) only counts the pair: the unit loads nothing and `state` is neither read
  /// nor changed. Otherwise, on entry the state holds what the unit loaded: columns 0..r-1 of
  /// both bases, all exponents, c_x; column r is output only (the step never reads it) and its
  /// entry value is unspecified. On return the whole state is the new one.
  virtual void step(RankReduceState& state, const RankReducePair& pair) = 0;
  /// @brief Clears the state (stats and the pair counter survive, as RankReducer::reset).
  virtual void reset() = 0;
  /// @brief The estimate's factors L (n_o x r), R (n_i x r) from the current state, as
  /// golden::RankReducer::factors (what the weight-update logic reads).
  virtual void factors(Matrix<double>& L, Matrix<double>& R) const = 0;
  /// @brief Replaces the whole state, counters included (resuming a run); the unit then
  /// stores the matching words (rank_reduce_unit::load_state).
  virtual void set_state(const golden::RankReduceFixedState& s) = 0;
  /// @brief The state as words (what the SRAM must hold).
  virtual RankReduceState state() const = 0;
  /// @brief The golden model holding the state (checkpoints read it), or null.
  virtual const golden::RankReduceFixed* golden_model() const { return nullptr; }
  virtual const golden::FixedPairTrace& last_pair() const = 0;
  /// @brief The pairs the next steps bring, in order: an implementation may compute them ahead
  /// on another core (GoldenRankReduceImpl with set_speculative(true)); each step() still checks
  /// its pair and the state it loaded against what was computed with. The vectors are swapped
  /// (the caller gets storage back to reuse). Default: ignored.
  virtual void speculate(std::vector<SpeculativePair>& /*pairs*/) {}
  /// @brief Whether speculate() computes ahead (the caller may skip preparing pairs otherwise).
  virtual bool speculative() const { return false; }
  /// @brief Turns computing ahead on where the implementation can (default: it cannot).
  virtual void set_speculative(bool /*on*/) {}
  virtual const golden::RankReduceStats& stats() const = 0;
  virtual const golden::RankReduceParams& params() const = 0;
  virtual const char* name() const = 0;
  /// Clock cycles all pairs so far took, where the implementation measures them (the RTL);
  /// nothing where the cost table is the only source (golden).
  virtual std::optional<uint64_t> measured_cycles() const { return std::nullopt; }
  /// @brief True when step() itself lets simulated time pass, one clock period per cycle of
  /// the pair (the RTL on a clock): the unit then calls it from the caller's thread process at
  /// the pair's start time instead of annotating the cycles.
  virtual bool advances_time() const { return false; }
};

/// What computes a unit's steps (hw/accel_specs.h: accel.rank_reduce.impl).
using RankReduceImplKind = hw::RankReduceImplKind;

/// Parses "golden" / "rtl"; throws std::invalid_argument otherwise.
RankReduceImplKind parse_rank_reduce_impl_kind(const std::string& text);
const char* to_string(RankReduceImplKind kind);

/// @brief An implementation of the given kind. kRtl is RtlRankReduceImpl (the Verilated unit,
/// rank_reduce_rtl_impl.h; construct it during elaboration).
/// `clock_period`: for kRtl, run the Verilated unit on a clock of that period (simulated time,
/// advances_time()); zero: in delta cycles. Ignored for kGolden.
std::unique_ptr<RankReduceImpl> make_rank_reduce_impl(RankReduceImplKind kind,
                                                      const golden::RankReduceParams& params,
                                                      const sc_core::sc_time& clock_period = sc_core::SC_ZERO_TIME);

/// @brief The golden model: golden::RankReduceFixed, with the load check of the file comment.
class GoldenRankReduceImpl final : public RankReduceImpl {
 public:
  /// Throws std::invalid_argument for params RankReduceFixed rejects.
  explicit GoldenRankReduceImpl(const golden::RankReduceParams& params);
  ~GoldenRankReduceImpl() override;
  GoldenRankReduceImpl(const GoldenRankReduceImpl&) = delete;
  GoldenRankReduceImpl& operator=(const GoldenRankReduceImpl&) = delete;

  void step(RankReduceState& state, const RankReducePair& pair) override;
  void reset() override;
  void factors(Matrix<double>& L, Matrix<double>& R) const override;
  void set_state(const golden::RankReduceFixedState& s) override;
  const golden::RankReduceFixed* golden_model() const override;
  const golden::FixedPairTrace& last_pair() const override;
  const golden::RankReduceStats& stats() const override;
  const golden::RankReduceParams& params() const override { return model_.params(); }
  const char* name() const override { return "golden"; }

  /// @brief The model's state as words (column r included).
  RankReduceState state() const override;

  /// @brief Speculation (off by default): speculate() starts a worker thread that steps the
  /// model through the announced pairs and keeps each pair's outcome and new state; step() then
  /// hands them out in order, after checking that its pair equals the announced one and the
  /// loaded state equals the state before it; a pair the worker has not reached, and is not
  /// computing, step() computes itself in the worker's place. A different pair, or any other call before
  /// every announced pair was stepped, rolls the model back to the pairs handed out (a copy taken when the
  /// speculation started) and continues without it. Bit-identical either way.
  void set_speculative(bool on) override { speculative_ = on; }
  bool speculative() const override { return speculative_; }
  void speculate(std::vector<SpeculativePair>& pairs) override;
  /// Pairs whose result came from a speculation (handed out by step()).
  uint64_t pairs_ahead() const { return pairs_ahead_; }
  /// Of those, the pairs step() computed itself because the worker had not reached them (it had
  /// not started, or was between pairs): the same arithmetic, in the announced order.
  uint64_t pairs_ahead_computed_here() const { return pairs_here_; }
  /// Tests: the worker sleeps this long before its first pair.
  void set_worker_delay_for_tests(std::chrono::microseconds d) { worker_delay_ = d; }

 private:
  // One announced pair's result.
  struct Ahead {
    // The state after it when it changed the state; after a kappa skip only column r and the
    // metadata (columns 0..r-1 are the previous ones: not copied, two thirds of the words).
    RankReduceState post;
    golden::FixedPairTrace trace;
    bool changed = false;
  };
  // Throws naming the first word where `loaded` differs from columns 0..r-1 of `columns` and
  // the metadata of `metadata`.
  void check_loaded(const RankReduceState& loaded, const RankReduceState& columns,
                    const RankReduceState& metadata) const;
  // Whether the loaded words equal the model's state (the fast path of the check: no copy).
  bool matches_model(const RankReduceState& loaded) const;
  // state() into `s`, reusing its storage (once per pair: no allocation on the hot path).
  void fill_state(RankReduceState& s) const;
  // Column r of both sides and the metadata into `s` (sized by fill_state before).
  void fill_residual_and_metadata(RankReduceState& s) const;
  void run_ahead();  // the worker: claims and computes the next pair until none is left
  // Computes announced pair k and publishes its result (the caller holds model_mutex_ and
  // claimed pair k); a pair that throws ends the speculation with its error.
  void compute_ahead(size_t k);
  // Hands out the next announced pair's result if `pair` is it; false when none is pending or
  // the pair differs (then the speculation has been rolled back).
  bool take_ahead(RankReduceState& state, const RankReducePair& pair);
  // Ends a speculation: joins the worker; rolls back to the pairs handed out if it was cut short.
  void settle() const;

  mutable golden::RankReduceFixed model_;  // mutable: settle() from the const accessors
  RankReduceState held_;  // scratch of check_loaded

  bool speculative_ = false;
  mutable bool ahead_ = false;  // a speculation is in flight (the worker owns model_)
  mutable BackgroundWorker worker_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  size_t done_ = 0;  // pairs computed (guarded by mutex_)
  // Held while a pair is computed (by the worker or by step()); guards model_ and claimed_
  // during a speculation.
  mutable std::mutex model_mutex_;
  mutable size_t claimed_ = 0;  // the next pair to compute (guarded by model_mutex_)
  uint64_t pairs_here_ = 0;
  std::chrono::microseconds worker_delay_{0};
  std::exception_ptr error_;  // what the worker threw (guarded by mutex_)
  mutable size_t next_ = 0;   // pairs handed out
  uint64_t pairs_ahead_ = 0;
  std::vector<SpeculativePair> pairs_;
  std::vector<Ahead> results_;
  RankReduceState before_;  // the state before the first announced pair
  mutable golden::RankReduceFixed backup_;  // the model then
  mutable golden::FixedPairTrace trace_;    // the last pair handed out
  // The state before the next pair: its columns 0..r-1 are those of the last pair that
  // updated the basis (or before_), its metadata the last pair's.
  const RankReduceState* pre_columns_ = nullptr;
  const RankReduceState* pre_metadata_ = nullptr;
};

}  // namespace lrt::tlm
