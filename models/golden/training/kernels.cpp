#include "golden/training/kernels.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "golden/training/quant_flow.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace lrt::golden::kern {

void im2col3x3(const TensorShape& in, const int16_t* x, int16_t* cols) {
  const int oh = in.h - 2, ow = in.w - 2, c = in.c;
  const int64_t row_len = 9 * static_cast<int64_t>(c);
  for (int y = 0; y < oh; ++y)
    for (int xo = 0; xo < ow; ++xo) {
      int16_t* dst = cols + (static_cast<int64_t>(y) * ow + xo) * row_len;
      for (int ky = 0; ky < 3; ++ky) {
        // The three taps of one kernel row are contiguous in HWC: one copy of 3c values.
        const int16_t* src = x + ((static_cast<int64_t>(y) + ky) * in.w + xo) * c;
        std::memcpy(dst + ky * 3 * c, src, sizeof(int16_t) * 3 * static_cast<size_t>(c));
      }
    }
}

namespace {

// RM rows of A against RN rows of B, RM x RN independent sums over k: GCC vectorizes each
// into pairwise 16x16->32 multiply-adds (vpmaddwd at the x86-64-v3 target), and the
// independent sums hide the multiply-add latency while every loaded A and B vector is used RN
// or RM times. 4x3: twelve accumulators and four rows of A fit AVX2's sixteen registers; 4x4's
// sixteen accumulators did not, and six of them went through the stack every step
// (BM_GemmNt at conv2's shape, one thread: 87-89 -> 100-109 GMAC/s; docs/performance.md).
template <int RM, int RN>
inline void micro(int k, const int16_t* a, const int16_t* b, int32_t* c, int ldc) {
  int32_t acc[RM][RN] = {};
  for (int i = 0; i < k; ++i)
    for (int r = 0; r < RM; ++r)
      for (int s = 0; s < RN; ++s)
        acc[r][s] += static_cast<int32_t>(a[static_cast<int64_t>(r) * k + i]) *
                     static_cast<int32_t>(b[static_cast<int64_t>(s) * k + i]);
  for (int r = 0; r < RM; ++r)
    for (int s = 0; s < RN; ++s) c[static_cast<int64_t>(r) * ldc + s] = acc[r][s];
}

template <int RM>
inline void gemm_rows(int n, int k, const int16_t* a, const int16_t* b, int32_t* c) {
  int j = 0;
  for (; j + 3 <= n; j += 3) micro<RM, 3>(k, a, b + static_cast<int64_t>(j) * k, c + j, n);
  for (; j < n; ++j) micro<RM, 1>(k, a, b + static_cast<int64_t>(j) * k, c + j, n);
}

}  // namespace

void gemm_nt(int m, int n, int k, const int16_t* a, const int16_t* b, int32_t* c) {
  int i = 0;
  for (; i + 4 <= m; i += 4)
    gemm_rows<4>(n, k, a + static_cast<int64_t>(i) * k, b, c + static_cast<int64_t>(i) * n);
  for (; i < m; ++i) gemm_rows<1>(n, k, a + static_cast<int64_t>(i) * k, b, c + static_cast<int64_t>(i) * n);
}

ConvBackwardScratch::ConvBackwardScratch(int pairs, int c_out, int k)
    : dz_rows(static_cast<size_t>(pairs) * c_out),
      pixel(static_cast<size_t>(pairs)),
      dcols(static_cast<size_t>(pairs) * k),
      w_rows(static_cast<size_t>(c_out) * k) {}

