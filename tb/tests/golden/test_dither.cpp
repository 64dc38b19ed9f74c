// Dithered backprop (golden/training/dither.h): the NSD quantizer is unbiased (exactly over all dithers,
// and statistically over the counter-based RNG), its zero probability follows the analytic
// max(0, 1 - |x| / Delta) and grows with the step, the step rule picks the power of two it
// documents, and the engine with dither on is deterministic for every thread count, counts its
// zeros, and its zero-skipping MAC counts fall by exactly fan_in per zero dz entry.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "golden/training/dither.h"
#include "golden/training/engine.h"

namespace lrt::golden {
namespace {

const fx::Format kQg = fx::Format::signed_range(8, 0);  // codes -128..127

// Level of one value: the code / 2^k it produced.
double value_of(int16_t code) { return static_cast<double>(code); }

TEST(Dither, MeanOverEveryDitherIsExactlyTheInput) {
  // With shift s and step 2^k the dither u takes 2^(k+s) values; the mean of the codes over
  // all of them is v * 2^-s exactly (no saturation). Checked by enumerating u through the
  // map itself: a CounterRng is not enumerable, so the map is reproduced here.
  const int s = 3, k = 2;
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{5}, int64_t{-13}, int64_t{31}, int64_t{-32},
                    int64_t{77}, int64_t{-250}}) {
    const int64_t span = int64_t{1} << (k + s);
    int64_t sum = 0;
    for (int64_t u = 0; u < span; ++u) sum += ((v + u) >> (k + s)) * (int64_t{1} << k);
    EXPECT_EQ(sum * (int64_t{1} << s), v * span) << v;  // mean = v 2^-s exactly
  }
}

TEST(Dither, UnbiasedOverTheRngWithinTheHoeffdingBound) {
  // Each output is one of two adjacent levels Delta apart, so the mean of N independent
  // quantizations lies within Delta sqrt(ln(2/p) / (2N)) of x with probability >= 1 - p
  // (Hoeffding; the variance r (Delta - r) <= Delta^2 / 4 is what makes it sub-Gaussian).
  // p = 1e-9 per value: a false failure of this test has probability < 1e-8.
  constexpr int kN = 40000;
  const int s = 5, k = 3;  // Delta = 8 Qg LSBs
  const double delta = 8.0;
  const std::vector<int64_t> values = {0, 3, -3, 17, -17, 100, -255, 1000, -1001, 2047};
  const CounterRng rng = make_rng(11, RngStream::kDither, 4);
  std::vector<int16_t> out(values.size());
  std::vector<double> sum(values.size(), 0.0);
  for (int t = 0; t < kN; ++t) {
    dither_quantize(values.data(), static_cast<int64_t>(values.size()), s, k, kQg, rng,
                    dither_first_index(static_cast<uint64_t>(t)), out.data());
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(out[i] % 8, 0) << "not on the step grid";
      sum[i] += value_of(out[i]);
    }
  }
  const double bound = delta * std::sqrt(std::log(2.0 / 1e-9) / (2.0 * kN));
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = std::ldexp(static_cast<double>(values[i]), -s);
    EXPECT_NEAR(sum[i] / kN, x, bound) << "v = " << values[i];
  }
  // The bound is tight enough to see a bias of a quarter step (nearest rounding of 3 / 32
  // gives 0, of 17 / 32 gives 0: biased by 0.53 LSB > bound).
  EXPECT_LT(bound, 0.25);
}

TEST(Dither, StaysUnbiasedWhereNearestRoundingIsNot) {
  // x = 0.3 LSB: nearest rounding always gives 0; the dither gives 1 with probability 0.3 (k = 0).
  const std::vector<int64_t> v(1 << 14, 307);  // 307 / 1024 = 0.2998 LSB, shift 10
  std::vector<int16_t> out(v.size());
  dither_quantize(v.data(), static_cast<int64_t>(v.size()), 10, 0, kQg, make_rng(3, RngStream::kDither), 0, out.data());
  double sum = 0.0;
  for (int16_t c : out) {
    ASSERT_TRUE(c == 0 || c == 1);
    sum += c;
  }
  const double n = static_cast<double>(v.size());
  EXPECT_NEAR(sum / n, 307.0 / 1024.0, std::sqrt(std::log(2.0 / 1e-9) / (2.0 * n)));
}

// Standard normal density and distribution function.
double phi(double t) { return std::exp(-0.5 * t * t) / std::sqrt(2.0 * M_PI); }
double big_phi(double t) { return 0.5 * std::erfc(-t / std::sqrt(2.0)); }

