#pragma once
// Which augmentations the distribution-shift stream applies where (Appendix F: "unique
// additional augmentations to every contiguous 10k samples"), and the class-distribution
// clustering (CD) that makes nearby samples share classes.

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "data/specs.h"

namespace lrt::data {

/// @brief Segment k = samples [k * period, (k + 1) * period) gets one combination of
/// the eligible augmentations (specs.augmentations), from a cycle repeated over the stream.
///  - ShiftScheduleRule::kAuthors: the cycle is kAuthorsShiftSchedule (CD, ST, BG, WN,
///    ST+WN, ST+BG, BG+WN, ST+BG+WN, all four, none) with every augmentation that is not
///    eligible removed from every segment: the segments keep their places, so a restricted
///    set leaves some segments with fewer augmentations or none (with the full set, adjacent
///    segments always differ). The seed is not used.
///  - ShiftScheduleRule::kRandomCombinations: the cycle is the non-empty subsets of the
///    eligible set (15 for all four), in an order given by a seeded permutation: every segment
///    of a cycle has a different combination, no segment is augmentation-free, and adjacent
///    segments differ whenever more than one combination exists.
class ShiftSchedule {
 public:
  ShiftSchedule(const ShiftSpecs& specs, uint64_t seed);

  uint64_t period() const { return period_; }
  uint64_t segment_of(uint64_t sample) const { return sample / period_; }
  /// @brief Mask of Augmentation bits for a segment.
  uint32_t segment_augmentations(uint64_t segment) const { return cycle_[segment % cycle_.size()]; }
  uint32_t augmentations_at(uint64_t sample) const { return segment_augmentations(segment_of(sample)); }
  /// @brief The combinations of one cycle, in order.
  const std::vector<uint32_t>& cycle() const { return cycle_; }

 private:
  uint64_t period_;
  std::vector<uint32_t> cycle_;
};

/// @brief Class-distribution clustering over a pool of source images (the online
/// partition). Block b = samples [b * block, (b + 1) * block) favours classes_per_block
/// distinct classes, drawn uniformly from the classes present in the pool. A sample of
/// block b is, with probability favour_probability, an image of a favoured class (class
/// uniform among the favoured, image uniform within the class); otherwise an ordinary
/// draw, uniform over the whole pool. Both with replacement, like the online stream.
class ClassClustering {
 public:
  /// `pool_labels[j]` is the label of pool image j. Throws SpecError ("classes_per_block")
  /// when the pool has fewer classes than asked.
  ClassClustering(const ClusterSpecs& specs, const std::vector<uint8_t>& pool_labels, CounterRng block_rng,
                  CounterRng draw_rng);

  uint64_t block_of(uint64_t sample) const { return sample / specs_.block; }
  /// @brief The favoured classes of block b, in draw order (distinct).
  std::vector<uint8_t> favoured_classes(uint64_t block) const;
  /// @brief Pool position of sample i.
  uint32_t draw(uint64_t sample) const;
  /// @brief Classes with at least one image in the pool, ascending.
  const std::vector<uint8_t>& present_classes() const { return present_; }

 private:
  ClusterSpecs specs_;
  CounterRng block_rng_, draw_rng_;
  uint32_t pool_size_;
  std::vector<uint8_t> present_;
  std::vector<std::vector<uint32_t>> positions_by_class_;  ///< indexed by label
};

}  // namespace lrt::data
