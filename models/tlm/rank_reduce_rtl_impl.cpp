#include "tlm/rank_reduce_rtl_impl.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "sc/rank_reduce_rtl.h"

namespace lrt::tlm {

namespace {

int next_instance() {
  static int count = 0;  // module names must be unique; one host thread builds the model
  return count++;
}

}  // namespace

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
