// Integer layers against straightforward references, bit-exact:
//  * the MAC kernels against naive loops on random codes (including edge shapes);
//  * each layer's integer forward and backward against the double reference of
//    float_layers.h evaluated on the exact values of the codes and quantized once with
//    fx::quantize (round to nearest, ties toward +inf, saturate). The double sums are exact:
//    at most 9 * 64 products of 8-bit codes scaled by powers of two, far below 2^53.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "golden/precision/float_layers.h"
#include "golden/training/kernels.h"
#include "golden/training/layers.h"
#include "golden/training/quant_flow.h"

namespace lrt::golden {
namespace {

const fx::Format kQw = fx::Format::signed_range(8, 0);
const fx::Format kQb = fx::Format::signed_range(16, 3);
const fx::Format kQa = fx::Format::unsigned_range(8, 1);
const fx::Format kQs = fx::Format::signed_range(8, 1);
const fx::Format kQg = fx::Format::signed_range(8, 0);

std::vector<int16_t> random_codes(size_t n, const fx::Format& f, uint64_t stream) {
  CounterRng rng(11, stream);
  std::vector<int16_t> v(n);
  const int64_t span = f.max_code() - f.min_code() + 1;
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<int16_t>(f.min_code() +
                                static_cast<int64_t>(rng.bits32(i) % static_cast<uint32_t>(span)));
  return v;
}

std::vector<double> values(const std::vector<int16_t>& c, const fx::Format& f) {
  std::vector<double> v(c.size());
  for (size_t i = 0; i < c.size(); ++i) v[i] = fx::to_double(c[i], f);
  return v;
}

int16_t quantize(double x, const fx::Format& f) {
  return static_cast<int16_t>(fx::quantize(x, f, fx::Rounding::kNearest, 0, nullptr));
}

TEST(EngineKernels, GemmMatchesNaiveLoops) {
  for (auto [m, n, k] :
       std::vector<std::array<int, 3>>{{1, 1, 1}, {5, 7, 9}, {8, 8, 33}, {13, 6, 144}, {3, 5, 1}}) {
    const auto a = random_codes(static_cast<size_t>(m) * k, kQa, 1);
    const auto b = random_codes(static_cast<size_t>(n) * k, kQw, 2);
    std::vector<int32_t> c(static_cast<size_t>(m) * n);
    kern::gemm_nt(m, n, k, a.data(), b.data(), c.data());
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        int64_t s = 0;
        for (int t = 0; t < k; ++t)
          s += int64_t{a[static_cast<size_t>(i) * k + t]} * b[static_cast<size_t>(j) * k + t];
        ASSERT_EQ(c[static_cast<size_t>(i) * n + j], s) << m << "x" << n << "x" << k;
      }
  }
}

// vector_matrix (an fc forward on the weights in the cells' order) equals the one-row product
// on the transposed weights (gemm_nt's sums): fc1's and fc2's shapes and widths off the 64- and 16-output
// blocks and the 128-output tasks, inputs all zero, sparse and dense, over the full int16 range (sums past
// 2^31: equal modulo 2^32), with no pool and on pools of 2 and 3 threads.
TEST(EngineKernels, VectorMatrixEqualsTheProductOnTheTransposedWeights) {
  std::mt19937_64 g(34);
  ThreadPool two(2), three(3);
  std::vector<int> channels;  // grown by the calls, reused
  for (auto [n_i, n_o] : std::vector<std::array<int, 2>>{{2048, 512}, {512, 10}, {33, 530}, {1, 1}, {7, 17}})
    for (int zero_percent : {100, 75, 0}) {
      std::vector<int16_t> x(static_cast<size_t>(n_i)), w(static_cast<size_t>(n_i) * n_o), wt(w.size());
      const auto code = [&] {
        return static_cast<int16_t>(g() % 8 == 0 ? -32768 : static_cast<int>(g() % 65536) - 32768);
      };
      for (int16_t& v : x) v = static_cast<int16_t>(static_cast<int>(g() % 100) < zero_percent ? 0 : code());
      for (int16_t& v : w) v = code();
      for (int i = 0; i < n_i; ++i)
        for (int o = 0; o < n_o; ++o)
          wt[static_cast<size_t>(o) * n_i + i] = w[static_cast<size_t>(i) * n_o + o];
      // The reference in 64-bit sums taken modulo 2^32 (gemm_nt's own scalar code may not leave
      // int32: its callers guarantee that).
      std::vector<int32_t> want(static_cast<size_t>(n_o));
      for (int o = 0; o < n_o; ++o) {
        int64_t sum = 0;
        for (int i = 0; i < n_i; ++i)
          sum += int64_t{x[static_cast<size_t>(i)]} * wt[static_cast<size_t>(o) * n_i + i];
        want[static_cast<size_t>(o)] = static_cast<int32_t>(static_cast<uint32_t>(sum));
      }
      for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two, &three}) {
        std::vector<int32_t> got(want.size(), 12345);
        kern::vector_matrix(pool, n_i, n_o, x.data(), w.data(), got.data(), channels);
        ASSERT_EQ(got, want) << n_i << "x" << n_o << " zeros " << zero_percent << "%";
      }
    }
}

