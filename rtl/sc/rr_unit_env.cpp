#include "sc/rr_unit_env.h"

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>

namespace lrt::rtl {

namespace {

constexpr uint32_t kRegionShift = 28;
constexpr uint32_t kIndexMask = (1u << kRegionShift) - 1;

}  // namespace

RtlUnitEnv::RtlUnitEnv(const RtlUnitConfig& cfg) : cfg_(cfg) {
  if (cfg.rank < 1 || cfg.rank > 8 || cfg.n_o < 1 || cfg.n_o > 16384 || cfg.n_i < 1 || cfg.n_i > 16384 ||
      cfg.kappa_code >= (uint64_t{1} << 36))
    throw std::invalid_argument(
        "rr_unit: rank must lie in [1, 8], n_o and n_i in [1, 16384], kappa code < 2^36");
  const int q = cfg.rank + 1;
  sram_.q[0].assign(static_cast<size_t>(cfg.n_o) * q, 0);
  sram_.q[1].assign(static_cast<size_t>(cfg.n_i) * q, 0);
  sram_.w[0].assign(static_cast<size_t>(cfg.n_o), 0);
  sram_.w[1].assign(static_cast<size_t>(cfg.n_i), 0);
}

void RtlUnitEnv::set_pair_counter(uint32_t value) {
  load_pair_ = true;
  pair_value_ = value;
}

RtlEnvState RtlUnitEnv::env_state() const {
  RtlEnvState s;
  s.sram = sram_;
  s.reset_done = reset_done_;
  s.load_pair = load_pair_;
  s.pair_value = pair_value_;
  s.total_cycles = total_cycles_;
  std::ostringstream rng;
  rng << stall_rng_;
  s.stall_rng = rng.str();
  return s;
}

void RtlUnitEnv::set_env_state(const RtlEnvState& s) {
  for (int side = 0; side < 2; ++side)
    if (s.sram.q[side].size() != sram_.q[side].size() || s.sram.w[side].size() != sram_.w[side].size())
      throw std::invalid_argument("rr_unit: the SRAM image's sizes are not this configuration's");
  std::istringstream rng(s.stall_rng);
  std::mt19937_64 g;
  if (!(rng >> g)) throw std::invalid_argument("rr_unit: unreadable back-pressure generator state");
  stall_rng_ = g;
  sram_ = s.sram;
  reset_done_ = s.reset_done;
  load_pair_ = s.load_pair;
  pair_value_ = s.pair_value;
  total_cycles_ = s.total_cycles;
}

RtlPairResult RtlUnitEnv::run_pair(const int16_t* dz, int dz_exp, const int16_t* a, int a_exp) {
  RtlPins& p = pins_;
  p.cfg_rank = static_cast<uint32_t>(cfg_.rank);
  p.cfg_n_o = static_cast<uint32_t>(cfg_.n_o);
  p.cfg_n_i = static_cast<uint32_t>(cfg_.n_i);
  p.cfg_mode = cfg_.unbiased;
  p.cfg_kappa = cfg_.kappa_code;
  p.cfg_seed = cfg_.seed;
  if (!reset_done_) {
    p.rst = true;
    edge();
    edge();
    p.rst = false;
    reset_done_ = true;
  }
  if (load_pair_) {  // the unit is idle between pairs: one cycle with the load strobe
    p.cfg_pair = pair_value_;
    p.cfg_pair_load = true;
    edge();
    p.cfg_pair_load = false;
    load_pair_ = false;
  }

  const int n_codes = cfg_.n_o + cfg_.n_i;
  auto code_at = [&](int k) { return k < cfg_.n_o ? dz[k] : a[k - cfg_.n_o]; };
  bool started = false;
  int next_code = 0;
  bool rsp_pending = false;
  int rsp_wait = 0;  // extra cycles before the pending response is presented
  uint64_t rsp_data = 0;
  bool code_held = false;  // a code offered and not yet taken stays offered (valid/ready rule)
  RtlPairResult res;
  const std::array<uint64_t, kRtlRegfiles> writes_before = regfile_writes_;
  // Stalls (set_stalls): each handshake of the environment withheld with probability p.
  auto stall = [this]() { return stall_p_ > 0.0 && stall_dist_(stall_rng_) < stall_p_; };
  for (uint64_t cycle = 0;; ++cycle) {
    if (cycle > max_cycles_)
      throw std::runtime_error("rr_unit: no result after " + std::to_string(max_cycles_) + " cycles");
    // Inputs for the coming edge, from the outputs the last edge left.
    const bool mem_ready = !stall();
    const bool done_ready = !stall();
    p.mem_req_ready = mem_ready;
    p.done_ready = done_ready;
    p.start_valid = !started;
    p.start_dz_exp = static_cast<uint32_t>(static_cast<uint16_t>(dz_exp));
    p.start_a_exp = static_cast<uint32_t>(static_cast<uint16_t>(a_exp));
    bool code_avail = started && next_code < n_codes && (code_held || !stall());
    if (break_code_handshake_) code_avail = started && next_code < n_codes && (cycle % 2 == 0);
    p.code_valid = code_avail;
    p.code_data = code_avail ? static_cast<uint32_t>(static_cast<uint16_t>(code_at(next_code))) : 0u;
    const bool rsp_now = rsp_pending && rsp_wait == 0;
    const bool spurious = spurious_response_ && started && !rsp_pending;
    if (spurious) spurious_response_ = false;
    p.mem_rsp_valid = rsp_now || spurious;
    p.mem_rsp_rdata = rsp_now ? rsp_data : 0u;
    const bool start_fire = !started && p.start_ready;
    const bool code_fire = code_avail && p.code_ready;
    const bool mem_fire = p.mem_req_valid && mem_ready;
    const bool done_fire = started && p.done_valid && done_ready;
    const bool write = p.mem_req_write;
    const uint32_t addr = p.mem_req_addr;
    const uint64_t wdata = p.mem_req_wdata;
    if (done_fire) {
      res.zero_input = p.done_zero_input;
      res.vanished_left = p.done_vanished_left;
      res.vanished_right = p.done_vanished_right;
      res.skipped_kappa = p.done_skipped_kappa;
      res.kept = static_cast<int>(p.done_kept);
      res.sign_word = p.done_sign_word;
      res.c_exponent = static_cast<int32_t>(p.done_c_exponent);
      res.saturations = p.done_saturations;
    }
    edge();
    ++total_cycles_;
    if (started) ++res.cycles;
    if (done_fire) break;
    if (start_fire) started = true;
    if (code_fire) ++next_code;
    code_held = code_avail && !code_fire;
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
      if (region <= 3) {
        // Packed words (docs/rtl.md, memory map): Q codes four per word (word j W + b holds rows
        // 4b..4b+3 of column j, W = ceil(n/4)), the scratch two per word (word b: rows 2b, 2b+1).
        // Lanes past row n read as zero and must be written as zero.
        const bool codes = region <= 1;
        const uint32_t n = static_cast<uint32_t>((region & 1u) == 0 ? cfg_.n_o : cfg_.n_i);
        const uint32_t lanes = codes ? 4u : 2u, bits = 64u / lanes;
        const uint32_t words = (n + lanes - 1) / lanes;
        const uint32_t q = static_cast<uint32_t>(cfg_.rank + 1);
        if (idx >= (codes ? q * words : words)) bad();
        const uint32_t col = idx / words, row0 = (idx % words) * lanes;
        const uint64_t mask = (uint64_t{1} << bits) - 1;
        for (uint32_t m = 0; m < lanes; ++m) {
          const uint32_t row = row0 + m;
          const uint64_t lane = (wdata >> (bits * m)) & mask;
          if (row >= n) {
            if (write && lane != 0)
              throw std::runtime_error("rr_unit: nonzero lane past row n written at region " + std::to_string(region) +
                                       " index " + std::to_string(idx));
            continue;
          }
          const std::size_t at = static_cast<std::size_t>(col) * n + row;
          if (codes) {
            int16_t& c = sram_.q[region][at];
            if (write) c = static_cast<int16_t>(lane);
            value |= (static_cast<uint64_t>(static_cast<uint16_t>(c))) << (bits * m);
          } else {
            int32_t& w = sram_.w[region - 2][at];
            if (write) w = static_cast<int32_t>(lane);
            value |= (static_cast<uint64_t>(static_cast<uint32_t>(w))) << (bits * m);
          }
        }
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
  for (size_t f = 0; f < res.regfile_writes.size(); ++f)
    res.regfile_writes[f] = regfile_writes_[f] - writes_before[f];
  return res;
}

}  // namespace lrt::rtl
