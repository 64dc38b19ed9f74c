#include "golden/training/streaming_bn.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "golden/training/lrt_accumulator.h"
#include "golden/training/mac_kernels.h"
#include "golden/training/quant_flow.h"

namespace lrt::golden {
namespace {

__extension__ typedef __int128 i128;

// round(num / den) to nearest, ties toward +inf; den > 0.
i128 round_div(i128 num, i128 den) {
  const i128 t = 2 * num + den;
  const i128 q = t / (2 * den);
  return (t % (2 * den) != 0 && t < 0) ? q - 1 : q;  // C++ division truncates; we want floor
}

// round(v * 2^-shift), ties toward +inf, on 128 bits; shift >= 0.
i128 round_shift128(i128 v, int shift) {
  if (shift == 0) return v;
  return (v + (static_cast<i128>(1) << (shift - 1))) >> shift;
}

// v * 2^k without shifting a negative number (undefined before C++20).
i128 shl(i128 v, int k) { return v * (static_cast<i128>(1) << k); }

int64_t clamp64(i128 v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : static_cast<int64_t>(v));
}

}  // namespace

uint64_t isqrt_floor(uint64_t v) {
  uint64_t root = 0;
  uint64_t bit = uint64_t{1} << 62;
  while (bit > v) bit >>= 2;
  while (bit != 0) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

uint64_t isqrt_round(uint64_t v) {
  const uint64_t r = isqrt_floor(v);
  // (r + 1/2)^2 = r^2 + r + 1/4 is never an integer, so v rounds up iff v - r^2 > r.
  return v - r * r > r ? r + 1 : r;
}

StreamingBn::StreamingBn(const TensorShape& shape, const fx::Format& in, const fx::Format& param,
                         const fx::Format& out, int batch, double eps, const StreamingBnOptions& options)
    : shape_(shape),
      in_(in),
      param_(param),
      out_(out),
      batch_(batch),
      bias_correction_(options.bias_correction),
      scale_only_(options.backward_scale_only),
      affine_norms_(options.affine_norm.has_value(), 2, options.affine_norm ? options.affine_norm->beta() : 0.0,
                    options.affine_norm ? options.affine_norm->eps() : 0.0) {
  if (batch < 1) throw std::invalid_argument("streaming BN: batch must be >= 1");
  if (!(eps >= 1e-6 && eps <= 1.0)) throw std::invalid_argument("streaming BN: eps must be in [1e-6, 1]");
  if (in.frac_bits < 0 || in.frac_bits > 12 || in.bits > 16)
    throw std::invalid_argument("streaming BN: input format " + in.to_string() + " not supported");
  if (param.frac_bits < 1 || param.frac_bits > 24)
    throw std::invalid_argument("streaming BN: parameter format " + param.to_string() + " not supported");
  eps_code_ =
      fx::quantize(eps, fx::Format::with_frac(32, false, kStatFrac), fx::Rounding::kNearest, 0, nullptr);
  const int c = shape.c;
  const int64_t one_param = int64_t{1} << param.frac_bits;
  if (one_param > param.max_code()) throw std::invalid_argument("streaming BN: Qb cannot hold gamma = 1");
  state_.gamma.assign(c, static_cast<int32_t>(one_param));
  state_.beta.assign(c, 0);
  state_.mu.assign(c, 0);
  state_.sq.assign(c, int64_t{1} << kStatFrac);
  inv_sigma_.assign(c, 0);
  var_clamped_.assign(c, 0);
  xhat_.assign(shape.size(), 0);
  y_clipped_.assign(shape.size(), 0);
  dgamma_.assign(c, 0);
  dbeta_.assign(c, 0);
  normalize_.resize(static_cast<size_t>(c));
  backward_.resize(static_cast<size_t>(c));
}

void StreamingBn::set_state(const BnState& s) {
  const size_t c = static_cast<size_t>(shape_.c);
  if (s.gamma.size() != c || s.beta.size() != c || s.mu.size() != c || s.sq.size() != c)
    throw std::invalid_argument("streaming BN: state sizes do not match the channel count");
  state_ = s;
}

void StreamingBn::forward(const int16_t* x, bool absorb, int16_t* y) {
  const int c = shape_.c;
  const int64_t n = static_cast<int64_t>(shape_.h) * shape_.w;
  const int fin = in_.frac_bits;  // in [0, 12]
  absorbed_ = absorb;
  // The EMA step divides by d = B (plain) or d_k = B (1 - eta^k) (bias-corrected), held with
  // kGainFrac fractional bits; round_div(x 2^16, B 2^16) = round_div(x, B) exactly, so a
  // corrected EMA whose eta^k has vanished is the plain one bit for bit.
  constexpr int kGainFrac = 16;
  int64_t divisor = int64_t{batch_} << kGainFrac;
  if (absorb) {
    ++state_.steps;
    if (bias_correction_) {
      const double eta = 1.0 - 1.0 / batch_;
      const double d = batch_ * (1.0 - std::pow(eta, static_cast<double>(state_.steps)));
      divisor = std::max<int64_t>(1, static_cast<int64_t>(std::llround(std::ldexp(d, kGainFrac))));
    }
  }
  for (int ch = 0; ch < c; ++ch) {
    if (absorb) {
      int64_t s1 = 0, s2 = 0;  // |x| < 2^15, n < 2^24: |s1| < 2^39, s2 < 2^54
      for (int64_t p = 0; p < n; ++p) {
        const int64_t v = x[p * c + ch];
        s1 += v;
        s2 += v * v;
      }
      // Per-sample mean and mean square in kStatFrac, then the EMA step
      // mu += (mu_i - mu) / B, i.e. mu = eta mu + (1 - eta) mu_i with eta = 1 - 1/B.
      const i128 mu_i = round_div(shl(s1, kStatFrac - fin), n);
      const int e2 = kStatFrac - 2 * fin;  // may be negative for fin > 12 (excluded)
      const i128 sq_i = round_div(shl(s2, e2), n);
      state_.mu[ch] += static_cast<int64_t>(round_div(shl(mu_i - state_.mu[ch], kGainFrac), divisor));
      state_.sq[ch] += static_cast<int64_t>(round_div(shl(sq_i - state_.sq[ch], kGainFrac), divisor));
    }
    const int64_t mu = state_.mu[ch];
    const i128 var = static_cast<i128>(state_.sq[ch]) - round_shift128(static_cast<i128>(mu) * mu, kStatFrac);
    var_clamped_[ch] = var <= 0;
    const i128 v = (var > 0 ? var : 0) + eps_code_;
    // sigma with kNormFrac bits: sqrt(v * 2^(2 kNormFrac - kStatFrac)).
    const uint64_t sigma = isqrt_round(static_cast<uint64_t>(shl(v, 2 * kNormFrac - kStatFrac)));
    // eps >= 1e-6 gives eps_code >= 17, sigma >= 66: the reciprocal is < 2^26.
    const int64_t inv = static_cast<int64_t>(round_div(static_cast<i128>(1) << (2 * kNormFrac), sigma));
    inv_sigma_[ch] = inv;
    normalize_[static_cast<size_t>(ch)] = {mu, inv, state_.gamma[ch],
                                           static_cast<int64_t>(state_.beta[ch]) * (int64_t{1} << kNormFrac)};
  }
  const ShiftQuantizer yq = ShiftQuantizer::make(param_.frac_bits + kNormFrac, out_);
  if (kernels_ != nullptr)
    kernels_->bn_forward(shape_, x, kStatFrac - fin, normalize_.data(), yq, xhat_.data(), y, y_clipped_.data());
  else
    bn_normalize(shape_, x, kStatFrac - fin, normalize_.data(), yq, xhat_.data(), y, y_clipped_.data());
}

void bn_normalize(const TensorShape& shape, const int16_t* x, int shift_in, const BnNormalizeChannel* channels,
                  const ShiftQuantizer& yq, int32_t* xhat, int16_t* y, uint8_t* clipped) {
  constexpr int kStatFrac = StreamingBn::kStatFrac;
  const int c = shape.c;
  const int64_t n = static_cast<int64_t>(shape.h) * shape.w;
  for (int ch = 0; ch < c; ++ch) {
    const BnNormalizeChannel& k = channels[ch];
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = p * c + ch;
      const i128 centered = shl(x[i], shift_in) - k.mu;
      const int64_t xh = clamp64(round_shift128(centered * k.inv_sigma, kStatFrac),
                                 std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      xhat[i] = static_cast<int32_t>(xh);
      bool clip = false;
      // |gamma| <= 2^15 and |xhat| < 2^31: the sum fits int64.
      y[i] = static_cast<int16_t>(yq(k.gamma * xh + k.beta_aligned, &clip));
      clipped[i] = clip;
    }
  }
}

void StreamingBn::backward(const int16_t* dy, int16_t* dx) {
  for (int ch = 0; ch < shape_.c; ++ch)
    backward_[static_cast<size_t>(ch)] = {state_.gamma[ch], inv_sigma_[ch], var_clamped_[ch]};
  const BnBackwardSpec spec{absorbed_ && !scale_only_, batch_, param_.frac_bits, param_.min_code(),
                            param_.max_code()};
  if (kernels_ != nullptr)
    kernels_->bn_backward(shape_, dy, y_clipped_.data(), xhat_.data(), backward_.data(), spec, dx, dgamma_.data(),
                          dbeta_.data());
  else
    bn_backward(shape_, dy, y_clipped_.data(), xhat_.data(), backward_.data(), spec, dx, dgamma_.data(),
                dbeta_.data());
}

void bn_backward(const TensorShape& shape, const int16_t* dy, const uint8_t* clipped, const int32_t* xhat,
                 const BnBackwardChannel* channels, const BnBackwardSpec& spec, int16_t* dx, int64_t* dgamma,
                 int64_t* dbeta) {
  // dL/dx_k = gamma / sigma (g_k - c sum g - c xhat_k sum g xhat), c = (1 - eta) / n = 1 / (B n)
  // when the forward absorbed the sample (else c = 0); derivation in float_layers.cpp.
  constexpr int kNormFrac = StreamingBn::kNormFrac;
  const int c = shape.c;
  const int64_t n = static_cast<int64_t>(shape.h) * shape.w;
  const int fb = spec.param_frac;
  const i128 bn = static_cast<i128>(spec.batch) * n;
  for (int ch = 0; ch < c; ++ch) {
    i128 sg = 0, sgx = 0;
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = p * c + ch;
      const int64_t g = clipped[i] ? 0 : dy[i];  // clipped STE
      sg += g;
      sgx += static_cast<i128>(g) * xhat[i];
    }
    dbeta[ch] = clamp64(sg, INT64_MIN / 2, INT64_MAX / 2);
    dgamma[ch] = clamp64(sgx, INT64_MIN / 2, INT64_MAX / 2);
    if (dx == nullptr) continue;
    // m1 = c sum g and m2 = c sum g xhat, both with fb + kNormFrac fractional bits.
    const BnBackwardChannel& k = channels[ch];
    const i128 m1 = spec.through_stats ? round_div(shl(sg, kNormFrac), bn) : 0;
    const i128 m2 = (spec.through_stats && !k.var_clamped) ? round_div(sgx, bn) : 0;
    // A = gamma / sigma with fb + kNormFrac fractional bits.
    const i128 a = static_cast<i128>(k.gamma) * k.inv_sigma;
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = p * c + ch;
      const int64_t g = clipped[i] ? 0 : dy[i];
      const i128 t = shl(g, kNormFrac) - m1 - round_shift128(m2 * xhat[i], kNormFrac);
      // a * t has 2 fb + 2 kNormFrac fractional bits; Qb has fb.
      const i128 r = round_shift128(a * t, fb + 2 * kNormFrac);
      dx[i] = static_cast<int16_t>(clamp64(r, spec.dx_min, spec.dx_max));
    }
  }
}

