#pragma once
// SystemC wrapper of the Verilated rank-reduce unit (rtl/rr_unit.sv, docs/rtl.md): the SRAM
// the unit streams Q_L / Q_R columns, the scratch words and the metadata from, and the
// handshakes of its pair, memory and result ports.
//
// Two ways to drive it. In the TLM model (set_clock_period), run_pair() is called from a thread
// process, the rank-reduce unit's STEP, and toggles a clock it gates with wait(half period) per
// phase: the unit's cycles are simulated time. Standalone (lrtsim cosim's SystemC build, tests),
// run_pair() is called from outside the scheduler and calls sc_start(SC_ZERO_TIME) after each
// change (delta cycles only), or with set_timed(true) sc_start(half period) per clock phase so
// that a VCD trace shows one sample per clock edge. It must be constructed during elaboration
// (before the first sc_start) and never be used from two host threads.

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>

#include "sc/rr_unit_env.h"

class Vrr_unit;
class VerilatedVcdSc;

namespace lrt::rtl {

// Cycles and operations per pair: the closed form in models/hw/rr_unit_timing.h
// (lrt::hw::rr_unit_pair_cost), checked against the measured counts by lrtsim cosim.

class RankReduceRtl : public sc_core::sc_module, public RtlUnitEnv {
 public:
  /// Throws std::invalid_argument for a configuration outside the unit's range.
  RankReduceRtl(sc_core::sc_module_name name, const RtlUnitConfig& cfg);
  ~RankReduceRtl() override;

  /// Advance simulated time by half a period per clock phase (for VCD traces).
  void set_timed(bool timed) { timed_ = timed; }
  /// @brief Runs the unit on a clock of `period` gated by the transactor: while a pair runs,
  /// each edge the closed form counts (from the edge after the accepted start to the accepted
  /// result) takes one period of simulated time; the set-up edges (reset, pair-counter load,
  /// the accepting edge, which overlaps the CONTROL write that started the pair) take none.
  /// Call from a thread process (the TLM unit's STEP).
  void set_clock_period(const sc_core::sc_time& period) {
    timed_ = true;
    half_period_ = period / 2;
    untimed_setup_ = true;
  }
  /// @brief Dumps every signal of the unit to `path` (implies set_timed(true)). Call before
  /// the first run_pair.
  void open_vcd(const std::string& path);

 protected:
  void edge() override;  // also counts the register files' writes (rr_unit_counters.vlt)

 private:
  void settle(bool timed);  // one clock phase

  std::unique_ptr<Vrr_unit> dut_;
  bool timed_ = false;
  bool untimed_setup_ = false;
  sc_core::sc_time half_period_{0.5, sc_core::SC_NS};
  std::unique_ptr<VerilatedVcdSc> vcd_;

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
