#pragma once
// The sample streams of Appendix F over an MNIST-format image set:
//   offline_train  offline_train_samples elastic versions of the offline-train sources
//                  (source i mod n: each source used equally often, the order already
//                  shuffled by the partition permutation);
//   validation     the same over the validation sources;
//   offline_test   one elastic version of each test image, in file order;
//   online         online_samples elastic versions of online sources drawn uniformly
//                  WITH replacement (the paper's deliberate "data leakage");
//   shift          the online stream plus, per segment of data.shift.period samples, a
//                  combination of class clustering, spatial transforms, background
//                  gradients and white noise (ShiftSchedule: by default the authors' ten).
// "Elastic" is data.elastic.mode: by default the authors' mixture (each sample one of
// eleven settings), the same for every split, as in the authors' notebook (docs/data.md).
// Nothing is materialized: sample i of a stream is a pure function of (images, specs,
// seed, stream, i), computed on demand, so streams can be read in any order.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/idx.h"
#include "data/sample_rng.h"
#include "data/shift_schedule.h"
#include "data/specs.h"
#include "data/splits.h"

namespace lrt::data {

/// @brief One sample as the accelerator sees it.
struct Sample {
  uint32_t rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  ///< rows * cols gray levels, row-major
  uint8_t label = 0;
  uint32_t source_index = 0;   ///< index into the training images (test images for offline_test)
  uint32_t augmentations = 0;  ///< shift stream: Augmentation mask of the segment; else 0
};

struct DatasetState;  // shared, immutable state of a Dataset and its streams

/// @brief Random-access view of one stream. Cheap to copy; keeps its Dataset's state alive.
class SampleStream {
 public:
  Split split() const { return split_; }
  uint64_t size() const { return size_; }
  /// @brief Sample i (i < size(), else std::out_of_range).
  Sample at(uint64_t i) const;

 private:
  friend class Dataset;
  SampleStream(std::shared_ptr<const DatasetState> state, Split split, uint64_t size)
      : state_(std::move(state)), split_(split), size_(size) {}
  std::shared_ptr<const DatasetState> state_;
  Split split_;
  uint64_t size_;
};

/// @brief Training and test images, their partitions and the streams over them.
class Dataset {
 public:
  /// Validates specs against the images (SpecError naming the DataSpecs member, e.g.
  /// "source.train_images" or "shift.cluster.classes_per_block", on any mismatch) and
  /// computes the partitions. `test` may be empty (then offline_test is empty).
  Dataset(LabeledImages train, LabeledImages test, const DataSpecs& specs, uint64_t seed);

  /// @brief Reads the IDX files named in specs.source (raw or gzip).
  static Dataset load(const DataSpecs& specs, uint64_t seed);

  SampleStream stream(Split split) const;
  const Partitions& partitions() const;
  const ShiftSchedule& schedule() const;
  /// @brief The clustering of the shift stream; nullptr when class_clustering is not eligible.
  const ClassClustering* clustering() const;
  const LabeledImages& train() const;
  const LabeledImages& test() const;

 private:
  std::shared_ptr<const DatasetState> state_;
};

}  // namespace lrt::data