void gemm_nt_parallel(ThreadPool* pool, int m, int n, int k, const int16_t* a, const int16_t* b, int32_t* c) {
  // Below about 64 k-long dot products per block the hand-off costs more than it saves.
  constexpr int64_t kMinWork = 64;
  if (pool == nullptr || pool->threads() == 1 || int64_t{m} * n < 2 * kMinWork) {
    gemm_nt(m, n, k, a, b, c);
    return;
  }
  const int64_t parts = 4 * int64_t{pool->threads()};  // a few blocks per thread, for balance
  if (m > 1) {
    const int rows = static_cast<int>(std::max<int64_t>((m + parts - 1) / parts, (kMinWork + n - 1) / n));
    pool->parallel_for((m + rows - 1) / rows, [&](int64_t blk) {
      const int r0 = static_cast<int>(blk) * rows, r = std::min(rows, m - r0);
      gemm_nt(r, n, k, a + static_cast<int64_t>(r0) * k, b, c + static_cast<int64_t>(r0) * n);
    });
  } else {
    const int cols = static_cast<int>(std::max<int64_t>((n + parts - 1) / parts, kMinWork));
    pool->parallel_for((n + cols - 1) / cols, [&](int64_t blk) {
      const int c0 = static_cast<int>(blk) * cols, w = std::min(cols, n - c0);
      gemm_nt(1, w, k, a, b + static_cast<int64_t>(c0) * k, c + c0);
    });
  }
}

namespace {

// The output pixels of dz with a non-zero gradient, their rows gathered into scratch.dz_rows;
// `nonzero` counts dz's non-zero entries.
int gather_gradient_rows(int pairs, int c_out, const int16_t* dz, ConvBackwardScratch& scratch,
                         int64_t& nonzero) {
  int m = 0;
  nonzero = 0;
  for (int p = 0; p < pairs; ++p) {
    const int16_t* g = dz + static_cast<int64_t>(p) * c_out;
    int count = 0;
    for (int co = 0; co < c_out; ++co) count += g[co] != 0;
    nonzero += count;
    if (count == 0) continue;
    std::memcpy(scratch.dz_rows.data() + static_cast<int64_t>(m) * c_out, g,
                sizeof(int16_t) * static_cast<size_t>(c_out));
    scratch.pixel[static_cast<size_t>(m)] = p;
    ++m;
  }
  return m;
}

// col2im: dx = sum of the m gathered pixels' dcols rows over their 3x3 windows.
void scatter_columns(const TensorShape& in, int m, const ConvBackwardScratch& scratch, int32_t* dx) {
  const int ow = in.w - 2, c = in.c, k = 9 * in.c;
  std::fill(dx, dx + in.size(), 0);
  for (int j = 0; j < m; ++j) {
    const int p = scratch.pixel[static_cast<size_t>(j)];
    const int y = p / ow, xo = p % ow;
    const int32_t* src = scratch.dcols.data() + static_cast<int64_t>(j) * k;
    for (int ky = 0; ky < 3; ++ky) {
      // The three taps of a kernel row cover 3c contiguous input values (HWC).
      int32_t* d = dx + ((static_cast<int64_t>(y) + ky) * in.w + xo) * c;
      const int32_t* s = src + ky * 3 * c;
      for (int i = 0; i < 3 * c; ++i) d[i] += s[i];
    }
  }
}

}  // namespace

