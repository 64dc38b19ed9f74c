#pragma once
// Stimulus of lrtsim cosim: (dz, a) pairs as int16 codes with block exponents, the form the
// rank-reduce unit receives. First a directed set of corner cases, then constrained-random
// gradient-like pairs whose magnitudes spread over 10^-3..10^3.

#include <cstdint>
#include <string>
#include <vector>

namespace lrt::cosim {

struct CosimPair {
  std::vector<int16_t> dz;
  int dz_exp = 0;
  std::vector<int16_t> a;
  int a_exp = 0;
  std::string label;  ///< what the pair tests ("random" for the random stream)
};

/// @brief The directed corner cases for shape (n_o, n_i): zero vectors (pairs 0-2), a one-hot
/// pair (pair 3, the first non-zero one), saturated codes
/// (+32767, -32768, alternating), repeated identical pairs, rank-deficient (in-span) pairs,
/// pairs far below the state (kappa skips), one-hot vectors and extreme exponents (+-2047).
std::vector<CosimPair> directed_pairs(int n_o, int n_i, uint64_t seed);

/// @brief `count` random pairs: each vector is a mix of a few fixed random directions (low
/// rank, as real gradients) and Gaussian noise, scaled by 10^U(-3, 3), then block-quantized
/// (RankReduceFixed::quantize_input). Deterministic in `seed`.
std::vector<CosimPair> random_pairs(int n_o, int n_i, uint64_t seed, int count);

}  // namespace lrt::cosim