TEST(Dither, ZeroFractionMatchesTheAnalyticValueAndGrowsWithTheStep) {
  // x ~ N(0, sigma^2) in Qg LSBs, represented with 2^-20 LSB resolution (shift 20). A value x
  // becomes 0 with probability max(0, 1 - |x| / Delta), so
  //   P(0) = 2 [(Phi(t) - 1/2) - (phi(0) - phi(t)) / t],  t = Delta / sigma.
  // The empirical fraction of N draws lies within sqrt(ln(2/p) / (2N)) of it with p = 1e-9
  // (Hoeffding); the representation error (2^-21 LSB) moves P by < 1e-6.
  constexpr int64_t kN = 200000;
  const double sigma = 6.0;
  const int shift = 20;
  std::vector<int64_t> v(kN);
  const CounterRng normal = make_rng(5, RngStream::kTest, 1);
  for (int64_t i = 0; i < kN; ++i)
    v[static_cast<size_t>(i)] = std::llround(std::ldexp(sigma * normal.normal(static_cast<uint64_t>(i)), shift));
  std::vector<int16_t> out(static_cast<size_t>(kN));
  const double tol = std::sqrt(std::log(2.0 / 1e-9) / (2.0 * kN));
  double previous = -1.0;
  for (int k = 0; k <= 5; ++k) {
    dither_quantize(v.data(), kN, shift, k, kQg, make_rng(9, RngStream::kDither, 1), dither_first_index(7), out.data());
    int64_t zeros = 0;
    for (int16_t c : out) zeros += c == 0;
    const double frac = static_cast<double>(zeros) / kN;
    const double t = std::ldexp(1.0, k) / sigma;
    const double analytic = 2.0 * ((big_phi(t) - 0.5) - (phi(0.0) - phi(t)) / t);
    EXPECT_NEAR(frac, analytic, tol) << "k = " << k;
    EXPECT_GT(frac, previous + 2 * tol) << "sparsity must grow with the step (k = " << k << ")";
    previous = frac;
  }
}

TEST(Dither, StepRulePicksTheNearestPowerOfTwoInRange) {
  DitherSpec spec;
  spec.enabled = true;
  // std of {+-a} is a: a = 5 LSB -> log2 5 = 2.32 -> k = 2; scale 2 -> 10 LSB -> 3.32 -> 3.
  const std::vector<int64_t> sym = {5 << 4, -(5 << 4), 5 << 4, -(5 << 4)};
  EXPECT_EQ(dither_step_exponent(sym.data(), 4, 4, kQg, spec), 2);
  spec.scale = 2.0;
  EXPECT_EQ(dither_step_exponent(sym.data(), 4, 4, kQg, spec), 3);
  // max_abs: max 96 LSB x 0.5 = 48 -> log2 48 = 5.58 -> 6.
  spec.rule = DitherStepRule::kMaxAbs;
  spec.scale = 0.5;
  const std::vector<int64_t> m = {0, -96, 12, 3};
  EXPECT_EQ(dither_step_exponent(m.data(), 4, 0, kQg, spec), 6);
  // Clamped to [0, bits - 1]: tiny -> 0, huge -> 7; an all-zero tensor -> 0.
  spec.scale = 1e-3;
  EXPECT_EQ(dither_step_exponent(m.data(), 4, 0, kQg, spec), 0);
  spec.scale = 1e3;
  EXPECT_EQ(dither_step_exponent(m.data(), 4, 0, kQg, spec), 7);
  const std::vector<int64_t> z(4, 0);
  EXPECT_EQ(dither_step_exponent(z.data(), 4, 0, kQg, spec), 0);
  // Saturation: a value beyond the range saturates to the end code.
  std::vector<int16_t> out(2);
  const std::vector<int64_t> big = {int64_t{1000} << 3, -(int64_t{1000} << 3)};
  dither_quantize(big.data(), 2, 3, 2, kQg, make_rng(1, RngStream::kDither), 0, out.data());
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -128);
  EXPECT_THROW(dither_quantize(big.data(), 2, 60, 3, kQg, make_rng(1, RngStream::kDither), 0, out.data()),
               std::invalid_argument);
}

std::vector<uint8_t> image(uint64_t i) {
  std::vector<uint8_t> img(28 * 28);
  for (size_t p = 0; p < img.size(); ++p) img[p] = static_cast<uint8_t>((p * 131 + i * 977 + (p * p) % 61) % 256);
  return img;
}

