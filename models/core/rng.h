#pragma once
// Counter-based random numbers: every draw is a pure function of (seed, stream, index).
// Results therefore never depend on call order, threading, or checkpoint/resume: a
// resumed run only needs the indices it had reached, not a generator state.
//
// Generator: Philox4x32-10 (Salmon et al., SC'11, "Parallel random numbers: as easy as
// 1, 2, 3"), checked against the Random123 known-answer vectors. Key = seed (64 bit);
// counter = (index lo, index hi, stream lo, stream hi). One block gives 128 random bits.

#include <array>
#include <cstdint>

namespace lrt {

/// @brief One Philox4x32-10 block: 4 words from 4 counter words and 2 key words.
std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

/// @brief Stateless random source: draws depend only on (seed, stream, index).
class CounterRng {
 public:
  CounterRng(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {}

  /// The 128-bit block at `index`.
  std::array<uint32_t, 4> block(uint64_t index) const;
  /// @brief blocks[i] = block(first + i) for i < n: sixteen counters at a time with AVX-512 (if
  /// the host has it), eight with AVX2 (the same words; the loops over many consecutive
  /// indices, drift and read noise, use it).
  void blocks(uint64_t first, uint64_t n, std::array<uint32_t, 4>* out) const;
  /// 32 uniformly distributed bits (word 0 of the block).
  uint32_t bits32(uint64_t index) const { return block(index)[0]; }
  /// 64 uniformly distributed bits (words 0 and 1 of the block).
  uint64_t bits64(uint64_t index) const;
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform(uint64_t index) const;
  /// Standard normal N(0, 1) by the Box-Muller transform of one block.
  double normal(uint64_t index) const;
  /// @brief Standard normal N(0, 1) by the ziggurat method (Marsaglia & Tsang 2000, in
  /// Doornik's 2005 128-layer form): about five times cheaper than normal() because 98.8 % of
  /// draws need one block and a comparison, no log or cos. The rare retries (wedges, tail)
  /// draw further blocks at the same index under keys seed + k * 0x9E3779B97F4A7C15, k >= 1,
  /// so a draw still depends only on (seed, stream, index). A different sequence than
  /// normal(): used where a normal is drawn per cell (drift, read noise).
  double normal_ziggurat(uint64_t index) const;
  /// normal_ziggurat(index) given b = block(index) (from blocks()): the same value.
  double normal_ziggurat(uint64_t index, const std::array<uint32_t, 4>& b) const;
  /// @brief out[i] = normal_ziggurat(first + i, b[i]) for i < n, b[i] = block(first + i): the
  /// one-block draws four at a time with AVX2 (the same operations, so the same doubles), the
  /// rare retries one by one.
  void normals_ziggurat(uint64_t first, uint64_t n, const std::array<uint32_t, 4>* b, double* out) const;

  uint64_t seed() const { return seed_; }
  uint64_t stream() const { return stream_; }

 private:
  uint64_t seed_;
  uint64_t stream_;
};

/// @brief Sequential convenience view of a CounterRng: the only state is the next index,
/// which a checkpoint stores to resume the exact sequence.
class RngCursor {
 public:
  RngCursor(uint64_t seed, uint64_t stream, uint64_t next_index = 0)
      : rng_(seed, stream), next_(next_index) {}
  uint32_t bits32() { return rng_.bits32(next_++); }
  uint64_t bits64() { return rng_.bits64(next_++); }
  double uniform() { return rng_.uniform(next_++); }
  double normal() { return rng_.normal(next_++); }
  /// Uniform integer in [0, n) (n > 0), unbiased by rejection (Lemire's method).
  uint64_t below(uint64_t n);
  uint64_t next_index() const { return next_; }

 private:
  CounterRng rng_;
  uint64_t next_;
};

/// @brief Named streams, so that independent consumers never share draws.
enum class RngStream : uint64_t {
  kTest = 0,
  kDataOrder = 1,
  kAugment = 2,
  kInit = 3,
  kRankReduceSigns = 4,
  kStochasticRounding = 5,
  kDither = 6,
  kDeviceDrift = 7,
  kDeviceEndurance = 8,
  kDeviceFaults = 9,
  kReadNoise = 10,
};

inline CounterRng make_rng(uint64_t seed, RngStream stream, uint64_t sub = 0) {
  // Sub-streams (e.g. one per layer) live in the high 32 bits of the stream word.
  return CounterRng(seed, static_cast<uint64_t>(stream) | (sub << 32));
}

}  // namespace lrt
