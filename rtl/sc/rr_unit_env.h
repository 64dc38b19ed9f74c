#pragma once
// The environment of rr_unit (rtl/rr_unit.sv, docs/rtl.md) shared by its two Verilated builds:
// the SRAM image the unit streams Q_L / Q_R, the scratch and the metadata from, the memory
// model (every request accepted, a read answered in the next cycle unless stalls are on) and
// the pair / code / result handshakes. A derived class moves the pins into its model and
// clocks it once per edge(): RankReduceRtl (SystemC, rank_reduce_rtl.h) for the TLM model's
// impl: rtl and VCD traces, RankReduceRtlCpp (plain C++, rtl/cpp/) for fast co-simulation.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

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

/// @brief rr_unit's register files (rr_regfile instances), counted in this order: u_ja, u_ju,
/// u_jv, u_mx, u_cf, u_cb0, u_cb1, u_qr, u_bc, u_cx, u_eq, u_ec, u_sg, u_hs (hw::RrRegfile's,
/// which names them; test_rtl's RrUnitRegfiles compares every file's count with its closed form).
inline constexpr size_t kRtlRegfiles = 14;

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
  /// Writes per register file (add_regfile_writes's order) from the first edge of run_pair() to
  /// its last, where the wrapper counts them (RtlUnitEnv::edge()); zeros otherwise.
  std::array<uint64_t, kRtlRegfiles> regfile_writes{};
};

/// @brief Adds to `w` the register files whose write enable is high in a Verilated rr_unit
/// whose rr_regfile `we` is readable (rr_unit_counters.vlt or --public-flat-rw), read between
/// the low phase and the rising edge.
template <class Root>
void add_regfile_writes(const Root& r, std::array<uint64_t, kRtlRegfiles>& w) {
  const uint8_t we[kRtlRegfiles] = {
      r.rr_unit__DOT__u_ja__DOT__we,  r.rr_unit__DOT__u_ju__DOT__we, r.rr_unit__DOT__u_jv__DOT__we,
      r.rr_unit__DOT__u_mx__DOT__we,  r.rr_unit__DOT__u_cf__DOT__we, r.rr_unit__DOT__u_cb0__DOT__we,
      r.rr_unit__DOT__u_cb1__DOT__we, r.rr_unit__DOT__u_qr__DOT__we, r.rr_unit__DOT__u_bc__DOT__we,
      r.rr_unit__DOT__u_cx__DOT__we,  r.rr_unit__DOT__u_eq__DOT__we, r.rr_unit__DOT__u_ec__DOT__we,
      r.rr_unit__DOT__u_sg__DOT__we,  r.rr_unit__DOT__u_hs__DOT__we};
  for (size_t f = 0; f < w.size(); ++f) w[f] += we[f] & 1u;
}

/// @brief The SRAM image the unit works on (§6 state plus its scratch), value by value; the
/// memory model packs it into the unit's 64-bit words (four codes, two scratch values per word).
struct RtlSram {
  std::vector<int16_t> q[2];  ///< Q_L (n_o x q), Q_R (n_i x q) codes, column-major
  std::vector<int32_t> w[2];  ///< Gram-Schmidt scratch of each side (not state)
  int16_t exps[2][9] = {};    ///< column exponents
  uint32_t cx[9] = {};        ///< weight codes
  int16_t cx_exp = 0;
};

/// @brief Everything the environment carries from one pair to the next (a checkpoint of a
/// co-simulation: lrtsim cosim --checkpoint); the model's own state is the derived class's.
struct RtlEnvState {
  RtlSram sram;
  bool reset_done = false;
  bool load_pair = false;
  uint32_t pair_value = 0;
  uint64_t total_cycles = 0;
  std::string stall_rng;  ///< the back-pressure generator, as its operator<< writes it
};

/// @brief The unit's ports as plain values: inputs set before an edge, outputs as the last
/// edge left them.
struct RtlPins {
  // inputs
  bool rst = false, cfg_mode = false, cfg_pair_load = false, start_valid = false, code_valid = false,
       mem_req_ready = false, mem_rsp_valid = false, done_ready = false;
  uint32_t cfg_rank = 1, cfg_n_o = 1, cfg_n_i = 1, cfg_seed = 0, cfg_pair = 0, start_dz_exp = 0, start_a_exp = 0,
           code_data = 0;
  uint64_t cfg_kappa = 0, mem_rsp_rdata = 0;
  // outputs
  bool start_ready = false, code_ready = false, mem_req_valid = false, mem_req_write = false, done_valid = false,
       done_zero_input = false, done_vanished_left = false, done_vanished_right = false, done_skipped_kappa = false;
  uint32_t mem_req_addr = 0, done_kept = 0, done_sign_word = 0, done_c_exponent = 0, done_saturations = 0,
           pair_count = 0;
  uint64_t mem_req_wdata = 0;
};

