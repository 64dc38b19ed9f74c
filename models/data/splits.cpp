#include "data/splits.h"

#include <numeric>
#include <utility>

#include "core/error.h"
#include "data/sample_rng.h"

namespace lrt::data {

std::vector<uint32_t> source_permutation(uint32_t n, uint64_t seed) {
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  const CounterRng rng = make_rng(seed, RngStream::kDataOrder, kPartitionSub);
  RngCursor cursor(rng.seed(), rng.stream());
  // Fisher-Yates from the back: position k swaps with a uniform position in [0, k].
  for (uint32_t k = n; k > 1; --k) {
    const auto j = static_cast<uint32_t>(cursor.below(k));
    std::swap(perm[k - 1], perm[j]);
  }
  return perm;
}

Partitions make_partitions(uint32_t n, const SplitSpecs& split, uint64_t seed) {
  const uint64_t total =
      uint64_t{split.offline_train_sources} + split.validation_sources + split.online_sources;
  if (total > n)
    throw SpecError("online_sources",
                    "offline_train_sources + validation_sources + online_sources = " +
                        std::to_string(split.offline_train_sources) + " + " +
                        std::to_string(split.validation_sources) + " + " +
                        std::to_string(split.online_sources) + " = " + std::to_string(total) +
                        " exceeds the " + std::to_string(n) + " training images");
  const std::vector<uint32_t> perm = source_permutation(n, seed);
  const auto a = perm.begin();
  const auto b = a + split.offline_train_sources;
  const auto c = b + split.validation_sources;
  const auto d = c + split.online_sources;
  return Partitions{{a, b}, {b, c}, {c, d}};
}

}  // namespace lrt::data
