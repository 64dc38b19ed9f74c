// The distribution-shift augmentations (spatial, background, noise), the rounding rule
// and bilinear sampling: each tested on its defining property.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "data/augment.h"
#include "data/image.h"
#include "data/sample_rng.h"
#include "synthetic_data.h"

namespace lrt::data {
namespace {

FloatImage synthetic_float(uint32_t i, uint32_t size = 28) {
  const LabeledImages im = testing::synthetic_images(i + 1, 0, size, size);
  return to_float_image(&im.pixels[std::size_t{i} * size * size], size, size);
}

TEST(ToGray, RoundsHalfUpAndClips) {
  for (int v = 0; v < 256; ++v) {
    ASSERT_EQ(to_gray(v / 255.0), v);
    ASSERT_EQ(to_gray((v + 0.49) / 255.0), v);
    if (v < 255) {
      ASSERT_EQ(to_gray((v + 0.51) / 255.0), v + 1);
    }
  }
  EXPECT_EQ(to_gray(-0.3), 0);
  EXPECT_EQ(to_gray(1.7), 255);
  EXPECT_EQ(to_gray(std::nan("")), 0);
  EXPECT_EQ(to_gray(-INFINITY), 0);
  EXPECT_EQ(to_gray(INFINITY), 255);
}

TEST(Bilinear, PixelCentresExactAndBorders) {
  const FloatImage im = synthetic_float(4);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c < 28; ++c) {
      ASSERT_EQ(sample_bilinear(im, r, c, Border::kZero), im.at(r, c));
      ASSERT_EQ(sample_bilinear(im, r, c, Border::kClampToEdge), im.at(r, c));
    }
  FloatImage ones(4, 4, 1.0);
  EXPECT_EQ(sample_bilinear(ones, -1.0, 2.0, Border::kZero), 0.0);
  EXPECT_EQ(sample_bilinear(ones, -0.5, 2.0, Border::kZero), 0.5);
  EXPECT_EQ(sample_bilinear(ones, -7.0, 1e300, Border::kClampToEdge), 1.0);
  EXPECT_EQ(sample_bilinear(ones, 1e300, -1e300, Border::kZero), 0.0);
  EXPECT_EQ(sample_bilinear(ones, std::nan(""), 1.0, Border::kZero), 0.0);
}

// scipy.ndimage's "reflect": d c b a | a b c d | d c b a, period 2n.
TEST(Bilinear, ReflectIsHalfSampleSymmetric) {
  const int64_t expected[] = {0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0};  // i = -8 .. 7
  for (int64_t i = -8; i < 8; ++i) EXPECT_EQ(reflect_index(i, 4), expected[i + 8]) << i;
  EXPECT_EQ(reflect_index(8, 4), 0);
  EXPECT_EQ(reflect_index(8 * 1000 + 1, 4), 1);
  EXPECT_EQ(reflect_index(-8 * 1000 - 1, 4), 0);
  EXPECT_EQ(reflect_index(-5, 1), 0);
  FloatImage row(1, 4);
  row.px = {0.125, 0.25, 0.5, 1.0};                                      // a b c d
  EXPECT_EQ(sample_bilinear(row, 0.0, -0.5, Border::kReflect), 0.125);   // between a and a
  EXPECT_EQ(sample_bilinear(row, 0.0, -1.0, Border::kReflect), 0.125);   // pixel -1 = a
  EXPECT_EQ(sample_bilinear(row, 0.0, -1.5, Border::kReflect), 0.1875);  // between b and a
  EXPECT_EQ(sample_bilinear(row, 0.0, 3.5, Border::kReflect), 1.0);      // between d and d
  EXPECT_EQ(sample_bilinear(row, 0.0, 5.0, Border::kReflect), 0.5);      // pixel 5 = c
  EXPECT_EQ(sample_bilinear(row, 0.0, 8001.0, Border::kReflect), 0.25);  // far away: b
  EXPECT_EQ(sample_bilinear(row, -3.0, 1.0, Border::kReflect), 0.25);    // the row axis reflects too
  EXPECT_EQ(sample_bilinear(row, std::nan(""), 1.0, Border::kReflect), 0.0);
}

TEST(Spatial, NeutralParametersAreTheIdentityExactly) {
  const FloatImage in = synthetic_float(7);
  EXPECT_EQ(apply_spatial(in, SpatialParams{}).px, in.px);
}

TEST(Spatial, IntegerShiftMovesContentAndLeavesBlack) {
  const FloatImage in = synthetic_float(8);
  SpatialParams p;
  p.shift_x = 2;
  p.shift_y = -3;
  const FloatImage out = apply_spatial(in, p);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c < 28; ++c) {
      const int64_t sr = static_cast<int64_t>(r) + 3, sc = static_cast<int64_t>(c) - 2;
      const double expected =
          (sr < 28 && sc >= 0) ? in.at(static_cast<uint32_t>(sr), static_cast<uint32_t>(sc)) : 0.0;
      ASSERT_EQ(out.at(r, c), expected) << r << "," << c;
    }
}

