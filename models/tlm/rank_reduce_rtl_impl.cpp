#include "tlm/rank_reduce_rtl_impl.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "hw/rr_unit_timing.h"
#include "sc/rank_reduce_rtl.h"

namespace lrt::tlm {

namespace {

int next_instance() {
  static int count = 0;  // module names must be unique; one host thread builds the model
  return count++;
}

}  // namespace

static_assert(hw::kRrRegfiles == rtl::kRtlRegfiles, "one register-file list");

// The energy of impl: rtl is the RTL's own: the counts are read back from its writes.
void add_rtl_regfile_counts(const golden::RankReduceParams& p, const rtl::RtlPairResult& res,
                            golden::FixedPairTrace& t) {
  const bool unbiased = p.mode == golden::RankReduceMode::kUnbiased;
  const int64_t q = p.rank + 1;
  auto w = [&res](int f) { return static_cast<int64_t>(res.regfile_writes[static_cast<size_t>(f)]); };
  if (!t.zero_input)  // (a zero-input pair writes no file: checked below like any other)
    t.gs_coefficients = static_cast<int>(w(hw::kRfCf) - (2 - t.vanished_left - t.vanished_right));
  if (!t.zero_input && !t.skipped_kappa) {
    t.jacobi_rotations = static_cast<int>((w(hw::kRfJu) - q * q) / (2 * q));
    t.max_updates = w(hw::kRfBc);
    t.mix_dry = unbiased && w(hw::kRfJa) == q * q + 4 * q * t.jacobi_rotations;
  }
  std::string mismatch;
  try {
    const hw::RrUnitPairCost want =
        hw::rr_unit_pair_cost(p.rank, unbiased, p.n_o, p.n_i, hw::rr_pair_outcome(t));
    for (int f = 0; f < hw::kRrRegfiles; ++f)
      if (want.regfile_writes[static_cast<size_t>(f)] != res.regfile_writes[static_cast<size_t>(f)])
        mismatch += std::string(mismatch.empty() ? "" : ", ") + hw::rr_regfile_name(f) + " " +
                    std::to_string(res.regfile_writes[static_cast<size_t>(f)]) + " (closed form " +
                    std::to_string(want.regfile_writes[static_cast<size_t>(f)]) + ")";
  } catch (const std::invalid_argument& e) {
    mismatch = e.what();
  }
  if (!mismatch.empty())
    throw RunError("rank reduce (rtl): pair " + std::to_string(t.pair_index) +
                   ": the unit's register-file writes do not follow the closed form: " + mismatch);
}

RtlRankReduceImpl::RtlRankReduceImpl(const golden::RankReduceParams& params)
    : params_(params), mirror_(params) {
  rtl::RtlUnitConfig cfg;
  cfg.rank = params.rank;
  cfg.n_o = params.n_o;
  cfg.n_i = params.n_i;
  cfg.unbiased = params.mode == golden::RankReduceMode::kUnbiased;
  cfg.kappa_code = mirror_.kappa_code();
  cfg.seed = static_cast<uint32_t>(params.seed);
  rtl_ =
      std::make_unique<rtl::RankReduceRtl>(("rr_unit_rtl_" + std::to_string(next_instance())).c_str(), cfg);
  held_ = RankReduceState::zero(params);
}

RtlRankReduceImpl::~RtlRankReduceImpl() = default;

uint64_t RtlRankReduceImpl::cycles() const { return rtl_->total_cycles(); }

void RtlRankReduceImpl::run_on_clock(const sc_core::sc_time& period) {
  rtl_->set_clock_period(period);
  clocked_ = true;
}

void RtlRankReduceImpl::step(RankReduceState& state, const RankReducePair& pair) {
  if (std::abs(pair.dz_exp) > golden::RankReduceFixed::kMaxInputExponent ||
      std::abs(pair.a_exp) > golden::RankReduceFixed::kMaxInputExponent)
    throw std::invalid_argument("rank reduce (rtl): input exponent beyond +-2047");
  const bool zero = is_zero_input(params_, pair);
  rtl::RtlSram& m = rtl_->sram();
  const int q = params_.rank + 1;
  if (!zero) {  // what the unit loaded (column r is output only; copied as it is)
    m.q[0] = state.q_left;
    m.q[1] = state.q_right;
    for (int j = 0; j < q; ++j) {
      m.exps[0][j] = state.exp_left[static_cast<size_t>(j)];
      m.exps[1][j] = state.exp_right[static_cast<size_t>(j)];
      m.cx[j] = state.cx[static_cast<size_t>(j)];
    }
    m.cx_exp = state.cx_exp;
  }
  const rtl::RtlPairResult res = rtl_->run_pair(pair.dz, pair.dz_exp, pair.a, pair.a_exp);
  pair_cycles_ += res.cycles;
  trace_ = golden::FixedPairTrace{};
  trace_.pair_index = stats_.pairs;
  trace_.zero_input = res.zero_input;
  trace_.vanished_left = res.vanished_left;
  trace_.vanished_right = res.vanished_right;
  trace_.skipped_kappa = res.skipped_kappa;
  trace_.kept = res.kept;
  trace_.sign_word = res.sign_word;
  trace_.c_exponent = res.c_exponent;
  add_rtl_regfile_counts(params_, res, trace_);
  ++stats_.pairs;
  if (res.zero_input || res.vanished_left || res.vanished_right) ++stats_.degenerate;
  if (res.skipped_kappa) ++stats_.skipped_kappa;
  saturations_ += res.saturations;
  if (!zero) {
    state.q_left = m.q[0];
    state.q_right = m.q[1];
    for (int j = 0; j < q; ++j) {
      state.exp_left[static_cast<size_t>(j)] = m.exps[0][j];
      state.exp_right[static_cast<size_t>(j)] = m.exps[1][j];
      state.cx[static_cast<size_t>(j)] = m.cx[j];
    }
    state.cx_exp = m.cx_exp;
    held_ = state;
  }
  mirror_stale_ = true;
}

void RtlRankReduceImpl::reset() {
  held_ = RankReduceState::zero(params_);
  trace_ = golden::FixedPairTrace{};
  mirror_stale_ = true;
}

void RtlRankReduceImpl::set_state(const golden::RankReduceFixedState& s) {
  mirror_.set_state(s);  // validates the sizes
  held_ = RankReduceState::zero(params_);
  held_.q_left = s.left_codes;
  held_.q_right = s.right_codes;
  const auto q = static_cast<size_t>(params_.rank + 1);
  for (size_t j = 0; j < q; ++j) {
    held_.exp_left[j] = static_cast<int16_t>(s.left_exps[j]);
    held_.exp_right[j] = static_cast<int16_t>(s.right_exps[j]);
  }
  held_.cx = s.cx_codes;
  held_.cx_exp = static_cast<int16_t>(s.cx_exponent);
  stats_ = s.stats;
  trace_ = s.last_pair;
  saturations_ = s.saturations;
  rtl_->set_pair_counter(static_cast<uint32_t>(s.stats.pairs));
  mirror_stale_ = false;
}

void RtlRankReduceImpl::sync_mirror() const {
  if (!mirror_stale_) return;
  golden::RankReduceFixedState s;
  s.left_codes = held_.q_left;
  s.right_codes = held_.q_right;
  s.left_exps.assign(held_.exp_left.begin(), held_.exp_left.end());
  s.right_exps.assign(held_.exp_right.begin(), held_.exp_right.end());
  const auto q = static_cast<size_t>(params_.rank + 1);
  auto max_abs = [q](const std::vector<int16_t>& codes, size_t n) {
    std::vector<uint16_t> out(q, 0);
    for (size_t j = 0; j < q; ++j)
      for (size_t i = 0; i < n; ++i)
        out[j] = std::max<uint16_t>(out[j], static_cast<uint16_t>(std::abs(int{codes[j * n + i]})));
    return out;
  };
  s.left_max = max_abs(held_.q_left, static_cast<size_t>(params_.n_o));
  s.right_max = max_abs(held_.q_right, static_cast<size_t>(params_.n_i));
  s.cx_codes = held_.cx;
  s.cx_exponent = held_.cx_exp;
  s.stats = stats_;
  s.last_pair = trace_;
  s.saturations = saturations_;
  mirror_.set_state(s);
  mirror_stale_ = false;
}

void RtlRankReduceImpl::factors(Matrix<double>& L, Matrix<double>& R) const {
  sync_mirror();
  mirror_.factors(L, R);
}

const golden::RankReduceFixed* RtlRankReduceImpl::golden_model() const {
  sync_mirror();
  return &mirror_;
}

}  // namespace lrt::tlm
