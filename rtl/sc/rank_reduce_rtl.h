#pragma once
// SystemC wrapper of the Verilated rank-reduce unit (rtl/rr_unit.sv, docs/rtl.md): the SRAM
// the unit streams Q_L / Q_R columns, the scratch words and the metadata from, and the
// handshakes of its pair, memory and result ports.
//
// The wrapper is driven from outside the SystemC scheduler, the way the TLM controller
// advances time: run_pair() toggles the clock signal and calls sc_start(SC_ZERO_TIME) after
// each change, so a pair costs delta cycles only and no simulated time (the TLM model's own
// timing is unchanged), or, with set_timed(true), sc_start(half period) per clock phase so that
// a VCD trace shows one sample per clock edge. It must be constructed during elaboration (before
// the first sc_start) and never be used from two host threads.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <systemc>
#include <vector>

class Vrr_unit;
class VerilatedVcdSc;

namespace lrt::rtl {

/// @brief The unit's static configuration (its cfg_* ports).
struct RtlUnitConfig {
  int rank = 1;             ///< 1..8
  int n_o = 1;              ///< 1..16384
  int n_i = 1;              ///< 1..16384
  bool unbiased = false;    ///< spectrum reduction mode
  uint64_t kappa_code = 0;  ///< round(kappa_th 2^8), < 2^36
  uint32_t seed = 0;        ///< low 32 bits of the reducer's seed
};

/// @brief What the unit reported for one pair (its done_* ports) and what it cost.
struct RtlPairResult {
  bool zero_input = false;
  bool vanished_left = false;
  bool vanished_right = false;
  bool skipped_kappa = false;
  int kept = 0;
  uint32_t sign_word = 0;
  int c_exponent = 0;
  uint32_t saturations = 0;
  uint64_t cycles = 0;      ///< clock edges from the accepted start to the accepted result
  uint64_t mem_reads = 0;   ///< SRAM read requests of this pair
  uint64_t mem_writes = 0;  ///< SRAM write requests of this pair
};

/// @brief The SRAM image the unit works on (§6 state plus its scratch).
struct RtlSram {
  std::vector<int16_t> q[2];  ///< Q_L (n_o x q), Q_R (n_i x q) codes, column-major
  std::vector<int32_t> w[2];  ///< Gram-Schmidt scratch of each side (not state)
  int16_t exps[2][9] = {};    ///< column exponents
  uint32_t cx[9] = {};        ///< weight codes
  int16_t cx_exp = 0;
};

/// @brief Cycles of rr_unit per pair (docs/rtl.md, "Cycles per pair"): with an SRAM that
/// accepts every request and answers a read on the next cycle. A zero input:
uint64_t rr_unit_cycles_zero_input(int n_o, int n_i);
/// The first pair after a reset, one-hot dz and a, biased (every step of the schedule runs;
/// no Gram-Schmidt update, no Jacobi rotation; |residual| has 24 bits).
uint64_t rr_unit_cycles_first_one_hot(int n_o, int n_i, int rank);
/// An upper bound of every pair: a full step with every Gram-Schmidt update and Jacobi
/// rotation and 32-bit residual norms (plus the unbiased mixing's divisions when unbiased).
uint64_t rr_unit_cycles_bound(int n_o, int n_i, int rank, bool unbiased);

class RankReduceRtl : public sc_core::sc_module {
 public:
  /// Throws std::invalid_argument for a configuration outside the unit's range.
  RankReduceRtl(sc_core::sc_module_name name, const RtlUnitConfig& cfg);
  ~RankReduceRtl() override;

  /// @brief Runs one pair through the RTL (dz: n_o codes, a: n_i codes) and returns its
  /// trace. Throws std::runtime_error if the unit does not finish within max_cycles.
  RtlPairResult run_pair(const int16_t* dz, int dz_exp, const int16_t* a, int a_exp);
  /// @brief The pair counter (sign generator index) takes `value` before the next pair.
  void set_pair_counter(uint32_t value);
  uint32_t pair_counter() const;

  RtlSram& sram() { return sram_; }
  const RtlSram& sram() const { return sram_; }
  const RtlUnitConfig& config() const { return cfg_; }

  /// Advance simulated time by half a period per clock phase (for VCD traces).
  void set_timed(bool timed) { timed_ = timed; }
  /// @brief Dumps every signal of the unit to `path` (implies set_timed(true)). Call before
  /// the first run_pair.
  void open_vcd(const std::string& path);
  uint64_t total_cycles() const { return total_cycles_; }
  /// @brief Back-pressure: every cycle the memory's request ready, the code stream's valid and
  /// the result's ready are each withheld with probability p, and a read response comes 0-3
  /// cycles late (uniform); deterministic in `seed`. p = 0 (the default): no stall.
  void set_stalls(double p, uint64_t seed) {
    stall_p_ = p;
    stall_rng_.seed(seed);
  }
  /// A cycle limit per pair (a hang is an error, never a silent wait).
  void set_max_cycles(uint64_t c) { max_cycles_ = c; }

 private:
  void settle();
  void edge();  // one clock cycle: low phase, rising edge, outputs settled

  RtlUnitConfig cfg_;
  std::unique_ptr<Vrr_unit> dut_;
  RtlSram sram_;
  bool timed_ = false;
  bool reset_done_ = false;
  bool load_pair_ = false;
  uint32_t pair_value_ = 0;
  uint64_t total_cycles_ = 0;
  uint64_t max_cycles_ = 50'000'000;
  std::unique_ptr<VerilatedVcdSc> vcd_;
  double stall_p_ = 0.0;
  std::mt19937_64 stall_rng_;
  std::uniform_real_distribution<double> stall_dist_{0.0, 1.0};

  sc_core::sc_signal<bool> clk_, rst_;
  sc_core::sc_signal<uint32_t> cfg_rank_, cfg_n_o_, cfg_n_i_, cfg_seed_, cfg_pair_;
  sc_core::sc_signal<bool> cfg_mode_, cfg_pair_load_;
  sc_core::sc_signal<uint64_t> cfg_kappa_;
  sc_core::sc_signal<bool> start_valid_, start_ready_;
  sc_core::sc_signal<uint32_t> start_dz_exp_, start_a_exp_;
  sc_core::sc_signal<bool> code_valid_, code_ready_;
  sc_core::sc_signal<uint32_t> code_data_;
  sc_core::sc_signal<bool> mem_req_valid_, mem_req_ready_, mem_req_write_;
  sc_core::sc_signal<uint32_t> mem_req_addr_;
  sc_core::sc_signal<uint64_t> mem_req_wdata_;
  sc_core::sc_signal<bool> mem_rsp_valid_;
  sc_core::sc_signal<uint64_t> mem_rsp_rdata_;
  sc_core::sc_signal<bool> done_valid_, done_ready_, done_zero_input_, done_vanished_left_,
      done_vanished_right_, done_skipped_kappa_;
  sc_core::sc_signal<uint32_t> done_kept_, done_sign_word_, done_c_exponent_, done_saturations_, pair_count_;
};

}  // namespace lrt::rtl