TEST(Spatial, QuarterTurnIsClockwiseOnScreen) {
  // theta = pi/2: the pixel at offset (x, y) from the centre moves to (-y, x) (y down).
  // cos(pi/2) is 6e-17, not 0, so sample points are off by < 1e-14 px: the interpolated
  // values differ from exact pixels by < 1e-14, far below the +-0.5 gray-level rounding
  // margin, so the uint8 images match exactly.
  const FloatImage in = synthetic_float(9);
  SpatialParams p;
  p.rotation_rad = M_PI / 2;
  const auto out = to_gray(apply_spatial(in, p));
  const auto src = to_gray(in);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c < 28; ++c) {
      // offset (x, y) = (c - 13.5, r - 13.5) lands at (13.5 - y, 13.5 + x) = (27 - r, c) as (col, row).
      ASSERT_EQ(out[c * 28 + (27 - r)], src[r * 28 + c]) << r << "," << c;
    }
}

TEST(Spatial, ScaleTwoEnlargesAboutTheCentre) {
  const FloatImage in = synthetic_float(10, 27);  // odd size: the centre (13, 13) is a pixel
  SpatialParams p;
  p.scale = 2.0;
  const FloatImage out = apply_spatial(in, p);
  // out(13 + 2k) = in(13 + k) exactly: the sample point (2k / 2 = k) is a pixel centre.
  for (int r = 1; r < 27; r += 2)
    for (int c = 1; c < 27; c += 2)
      ASSERT_EQ(out.at(static_cast<uint32_t>(r), static_cast<uint32_t>(c)),
                in.at(static_cast<uint32_t>(13 + (r - 13) / 2), static_cast<uint32_t>(13 + (c - 13) / 2)));
}

TEST(Spatial, DrawsCoverTheirRanges) {
  // 5000 draws; each range is hit within 1% of both ends unless all 5000 miss a 1% band:
  // probability 4 * 0.99^5000 < 1e-21.
  SpatialSpecs s;
  const CounterRng rng(21, 22);
  double lo_t = 1e9, hi_t = -1e9, lo_s = 1e9, hi_s = -1e9, lo_x = 1e9, hi_x = -1e9;
  const double max_t = s.max_rotation_deg * M_PI / 180;
  for (uint64_t i = 0; i < 5000; ++i) {
    const SpatialParams p = draw_spatial(s, rng, first_counter(i));
    ASSERT_LE(std::fabs(p.rotation_rad), max_t);
    ASSERT_GE(p.scale, s.min_scale);
    ASSERT_LE(p.scale, s.max_scale);
    ASSERT_LE(std::fabs(p.shift_x), s.max_shift_px);
    ASSERT_LE(std::fabs(p.shift_y), s.max_shift_px);
    lo_t = std::min(lo_t, p.rotation_rad), hi_t = std::max(hi_t, p.rotation_rad);
    lo_s = std::min(lo_s, p.scale), hi_s = std::max(hi_s, p.scale);
    lo_x = std::min(lo_x, p.shift_y), hi_x = std::max(hi_x, p.shift_y);
  }
  EXPECT_LT(lo_t, -0.98 * max_t);
  EXPECT_GT(hi_t, 0.98 * max_t);
  EXPECT_LT(lo_s, s.min_scale + 0.01 * (s.max_scale - s.min_scale));
  EXPECT_GT(hi_s, s.max_scale - 0.01 * (s.max_scale - s.min_scale));
  EXPECT_LT(lo_x, -0.98 * s.max_shift_px);
  EXPECT_GT(hi_x, 0.98 * s.max_shift_px);
}

TEST(Background, GradientSpansBlackToWhiteMonotonically) {
  for (double angle = 0.05; angle < 2 * M_PI; angle += 0.37) {
    const double ux = std::cos(angle), uy = std::sin(angle);
    double lo = 1, hi = 0;
    for (uint32_t r = 0; r < 28; ++r)
      for (uint32_t c = 0; c < 28; ++c) {
        const double g = background_gradient(28, 28, r, c, angle);
        lo = std::min(lo, g), hi = std::max(hi, g);
        // Monotone along the direction: one step along +x changes g with the sign of
        // cos(angle), one step along +y with the sign of sin(angle).
        if (c + 1 < 28) {
          const double step = background_gradient(28, 28, r, c + 1, angle) - g;
          ASSERT_TRUE(ux >= 0 ? step >= 0 : step <= 0) << angle;
        }
        if (r + 1 < 28) {
          const double step = background_gradient(28, 28, r + 1, c, angle) - g;
          ASSERT_TRUE(uy >= 0 ? step >= 0 : step <= 0) << angle;
        }
      }
    // Extremes are reached at opposite corners: 0 and 1 up to a few rounding errors.
    EXPECT_NEAR(lo, 0.0, 1e-14);
    EXPECT_NEAR(hi, 1.0, 1e-14);
  }
  EXPECT_EQ(background_gradient(1, 1, 0, 0, 1.0), 0.5);
}

