#include "golden/rank_reduce/fixed_kernels.h"

#include <algorithm>
#include <stdexcept>

#include "core/cpu_features.h"
#include "golden/rank_reduce/fixed_math.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lrt::golden::fixkern {

namespace {

constexpr int64_t kMax32 = (int64_t{1} << 31) - 1;

// round_half_up(v 2^-s) for 1 <= s <= 62, |v| < 2^62 (fixmath::shift_round without the checks).
int64_t round_shift(int64_t v, int s) { return (v + (int64_t{1} << (s - 1))) >> s; }

int32_t subtract_one(int32_t w, int16_t q, int64_t m, int t, uint64_t& clips) {
  const int64_t d = int64_t{w} - round_shift(m * q, t);
  const int64_t c = std::clamp(d, -kMax32, kMax32);
  clips += c != d;
  return static_cast<int32_t>(c);
}

#if defined(__AVX2__)
__m256i load4_i16_as_i64(const int16_t* p) {
  return _mm256_cvtepi16_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
__m256i load4_i32_as_i64(const int32_t* p) {
  return _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
__m256i load4_i64(const int64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
void store4_i64(int64_t* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }

// The low 32 bits of the four 64-bit lanes, in lane order.
__m128i low_halves(__m256i v) {
  return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
}

uint64_t lane_sum(__m256i v) {
  alignas(32) uint64_t l[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
  return l[0] + l[1] + l[2] + l[3];  // modulo 2^64: exact for the callers' bounds, any sign
}

// round_half_up(v 2^-s) of four lanes, |v| < 2^62, 1 <= s <= 62: the biased value
// v + 2^(s-1) + 2^63 is non-negative as an unsigned number, so a logical shift floors it,
// and the bias leaves 2^(63-s) behind.
class RoundShift {
 public:
  explicit RoundShift(int s)
      : bias_(_mm256_set1_epi64x(static_cast<int64_t>((uint64_t{1} << (s - 1)) + (uint64_t{1} << 63)))),
        rest_(_mm256_set1_epi64x(int64_t{1} << (63 - s))),
        count_(_mm_cvtsi32_si128(s)) {}
  __m256i operator()(__m256i v) const {
    return _mm256_sub_epi64(_mm256_srl_epi64(_mm256_add_epi64(v, bias_), count_), rest_);
  }

 private:
  __m256i bias_, rest_;
  __m128i count_;
};
#endif

}  // namespace

#if defined(__x86_64__) && defined(__GNUC__)
// AVX-512 bodies of the column loops below (chosen at run time: core/cpu_features.h), with the
// same products as their AVX2 loops: a 512-bit _mm512_mul_epi32 makes eight 64-bit products,
// twice the AVX2 one, and these loops work on L1-resident columns, so that is their speed
// (issue 23). Each does its whole steps (sixteen or eight elements) and returns where it
// stopped; the caller's AVX2 and scalar loops finish. Zero-masked forms throughout: GCC 12's
// unmasked ones merge into an undefined register, which -Wmaybe-uninitialized reports.
namespace {

constexpr __mmask8 kAll8 = 0xFF;
constexpr __mmask16 kAll16 = 0xFFFF;

__attribute__((target("avx512f"))) int dot_avx512(const int16_t* q, const int32_t* w, int n, uint64_t& sum) {
  __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i qv =
        _mm512_maskz_cvtepi16_epi32(kAll16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i)));
    const __m512i wv = _mm512_loadu_si512(w + i);
    even = _mm512_add_epi64(even, _mm512_maskz_mul_epi32(kAll8, qv, wv));
    odd = _mm512_add_epi64(odd, _mm512_maskz_mul_epi32(kAll8, _mm512_maskz_srli_epi64(kAll8, qv, 32),
                                                       _mm512_maskz_srli_epi64(kAll8, wv, 32)));
  }
  alignas(64) uint64_t l[8];
  _mm512_store_si512(l, _mm512_add_epi64(even, odd));
  for (uint64_t v : l) sum += v;  // modulo 2^64, as lane_sum
  return i;
}

__attribute__((target("avx512f"))) int subtract_scaled_unclamped_avx512(int32_t* w, const int16_t* q,
                                                                        int64_t m, int t, int n) {
  const __m512i mv = _mm512_set1_epi64(m);
  const __m512i half = _mm512_set1_epi64(int64_t{1} << (t - 1));
  const __m128i up = _mm_cvtsi32_si128(std::max(0, 32 - t));
  const __m128i down = _mm_cvtsi32_si128(std::max(0, t - 32));
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i qv =
        _mm512_maskz_cvtepi16_epi32(kAll16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + i)));
    const __m512i even = _mm512_add_epi64(_mm512_maskz_mul_epi32(kAll8, qv, mv), half);
    const __m512i odd =
        _mm512_add_epi64(_mm512_maskz_mul_epi32(kAll8, _mm512_maskz_srli_epi64(kAll8, qv, 32), mv), half);
    const __m512i high = _mm512_mask_blend_epi32(
        0xAAAA, _mm512_maskz_srli_epi64(kAll8, _mm512_maskz_sll_epi64(kAll8, even, up), 32),
        _mm512_maskz_sll_epi64(kAll8, odd, up));
    const __m512i r = _mm512_maskz_sra_epi32(kAll16, high, down);
    _mm512_storeu_si512(w + i, _mm512_sub_epi32(_mm512_loadu_si512(w + i), r));
  }
  return i;
}