namespace {

// out[j] = sum over the nnz listed channels c of dz[c] w_rows[c * ld + j], j < k.
void listed_row_products(int nnz, const int* channels, int k, int64_t ld, const int16_t* dz,
                         const int16_t* w_rows, int32_t* out) {
  int j = 0;
#if defined(__AVX2__)
  // Two channels at a time: their weight rows interleaved (unpack) against the pair of dz
  // values (one 32-bit broadcast), so that one vpmaddwd makes 8 outputs of both; a block of
  // 16 x `kVecs` outputs stays in registers over all the channels. The unpacks work within
  // 128-bit lanes: `lo` holds outputs 0-3 and 8-11 of 16, `hi` 4-7 and 12-15.
  const auto block = [&](auto vecs) {
    constexpr int kVecs = decltype(vecs)::value;
    for (; j + 16 * kVecs <= k; j += 16 * kVecs) {
      __m256i lo[kVecs], hi[kVecs];
      for (int q = 0; q < kVecs; ++q) lo[q] = hi[q] = _mm256_setzero_si256();
      for (int t = 0; t < nnz; t += 2) {
        const int c1 = channels[t];
        const bool two = t + 1 < nnz;
        const int c2 = two ? channels[t + 1] : c1;
        const uint32_t pair =
            static_cast<uint16_t>(dz[c1]) | (two ? uint32_t{static_cast<uint16_t>(dz[c2])} << 16 : 0u);
        const __m256i v = _mm256_set1_epi32(static_cast<int32_t>(pair));
        const int16_t* r1 = w_rows + c1 * ld + j;
        const int16_t* r2 = w_rows + c2 * ld + j;
        for (int q = 0; q < kVecs; ++q) {
          const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r1 + 16 * q));
          const __m256i w2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r2 + 16 * q));
          lo[q] = _mm256_add_epi32(lo[q], _mm256_madd_epi16(_mm256_unpacklo_epi16(w1, w2), v));
          hi[q] = _mm256_add_epi32(hi[q], _mm256_madd_epi16(_mm256_unpackhi_epi16(w1, w2), v));
        }
      }
      for (int q = 0; q < kVecs; ++q) {
        __m256i* o = reinterpret_cast<__m256i*>(out + j + 16 * q);
        _mm256_storeu_si256(o, _mm256_permute2x128_si256(lo[q], hi[q], 0x20));
        _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(lo[q], hi[q], 0x31));
      }
    }
  };
  block(std::integral_constant<int, 4>{});
  block(std::integral_constant<int, 1>{});
#endif
  for (; j < k; ++j) {
    uint32_t sum = 0;  // modulo 2^32, as the vector lanes
    for (int t = 0; t < nnz; ++t)
      sum += static_cast<uint32_t>(int32_t{dz[channels[t]]} * w_rows[channels[t] * ld + j]);
    out[j] = static_cast<int32_t>(sum);
  }
}

int list_nonzero(int n, const int16_t* x, int* channels) {
  int nnz = 0;
  for (int c = 0; c < n; ++c)
    if (x[c] != 0) channels[nnz++] = c;
  return nnz;
}

}  // namespace

void sparse_row_product(int c_out, int k, const int16_t* dz, const int16_t* w_rows, int32_t* out,
                        int* channels) {
  listed_row_products(list_nonzero(c_out, dz, channels), channels, k, k, dz, w_rows, out);
}

void vector_matrix(ThreadPool* pool, int n_i, int n_o, const int16_t* x, const int16_t* w, int32_t* out,
                   std::vector<int>& channels) {
  if (channels.size() < static_cast<size_t>(n_i)) channels.resize(static_cast<size_t>(n_i));
  const int nnz = list_nonzero(n_i, x, channels.data());
  // Blocks of 128 outputs (multiples of the vector blocks); a hand-off only for wide layers.
  constexpr int kBlock = 128, kMinParallel = 4 * kBlock;
  if (pool == nullptr || pool->threads() == 1 || n_o < kMinParallel) {
    listed_row_products(nnz, channels.data(), n_o, n_o, x, w, out);
    return;
  }
  pool->parallel_for((n_o + kBlock - 1) / kBlock, [&](int64_t b) {
    const int first = static_cast<int>(b) * kBlock, count = std::min(kBlock, n_o - first);
    listed_row_products(nnz, channels.data(), count, n_o, x, w + first, out + first);
  });
}