TEST(Background, BlendScalesContrastAndStaysMonotoneAfterRounding) {
  const FloatImage digit = synthetic_float(11);
  for (double angle : {0.3, 2.0, 4.4}) {
    const BackgroundParams p{angle, 0.4};
    const FloatImage out = apply_background(digit, p);
    for (uint32_t r = 0; r < 28; ++r)
      for (uint32_t c = 0; c < 28; ++c) {
        const double g = background_gradient(28, 28, r, c, angle);
        // out - (1 - c) g = c x up to two roundings of values <= 1.
        ASSERT_NEAR(out.at(r, c) - 0.6 * g, 0.4 * digit.at(r, c), 4 * 0x1.0p-53);
      }
    // A blank image becomes the pure gradient, whose uint8 version is still monotone.
    const auto blank = to_gray(apply_background(FloatImage(28, 28, 0.0), p));
    for (uint32_t r = 0; r < 28; ++r)
      for (uint32_t c = 0; c + 1 < 28; ++c) {
        const int step = blank[r * 28 + c + 1] - blank[r * 28 + c];
        ASSERT_TRUE(std::cos(angle) >= 0 ? step >= 0 : step <= 0);
      }
  }
}

TEST(Background, DrawsStayInTheirRanges) {
  BackgroundSpecs s;
  const CounterRng rng(31, 32);
  for (uint64_t i = 0; i < 2000; ++i) {
    const BackgroundParams p = draw_background(s, rng, first_counter(i));
    ASSERT_GE(p.angle_rad, 0.0);
    ASSERT_LT(p.angle_rad, 2 * M_PI);
    ASSERT_GE(p.contrast, s.min_contrast);
    ASSERT_LE(p.contrast, s.max_contrast);
  }
}

// Noise e = out - 0.5 on a mid-gray image, sigma = 0.05 (clipping at 10 sigma never
// matters, and noise is added in double, before rounding). N = 784 * 80 iid N(0, s^2)
// terms: mean within 5 s / sqrt(N); mean of e^2 within 5 sqrt(2 s^4 / N) of s^2, as
// Var(e^2) = 2 s^4; and pixels uncorrelated: E e_i e_{i+1} = 0, Var = s^4. The CLT gives
// 5.7e-7 false-failure probability per check.
TEST(WhiteNoise, MeanVarianceAndIndependence) {
  const double sigma = 0.05;
  const CounterRng rng(41, 42);
  double sum = 0, sum_sq = 0, sum_lag = 0;
  int n = 0, n_lag = 0;
  for (uint64_t i = 0; i < 80; ++i) {
    FloatImage im(28, 28, 0.5);
    add_white_noise(im, sigma, rng, first_counter(i));
    for (std::size_t p = 0; p < im.px.size(); ++p) {
      const double e = im.px[p] - 0.5;
      sum += e;
      sum_sq += e * e;
      ++n;
      if (p + 1 < im.px.size()) {
        sum_lag += e * (im.px[p + 1] - 0.5);
        ++n_lag;
      }
    }
  }
  const double s2 = sigma * sigma;
  EXPECT_NEAR(sum / n, 0.0, 5 * sigma / std::sqrt(n));
  EXPECT_NEAR(sum_sq / n, s2, 5 * std::sqrt(2.0 / n) * s2);
  EXPECT_NEAR(sum_lag / n_lag, 0.0, 5 * s2 / std::sqrt(n_lag));
}

TEST(WhiteNoise, ZeroSigmaChangesNothingAndRoundingClips) {
  const FloatImage in = synthetic_float(12);
  FloatImage same = in;
  add_white_noise(same, 0.0, CounterRng(1, 1), 0);
  EXPECT_EQ(same.px, in.px);
  FloatImage white(28, 28, 1.0);
  add_white_noise(white, 0.5, CounterRng(1, 1), 0);
  const auto g = to_gray(white);
  // About half the pixels got positive noise and clip to 255; the rest are darker.
  const auto saturated = std::count(g.begin(), g.end(), 255);
  EXPECT_GT(
      saturated,
      300);  // Binomial(784, 1/2) > 300: each side fails with P < exp(-2 * 92^2 / 784) = 4e-10 (Hoeffding)
  EXPECT_LT(saturated, 484);
}

}  // namespace
}  // namespace lrt::data