// scale(): v m (or v 2^31 by a shift: 2^31 does not fit the signed multiplier) and the largest
// magnitude, in two independent running maxima (a single one chains every step to the last).
__attribute__((target("avx512f"))) int scale_avx512(int64_t* v, int64_t m, int n, uint64_t& big) {
  const __m512i mv = _mm512_set1_epi64(m);
  const bool shift = m == (int64_t{1} << 31);
  const auto product = [&](__m512i x) __attribute__((target("avx512f"))) {
    return shift ? _mm512_maskz_slli_epi64(kAll8, x, 31) : _mm512_maskz_mul_epi32(kAll8, x, mv);
  };
  __m512i top0 = _mm512_setzero_si512(), top1 = _mm512_setzero_si512();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i a = product(_mm512_loadu_si512(v + i)), b = product(_mm512_loadu_si512(v + i + 8));
    _mm512_storeu_si512(v + i, a);
    _mm512_storeu_si512(v + i + 8, b);
    top0 = _mm512_maskz_max_epu64(kAll8, top0, _mm512_maskz_abs_epi64(kAll8, a));
    top1 = _mm512_maskz_max_epu64(kAll8, top1, _mm512_maskz_abs_epi64(kAll8, b));
  }
  alignas(64) uint64_t l[8];
  _mm512_store_si512(l, _mm512_maskz_max_epu64(kAll8, top0, top1));
  big = std::max(big, *std::max_element(l, l + 8));
  return i;
}

// combine_columns() for multipliers of 32 bits: eight elements a step.
__attribute__((target("avx512f"))) int combine_columns_avx512(int64_t* acc, const int16_t* const* q,
                                                              const int64_t* m, int count, int n) {
  __m512i mv[9];
  for (int k = 0; k < count; ++k) mv[k] = _mm512_set1_epi64(m[k]);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512i sum = _mm512_setzero_si512();
    for (int k = 0; k < count; ++k) {
      const __m512i qk =
          _mm512_maskz_cvtepi16_epi64(kAll8, _mm_loadu_si128(reinterpret_cast<const __m128i*>(q[k] + i)));
      sum = _mm512_add_epi64(sum, _mm512_maskz_mul_epi32(kAll8, qk, mv[k]));
    }
    _mm512_storeu_si512(acc + i, sum);
  }
  return i;
}

