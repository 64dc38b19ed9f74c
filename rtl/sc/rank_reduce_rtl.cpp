#include "sc/rank_reduce_rtl.h"

#include <stdexcept>
#include <string>

#include "Vrr_unit.h"
#include "verilated.h"
#include "verilated_vcd_sc.h"

namespace lrt::rtl {

namespace {

constexpr uint32_t kRegionShift = 28;
constexpr uint32_t kIndexMask = (1u << kRegionShift) - 1;

// The schedule of rr_unit.sv, state by state: a memory read costs 3 cycles (issue, request,
// response), a write 2; a primitive with latency L costs L + 1 cycles in its wait state
// (isqrt 33, CORDIC 33, divider 66 + frac).
struct Schedule {
  uint64_t n_o, n_i, r, q;
  uint64_t front() const { return 3 * (n_o + n_i) + 1 + 4 * (3 * q + 1); }  // input, zero check, metadata
  uint64_t back() const {  // c_L/c_R, S, kappa, E_C, C, sigma, sort, Q_x, M, c_x, update, write-back
    return 2 + q * q + 3 + 1 + q + 1 + r * q + 1 + (n_o + n_i) * (8 * q + 5 * r) + 6 + 3 * (3 * q + 1) + 1;
  }
  uint64_t side_first(uint64_t n, uint64_t bn) const {  // dead columns: dot products only
    return 1 + 2 * r * (7 * n + 2) + 18 * n + 1 + 1 + 34 + (67 + 30 + bn) + 1 + 1 + 1;
  }
  uint64_t side_full(uint64_t n, uint64_t bn) const {  // every column live: dot + update each
    return 1 + 2 * r * (16 * n + 3) + 18 * n + 1 + 1 + 34 + (67 + 30 + bn) + 1 + 1 + 1;
  }
  uint64_t jacobi_none() const { return 8 * (q * (q - 1) / 2) * 2; }
  uint64_t jacobi_all() const { return 8 * (q * (q - 1) / 2) * (1 + 4 * 34 + 3 * q + 1); }
};

Schedule schedule(int n_o, int n_i, int rank) {
  return {static_cast<uint64_t>(n_o), static_cast<uint64_t>(n_i), static_cast<uint64_t>(rank),
          static_cast<uint64_t>(rank) + 1};
}

}  // namespace

uint64_t rr_unit_cycles_zero_input(int n_o, int n_i) { return 3 * static_cast<uint64_t>(n_o + n_i) + 2; }

uint64_t rr_unit_cycles_first_one_hot(int n_o, int n_i, int rank) {
  const Schedule s = schedule(n_o, n_i, rank);
  return s.front() + s.side_first(s.n_o, 24) + s.side_first(s.n_i, 24) + s.jacobi_none() + s.back();
}

uint64_t rr_unit_cycles_bound(int n_o, int n_i, int rank, bool unbiased) {
  const Schedule s = schedule(n_o, n_i, rank);
  uint64_t c = s.front() + s.side_full(s.n_o, 32) + s.side_full(s.n_i, 32) + s.jacobi_all() + s.back();
  // Unbiased: up to k + 1 = q radicands (division 127 + root 34 + issue 1), 1/|v_0| (1 + 127),
  // s1/k (67) and k Householder columns.
  if (unbiased) c += s.q * 162 + 1 + 127 + 67 + s.r;
  return c;
}

RankReduceRtl::RankReduceRtl(sc_core::sc_module_name name, const RtlUnitConfig& cfg)
    : sc_core::sc_module(name), cfg_(cfg) {
  if (cfg.rank < 1 || cfg.rank > 8 || cfg.n_o < 1 || cfg.n_o > 16384 || cfg.n_i < 1 || cfg.n_i > 16384 ||
      cfg.kappa_code >= (uint64_t{1} << 36))
    throw std::invalid_argument(
        "rr_unit: rank must lie in [1, 8], n_o and n_i in [1, 16384], kappa code < 2^36");
  const int q = cfg.rank + 1;
  sram_.q[0].assign(static_cast<size_t>(cfg.n_o) * q, 0);
  sram_.q[1].assign(static_cast<size_t>(cfg.n_i) * q, 0);
  sram_.w[0].assign(static_cast<size_t>(cfg.n_o), 0);
  sram_.w[1].assign(static_cast<size_t>(cfg.n_i), 0);
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

void RankReduceRtl::settle() {
  if (timed_) {
    sc_core::sc_start(sc_core::sc_time(0.5, sc_core::SC_NS));
  } else {
    // The first call delivers the input writes and runs the model, the second publishes its
    // outputs (one call would leave them a phase behind: correct results, wrong cycle counts).
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
}

void RankReduceRtl::edge() {
  clk_.write(false);
  settle();
  clk_.write(true);
  settle();
}

void RankReduceRtl::set_pair_counter(uint32_t value) {
  load_pair_ = true;
  pair_value_ = value;
}

uint32_t RankReduceRtl::pair_counter() const { return load_pair_ ? pair_value_ : pair_count_.read(); }

RtlPairResult RankReduceRtl::run_pair(const int16_t* dz, int dz_exp, const int16_t* a, int a_exp) {
  cfg_rank_.write(static_cast<uint32_t>(cfg_.rank));
  cfg_n_o_.write(static_cast<uint32_t>(cfg_.n_o));
  cfg_n_i_.write(static_cast<uint32_t>(cfg_.n_i));
  cfg_mode_.write(cfg_.unbiased);
  cfg_kappa_.write(cfg_.kappa_code);
  cfg_seed_.write(cfg_.seed);
  if (!reset_done_) {
    rst_.write(true);
    edge();
    edge();
    rst_.write(false);
    reset_done_ = true;
  }
  if (load_pair_) {  // the unit is idle between pairs: one cycle with the load strobe
    cfg_pair_.write(pair_value_);
    cfg_pair_load_.write(true);
    edge();
    cfg_pair_load_.write(false);
    load_pair_ = false;
  }

  const int n_codes = cfg_.n_o + cfg_.n_i;
  auto code_at = [&](int k) { return k < cfg_.n_o ? dz[k] : a[k - cfg_.n_o]; };
  bool started = false;
  int next_code = 0;
  bool rsp_pending = false;
  int rsp_wait = 0;  // extra cycles before the pending response is presented
  uint64_t rsp_data = 0;
  RtlPairResult res;
  // Stalls (set_stalls): each handshake of the environment withheld with probability p.
  auto stall = [this]() { return stall_p_ > 0.0 && stall_dist_(stall_rng_) < stall_p_; };
  for (uint64_t cycle = 0;; ++cycle) {
    if (cycle > max_cycles_)
      throw std::runtime_error("rr_unit: no result after " + std::to_string(max_cycles_) + " cycles");
    // Inputs for the coming edge, from the outputs the last edge left.
    const bool mem_ready = !stall();
    const bool done_ready = !stall();
    mem_req_ready_.write(mem_ready);
    done_ready_.write(done_ready);
    start_valid_.write(!started);
    start_dz_exp_.write(static_cast<uint32_t>(static_cast<uint16_t>(dz_exp)));
    start_a_exp_.write(static_cast<uint32_t>(static_cast<uint16_t>(a_exp)));
    const bool code_avail = started && next_code < n_codes && !stall();
    code_valid_.write(code_avail);
    code_data_.write(code_avail ? static_cast<uint32_t>(static_cast<uint16_t>(code_at(next_code))) : 0u);
    const bool rsp_now = rsp_pending && rsp_wait == 0;
    mem_rsp_valid_.write(rsp_now);
    mem_rsp_rdata_.write(rsp_now ? rsp_data : 0u);
    const bool start_fire = !started && start_ready_.read();
    const bool code_fire = code_avail && code_ready_.read();
    const bool mem_fire = mem_req_valid_.read() && mem_ready;
    const bool done_fire = started && done_valid_.read() && done_ready;
    const bool write = mem_req_write_.read();
    const uint32_t addr = mem_req_addr_.read();
    const uint64_t wdata = mem_req_wdata_.read();
    if (done_fire) {
      res.zero_input = done_zero_input_.read();
      res.vanished_left = done_vanished_left_.read();
      res.vanished_right = done_vanished_right_.read();
      res.skipped_kappa = done_skipped_kappa_.read();
      res.kept = static_cast<int>(done_kept_.read());
      res.sign_word = done_sign_word_.read();
      res.c_exponent = static_cast<int32_t>(done_c_exponent_.read());
      res.saturations = done_saturations_.read();
    }
    edge();
    ++total_cycles_;
    if (started) ++res.cycles;
    if (done_fire) break;
    if (start_fire) started = true;
    if (code_fire) ++next_code;
    if (rsp_now)
      rsp_pending = false;
    else if (rsp_pending)
      --rsp_wait;
    if (mem_fire) {
      if (rsp_pending) throw std::runtime_error("rr_unit: a request while a read response is pending");
      const uint32_t region = addr >> kRegionShift;
      const uint32_t idx = addr & kIndexMask;
      auto bad = [&]() {
        throw std::runtime_error("rr_unit: memory access to region " + std::to_string(region) + " index " +
                                 std::to_string(idx) + " outside the SRAM image");
      };
      uint64_t value = 0;
      if (region <= 1) {
        std::vector<int16_t>& v = sram_.q[region];
        if (idx >= v.size()) bad();
        if (write) v[idx] = static_cast<int16_t>(wdata & 0xFFFFu);
        value = static_cast<uint64_t>(static_cast<int64_t>(v[idx]));
      } else if (region <= 3) {
        std::vector<int32_t>& v = sram_.w[region - 2];
        if (idx >= v.size()) bad();
        if (write) v[idx] = static_cast<int32_t>(wdata & 0xFFFFFFFFu);
        value = static_cast<uint64_t>(static_cast<int64_t>(v[idx]));
      } else if (region == 4) {
        const uint32_t q = static_cast<uint32_t>(cfg_.rank + 1);
        int16_t* e16 = nullptr;
        uint32_t* c32 = nullptr;
        if (idx < q)
          e16 = &sram_.exps[0][idx];
        else if (idx >= 16 && idx < 16 + q)
          e16 = &sram_.exps[1][idx - 16];
        else if (idx >= 32 && idx < 32 + q)
          c32 = &sram_.cx[idx - 32];
        else if (idx == 48)
          e16 = &sram_.cx_exp;
        else
          bad();
        if (e16 != nullptr) {
          if (write) *e16 = static_cast<int16_t>(wdata & 0xFFFFu);
          value = static_cast<uint64_t>(static_cast<int64_t>(*e16));
        } else {
          if (write) *c32 = static_cast<uint32_t>(wdata);
          value = *c32;
        }
      } else {
        bad();
      }
      if (write) {
        ++res.mem_writes;
      } else {
        ++res.mem_reads;
        rsp_pending = true;
        rsp_wait = stall_p_ > 0.0 ? static_cast<int>(stall_dist_(stall_rng_) * 4.0) : 0;  // 0..3 extra cycles
        rsp_data = value;
      }
    }
  }
  return res;
}

}  // namespace lrt::rtl