// The tiled transpose (32 x 32 tiles, 8 x 8 blocks): every element lands at (c, r), for shapes
// below, at and across the tile size, and the paper's conv and fc weight shapes (power-of-two
// strides); on a pool, the same.
TEST(EngineKernels, TransposeMovesEveryElement) {
  ThreadPool pool(3);
  for (auto [rows, cols] : std::vector<std::array<int, 2>>{{1, 1},
                                                           {1, 40},
                                                           {40, 1},
                                                           {31, 33},
                                                           {32, 32},
                                                           {65, 97},
                                                           {300, 301},
                                                           {1153, 97},
                                                           {1152, 128},
                                                           {2048, 512}}) {
    const auto src = random_codes(static_cast<size_t>(rows) * cols, kQw, 7);
    std::vector<int16_t> dst(src.size(), -1), spread(src.size(), -1);
    kern::transpose_i16(rows, cols, src.data(), dst.data());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        ASSERT_EQ(dst[static_cast<size_t>(c) * rows + r], src[static_cast<size_t>(r) * cols + c])
            << rows << "x" << cols << " at " << r << ", " << c;
    kern::transpose_i16_parallel(&pool, rows, cols, src.data(), spread.data());  // row ranges on 3 threads
    ASSERT_EQ(spread, dst) << rows << "x" << cols;
  }
}

TEST(EngineKernels, WeightGradientAndBackwardDataMatchNaiveLoops) {
  const TensorShape in{7, 6, 3};
  const int c_out = 5, k = 27, pairs = 5 * 4;
  const auto x = random_codes(static_cast<size_t>(in.size()), kQs, 3);
  auto dz = random_codes(static_cast<size_t>(pairs) * c_out, kQg, 4);
  for (int co = 0; co < c_out; ++co) dz[static_cast<size_t>(7) * c_out + co] = 0;  // an all-zero pair
  const auto w = random_codes(static_cast<size_t>(c_out) * k, kQw, 5);             // [co][k]
  std::vector<int16_t> cols(static_cast<size_t>(pairs) * k);
  kern::im2col3x3(in, x.data(), cols.data());
  for (int y = 0; y < 5; ++y)
    for (int xo = 0; xo < 4; ++xo)
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx)
          for (int ci = 0; ci < 3; ++ci)
            ASSERT_EQ(cols[static_cast<size_t>(y * 4 + xo) * k + (ky * 3 + kx) * 3 + ci],
                      x[static_cast<size_t>(((y + ky) * 6 + xo + kx) * 3 + ci)]);
  std::vector<int32_t> g(static_cast<size_t>(c_out) * k);
  kern::weight_gradient(pairs, c_out, k, dz.data(), cols.data(), g.data());
  for (int o = 0; o < c_out; ++o)
    for (int t = 0; t < k; ++t) {
      int64_t s = 0;
      for (int p = 0; p < pairs; ++p)
        s += int64_t{dz[static_cast<size_t>(p) * c_out + o]} * cols[static_cast<size_t>(p) * k + t];
      ASSERT_EQ(g[static_cast<size_t>(o) * k + t], s);
    }
  std::vector<int16_t> wt(w.size());  // [k][co]
  for (int o = 0; o < c_out; ++o)
    for (int t = 0; t < k; ++t) wt[static_cast<size_t>(t) * c_out + o] = w[static_cast<size_t>(o) * k + t];
  std::vector<int32_t> dx(static_cast<size_t>(in.size()));
  kern::ConvBackwardScratch scratch(pairs, c_out, k);
  kern::conv3x3_backward_data(in, c_out, dz.data(), wt.data(), dx.data(), scratch);
  std::vector<int64_t> ref(dx.size(), 0);
  for (int y = 0; y < 5; ++y)
    for (int xo = 0; xo < 4; ++xo)
      for (int o = 0; o < c_out; ++o)
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            for (int ci = 0; ci < 3; ++ci)
              ref[static_cast<size_t>(((y + ky) * 6 + xo + kx) * 3 + ci)] +=
                  int64_t{dz[static_cast<size_t>(y * 4 + xo) * c_out + o]} *
                  w[static_cast<size_t>(o) * k + (ky * 3 + kx) * 3 + ci];
  for (size_t i = 0; i < dx.size(); ++i) ASSERT_EQ(dx[i], ref[i]) << i;
}