// running_max()'s blocks without a rise, eight elements a step: from i, returns the first
// block that holds a magnitude above `running` (for the caller to scan in order), or where
// the whole blocks end.
__attribute__((target("avx512f"))) int blocks_below_avx512(const int64_t* p, int i, int n, uint64_t running) {
  const __m512i r = _mm512_set1_epi64(static_cast<int64_t>(running));
  for (; i + 8 <= n; i += 8)
    if (_mm512_cmpgt_epu64_mask(_mm512_maskz_abs_epi64(kAll8, _mm512_loadu_si512(p + i)), r) != 0) break;
  return i;
}

// round_to_codes(): round_half_up(p 2^-s) as RoundShift does it, eight elements a step; the
// codes fit int16, so vpmovqw's truncation keeps them.
__attribute__((target("avx512f"))) int round_to_codes_avx512(const int64_t* p, int s, int16_t* out, int n,
                                                             uint16_t& top) {
  const __m512i bias =
      _mm512_set1_epi64(static_cast<int64_t>((uint64_t{1} << (s - 1)) + (uint64_t{1} << 63)));
  const __m512i rest = _mm512_set1_epi64(int64_t{1} << (63 - s));
  const __m128i count = _mm_cvtsi32_si128(s);
  __m128i big = _mm_setzero_si128();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i v = _mm512_loadu_si512(p + i);
    const __m512i c = _mm512_sub_epi64(_mm512_maskz_srl_epi64(kAll8, _mm512_add_epi64(v, bias), count), rest);
    const __m128i codes = _mm512_maskz_cvtepi64_epi16(kAll8, c);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), codes);
    big = _mm_max_epu16(big, _mm_abs_epi16(codes));
  }
  alignas(16) uint16_t l[8];
  _mm_store_si128(reinterpret_cast<__m128i*>(l), big);
  top = std::max(top, *std::max_element(l, l + 8));
  return i;
}

}  // namespace
#endif

int64_t dot(const int16_t* q, const int32_t* w, int n) {
  int i = 0;
  uint64_t sum = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (host_has_avx512f()) i = dot_avx512(q, w, n, sum);
#endif
#if defined(__AVX2__)
  __m256i even = _mm256_setzero_si256(), odd = _mm256_setzero_si256();
  for (; i + 8 <= n; i += 8) {
    const __m256i qv = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i)));
    const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i));
    // _mm256_mul_epi32 multiplies the signed low halves of the 64-bit lanes: elements 0, 2, 4, 6,
    // then, shifted down, 1, 3, 5, 7.
    even = _mm256_add_epi64(even, _mm256_mul_epi32(qv, wv));
    odd = _mm256_add_epi64(odd, _mm256_mul_epi32(_mm256_srli_epi64(qv, 32), _mm256_srli_epi64(wv, 32)));
  }
  sum += lane_sum(_mm256_add_epi64(even, odd));
#endif
  for (; i < n; ++i) sum += static_cast<uint64_t>(int64_t{q[i]} * w[i]);
  return static_cast<int64_t>(sum);
}

uint64_t subtract_scaled(int32_t* w, const int16_t* q, int64_t m, int t, int n) {
  uint64_t clips = 0;
  int i = 0;
  [[maybe_unused]] int n4 = n;
#if defined(__AVX2__)
  const RoundShift round(t);
  const __m256i mv = _mm256_set1_epi64x(m);
  if (m < -kMax32 || m > kMax32) n4 = 0;  // beyond the 32-bit multiplier: element by element
  const __m256i hi = _mm256_set1_epi64x(kMax32), lo = _mm256_set1_epi64x(-kMax32);
  for (; i + 4 <= n4; i += 4) {
    const __m256i d = _mm256_sub_epi64(load4_i32_as_i64(w + i), round(_mm256_mul_epi32(load4_i16_as_i64(q + i), mv)));
    const __m256i out = _mm256_or_si256(_mm256_cmpgt_epi64(d, hi), _mm256_cmpgt_epi64(lo, d));
    if (_mm256_testz_si256(out, out) != 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(w + i), low_halves(d));
    } else {  // a clamp (the basis lost its norm, docs §3.2): element by element
      for (int k = i; k < i + 4; ++k) w[k] = subtract_one(w[k], q[k], m, t, clips);
    }
  }
