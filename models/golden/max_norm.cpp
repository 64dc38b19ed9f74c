#include "golden/max_norm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "golden/quant_flow.h"

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
  int32_t max_code = 0;
  for (int64_t i = 0; i < n; ++i) max_code = std::max(max_code, std::abs(static_cast<int32_t>(x[i])));
  last_divisor_ = observe(fx::to_double(max_code, src));
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

}  // namespace lrt::golden
