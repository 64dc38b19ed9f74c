#include "core/rng.h"

#include <cmath>

#include "core/cpu_features.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lrt {

namespace {
__extension__ typedef unsigned __int128 u128;  // GCC/Clang 128-bit product, for Lemire's method
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}
}  // namespace

std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kMul0, c[0], hi0, lo0);
    mulhilo(kMul1, c[2], hi1, lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kWeyl0;
    k[1] += kWeyl1;
  }
  return c;
}

std::array<uint32_t, 4> CounterRng::block(uint64_t index) const {
  return philox4x32_10({static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                        static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)},
                       {static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32)});
}

#if defined(__x86_64__) && defined(__GNUC__)
namespace {

// The rounds of philox4x32_10 on sixteen counters, as the AVX2 loop below on eight; chosen at
// run time (the build targets AVX2 only). A machine with full-width 512-bit units does twice
// the multiplies an instruction (issue 23: drift and read noise draw about 10^5 blocks a
// sample). Returns how many blocks it made (a multiple of 16).
__attribute__((target("avx512f"))) uint64_t philox_blocks_avx512(uint64_t seed, uint64_t stream,
                                                                 uint64_t first, uint64_t n,
                                                                 std::array<uint32_t, 4>* out) {
  // The zero-masked forms of the shifts, products and shuffles: GCC 12's unmasked ones merge into an
  // undefined register, which -Wmaybe-uninitialized reports.
  constexpr __mmask8 kAll = 0xFF;
  constexpr __mmask16 kAll16 = 0xFFFF;
  const auto mulhilo =
      [](__m512i a, __m512i m, __m512i & hi, __m512i & lo) __attribute__((target("avx512f"))) {
    const __m512i even = _mm512_maskz_mul_epu32(kAll, a, m);
    const __m512i odd = _mm512_maskz_mul_epu32(kAll, _mm512_maskz_srli_epi64(kAll, a, 32), m);
    lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(kAll, odd, 32));
    hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_maskz_srli_epi64(kAll, even, 32), odd);
  };
  const __m512i m0 = _mm512_set1_epi32(static_cast<int32_t>(kMul0));
  const __m512i m1 = _mm512_set1_epi32(static_cast<int32_t>(kMul1));
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  uint64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint64_t base = first + i;
    if ((base >> 32) != ((base + 15) >> 32)) break;  // a run across 2^32: left to the AVX2 loop
    __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(base)), lane);
    __m512i c1 = _mm512_set1_epi32(static_cast<int32_t>(base >> 32));
    __m512i c2 = _mm512_set1_epi32(static_cast<int32_t>(stream));
    __m512i c3 = _mm512_set1_epi32(static_cast<int32_t>(stream >> 32));
    auto k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      __m512i hi0, lo0, hi1, lo1;
      mulhilo(c0, m0, hi0, lo0);
      mulhilo(c2, m1, hi1, lo1);
      c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32(static_cast<int32_t>(k0)));
      c1 = lo1;
      c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32(static_cast<int32_t>(k1)));
      c3 = lo0;
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    // Word-major lanes to blocks: 32-bit then 64-bit interleaves put block 4m + j in 128-bit
    // lane m of t_j, then two 128-bit-lane shuffles gather four consecutive blocks a register.
    const __m512i a01 = _mm512_maskz_unpacklo_epi32(kAll16, c0, c1),
                  b01 = _mm512_maskz_unpackhi_epi32(kAll16, c0, c1);
    const __m512i a23 = _mm512_maskz_unpacklo_epi32(kAll16, c2, c3),
                  b23 = _mm512_maskz_unpackhi_epi32(kAll16, c2, c3);
    const __m512i t0 = _mm512_maskz_unpacklo_epi64(kAll, a01, a23),
                  t1 = _mm512_maskz_unpackhi_epi64(kAll, a01, a23);
    const __m512i t2 = _mm512_maskz_unpacklo_epi64(kAll, b01, b23),
                  t3 = _mm512_maskz_unpackhi_epi64(kAll, b01, b23);
    const __m512i u0 = _mm512_maskz_shuffle_i32x4(kAll16, t0, t1, 0x44),
                  u1 = _mm512_maskz_shuffle_i32x4(kAll16, t2, t3, 0x44);
    const __m512i u2 = _mm512_maskz_shuffle_i32x4(kAll16, t0, t1, 0xEE),
                  u3 = _mm512_maskz_shuffle_i32x4(kAll16, t2, t3, 0xEE);
    auto* dst = reinterpret_cast<uint32_t*>(out + i);
    _mm512_storeu_si512(dst, _mm512_maskz_shuffle_i32x4(kAll16, u0, u1, 0x88));
    _mm512_storeu_si512(dst + 16, _mm512_maskz_shuffle_i32x4(kAll16, u0, u1, 0xDD));
    _mm512_storeu_si512(dst + 32, _mm512_maskz_shuffle_i32x4(kAll16, u2, u3, 0x88));
    _mm512_storeu_si512(dst + 48, _mm512_maskz_shuffle_i32x4(kAll16, u2, u3, 0xDD));
  }
  return i;
}

}  // namespace
#endif