namespace {

// The m gathered rows of dcols as sparse_row_products, from wt transposed into the scratch.
void sparse_columns(ThreadPool* pool, int m, int c_out, int k, const int16_t* wt,
                    ConvBackwardScratch& scratch) {
  transpose_i16(k, c_out, wt, scratch.w_rows.data());
  const auto rows = [&](int first, int last) {
    constexpr int kOnStack = 1024;  // channel lists of wider layers on the heap, once a task
    int on_stack[kOnStack];
    std::vector<int> on_heap(c_out > kOnStack ? static_cast<size_t>(c_out) : 0);
    int* channels = c_out > kOnStack ? on_heap.data() : on_stack;
    for (int j = first; j < last; ++j)
      sparse_row_product(c_out, k, scratch.dz_rows.data() + static_cast<int64_t>(j) * c_out,
                         scratch.w_rows.data(), scratch.dcols.data() + static_cast<int64_t>(j) * k, channels);
  };
  constexpr int kRowsPerTask = 16;  // a task of about 16 x 15 channel rows of 1152 products
  if (pool == nullptr || pool->threads() == 1 || m < 2 * kRowsPerTask) {
    rows(0, m);
    return;
  }
  pool->parallel_for((m + kRowsPerTask - 1) / kRowsPerTask, [&](int64_t t) {
    const int first = static_cast<int>(t) * kRowsPerTask;
    rows(first, std::min(m, first + kRowsPerTask));
  });
}

// Gather the pixels with a gradient, their dcols rows by the dense GEMM or (when allowed and at
// most half the gathered entries are non-zero) by row products, then col2im.
void backward_data(const TensorShape& in, int c_out, const int16_t* dz, const int16_t* wt, int32_t* dx,
                   ConvBackwardScratch& scratch, ThreadPool* pool, bool sparse_allowed) {
  const int k = 9 * in.c;
  int64_t nonzero = 0;
  const int m = gather_gradient_rows((in.h - 2) * (in.w - 2), c_out, dz, scratch, nonzero);
  // The row products cost about 1.7 times the dense GEMM's per multiply-accumulate
  // (BM_Conv3x3BackwardData): above half the gathered entries non-zero, the GEMM is cheaper.
  if (sparse_allowed && 2 * nonzero <= int64_t{m} * c_out)
    sparse_columns(pool, m, c_out, k, wt, scratch);
  else
    gemm_nt_parallel(pool, m, k, c_out, scratch.dz_rows.data(), wt, scratch.dcols.data());
  scatter_columns(in, m, scratch, dx);
}

}  // namespace

void conv3x3_backward_data(const TensorShape& in, int c_out, const int16_t* dz, const int16_t* wt,
                           int32_t* dx, ConvBackwardScratch& scratch, ThreadPool* pool) {
  backward_data(in, c_out, dz, wt, dx, scratch, pool, true);
}

void conv3x3_backward_data_dense(const TensorShape& in, int c_out, const int16_t* dz, const int16_t* wt,
                                 int32_t* dx, ConvBackwardScratch& scratch, ThreadPool* pool) {
  backward_data(in, c_out, dz, wt, dx, scratch, pool, false);
}

#if defined(__AVX2__)
namespace {

// Eight int32 lanes holding int16 values as eight codes at out (pack within the 128-bit lanes,
// the two halves in order).
void store8_codes(__m256i z, int16_t* out) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm_packs_epi32(_mm256_castsi256_si128(z), _mm256_extracti128_si256(z, 1)));
}

// Eight lanes of all ones or zeros as eight flag bytes, 1 or 0, at out.
void store8_flags(__m256i mask, uint8_t* out) {
  const __m128i f16 = _mm_packs_epi32(_mm256_castsi256_si128(mask), _mm256_extracti128_si256(mask, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out),
                   _mm_and_si128(_mm_packs_epi16(f16, f16), _mm_set1_epi8(1)));
}

}  // namespace
#endif

