#include "data/image.h"

#include <algorithm>
#include <cmath>

namespace lrt::data {

FloatImage to_float_image(const uint8_t* gray, uint32_t rows, uint32_t cols) {
  FloatImage out(rows, cols);
  for (std::size_t i = 0; i < out.px.size(); ++i) out.px[i] = gray[i] / 255.0;
  return out;
}

uint8_t to_gray(double x) {
  const double y = x * 255.0;
  if (!(y > 0.0)) return 0;  // also NaN
  if (y >= 255.0) return 255;
  return static_cast<uint8_t>(std::floor(y + 0.5));
}

std::vector<uint8_t> to_gray(const FloatImage& image) {
  std::vector<uint8_t> out(image.px.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = to_gray(image.px[i]);
  return out;
}

int64_t reflect_index(int64_t i, int64_t n) {
  const int64_t period = 2 * n;
  int64_t m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

namespace {

double pixel(const FloatImage& im, int64_t r, int64_t c, Border border) {
  const int64_t rows = im.rows, cols = im.cols;
  if (border == Border::kReflect) {
    r = reflect_index(r, rows);
    c = reflect_index(c, cols);
  } else if (border == Border::kClampToEdge) {
    r = std::clamp<int64_t>(r, 0, rows - 1);
    c = std::clamp<int64_t>(c, 0, cols - 1);
  } else if (r < 0 || r >= rows || c < 0 || c >= cols) {
    return 0.0;
  }
  return im.px[static_cast<std::size_t>(r * cols + c)];
}

}  // namespace

double sample_bilinear(const FloatImage& im, double y, double x, Border border) {
  if (std::isnan(y) || std::isnan(x)) return 0.0;
  if (border == Border::kReflect) {
    // Reflection is periodic, so the coordinate matters at any distance; the floor and the
    // fraction below are exact for |y| < 2^52. Bounding it (far beyond any displacement the
    // data area makes) keeps the int conversion safe.
    y = std::clamp(y, -0x1.0p40, 0x1.0p40);
    x = std::clamp(x, -0x1.0p40, 0x1.0p40);
  } else {
    // Beyond one pixel outside, every neighbour is outside (or clamps to the same edge
    // pixel), so clamping the coordinate changes nothing and keeps the int conversion safe.
    y = std::clamp(y, -2.0, static_cast<double>(im.rows) + 1.0);
    x = std::clamp(x, -2.0, static_cast<double>(im.cols) + 1.0);
  }
  const double y0 = std::floor(y), x0 = std::floor(x);
  const double fy = y - y0, fx = x - x0;
  const auto r = static_cast<int64_t>(y0), c = static_cast<int64_t>(x0);
  const double top = (1.0 - fx) * pixel(im, r, c, border) + fx * pixel(im, r, c + 1, border);
  const double bottom = (1.0 - fx) * pixel(im, r + 1, c, border) + fx * pixel(im, r + 1, c + 1, border);
  return (1.0 - fy) * top + fy * bottom;
}

}  // namespace lrt::data