TEST(EngineKernels, RequantizeRowsIsRoundShiftPlusBiasSaturated) {
  // Both paths (shifts 1..31 with int16 bounds in lanes; shift 0, negative and above 31, or
  // wider bounds, element by element), row tails, ties, both clip sides, the int32 extremes.
  std::mt19937_64 g(25);
  for (int shift : {-2, 0, 1, 2, 7, 16, 30, 31, 32, 40})
    for (auto [lo, hi] : std::vector<std::array<int64_t, 2>>{{-128, 127}, {-32768, 32767}, {-70000, 70000}})
      for (int n_o : {1, 7, 8, 9, 128}) {
        const int pairs = 3;
        std::vector<int32_t> acc(static_cast<size_t>(pairs) * n_o), b(static_cast<size_t>(n_o));
        for (int32_t& v : acc) {
          const uint64_t pick = g() % 8;
          // pick 2: a tie, k 2^shift + 2^(shift-1) (int64 products: no signed shift of a negative)
          const int64_t tie =
              (static_cast<int64_t>(g() % 2001) - 1000) * (int64_t{1} << std::clamp(shift, 0, 20)) +
              (shift >= 1 && shift <= 31 ? (int64_t{1} << (shift - 1)) : 0);
          v = pick == 0   ? INT32_MIN
              : pick == 1 ? INT32_MAX
              : pick == 2 ? static_cast<int32_t>(std::clamp<int64_t>(tie, INT32_MIN, INT32_MAX))
                          : static_cast<int32_t>(g());
        }
        for (int32_t& v : b) v = static_cast<int32_t>(g() % 201) - 100;
        std::vector<int16_t> out(acc.size());
        std::vector<uint8_t> clipped(acc.size(), 9);
        const uint64_t count = kern::requantize_rows(pairs, n_o, acc.data(), shift, b.data(), lo, hi,
                                                     out.data(), clipped.data());
        uint64_t want_count = 0;
        for (size_t i = 0; i < acc.size(); ++i) {
          const int64_t r = round_shift(acc[i], shift) + b[i % static_cast<size_t>(n_o)];
          const bool c = r < lo || r > hi;
          want_count += c;
          ASSERT_EQ(clipped[i], c ? 1 : 0) << shift << " " << i;
          ASSERT_EQ(out[i], static_cast<int16_t>(std::clamp(r, lo, hi))) << "shift " << shift << " i " << i;
        }
        ASSERT_EQ(count, want_count) << shift;
      }
}