void activation_forward(size_t n, const int16_t* in, bool relu, int shift, int64_t lo, int64_t hi,
                        int16_t* out, uint8_t* pass) {
  const ShiftQuantizer q{shift, lo, hi};
  size_t i = 0;
#if defined(__AVX2__)
  // |x| < 2^15 and |shift| <= 16: x + 2^(shift-1) and x 2^-shift fit 32 bits, and so do lo, hi.
  if (shift >= -16 && shift <= 16 && lo >= INT16_MIN && hi <= INT16_MAX) {
    const __m256i zero = _mm256_setzero_si256(), ones = _mm256_set1_epi32(-1);
    const __m256i lo_v = _mm256_set1_epi32(static_cast<int32_t>(lo)),
                  hi_v = _mm256_set1_epi32(static_cast<int32_t>(hi));
    const __m256i half = _mm256_set1_epi32(shift > 0 ? int32_t{1} << (shift - 1) : 0);
    const __m128i right = _mm_cvtsi32_si128(std::max(shift, 0)),
                  left = _mm_cvtsi32_si128(std::max(-shift, 0));
    for (; i + 8 <= n; i += 8) {
      const __m256i v = _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)));
      const __m256i x = relu ? _mm256_max_epi32(v, zero) : v;
      const __m256i r = _mm256_sll_epi32(_mm256_sra_epi32(_mm256_add_epi32(x, half), right), left);
      const __m256i clipped = _mm256_or_si256(_mm256_cmpgt_epi32(lo_v, r), _mm256_cmpgt_epi32(r, hi_v));
      __m256i passes = _mm256_andnot_si256(clipped, ones);
      if (relu) passes = _mm256_and_si256(passes, _mm256_cmpgt_epi32(v, zero));
      store8_codes(_mm256_min_epi32(_mm256_max_epi32(r, lo_v), hi_v), out + i);
      store8_flags(passes, pass + i);
    }
  }
#endif
  for (; i < n; ++i) {
    const int64_t x = relu && in[i] < 0 ? 0 : in[i];
    bool clipped = false;
    out[i] = static_cast<int16_t>(q(x, &clipped));
    pass[i] = !clipped && (!relu || in[i] > 0);
  }
}

void activation_backward(size_t n, const uint8_t* pass, const int16_t* dout, int16_t* din) {
  // pass[i] is 0 or 1: 0 - pass[i] is the all-zeros or all-ones mask of dout[i].
  for (size_t i = 0; i < n; ++i) din[i] = static_cast<int16_t>(dout[i] & -static_cast<int16_t>(pass[i]));
}

uint64_t requantize_rows(int pairs, int n_o, const int32_t* acc, int shift, const int32_t* b, int64_t lo,
                         int64_t hi, int16_t* out, uint8_t* clipped) {
  uint64_t count = 0;
  const auto one = [&](size_t i, int o) {
    const int64_t r = round_shift(acc[i], shift) + b[o];
    const bool c = r < lo || r > hi;
    clipped[i] = c;
    count += c;
    out[i] = static_cast<int16_t>(saturate(r, lo, hi));
  };
  constexpr int64_t kLimit = int64_t{1} << 30;
  bool narrow =
      shift >= 1 && shift <= 31 && lo >= INT16_MIN && hi <= INT16_MAX;  // codes pack to int16 as cast
  for (int o = 0; narrow && o < n_o; ++o) narrow = b[o] > -kLimit && b[o] < kLimit;
  for (int p = 0; p < pairs; ++p) {
    const size_t row = static_cast<size_t>(p) * n_o;
    int o = 0;
#if defined(__AVX2__)
    if (narrow) {
      // floor(acc 2^-s + 1/2) = (acc >> s) + bit s-1 of acc, in 32 bits (no carry out);
      // |that| <= 2^30 and |b| < 2^30, so the sum fits too.
      const __m128i s = _mm_cvtsi32_si128(shift), s1 = _mm_cvtsi32_si128(shift - 1);
      const __m256i lo_v = _mm256_set1_epi32(static_cast<int32_t>(lo)),
                    hi_v = _mm256_set1_epi32(static_cast<int32_t>(hi));
      const __m256i one_v = _mm256_set1_epi32(1);
      __m256i clips = _mm256_setzero_si256();
      for (; o + 8 <= n_o; o += 8) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + row + o));
        const __m256i rounded =
            _mm256_add_epi32(_mm256_sra_epi32(a, s), _mm256_and_si256(_mm256_sra_epi32(a, s1), one_v));
        const __m256i r =
            _mm256_add_epi32(rounded, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + o)));
        const __m256i out_of =
            _mm256_or_si256(_mm256_cmpgt_epi32(lo_v, r), _mm256_cmpgt_epi32(r, hi_v));  // -1 where clipped
        clips = _mm256_sub_epi32(clips, out_of);
        store8_codes(_mm256_min_epi32(_mm256_max_epi32(r, lo_v), hi_v), out + row + o);
        store8_flags(out_of, clipped + row + o);
      }
      alignas(32) uint32_t lanes[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), clips);
      for (uint32_t c : lanes) count += c;
    }
