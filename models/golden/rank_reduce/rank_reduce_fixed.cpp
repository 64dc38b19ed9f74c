#include "golden/rank_reduce/rank_reduce_fixed.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "golden/rank_reduce/fixed_kernels.h"
#include "golden/rank_reduce/fixed_math.h"
#include "golden/rank_reduce/jacobi_fixed.h"
#include "golden/rank_reduce/sign_generator.h"

namespace lrt::golden {

namespace {

using fixmath::bit_length;
using fixmath::magnitude;
using fixmath::shift_round;

constexpr int kQBits = 15;                        // basis, input and factor codes: |code| <= 2^15 - 1
constexpr int kCoeffBits = 30;                    // Gram-Schmidt coefficients and the c_L, c_R blocks
constexpr int kCoreBits = kJacobiFixedInputBits;  // core matrix C: |code| <= 2^26 - 1
constexpr int kCxBits = 31;                       // weights c_x: unsigned, code <= 2^31 - 1
constexpr int kNormBits = 24;                     // the residual is normalized to max |v| in [2^23, 2^24]
constexpr int kQ30 = fixmath::kTrigFracBits;
constexpr int64_t kOne30 = int64_t{1} << kQ30;
constexpr int kMaxStateExponent = 32767;  // exponent registers are 16-bit signed

int64_t limit_of(int b) { return (int64_t{1} << b) - 1; }

/// The smallest block exponent at which every segment's max magnitude fits in b bits.
int fit_exponent(const uint64_t* max_mag, const int* exps, int segments, int b) {
  const int e = fixmath::block_exponent_candidate(max_mag, exps, segments, b);
  for (int j = 0; j < segments; ++j)
    if (max_mag[j] != 0 && shift_round(static_cast<int64_t>(max_mag[j]), e - exps[j]) > limit_of(b))
      return e + 1;
  return e;
}

/// Requantizes n values p_i * 2^e_p to 16-bit codes sharing the smallest fitting exponent;
/// `big` is max_i |p_i|.
int quantize_column(const int64_t* p, int n, int e_p, uint64_t big, int16_t* out, uint16_t& max_abs) {
  if (big == 0) {
    std::fill(out, out + n, int16_t{0});
    max_abs = 0;
    return 0;
  }
  const int e = fit_exponent(&big, &e_p, 1, kQBits);
  const int s = e - e_p;
  if (s >= 1 && s <= 62 && big < (uint64_t{1} << 62)) {  // the common case, without per-element checks
    max_abs = fixkern::round_to_codes(p, s, out, n);
    return e;
  }
  int64_t top = 0;
  for (int i = 0; i < n; ++i) {
    const int64_t c = shift_round(p[i], s);
    top = std::max(top, c < 0 ? -c : c);
    out[i] = static_cast<int16_t>(c);
  }
  max_abs = static_cast<uint16_t>(top);
  return e;
}

/// a * 2^ea <= b * 2^eb for unsigned a, b < 2^63, exactly.
bool scaled_le(uint64_t a, int ea, uint64_t b, int eb) {
  if (a == 0) return true;
  if (b == 0) return false;
  const int la = bit_length(a);
  const int lb = bit_length(b);
  if (la + ea != lb + eb) return la + ea < lb + eb;
  const int l = std::max(la, lb);  // equal magnitudes: align both to l bits, same exponent
  return (a << (l - la)) <= (b << (l - lb));
}

void check_params(const RankReduceParams& p) {
  if (p.n_o < 1 || p.n_i < 1 || p.n_o > RankReduceFixed::kMaxLength || p.n_i > RankReduceFixed::kMaxLength)
    throw std::invalid_argument("rank reduce (fixed): n_o and n_i must lie in [1, 16384] (got " +
                                std::to_string(p.n_o) + ", " + std::to_string(p.n_i) + ")");
  if (p.rank < 1 || p.rank > RankReduceFixed::kMaxRank)
    throw std::invalid_argument("rank reduce (fixed): rank " + std::to_string(p.rank) + " outside [1, 8]");
  if (p.mode != RankReduceMode::kBiased && p.mode != RankReduceMode::kUnbiased)
    throw std::invalid_argument("rank reduce (fixed): unknown mode");
  const bool ok = p.kappa_th == 0.0 || (p.kappa_th >= 0x1p-8 && p.kappa_th <= 0x1p27);
  if (!ok) throw std::invalid_argument("rank reduce (fixed): kappa_th must be 0 or in [2^-8, 2^27]");
}

}  // namespace

int reduce_spectrum_fixed(RankReduceMode mode, int q, const int64_t* sigma, uint32_t sign_word, int64_t* qx,
                          int64_t* cx) {
  const int r = q - 1;
  std::fill(qx, qx + q * r, int64_t{0});
  std::fill(cx, cx + r, int64_t{0});
  auto keep = [&](int j) {
    qx[j * q + j] = kOne30;
    cx[j] = sigma[j];
  };
  if (mode == RankReduceMode::kBiased) {
    for (int j = 0; j < r; ++j) keep(j);
    return r;
  }
  if (mode != RankReduceMode::kUnbiased) throw std::invalid_argument("reduce_spectrum_fixed: unknown mode");
  // Exact integer sums (|sigma| < 2^30, q <= 9): suffix[i] = sigma_i + ... + sigma_{q-1}.
  int64_t suffix[kJacobiFixedMaxOrder + 1];
  suffix[q] = 0;
  for (int i = q - 1; i >= 0; --i) suffix[i] = sigma[i] + suffix[i + 1];
  int m0 = q - 2;  // always satisfies the test: sigma_{q-2} <= sigma_{q-2} + sigma_{q-1}
  for (int i = 0; i < q - 2; ++i)
    if ((q - 1 - i) * sigma[i] <= suffix[i]) {
      m0 = i;
      break;
    }
  const int k = q - 1 - m0;
  for (int j = 0; j < m0; ++j) keep(j);
  const int64_t s1 = suffix[m0];
  if (s1 == 0) {  // every mixed value is zero: nothing to mix, no division by zero
    for (int j = m0; j < r; ++j) keep(j);
    return m0;
  }
  // x0_j = sqrt(1 - k sigma_{m0+j} / s1) in Q2.30; the radicand (>= 0 by the choice of m0)
  // is a Q0.60 quotient from restoring division, the root an exact rounded square root.
  int64_t v[kJacobiFixedMaxOrder];
  for (int j = 0; j <= k; ++j) {
    const uint64_t num = static_cast<uint64_t>(s1 - k * sigma[m0 + j]);
    v[j] = static_cast<int64_t>(fixmath::isqrt_round(fixmath::div_round(num, static_cast<uint64_t>(s1), 60)));
  }
  // Householder H = I - v v^T / |v_0| with v = x0 - e_0 (|v|^2 = 2 |v_0| for a unit x0) maps
  // e_0 to x0; its columns 1..k are X. |v_0| >= 1 - 1/sqrt(2) since k sigma_m0 >= k s1 / (k+1).
  v[0] -= kOne30;
  const uint64_t v0_mag = magnitude(v[0]);
  if (v0_mag == 0) throw std::logic_error("reduce_spectrum_fixed: Householder pivot is zero");
  const int64_t inv_v0 = static_cast<int64_t>(fixmath::div_round(1, v0_mag, 2 * kQ30));  // 2^60 / |v_0|
  const int64_t mixed_weight = static_cast<int64_t>(fixmath::div_round(static_cast<uint64_t>(s1), k, 0));
  for (int c = 1; c <= k; ++c) {
    const int64_t g = shift_round(v[c] * inv_v0, kQ30);  // v_c / |v_0|, Q.30, < 3.5 * 2^30
    int64_t* col = qx + (m0 + c - 1) * q + m0;
    for (int i = 0; i <= k; ++i) {
      const int64_t h = (i == c ? kOne30 : 0) - shift_round(v[i] * g, kQ30);
      col[i] = ((sign_word >> i) & 1u) ? -h : h;
    }
    cx[m0 + c - 1] = mixed_weight;
  }
  return m0;
}

RankReduceFixed::RankReduceFixed(const RankReduceParams& params) : params_(params) {
  check_params(params);
  r_ = params.rank;
  q_ = r_ + 1;
  kappa_code_ = static_cast<uint64_t>(std::floor(params.kappa_th * (1 << kKappaFracBits) + 0.5));
  auto init = [this](Basis& b, int n) {
    b.n = n;
    b.codes.assign(static_cast<std::size_t>(n) * q_, 0);
    b.exps.assign(q_, 0);
    b.max_abs.assign(q_, 0);
  };
  init(left_, params.n_o);
  init(right_, params.n_i);
  cx_codes_.assign(q_, 0);
  const int n_max = std::max(params.n_o, params.n_i);
  work_.assign(n_max, 0);
  wide_.assign(static_cast<std::size_t>(n_max) * q_, 0);
  dz_codes_.assign(params.n_o, 0);
  a_codes_.assign(params.n_i, 0);
}

void RankReduceFixed::reset() {
  for (Basis* b : {&left_, &right_}) {
    std::fill(b->codes.begin(), b->codes.end(), int16_t{0});
    std::fill(b->exps.begin(), b->exps.end(), 0);
    std::fill(b->max_abs.begin(), b->max_abs.end(), uint16_t{0});
  }
  std::fill(cx_codes_.begin(), cx_codes_.end(), 0u);
  cx_exp_ = 0;
  trace_ = FixedPairTrace{};
}

RankReduceFixedState RankReduceFixed::state() const {
  RankReduceFixedState s;
  s.left_codes = left_.codes;
  s.right_codes = right_.codes;
  s.left_exps.assign(left_.exps.begin(), left_.exps.end());
  s.right_exps.assign(right_.exps.begin(), right_.exps.end());
  s.left_max = left_.max_abs;
  s.right_max = right_.max_abs;
  s.cx_codes = cx_codes_;
  s.cx_exponent = cx_exp_;
  s.stats = stats_;
  s.last_pair = trace_;
  s.saturations = saturations_;
  return s;
}

void RankReduceFixed::set_state(const RankReduceFixedState& s) {
  const auto q = static_cast<std::size_t>(q_);
  if (s.left_codes.size() != left_.codes.size() || s.right_codes.size() != right_.codes.size() ||
      s.left_exps.size() != q || s.right_exps.size() != q || s.left_max.size() != q || s.right_max.size() != q ||
      s.cx_codes.size() != q)
    throw std::invalid_argument("rank reduce (fixed): state of another shape");
  // Gram-Schmidt trusts max_abs as each column's largest |code| (a dead column, the bound that
  // rules out clamps): a state that says otherwise is refused.
  const auto check_max = [this](const std::vector<int16_t>& codes, const std::vector<uint16_t>& max_abs,
                                int n) {
    for (int j = 0; j < q_; ++j) {
      const auto first = codes.begin() + static_cast<std::ptrdiff_t>(j) * n;
      uint64_t big = 0;
      for (auto it = first; it != first + n; ++it) big = std::max(big, magnitude(*it));
      if (big != max_abs[static_cast<std::size_t>(j)])
        throw std::invalid_argument("rank reduce (fixed): state whose column " + std::to_string(j) +
                                    " maximum " + std::to_string(max_abs[static_cast<std::size_t>(j)]) +
                                    " is not its largest |code| " + std::to_string(big));
    }
  };
  check_max(s.left_codes, s.left_max, left_.n);
  check_max(s.right_codes, s.right_max, right_.n);
  left_.codes = s.left_codes;
  right_.codes = s.right_codes;
  left_.exps.assign(s.left_exps.begin(), s.left_exps.end());
  right_.exps.assign(s.right_exps.begin(), s.right_exps.end());
  left_.max_abs = s.left_max;
  right_.max_abs = s.right_max;
  cx_codes_ = s.cx_codes;
  cx_exp_ = s.cx_exponent;
  stats_ = s.stats;
  trace_ = s.last_pair;
  saturations_ = s.saturations;
}

int RankReduceFixed::quantize_input(const double* x, int n, int16_t* codes) {
  double big = 0.0;
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) throw RunError("rank reduce (fixed): non-finite input value");
    big = std::max(big, std::fabs(x[i]));
  }
  if (big == 0.0) {
    std::fill(codes, codes + n, int16_t{0});
    return 0;
  }
  int top = 0;
  std::frexp(big, &top);  // big < 2^top: top plays the role of exponent + bit length
  int e = top - kQBits;
  // x 2^-e is exact (a power-of-two scaling of a value below 2^16) and so is adding 1/2.
  if (std::floor(std::ldexp(big, -e) + 0.5) > static_cast<double>(limit_of(kQBits))) ++e;
  for (int i = 0; i < n; ++i) codes[i] = static_cast<int16_t>(std::floor(std::ldexp(x[i], -e) + 0.5));
  return e;
}

