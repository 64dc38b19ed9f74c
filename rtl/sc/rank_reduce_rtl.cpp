#include "sc/rank_reduce_rtl.h"

#include <stdexcept>
#include <string>

#include "Vrr_unit.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include "Vrr_unit___024root.h"
#pragma GCC diagnostic pop
#include "verilated.h"
#include "verilated_vcd_sc.h"

namespace lrt::rtl {

RankReduceRtl::RankReduceRtl(sc_core::sc_module_name name, const RtlUnitConfig& cfg)
    : sc_core::sc_module(name), RtlUnitEnv(cfg) {
  // The wrapper steps the kernel with sc_start(SC_ZERO_TIME) between pairs too, when nothing
  // is pending: not worth a warning.
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_, sc_core::SC_DO_NOTHING);
  Verilated::traceEverOn(true);  // lets open_vcd() attach a trace later; free until then
  dut_ = std::make_unique<Vrr_unit>("rr_unit");
  Vrr_unit& d = *dut_;
  d.clk(clk_);
  d.rst(rst_);
  d.cfg_rank(cfg_rank_);
  d.cfg_n_o(cfg_n_o_);
  d.cfg_n_i(cfg_n_i_);
  d.cfg_mode(cfg_mode_);
  d.cfg_kappa(cfg_kappa_);
  d.cfg_seed(cfg_seed_);
  d.cfg_pair_load(cfg_pair_load_);
  d.cfg_pair(cfg_pair_);
  d.start_valid(start_valid_);
  d.start_ready(start_ready_);
  d.start_dz_exp(start_dz_exp_);
  d.start_a_exp(start_a_exp_);
  d.code_valid(code_valid_);
  d.code_ready(code_ready_);
  d.code_data(code_data_);
  d.mem_req_valid(mem_req_valid_);
  d.mem_req_ready(mem_req_ready_);
  d.mem_req_write(mem_req_write_);
  d.mem_req_addr(mem_req_addr_);
  d.mem_req_wdata(mem_req_wdata_);
  d.mem_rsp_valid(mem_rsp_valid_);
  d.mem_rsp_rdata(mem_rsp_rdata_);
  d.done_valid(done_valid_);
  d.done_ready(done_ready_);
  d.done_zero_input(done_zero_input_);
  d.done_vanished_left(done_vanished_left_);
  d.done_vanished_right(done_vanished_right_);
  d.done_skipped_kappa(done_skipped_kappa_);
  d.done_kept(done_kept_);
  d.done_sign_word(done_sign_word_);
  d.done_c_exponent(done_c_exponent_);
  d.done_saturations(done_saturations_);
  d.pair_count(pair_count_);
}

RankReduceRtl::~RankReduceRtl() {
  if (vcd_) vcd_->close();
}

void RankReduceRtl::open_vcd(const std::string& path) {
  timed_ = true;
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // Verilator traces an elaborated model only
  vcd_ = std::make_unique<VerilatedVcdSc>();
  dut_->trace(vcd_.get(), 99);
  vcd_->open(path.c_str());
  if (!vcd_->isOpen()) throw std::runtime_error("cannot open VCD file " + path);
}

void RankReduceRtl::settle(bool timed) {
  // From sc_main the wrapper runs the kernel itself; from a thread process (the TLM unit's
  // STEP inside the controller's processes) it yields to the kernel instead.
  const sc_core::sc_process_handle me = sc_core::sc_get_current_process_handle();
  const bool in_thread = me.valid() && me.proc_kind() == sc_core::SC_THREAD_PROC_;
  auto advance = [in_thread](const sc_core::sc_time& t) {
    if (in_thread)
      sc_core::wait(t);
    else
      sc_core::sc_start(t);
  };
  if (timed) {
    advance(half_period_);
  } else {
    // The first call delivers the input writes and runs the model, the second publishes its
    // outputs (one call would leave them a phase behind: correct results, wrong cycle counts).
    advance(sc_core::SC_ZERO_TIME);
    advance(sc_core::SC_ZERO_TIME);
  }
}

void RankReduceRtl::edge() {
  const RtlPins& p = pins_;
  rst_.write(p.rst);
  cfg_rank_.write(p.cfg_rank);
  cfg_n_o_.write(p.cfg_n_o);
  cfg_n_i_.write(p.cfg_n_i);
  cfg_mode_.write(p.cfg_mode);
  cfg_kappa_.write(p.cfg_kappa);
  cfg_seed_.write(p.cfg_seed);
  cfg_pair_.write(p.cfg_pair);
  cfg_pair_load_.write(p.cfg_pair_load);
  start_valid_.write(p.start_valid);
  start_dz_exp_.write(p.start_dz_exp);
  start_a_exp_.write(p.start_a_exp);
  code_valid_.write(p.code_valid);
  code_data_.write(p.code_data);
  mem_req_ready_.write(p.mem_req_ready);
  mem_rsp_valid_.write(p.mem_rsp_valid);
  mem_rsp_rdata_.write(p.mem_rsp_rdata);
  done_ready_.write(p.done_ready);
  // Gated clock: the set-up edges of a pair take no time (set_clock_period).
  const bool timed = timed_ && !(untimed_setup_ && (p.rst || p.cfg_pair_load || p.start_valid));
  clk_.write(false);
  settle(timed);
  if (!p.rst) add_regfile_writes(*dut_->rootp, regfile_writes_);  // the enables of the coming edge
  clk_.write(true);
  settle(timed);
  RtlPins& o = pins_;
  o.start_ready = start_ready_.read();
  o.code_ready = code_ready_.read();
  o.mem_req_valid = mem_req_valid_.read();
  o.mem_req_write = mem_req_write_.read();
  o.mem_req_addr = mem_req_addr_.read();
  o.mem_req_wdata = mem_req_wdata_.read();
  o.done_valid = done_valid_.read();
  o.done_zero_input = done_zero_input_.read();
  o.done_vanished_left = done_vanished_left_.read();
  o.done_vanished_right = done_vanished_right_.read();
  o.done_skipped_kappa = done_skipped_kappa_.read();
  o.done_kept = done_kept_.read();
  o.done_sign_word = done_sign_word_.read();
  o.done_c_exponent = done_c_exponent_.read();
  o.done_saturations = done_saturations_.read();
  o.pair_count = pair_count_.read();
}

}  // namespace lrt::rtl
