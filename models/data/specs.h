#pragma once
// Parameters of the online data set of Appendix F (Gural et al.): splits, elastic
// transforms and the distribution-shift stream. Plain structs; config::Specs embeds them and
// the YAML keys named in the comments point at their members (docs/data.md lists them all
// with their defaults).

#include <array>
#include <cstdint>
#include <string>

namespace lrt::data {

/// @brief The four distribution-shift augmentations, as bits of a mask. The paper's
/// abbreviations (Fig. 6b): CD, ST, BG, WN.
enum Augmentation : uint32_t {
  kClassClustering = 1u << 0,  ///< CD: nearby samples share classes
  kSpatial = 1u << 1,          ///< ST: rotation, scale, shift
  kBackground = 1u << 2,       ///< BG: contrast scaling + black-white gradient
  kWhiteNoise = 1u << 3,       ///< WN: additive Gaussian noise
};
constexpr uint32_t kAllAugmentations = kClassClustering | kSpatial | kBackground | kWhiteNoise;

/// @brief "CD+ST+BG+WN"-style name of a mask ("none" for 0), for traces and plots.
std::string augmentation_names(uint32_t mask);
/// @brief Parses one name: "class_clustering", "spatial", "background" or "noise".
/// Throws SpecError (member shift.augmentations) for anything else.
Augmentation parse_augmentation(const std::string& name);

/// @brief Where the images come from (MNIST-format IDX files, raw or gzip).
struct SourceSpecs {
  // data.train_images, data.train_labels, data.test_images, data.test_labels
  std::string train_images = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  std::string train_labels = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
  std::string test_images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  std::string test_labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  int num_classes = 10;  ///< data.num_classes
};

/// @brief Source partitions of the training images and the sample count of each stream.
struct SplitSpecs {
  uint32_t offline_train_sources = 9000;   ///< data.split.offline_train_sources
  uint32_t validation_sources = 1000;      ///< data.split.validation_sources
  uint32_t online_sources = 50000;         ///< data.split.online_sources
  uint64_t offline_train_samples = 50000;  ///< data.split.offline_train_samples
  uint64_t validation_samples = 10000;     ///< data.split.validation_samples
  uint64_t online_samples = 100000;        ///< data.split.online_samples (also the shift stream)
};

/// @brief How the elastic distortion of a sample is chosen (data.elastic.mode).
enum class ElasticMode : uint32_t {
  /// The authors' procedure (notebook data/MNIST Dataset Generator.ipynb, elastic_augment):
  /// each sample draws one of kAuthorsElasticSettings uniformly; the noise is smoothed with
  /// zero padding (scipy gaussian_filter mode="constant") and sampled with half-sample
  /// reflection (map_coordinates mode="reflect").
  kMixture = 0,
  /// lrtsim's former rule: alpha and sigma of ElasticSpecs for every sample, a stationary
  /// field (noise drawn beyond the border) and edge pixels repeated outside.
  kFixed = 1,
};
const char* to_string(ElasticMode mode);

/// @brief One (sigma, alpha) setting of the elastic distortion, in pixels.
struct ElasticSetting {
  double sigma;
  double alpha;
};

/// The authors' eleven settings (notebook cell "Elastic Transform Augmentation", list
/// sigma_alpha), in its order; (1, 0) is "none" (alpha = 0: the identity).
inline constexpr std::array<ElasticSetting, 11> kAuthorsElasticSettings = {{
    {1, 0},
    {2, 25},
    {2, 50},
    {3, 100},
    {3, 150},
    {4, 200},
    {4, 300},
    {5, 300},
    {5, 500},
    {6, 600},
    {7, 1200},
}};

/// @brief Elastic distortion (Simard et al. 2003, §2).
struct ElasticSpecs {
  double alpha = 34.0;    ///< data.elastic.alpha: displacement scale, pixels (mode fixed)
  double sigma = 4.0;     ///< data.elastic.sigma: Gaussian std, pixels (mode fixed)
  double truncate = 4.0;  ///< data.elastic.truncate: kernel radius = ceil(truncate * sigma)
  ElasticMode mode = ElasticMode::kMixture;  ///< data.elastic.mode
};

/// @brief Class-distribution clustering (CD).
struct ClusterSpecs {
  uint32_t block = 1000;            ///< data.shift.cluster.block: samples per block
  uint32_t classes_per_block = 2;   ///< data.shift.cluster.classes_per_block
  double favour_probability = 0.8;  ///< data.shift.cluster.favour_probability
};

/// @brief Spatial transforms (ST), drawn per sample, uniform in each range.
struct SpatialSpecs {
  double max_rotation_deg = 20.0;  ///< data.shift.spatial.max_rotation_deg: theta in [-max, max]
  double min_scale = 0.8;          ///< data.shift.spatial.min_scale
  double max_scale = 1.2;          ///< data.shift.spatial.max_scale
  double max_shift_px = 3.0;       ///< data.shift.spatial.max_shift_px: per axis, [-max, max]
};

/// @brief Background gradient with contrast scaling (BG), drawn per sample.
struct BackgroundSpecs {
  double min_contrast = 0.3;  ///< data.shift.background.min_contrast
  double max_contrast = 0.7;  ///< data.shift.background.max_contrast
};

/// @brief Additive white Gaussian noise (WN), on intensities in [0, 1].
struct NoiseSpecs {
  double sigma = 0.1;  ///< data.shift.noise.sigma
};

/// @brief Which combination of augmentations each segment gets (data.shift.schedule).
enum class ShiftScheduleRule : uint32_t {
  /// The authors' fixed ten segments, kAuthorsShiftSchedule, repeated cyclically.
  kAuthors = 0,
  /// lrtsim's former rule: every non-empty subset of the eligible augmentations, in a
  /// seeded random order, repeated cyclically.
  kRandomCombinations = 1,
};
const char* to_string(ShiftScheduleRule rule);

/// The authors' schedule (notebook cell "Generate the Distribution Shift Dataset (Small)",
/// dict `schedule`; the file mnist-aug500k-DS2.hdf5 that data/data_loader.py streams as
/// 'shift'): one combination per segment of 10k samples, in this order.
inline constexpr std::array<uint32_t, 10> kAuthorsShiftSchedule = {
    kClassClustering,                                         // CD
    kSpatial,                                                 // ST
    kBackground,                                              // BG
    kWhiteNoise,                                              // WN
    kSpatial | kWhiteNoise,                                   // ST+WN
    kSpatial | kBackground,                                   // ST+BG
    kBackground | kWhiteNoise,                                // BG+WN
    kSpatial | kBackground | kWhiteNoise,                     // ST+BG+WN
    kClassClustering | kSpatial | kBackground | kWhiteNoise,  // CD+ST+BG+WN
    0,                                                        // none
};

/// @brief The distribution-shift stream.
struct ShiftSpecs {
  uint64_t period = 10000;                                   ///< data.shift.period: samples per segment
  uint32_t augmentations = kAllAugmentations;                ///< data.shift.augmentations: eligible set
  ShiftScheduleRule schedule = ShiftScheduleRule::kAuthors;  ///< data.shift.schedule
  ClusterSpecs cluster;
  SpatialSpecs spatial;
  BackgroundSpecs background;
  NoiseSpecs noise;
};

/// @brief Everything the data area needs; the seed comes from the run.
struct DataSpecs {
  SourceSpecs source;
  SplitSpecs split;
  ElasticSpecs elastic;
  ShiftSpecs shift;
};

/// @brief Checks what can be checked without the images; throws SpecError naming the member
/// ("shift.cluster.block"); the config layer reports it at the key.
void validate(const DataSpecs& specs);

/// Largest sample count of a stream: sample i owns counter indices [i * 2^24, (i+1) * 2^24)
/// of each sub-stream, and the 64-bit counter must not wrap.
constexpr uint64_t kMaxSamples = uint64_t{1} << 40;

}  // namespace lrt::data