int RankReduceFixed::normalize_codes(const int16_t* c, int n, int frac, int16_t* codes) {
  int32_t big = 0;
  for (int i = 0; i < n; ++i) big = std::max(big, std::abs(int32_t{c[i]}));
  if (big == 0) {
    std::fill(codes, codes + n, int16_t{0});
    return 0;
  }
  // quantize_input on x = c 2^-frac: big < 2^top with top = bit_length(big) - frac, then e =
  // top - kQBits, and big 2^-e = big 2^(kQBits - bit_length) lies in [2^(kQBits-1), 2^kQBits):
  // within the limit, so e stays. The codes are c 2^s with s = kQBits - bit_length(big).
  const int len = bit_length(static_cast<uint64_t>(big));
  const int s = kQBits - len;
  if (s >= 0) {
    for (int i = 0; i < n; ++i) codes[i] = static_cast<int16_t>(int32_t{c[i]} * (int32_t{1} << s));
  } else {  // only |c| = 2^15: floor(c 2^s + 1/2) on the integers
    const int r = -s;
    for (int i = 0; i < n; ++i) codes[i] = static_cast<int16_t>((int32_t{c[i]} + (int32_t{1} << (r - 1))) >> r);
  }
  return len - frac - kQBits;
}

bool RankReduceFixed::step_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac) {
  const int dz_exp = normalize_codes(dz, params_.n_o, dz_frac, dz_codes_.data());
  const int a_exp = normalize_codes(a, params_.n_i, a_frac, a_codes_.data());
  step_codes(dz_codes_.data(), dz_exp, a_codes_.data(), a_exp);
  return true;
}

