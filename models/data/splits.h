#pragma once
// Source partitions of Appendix F: the training images are split by one seeded
// permutation into offline-train, validation and online sources (9k / 1k / 50k of
// MNIST's 60k by default). Images past the three partitions are left unused.

#include <cstdint>
#include <vector>

#include "data/specs.h"

namespace lrt::data {

/// @brief Indices into the training images; the three lists are disjoint.
struct Partitions {
  std::vector<uint32_t> offline_train;
  std::vector<uint32_t> validation;
  std::vector<uint32_t> online;
};

/// @brief The seeded permutation of [0, n) (Fisher-Yates on RngStream::kDataOrder,
/// sub-stream kPartitionSub).
std::vector<uint32_t> source_permutation(uint32_t n, uint64_t seed);

/// @brief Cuts source_permutation(n, seed) into the partitions, in the order offline
/// train, validation, online. Throws SpecError ("online_sources") when the
/// three sizes add up to more than n.
Partitions make_partitions(uint32_t n, const SplitSpecs& split, uint64_t seed);

}  // namespace lrt::data
