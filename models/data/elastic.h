#pragma once
// Elastic distortion of Simard, Steinkraus & Platt (ICDAR 2003, §2), as used by the
// paper through Ernestus' implementation: per-pixel displacements dx, dy ~ U(-1, 1),
// each field convolved with a Gaussian of std sigma and multiplied by alpha; the output
// pixel (r, c) is the input bilinearly interpolated at (r + dy, c + dx).
//
// One departure, for a stationary field: the noise is drawn on the image grid extended by
// the kernel radius R on every side, so every output pixel sees a full kernel. (Smoothing
// zero-padded noise instead, as scipy's mode="constant" does, would shrink displacements
// within R of the border; with sigma = 4, R = 16 that is every pixel of a 28 x 28 image.)
// Then Var(dx) = alpha^2 / 3 * sum_k g2_k^2 at every pixel, g2 the normalized 2-D kernel.

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "data/image.h"
#include "data/specs.h"

namespace lrt::data {

/// @brief Kernel radius ceil(truncate * sigma).
int gaussian_radius(double sigma, double truncate);

/// @brief exp(-k^2 / (2 sigma^2)) for k = -R..R, divided by its sum (summed from k = -R up).
std::vector<double> gaussian_kernel(double sigma, double truncate);

/// @brief A displacement field in pixels, row-major like the image.
struct DisplacementField {
  uint32_t rows = 0, cols = 0;
  std::vector<double> dx, dy;  ///< column and row displacement
};

/// @brief Elastic distortion with a fixed kernel; stateless apart from it.
class ElasticTransform {
 public:
  explicit ElasticTransform(const ElasticSpecs& specs);

  /// @brief The field for one sample. Its uniforms are the 32-bit words of the blocks
  /// rng.block(first_counter + k), four per block: first the dx noise, then the dy noise,
  /// each on the (rows + 2R) x (cols + 2R) grid, row-major.
  DisplacementField field(uint32_t rows, uint32_t cols, const CounterRng& rng, uint64_t first_counter) const;

  /// @brief Bilinear resampling at (r + dy, c + dx), edge pixels repeated outside.
  static FloatImage apply(const FloatImage& image, const DisplacementField& field);

  FloatImage operator()(const FloatImage& image, const CounterRng& rng, uint64_t first_counter) const {
    return apply(image, field(image.rows, image.cols, rng, first_counter));
  }

  const std::vector<double>& kernel() const { return kernel_; }
  int radius() const { return radius_; }
  const ElasticSpecs& specs() const { return specs_; }

 private:
  ElasticSpecs specs_;
  int radius_;
  std::vector<double> kernel_;
};

}  // namespace lrt::data
