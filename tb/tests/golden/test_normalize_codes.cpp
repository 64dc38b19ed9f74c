// RankReduceFixed::normalize_codes (block quantization computed on integer codes) against
// quantize_input (the same on doubles): identical codes and exponents, exhaustively for one
// value and on random vectors; and step_integer() against step() on the same pairs.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"

namespace lrt::golden {
namespace {

void expect_same(const std::vector<int16_t>& c, int frac) {
  const int n = static_cast<int>(c.size());
  std::vector<double> x(c.size());
  for (size_t i = 0; i < c.size(); ++i) x[i] = std::ldexp(static_cast<double>(c[i]), -frac);
  std::vector<int16_t> from_double(c.size()), from_codes(c.size());
  const int e_double = RankReduceFixed::quantize_input(x.data(), n, from_double.data());
  const int e_codes = RankReduceFixed::normalize_codes(c.data(), n, frac, from_codes.data());
  ASSERT_EQ(e_codes, e_double) << "frac " << frac << " first code " << c[0];
  ASSERT_EQ(from_codes, from_double) << "frac " << frac << " first code " << c[0];
}

TEST(NormalizeCodes, EverySingleCodeAtSeveralLsbs) {
  for (int frac : {-5, 0, 7, 15, 30})
    for (int32_t v = INT16_MIN; v <= INT16_MAX; ++v) expect_same({static_cast<int16_t>(v)}, frac);
}

TEST(NormalizeCodes, RandomVectorsOfEveryMagnitude) {
  const CounterRng rng(77, 1);
  uint64_t draw = 0;
  for (int t = 0; t < 20000; ++t) {
    const int n = 1 + static_cast<int>(rng.bits32(draw++) % 200);
    const int bits = 1 + static_cast<int>(rng.bits32(draw++) % 16);  // largest magnitude < 2^bits
    const int frac = static_cast<int>(rng.bits32(draw++) % 29) - 8;
    std::vector<int16_t> c(static_cast<size_t>(n));
    for (auto& v : c) {
      const int32_t m = static_cast<int32_t>(rng.bits32(draw++) % (uint32_t{1} << bits)) - (int32_t{1} << (bits - 1));
      v = static_cast<int16_t>(m);
    }
    if (t % 10 == 0) c.assign(c.size(), 0);  // all-zero vectors too
    expect_same(c, frac);
  }
}

TEST(NormalizeCodes, StepIntegerFoldsLikeStep) {
  RankReduceParams p;
  p.n_o = 12;
  p.n_i = 30;
  p.rank = 3;
  for (RankReduceMode mode : {RankReduceMode::kBiased, RankReduceMode::kUnbiased}) {
    p.mode = mode;
    RankReduceFixed by_codes(p), by_doubles(p);
    const CounterRng rng(5, 2);
    uint64_t draw = 0;
    std::vector<int16_t> dz(12), a(30);
    std::vector<double> dzd(12), ad(30);
    for (int pair = 0; pair < 400; ++pair) {
      for (int i = 0; i < 12; ++i) dz[i] = static_cast<int16_t>(static_cast<int>(rng.bits32(draw++) % 255) - 127);
      for (int i = 0; i < 30; ++i) a[i] = static_cast<int16_t>(rng.bits32(draw++) % 256);
      if (pair % 17 == 0) a.assign(30, 0);  // a zero input
      for (int i = 0; i < 12; ++i) dzd[i] = std::ldexp(dz[i], -7);
      for (int i = 0; i < 30; ++i) ad[i] = std::ldexp(a[i], -8);
      ASSERT_TRUE(by_codes.step_integer(dz.data(), 7, a.data(), 8));
      by_doubles.step(dzd.data(), ad.data());
    }
    const RankReduceFixedState x = by_codes.state(), y = by_doubles.state();
    EXPECT_EQ(x.left_codes, y.left_codes);
    EXPECT_EQ(x.right_codes, y.right_codes);
    EXPECT_EQ(x.left_exps, y.left_exps);
    EXPECT_EQ(x.right_exps, y.right_exps);
    EXPECT_EQ(x.cx_codes, y.cx_codes);
    EXPECT_EQ(x.cx_exponent, y.cx_exponent);
    EXPECT_EQ(x.stats.pairs, y.stats.pairs);
    EXPECT_EQ(x.stats.skipped_kappa, y.stats.skipped_kappa);
    EXPECT_GT(x.stats.pairs - x.stats.skipped_kappa - x.stats.degenerate, 100u);  // real updates happened
  }
}

}  // namespace
}  // namespace lrt::golden
