// Integer primitives of the fixed-point rankReduce (golden/rank_reduce/fixed_math.h): each is checked bit
// for bit against an exact reference (128-bit arithmetic or an independent restatement of
// the documented algorithm), exhaustively where the domain allows, and the CORDIC results
// also against long-double libm within error bounds derived in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/rng.h"
#include "golden/rank_reduce/fixed_math.h"

namespace lrt::golden::fixmath {
namespace {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

// floor(x / 2^s) without relying on the right-shift semantics of signed values.
i128 floor_div_pow2(i128 x, int s) {
  const i128 d = static_cast<i128>(1) << s;
  i128 q = x / d;
  if (x % d != 0 && x < 0) --q;
  return q;
}

// Random 64-bit words with a random number of significant bits (log-uniform magnitudes).
uint64_t random_bits(const CounterRng& rng, uint64_t& index, int max_bits) {
  const int bits = static_cast<int>(rng.bits32(index++) % static_cast<uint32_t>(max_bits + 1));
  const uint64_t w = rng.bits64(index++);
  return bits == 0 ? 0 : (bits >= 64 ? w : w & ((uint64_t{1} << bits) - 1));
}

TEST(FixedMath, BitLength) {
  EXPECT_EQ(bit_length(0), 0);
  for (int b = 0; b < 64; ++b) {
    EXPECT_EQ(bit_length(uint64_t{1} << b), b + 1);
    EXPECT_EQ(bit_length((uint64_t{1} << b) | 1u), b + 1);
  }
  EXPECT_EQ(bit_length(~uint64_t{0}), 64);
}

TEST(FixedMath, ShiftRoundIsHalfUpOfTheExactQuotient) {
  // Reference: floor(v / 2^s + 1/2) = floor((2 v + 2^s) / 2^(s+1)) in 128 bits.
  const CounterRng rng(11, 0);
  uint64_t index = 0;
  auto check = [](int64_t v, int s) {
    const i128 want = floor_div_pow2(2 * static_cast<i128>(v) + (static_cast<i128>(1) << s), s + 1);
    ASSERT_EQ(static_cast<i128>(shift_round(v, s)), want) << v << " >> " << s;
  };
  for (int64_t v = -40; v <= 40; ++v)
    for (int s = 1; s <= 6; ++s) check(v, s);
  EXPECT_EQ(shift_round(-5, 1), -2);  // -2.5 -> -2: ties go up, not away from zero
  EXPECT_EQ(shift_round(5, 1), 3);
  for (int t = 0; t < 200000; ++t) {
    int64_t v = static_cast<int64_t>(random_bits(rng, index, 61));
    if (rng.bits32(index++) & 1u) v = -v;
    const int s = 1 + static_cast<int>(rng.bits32(index++) % 62u);
    check(v, s);
  }
  // s >= 63: |v| < 2^62 makes the quotient smaller than 1/2 in magnitude.
  EXPECT_EQ(shift_round((int64_t{1} << 62) - 1, 63), 0);
  EXPECT_EQ(shift_round(-(int64_t{1} << 62) + 1, 100), 0);
  // s <= 0: exact multiplication.
  EXPECT_EQ(shift_round(-3, -4), -48);
  EXPECT_EQ(shift_round(7, 0), 7);
  EXPECT_EQ(shift_round((int64_t{1} << 30) - 1, -31), ((int64_t{1} << 30) - 1) * (int64_t{1} << 31));
  EXPECT_THROW(shift_round(int64_t{1} << 62, 3), std::logic_error);
  EXPECT_THROW(shift_round(int64_t{1} << 40, -23), std::logic_error);
}

TEST(FixedMath, SaturateInt32IsSymmetricAndCounts) {
  uint64_t sat = 0;
  EXPECT_EQ(saturate_int32(5, sat), 5);
  EXPECT_EQ(saturate_int32(-(int64_t{1} << 31) + 1, sat), -(int64_t{1} << 31) + 1);
  EXPECT_EQ(saturate_int32((int64_t{1} << 31) - 1, sat), (int64_t{1} << 31) - 1);
  EXPECT_EQ(sat, 0u);
  EXPECT_EQ(saturate_int32(int64_t{1} << 31, sat), (int64_t{1} << 31) - 1);
  EXPECT_EQ(saturate_int32(-(int64_t{1} << 31), sat), -(int64_t{1} << 31) + 1);
  EXPECT_EQ(saturate_int32(int64_t{1} << 50, sat), (int64_t{1} << 31) - 1);
  EXPECT_EQ(sat, 3u);
}

TEST(FixedMath, BlockExponentIsTheSmallestThatFits) {
  // The documented rule: E0 = max(e_j + bit_length(m_j)) - b fits unless rounding carries the
  // largest magnitude to 2^b; E0 - 1 never fits. Checked for random segments.
  const CounterRng rng(12, 0);
  uint64_t index = 0;
  for (int t = 0; t < 20000; ++t) {
    const int segs = 1 + static_cast<int>(rng.bits32(index++) % 9u);
    const int b = 2 + static_cast<int>(rng.bits32(index++) % 30u);
    uint64_t mags[9];
    int exps[9];
    for (int j = 0; j < segs; ++j) {
      mags[j] = random_bits(rng, index, 60);
      exps[j] = static_cast<int>(rng.bits32(index++) % 41u) - 20;
    }
    const int e0 = block_exponent_candidate(mags, exps, segs, b);
    const i128 limit = (static_cast<i128>(1) << b) - 1;
    auto fits = [&](int e) {
      for (int j = 0; j < segs; ++j) {
        if (mags[j] == 0) continue;
        const int s = e - exps[j];  // code = round(m 2^-s)
        const i128 code =
            s <= 0 ? static_cast<i128>(mags[j]) << -s
                   : floor_div_pow2(2 * static_cast<i128>(mags[j]) + (static_cast<i128>(1) << s), s + 1);
        if (code > limit) return false;
      }
      return true;
    };
    bool any = false;
    for (int j = 0; j < segs; ++j) any |= mags[j] != 0;
    if (!any) {
      EXPECT_EQ(e0, 0);
      continue;
    }
    ASSERT_FALSE(fits(e0 - 1));
    ASSERT_TRUE(fits(e0) || fits(e0 + 1));
  }
}

TEST(FixedMath, IntegerSquareRootIsExact) {
  // floor: r^2 <= v < (r+1)^2 and remainder = v - r^2; round: (2r - 1)^2 <= 4v < (2r + 1)^2.
  auto check = [](uint64_t v) {
    const SqrtResult s = isqrt_floor(v);
    const u128 r = s.root;
    ASSERT_LE(r * r, static_cast<u128>(v)) << v;
    ASSERT_GT((r + 1) * (r + 1), static_cast<u128>(v)) << v;
    ASSERT_EQ(static_cast<u128>(s.remainder), static_cast<u128>(v) - r * r) << v;
    const u128 n = isqrt_round(v);
    const u128 v4 = 4 * static_cast<u128>(v);
    if (n > 0) {
      ASSERT_LE((2 * n - 1) * (2 * n - 1), v4) << v;
    }
    ASSERT_LT(v4, (2 * n + 1) * (2 * n + 1)) << v;
  };
  for (uint64_t v = 0; v < (uint64_t{1} << 20); ++v) check(v);  // exhaustive below 2^20
  const CounterRng rng(13, 0);
  uint64_t index = 0;
  for (int t = 0; t < 200000; ++t) check(random_bits(rng, index, 64));
  for (uint64_t r : {uint64_t{0xFFFFFFFF}, uint64_t{0xFFFFFFFE}, uint64_t{1} << 31, uint64_t{3037000499}}) {
    const uint64_t sq = r * r;
    check(sq);
    check(sq - 1);
    check(sq + 1);
    check(sq + r);
    check(sq + r + 1);
  }
  check(~uint64_t{0});
  EXPECT_EQ(isqrt_floor(~uint64_t{0}).root, 0xFFFFFFFFu);
}

TEST(FixedMath, RestoringDivisionRoundsHalfUp) {
  // Reference: floor((num 2^(f+1) / den + 1) / 2) in 128 bits.
  auto check = [](uint64_t num, uint64_t den, int f) {
    const u128 q2 = (static_cast<u128>(num) << (f + 1)) / den;
    ASSERT_EQ(static_cast<u128>(div_round(num, den, f)), (q2 + 1) >> 1) << num << "/" << den << " f=" << f;
  };
  const CounterRng rng(14, 0);
  uint64_t index = 0;
  int checked = 0;
  while (checked < 200000) {
    const uint64_t den = random_bits(rng, index, 61);
    const uint64_t num = random_bits(rng, index, 64);
    const int f = static_cast<int>(rng.bits32(index++) % 63u);
    if (den == 0 || bit_length(num) + f + 1 > bit_length(den) + 63) continue;  // outside the contract
    const u128 q2 = (static_cast<u128>(num) << (f + 1)) / den;
    if (q2 >> 64) continue;
    check(num, den, f);
    ++checked;
  }
  // The call sites: reciprocal of a normalized norm, x0 radicands, 1/|v_0|, s1 / k.
  for (uint64_t n = (uint64_t{1} << 23); n < (uint64_t{1} << 23) + 5000; ++n) check(1, n, bit_length(n) + 30);
  check(1, (uint64_t{1} << 31), 62);
  check(1, (uint64_t{1} << 32) - 1, 62);
  check(7, 7, 60);
  check(0, 123, 60);
  check((uint64_t{1} << 33) - 1, 8, 0);
  EXPECT_EQ(div_round(5, 2, 0), 3u);  // 2.5 -> 3
  EXPECT_EQ(div_round(1, 3, 0), 0u);
  EXPECT_THROW(div_round(1, 0, 0), std::logic_error);
  EXPECT_THROW(div_round(1, uint64_t{1} << 62, 0), std::logic_error);
  EXPECT_THROW(div_round(uint64_t{1} << 40, 1, 40), std::logic_error);
}

// ---- CORDIC -----------------------------------------------------------------------------------

constexpr long double kPi = 3.141592653589793238462643383279502884L;
constexpr long double kAngleLsb = kPi / 4294967296.0L;  // pi / 2^32 rad

TEST(FixedMath, CordicConstantsMatchTheirDefinitions) {
  // long double carries 64 bits: |error| < 1e-9 LSB, and no table entry lies within 1e-2 of
  // a rounding tie, so round() of the long-double value is the exact rounding.
  long double gain = 1.0L;
  for (int i = 0; i < kCordicIterations; ++i) {
    const long double a = std::atan(std::ldexp(1.0L, -i)) / kPi * 4294967296.0L;
    EXPECT_EQ(kCordicAtan[i], std::llround(a)) << "i = " << i;
    gain *= std::sqrt(1.0L + std::ldexp(1.0L, -2 * i));
  }
  EXPECT_EQ(kCordicInvGainQ38, std::llround(std::ldexp(1.0L, 38) / gain));
}

// Independent restatement of the documented vectoring algorithm (docs §2.5): 128-bit
// arithmetic, normalization by repeated doubling / flooring halving, explicit floor division.
int64_t reference_atan2(int64_t y0, int64_t x0) {
  if (x0 == 0 && y0 == 0) return 0;
  i128 x = x0, y = y0;
  auto big = [&] { return std::max(x < 0 ? -x : x, y < 0 ? -y : y); };
  while (big() < (static_cast<i128>(1) << 30)) {
    x *= 2;
    y *= 2;
  }
  int down = 0;  // one flooring shift by the excess bit count of the larger magnitude
  while ((big() >> down) >= (static_cast<i128>(1) << 31)) ++down;
  x = floor_div_pow2(x, down);
  y = floor_div_pow2(y, down);
  i128 z = 0;
  if (x < 0) {
    const i128 x1 = x;
    if (y >= 0) {
      x = y;
      y = -x1;
      z = static_cast<i128>(1) << 31;
    } else {
      x = -y;
      y = x1;
      z = -(static_cast<i128>(1) << 31);
    }
  }
  for (int i = 0; i < 32; ++i) {
    const i128 xs = floor_div_pow2(x, i), ys = floor_div_pow2(y, i);
    const i128 d = y >= 0 ? 1 : -1;
    x += d * ys;
    y -= d * xs;
    z += d * kCordicAtan[i];
  }
  return static_cast<int64_t>(z);
}

std::pair<int64_t, int64_t> reference_cos_sin(int64_t angle) {
  const i128 half_pi = static_cast<i128>(1) << 31;
  const i128 k = floor_div_pow2(static_cast<i128>(angle) + half_pi / 2, 31);  // nearest quadrant
  i128 z = angle - k * half_pi;
  const i128 start[4][2] = {
      {kCordicInvGainQ38, 0}, {0, kCordicInvGainQ38}, {-kCordicInvGainQ38, 0}, {0, -kCordicInvGainQ38}};
  const int quadrant = static_cast<int>(((k % 4) + 4) % 4);
  i128 x = start[quadrant][0], y = start[quadrant][1];
  for (int i = 0; i < 32; ++i) {
    const i128 xs = floor_div_pow2(x, i), ys = floor_div_pow2(y, i);
    const i128 d = z >= 0 ? 1 : -1;
    x -= d * ys;
    y += d * xs;
    z -= d * kCordicAtan[i];
  }
  auto rnd8 = [](i128 v) { return static_cast<int64_t>(floor_div_pow2(v + 128, 8)); };
  return {rnd8(x), rnd8(y)};
}

TEST(FixedMath, CordicAtan2IsBitExactAndAccurate) {
  // Accuracy bound, in angle LSBs (pi / 2^32 = 7.3e-10 rad): table rounding 32 x 0.5 = 16;
  // final residual atan(2^-31) = 0.64; flooring shifts: each iteration moves (x, y) by at
  // most sqrt(2) units on a vector of length >= 2^30, i.e. <= 1.32e-9 rad = 1.81 LSB, over
  // 32 iterations 58; one more flooring when large operands are normalized: 1.81. Sum 77.
  constexpr double kBoundLsb = 77.0;
  const CounterRng rng(15, 0);
  uint64_t index = 0;
  double worst = 0.0;
  auto check = [&](int64_t y, int64_t x) {
    const int64_t got = cordic_atan2(y, x);
    ASSERT_EQ(got, reference_atan2(y, x)) << "atan2(" << y << ", " << x << ")";
    if (x == 0 && y == 0) return;
    long double want = std::atan2(static_cast<long double>(y), static_cast<long double>(x)) / kAngleLsb;
    // atan2 is (-pi, pi]; CORDIC may land just beyond +-pi for angles near pi.
    long double err = static_cast<long double>(got) - want;
    if (err > 4294967296.0L) err -= 8589934592.0L;
    if (err < -4294967296.0L) err += 8589934592.0L;
    worst = std::max(worst, static_cast<double>(std::fabs(err)));
    ASSERT_LE(std::fabs(err), kBoundLsb) << "atan2(" << y << ", " << x << ")";
  };
  for (int t = 0; t < 100000; ++t) {
    int64_t x = static_cast<int64_t>(random_bits(rng, index, 61));
    int64_t y = static_cast<int64_t>(random_bits(rng, index, 61));
    if (rng.bits32(index++) & 1u) x = -x;
    if (rng.bits32(index++) & 1u) y = -y;
    check(y, x);
  }
  for (int64_t a :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{3}, (int64_t{1} << 30), (int64_t{1} << 61) - 1})
    for (int64_t b :
         {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{7}, -(int64_t{1} << 30), -(int64_t{1} << 61) + 1})
      check(a, b);
  EXPECT_EQ(cordic_atan2(0, 0), 0);
  EXPECT_NEAR(static_cast<double>(cordic_atan2(0, -5)), 4294967296.0, kBoundLsb);  // pi
  EXPECT_NEAR(static_cast<double>(cordic_atan2(5, 0)), 2147483648.0, kBoundLsb);   // pi/2
  EXPECT_THROW(cordic_atan2(int64_t{1} << 62, 0), std::logic_error);
  RecordProperty("worst_atan2_error_lsb", std::to_string(worst));  // 10.6 when written
}

TEST(FixedMath, CordicCosSinIsBitExactAndAccurate) {
  // Accuracy bound: angle error from the table (16 LSB) and the residual (0.64 LSB) is
  // 1.22e-8 rad; flooring at 2^38 scale adds 32 sqrt(2) 2^-38 = 1.6e-10; the start vector's
  // rounding 2^-39; the final rounding to Q2.30 2^-31 = 4.7e-10. Total 1.29e-8.
  constexpr long double kBound = 1.29e-8L;
  const CounterRng rng(16, 0);
  uint64_t index = 0;
  const int64_t limit = int64_t{1} << 34;  // +-4 pi; the Jacobi angles stay within +-(pi + 1 LSB)
  auto check = [&](int64_t angle) {
    const CosSin cs = cordic_cos_sin(angle);
    const auto ref = reference_cos_sin(angle);
    ASSERT_EQ(cs.c, ref.first) << angle;
    ASSERT_EQ(cs.s, ref.second) << angle;
    const long double theta = static_cast<long double>(angle) * kAngleLsb;
    ASSERT_LE(std::fabs(std::ldexp(static_cast<long double>(cs.c), -30) - std::cos(theta)), kBound) << angle;
    ASSERT_LE(std::fabs(std::ldexp(static_cast<long double>(cs.s), -30) - std::sin(theta)), kBound) << angle;
  };
  for (int t = 0; t < 100000; ++t)
    check(static_cast<int64_t>(rng.bits64(index++) % static_cast<uint64_t>(2 * limit + 1)) - limit);
  for (int64_t a : {int64_t{0}, int64_t{1}, -int64_t{1}, kAngleHalfPi, -kAngleHalfPi, kAngleHalfPi + 1,
                    -kAngleHalfPi - 1, 2 * kAngleHalfPi, -2 * kAngleHalfPi, limit, -limit})
    check(a);
  check((int64_t{1} << 40) - 1);
  check(-(int64_t{1} << 40) + 1);
  EXPECT_THROW(cordic_cos_sin(int64_t{1} << 40), std::logic_error);
}

}  // namespace
// The Jacobi rotation computes its two angles and its two (cos, sin) pairs side by side: each
// lane equals the reference, whatever the other lane holds ((0, 0) lanes, the range's ends).
TEST(FixedMath, CordicPairsEqualTheSingleComputations) {
  const CounterRng rng(17, 0);
  uint64_t index = 0;
  const auto operand = [&] {
    int64_t v = static_cast<int64_t>(random_bits(rng, index, 61));
    if (rng.bits32(index++) & 1u) v = -v;
    return rng.bits32(index++) % 16 == 0 ? int64_t{0} : v;
  };
  for (int t = 0; t < 50000; ++t) {
    const int64_t y0 = operand(), x0 = operand(), y1 = operand(), x1 = operand();
    const std::array<int64_t, 2> got = cordic_atan2_pair(y0, x0, y1, x1);
    ASSERT_EQ(got[0], reference_atan2(y0, x0)) << y0 << ", " << x0 << " beside " << y1 << ", " << x1;
    ASSERT_EQ(got[1], reference_atan2(y1, x1)) << y1 << ", " << x1 << " beside " << y0 << ", " << x0;
  }
  EXPECT_EQ(cordic_atan2_pair(0, 0, 0, 0), (std::array<int64_t, 2>{0, 0}));
  EXPECT_THROW(cordic_atan2_pair(0, 0, int64_t{1} << 62, 0), std::logic_error);
  const int64_t limit = int64_t{1} << 40;
  for (int t = 0; t < 50000; ++t) {
    const auto angle = [&] {
      return static_cast<int64_t>(rng.bits64(index++) % static_cast<uint64_t>(2 * limit - 1)) - (limit - 1);
    };
    const int64_t a0 = angle(), a1 = angle();
    const std::array<CosSin, 2> got = cordic_cos_sin_pair(a0, a1);
    const auto r0 = reference_cos_sin(a0), r1 = reference_cos_sin(a1);
    ASSERT_EQ(got[0].c, r0.first) << a0;
    ASSERT_EQ(got[0].s, r0.second) << a0;
    ASSERT_EQ(got[1].c, r1.first) << a1;
    ASSERT_EQ(got[1].s, r1.second) << a1;
  }
  EXPECT_THROW(cordic_cos_sin_pair(0, limit), std::logic_error);
}

}  // namespace lrt::golden::fixmath