TEST(EngineKernels, ActivationIsTheShiftQuantizerWithItsPassMask) {
  // Both paths (shifts -16..16 with int16 bounds in lanes; -17, 17 and wider bounds element by
  // element), with and without ReLU, every tail length, ties of the rounding, both clip sides,
  // the int16 extremes; then the backward mask.
  std::mt19937_64 g(26);
  for (int shift : {-17, -16, -3, 0, 1, 2, 5, 15, 16, 17})
    for (auto [lo, hi] :
         std::vector<std::array<int64_t, 2>>{{0, 255}, {-128, 127}, {-32768, 32767}, {-70000, 70000}})
      for (bool relu : {false, true})
        for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{17}, size_t{1000}}) {
          std::vector<int16_t> in(n), out(n, 77), dout(n), din(n, 55);
          std::vector<uint8_t> pass(n, 9);
          for (int16_t& v : in) {
            const uint64_t pick = g() % 8;
            const int tie =
                shift >= 1 ? static_cast<int>((g() % 64) << shift) + (1 << (shift - 1)) - (1 << 15) : 0;
            v = pick == 0   ? INT16_MIN
                : pick == 1 ? INT16_MAX
                : pick == 2 ? static_cast<int16_t>(std::clamp(tie, -32768, 32767))
                            : static_cast<int16_t>(g());
          }
          for (int16_t& v : dout) v = static_cast<int16_t>(g());
          kern::activation_forward(n, in.data(), relu, shift, lo, hi, out.data(), pass.data());
          const ShiftQuantizer q{shift, lo, hi};
          for (size_t i = 0; i < n; ++i) {
            bool clipped = false;
            const int64_t want = q(relu && in[i] < 0 ? 0 : in[i], &clipped);
            const std::string at = "shift " + std::to_string(shift) + " relu " + std::to_string(relu) +
                                   " i " + std::to_string(i) + " in " + std::to_string(in[i]);
            ASSERT_EQ(out[i], static_cast<int16_t>(want)) << at;
            ASSERT_EQ(pass[i], !clipped && (!relu || in[i] > 0) ? 1 : 0) << at;
          }
          kern::activation_backward(n, pass.data(), dout.data(), din.data());
          for (size_t i = 0; i < n; ++i) ASSERT_EQ(din[i], pass[i] ? dout[i] : 0) << i;
        }
}

TEST(EngineKernels, MaxPoolTakesTheFirstLargestOfEachWindow) {
  // Channel counts with sixteen-channel blocks and tails, odd sizes (the last row and column
  // unused), values from four levels (ties in most windows) or the whole int16 range.
  std::mt19937_64 g(27);
  for (const TensorShape in : {TensorShape{4, 4, 16}, TensorShape{6, 4, 32}, TensorShape{5, 7, 40},
                               TensorShape{2, 2, 17}, TensorShape{24, 24, 128}, TensorShape{3, 3, 3}})
    for (bool few_levels : {true, false}) {
      std::vector<int16_t> x(static_cast<size_t>(in.size()));
      for (int16_t& v : x)
        v = few_levels ? static_cast<int16_t>(g() % 4 == 0 ? -32768 : g() % 3) : static_cast<int16_t>(g());
      const int oh = in.h / 2, ow = in.w / 2;
      std::vector<int16_t> y(static_cast<size_t>(oh) * ow * in.c);
      std::vector<int32_t> argmax(y.size());
      kern::maxpool2_forward(in, x.data(), y.data(), argmax.data());
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox)
          for (int ch = 0; ch < in.c; ++ch) {
            int64_t best = -1;
            for (int dy = 0; dy < 2; ++dy)
              for (int dx = 0; dx < 2; ++dx) {
                const int64_t i = ((2 * int64_t{oy} + dy) * in.w + 2 * ox + dx) * in.c + ch;
                if (best < 0 || x[static_cast<size_t>(i)] > x[static_cast<size_t>(best)]) best = i;
              }
            const size_t o = (static_cast<size_t>(oy) * ow + ox) * in.c + ch;
            ASSERT_EQ(argmax[o], best) << in.h << "x" << in.w << "x" << in.c << " at " << o;
            ASSERT_EQ(y[o], x[static_cast<size_t>(best)]) << o;
          }
    }
}