#endif
  for (; i < n; ++i) w[i] = subtract_one(w[i], q[i], m, t, clips);
  return clips;
}

uint64_t scaled_bound(int64_t m, uint16_t q_max, int t) {
  const uint64_t mag = m < 0 ? 0 - static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
  // For p = +-P: floor((P + 2^(t-1)) 2^-t), and ceil((P - 2^(t-1)) 2^-t), never larger.
  return (mag * q_max + (uint64_t{1} << (t - 1))) >> t;
}

namespace {

// subtract_scaled when no element can clamp: max |w| + scaled_bound(m, max |q|, t) <= 2^31 - 1,
// |m| < 2^31, 1 <= t <= 62.
void subtract_scaled_unclamped(int32_t* w, const int16_t* q, int64_t m, int t, int n) {
  int i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (host_has_avx512f()) i = subtract_scaled_unclamped_avx512(w, q, m, t, n);
#endif
#if defined(__AVX2__)
  // Eight at a time: the products of the even and the odd elements in two vectors of 64-bit
  // lanes, each plus 2^(t-1); floor(p 2^-t) is the high half of p 2^(32-t) for t <= 32 (no
  // overflow: the caller's bound gives |p| + 2^(t-1) < 2^(31+t)), or the high half of p shifted
  // right by t - 32 in 32-bit lanes; a blend puts the high halves back in element order.
  const __m256i mv = _mm256_set1_epi64x(m);
  const __m256i half = _mm256_set1_epi64x(int64_t{1} << (t - 1));
  const __m128i up = _mm_cvtsi32_si128(std::max(0, 32 - t));
  const __m128i down = _mm_cvtsi32_si128(std::max(0, t - 32));
  for (; i + 8 <= n; i += 8) {
    const __m256i qv = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i)));
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(qv, mv), half);
    const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(qv, 32), mv), half);
    const __m256i high = _mm256_blend_epi32(_mm256_srli_epi64(_mm256_sll_epi64(even, up), 32),
                                            _mm256_sll_epi64(odd, up), 0xAA);
    const __m256i r = _mm256_sra_epi32(high, down);
    __m256i* out = reinterpret_cast<__m256i*>(w + i);
    _mm256_storeu_si256(out, _mm256_sub_epi32(_mm256_loadu_si256(out), r));
  }
#endif
  for (; i < n; ++i) w[i] = static_cast<int32_t>(int64_t{w[i]} - round_shift(m * q[i], t));
}

}  // namespace

uint64_t subtract_scaled_bounded(int32_t* w, const int16_t* q, uint16_t q_max, int64_t m, int t, int n,
                                 uint64_t& w_bound) {
  if (t >= 1 && t <= 62) {
    const uint64_t move = scaled_bound(m, q_max, t);
    if (m >= -kMax32 && m <= kMax32 && w_bound <= static_cast<uint64_t>(kMax32) &&
        move <= static_cast<uint64_t>(kMax32) - w_bound) {
      subtract_scaled_unclamped(w, q, m, t, n);
      w_bound += move;
      return 0;
    }
    w_bound = kMax32;
    return subtract_scaled(w, q, m, t, n);
  }
  w_bound = kMax32;
  uint64_t clips = 0;
  for (int i = 0; i < n; ++i)
    w[i] = fixmath::saturate_int32(int64_t{w[i]} - fixmath::shift_round(m * q[i], t), clips);
  return clips;
}

uint64_t square_and_widen(const int16_t* x, int guard, int32_t* w, int n) {
  int i = 0;
  uint64_t sum = 0;
#if defined(__AVX2__)
  __m256i acc = _mm256_setzero_si256();
  const __m128i g = _mm_cvtsi32_si128(guard);
  for (; i + 16 <= n; i += 16) {
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    // Adjacent squares summed in 32 bits: at most 2 * 2^30, exact as an unsigned number.
    const __m256i sq = _mm256_madd_epi16(xv, xv);
    acc = _mm256_add_epi64(acc, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(sq)));
    acc = _mm256_add_epi64(acc, _mm256_cvtepu32_epi64(_mm256_extracti128_si256(sq, 1)));
    const __m256i w0 = _mm256_sll_epi32(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(xv)), g);
    const __m256i w1 = _mm256_sll_epi32(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(xv, 1)), g);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w + i), w0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(w + i + 8), w1);
  }
  sum = lane_sum(acc);
