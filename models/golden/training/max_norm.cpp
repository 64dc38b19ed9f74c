#include "golden/training/max_norm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "golden/training/quant_flow.h"

namespace lrt::golden {

MaxNorm::MaxNorm(double beta, double eps) : beta_(beta), eps_(eps) {
  if (!(beta >= 0.0 && beta < 1.0)) throw std::invalid_argument("max-norm beta must be in [0, 1)");
  if (!(eps >= 1e-6 && eps <= 1.0)) throw std::invalid_argument("max-norm eps must be in [1e-6, 1]");
  state_.x_mv = eps;
}

double MaxNorm::observe(double max_abs) {
  state_.k += 1;
  state_.beta_pow_k *= beta_;
  const double x_max = max_abs + eps_;
  state_.x_mv = beta_ * state_.x_mv + (1.0 - beta_) * x_max;
  const double x_mv_corrected = state_.x_mv / (1.0 - state_.beta_pow_k);
  return std::max(x_max, x_mv_corrected);
}

int64_t MaxNorm::observe_multiplier(const int16_t* x, int64_t n, const fx::Format& src) {
  last_divisor_ = observe(fx::to_double(max_abs_code(x, n), src));
  // d >= eps >= 1e-6, so m < 2^24 * 2^20 = 2^44 and |x * m| < 2^15 * 2^44 < 2^61.
  const double m_real = std::ldexp(1.0, kScaleFrac) / last_divisor_;
  return static_cast<int64_t>(std::floor(m_real + 0.5));
}

double MaxNorm::normalize_to(const int16_t* x, int64_t n, const fx::Format& src, const fx::Format& dst,
                             int16_t* out) {
  const int64_t m = observe_multiplier(x, n, src);
  const ShiftQuantizer q = ShiftQuantizer::make(kScaleFrac + src.frac_bits, dst);
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(q(static_cast<int64_t>(x[i]) * m));
  return last_divisor_;
}

MaxNormSet::MaxNormSet(bool on, size_t count, double beta, double eps) {
  if (on)
    for (size_t i = 0; i < count; ++i) norms_.emplace_back(beta, eps);
}

std::vector<MaxNormState> MaxNormSet::states() const {
  std::vector<MaxNormState> out;
  for (const MaxNorm& m : norms_) out.push_back(m.state());
  return out;
}

void MaxNormSet::set_states(const std::vector<MaxNormState>& states) {
  if (states.size() != norms_.size()) throw std::invalid_argument("max-norm: states of another count");
  for (size_t i = 0; i < norms_.size(); ++i) norms_[i].set_state(states[i]);
}

int32_t max_abs_code(const int16_t* x, int64_t n) {
  int32_t m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::abs(static_cast<int32_t>(x[i])));
  return m;
}

double max_abs_value(const double* x, size_t n) {
  double m = 0.0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(x[i]));
  return m;
}

}  // namespace lrt::golden
