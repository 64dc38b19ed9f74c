#include "golden/training/lrt_accumulator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/fixed_point.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "golden/training/kernels.h"

namespace lrt::golden {

namespace {

void check_params(const LrtAccumulatorParams& p) {
  if (p.batch < 1) throw std::invalid_argument("LRT accumulator: batch must be >= 1");
  if (!std::isfinite(p.learning_rate)) throw std::invalid_argument("LRT accumulator: learning_rate must be finite");
  if (!(p.gradient_scale > 0.0 && std::isfinite(p.gradient_scale)))
    throw std::invalid_argument("LRT accumulator: gradient_scale must be finite and > 0");
  if (!std::isfinite(p.batch_exponent)) throw std::invalid_argument("LRT accumulator: batch_exponent must be finite");
  if (!(p.rho_min >= 0.0 && p.rho_min <= 1.0)) throw std::invalid_argument("LRT accumulator: rho_min must be in [0, 1]");
  if (!(p.weight_lsb > 0.0 && std::isfinite(p.weight_lsb)))
    throw std::invalid_argument("LRT accumulator: weight_lsb must be finite and > 0");
  if (p.code_min > p.code_max) throw std::invalid_argument("LRT accumulator: code_min > code_max");
  if (p.max_batch_multiple < 0)
    throw std::invalid_argument("LRT accumulator: max_batch_multiple must be >= 0");
}

}  // namespace

int32_t round_half_up_saturating(double x) {
  if (std::isnan(x)) throw std::domain_error("round_half_up_saturating: NaN");
  constexpr double kMax = 2147483647.0;   // 2^31 - 1
  constexpr double kMin = -2147483648.0;  // -2^31
  if (x >= kMax) return std::numeric_limits<int32_t>::max();
  if (x < kMin) return std::numeric_limits<int32_t>::min();  // [-2^31 - 0.5, -2^31) also rounds to -2^31
  return static_cast<int32_t>(fx::round_half_up(x));
}

LrtAccumulator::LrtAccumulator(const LrtAccumulatorParams& params)
    : params_(params),
      reducer_(make_rank_reducer(params.reducer, params.arith)),
      delta_(static_cast<std::size_t>(params.reducer.n_o), static_cast<std::size_t>(params.reducer.n_i), 0),
      norms_(params.max_norm, 2, params.max_norm_spec.beta, params.max_norm_spec.eps) {
  check_params(params);
}

void LrtAccumulator::set_progress(int64_t samples_since_update, const Matrix<int32_t>& last_update_codes) {
  if (samples_since_update < 0) throw std::invalid_argument("LRT accumulator: negative sample count");
  if (last_update_codes.rows() != delta_.rows() || last_update_codes.cols() != delta_.cols())
    throw std::invalid_argument("LRT accumulator: update codes of another shape");
  samples_since_update_ = samples_since_update;
  delta_ = last_update_codes;
}

void LrtAccumulator::set_max_batch_multiple(int k) {
  if (k < 0) throw std::invalid_argument("LRT accumulator: max_batch_multiple must be >= 0");
  params_.max_batch_multiple = k;
}

void LrtAccumulator::offer(const double* dz, const double* a) { reducer_->step(dz, a); }

void LrtAccumulator::offer_codes(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac) {
  if (reducer_->step_integer(dz, dz_frac, a, a_frac)) return;
  const RankReduceParams& p = reducer_->params();
  dz_.resize(static_cast<size_t>(p.n_o));
  a_.resize(static_cast<size_t>(p.n_i));
  const double dz_lsb = std::ldexp(1.0, -dz_frac), a_lsb = std::ldexp(1.0, -a_frac);
  for (int o = 0; o < p.n_o; ++o) dz_[static_cast<size_t>(o)] = dz[o] * dz_lsb;
  for (int k = 0; k < p.n_i; ++k) a_[static_cast<size_t>(k)] = a[k] * a_lsb;
  reducer_->step(dz_.data(), a_.data());
}

bool LrtAccumulator::integer_product(MacKernels* kernels) {
  const FixedFactor& l = left_factor_;
  const FixedFactor& r = right_factor_;
  // The codes' products (< 2^30) and their sums over the rank (< 2^33) times 2^e are exact
  // doubles for -1074 <= e <= 1023 - 34, so within that range ldexp(sum, e) is bit for bit the
  // double loop's sum of left(i, k) right(j, k); outside it the double loop decides.
  const int exponent = l.exponent + r.exponent;
  if (exponent < -1074 || exponent > 1023 - 34) return false;
  factor_exponent_ = exponent;
  const int rank = l.cols, no = l.rows, ni = r.rows;
  // FixedFactor is column-major; the MAC job takes rows.
  auto rows_of = [rank](const FixedFactor& f, std::vector<int16_t>& out) {
    out.resize(static_cast<size_t>(f.rows) * static_cast<size_t>(rank));
    for (int i = 0; i < f.rows; ++i)
      for (int t = 0; t < rank; ++t)
        out[static_cast<size_t>(i) * rank + t] = f.codes[static_cast<size_t>(t) * f.rows + i];
  };
  rows_of(l, left_codes_);
  rows_of(r, right_codes_);
  product_.resize(static_cast<size_t>(no) * static_cast<size_t>(ni));
  const MacOperandBits bits{16, 16};  // the factor codes' width (FixedFactor: int16)
  if (kernels != nullptr)
    kernels->factor_product(bits, no, ni, rank, left_codes_.data(), right_codes_.data(), product_.data());
  else
    kern::gemm_nt_wide(no, ni, rank, left_codes_.data(), right_codes_.data(), product_.data());
  return true;
}

LrtUpdateResult LrtAccumulator::end_sample(Matrix<int32_t>& weight_codes, MacKernels* kernels) {
  const std::size_t no = delta_.rows();
  const std::size_t ni = delta_.cols();
  if (weight_codes.rows() != no || weight_codes.cols() != ni)
    throw std::invalid_argument("LRT accumulator: weight codes are " + std::to_string(weight_codes.rows()) + "x" +
                                std::to_string(weight_codes.cols()) + ", expected " + std::to_string(no) + "x" +
                                std::to_string(ni));
  LrtUpdateResult result;
  ++samples_since_update_;
  if (samples_since_update_ % params_.batch != 0) return result;

  result.attempted = true;
  result.batch_eff = samples_since_update_;
  const double b_eff = static_cast<double>(samples_since_update_);
  // -eta * B_eff^p * g * estimate (sum) or that / B_eff (mean); see the header comment.
  double scale = -params_.learning_rate * std::pow(b_eff, params_.batch_exponent) * params_.gradient_scale;
  if (!params_.sum_update) scale /= b_eff;
  // The factors: with a fixed-point model its codes, once, and their exact values; else the
  // reducer's doubles.
  const RankReduceFixed* fixed = reducer_->fixed_model();
  if (fixed != nullptr) {
    left_factor_ = fixed->factor_codes(RankReduceSide::kLeft);
    right_factor_ = fixed->factor_codes(RankReduceSide::kRight);
    factor_values(left_factor_, left_);
    factor_values(right_factor_, right_);
  } else {
    reducer_->factors(left_, right_);
  }
  if (norms_.on())
    scale /= norms_.divisor(0, params_.gradient_scale * max_abs_value(left_.data(), left_.rows() * left_.cols())) *
             norms_.divisor(1, max_abs_value(right_.data(), right_.rows() * right_.cols()));
  const std::size_t r = left_.cols();
  if (fixed != nullptr && integer_product(kernels)) {  // L R^T from the codes, on the MAC jobs' kernels
    // The sums times 2^e are exact doubles in integer_product's exponent range, so a product
    // with the power of two is ldexp's value without its call; a division by a power-of-two LSB
    // is exact, so it is the product with the reciprocal (both correctly rounded the same way
    // where the result is subnormal or overflows).
    const double unit = std::ldexp(1.0, factor_exponent_);
    int lsb_exponent = 0;
    const bool lsb_pow2 = std::frexp(params_.weight_lsb, &lsb_exponent) == 0.5 && lsb_exponent - 1 > -1022 &&
                          lsb_exponent - 1 < 1023;
    const double inv_lsb = 1.0 / params_.weight_lsb;
    for (std::size_t j = 0; j < ni; ++j)
      for (std::size_t i = 0; i < no; ++i) {
        const double s = static_cast<double>(product_[i * ni + j]) * unit;
        const double x = scale * s;
        const int32_t code = round_half_up_saturating(lsb_pow2 ? x * inv_lsb : x / params_.weight_lsb);
        delta_(i, j) = code;
        result.nonzero += code != 0;
      }
  } else {
    for (std::size_t j = 0; j < ni; ++j)
      for (std::size_t i = 0; i < no; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < r; ++k) s += left_(i, k) * right_(j, k);
        const int32_t code = round_half_up_saturating(scale * s / params_.weight_lsb);
        delta_(i, j) = code;
        result.nonzero += code != 0;
      }
  }
  result.density = static_cast<double>(result.nonzero) / (static_cast<double>(no) * static_cast<double>(ni));
  if (result.density < params_.rho_min) {
    // Keep accumulating (B_eff grows by B) unless B_eff has reached K B: then restart.
    const int64_t cap = static_cast<int64_t>(params_.max_batch_multiple) * params_.batch;
    if (cap > 0 && samples_since_update_ >= cap) {
      reducer_->reset();
      samples_since_update_ = 0;
      result.restarted = true;
    }
    return result;
  }

  for (std::size_t j = 0; j < ni; ++j)
    for (std::size_t i = 0; i < no; ++i) {
      const int64_t sum = static_cast<int64_t>(weight_codes(i, j)) + delta_(i, j);
      const auto w = static_cast<int32_t>(std::clamp<int64_t>(sum, params_.code_min, params_.code_max));
      result.changed += w != weight_codes(i, j);
      weight_codes(i, j) = w;
    }
  result.applied = true;
  reducer_->reset();
  samples_since_update_ = 0;
  return result;
}

void LrtAccumulator::replace_reducer(std::unique_ptr<RankReducer> reducer) {
  if (reducer == nullptr) throw std::invalid_argument("LrtAccumulator: null rank reducer");
  const RankReduceParams& a = reducer->params();
  const RankReduceParams& b = reducer_->params();
  if (a.n_o != b.n_o || a.n_i != b.n_i || a.rank != b.rank || a.mode != b.mode || a.kappa_th != b.kappa_th ||
      a.seed != b.seed)
    throw std::invalid_argument("LrtAccumulator: the replacement rank reducer has other parameters");
  reducer_ = std::move(reducer);
}

}  // namespace lrt::golden