void CounterRng::blocks(uint64_t first, uint64_t n, std::array<uint32_t, 4>* out) const {
  uint64_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (host_has_avx512f()) i = philox_blocks_avx512(seed_, stream_, first, n, out);
#endif
#if defined(__AVX2__)
  // The rounds of philox4x32_10 on eight counters, one 32-bit word of each per lane. A
  // 32 x 32 -> 64 product takes the even lanes (_mm256_mul_epu32), then the odd ones shifted down.
  const auto mulhilo = [](__m256i a, __m256i m, __m256i& hi, __m256i& lo) {
    const __m256i even = _mm256_mul_epu32(a, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  };
  const __m256i m0 = _mm256_set1_epi32(static_cast<int32_t>(kMul0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int32_t>(kMul1));
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (; i + 8 <= n; i += 8) {
    const uint64_t base = first + i;
    __m256i c0, c1;
    if ((base >> 32) == ((base + 7) >> 32)) {  // the high index word is the same in all lanes
      c0 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(base)), lane);
      c1 = _mm256_set1_epi32(static_cast<int32_t>(base >> 32));
    } else {
      alignas(32) uint32_t lo[8], hi[8];
      for (int l = 0; l < 8; ++l) {
        lo[l] = static_cast<uint32_t>(base + l);
        hi[l] = static_cast<uint32_t>((base + l) >> 32);
      }
      c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
      c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
    }
    __m256i c2 = _mm256_set1_epi32(static_cast<int32_t>(stream_));
    __m256i c3 = _mm256_set1_epi32(static_cast<int32_t>(stream_ >> 32));
    auto k0 = static_cast<uint32_t>(seed_), k1 = static_cast<uint32_t>(seed_ >> 32);
    for (int round = 0; round < 10; ++round) {
      __m256i hi0, lo0, hi1, lo1;
      mulhilo(c0, m0, hi0, lo0);
      mulhilo(c2, m1, hi1, lo1);
      c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(static_cast<int32_t>(k0)));
      c1 = lo1;
      c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(static_cast<int32_t>(k1)));
      c3 = lo0;
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    alignas(32) uint32_t w[4][8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[0]), c0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[1]), c1);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[2]), c2);
    _mm256_store_si256(reinterpret_cast<__m256i*>(w[3]), c3);
    for (int l = 0; l < 8; ++l) out[i + l] = {w[0][l], w[1][l], w[2][l], w[3][l]};
  }
#endif
  for (; i < n; ++i) out[i] = block(first + i);
}

uint64_t CounterRng::bits64(uint64_t index) const {
  const auto b = block(index);
  return (static_cast<uint64_t>(b[1]) << 32) | b[0];
}

double CounterRng::uniform(uint64_t index) const {
  return static_cast<double>(bits64(index) >> 11) * 0x1.0p-53;
}

double CounterRng::normal(uint64_t index) const {
  const auto b = block(index);
  const uint64_t w0 = (static_cast<uint64_t>(b[1]) << 32) | b[0];
  const uint64_t w1 = (static_cast<uint64_t>(b[3]) << 32) | b[2];
  // u1 in (0, 1] so that log(u1) is finite.
  const double u1 = (static_cast<double>(w0 >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(w1 >> 11) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

namespace {

// Doornik (2005), "An improved ziggurat method to generate normal random samples": 128
// layers of equal area v under exp(-x^2 / 2); x[0] = v / f(r) is the base layer's width
// (rectangle plus tail), x[1] = r, x[128] = 0; ratio[i] = x[i + 1] / x[i].
constexpr int kZigLayers = 128;
constexpr double kZigR = 3.442619855899;
constexpr double kZigV = 9.91256303526217e-3;

struct ZigguratTables {
  double x[kZigLayers + 1];
  double ratio[kZigLayers];
  ZigguratTables() {
    double f = std::exp(-0.5 * kZigR * kZigR);
    x[0] = kZigV / f;
    x[1] = kZigR;
    x[kZigLayers] = 0.0;
    for (int i = 2; i < kZigLayers; ++i) {
      x[i] = std::sqrt(-2.0 * std::log(kZigV / x[i - 1] + f));
      f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < kZigLayers; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

const ZigguratTables& ziggurat_tables() {
  static const ZigguratTables tables;  // thread-safe initialization (C++11)
  return tables;
}

uint64_t low64(const std::array<uint32_t, 4>& b) { return (static_cast<uint64_t>(b[1]) << 32) | b[0]; }
uint64_t high64(const std::array<uint32_t, 4>& b) { return (static_cast<uint64_t>(b[3]) << 32) | b[2]; }
double unit_open0(uint64_t w) { return (static_cast<double>(w >> 11) + 1.0) * 0x1.0p-53; }  // (0, 1]
double unit_open1(uint64_t w) { return static_cast<double>(w >> 11) * 0x1.0p-53; }          // [0, 1)

}  // namespace

double CounterRng::normal_ziggurat(uint64_t index) const { return normal_ziggurat(index, block(index)); }

double CounterRng::normal_ziggurat(uint64_t index, const std::array<uint32_t, 4>& first_block) const {
  const ZigguratTables& z = ziggurat_tables();
  // Block k >= 1 of this index: the same counter under another key (see the header).
  const auto extra_block = [&](uint64_t k) {
    const uint64_t key = seed_ + k * 0x9E3779B97F4A7C15ull;
    return philox4x32_10({static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                          static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)},
                         {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)});
  };
  uint64_t k = 0;
  for (;;) {
    const std::array<uint32_t, 4> b = k == 0 ? first_block : extra_block(k);
    ++k;
    const uint64_t w = low64(b);
    const int i = static_cast<int>(w & (kZigLayers - 1));  // the layer: the low 7 bits
    const double u = 2.0 * unit_open1(w) - 1.0;            // the position: the top 53 bits
    if (std::fabs(u) < z.ratio[i]) return u * z.x[i];      // inside the layer's rectangle
    if (i == 0) {  // the tail beyond r (Marsaglia 1964)
      for (;;) {
        const std::array<uint32_t, 4> t = extra_block(k++);
        const double x = std::log(unit_open0(low64(t))) / kZigR;
        const double y = std::log(unit_open0(high64(t)));
        if (-2.0 * y >= x * x) return u < 0.0 ? x - kZigR : kZigR - x;
      }
    }
    // A wedge: accept under the density between the layer's edges.
    const double x = u * z.x[i];
    const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - x * x));
    const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - x * x));
    if (f1 + unit_open1(high64(b)) * (f0 - f1) < 1.0) return x;
  }
}

