#pragma once
// The integer MAC loops of the golden engine. Operands are 8-bit codes held in int16 (so
// the compiler can use pairwise 16x16->32 multiply-adds); accumulators are int32 and the
// caller guarantees, by the bounds checked when the engine is built, that no sum can leave
// int32 (docs/golden_engine.md, "Widths"). Integer sums do not depend on the order of
// additions, so any later parallelization over output channels or pixels gives the same
// bits. No allocation happens here: callers pass every buffer.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "golden/training/network.h"

namespace lrt::golden::kern {

/// @brief 3x3 valid im2col of an HWC map: row p = y * out_w + x of `cols` (P x 9c) holds
/// the patch in (ky, kx, ci) order, matching conv weights [c_out][ky][kx][ci].
void im2col3x3(const TensorShape& in, const int16_t* x, int16_t* cols);

/// @brief C[m][n] = sum_k A[m][k] * B[n][k] for row-major A (M x K), B (N x K), C (M x N).
void gemm_nt(int m, int n, int k, const int16_t* a, const int16_t* b, int32_t* c);

/// @brief gemm_nt spread over `pool` (null: gemm_nt): blocks of rows of C, or, for a single
/// row, blocks of its columns; every C element is computed exactly as gemm_nt does, so the
/// result does not depend on the thread count.
void gemm_nt_parallel(ThreadPool* pool, int m, int n, int k, const int16_t* a, const int16_t* b, int32_t* c);

/// @brief Scratch of conv3x3_backward_data, sized once for a layer.
struct ConvBackwardScratch {
  std::vector<int16_t> dz_rows;  ///< pairs x c_out: the output pixels with a non-zero gradient
  std::vector<int32_t> pixel;    ///< their pixel indices
  std::vector<int32_t> dcols;    ///< pairs x 9 c_in: their im2col-shaped input gradients
  std::vector<int16_t> w_rows;   ///< c_out x 9 c_in: wt transposed (a channel's weights contiguous)
  ConvBackwardScratch() = default;
  ConvBackwardScratch(int pairs, int c_out, int k);
};

/// @brief Backward data of a 3x3 valid convolution: dx[in] = sum over output pixels and
/// taps of dz[p][co] * w[co][tap][ci], with wt the weights re-laid as [tap][ci][co]:
/// dcols = dz wt^T over the pixels with a non-zero gradient, then col2im. dx (in.size()
/// int32) is overwritten. Max-pool and ReLU leave most of dz zero (88 % in the paper run), so
/// while at most half the gathered entries are non-zero each pixel's row of dcols is the sum of
/// its non-zero channels' weight rows times their dz (sparse_row_product), otherwise a dense
/// GEMM: the same int32 sums (modulo 2^32, in any order).
void conv3x3_backward_data(const TensorShape& in, int c_out, const int16_t* dz, const int16_t* wt,
                           int32_t* dx, ConvBackwardScratch& scratch, ThreadPool* pool = nullptr);

/// @brief out[j] = sum over c < c_out with dz[c] != 0 of dz[c] * w_rows[c][j], j < k, in int32
/// (modulo 2^32, as gemm_nt's sums); w_rows is c_out x k row-major; `channels` has room for
/// c_out indices (scratch).
void sparse_row_product(int c_out, int k, const int16_t* dz, const int16_t* w_rows, int32_t* out,
                        int* channels);

/// @brief out[o] = sum_i x[i] w[i][o] for x (n_i) and row-major w (n_i x n_o): an fc layer's
/// forward on its weights in the cells' order, as the rows of w at x's non-zero entries times
/// them (sparse_row_product), in blocks of outputs on `pool` (null: this thread). The int32 sums
/// of gemm_nt(1, n_o, n_i, x, w transposed) (modulo 2^32, in any order). `channels` is scratch
/// (grown to n_i once a size).
void vector_matrix(ThreadPool* pool, int n_i, int n_o, const int16_t* x, const int16_t* w, int32_t* out,
                   std::vector<int>& channels);

/// @brief The dense form of conv3x3_backward_data (a GEMM over the pixels with a non-zero
/// gradient), kept as its reference in the tests.
void conv3x3_backward_data_dense(const TensorShape& in, int c_out, const int16_t* dz, const int16_t* wt,
                                 int32_t* dx, ConvBackwardScratch& scratch, ThreadPool* pool = nullptr);

/// @brief An activation layer's forward on n codes: out[i] = sat(round_shift(x, shift), lo, hi)
/// with x = max(in[i], 0) under relu, else in[i] (quant_flow.h's ShiftQuantizer), and pass[i] =
/// 1 where it did not saturate and, under relu, in[i] > 0 (the gradient's mask). In eight
/// 32-bit lanes when -16 <= shift <= 16 and [lo, hi] lies in int16 (every value then fits),
/// else element by element; the same codes either way.
void activation_forward(size_t n, const int16_t* in, bool relu, int shift, int64_t lo, int64_t hi,
                        int16_t* out, uint8_t* pass);

/// @brief din[i] = pass[i] ? dout[i] : 0 for i < n (pass[i] is 0 or 1).
void activation_backward(size_t n, const uint8_t* pass, const int16_t* dout, int16_t* din);

/// @brief The forward requantization z = sat(round_shift(acc, shift) + b[o], lo, hi) of a
/// pairs x n_o block (quant_flow.h's round_shift: half up; `clipped[i]` = 1 where it saturated);
/// returns the number clipped. In eight 32-bit lanes when 1 <= shift <= 31, [lo, hi] lies in
/// int16 and |b| < 2^30 (then every sum fits 32 bits), else element by element; the same codes
/// either way.
uint64_t requantize_rows(int pairs, int n_o, const int32_t* acc, int shift, const int32_t* b, int64_t lo,
                         int64_t hi, int16_t* out, uint8_t* clipped);

/// @brief g[o][k] = sum_p dz[p][o] * a[p][k] (the weight gradient sum_p dz_p a_p^T);
/// g (n_o x k int32) is overwritten. Rows of dz that are zero cost nothing.
void weight_gradient(int pairs, int n_o, int k, const int16_t* dz, const int16_t* a, int32_t* g);

/// @brief c[n] = sum over rows p of a[p][n] for row-major a (m x n): a bias gradient, the
/// sum of a sample's dz rows. c (n int32) is overwritten.
void column_sum(int m, int n, const int16_t* a, int32_t* c);

/// @brief gemm_nt with 64-bit sums: for operands of full 16-bit range (the LRT factor codes),
/// whose k products of up to 2^30 can leave int32. c (m x n int64) is overwritten.
void gemm_nt_wide(int m, int n, int k, const int16_t* a, const int16_t* b, int64_t* c);

/// @brief gemm_nt_wide in blocks of rows of C on `pool` (null: this thread); each element is
/// computed as gemm_nt_wide computes it, so the result does not depend on the thread count.
void gemm_nt_wide_parallel(ThreadPool* pool, int m, int n, int k, const int16_t* a, const int16_t* b, int64_t* c);

/// @brief dst (cols x rows, row-major) = the transpose of src (rows x cols, row-major), in
/// 32 x 32 tiles, so that both sides stream whole cache lines.
void transpose_i16(int rows, int cols, const int16_t* src, int16_t* dst);
/// transpose_i16 over the pool in ranges of source rows (the same result).
void transpose_i16_parallel(ThreadPool* pool, int rows, int cols, const int16_t* src, int16_t* dst);

/// @brief 2x2 stride-2 max-pool (floor mode); argmax[j] = input index of output j's
/// maximum, the first in raster order on ties.
void maxpool2_forward(const TensorShape& in, const int16_t* x, int16_t* y, int32_t* argmax);

/// @brief Routes dy to the recorded arg-max positions; dx (in_size values) is overwritten.
void maxpool2_backward(int64_t in_size, int64_t out_size, const int32_t* argmax, const int16_t* dy,
                       int16_t* dx);

}  // namespace lrt::golden::kern
