#include "data/augment.h"

#include <cmath>

#include "data/sample_rng.h"

namespace lrt::data {

namespace {
constexpr double kTwoPi = 2.0 * M_PI;
}  // namespace

SpatialParams draw_spatial(const SpatialSpecs& s, const CounterRng& rng, uint64_t counter) {
  const auto w = rng.block(counter);
  SpatialParams p;
  p.rotation_rad = s.max_rotation_deg * (M_PI / 180.0) * uniform_pm1(w[0]);
  p.scale = s.min_scale + (s.max_scale - s.min_scale) * uniform_01(w[1]);
  p.shift_x = s.max_shift_px * uniform_pm1(w[2]);
  p.shift_y = s.max_shift_px * uniform_pm1(w[3]);
  return p;
}

FloatImage apply_spatial(const FloatImage& image, const SpatialParams& p) {
  const double cy = (image.rows - 1.0) / 2.0, cx = (image.cols - 1.0) / 2.0;
  const double cos_t = std::cos(p.rotation_rad), sin_t = std::sin(p.rotation_rad);
  const double inv_scale = 1.0 / p.scale;
  FloatImage out(image.rows, image.cols);
  for (uint32_t r = 0; r < image.rows; ++r)
    for (uint32_t c = 0; c < image.cols; ++c) {
      // Inverse map: undo the shift, then the rotation (R(-theta)), then the scale.
      const double u = c - cx - p.shift_x, v = r - cy - p.shift_y;
      const double sx = (cos_t * u + sin_t * v) * inv_scale;
      const double sy = (cos_t * v - sin_t * u) * inv_scale;
      out.at(r, c) = sample_bilinear(image, cy + sy, cx + sx, Border::kZero);
    }
  return out;
}

BackgroundParams draw_background(const BackgroundSpecs& s, const CounterRng& rng, uint64_t counter) {
  const auto w = rng.block(counter);
  BackgroundParams p;
  p.angle_rad = kTwoPi * (static_cast<double>(w[0]) * 0x1.0p-32);
  p.contrast = s.min_contrast + (s.max_contrast - s.min_contrast) * uniform_01(w[1]);
  return p;
}

double background_gradient(uint32_t rows, uint32_t cols, uint32_t r, uint32_t c, double angle) {
  const double cy = (rows - 1.0) / 2.0, cx = (cols - 1.0) / 2.0;
  const double ux = std::cos(angle), uy = std::sin(angle);
  // Half the range of the projection over the image: reached at two opposite corners.
  const double half = cx * std::fabs(ux) + cy * std::fabs(uy);
  if (!(half > 0.0)) return 0.5;
  const double t = 0.5 + 0.5 * ((c - cx) * ux + (r - cy) * uy) / half;
  return t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);  // rounding guard at the corners
}

FloatImage apply_background(const FloatImage& image, const BackgroundParams& p) {
  FloatImage out(image.rows, image.cols);
  for (uint32_t r = 0; r < image.rows; ++r)
    for (uint32_t c = 0; c < image.cols; ++c)
      out.at(r, c) = p.contrast * image.at(r, c) +
                     (1.0 - p.contrast) * background_gradient(image.rows, image.cols, r, c, p.angle_rad);
  return out;
}

void add_white_noise(FloatImage& image, double sigma, const CounterRng& rng, uint64_t first) {
  for (std::size_t i = 0; i < image.px.size(); ++i) image.px[i] += sigma * rng.normal(first + i);
}

}  // namespace lrt::data