#endif
    for (; o < n_o; ++o) one(row + static_cast<size_t>(o), o);
  }
  return count;
}

void weight_gradient(int pairs, int n_o, int k, const int16_t* dz, const int16_t* a, int32_t* g) {
  std::fill(g, g + static_cast<int64_t>(n_o) * k, 0);
  for (int p = 0; p < pairs; ++p) {
    const int16_t* dzp = dz + static_cast<int64_t>(p) * n_o;
    const int16_t* ap = a + static_cast<int64_t>(p) * k;
    for (int o = 0; o < n_o; ++o) {
      const int32_t d = dzp[o];
      if (d == 0) continue;
      int32_t* gr = g + static_cast<int64_t>(o) * k;
      for (int i = 0; i < k; ++i) gr[i] += d * static_cast<int32_t>(ap[i]);
    }
  }
}

void column_sum(int m, int n, const int16_t* a, int32_t* c) {
  std::fill(c, c + n, 0);
  for (int p = 0; p < m; ++p) {
    const int16_t* row = a + static_cast<int64_t>(p) * n;
    for (int j = 0; j < n; ++j) c[j] += row[j];
  }
}

void gemm_nt_wide(int m, int n, int k, const int16_t* a, const int16_t* b, int64_t* c) {
  for (int i = 0; i < m; ++i) {
    const int16_t* ar = a + static_cast<int64_t>(i) * k;
    int64_t* cr = c + static_cast<int64_t>(i) * n;
    for (int j = 0; j < n; ++j) {
      const int16_t* br = b + static_cast<int64_t>(j) * k;
      int64_t s = 0;
      for (int t = 0; t < k; ++t) s += int64_t{ar[t]} * br[t];
      cr[j] = s;
    }
  }
}

void gemm_nt_wide_parallel(ThreadPool* pool, int m, int n, int k, const int16_t* a, const int16_t* b, int64_t* c) {
  // An LRT update's L R^T (fc1: 512 x 2048 sums of rank products, 8 MB of int64) runs while
  // nothing else does: split it when it is that large.
  constexpr int64_t kMinOutputs = 65536;
  if (pool == nullptr || pool->threads() == 1 || int64_t{m} * n < kMinOutputs) {
    gemm_nt_wide(m, n, k, a, b, c);
    return;
  }
  const int64_t parts = 2 * int64_t{pool->threads()};
  const int rows = static_cast<int>((m + parts - 1) / parts);
  pool->parallel_for((m + rows - 1) / rows, [&](int64_t blk) {
    const int r0 = static_cast<int>(blk) * rows, r = std::min(rows, m - r0);
    gemm_nt_wide(r, n, k, a + static_cast<int64_t>(r0) * k, b, c + static_cast<int64_t>(r0) * n);
  });
}