#endif
  for (; i < n; ++i) {
    w[i] = x[i] * (int32_t{1} << guard);
    sum += static_cast<uint64_t>(int64_t{x[i]} * x[i]);
  }
  return sum;
}

uint64_t max_magnitude(const int32_t* w, int n) {
  int i = 0;
  uint32_t big = 0;
#if defined(__AVX2__)
  __m256i m = _mm256_setzero_si256();
  for (; i + 8 <= n; i += 8)  // |INT32_MIN| reads as 2^31 unsigned: still its magnitude
    m = _mm256_max_epu32(m, _mm256_abs_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i))));
  alignas(32) uint32_t l[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), m);
  big = *std::max_element(l, l + 8);
#endif
  for (; i < n; ++i) big = std::max(big, w[i] < 0 ? 0u - static_cast<uint32_t>(w[i]) : static_cast<uint32_t>(w[i]));
  return big;
}

uint64_t shift_and_square(const int32_t* w, int s, int64_t* v, int n) {
  int i = 0;
  uint64_t sum = 0;
#if defined(__AVX2__)
  __m256i acc = _mm256_setzero_si256();
  if (s > 0) {
    const RoundShift round(s);
    for (; i + 4 <= n; i += 4) {
      const __m256i x = round(load4_i32_as_i64(w + i));
      store4_i64(v + i, x);
      acc = _mm256_add_epi64(acc, _mm256_mul_epi32(x, x));
    }
  } else {
    const __m128i count = _mm_cvtsi32_si128(-s);
    for (; i + 4 <= n; i += 4) {
      const __m256i x = _mm256_sll_epi64(load4_i32_as_i64(w + i), count);
      store4_i64(v + i, x);
      acc = _mm256_add_epi64(acc, _mm256_mul_epi32(x, x));
    }
  }
  sum = lane_sum(acc);
#endif
  for (; i < n; ++i) {
    v[i] = s > 0 ? round_shift(w[i], s) : w[i] * (int64_t{1} << -s);
    sum += static_cast<uint64_t>(v[i] * v[i]);
  }
  return sum;
}

uint64_t scale(int64_t* v, int64_t m, int n) {
  int i = 0;
  uint64_t big = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (host_has_avx512f()) i = scale_avx512(v, m, n, big);
#endif
#if defined(__AVX2__)
  // |v m| < 2^62: signed comparisons of the magnitudes are exact.
  const __m256i zero = _mm256_setzero_si256();
  __m256i top = zero;
  const auto keep = [&](__m256i x) {
    const __m256i sign = _mm256_cmpgt_epi64(zero, x);
    const __m256i mag = _mm256_sub_epi64(_mm256_xor_si256(x, sign), sign);
    top = _mm256_blendv_epi8(top, mag, _mm256_cmpgt_epi64(mag, top));
    return x;
  };
  if (m == kMax32 + 1) {  // 2^31 does not fit the signed 32-bit multiplier: a shift
    for (; i + 4 <= n; i += 4) store4_i64(v + i, keep(_mm256_slli_epi64(load4_i64(v + i), 31)));
  } else {
    const __m256i mv = _mm256_set1_epi64x(m);
    for (; i + 4 <= n; i += 4) store4_i64(v + i, keep(_mm256_mul_epi32(load4_i64(v + i), mv)));
  }
  alignas(32) uint64_t l[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), top);
  big = std::max(big, *std::max_element(l, l + 4));
#endif
  for (; i < n; ++i) {
    v[i] *= m;
    big = std::max(big, v[i] < 0 ? 0 - static_cast<uint64_t>(v[i]) : static_cast<uint64_t>(v[i]));
  }
  return big;
}