void RankReduceFixed::step(const double* dz, const double* a) {
  const int dz_exp = quantize_input(dz, params_.n_o, dz_codes_.data());
  const int a_exp = quantize_input(a, params_.n_i, a_codes_.data());
  step_codes(dz_codes_.data(), dz_exp, a_codes_.data(), a_exp);
}

bool RankReduceFixed::orthogonalize(Basis& b, const int16_t* x, int x_exp, Coeff* coeff) {
  const int n = b.n;
  int32_t* w = work_.data();
  const uint64_t x2 = fixkern::square_and_widen(x, kResidualGuardBits, w, n);  // |x|^2 in code units: < 2^44
  const int e_w = x_exp - kResidualGuardBits;
  for (int j = 0; j < q_; ++j) coeff[j] = Coeff{};
  uint64_t w_bound = uint64_t{1} << (kQBits + kResidualGuardBits);  // >= max |w| (|x| <= 2^15)

  for (int pass = 0; pass < kGramSchmidtPasses; ++pass) {
    for (int j = 0; j < r_; ++j) {
      if (b.max_abs[j] == 0) continue;  // a dead column: its dot product is exactly 0
      const int16_t* qj = b.codes.data() + static_cast<std::size_t>(j) * n;
      const int64_t acc = fixkern::dot(qj, w, n);  // |acc| <= n 2^15 2^31 <= 2^60
      if (acc == 0) continue;
      ++trace_.gs_coefficients;
      const int qe = b.exps[j];
      const int sh = std::max(0, bit_length(magnitude(acc)) - kCoeffBits);
      const int64_t cm = shift_round(acc, sh);  // |cm| <= 2^30
      const int ce = qe + e_w + sh;
      // w -= c_j Q_j in units of 2^e_w: round(cm * code * 2^(ce + qe - e_w)).
      const int t = e_w - ce - qe;
      saturations_ +=
          fixkern::subtract_scaled_bounded(w, qj, b.max_abs[j], cm, t, n, w_bound);  // |cm| <= 2^30
      // c_j accumulates over the passes at the larger exponent (the second pass only corrects).
      Coeff& c = coeff[j];
      if (c.m == 0) {
        c = {cm, ce};
      } else {
        const int e = std::max(c.e, ce);
        c = {shift_round(c.m, e - c.e) + shift_round(cm, e - ce), e};
      }
    }
  }

  int16_t* out = b.codes.data() + static_cast<std::size_t>(r_) * n;
  auto vanish = [&]() {
    std::fill(out, out + n, int16_t{0});
    b.exps[r_] = 0;
    b.max_abs[r_] = 0;
    coeff[r_] = Coeff{};
    return true;
  };
  const uint64_t big = fixkern::max_magnitude(w, n);
  if (big == 0) return vanish();
  // Normalize the residual to max |v| in [2^23, 2^24] so that |v|^2 < 2^62 and its root has
  // at least 24 significant bits.
  const int s = bit_length(big) - kNormBits;
  int64_t* v = wide_.data();
  const uint64_t norm2 = fixkern::shift_and_square(w, s, v, n);  // s in [-23, 8]
  const int e_v = e_w + s;
  if (scaled_le(norm2, 2 * e_v - kVanishingLog2Ratio, x2, 2 * x_exp)) return vanish();
  const uint64_t norm = fixmath::isqrt_round(norm2);  // in [2^23, 2^31]
  const int bn = bit_length(norm);
  const auto recip = static_cast<int64_t>(fixmath::div_round(1, norm, bn + 30));  // in (2^30, 2^31]
  const uint64_t v_big = fixkern::scale(v, recip, n);  // < 2^55; value v_i / norm = v_i recip 2^-(bn+30)
  b.exps[r_] = quantize_column(v, n, -(bn + 30), v_big, out, b.max_abs[r_]);
  coeff[r_] = Coeff{static_cast<int64_t>(norm), e_v};
  return false;
}

