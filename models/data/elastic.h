#pragma once
// Elastic distortion of Simard, Steinkraus & Platt (ICDAR 2003, §2), as used by the
// paper through Ernestus' implementation: per-pixel displacements dx, dy ~ U(-1, 1),
// each field convolved with a Gaussian of std sigma and multiplied by alpha; the output
// pixel (r, c) is the input bilinearly interpolated at (r + dy, c + dx).
//
// Two styles (ElasticStyle), selected by data.elastic.mode:
//  - kStationary (mode fixed, lrtsim's former rule): the noise is drawn on the image grid
//    extended by the kernel radius R on every side, so every output pixel sees a full kernel
//    and Var(dx) = alpha^2 / 3 * sum_k g2_k^2 at every pixel, g2 the normalized 2-D kernel;
//    outside the image the edge pixels repeat.
//  - kAuthors (mode mixture): what the authors' notebook (data/MNIST Dataset
//    Generator.ipynb, elastic_transform) computes. The noise exists on the image grid only and
//    is smoothed with zero padding (scipy gaussian_filter, mode="constant"), which shrinks the
//    displacements near the border. The notebook filters an H x W x 1 array with one scalar
//    sigma, so gaussian_filter also runs along the length-1 channel axis, where zero padding
//    leaves only the kernel's centre tap: every displacement is scaled by g_R = 1 / sum_k
//    exp(-k^2 / 2 sigma^2) (0.399 at sigma = 1, 0.057 at sigma = 7). Outside the image the
//    sampling reflects (map_coordinates mode="reflect", half-sample symmetric).

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

/// @brief How a field is drawn and applied (see the file comment).
enum class ElasticStyle {
  kStationary,  ///< noise beyond the border, edge pixels repeated (data.elastic.mode fixed)
  kAuthors,     ///< the notebook's: zero-padded noise, channel-axis gain g_R, reflection
};

/// @brief Elastic distortion with one (sigma, alpha) setting; stateless apart from its kernel.
class ElasticTransform {
 public:
  /// @brief specs.alpha, specs.sigma, specs.truncate, stationary style (specs.mode is not
  /// read: ElasticAugmentation chooses the transforms of a mode).
  explicit ElasticTransform(const ElasticSpecs& specs);
  ElasticTransform(ElasticSetting setting, double truncate, ElasticStyle style);

  /// @brief The field for one sample. Its uniforms are the 32-bit words of the blocks
  /// rng.block(first_counter + k), four per block: first the dx noise, then the dy noise,
  /// each row-major on the (rows + 2R) x (cols + 2R) grid (stationary) or on the rows x cols
  /// image grid (authors).
  DisplacementField field(uint32_t rows, uint32_t cols, const CounterRng& rng, uint64_t first_counter) const;
  /// @brief Counter blocks field() draws for a rows x cols image.
  uint64_t blocks(uint32_t rows, uint32_t cols) const;

  /// @brief Bilinear resampling at (r + dy, c + dx), edge pixels repeated outside.
  static FloatImage apply(const FloatImage& image, const DisplacementField& field) {
    return apply(image, field, Border::kClampToEdge);
  }
  static FloatImage apply(const FloatImage& image, const DisplacementField& field, Border border);

  /// @brief The distorted image; alpha = 0 returns the image unchanged (what the field would
  /// give: every sample point is a pixel centre) and draws nothing.
  FloatImage operator()(const FloatImage& image, const CounterRng& rng, uint64_t first_counter) const;

  const std::vector<double>& kernel() const { return kernel_; }
  int radius() const { return radius_; }
  ElasticSetting setting() const { return setting_; }
  ElasticStyle style() const { return style_; }
  /// @brief The factor on alpha * (smoothed noise): 1 (stationary) or the centre tap g_R (authors).
  double gain() const { return gain_; }

 private:
  ElasticSetting setting_;
  ElasticStyle style_;
  int radius_;
  std::vector<double> kernel_;
  double gain_;
};

/// @brief The elastic distortion of the sample streams, per data.elastic.mode: fixed applies
/// ElasticTransform(specs) to every sample; mixture gives sample i the setting
/// kAuthorsElasticSettings[setting_index(setting_rng, i)] in the authors' style.
class ElasticAugmentation {
 public:
  explicit ElasticAugmentation(const ElasticSpecs& specs);

  /// @brief Index into kAuthorsElasticSettings of sample i (mode mixture): uniform on the
  /// eleven, from the cursor at setting_rng's counter range of sample i (sample_rng.h).
  static std::size_t setting_index(const CounterRng& setting_rng, uint64_t sample);
  /// @brief The transform sample i gets.
  const ElasticTransform& transform(const CounterRng& setting_rng, uint64_t sample) const;
  /// @brief Sample i's distortion: the transform's noise from noise_rng at first_counter(i).
  FloatImage operator()(const FloatImage& image, const CounterRng& noise_rng, const CounterRng& setting_rng,
                        uint64_t sample) const;
  /// @brief The most counter blocks one sample's field draws (over every transform).
  uint64_t max_blocks(uint32_t rows, uint32_t cols) const;

  const ElasticSpecs& specs() const { return specs_; }
  const std::vector<ElasticTransform>& transforms() const { return transforms_; }

 private:
  ElasticSpecs specs_;
  std::vector<ElasticTransform> transforms_;  ///< fixed: one; mixture: one per authors' setting
};

}  // namespace lrt::data
