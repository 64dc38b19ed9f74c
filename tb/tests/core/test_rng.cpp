// Counter-based RNG: known answers, order independence, and statistics.
// Statistical thresholds are |z| <= 6 (two-sided false-failure probability 2e-9 per
// check for a correct generator); the seeds are fixed, so a run is reproducible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "core/rng.h"

namespace lrt {
namespace {

constexpr double kZ = 6.0;

TEST(Philox, MatchesRandom123KnownAnswers) {
  // Random123 tests/kat_vectors, "philox4x32 10" lines.
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (std::array<uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (std::array<uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(CounterRng, DrawsDependOnlyOnSeedStreamIndex) {
  const CounterRng rng(42, 7);
  std::vector<uint64_t> forward(1000), shuffled(1000);
  for (uint64_t i = 0; i < forward.size(); ++i) forward[i] = rng.bits64(i);
  std::vector<uint64_t> order(1000);
  std::iota(order.begin(), order.end(), 0);
  std::reverse(order.begin(), order.end());
  std::rotate(order.begin(), order.begin() + 333, order.end());
  for (uint64_t i : order) shuffled[i] = CounterRng(42, 7).bits64(i);  // fresh object each time
  EXPECT_EQ(forward, shuffled);
}

// blocks() (sixteen or eight counters at a time) gives block() of every index: all 64-bit keys and
// streams' words exercised, runs that cross a 2^32 boundary of the index, every tail length.
TEST(CounterRng, BlocksEqualBlockAtEachIndex) {
  const std::vector<std::pair<uint64_t, uint64_t>> keys = {
      {0, 0}, {42, 7}, {~uint64_t{0}, ~uint64_t{0}}, {0x243f6a8885a308d3ull, 0x13198a2e03707344ull}};
  // (1 << 32) - 20: a sixteen-counter run (the AVX-512 path where the host has it) before
  // one that crosses 2^32.
  const std::vector<uint64_t> starts = {
      0, 5, (uint64_t{1} << 32) - 3, (uint64_t{1} << 32) - 20, (uint64_t{7} << 32) - 8, ~uint64_t{0} - 40};
  for (const auto& [seed, stream] : keys)
    for (uint64_t first : starts)
      for (uint64_t n : {0, 1, 7, 8, 9, 16, 37, 48, 70}) {
        const CounterRng rng(seed, stream);
        std::vector<std::array<uint32_t, 4>> got(n);
        rng.blocks(first, n, got.data());
        for (uint64_t i = 0; i < n; ++i)
          ASSERT_EQ(got[i], rng.block(first + i)) << "seed " << seed << " index " << first + i << " n " << n;
      }
  const CounterRng z(5, 3);  // the block-taking ziggurat is the ziggurat
  for (uint64_t i = 0; i < 20'000; ++i)
    ASSERT_EQ(z.normal_ziggurat(i, z.block(i)), z.normal_ziggurat(i)) << i;
}

// normals_ziggurat() (four one-block draws at a time) gives normal_ziggurat() bit for bit at
// every index: 10^6 consecutive draws, so that the rare retries (wedges and tail, about 1.2 %)
// fall in every lane, and every tail length.
TEST(CounterRng, BatchedZigguratEqualsTheOneByOneDraws) {
  const CounterRng rng(11, 4);
  constexpr uint64_t kBatch = 1000;
  std::vector<std::array<uint32_t, 4>> blocks(kBatch);
  std::vector<double> got(kBatch);
  uint64_t retried = 0;
  for (uint64_t first = 0; first < 1'000'000; first += kBatch) {
    rng.blocks(first, kBatch, blocks.data());
    rng.normals_ziggurat(first, kBatch, blocks.data(), got.data());
    for (uint64_t i = 0; i < kBatch; ++i) {
      const double want = rng.normal_ziggurat(first + i);
      ASSERT_EQ(std::memcmp(&got[i], &want, sizeof want), 0) << first + i << ": " << got[i] << " vs " << want;
      // Surely a retry: the base layer (the low 7 bits 0) with |u| >= 0.93, beyond its
      // rectangle's x[1] / x[0] = r f(r) / v = 0.927 (Doornik's r and v): a tail draw.
      const uint64_t w = (uint64_t{blocks[i][1]} << 32) | blocks[i][0];
      retried += (w & 127) == 0 && std::fabs(2.0 * static_cast<double>(w >> 11) * 0x1.0p-53 - 1.0) >= 0.93;
    }
  }
  EXPECT_GT(retried, 200u);  // about 10^6 / 128 x 0.07 = 550: the lanes' fallbacks ran
  for (uint64_t n : {0, 1, 3, 4, 5, 7}) {
    rng.blocks(77, n, blocks.data());
    rng.normals_ziggurat(77, n, blocks.data(), got.data());
    for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(got[i], rng.normal_ziggurat(77 + i)) << n << " " << i;
  }
}

TEST(CounterRng, SeedsStreamsAndIndicesGiveDifferentDraws) {
  EXPECT_NE(CounterRng(1, 0).bits64(0), CounterRng(2, 0).bits64(0));
  EXPECT_NE(CounterRng(1, 0).bits64(0), CounterRng(1, 1).bits64(0));
  EXPECT_NE(CounterRng(1, 0).bits64(0), CounterRng(1, 0).bits64(1));
  // Seed and stream are not interchangeable.
  EXPECT_NE(CounterRng(1, 2).bits64(0), CounterRng(2, 1).bits64(0));
  // Sub-streams of make_rng are distinct.
  EXPECT_NE(make_rng(5, RngStream::kInit, 0).bits64(0), make_rng(5, RngStream::kInit, 1).bits64(0));
}

TEST(RngCursor, ResumesFromStoredIndex) {
  RngCursor a(9, 3);
  for (int i = 0; i < 57; ++i) a.uniform();
  RngCursor b(9, 3, a.next_index());
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.bits64(), b.bits64());
}

TEST(CounterRng, UniformMeanAndVariance) {
  const CounterRng rng(123, 1);
  const int n = 1'000'000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform(i);
    sum += u;
    sum2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  ASSERT_GE(lo, 0.0);
  ASSERT_LT(hi, 1.0);
  // Mean of U(0,1): 1/2, sd of the sample mean sqrt(1/12/n).
  EXPECT_LT(std::fabs(sum / n - 0.5), kZ * std::sqrt(1.0 / 12.0 / n));
  // E[u^2] = 1/3, Var[u^2] = 1/5 - 1/9 = 4/45.
  EXPECT_LT(std::fabs(sum2 / n - 1.0 / 3.0), kZ * std::sqrt(4.0 / 45.0 / n));
}

TEST(CounterRng, ByteHistogramChiSquare) {
  const CounterRng rng(99, 2);
  const int n = 1 << 20;
  std::vector<double> bins(256, 0.0);
  for (int i = 0; i < n; ++i) {
    const auto b = rng.block(i);
    for (uint32_t w : b) bins[w >> 24] += 1;  // top byte of every word
  }
  const double expected = 4.0 * n / 256.0;
  double chi2 = 0;
  for (double c : bins) chi2 += (c - expected) * (c - expected) / expected;
  // 255 degrees of freedom; Wilson-Hilferty at z = 6 (upper tail 1e-9) gives 415.
  EXPECT_LT(chi2, 415.0);
  EXPECT_GT(chi2, 130.0);  // lower tail at z = -6: a suspiciously perfect histogram fails too
}

TEST(CounterRng, NormalMomentsAndStreamIndependence) {
  const CounterRng a(7, 1), b(7, 2);
  const int n = 500'000;
  double s = 0, s2 = 0, s4 = 0, cross = 0;
  for (int i = 0; i < n; ++i) {
    const double x = a.normal(i), y = b.normal(i);
    s += x;
    s2 += x * x;
    s4 += x * x * x * x;
    cross += x * y;
  }
  EXPECT_LT(std::fabs(s / n), kZ / std::sqrt(n));                 // Var[x] = 1
  EXPECT_LT(std::fabs(s2 / n - 1.0), kZ * std::sqrt(2.0 / n));    // Var[x^2] = 2
  EXPECT_LT(std::fabs(s4 / n - 3.0), kZ * std::sqrt(96.0 / n));   // Var[x^4] = 105 - 9
  EXPECT_LT(std::fabs(cross / n), kZ / std::sqrt(n));             // Var[xy] = 1 if independent
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(CounterRng, ZigguratIsAPureFunctionOfSeedStreamIndex) {
  const CounterRng a(5, 3), b(5, 3), c(6, 3), d(5, 4);
  int differ_seed = 0, differ_stream = 0;
  for (uint64_t i = 0; i < 10'000; ++i) {
    const uint64_t idx = (i * 0x9E3779B97F4A7C15ull) ^ (i << 40);  // scattered indices
    ASSERT_EQ(a.normal_ziggurat(idx), b.normal_ziggurat(idx));
    differ_seed += a.normal_ziggurat(idx) != c.normal_ziggurat(idx);
    differ_stream += a.normal_ziggurat(idx) != d.normal_ziggurat(idx);
  }
  EXPECT_EQ(differ_seed, 10'000);
  EXPECT_EQ(differ_stream, 10'000);
}

TEST(CounterRng, ZigguratMatchesTheNormalDistribution) {
  const CounterRng rng(21, 9);
  const int n = 1'000'000;
  std::vector<double> x(n);
  double s = 0, s2 = 0, s4 = 0;
  int beyond_r = 0, beyond_4 = 0;
  for (int i = 0; i < n; ++i) {
    const double v = rng.normal_ziggurat(static_cast<uint64_t>(i));
    ASSERT_TRUE(std::isfinite(v));
    x[static_cast<size_t>(i)] = v;
    s += v;
    s2 += v * v;
    s4 += v * v * v * v;
    beyond_r += std::fabs(v) > 3.442619855899;  // drawn by the tail algorithm
    beyond_4 += std::fabs(v) > 4.0;
  }
  EXPECT_LT(std::fabs(s / n), kZ / std::sqrt(n));
  EXPECT_LT(std::fabs(s2 / n - 1.0), kZ * std::sqrt(2.0 / n));
  EXPECT_LT(std::fabs(s4 / n - 3.0), kZ * std::sqrt(96.0 / n));
  // Kolmogorov-Smirnov over the whole line (rectangles, wedges and tail together):
  // P(sqrt(n) D_n > t) <= 2 exp(-2 t^2) = 2e-9 at t = 3.26.
  std::sort(x.begin(), x.end());
  double d = 0;
  for (int i = 0; i < n; ++i) {
    const double f = normal_cdf(x[static_cast<size_t>(i)]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  EXPECT_LT(d * std::sqrt(n), 3.26);
  // The tail itself, which KS barely sees: binomial counts within 6 sigma.
  const auto expect_count = [&](int count, double p, const char* what) {
    const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
    EXPECT_LT(std::fabs(count - mean), kZ * sd) << what << ": " << count << " draws, expected " << mean;
  };
  expect_count(beyond_r, 2 * (1 - normal_cdf(3.442619855899)), "|z| > r");
  expect_count(beyond_4, 2 * (1 - normal_cdf(4.0)), "|z| > 4");
}

TEST(RngCursor, BelowIsInRangeAndUniform) {
  RngCursor cur(11, 4);
  const int n = 200'000, k = 10;
  std::vector<double> bins(k, 0.0);
  for (int i = 0; i < n; ++i) {
    const uint64_t v = cur.below(k);
    ASSERT_LT(v, static_cast<uint64_t>(k));
    bins[v] += 1;
  }
  double chi2 = 0;
  for (double c : bins) chi2 += (c - n / double(k)) * (c - n / double(k)) / (n / double(k));
  // 9 degrees of freedom: P(chi2 > 50) < 1e-7.
  EXPECT_LT(chi2, 50.0);
}

}  // namespace
}  // namespace lrt