TEST(EngineKernels, SparseRowProductIsTheSumOverTheNonZeroChannels) {
  // Every block width (64, 16, the scalar tail), odd and even numbers of non-zero channels, none,
  // and the full int16 range, whose products of -32768 sum past 2^31: the sums modulo 2^32 (what
  // gemm_nt's vector lanes give too).
  std::mt19937_64 g(21);
  for (int c_out : {1, 2, 3, 128})
    for (int k : {1, 15, 16, 17, 64, 95, 1152})
      for (int density : {0, 1, 12, 100}) {  // percent of non-zero dz
        std::vector<int16_t> dz(static_cast<size_t>(c_out)), w(static_cast<size_t>(c_out) * k);
        for (int16_t& v : dz)
          v = static_cast<int16_t>(static_cast<int>(g() % 100) < density
                                       ? (g() % 8 == 0 ? -32768 : static_cast<int>(g() % 65536) - 32768)
                                       : 0);
        for (int16_t& v : w)
          v = static_cast<int16_t>(g() % 8 == 0 ? -32768 : static_cast<int>(g() % 65536) - 32768);
        std::vector<int32_t> out(static_cast<size_t>(k), 12345);
        std::vector<int> channels(static_cast<size_t>(c_out));
        kern::sparse_row_product(c_out, k, dz.data(), w.data(), out.data(), channels.data());
        for (int j = 0; j < k; ++j) {
          uint32_t want = 0;
          for (int c = 0; c < c_out; ++c)
            want += static_cast<uint32_t>(int32_t{dz[c]} * w[static_cast<size_t>(c) * k + j]);
          ASSERT_EQ(out[static_cast<size_t>(j)], static_cast<int32_t>(want))
              << c_out << " " << k << " " << density << " j " << j;
        }
      }
}

TEST(EngineKernels, SparseConvBackwardDataEqualsTheDenseForm) {
  // conv2's shape with a max-pool's gradient (one pixel of each 2 x 2 window per channel) and a
  // ReLU's zeros, and a dense one, on one thread and on two: dx equal to the dense GEMM's.
  const TensorShape in{26, 26, 128};
  const int c_out = 128, k = 9 * in.c, pairs = 24 * 24;
  std::mt19937_64 g(22);
  const auto dz_codes = random_codes(static_cast<size_t>(pairs) * c_out, kQg, 24);
  std::vector<int16_t> dz(static_cast<size_t>(pairs) * c_out, 0);
  for (int c = 0; c < c_out; ++c)
    for (int wy = 0; wy < 12; ++wy)
      for (int wx = 0; wx < 12; ++wx) {
        if (g() % 2 == 0) continue;  // ReLU
        const int p = (2 * wy + static_cast<int>(g() % 2)) * 24 + 2 * wx + static_cast<int>(g() % 2);
        dz[static_cast<size_t>(p) * c_out + c] = dz_codes[static_cast<size_t>(p) * c_out + c];
      }
  for (int p = 0; p < 30; ++p)
    for (int c = 0; c < c_out; ++c) dz[static_cast<size_t>(p) * c_out + c] = 0;  // pixels without gradient
  const auto wt = random_codes(static_cast<size_t>(k) * c_out, kQw, 23);
  std::vector<int32_t> want(static_cast<size_t>(in.size())), got(want.size());
  kern::ConvBackwardScratch ref_scratch(pairs, c_out, k), scratch(pairs, c_out, k);
  // The max-pool's gradient (the row products), then every entry non-zero (the dense GEMM).
  const std::vector<int16_t>* grads[] = {&dz, &dz_codes};
  for (const std::vector<int16_t>* grad : grads) {
    kern::conv3x3_backward_data_dense(in, c_out, grad->data(), wt.data(), want.data(), ref_scratch);
    for (int threads : {1, 2}) {
      ThreadPool pool(threads);
      std::fill(got.begin(), got.end(), 7);
      kern::conv3x3_backward_data(in, c_out, grad->data(), wt.data(), got.data(), scratch, &pool);
      ASSERT_EQ(got, want) << threads << " threads, " << (grad == &dz ? "sparse" : "dense");
    }
  }
}

// An affine layer with given codes, its float twin, and the comparisons.
struct AffineCase {
  LayerShape shape;
  fx::Format in_fmt;
  int alpha_exp;
};