void CounterRng::normals_ziggurat(uint64_t first, uint64_t n, const std::array<uint32_t, 4>* b,
                                  double* out) const {
  uint64_t i = 0;
#if defined(__AVX2__)
  const ZigguratTables& z = ziggurat_tables();
  // The one-block path of normal_ziggurat on four draws: layer i = the low 7 bits, u = 2 (the top
  // 53 bits 2^-53) - 1, accepted when |u| < ratio[i], then u x[i]. A 53-bit integer becomes a
  // double exactly as (high 21 bits) 2^32 + (low 32 bits), each through the 2^52 bias trick.
  const __m256i layer_mask = _mm256_set1_epi64x(kZigLayers - 1);
  const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFFll);
  const __m256i bias_bits = _mm256_set1_epi64x(0x4330000000000000ll);  // 2^52
  const __m256d bias = _mm256_set1_pd(0x1.0p52);
  const __m256d two32 = _mm256_set1_pd(0x1.0p32);
  const __m256d lsb = _mm256_set1_pd(0x1.0p-53);
  const __m256d two = _mm256_set1_pd(2.0);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d sign = _mm256_set1_pd(-0.0);
  const auto exact = [&](__m256i v) {  // v < 2^52
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(v, bias_bits)), bias);
  };
  for (; i + 4 <= n; i += 4) {
    // The four blocks' low 64 bits (x86 is little-endian): two loads, not four scalars through
    // the stack (a store-forwarding stall; a quarter of a drift event's time, issue 23).
    const __m256i b01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i b23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 2));
    const __m256i w = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(b01, b23), 0xD8);
    const __m256i layer = _mm256_and_si256(w, layer_mask);
    const __m256i top = _mm256_srli_epi64(w, 11);
    const __m256d bits = _mm256_add_pd(_mm256_mul_pd(exact(_mm256_srli_epi64(top, 32)), two32),
                                       exact(_mm256_and_si256(top, low32)));
    const __m256d u = _mm256_sub_pd(_mm256_mul_pd(two, _mm256_mul_pd(bits, lsb)), one);
    const __m256d ratio = _mm256_i64gather_pd(z.ratio, layer, 8);
    const __m256d x = _mm256_i64gather_pd(z.x, layer, 8);
    _mm256_storeu_pd(out + i, _mm256_mul_pd(u, x));
    const int inside = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_andnot_pd(sign, u), ratio, _CMP_LT_OQ));
    if (inside != 0xF)
      for (uint64_t l = 0; l < 4; ++l)
        if ((inside >> l & 1) == 0) out[i + l] = normal_ziggurat(first + i + l, b[i + l]);
  }
#endif
  for (; i < n; ++i) out[i] = normal_ziggurat(first + i, b[i]);
}

uint64_t RngCursor::below(uint64_t n) {
  // Lemire (2019), "Fast random integer generation in an interval": multiply-shift
  // with rejection of the biased low region.
  uint64_t x = bits64();
  u128 m = static_cast<u128>(x) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = bits64();
      m = static_cast<u128>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

}  // namespace lrt
