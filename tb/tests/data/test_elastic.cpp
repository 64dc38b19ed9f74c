// Elastic distortion (Simard et al. 2003): kernel, exact identities, and the statistics
// of the smoothed displacement field.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

// ---- the authors' mixture (data.elastic.mode mixture, the default) ------------------------

TEST(ElasticMixture, HasTheNotebooksElevenSettingsInTheAuthorsStyle) {
  // The notebook's list sigma_alpha (data/MNIST Dataset Generator.ipynb), copied as written.
  const double sigma_alpha[11][2] = {{1, 0},   {2, 25},  {2, 50},  {3, 100}, {3, 150}, {4, 200},
                                     {4, 300}, {5, 300}, {5, 500}, {6, 600}, {7, 1200}};
  const ElasticSpecs specs;
  ASSERT_EQ(specs.mode, ElasticMode::kMixture);  // the default
  const ElasticAugmentation mixture(specs);
  ASSERT_EQ(mixture.transforms().size(), 11u);
  for (std::size_t k = 0; k < 11; ++k) {
    const ElasticTransform& t = mixture.transforms()[k];
    EXPECT_EQ(t.setting().sigma, sigma_alpha[k][0]) << k;
    EXPECT_EQ(t.setting().alpha, sigma_alpha[k][1]) << k;
    EXPECT_EQ(t.style(), ElasticStyle::kAuthors);
    // scipy's radius int(4 sigma + 0.5) equals ceil(4 sigma) for these integer sigmas.
    EXPECT_EQ(t.radius(), static_cast<int>(4 * sigma_alpha[k][0] + 0.5));
    // The channel-axis gain: the normalized kernel's centre tap, 1 / sum_k exp(-k^2 / 2 sigma^2).
    double sum = 0;
    for (int j = -t.radius(); j <= t.radius(); ++j)
      sum += std::exp(-j * j / (2 * sigma_alpha[k][0] * sigma_alpha[k][0]));
    EXPECT_NEAR(t.gain(), 1.0 / sum, 1e-15) << k;
  }
  EXPECT_NEAR(mixture.transforms()[0].gain(), 0.39894, 1e-5);    // sigma 1
  EXPECT_NEAR(mixture.transforms()[10].gain(), 0.056994, 1e-6);  // sigma 7
  // mode fixed: one transform, today's alpha and sigma, stationary style.
  ElasticSpecs fixed;
  fixed.mode = ElasticMode::kFixed;
  const ElasticAugmentation one(fixed);
  ASSERT_EQ(one.transforms().size(), 1u);
  EXPECT_EQ(one.transforms()[0].setting().alpha, 34.0);
  EXPECT_EQ(one.transforms()[0].setting().sigma, 4.0);
  EXPECT_EQ(one.transforms()[0].style(), ElasticStyle::kStationary);
  EXPECT_EQ(one.transforms()[0].gain(), 1.0);
}

// Setting k is drawn uniformly: over n = 110,000 samples the counts of the 11 settings give a
// chi-square statistic with 10 degrees of freedom against n / 11 each, below 46.86, its
// 1 - 1e-6 quantile (false-failure probability 1e-6). A missing or doubled setting would
// add ~10,000 (~20,000) to the statistic.
TEST(ElasticMixture, DrawsEverySettingWithEqualFrequency) {
  const CounterRng rng = split_rng(21, RngStream::kAugment, Split::kOnline, Purpose::kElasticSetting);
  const uint64_t n = 110000;
  std::vector<double> counts(11, 0.0);
  for (uint64_t i = 0; i < n; ++i) counts[ElasticAugmentation::setting_index(rng, i)] += 1;
  const double expected = static_cast<double>(n) / 11;
  double chi2 = 0;
  for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 46.86);
  for (double c : counts) EXPECT_GT(c, 0.0);
}

TEST(ElasticMixture, IsAPureFunctionOfSeedAndSample) {
  const ElasticAugmentation mixture{ElasticSpecs{}};
  const FloatImage in = synthetic_float(4);
  const auto noise = [](uint64_t seed) {
    return split_rng(seed, RngStream::kAugment, Split::kOnline, Purpose::kElastic);
  };
  const auto setting = [](uint64_t seed) {
    return split_rng(seed, RngStream::kAugment, Split::kOnline, Purpose::kElasticSetting);
  };
  int differ_sample = 0, differ_seed = 0, settings_differ = 0;
  for (uint64_t i = 0; i < 200; ++i) {
    const auto a = to_gray(mixture(in, noise(31), setting(31), i));
    // Same (seed, sample), in another order and through another object: the same bytes.
    EXPECT_EQ(a, to_gray(ElasticAugmentation(ElasticSpecs{})(in, noise(31), setting(31), i))) << i;
    differ_sample += a != to_gray(mixture(in, noise(31), setting(31), i + 1)) ? 1 : 0;
    differ_seed += a != to_gray(mixture(in, noise(32), setting(32), i)) ? 1 : 0;
    settings_differ += ElasticAugmentation::setting_index(setting(31), i) !=
                               ElasticAugmentation::setting_index(setting(32), i)
                           ? 1
                           : 0;
  }
  // Two samples are equal only if both draw "none" (1 in 121) or move no pixel by half a gray
  // level (not seen at these settings): 200 pairs give a few equal ones at most.
  EXPECT_GT(differ_sample, 180);
  EXPECT_GT(differ_seed, 180);
  EXPECT_GT(settings_differ, 150);  // 10/11 of 200 expected
}

