#pragma once
// Working image of the data pipeline: intensities as doubles in [0, 1] (0 = black, the
// MNIST background), row-major. Augmentations compose in double and round to uint8 once,
// at the end, so that no intermediate rounding biases a chain of transforms.

#include <cstdint>
#include <vector>

namespace lrt::data {

/// @brief Row-major image with double intensities (nominally in [0, 1]).
struct FloatImage {
  uint32_t rows = 0, cols = 0;
  std::vector<double> px;  ///< rows * cols

  FloatImage() = default;
  FloatImage(uint32_t r, uint32_t c, double fill = 0.0) : rows(r), cols(c), px(std::size_t{r} * c, fill) {}
  double& at(uint32_t r, uint32_t c) { return px[std::size_t{r} * cols + c]; }
  double at(uint32_t r, uint32_t c) const { return px[std::size_t{r} * cols + c]; }
};

/// @brief uint8 gray levels -> intensities v / 255.
FloatImage to_float_image(const uint8_t* gray, uint32_t rows, uint32_t cols);

/// @brief The one rounding rule of the data area: clip x to [0, 1], scale by 255, round
/// half up (floor(y + 0.5)). NaN maps to 0.
uint8_t to_gray(double x);
std::vector<uint8_t> to_gray(const FloatImage& image);

/// @brief What bilinear interpolation reads outside the image.
enum class Border {
  kClampToEdge,  ///< the nearest edge pixel (keeps a constant image constant)
  kZero,         ///< black, the background of MNIST-style images
  /// Half-sample symmetric reflection, period 2n: pixel -1 is pixel 0, pixel n is pixel n-1
  /// (scipy.ndimage's mode "reflect", "d c b a | a b c d | d c b a").
  kReflect,
};

/// @brief The pixel index that index i (any integer) reads under Border::kReflect on an axis
/// of n >= 1 pixels.
int64_t reflect_index(int64_t i, int64_t n);

/// @brief Bilinear interpolation at (y, x) in pixel coordinates (pixel centres at
/// integers). At integer coordinates it returns the pixel exactly.
double sample_bilinear(const FloatImage& image, double y, double x, Border border);

}  // namespace lrt::data