void combine_columns(int64_t* acc, const int16_t* const* q, const int64_t* m, int count, int n) {
  if (count < 0 || count > 9) throw std::invalid_argument("combine_columns: count outside [0, 9]");
  int i = 0;
#if defined(__AVX2__)
  bool narrow = true;  // every multiplier fits the signed 32-bit lanes of _mm256_mul_epi32
  __m256i mv[9];
  for (int k = 0; k < count; ++k) {
    narrow = narrow && m[k] >= -kMax32 && m[k] <= kMax32;
    mv[k] = _mm256_set1_epi64x(m[k]);
  }
  if (narrow && host_has_avx512f()) i = combine_columns_avx512(acc, q, m, count, n);
  for (; narrow && i + 4 <= n; i += 4) {
    __m256i sum = _mm256_setzero_si256();
    for (int k = 0; k < count; ++k)
      sum = _mm256_add_epi64(sum, _mm256_mul_epi32(load4_i16_as_i64(q[k] + i), mv[k]));
    store4_i64(acc + i, sum);
  }
#endif
  for (; i < n; ++i) {
    int64_t sum = 0;
    for (int k = 0; k < count; ++k) sum += q[k][i] * m[k];
    acc[i] = sum;
  }
}

uint64_t running_max(const int64_t* p, int n, int64_t& rises) {
  const auto magnitude = [](int64_t v) {
    return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  };
  uint64_t running = magnitude(p[0]);
  ++rises;
  int i = 1;
  const auto scalar = [&](int end) {
    for (; i < end; ++i)
      if (magnitude(p[i]) > running) {
        running = magnitude(p[i]);
        ++rises;
      }
  };
#if defined(__AVX2__)
  // Four at a time; a rise is rare after the first few elements, so a block that holds none
  // (no magnitude above the running maximum) costs a comparison, and one that does is scanned
  // in order. |p| < 2^63, so signed comparisons of magnitudes are exact.
  const bool avx512 = host_has_avx512f();
  const __m256i zero = _mm256_setzero_si256();
  for (; i + 4 <= n;) {
    if (avx512) {  // up to the first block of eight with a rise, then that block in fours
      i = blocks_below_avx512(p, i, n, running);
      if (i + 4 > n) break;
    }
    const __m256i v = load4_i64(p + i);
    const __m256i sign = _mm256_cmpgt_epi64(zero, v);
    const __m256i mag = _mm256_sub_epi64(_mm256_xor_si256(v, sign), sign);
    const __m256i above = _mm256_cmpgt_epi64(mag, _mm256_set1_epi64x(static_cast<int64_t>(running)));
    if (_mm256_testz_si256(above, above) != 0) {
      i += 4;
    } else {
      scalar(i + 4);
    }
  }
#endif
  scalar(n);
  return running;
}

uint16_t round_to_codes(const int64_t* p, int s, int16_t* out, int n) {
  int i = 0;
  uint16_t top = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (host_has_avx512f()) i = round_to_codes_avx512(p, s, out, n, top);
#endif
#if defined(__AVX2__)
  const RoundShift round(s);
  __m128i big = _mm_setzero_si128();
  for (; i + 8 <= n; i += 8) {
    const __m128i lo = low_halves(round(load4_i64(p + i)));
    const __m128i hi = low_halves(round(load4_i64(p + i + 4)));
    const __m128i codes = _mm_packs_epi32(lo, hi);  // the values fit: no saturation
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), codes);
    big = _mm_max_epu16(big, _mm_abs_epi16(codes));
  }
  alignas(16) uint16_t l[8];
  _mm_store_si128(reinterpret_cast<__m128i*>(l), big);
  top = std::max(top, *std::max_element(l, l + 8));
#endif
  for (; i < n; ++i) {
    const int64_t c = round_shift(p[i], s);
    top = std::max(top, static_cast<uint16_t>(c < 0 ? -c : c));
    out[i] = static_cast<int16_t>(c);
  }
  return top;
}

}  // namespace lrt::golden::fixkern