namespace {

#if defined(__AVX2__)
// The 8 x 8 block at src (row stride `cols`) into dst (row stride `rows`), transposed: three
// rounds of interleaving (16-, 32-, 64-bit), the classic SSE2 transpose.
void transpose8x8_i16(const int16_t* src, std::size_t cols, int16_t* dst, std::size_t rows) {
  const auto row = [&](std::size_t i) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i * cols));
  };
  const __m128i a0 = row(0), a1 = row(1), a2 = row(2), a3 = row(3), a4 = row(4), a5 = row(5), a6 = row(6),
                a7 = row(7);
  const __m128i t0 = _mm_unpacklo_epi16(a0, a1), t1 = _mm_unpackhi_epi16(a0, a1);
  const __m128i t2 = _mm_unpacklo_epi16(a2, a3), t3 = _mm_unpackhi_epi16(a2, a3);
  const __m128i t4 = _mm_unpacklo_epi16(a4, a5), t5 = _mm_unpackhi_epi16(a4, a5);
  const __m128i t6 = _mm_unpacklo_epi16(a6, a7), t7 = _mm_unpackhi_epi16(a6, a7);
  const __m128i u0 = _mm_unpacklo_epi32(t0, t2), u1 = _mm_unpackhi_epi32(t0, t2);
  const __m128i u2 = _mm_unpacklo_epi32(t1, t3), u3 = _mm_unpackhi_epi32(t1, t3);
  const __m128i u4 = _mm_unpacklo_epi32(t4, t6), u5 = _mm_unpackhi_epi32(t4, t6);
  const __m128i u6 = _mm_unpacklo_epi32(t5, t7), u7 = _mm_unpackhi_epi32(t5, t7);
  const auto put = [&](std::size_t j, __m128i v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + j * rows), v);
  };
  put(0, _mm_unpacklo_epi64(u0, u4));
  put(1, _mm_unpackhi_epi64(u0, u4));
  put(2, _mm_unpacklo_epi64(u1, u5));
  put(3, _mm_unpackhi_epi64(u1, u5));
  put(4, _mm_unpacklo_epi64(u2, u6));
  put(5, _mm_unpackhi_epi64(u2, u6));
  put(6, _mm_unpacklo_epi64(u3, u7));
  put(7, _mm_unpackhi_epi64(u3, u7));
}
#endif

constexpr int kTransposeTile = 32;

// transpose_i16 for the source rows [r_begin, r_end) (r_begin a multiple of the tile): they
// become the destination's columns [r_begin, r_end), which no other range writes.
void transpose_rows_i16(int rows, int cols, const int16_t* src, int16_t* dst, int r_begin, int r_end) {
  constexpr int kTile = kTransposeTile;
  const auto r_n = static_cast<std::size_t>(rows), c_n = static_cast<std::size_t>(cols);
  [[maybe_unused]] alignas(64) int16_t tile[kTile * kTile];
  for (int r0 = r_begin; r0 < r_end; r0 += kTile)
    for (int c0 = 0; c0 < cols; c0 += kTile) {
      const int r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
#if defined(__AVX2__)
      if (r1 - r0 == kTile && c1 - c0 == kTile) {
        // A whole tile through a buffer: its 8 x 8 blocks into the buffer, then each output row
        // in one piece. Written straight to dst, power-of-two strides (2048 x 512) make the
        // blocks' loads and stores alias and run three times slower.
        for (int c = 0; c < kTile; c += 8)
          for (int r = 0; r < kTile; r += 8)
            transpose8x8_i16(src + static_cast<std::size_t>(r0 + r) * c_n + static_cast<std::size_t>(c0 + c),
                             c_n, tile + c * kTile + r, kTile);
        for (int c = 0; c < kTile; ++c)
          std::memcpy(dst + static_cast<std::size_t>(c0 + c) * r_n + static_cast<std::size_t>(r0),
                      tile + c * kTile, sizeof tile / kTile);
        continue;
      }
#endif
      for (int c = c0; c < c1; ++c) {
        int16_t* out = dst + static_cast<std::size_t>(c) * r_n;
        for (int r = r0; r < r1; ++r) out[r] = src[static_cast<std::size_t>(r) * c_n + c];
      }
    }
}

}  // namespace

void transpose_i16(int rows, int cols, const int16_t* src, int16_t* dst) {
  transpose_rows_i16(rows, cols, src, dst, 0, rows);
}