TrainSpecs dithered(Scheme scheme) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = scheme;
  t.conv.batch = 2;
  t.fc.batch = 3;
  t.dither.enabled = true;
  t.dither.scale = 2.0;
  return t;
}

TEST(Dither, EngineIsDeterministicForEveryThreadCountAndDifferentFromNearest) {
  for (Scheme s : {Scheme::kOnlineSgd, Scheme::kLrt}) {
    TrainSpecs t = dithered(s);
    Engine a(default_network(), t, 7), b(default_network(), t, 7);
    t.dither.enabled = false;
    Engine c(default_network(), t, 7);
    ThreadPool pool(2);
    b.set_thread_pool(&pool);
    for (uint64_t i = 0; i < 16; ++i) {
      const auto img = image(i);
      const StepResult ra = a.train_step(img.data(), static_cast<int>(i % 10));
      const StepResult rb = b.train_step(img.data(), static_cast<int>(i % 10));
      c.train_step(img.data(), static_cast<int>(i % 10));
      ASSERT_EQ(ra.loss, rb.loss);
    }
    EXPECT_EQ(a.weights_digest(), b.weights_digest()) << to_string(s);
    EXPECT_NE(a.weights_digest(), c.weights_digest()) << to_string(s);
    for (int l : a.trainable_layers()) {
      EXPECT_EQ(a.affine(l).work().dz_zeros, b.affine(l).work().dz_zeros);
      EXPECT_EQ(a.affine(l).work().dither_tensors, 16u);
      EXPECT_EQ(c.affine(l).work().dither_tensors, 0u);
    }
  }
}

TEST(Dither, ZeroSkippingMacCountsFallByExactlyFanInPerZeroEntry) {
  // The dense datapath does pairs x n_out x fan_in MACs per backward GEMM; skipping does
  // fan_in fewer per zero dz entry, i.e. dense = performed + skipped and skipped = zeros x fan_in.
  Engine e(default_network(), dithered(Scheme::kOnlineSgd), 3);
  const std::vector<LayerShape> shapes = derive_shapes(default_network());
  constexpr uint64_t kSamples = 12;
  for (uint64_t i = 0; i < kSamples; ++i) e.train_step(image(i).data(), static_cast<int>(i % 10));
  uint64_t zeros_all = 0, entries_all = 0;
  for (int l : e.trainable_layers()) {
    const AffineLayer& a = e.affine(l);
    const AffineWork& w = a.work();
    const LayerShape& s = shapes[static_cast<size_t>(l)];
    const uint64_t pairs = s.spec.kind == LayerKind::kConv3x3 ? static_cast<uint64_t>(s.out.h) * s.out.w : 1;
    const uint64_t dense = kSamples * pairs * static_cast<uint64_t>(a.n_out()) * static_cast<uint64_t>(a.fan_in());
    const auto k = static_cast<uint64_t>(a.fan_in());
    EXPECT_EQ(w.dz_entries, kSamples * pairs * static_cast<uint64_t>(a.n_out()));
    EXPECT_EQ(w.forward_macs, dense);
    EXPECT_EQ(w.weight_grad_macs + w.weight_grad_skipped, dense);
    EXPECT_EQ(w.weight_grad_skipped, w.dz_zeros * k);
    EXPECT_EQ(w.bias_adds + w.bias_skipped, w.dz_entries);
    EXPECT_EQ(w.bias_skipped, w.dz_zeros);
    if (e.computes_input_gradient(l)) {
      EXPECT_EQ(w.backward_data_macs + w.backward_data_skipped, dense);
      EXPECT_EQ(w.backward_data_skipped, w.dz_zeros * k);
    } else {
      EXPECT_EQ(w.backward_data_macs + w.backward_data_skipped, 0u);  // the lowest layer
    }
    EXPECT_GT(w.dz_zeros, 0u);
    EXPECT_LT(w.dz_zeros, w.dz_entries);
    zeros_all += w.dz_zeros;
    entries_all += w.dz_entries;
  }
  // Larger steps give more zeros on the same samples (same seed, same data).
  TrainSpecs coarse = dithered(Scheme::kOnlineSgd);
  coarse.dither.scale = 16.0;
  Engine f(default_network(), coarse, 3);
  for (uint64_t i = 0; i < kSamples; ++i) f.train_step(image(i).data(), static_cast<int>(i % 10));
  uint64_t zeros_coarse = 0;
  for (int l : f.trainable_layers()) zeros_coarse += f.affine(l).work().dz_zeros;
  EXPECT_GT(zeros_coarse, zeros_all);
  EXPECT_GT(entries_all, 0u);
}

}  // namespace
}  // namespace lrt::golden