void RankReduceFixed::update_basis(Basis& b, const int64_t* mix, const uint32_t* new_cx) {
  const int n = b.n;
  const int q = q_;
  // One reference exponent for the live columns; each mix row is pre-scaled by
  // 2^(qe_l - e_ref) so that the long loop is a plain integer multiply-accumulate.
  int e_ref = 0;
  bool any = false;
  for (int l = 0; l < q; ++l)
    if (b.max_abs[l] != 0) {
      e_ref = any ? std::max(e_ref, b.exps[l]) : b.exps[l];
      any = true;
    }
  int64_t scaled[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  for (int j = 0; j < r_; ++j)
    for (int l = 0; l < q; ++l)
      scaled[j * q + l] = b.max_abs[l] != 0 ? shift_round(mix[j * q + l], e_ref - b.exps[l]) : 0;
  for (int j = 0; j < r_; ++j) {
    int64_t* acc = wide_.data() + static_cast<std::size_t>(j) * n;
    // The live terms of column j, combined in one pass (a zero weight clears the column).
    const int16_t* cols[kJacobiFixedMaxOrder];
    int64_t ms[kJacobiFixedMaxOrder];
    int count = 0;
    for (int l = 0; new_cx[j] != 0 && l < q; ++l)
      if (scaled[j * q + l] != 0) {
        cols[count] = b.codes.data() + static_cast<std::size_t>(l) * n;
        ms[count++] = scaled[j * q + l];
      }
    fixkern::combine_columns(acc, cols, ms, count, n);  // |m| < 2^31; |acc| < 9 * 2^15 * 2^30.01 < 2^49
  }
  for (int j = 0; j < r_; ++j) {
    const int64_t* acc = wide_.data() + static_cast<std::size_t>(j) * n;
    // The RTL's per-column maximum: row 0, then each new one; it is the column's largest magnitude.
    const uint64_t big = fixkern::running_max(acc, n, trace_.max_updates);
    b.exps[j] = quantize_column(acc, n, e_ref - kQ30, big, b.codes.data() + static_cast<std::size_t>(j) * n,
                                b.max_abs[j]);
  }
}

void RankReduceFixed::step_codes(const int16_t* dz, int dz_exp, const int16_t* a, int a_exp) {
  if (std::abs(dz_exp) > kMaxInputExponent || std::abs(a_exp) > kMaxInputExponent)
    throw std::invalid_argument("rank reduce (fixed): input exponent beyond +-2047");
  const int q = q_;
  const int r = r_;
  trace_ = FixedPairTrace{};
  trace_.pair_index = stats_.pairs;
  // The sign counter wraps at 2^32; the word is formed for every pair, used only when mixing.
  trace_.sign_word =
      rank_reduce_sign_word(static_cast<uint32_t>(params_.seed), static_cast<uint32_t>(stats_.pairs));
  ++stats_.pairs;

  const bool dz_zero = std::all_of(dz, dz + params_.n_o, [](int16_t c) { return c == 0; });
  const bool a_zero = std::all_of(a, a + params_.n_i, [](int16_t c) { return c == 0; });
  if (dz_zero || a_zero) {
    trace_.zero_input = true;
    ++stats_.degenerate;
    return;
  }

  // 1. Gram-Schmidt on both sides.
  Coeff cl[kJacobiFixedMaxOrder], cr[kJacobiFixedMaxOrder];
  trace_.vanished_left = orthogonalize(left_, dz, dz_exp, cl);
  trace_.vanished_right = orthogonalize(right_, a, a_exp, cr);

  // 2. c_L, c_R as blocks of 31-bit codes.
  auto block = [q](const Coeff* c, int64_t* codes) {
    uint64_t mags[kJacobiFixedMaxOrder];
    int exps[kJacobiFixedMaxOrder];
    for (int j = 0; j < q; ++j) {
      mags[j] = magnitude(c[j].m);
      exps[j] = c[j].e;
    }
    const int e = fit_exponent(mags, exps, q, kCoeffBits);
    for (int j = 0; j < q; ++j) codes[j] = c[j].m == 0 ? 0 : shift_round(c[j].m, e - c[j].e);
    return e;
  };
  int64_t cL[kJacobiFixedMaxOrder], cR[kJacobiFixedMaxOrder];
  const int e_l = block(cl, cL);
  const int e_r = block(cr, cR);

  // 3. C = c_L c_R^T + diag(c_x): exact products (< 2^60), aligned to a common exponent,
  // then one block of 27-bit codes.
  const int e_p = e_l + e_r;
  const bool any_cx = std::any_of(cx_codes_.begin(), cx_codes_.end(), [](uint32_t c) { return c != 0; });
  // c_x codes (< 2^31) are shifted left by at most 29 bits, so every term stays below 2^60.
  const int e_a = any_cx ? std::max(e_p, cx_exp_ - 29) : e_p;
  int64_t sum[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  uint64_t sum_max = 0;
  for (int c = 0; c < q; ++c)
    for (int i = 0; i < q; ++i) {
      int64_t s = shift_round(cL[i] * cR[c], e_a - e_p);
      if (i == c && cx_codes_[i] != 0) s += shift_round(int64_t{cx_codes_[i]}, e_a - cx_exp_);
      sum[c * q + i] = s;
      sum_max = std::max(sum_max, magnitude(s));
    }

  // 4. Degenerate pairs are folded in without the kappa test (C_qq = 0 is not ill
  // conditioning); otherwise skip when C_11 > kappa_th C_qq, compared without division on
  // the 62-bit aligned sums (the 27-bit codes below would resolve C_qq only to 2^26 / kappa):
  // 2^8 C_11 (< 2^70) against kappa_code C_qq (< 2^35 2^61), a 97-bit comparison.
  if (trace_.vanished_left || trace_.vanished_right) {
    ++stats_.degenerate;
  } else if (kappa_code_ != 0) {
    __extension__ typedef __int128 i128;
    const i128 lhs = static_cast<i128>(sum[0]) * (int64_t{1} << kKappaFracBits);
    const i128 rhs = static_cast<i128>(kappa_code_) * sum[q * q - 1];
    if (lhs > rhs) {
      trace_.skipped_kappa = true;
      ++stats_.skipped_kappa;
      return;
    }
  }

  const int e_c = fit_exponent(&sum_max, &e_a, 1, kCoreBits);
  int32_t core[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  for (int i = 0; i < q * q; ++i) core[i] = static_cast<int32_t>(shift_round(sum[i], e_c - e_a));
  trace_.c_exponent = e_c;

  // 5. SVD, 6. spectrum reduction, 7. mixing matrices U_C Q_x and V_C Q_x (Q2.30).
  JacobiFixedResult svd;
  jacobi_svd_fixed(q, core, svd);
  int64_t qx[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  int64_t cx_new[kJacobiFixedMaxOrder];
  trace_.kept = reduce_spectrum_fixed(params_.mode, q, svd.sigma.data(), trace_.sign_word, qx, cx_new);
  trace_.jacobi_rotations = svd.rotations;
  if (params_.mode == RankReduceMode::kUnbiased) {  // s1 = sigma_m0 + ... + sigma_{q-1}, m0 = kept
    int64_t s1 = 0;
    for (int i = trace_.kept; i < q; ++i) s1 += svd.sigma[static_cast<std::size_t>(i)];
    trace_.mix_dry = s1 == 0;
  }
  int64_t mix_l[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  int64_t mix_r[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  for (int j = 0; j < r; ++j)
    for (int i = 0; i < q; ++i) {
      // Each sum is a product of a row of an orthogonal matrix and an orthonormal column:
      // |sum| <= 2^60 (1 + 2^-28) by Cauchy-Schwarz, so partial sums stay below 2^62.
      int64_t sl = 0, sr = 0;
      for (int l = 0; l < q; ++l) {
        sl += int64_t{svd.u[l * q + i]} * qx[j * q + l];
        sr += int64_t{svd.v[l * q + i]} * qx[j * q + l];
      }
      mix_l[j * q + i] = shift_round(sl, kQ30);
      mix_r[j * q + i] = shift_round(sr, kQ30);
    }

  // 8. New weights as one block of unsigned 31-bit codes.
  uint64_t cx_max = 0;
  for (int j = 0; j < r; ++j) cx_max = std::max(cx_max, static_cast<uint64_t>(cx_new[j]));
  const int e_x = fit_exponent(&cx_max, &e_c, 1, kCxBits);
  uint32_t cx_codes[kJacobiFixedMaxOrder] = {};
  for (int j = 0; j < r; ++j) cx_codes[j] = static_cast<uint32_t>(shift_round(cx_new[j], e_x - e_c));

  // 9. Basis update.
  update_basis(left_, mix_l, cx_codes);
  update_basis(right_, mix_r, cx_codes);
  std::copy(cx_codes, cx_codes + q, cx_codes_.begin());
  cx_exp_ = e_x;
  if (std::abs(cx_exp_) > kMaxStateExponent)
    throw RunError("rank reduce (fixed): c_x exponent beyond 16 bits");
}

const int16_t* RankReduceFixed::q_codes(RankReduceSide side) const { return basis(side).codes.data(); }

int RankReduceFixed::q_exponent(RankReduceSide side, int j) const { return basis(side).exps.at(j); }

FixedFactor RankReduceFixed::factor_codes(RankReduceSide side) const {
  const Basis& b = basis(side);
  FixedFactor f;
  f.rows = b.n;
  f.cols = r_;
  f.codes.assign(static_cast<std::size_t>(b.n) * r_, 0);
  // sqrt(c_x) = sqrt(code 2^(30 + p)) 2^((e_x - 30 - p) / 2), p making the exponent even:
  // the radicand has 61-62 bits, so the root keeps 31.
  const int p = (cx_exp_ % 2 != 0) ? 1 : 0;
  const int e_s = (cx_exp_ - 30 - p) / 2;
  uint64_t root[kJacobiFixedMaxOrder];
  uint64_t mags[kJacobiFixedMaxOrder];
  int exps[kJacobiFixedMaxOrder];
  for (int j = 0; j < r_; ++j) {
    root[j] = fixmath::isqrt_round(static_cast<uint64_t>(cx_codes_[j]) << (30 + p));
    mags[j] = b.max_abs[j] * root[j];  // < 2^15 * 2^31
    exps[j] = b.exps[j] + e_s;
  }
  f.exponent = fit_exponent(mags, exps, r_, kQBits);
  for (int j = 0; j < r_; ++j) {
    if (mags[j] == 0) continue;
    const int16_t* qj = b.codes.data() + static_cast<std::size_t>(j) * b.n;
    int16_t* out = f.codes.data() + static_cast<std::size_t>(j) * b.n;
    const auto w = static_cast<int64_t>(root[j]);
    const int s = f.exponent - exps[j];
    for (int i = 0; i < b.n; ++i) out[i] = static_cast<int16_t>(shift_round(qj[i] * w, s));
  }
  return f;
}

void factor_values(const FixedFactor& f, Matrix<double>& m) {
  // code * 2^e is an exact double for |code| < 2^15 when -1074 <= e <= 1023 - 15.
  if (f.exponent < -1074 || f.exponent > 1008)
    throw RunError("rank reduce (fixed): factor scale 2^" + std::to_string(f.exponent) +
                   " outside the range of double");
  const auto rows = static_cast<std::size_t>(f.rows);
  const auto cols = static_cast<std::size_t>(f.cols);
  if (m.rows() != rows || m.cols() != cols) m = Matrix<double>(rows, cols);
  for (std::size_t i = 0; i < rows * cols; ++i)
    m.data()[i] = std::ldexp(static_cast<double>(f.codes[i]), f.exponent);
}

void RankReduceFixed::factors(Matrix<double>& L, Matrix<double>& R) const {
  factor_values(factor_codes(RankReduceSide::kLeft), L);
  factor_values(factor_codes(RankReduceSide::kRight), R);
}

}  // namespace lrt::golden
