// UORO (the rank-1 unbiased baseline of Table 1): E[L R^T] over the random signs equals
// sum_i dz_i a_i^T.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.h"
#include "golden/training/schemes.h"

namespace lrt::golden {
namespace {

constexpr int kNo = 3, kNi = 4, kPairs = 5;

struct Pairs {
  std::vector<std::vector<double>> dz, a;
  std::vector<double> exact;  // sum dz a^T, row-major n_o x n_i
};

Pairs make_pairs() {
  Pairs p;
  CounterRng rng(21, 0);
  uint64_t idx = 0;
  for (int i = 0; i < kPairs; ++i) {
    std::vector<double> dz(kNo), a(kNi);
    for (double& v : dz) v = rng.normal(idx++);
    for (double& v : a) v = std::fabs(rng.normal(idx++));  // activations are >= 0 after ReLU
    p.dz.push_back(dz);
    p.a.push_back(a);
  }
  p.dz[2].assign(kNo, 0.0);  // a pair with zero dz is skipped and contributes nothing
  p.exact.assign(kNo * kNi, 0.0);
  for (int i = 0; i < kPairs; ++i)
    for (int o = 0; o < kNo; ++o)
      for (int k = 0; k < kNi; ++k) p.exact[o * kNi + k] += p.dz[i][o] * p.a[i][k];
  return p;
}

// L R^T for the sign sequence bits (bit i = sign of pair i, 1 meaning -1).
std::vector<double> estimate(const Pairs& p, uint32_t bits) {
  UoroEstimator est(kNo, kNi);
  for (int i = 0; i < kPairs; ++i) est.step(p.dz[i].data(), p.a[i].data(), (bits >> i) & 1u ? -1 : 1);
  std::vector<double> lr(kNo * kNi);
  for (int o = 0; o < kNo; ++o)
    for (int k = 0; k < kNi; ++k) lr[o * kNi + k] = est.left()[o] * est.right()[k];
  return lr;
}

TEST(EngineUoro, SinglePairIsExact) {
  const Pairs p = make_pairs();
  UoroEstimator est(kNo, kNi);
  est.step(p.dz[0].data(), p.a[0].data(), -1);
  // L = s rho1 dz, R = s a / rho1: L R^T = dz a^T up to a few roundings (relative 1e-15).
  for (int o = 0; o < kNo; ++o)
    for (int k = 0; k < kNi; ++k) {
      const double want = p.dz[0][o] * p.a[0][k];
      EXPECT_NEAR(est.left()[o] * est.right()[k], want, 1e-14 * (1 + std::fabs(want)));
    }
}

TEST(EngineUoro, ExpectationOverAllSignSequencesIsTheExactSum) {
  // The signs are independent and uniform, so E[L R^T] is the average over all 2^5 sign
  // sequences: exact up to double rounding of a few dozen operations (relative 1e-13).
  const Pairs p = make_pairs();
  std::vector<double> mean(kNo * kNi, 0.0);
  for (uint32_t bits = 0; bits < (1u << kPairs); ++bits) {
    const auto lr = estimate(p, bits);
    for (size_t i = 0; i < lr.size(); ++i) mean[i] += lr[i] / (1u << kPairs);
  }
  for (size_t i = 0; i < mean.size(); ++i)
    EXPECT_NEAR(mean[i], p.exact[i], 1e-13 * (1 + std::fabs(p.exact[i]))) << i;
  // ... while single estimates are far from it (the variance UORO is known for).
  double worst = 0.0;
  for (uint32_t bits = 0; bits < (1u << kPairs); ++bits) {
    const auto lr = estimate(p, bits);
    for (size_t i = 0; i < lr.size(); ++i) worst = std::max(worst, std::fabs(lr[i] - p.exact[i]));
  }
  EXPECT_GT(worst, 0.1);
}

TEST(EngineUoro, MeanOverManySeedsConvergesToTheExactSum) {
  // N = 20000 runs with signs from the counter-based generator (seed = run). Every entry of
  // L R^T takes one of 32 values, so it lies in [-V, V] with V the largest of them; by
  // Hoeffding, P(|mean - E| >= t) <= 2 exp(-N t^2 / (2 V^2)). t = V sqrt(2 ln(2e9) / N)
  // makes that <= 1e-9 per entry: false-failure probability <= 12e-9 for the 12 entries.
  const Pairs p = make_pairs();
  std::vector<double> v_max(kNo * kNi, 0.0);
  for (uint32_t bits = 0; bits < (1u << kPairs); ++bits) {
    const auto lr = estimate(p, bits);
    for (size_t i = 0; i < lr.size(); ++i) v_max[i] = std::max(v_max[i], std::fabs(lr[i]));
  }
  const int n = 20000;
  std::vector<double> mean(kNo * kNi, 0.0);
  for (int run = 0; run < n; ++run) {
    const uint32_t bits = CounterRng(static_cast<uint64_t>(run), 0).bits32(0);
    const auto lr = estimate(p, bits);
    for (size_t i = 0; i < lr.size(); ++i) mean[i] += lr[i] / n;
  }
  for (size_t i = 0; i < mean.size(); ++i) {
    const double t = v_max[i] * std::sqrt(2.0 * std::log(2e9) / n);
    EXPECT_LE(std::fabs(mean[i] - p.exact[i]), t) << "entry " << i;
  }
}

}  // namespace
}  // namespace lrt::golden
