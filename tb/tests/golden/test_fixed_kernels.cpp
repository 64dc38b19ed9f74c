// The column loops of the fixed-point rankReduce (fixed_kernels.h) against their element-by-
// element definitions written with fixmath's checked primitives: equal results, bit for bit,
// for every length 0..40 (the vector bodies and every tail) and a layer's length, with the
// extreme values of each operand and the clamps and fallbacks each kernel has.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "golden/rank_reduce/fixed_kernels.h"
#include "golden/rank_reduce/fixed_math.h"

namespace lrt::golden {
namespace {

using fixmath::shift_round;

std::vector<int> lengths() {
  std::vector<int> n;
  for (int i = 0; i <= 40; ++i) n.push_back(i);
  n.push_back(1152);
  return n;
}

// Uniform in [lo, hi], with the ends themselves drawn one time in eight.
int64_t draw(std::mt19937_64& g, int64_t lo, int64_t hi) {
  const uint64_t pick = g() % 16;
  if (pick == 0) return lo;
  if (pick == 1) return hi;
  return lo + static_cast<int64_t>(g() % static_cast<uint64_t>(hi - lo + 1));
}

template <class T>
std::vector<T> draws(std::mt19937_64& g, int n, int64_t lo, int64_t hi) {
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(draw(g, lo, hi));
  return v;
}

TEST(FixedKernels, DotIsTheExactSum) {
  std::mt19937_64 g(1);
  for (int n : lengths())
    for (int trial = 0; trial < 20; ++trial) {
      const auto q = draws<int16_t>(g, n, INT16_MIN, INT16_MAX);
      const auto w = draws<int32_t>(g, n, INT32_MIN, INT32_MAX);
      int64_t want = 0;
      for (int i = 0; i < n; ++i) want += int64_t{q[i]} * w[i];
      ASSERT_EQ(fixkern::dot(q.data(), w.data(), n), want) << "n " << n;
    }
}

TEST(FixedKernels, SubtractScaledRoundsClampsAndCountsLikeSaturateInt32) {
  std::mt19937_64 g(2);
  const int64_t kMax = (int64_t{1} << 31) - 1;
  // |m| < 2^31 takes the vector path; the last two the element-by-element one.
  for (int64_t m : {int64_t{1} << 30, -(int64_t{1} << 30), kMax, -kMax, int64_t{12345}, kMax + 1, -(int64_t{1} << 40)})
    for (int t : {1, 8, 15, 30, 45, 62})
      for (int n : lengths()) {
        const auto q = draws<int16_t>(g, n, INT16_MIN, INT16_MAX);
        auto w = draws<int32_t>(g, n, -kMax, kMax);
        std::vector<int32_t> want(w);
        uint64_t want_clips = 0;
        for (int i = 0; i < n; ++i)
          want[i] = fixmath::saturate_int32(int64_t{w[i]} - shift_round(m * q[i], t), want_clips);
        const uint64_t clips = fixkern::subtract_scaled(w.data(), q.data(), m, t, n);
        ASSERT_EQ(w, want) << "m " << m << " t " << t << " n " << n;
        ASSERT_EQ(clips, want_clips) << "m " << m << " t " << t << " n " << n;
      }
}

TEST(FixedKernels, SubtractScaledClampsBothWays) {  // the clamp path is taken, not just possible
  const int64_t kMax = (int64_t{1} << 31) - 1;
  std::vector<int32_t> w = {static_cast<int32_t>(kMax), static_cast<int32_t>(-kMax), 0, 5, 7, -9, 11, 13};
  const std::vector<int16_t> q = {-32768, 32767, 0, 1, 1, 1, 1, 1};
  EXPECT_EQ(fixkern::subtract_scaled(w.data(), q.data(), int64_t{1} << 30, 1, 8), 2u);
  EXPECT_EQ(w[0], kMax);
  EXPECT_EQ(w[1], -kMax);
  EXPECT_EQ(w[3], 5 - (int64_t{1} << 29));
}

TEST(FixedKernels, ScaledBoundIsTheLargestMove) {
  for (int64_t m :
       {int64_t{1} << 30, -(int64_t{1} << 30), int64_t{12345}, int64_t{-3}, int64_t{1}, int64_t{0}})
    for (int q_max : {1, 2, 3, 1000, 32767})
      for (int t = 1; t <= 47; ++t) {
        uint64_t most = 0;
        for (int q = -q_max; q <= q_max; q += std::max(1, q_max / 64))
          most = std::max(most, fixmath::magnitude(shift_round(m * q, t)));
        most = std::max(most, fixmath::magnitude(shift_round(m * q_max, t)));  // the upper end
        ASSERT_EQ(fixkern::scaled_bound(m, static_cast<uint16_t>(q_max), t), most)
            << "m " << m << " q_max " << q_max << " t " << t;
      }
}

TEST(FixedKernels, SubtractScaledBoundedIsSubtractScaledAndKeepsItsBound) {
  std::mt19937_64 g(7);
  const int64_t kMax = (int64_t{1} << 31) - 1;
  // w drawn up to a bound, from far below the 32-bit kernel's limit to above it, so that both
  // kernels run, results reach +-(2^31 - 1), and clamps happen where the bound allows them;
  // t below, at and above 32 (the 32-bit kernel's two shift directions) and outside 1..62.
  int unclamped_runs = 0, clamped_runs = 0;
  for (int64_t m : {kMax, -kMax, int64_t{1} << 30, -(int64_t{1} << 30), int64_t{12345}, int64_t{-1}})
    for (int t : {-2, 0, 1, 2, 15, 20, 31, 32, 33, 36, 45, 62, 63})
      for (int q_max : {1, 1000, 32767})
        for (int n : lengths()) {
          if (t < 1 && q_max > 1) continue;  // a left shift of m q would leave 62 bits
          const uint64_t move =
              t >= 1 && t <= 62 ? fixkern::scaled_bound(m, static_cast<uint16_t>(q_max), t) : 0;
          const int64_t room = move < static_cast<uint64_t>(kMax) ? kMax - static_cast<int64_t>(move) : 0;
          const int64_t w_max = std::clamp<int64_t>((n % 3 == 0)   ? room
                                                    : (n % 3 == 1) ? room / 1000
                                                                   : kMax,
                                                    0, kMax);
          const auto q = draws<int16_t>(g, n, -q_max, q_max);
          auto w = draws<int32_t>(g, n, -w_max, w_max);
          std::vector<int32_t> want(w);
          uint64_t want_clips = 0;
          for (int i = 0; i < n; ++i)
            want[i] = fixmath::saturate_int32(int64_t{w[i]} - shift_round(m * q[i], t), want_clips);
          uint64_t bound = static_cast<uint64_t>(w_max);
          const uint64_t clips = fixkern::subtract_scaled_bounded(
              w.data(), q.data(), static_cast<uint16_t>(q_max), m, t, n, bound);
          const std::string at = "m " + std::to_string(m) + " t " + std::to_string(t) + " q_max " +
                                 std::to_string(q_max) + " n " + std::to_string(n);
          ASSERT_EQ(w, want) << at;
          ASSERT_EQ(clips, want_clips) << at;
          for (int32_t v : w) ASSERT_LE(fixmath::magnitude(v), bound) << at;
          (bound < static_cast<uint64_t>(kMax) ? unclamped_runs : clamped_runs) += n > 0;
        }
  EXPECT_GT(unclamped_runs, 1000);
  EXPECT_GT(clamped_runs, 1000);
}

TEST(FixedKernels, SquareAndWidenAndMaxMagnitude) {
  std::mt19937_64 g(3);
  for (int guard : {0, 8, 15})
    for (int n : lengths()) {
      const auto x = draws<int16_t>(g, n, INT16_MIN, INT16_MAX);  // pairs of -2^15 give 2^31 in 32 bits
      std::vector<int32_t> w(static_cast<size_t>(n)), want(static_cast<size_t>(n));
      uint64_t want_sum = 0;
      for (int i = 0; i < n; ++i) {
        want[i] = x[i] * (int32_t{1} << guard);
        want_sum += static_cast<uint64_t>(int64_t{x[i]} * x[i]);
      }
      ASSERT_EQ(fixkern::square_and_widen(x.data(), guard, w.data(), n), want_sum) << "n " << n;
      ASSERT_EQ(w, want);
      const auto y = draws<int32_t>(g, n, INT32_MIN, INT32_MAX);
      uint64_t big = 0;
      for (int32_t v : y) big = std::max(big, fixmath::magnitude(v));
      ASSERT_EQ(fixkern::max_magnitude(y.data(), n), big) << "n " << n;
    }
  const std::vector<int16_t> all_min(32, INT16_MIN);
  std::vector<int32_t> w(32);
  EXPECT_EQ(fixkern::square_and_widen(all_min.data(), 8, w.data(), 32), uint64_t{32} << 30);
}

TEST(FixedKernels, ShiftAndSquareAndScale) {
  std::mt19937_64 g(4);
  for (int s : {-23, -5, -1, 0, 1, 2, 8, 31})
    for (int n : lengths()) {
      // |v| < 2^25 after the shift (the residual's normalization); any int32 for s >= 7.
      const int64_t lim = s >= 7 ? INT32_MAX : (int64_t{1} << (24 + std::min(s, 0) + std::max(s, 0))) - 1;
      const auto w = draws<int32_t>(g, n, -lim, lim);
      std::vector<int64_t> v(static_cast<size_t>(n)), want(static_cast<size_t>(n));
      uint64_t want_sum = 0;
      for (int i = 0; i < n; ++i) {
        want[i] = shift_round(w[i], s);
        want_sum += static_cast<uint64_t>(want[i] * want[i]);
      }
      ASSERT_EQ(fixkern::shift_and_square(w.data(), s, v.data(), n), want_sum) << "s " << s << " n " << n;
      ASSERT_EQ(v, want) << "s " << s << " n " << n;
    }
  for (int64_t m : {(int64_t{1} << 30) + 1, (int64_t{1} << 31) - 1, int64_t{1} << 31, int64_t{0}})
    for (int n : lengths()) {
      auto v = draws<int64_t>(g, n, -(int64_t{1} << 24), int64_t{1} << 24);
      std::vector<int64_t> want(v);
      uint64_t want_big = 0;
      for (int64_t& x : want) {
        x *= m;
        want_big = std::max(want_big, fixmath::magnitude(x));
      }
      ASSERT_EQ(fixkern::scale(v.data(), m, n), want_big) << "m " << m << " n " << n;
      ASSERT_EQ(v, want) << "m " << m << " n " << n;
    }
}

// scale() returns the largest magnitude wherever its one element is: at every position of
// short vectors (each lane of the vector bodies and each tail) and at spread positions of a
// layer's length, negative and positive.
TEST(FixedKernels, ScaleFindsTheLargestMagnitudeAnywhere) {
  std::mt19937_64 g(9);
  const int64_t m = (int64_t{1} << 30) + 1, top = int64_t{1} << 24;
  for (int n : lengths())
    for (int at = 0; at<n; at += n> 40 ? 37 : 1)
      for (int64_t sign : {-1, 1}) {
        auto v = draws<int64_t>(g, n, -(top / 2), top / 2);
        v[static_cast<size_t>(at)] = sign * top;
        ASSERT_EQ(fixkern::scale(v.data(), m, n), static_cast<uint64_t>(top * m))
            << "n " << n << " at " << at;
      }
}

TEST(FixedKernels, CombineColumnsIsTheExactSum) {
  std::mt19937_64 g(5);
  const int64_t kMax = (int64_t{1} << 31) - 1;
  // Multipliers at the vector path's ends, small ones, and (last) one beyond it, which sends the
  // whole combination element by element; 0 to 9 columns.
  const std::vector<int64_t> ms = {kMax, -kMax, -3,    77,   -(int64_t{1} << 30),
                                   5,    1,     -kMax, kMax, int64_t{1} << 35};
  for (int count = 0; count <= 9; ++count)
    for (bool wide : {false, true})
      for (int n : lengths()) {
        std::vector<std::vector<int16_t>> q;
        std::vector<const int16_t*> cols;
        std::vector<int64_t> m(ms.begin(), ms.begin() + count);
        if (wide && count > 0) m.back() = ms.back();
        for (int k = 0; k < count; ++k) q.push_back(draws<int16_t>(g, n, INT16_MIN, INT16_MAX));
        for (const auto& c : q) cols.push_back(c.data());
        std::vector<int64_t> want(static_cast<size_t>(n), 0), acc(static_cast<size_t>(n), -1);
        for (int i = 0; i < n; ++i)
          for (int k = 0; k < count; ++k) want[i] += q[k][i] * m[k];
        fixkern::combine_columns(acc.data(), cols.data(), m.data(), count, n);
        ASSERT_EQ(acc, want) << "count " << count << " wide " << wide << " n " << n;
      }
}

// The running maximum from element 0: its final value and how often it rose, against the
// scalar scan, on random data (few rises), rising and falling ramps (a rise per element, one)
// and ties (a tie is no rise).
TEST(FixedKernels, RunningMaxCountsItsRises) {
  std::mt19937_64 g(8);
  for (int n : lengths()) {
    if (n == 0) continue;
    for (int kind = 0; kind < 4; ++kind) {
      std::vector<int64_t> p(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i)
        p[i] = kind == 0   ? draw(g, -(int64_t{1} << 49), int64_t{1} << 49)
               : kind == 1 ? (i % 2 == 0 ? i : -i) * int64_t{1000}
               : kind == 2 ? int64_t{n - i}
                           : (i % 3 == 0 ? -7 : 7);
      uint64_t want_max = 0;
      int64_t want_rises = 0;
      for (int i = 0; i < n; ++i) {
        const uint64_t mag = static_cast<uint64_t>(p[i] < 0 ? -p[i] : p[i]);
        if (i == 0 || mag > want_max) {
          want_max = mag;
          ++want_rises;
        }
      }
      int64_t rises = 5;  // adds to what is there
      ASSERT_EQ(fixkern::running_max(p.data(), n, rises), want_max) << "n " << n << " kind " << kind;
      ASSERT_EQ(rises, 5 + want_rises) << "n " << n << " kind " << kind;
    }
  }
}

TEST(FixedKernels, RoundToCodesRoundsHalfUpAndFindsTheLargestCode) {
  std::mt19937_64 g(6);
  for (int s : {1, 2, 15, 30, 46})
    for (int n : lengths()) {
      // p = c 2^s + u with u in [-2^(s-1), 2^(s-1)): rounds to c, |c| <= 32767; ties included.
      const auto c = draws<int16_t>(g, n, -32767, 32767);
      const int64_t half = int64_t{1} << (s - 1);
      std::vector<int64_t> p(static_cast<size_t>(n));
      std::vector<int16_t> want(static_cast<size_t>(n));
      uint16_t want_top = 0;
      for (int i = 0; i < n; ++i) {
        p[i] = c[i] * (int64_t{1} << s) + draw(g, -half, half - 1);
        const int64_t r = shift_round(p[i], s);
        want[i] = static_cast<int16_t>(r);
        want_top = std::max(want_top, static_cast<uint16_t>(r < 0 ? -r : r));
      }
      std::vector<int16_t> out(static_cast<size_t>(n));
      ASSERT_EQ(fixkern::round_to_codes(p.data(), s, out.data(), n), want_top) << "s " << s << " n " << n;
      ASSERT_EQ(out, want) << "s " << s << " n " << n;
    }
}

}  // namespace
}  // namespace lrt::golden