class RtlUnitEnv {
 public:
  /// Throws std::invalid_argument for a configuration outside the unit's range.
  explicit RtlUnitEnv(const RtlUnitConfig& cfg);
  virtual ~RtlUnitEnv() = default;
  RtlUnitEnv(const RtlUnitEnv&) = delete;
  RtlUnitEnv& operator=(const RtlUnitEnv&) = delete;

  /// @brief Runs one pair through the RTL (dz: n_o codes, a: n_i codes) and returns its
  /// trace. Throws std::runtime_error if the unit does not finish within max_cycles.
  RtlPairResult run_pair(const int16_t* dz, int dz_exp, const int16_t* a, int a_exp);
  /// @brief The pair counter (sign generator index) takes `value` before the next pair.
  void set_pair_counter(uint32_t value);
  uint32_t pair_counter() const { return load_pair_ ? pair_value_ : pins_.pair_count; }

  RtlEnvState env_state() const;
  /// Throws std::invalid_argument when the SRAM image's sizes are not this configuration's.
  void set_env_state(const RtlEnvState& s);

  RtlSram& sram() { return sram_; }
  const RtlSram& sram() const { return sram_; }
  const RtlUnitConfig& config() const { return cfg_; }
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
  /// Testing the unit's protocol assertions: the code stream's valid is raised on even cycles
  /// only, dropped whether or not the code was taken (a valid/ready violation).
  void break_code_handshake() { break_code_handshake_ = true; }
  /// Testing the SRAM port's assertions: one read response while no read is outstanding, in
  /// the first cycle after the start.
  void send_spurious_response() { spurious_response_ = true; }

 protected:
  /// One clock cycle: apply the inputs in pins_, low phase, rising edge, outputs into pins_.
  /// A wrapper that can read the register files' write enables adds them to regfile_writes_
  /// (add_regfile_writes, outside reset): RankReduceRtl does, the cosim's C++ build does not.
  virtual void edge() = 0;
  RtlPins pins_;
  std::array<uint64_t, kRtlRegfiles> regfile_writes_{};  ///< since construction

 private:
  RtlUnitConfig cfg_;
  RtlSram sram_;
  bool reset_done_ = false;
  bool load_pair_ = false;
  uint32_t pair_value_ = 0;
  uint64_t total_cycles_ = 0;
  uint64_t max_cycles_ = 50'000'000;
  double stall_p_ = 0.0;
  bool break_code_handshake_ = false;
  bool spurious_response_ = false;
  std::mt19937_64 stall_rng_;
  std::uniform_real_distribution<double> stall_dist_{0.0, 1.0};
};

/// @brief The pins into a Verilated C++-mode rr_unit (any prefix), before an edge.
template <class Model>
void apply_inputs(const RtlPins& p, Model& d) {
  d.rst = p.rst;
  d.cfg_rank = static_cast<uint8_t>(p.cfg_rank);
  d.cfg_n_o = static_cast<uint16_t>(p.cfg_n_o);
  d.cfg_n_i = static_cast<uint16_t>(p.cfg_n_i);
  d.cfg_mode = p.cfg_mode;
  d.cfg_kappa = p.cfg_kappa;
  d.cfg_seed = p.cfg_seed;
  d.cfg_pair_load = p.cfg_pair_load;
  d.cfg_pair = p.cfg_pair;
  d.start_valid = p.start_valid;
  d.start_dz_exp = static_cast<uint16_t>(p.start_dz_exp);
  d.start_a_exp = static_cast<uint16_t>(p.start_a_exp);
  d.code_valid = p.code_valid;
  d.code_data = static_cast<uint16_t>(p.code_data);
  d.mem_req_ready = p.mem_req_ready;
  d.mem_rsp_valid = p.mem_rsp_valid;
  d.mem_rsp_rdata = p.mem_rsp_rdata;
  d.done_ready = p.done_ready;
}

/// @brief A Verilated C++-mode rr_unit's outputs into the pins, after an edge.
template <class Model>
void read_outputs(const Model& d, RtlPins& o) {
  o.start_ready = d.start_ready;
  o.code_ready = d.code_ready;
  o.mem_req_valid = d.mem_req_valid;
  o.mem_req_write = d.mem_req_write;
  o.mem_req_addr = d.mem_req_addr;
  o.mem_req_wdata = d.mem_req_wdata;
  o.done_valid = d.done_valid;
  o.done_zero_input = d.done_zero_input;
  o.done_vanished_left = d.done_vanished_left;
  o.done_vanished_right = d.done_vanished_right;
  o.done_skipped_kappa = d.done_skipped_kappa;
  o.done_kept = d.done_kept;
  o.done_sign_word = d.done_sign_word;
  o.done_c_exponent = d.done_c_exponent;
  o.done_saturations = d.done_saturations;
  o.pair_count = d.pair_count;
}

}  // namespace lrt::rtl