// alpha_in_gradient: the weight gradient is (alpha dz) a^T, the true gradient of z = alpha W a + b
// (the authors' layers.py: d = wmult * dZ); false: dz a^T (train.weight_gradient_alpha = false).
void check_affine(const AffineCase& c, uint64_t seed, bool alpha_in_gradient) {
  const bool conv = c.shape.spec.kind == LayerKind::kConv3x3;
  const int n_o = c.shape.out.c, k = c.shape.fan_in();
  const int pairs = conv ? c.shape.out.h * c.shape.out.w : 1;
  AffineSetup s;
  s.in = c.in_fmt;
  s.weight = kQw;
  s.bias = kQb;
  s.grad = kQg;
  s.alpha_exp = c.alpha_exp;
  const double lr = 0.25;
  s.learning_rate = lr;
  s.updater.kind.scheme = Scheme::kOnlineSgd;
  s.updater.weight_gradient_alpha = alpha_in_gradient;
  AffineLayer layer(c.shape, s);
  // Weights in [-100, 100], biases in [-2, 2).
  const auto w_small = random_codes(static_cast<size_t>(n_o) * k, fx::Format::signed_range(8, 0), seed);
  Matrix<int32_t> w(static_cast<size_t>(n_o), static_cast<size_t>(k));
  std::vector<double> wf(static_cast<size_t>(n_o) * k);  // [o][k] for fref
  for (int o = 0; o < n_o; ++o)
    for (int t = 0; t < k; ++t) {
      const int32_t code = w_small[static_cast<size_t>(o) * k + t] * 100 / 128;
      w(static_cast<size_t>(o), static_cast<size_t>(t)) = code;
      wf[static_cast<size_t>(o) * k + t] = fx::to_double(code, kQw);
    }
  layer.set_weight_codes(w);
  const auto b16 = random_codes(static_cast<size_t>(n_o), fx::Format::signed_range(14, 1), seed + 1);
  std::vector<int32_t> b(b16.begin(), b16.end());
  layer.set_bias_codes(b);
  const auto bf = values(b16, kQb);
  const auto x = random_codes(static_cast<size_t>(c.shape.in.size()), c.in_fmt, seed + 2);
  const auto xf = values(x, c.in_fmt);
  const double alpha = std::ldexp(1.0, c.alpha_exp);

  // Forward: z = Qb(alpha W a + b), once rounded.
  std::vector<int16_t> z(static_cast<size_t>(c.shape.out.size()));
  layer.forward(x.data(), z.data(), true);
  std::vector<double> zf(z.size());
  if (conv)
    fref::conv3x3_forward(c.shape.in, n_o, xf.data(), wf.data(), bf.data(), alpha, zf.data());
  else
    fref::fc_forward(k, n_o, xf.data(), wf.data(), bf.data(), alpha, zf.data());
  for (size_t i = 0; i < z.size(); ++i)
    ASSERT_EQ(z[i], quantize(zf[i], kQb)) << "z[" << i << "] float " << zf[i];

  // Backward with dout on the Qg grid (multiples of 32 Qb codes), so Qg is exact: then
  // din = Qb(alpha W^T dz), dW = round(-lr dw / LSB_w) with the float reference's
  // dw = alpha sum dz a^T (divided by alpha without alpha_in_gradient), db = round(-lr sum dz / LSB_b).
  auto g8 = random_codes(z.size(), kQg, seed + 3);
  std::vector<int16_t> dout(z.size());
  for (size_t i = 0; i < z.size(); ++i) dout[i] = static_cast<int16_t>(g8[i] * 32);
  std::vector<int16_t> din(x.size());
  layer.backward(x.data(), dout.data(), din.data(), true);
  const auto gf = values(g8, kQg);
  std::vector<double> daf(x.size()), dwf(wf.size()), dbf(n_o);
  if (conv)
    fref::conv3x3_backward(c.shape.in, n_o, xf.data(), wf.data(), alpha, gf.data(), daf.data(), dwf.data(),
                           dbf.data());
  else
    fref::fc_backward(k, n_o, xf.data(), wf.data(), alpha, gf.data(), daf.data(), dwf.data(), dbf.data());
  for (size_t i = 0; i < din.size(); ++i) ASSERT_EQ(din[i], quantize(daf[i], kQb)) << "din[" << i << "]";
  const fx::Format update = fx::Format::with_frac(32, true, 0);
  int64_t moved = 0, din_nonzero = 0;
  for (int16_t v : din) din_nonzero += v != 0;
  for (int o = 0; o < n_o; ++o) {
    for (int t = 0; t < k; ++t) {
      const double dw = dwf[static_cast<size_t>(o) * k + t] / (alpha_in_gradient ? 1.0 : alpha);
      const int64_t delta = fx::quantize(-lr * dw * 128.0, update,
                                         fx::Rounding::kNearest, 0, nullptr);
      moved += delta != 0;
      ASSERT_EQ(layer.weight_codes()(static_cast<size_t>(o), static_cast<size_t>(t)),
                std::clamp<int64_t>(w(static_cast<size_t>(o), static_cast<size_t>(t)) + delta, -128, 127))
          << "w[" << o << "][" << t << "]";
    }
    const int64_t db =
        fx::quantize(-lr * dbf[static_cast<size_t>(o)] * 4096.0, update, fx::Rounding::kNearest, 0, nullptr);
    ASSERT_EQ(layer.bias_codes()[static_cast<size_t>(o)], b[static_cast<size_t>(o)] + db) << "b[" << o << "]";
  }
  // The comparisons above are not vacuous: updates and input gradients are mostly non-zero.
  EXPECT_GT(moved, n_o * k / 4);
  EXPECT_GT(din_nonzero, static_cast<int64_t>(din.size()) / 2);
  (void)pairs;
}

