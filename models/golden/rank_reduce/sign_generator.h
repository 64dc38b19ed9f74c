#pragma once
// Random signs for unbiased rankReduce (the vector s of Algorithm 1). A counter hash
// rather than a sequential generator: the word for pair p depends only on (seed, p),
// so the float model, the fixed-point model and the RTL agree whatever order or
// partitioning they process pairs in. 32-bit operations only, so the RTL reproduces it
// with two 32x32 multipliers (or one, time-shared).
//
// Word for pair p: x = p * 0x9E3779B9 + seed (mod 2^32, a Weyl sequence keyed by the
// seed), then the "lowbias32" finalizer (C. Wellons, hash-prospector: xor-shift 16,
// multiply 0x7FEB352D, xor-shift 15, multiply 0x846CA68B, xor-shift 16). Bit j of the
// word is the sign of element j of s: 1 means -1. Ranks up to 31 fit in one word; the
// pair counter wraps after 2^32 pairs (documented in docs/fixed_point_rank_reduce.md).

#include <cstdint>

namespace lrt::golden {

/// @brief The 32 sign bits for pair `pair_index` under `seed` (bit j set: s_j = -1).
constexpr uint32_t rank_reduce_sign_word(uint32_t seed, uint32_t pair_index) {
  uint32_t x = pair_index * 0x9E3779B9u + seed;
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

/// @brief s_j in {-1, +1} for element j (0-based) of pair `pair_index`.
constexpr int rank_reduce_sign(uint32_t seed, uint32_t pair_index, int j) {
  return (rank_reduce_sign_word(seed, pair_index) >> j) & 1u ? -1 : 1;
}

}  // namespace lrt::golden
