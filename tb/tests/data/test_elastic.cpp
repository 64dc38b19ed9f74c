// Elastic distortion (Simard et al. 2003): kernel, exact identities, and the statistics
// of the smoothed displacement field.
#include <gtest/gtest.h>

#include <cmath>

#include "data/elastic.h"
#include "data/image.h"
#include "data/sample_rng.h"
#include "synthetic_data.h"

namespace lrt::data {
namespace {

FloatImage synthetic_float(uint32_t i) {
  const LabeledImages im = testing::synthetic_images(i + 1);
  return to_float_image(&im.pixels[std::size_t{i} * 28 * 28], 28, 28);
}

TEST(GaussianKernel, RadiusSymmetryNormalizationAndShape) {
  EXPECT_EQ(gaussian_radius(4.0, 4.0), 16);
  EXPECT_EQ(gaussian_radius(1.1, 4.0), 5);  // ceil(4.4)
  const auto g = gaussian_kernel(4.0, 4.0);
  ASSERT_EQ(g.size(), 33u);
  double sum = 0;
  for (double v : g) sum += v;
  // 33 rounded additions of terms <= 1: error below 33 * 2^-53.
  EXPECT_NEAR(sum, 1.0, 33 * 0x1.0p-53);
  for (int k = 0; k <= 16; ++k) {
    EXPECT_EQ(g[16 + k], g[16 - k]);
    // exp and the division each round once: relative error below 4 ulp.
    EXPECT_NEAR(g[16 + k] / g[16], std::exp(-k * k / 32.0), 4 * 0x1.0p-52);
  }
}

TEST(Elastic, AlphaZeroIsTheIdentityExactly) {
  ElasticSpecs specs;
  specs.alpha = 0.0;
  const ElasticTransform elastic(specs);
  const CounterRng rng(1, 2);
  for (uint32_t i = 0; i < 5; ++i) {
    const FloatImage in = synthetic_float(i);
    const FloatImage out = elastic(in, rng, first_counter(i));
    EXPECT_EQ(out.px, in.px);  // bit-exact: every sample point is a pixel centre
  }
}

TEST(Elastic, ConstantImageStaysConstant) {
  // Bilinear weights (1-f, f) sum to 1, so the result is v up to a few ulp (< 1e-15),
  // far inside the rounding interval of +-0.5 gray level: the uint8 image is unchanged.
  ElasticSpecs specs;
  specs.alpha = 34.0;
  const ElasticTransform elastic(specs);
  const CounterRng rng(3, 4);
  for (int v : {0, 1, 77, 128, 254, 255}) {
    const FloatImage in(28, 28, v / 255.0);
    const FloatImage out = elastic(in, rng, first_counter(static_cast<uint64_t>(v)));
    for (double p : out.px) ASSERT_EQ(to_gray(p), v);
  }
}

TEST(Elastic, DistortsAndIsAPureFunctionOfTheCounter) {
  const ElasticTransform elastic(ElasticSpecs{});
  const CounterRng rng(5, 6);
  const FloatImage in = synthetic_float(3);
  const auto a = to_gray(elastic(in, rng, first_counter(10)));
  EXPECT_EQ(a, to_gray(elastic(in, rng, first_counter(10))));
  EXPECT_NE(a, to_gray(elastic(in, rng, first_counter(11))));
  EXPECT_NE(a, to_gray(in));
}

TEST(Elastic, ApplyResamplesAtTheDisplacedPoint) {
  const FloatImage in = synthetic_float(2);
  DisplacementField f;
  f.rows = f.cols = 28;
  // dy = 1: row r shows row r + 1 (the last row repeats the edge).
  f.dx.assign(28 * 28, 0.0);
  f.dy.assign(28 * 28, 1.0);
  FloatImage out = ElasticTransform::apply(in, f);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c < 28; ++c) ASSERT_EQ(out.at(r, c), in.at(std::min(r + 1, 27u), c));
  // dx = 0.5: the mean of two horizontal neighbours; exact, as halving is exact and
  // 0.5a + 0.5b rounds once, like (a + b) / 2.
  f.dx.assign(28 * 28, 0.5);
  f.dy.assign(28 * 28, 0.0);
  out = ElasticTransform::apply(in, f);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c + 1 < 28; ++c) ASSERT_EQ(out.at(r, c), (in.at(r, c) + in.at(r, c + 1)) / 2);
}

