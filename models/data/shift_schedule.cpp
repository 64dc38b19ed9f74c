#include "data/shift_schedule.h"

#include <utility>

#include "core/error.h"
#include "data/sample_rng.h"

namespace lrt::data {

ShiftSchedule::ShiftSchedule(const ShiftSpecs& specs, uint64_t seed) : period_(specs.period) {
  if (period_ == 0 || specs.augmentations == 0 || (specs.augmentations & ~kAllAugmentations) != 0)
    throw SpecError(period_ == 0 ? "period" : "augmentations", "invalid period or augmentation set");
  switch (specs.schedule) {
    case ShiftScheduleRule::kAuthors:
      for (const uint32_t mask : kAuthorsShiftSchedule) cycle_.push_back(mask & specs.augmentations);
      return;
    case ShiftScheduleRule::kRandomCombinations: {
      for (uint32_t mask = 1; mask <= kAllAugmentations; ++mask)
        if ((mask & ~specs.augmentations) == 0) cycle_.push_back(mask);
      const CounterRng rng = make_rng(seed, RngStream::kAugment, kScheduleSub);
      RngCursor cursor(rng.seed(), rng.stream());
      for (std::size_t k = cycle_.size(); k > 1; --k) std::swap(cycle_[k - 1], cycle_[cursor.below(k)]);
      return;
    }
  }
  throw SpecError("schedule", "unknown schedule");
}

ClassClustering::ClassClustering(const ClusterSpecs& specs, const std::vector<uint8_t>& labels,
                                 CounterRng block_rng, CounterRng draw_rng)
    : specs_(specs),
      block_rng_(block_rng),
      draw_rng_(draw_rng),
      pool_size_(static_cast<uint32_t>(labels.size())),
      positions_by_class_(256) {
  for (uint32_t j = 0; j < pool_size_; ++j) positions_by_class_[labels[j]].push_back(j);
  for (uint32_t c = 0; c < 256; ++c)
    if (!positions_by_class_[c].empty()) present_.push_back(static_cast<uint8_t>(c));
  if (specs_.block == 0)
    throw SpecError("block", "must be at least 1");
  if (specs_.classes_per_block < 1 || specs_.classes_per_block > present_.size())
    throw SpecError("classes_per_block", "value " + std::to_string(specs_.classes_per_block) + " is not in [1, " +
                                             std::to_string(present_.size()) +
                                             "], the number of classes in the online partition");
}

std::vector<uint8_t> ClassClustering::favoured_classes(uint64_t block) const {
  // Partial Fisher-Yates: the first classes_per_block entries of a seeded shuffle.
  std::vector<uint8_t> classes = present_;
  RngCursor cursor = sample_cursor(block_rng_, block);
  for (uint32_t k = 0; k < specs_.classes_per_block; ++k)
    std::swap(classes[k], classes[k + cursor.below(classes.size() - k)]);
  classes.resize(specs_.classes_per_block);
  return classes;
}

uint32_t ClassClustering::draw(uint64_t sample) const {
  RngCursor cursor = sample_cursor(draw_rng_, sample);
  if (cursor.uniform() < specs_.favour_probability) {
    const std::vector<uint8_t> favoured = favoured_classes(block_of(sample));
    const std::vector<uint32_t>& pool = positions_by_class_[favoured[cursor.below(favoured.size())]];
    return pool[cursor.below(pool.size())];
  }
  return static_cast<uint32_t>(cursor.below(pool_size_));
}

}  // namespace lrt::data