TEST(EngineIntLayers, ConvForwardBackwardAndSgdMatchQuantizedFloat) {
  for (const bool alpha_in : {true, false}) {
    check_affine({{{LayerKind::kConv3x3, 6}, {7, 6, 4}, {5, 4, 6}}, kQa, -3}, 100, alpha_in);
    check_affine({{{LayerKind::kConv3x3, 5}, {6, 5, 3}, {4, 3, 5}}, kQs, -2}, 200, alpha_in);
    check_affine({{{LayerKind::kConv3x3, 4}, {5, 5, 1}, {3, 3, 4}}, fx::Format::unsigned_range(8, 0), -1}, 300,
                 alpha_in);
  }
}

TEST(EngineIntLayers, FcForwardBackwardAndSgdMatchQuantizedFloat) {
  for (const bool alpha_in : {true, false}) {
    check_affine({{{LayerKind::kFc, 9}, {2, 3, 4}, {1, 1, 9}}, kQs, -3}, 400, alpha_in);
    check_affine({{{LayerKind::kFc, 3}, {1, 1, 50}, {1, 1, 3}}, kQa, -4}, 500, alpha_in);
  }
}

TEST(EngineIntLayers, MaxPoolMatchesFloatAndRoutesGradient) {
  const LayerShape shape{{LayerKind::kMaxPool2, 0}, {7, 5, 3}, {3, 2, 3}};
  const auto x = random_codes(static_cast<size_t>(shape.in.size()), kQb, 600);
  MaxPoolLayer pool(shape, kQb);
  std::vector<int16_t> y(static_cast<size_t>(shape.out.size()));
  pool.forward(x.data(), y.data(), true);
  const auto xf = values(x, kQb);
  std::vector<double> yf(y.size());
  fref::maxpool2_forward(shape.in, xf.data(), yf.data());
  for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], quantize(yf[i], kQb));
  const auto dy = random_codes(y.size(), kQb, 601);
  std::vector<int16_t> dx(x.size());
  pool.backward(x.data(), dy.data(), dx.data(), true);
  std::vector<double> dxf(x.size());
  fref::maxpool2_backward(shape.in, xf.data(), values(dy, kQb).data(), dxf.data());
  for (size_t i = 0; i < dx.size(); ++i) ASSERT_EQ(dx[i], quantize(dxf[i], kQb)) << i;
}

TEST(EngineIntLayers, ReluMatchesQuantizedFloat) {
  const TensorShape shape{4, 4, 5};
  const auto x = random_codes(static_cast<size_t>(shape.size()), kQb, 700);
  ActivationLayer relu(shape, kQb, kQa, true);
  std::vector<int16_t> y(x.size());
  relu.forward(x.data(), y.data(), true);
  const auto xf = values(x, kQb);
  std::vector<double> yf(x.size());
  fref::relu_forward(static_cast<int64_t>(x.size()), xf.data(), yf.data());
  for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], quantize(yf[i], kQa)) << "x=" << x[i];
}

}  // namespace
}  // namespace lrt::golden