void StreamingBn::update_affine(double lr) {
  // dgamma has fb + kNormFrac fractional bits and dbeta fb, so the Qb-LSB updates are
  // round(-lr * 2^-kNormFrac * dgamma) and round(-lr * dbeta): one double multiply each
  // (exact operands below 2^53), rounded half up like every parameter update.
  double gamma_scale = -lr * std::ldexp(1.0, -kNormFrac);
  double beta_scale = -lr;
  if (affine_norms_.on()) {  // the authors' MN_dg, MN_db over the channel vectors (real values)
    int64_t gm = 0, bm = 0;
    for (int ch = 0; ch < shape_.c; ++ch) {
      gm = std::max(gm, dgamma_[ch] < 0 ? -dgamma_[ch] : dgamma_[ch]);
      bm = std::max(bm, dbeta_[ch] < 0 ? -dbeta_[ch] : dbeta_[ch]);
    }
    gamma_scale /= affine_norms_.divisor(0, std::ldexp(static_cast<double>(gm), -param_.frac_bits - kNormFrac));
    beta_scale /= affine_norms_.divisor(1, std::ldexp(static_cast<double>(bm), -param_.frac_bits));
  }
  for (int ch = 0; ch < shape_.c; ++ch) {
    const int64_t dg = round_half_up_saturating(gamma_scale * static_cast<double>(dgamma_[ch]));
    const int64_t db = round_half_up_saturating(beta_scale * static_cast<double>(dbeta_[ch]));
    state_.gamma[ch] =
        static_cast<int32_t>(saturate(dg + state_.gamma[ch], param_.min_code(), param_.max_code()));
    state_.beta[ch] =
        static_cast<int32_t>(saturate(db + state_.beta[ch], param_.min_code(), param_.max_code()));
  }
}

}  // namespace lrt::golden
