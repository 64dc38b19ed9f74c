#pragma once
// RankReduceImpl that runs each pair on the Verilated RTL rank-reduce unit (rtl/rr_unit.sv via
// rtl/sc/rank_reduce_rtl.h): accel.rank_reduce.impl: rtl. The state the rank_reduce_unit loaded
// is copied into the RTL's SRAM image, the pair is clocked through the unit on its gated clock
// (one period of simulated time per counted edge, in the calling thread process), and the SRAM
// image is the new state.
//
// What the RTL does not compute: the factors L, R the weight update reads (§4.11, the
// factor_codes of golden::RankReduceFixed) come from a golden model holding the RTL's state
// (synchronized on demand, never stepped), which also serves checkpoints. Constraints: construct
// during elaboration (before the first sc_start) and call from a thread process only (the
// learning processes; --jobs threads never reach it, they work inside modules between waits).

#include <memory>

#include "tlm/rank_reduce_impl.h"

namespace lrt::rtl {
class RankReduceRtl;
struct RtlPairResult;
}  // namespace lrt::rtl

namespace lrt::tlm {

/// @brief Sets the trace's register-file counts (gs_coefficients, jacobi_rotations,
/// max_updates, mix_dry: what the cost table prices the writes from) from the writes per file
/// the unit performed (`res.regfile_writes`), then checks every file against the closed form
/// of the whole outcome (hw::rr_unit_pair_cost): u_cf's and u_bc's writes define G and B, the
/// other twelve files must follow. Throws RunError naming the pair and each differing file.
/// `t` holds the pair's other fields (zero input, vanished, kappa skip, kept).
void add_rtl_regfile_counts(const golden::RankReduceParams& p, const rtl::RtlPairResult& res,
                            golden::FixedPairTrace& t);

class RtlRankReduceImpl final : public RankReduceImpl {
 public:
  /// Throws std::invalid_argument for params RankReduceFixed rejects.
  explicit RtlRankReduceImpl(const golden::RankReduceParams& params);
  ~RtlRankReduceImpl() override;

  void step(RankReduceState& state, const RankReducePair& pair) override;
  void reset() override;
  void factors(Matrix<double>& L, Matrix<double>& R) const override;
  void set_state(const golden::RankReduceFixedState& s) override;
  RankReduceState state() const override { return held_; }
  const golden::RankReduceFixed* golden_model() const override;
  const golden::FixedPairTrace& last_pair() const override { return trace_; }
  const golden::RankReduceStats& stats() const override { return stats_; }
  const golden::RankReduceParams& params() const override { return params_; }
  const char* name() const override { return "rtl"; }

  /// RTL clock cycles of all pairs so far.
  uint64_t cycles() const;
  /// The pairs' cycles as the closed form counts them (from the edge after the accepted start to
  /// the accepted result; cycles() also counts each accepting edge).
  std::optional<uint64_t> measured_cycles() const override { return pair_cycles_; }
  /// @brief From now on each pair runs on a clock of `period` (rtl::RankReduceRtl::
  /// set_clock_period): its cycles pass as simulated time inside step(), which must then be
  /// called from a thread process.
  void run_on_clock(const sc_core::sc_time& period);
  bool advances_time() const override { return clocked_; }

 private:
  void sync_mirror() const;

  golden::RankReduceParams params_;
  std::unique_ptr<rtl::RankReduceRtl> rtl_;
  RankReduceState held_;
  golden::RankReduceStats stats_;
  golden::FixedPairTrace trace_;
  uint64_t saturations_ = 0;
  uint64_t pair_cycles_ = 0;
  bool clocked_ = false;
  mutable golden::RankReduceFixed mirror_;
  mutable bool mirror_stale_ = false;
};

}  // namespace lrt::tlm
