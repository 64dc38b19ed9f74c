#pragma once
// Stimulus of lrtsim cosim: (dz, a) pairs as int16 codes with block exponents, the form the
// rank-reduce unit receives. First a directed set of corner cases, then constrained-random
// gradient-like pairs whose magnitudes spread over 10^-3..10^3.

#include <cstdint>
#include <deque>
#include <random>
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

/// @brief The random pairs one at a time, in constant memory (a soak of 10^6 pairs at conv2's
/// shape would hold 2.6 GB as a vector): each vector is a mix of a few fixed random directions
/// (low rank, as real gradients) and Gaussian noise, scaled by 10^U(-3, 3), then
/// block-quantized (RankReduceFixed::quantize_input); one pair in ten repeats an earlier one
/// rescaled (in the span), picked among the last kRepeatWindow pairs. Deterministic in `seed`.
class RandomPairStream {
 public:
  /// Pairs up to this index pick their repeat among all earlier pairs.
  static constexpr size_t kRepeatWindow = 4096;
  RandomPairStream(int n_o, int n_i, uint64_t seed);
  CosimPair next();

 private:
  int n_o_, n_i_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};  ///< the directions' weights (keeps its state)
  std::vector<std::vector<double>> dir_o_, dir_i_;
  std::deque<CosimPair> recent_;  ///< the last kRepeatWindow pairs
};

/// @brief The first `count` pairs of RandomPairStream(n_o, n_i, seed).
std::vector<CosimPair> random_pairs(int n_o, int n_i, uint64_t seed, int count);

}  // namespace lrt::cosim
