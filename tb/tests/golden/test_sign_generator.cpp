// The rank-reduce sign generator: balanced, pairwise independent bits. Thresholds are
// |z| <= 6 (two-sided false-failure probability 2e-9 per check for a fair source).
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "golden/rank_reduce/sign_generator.h"

namespace lrt {
namespace {

constexpr double kZ = 6.0;

TEST(SignGenerator, BitsAreBalancedAndPairwiseIndependent) {
  // For each of the 9 bits rank <= 8 uses (q = r + 1), the count of ones over n pairs is
  // Binomial(n, 1/2): sd sqrt(n)/2. Pairwise agreement of bits i, j likewise.
  const uint32_t n = 200'000;
  std::array<int64_t, 9> ones{};
  int64_t agree01 = 0, agree_next_pair = 0;
  for (uint32_t p = 0; p < n; ++p) {
    const uint32_t w = golden::rank_reduce_sign_word(0x1234u, p);
    for (int j = 0; j < 9; ++j) ones[j] += (w >> j) & 1u;
    agree01 += ((w ^ (w >> 1)) & 1u) == 0;
    agree_next_pair += ((w ^ golden::rank_reduce_sign_word(0x1234u, p + 1)) & 1u) == 0;
  }
  const double tol = kZ * std::sqrt(static_cast<double>(n)) / 2.0;
  for (int j = 0; j < 9; ++j) EXPECT_LT(std::fabs(static_cast<double>(ones[j]) - n / 2.0), tol) << "bit " << j;
  EXPECT_LT(std::fabs(static_cast<double>(agree01) - n / 2.0), tol);
  EXPECT_LT(std::fabs(static_cast<double>(agree_next_pair) - n / 2.0), tol);
  EXPECT_EQ(golden::rank_reduce_sign(0x1234u, 5, 3),
            (golden::rank_reduce_sign_word(0x1234u, 5) >> 3) & 1u ? -1 : 1);
}


TEST(SignGenerator, MatchesItsDefinitionIn64BitArithmetic) {
  // Independent restatement of the documented definition with explicit mod-2^32 masks,
  // so a change of the word (which the RTL must track) cannot pass unnoticed.
  auto reference = [](uint64_t seed, uint64_t pair) {
    const uint64_t m = 0xFFFFFFFFull;
    uint64_t x = (pair * 0x9E3779B9ull + seed) & m;
    x ^= x >> 16;
    x = (x * 0x7FEB352Dull) & m;
    x ^= x >> 15;
    x = (x * 0x846CA68Bull) & m;
    x ^= x >> 16;
    return static_cast<uint32_t>(x);
  };
  for (uint64_t seed : {0ull, 1ull, 0xDEADBEEFull, 0xFFFFFFFFull})
    for (uint64_t pair : {0ull, 1ull, 2ull, 12345ull, 0xFFFFFFFFull})
      EXPECT_EQ(golden::rank_reduce_sign_word(static_cast<uint32_t>(seed), static_cast<uint32_t>(pair)),
                reference(seed, pair));
  static_assert(golden::rank_reduce_sign_word(0, 0) == 0, "lowbias32(0) = 0");
}

}  // namespace
}  // namespace lrt
