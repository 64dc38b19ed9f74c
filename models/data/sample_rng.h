#pragma once
// Layout of the data area's random draws on the counter-based generator (core/rng.h).
// A draw is addressed by (seed, stream, sub-stream, counter):
//   stream      RngStream::kDataOrder for which source image a sample shows,
//               RngStream::kAugment for how it is transformed;
//   sub-stream  split * 16 + purpose, so streams and purposes never share draws;
//   counter     sample * 2^24 + j: sample i owns 2^24 consecutive blocks per purpose.
// Every sample is therefore a pure function of (seed, split, i): any sample can be
// regenerated alone, in any order (checkpoint/resume, parallel sweeps).

#include <cstdint>

#include "core/rng.h"

namespace lrt::data {

/// @brief The sample streams of Appendix F.
enum class Split : uint32_t {
  kOfflineTrain = 0,
  kValidation = 1,
  kOfflineTest = 2,
  kOnline = 3,
  kShift = 4,  ///< the online stream plus the distribution-shift augmentations
};
const char* to_string(Split split);

/// @brief What a sub-stream is used for (the low 4 bits of the sub-stream number).
enum class Purpose : uint32_t {
  kSource = 0,          ///< kDataOrder: source image of a sample
  kElastic = 1,         ///< kAugment: elastic displacement noise
  kSpatial = 2,         ///< kAugment: rotation, scale, shift
  kBackground = 3,      ///< kAugment: gradient angle, contrast
  kNoise = 4,           ///< kAugment: white noise
  kClusterDraw = 5,     ///< kDataOrder: class-clustered source choice of a sample
  kClusterBlock = 6,    ///< kDataOrder: favoured classes of a block (counter = block)
  kElasticSetting = 7,  ///< kAugment: which elastic setting a sample gets (data.elastic.mode mixture)
};

/// Sub-streams outside the per-split range, for draws made once per data set.
constexpr uint64_t kPartitionSub = 0xFFFF0000u;  ///< kDataOrder: the source partition
constexpr uint64_t kScheduleSub = 0xFFFF0001u;   ///< kAugment: the shift schedule

constexpr unsigned kCounterBitsPerSample = 24;

inline CounterRng split_rng(uint64_t seed, RngStream stream, Split split, Purpose purpose) {
  return make_rng(seed, stream, static_cast<uint64_t>(split) * 16 + static_cast<uint64_t>(purpose));
}

/// @brief First counter of sample (or block) i.
inline uint64_t first_counter(uint64_t i) { return i << kCounterBitsPerSample; }

/// @brief A sequential view starting at sample i's counter range (for rejection sampling,
/// whose draw count varies).
inline RngCursor sample_cursor(const CounterRng& rng, uint64_t i) {
  return RngCursor(rng.seed(), rng.stream(), first_counter(i));
}

/// @brief A 32-bit word mapped to the open interval (0, 1): (w + 0.5) * 2^-32, exact.
inline double uniform_01(uint32_t w) { return (static_cast<double>(w) + 0.5) * 0x1.0p-32; }

/// @brief A 32-bit word mapped to (-1, 1), symmetric about 0 (mean exactly 0 over all
/// words): (w + 0.5) * 2^-31 - 1, exact.
inline double uniform_pm1(uint32_t w) { return (static_cast<double>(w) + 0.5) * 0x1.0p-31 - 1.0; }

}  // namespace lrt::data