// dx(p) = alpha * sum_j w_j u_j with u_j iid U(-1, 1) and w the normalized 2-D kernel
// g (x) g. So E dx = 0 and E dx^2 = s := alpha^2 * S2 / 3 with S2 = sum_j w_j^2 = (sum_k g_k^2)^2;
// E dx^4 = 3 s^2 - (2/15) alpha^4 sum_j w_j^4 (uniform fourth cumulant -2/15), hence
// Var(dx^2) = 2 s^2 - (2/15) alpha^4 (sum_k g_k^4)^2. Adjacent pixels share noise:
// E dx(r, c) dx(r, c+1) = alpha^2 / 3 * (sum_k g_k g_{k+1}) * (sum_k g_k^2).
// Points 17 apart (> 2R = 16 for sigma = 2) share no noise, so the four pixels
// (0,0), (0,17), (17,0), (17,17) of each field are independent draws: N = 4 * fields.
// Each estimate is a mean of N iid terms; we accept within 5 standard errors (the CLT
// gives a false-failure probability of 5.7e-7 per check, 2.3e-6 for the four).
TEST(Elastic, DisplacementFieldStatisticsMatchTheSmoothedNoise) {
  ElasticSpecs specs;
  specs.sigma = 2.0;
  specs.alpha = 3.0;
  const ElasticTransform elastic(specs);
  ASSERT_EQ(elastic.radius(), 8);
  const auto& g = elastic.kernel();
  double g2 = 0, g4 = 0, g11 = 0;
  for (std::size_t k = 0; k < g.size(); ++k) {
    g2 += g[k] * g[k];
    g4 += g[k] * g[k] * g[k] * g[k];
    if (k + 1 < g.size()) g11 += g[k] * g[k + 1];
  }
  const double a2 = specs.alpha * specs.alpha;
  const double var = a2 * g2 * g2 / 3.0;
  const double var_of_sq = 2 * var * var - 2.0 / 15.0 * a2 * a2 * g4 * g4;
  const double cov_adjacent = a2 / 3.0 * g11 * g2;

  const int fields = 6000;
  const CounterRng rng(11, 12);
  double sum = 0, sum_sq = 0, sum_cross = 0, sum_xy = 0;
  int n = 0;
  for (int i = 0; i < fields; ++i) {
    const DisplacementField f = elastic.field(28, 28, rng, first_counter(i));
    for (uint32_t r : {0u, 17u})
      for (uint32_t c : {0u, 17u}) {
        const double x = f.dx[r * 28 + c];
        sum += x;
        sum_sq += x * x;
        sum_cross += x * f.dx[r * 28 + c + 1];
        sum_xy += x * f.dy[r * 28 + c];
        ++n;
      }
  }
  const double se_mean = std::sqrt(var / n);
  EXPECT_NEAR(sum / n, 0.0, 5 * se_mean);
  EXPECT_NEAR(sum_sq / n, var, 5 * std::sqrt(var_of_sq / n));
  // Var(xy) <= E x^2 y^2 <= sqrt(E x^4 E y^4) <= 3 s^2 (Cauchy-Schwarz; E x^4 <= 3 s^2).
  EXPECT_NEAR(sum_cross / n, cov_adjacent, 5 * std::sqrt(3.0 / n) * var);
  EXPECT_NEAR(sum_xy / n, 0.0, 5 * std::sqrt(3.0 / n) * var);  // dx, dy independent
  // The bound must be able to tell smoothed from unsmoothed noise (variance alpha^2 / 3).
  EXPECT_LT(var + 5 * std::sqrt(var_of_sq / n), a2 / 3.0);
}

TEST(Elastic, DefaultFieldVarianceAtThePaperSettings) {
  // sigma = 4, alpha = 34: one pixel per field (all pixels of a 28 x 28 field overlap);
  // same derivation and 5-standard-error bound as above (false failure 5.7e-7).
  const ElasticTransform elastic(ElasticSpecs{});
  const auto& g = elastic.kernel();
  double g2 = 0, g4 = 0;
  for (double v : g) {
    g2 += v * v;
    g4 += v * v * v * v;
  }
  const double a2 = 34.0 * 34.0;
  const double var = a2 * g2 * g2 / 3.0;
  const double var_of_sq = 2 * var * var - 2.0 / 15.0 * a2 * a2 * g4 * g4;
  const int n = 3000;
  const CounterRng rng(13, 14);
  double sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const DisplacementField f = elastic.field(28, 28, rng, first_counter(i));
    sum_sq += f.dy[14 * 28 + 14] * f.dy[14 * 28 + 14];
  }
  EXPECT_NEAR(sum_sq / n, var, 5 * std::sqrt(var_of_sq / n));
  // For sigma >> 1, sum_k g_k^2 ~ 1 / (2 sigma sqrt(pi)), so the RMS displacement per axis
  // is alpha / (2 sigma sqrt(3 pi)) = 1.384 px: the paper's setting moves pixels ~1.4 px.
  EXPECT_NEAR(std::sqrt(var), 34.0 / (8.0 * std::sqrt(3.0 * M_PI)), 0.005);
}

}  // namespace
}  // namespace lrt::data