TEST(ElasticMixture, NoneSettingIsTheIdentity) {
  const ElasticAugmentation mixture{ElasticSpecs{}};
  const CounterRng noise(41, 1), setting(41, 2);
  const FloatImage in = synthetic_float(6);
  int nones = 0;
  for (uint64_t i = 0; i < 300; ++i) {
    if (ElasticAugmentation::setting_index(setting, i) != 0) continue;
    ++nones;
    EXPECT_EQ(mixture(in, noise, setting, i).px, in.px);
  }
  EXPECT_GT(nones, 0);  // P(none of 300 draws) = (10/11)^300 < 1e-12
}

// The authors' field, against a direct evaluation of what their elastic_transform computes:
// dx(r, c) = alpha * g_R * sum over image pixels (i, j) of g(i - r) g(j - c) u(i, j), the noise
// zero outside the image (gaussian_filter mode "constant"), g_R from the channel axis.
TEST(ElasticMixture, AuthorsFieldIsTheZeroPaddedSmoothingTimesTheCentreTap) {
  const uint32_t rows = 9, cols = 13;
  const ElasticTransform t(ElasticSetting{2.0, 50.0}, 4.0, ElasticStyle::kAuthors);
  ASSERT_EQ(t.radius(), 8);
  const auto& g = t.kernel();
  const CounterRng rng(51, 52);
  const uint64_t first = first_counter(7);
  ASSERT_EQ(t.blocks(rows, cols), (2u * rows * cols + 3) / 4);
  std::vector<double> u(4 * t.blocks(rows, cols));
  for (std::size_t b = 0; b * 4 < u.size(); ++b)
    for (std::size_t w = 0; w < 4; ++w) u[4 * b + w] = uniform_pm1(rng.block(first + b)[w]);
  const DisplacementField f = t.field(rows, cols, rng, first);
  const int radius = t.radius();
  for (int field = 0; field < 2; ++field) {
    const double* noise = u.data() + field * rows * cols;
    const std::vector<double>& got = field == 0 ? f.dx : f.dy;
    for (int r = 0; r < static_cast<int>(rows); ++r)
      for (int c = 0; c < static_cast<int>(cols); ++c) {
        double sum = 0;
        for (int i = 0; i < static_cast<int>(rows); ++i)
          for (int j = 0; j < static_cast<int>(cols); ++j) {
            if (std::abs(i - r) > radius || std::abs(j - c) > radius) continue;
            sum += g[static_cast<std::size_t>(i - r + radius)] * g[static_cast<std::size_t>(j - c + radius)] *
                   noise[i * cols + j];
          }
        EXPECT_NEAR(got[r * cols + c], 50.0 * t.gain() * sum, 1e-12) << field << " " << r << " " << c;
      }
  }
}

// Zero padding shrinks the field near the border (what following the authors changes there).
// At pixel (r, c) of a 28 x 28 image, Var(dx) = (alpha g_R)^2 / 3 * A(r) A(c) with A(r) =
// sum over image rows i of g_(i - r)^2. Each variance is estimated from n = 2000 fields; the
// field is a weighted sum of many uniforms (excess kurtosis <= 0), so Var(dx^2) <= 2 Var(dx)^2
// and each estimate has relative sd <= sqrt(2 / n) = 3.2 %: we accept 6 of them (false failure
// < 2e-9 per check, CLT).
TEST(ElasticMixture, AuthorsFieldShrinksTowardsTheBorder) {
  const ElasticTransform t(ElasticSetting{7.0, 1200.0}, 4.0, ElasticStyle::kAuthors);
  const auto& g = t.kernel();
  const auto area = [&](int r) {
    double a = 0;
    for (int i = 0; i < 28; ++i)
      if (std::abs(i - r) <= t.radius())
        a +=
            g[static_cast<std::size_t>(i - r + t.radius())] * g[static_cast<std::size_t>(i - r + t.radius())];
    return a;
  };
  const double scale = 1200.0 * t.gain();
  const double var_corner = scale * scale / 3.0 * area(0) * area(0);
  const double var_centre = scale * scale / 3.0 * area(14) * area(14);
  const CounterRng rng(61, 62);
  double corner = 0, centre = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    const DisplacementField f = t.field(28, 28, rng, first_counter(i));
    corner += f.dx[0] * f.dx[0];
    centre += f.dx[14 * 28 + 14] * f.dx[14 * 28 + 14];
  }
  const double tolerance = 6.0 * std::sqrt(2.0 / n);
  EXPECT_NEAR(corner / n / var_corner, 1.0, tolerance);
  EXPECT_NEAR(centre / n / var_centre, 1.0, tolerance);
  EXPECT_LT(var_corner / var_centre, 0.35);  // ~0.3: a stationary field would give 1
  // The strongest setting moves pixels ~1.6 px RMS at the centre, not the ~28 px alpha = 1200
  // would give without the channel-axis gain g_R = 0.057.
  EXPECT_NEAR(std::sqrt(var_centre), 1.59, 0.01);
}

TEST(ElasticMixture, AuthorsStyleReflectsOutsideTheImage) {
  const FloatImage in = synthetic_float(5);
  DisplacementField f;
  f.rows = f.cols = 28;
  // dx = -3: column c shows column c - 3; columns -1, -2, -3 are columns 0, 1, 2 reflected.
  f.dx.assign(28 * 28, -3.0);
  f.dy.assign(28 * 28, 0.0);
  const FloatImage out = ElasticTransform::apply(in, f, Border::kReflect);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c < 28; ++c)
      ASSERT_EQ(out.at(r, c), in.at(r, c >= 3 ? c - 3 : 2 - c)) << r << " " << c;
}

}  // namespace
}  // namespace lrt::data