void transpose_i16_parallel(ThreadPool* pool, int rows, int cols, const int16_t* src, int16_t* dst) {
  constexpr int64_t kMinCells = 65536;  // below this a hand-off costs more than it saves
  if (pool == nullptr || pool->threads() == 1 || int64_t{rows} * cols < kMinCells) {
    transpose_i16(rows, cols, src, dst);
    return;
  }
  const int64_t tiles = (rows + kTransposeTile - 1) / kTransposeTile;
  const int64_t parts = std::min<int64_t>(tiles, 2 * int64_t{pool->threads()});
  const int64_t per = (tiles + parts - 1) / parts;  // tile rows a part
  pool->parallel_for(parts, [&](int64_t p) {
    const auto begin = static_cast<int>(std::min<int64_t>(rows, p * per * kTransposeTile));
    const auto end = static_cast<int>(std::min<int64_t>(rows, (p + 1) * per * kTransposeTile));
    transpose_rows_i16(rows, cols, src, dst, begin, end);
  });
}

void maxpool2_forward(const TensorShape& in, const int16_t* x, int16_t* y, int32_t* argmax) {
  const int oh = in.h / 2, ow = in.w / 2, c = in.c;
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      int ch = 0;
#if defined(__AVX2__)
      // Sixteen channels a step: the window's four inputs in the scalar loop's order, each
      // taken where strictly larger (a tie keeps the earlier), and which one (0..3) picks its
      // index offset out of {0, c, w c, w c + c}.
      const int64_t base = (2 * static_cast<int64_t>(oy) * in.w + 2 * ox) * c;
      const int64_t row = static_cast<int64_t>(in.w) * c;
      if (base + row + 2 * c <= INT32_MAX) {
        const int64_t at[4] = {base, base + c, base + row, base + row + c};
        const __m256i offsets =
            _mm256_setr_epi32(0, c, static_cast<int32_t>(row), static_cast<int32_t>(row + c), 0, 0, 0, 0);
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (; ch + 16 <= c; ch += 16) {
          __m256i best = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + at[0] + ch));
          __m256i which = _mm256_setzero_si256();
          for (int k = 1; k < 4; ++k) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + at[k] + ch));
            const __m256i larger = _mm256_cmpgt_epi16(v, best);
            best = _mm256_blendv_epi8(best, v, larger);
            which = _mm256_blendv_epi8(which, _mm256_set1_epi16(static_cast<int16_t>(k)), larger);
          }
          const int64_t o = (static_cast<int64_t>(oy) * ow + ox) * c + ch;
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + o), best);
          const __m256i first = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(base + ch)), lanes);
          const __m256i low = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(which));
          const __m256i high = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(which, 1));
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(argmax + o),
                              _mm256_add_epi32(first, _mm256_permutevar8x32_epi32(offsets, low)));
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(argmax + o + 8),
                              _mm256_add_epi32(_mm256_add_epi32(first, _mm256_set1_epi32(8)),
                                               _mm256_permutevar8x32_epi32(offsets, high)));
        }
      }
#endif
      for (; ch < c; ++ch) {
        const int64_t o = (static_cast<int64_t>(oy) * ow + ox) * c + ch;
        int64_t best = (2 * static_cast<int64_t>(oy) * in.w + 2 * ox) * c + ch;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            const int64_t i = ((2 * static_cast<int64_t>(oy) + dy) * in.w + 2 * ox + dx) * c + ch;
            if (x[i] > x[best]) best = i;
          }
        y[o] = x[best];
        argmax[o] = static_cast<int32_t>(best);
      }
    }
}

void maxpool2_backward(int64_t in_size, int64_t out_size, const int32_t* argmax, const int16_t* dy,
                       int16_t* dx) {
  std::fill(dx, dx + in_size, int16_t{0});
  // Windows do not overlap, so each input receives at most one value: no rounding.
  for (int64_t o = 0; o < out_size; ++o) dx[argmax[o]] = dy[o];
}

}  // namespace lrt::golden::kern
