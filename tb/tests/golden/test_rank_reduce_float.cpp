// The double-precision rankReduce: optimality (biased), unbiasedness (exact over all sign
// patterns, and statistically over seeds), orthonormality over 1e5 updates, the kappa test,
// degenerate inputs, power-of-two scaling and overflow. Eigen's dense SVD is the oracle.
#include <gtest/gtest.h>


// The oracle needs no speed; scalar Eigen also avoids GCC's AVX-512 intrinsic warnings.
#define EIGEN_DONT_VECTORIZE
#include <eigen3/Eigen/SVD>

#include <cfloat>
#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "golden/rank_reduce/rank_reduce_float.h"
#include "golden/rank_reduce/sign_generator.h"

namespace lrt::golden {
namespace {

constexpr double kEps = DBL_EPSILON;
using Vec = std::vector<double>;

RankReduceParams make_params(int n_o, int n_i, int rank, RankReduceMode mode, double kappa = 0.0,
                             uint64_t seed = 0) {
  RankReduceParams p;
  p.n_o = n_o;
  p.n_i = n_i;
  p.rank = rank;
  p.mode = mode;
  p.kappa_th = kappa;
  p.seed = seed;
  return p;
}

Eigen::MatrixXd estimate(const RankReducer& rr) {
  Matrix<double> L, R;
  rr.factors(L, R);
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(rr.params().n_o, rr.params().n_i);
  for (std::size_t i = 0; i < L.rows(); ++i)
    for (std::size_t j = 0; j < R.rows(); ++j)
      for (std::size_t k = 0; k < L.cols(); ++k) out(i, j) += L(i, k) * R(j, k);
  return out;
}

Eigen::MatrixXd outer(const Vec& dz, const Vec& a) {
  Eigen::MatrixXd m(dz.size(), a.size());
  for (std::size_t i = 0; i < dz.size(); ++i)
    for (std::size_t j = 0; j < a.size(); ++j) m(i, j) = dz[i] * a[j];
  return m;
}

double rel_diff(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want) {
  const double n = want.norm();
  return n == 0.0 ? got.norm() : (got - want).norm() / n;
}

Vec gaussian(const CounterRng& rng, uint64_t& index, int n, double scale = 1.0) {
  Vec v(n);
  for (double& x : v) x = scale * rng.normal(index++);
  return v;
}

bool all_finite(const RankReducer& rr) {
  Matrix<double> L, R;
  rr.factors(L, R);
  for (std::size_t i = 0; i < L.rows() * L.cols(); ++i)
    if (!std::isfinite(L.data()[i])) return false;
  for (std::size_t i = 0; i < R.rows() * R.cols(); ++i)
    if (!std::isfinite(R.data()[i])) return false;
  return true;
}

// ---- Biased: the best rank-r approximation after every step ---------------------------

// Best rank-r approximation of m and whether it is unique enough to compare against:
// by Wedin's theorem a perturbation E of the input turns the kept singular subspace by
// at most |E| / gap (gap = sigma_r - sigma_{r+1}); the rotation exchanges components of
// size ~sigma_r, so the rank-r truncation moves by about |E| (1 + 2 sigma_r / gap). The
// reducer's per-step backward error is below ~50 eps |A| = 1.1e-14 |A| (Gram-Schmidt,
// Jacobi, basis product, orthogonality loss), so with gap >= 1e-4 sigma_r the truncations
// agree to 1.1e-14 * (1 + 2e4) = 2.2e-10 < 1e-9 relative.
struct Truncation {
  Eigen::MatrixXd best;
  bool well_defined;
};

Truncation best_rank(const Eigen::MatrixXd& m, int r) {
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const auto& s = svd.singularValues();
  const int keep = std::min<int>(r, static_cast<int>(s.size()));
  Eigen::MatrixXd best = svd.matrixU().leftCols(keep) * s.head(keep).asDiagonal() *
                         svd.matrixV().leftCols(keep).transpose();
  bool ok = true;
  if (s.size() > r && s(0) > 0.0) {
    const double next = s(r);
    ok = next <= 1e-12 * s(0) || (s(r - 1) - next) >= 1e-4 * s(r - 1);
  }
  return {best, ok};
}

// A pair stream with the corner cases training produces: general pairs of widely varying
// scale, pairs whose dz (or a) lies in the kept span, nearly in it, and zero vectors.
struct PairStream {
  CounterRng rng;
  uint64_t index = 0;
  int n_o, n_i;

  void next(const RankReducer& rr, Vec& dz, Vec& a) {
    const double u = rng.uniform(index++);
    const double scale = std::ldexp(1.0, static_cast<int>(rng.uniform(index++) * 41.0) - 20);
    dz = gaussian(rng, index, n_o, scale);
    a = gaussian(rng, index, n_i);
    if (u < 0.5) return;
    Matrix<double> L, R;
    rr.factors(L, R);
    auto in_span = [&](const Matrix<double>& F, Vec& x, double noise) {
      for (double& v : x) v *= noise;
      for (std::size_t k = 0; k < F.cols(); ++k) {
        const double g = rng.normal(index++);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] += g * F(i, k);
      }
    };
    if (u < 0.7) in_span(L, dz, 0.0);
    else if (u < 0.8) in_span(L, dz, 1e-9);
    else if (u < 0.9) in_span(R, a, 0.0);
    else if (u < 0.95) std::fill(dz.begin(), dz.end(), 0.0);
    else std::fill(a.begin(), a.end(), 0.0);
  }
};

TEST(RankReduceFloat, BiasedIsTheBestRankRApproximationAfterEveryStep) {
  struct Shape { int n_o, n_i, r; };
  for (const Shape sh : {Shape{12, 9, 3}, Shape{3, 7, 4}, Shape{1, 5, 2}, Shape{20, 6, 1}, Shape{9, 9, 8}}) {
    SCOPED_TRACE(std::to_string(sh.n_o) + "x" + std::to_string(sh.n_i) + " r=" + std::to_string(sh.r));
    RankReduceFloat rr(make_params(sh.n_o, sh.n_i, sh.r, RankReduceMode::kBiased));
    PairStream stream{CounterRng(static_cast<uint64_t>(sh.n_o * 100 + sh.n_i), 1), 0, sh.n_o, sh.n_i};
    int checked = 0;
    const int steps = 300;
    Vec dz, a;
    for (int t = 0; t < steps; ++t) {
      stream.next(rr, dz, a);
      const Eigen::MatrixXd target = estimate(rr) + outer(dz, a);
      rr.step(dz.data(), a.data());
      const Truncation best = best_rank(target, sh.r);
      if (!best.well_defined) continue;
      ++checked;
      ASSERT_LE(rel_diff(estimate(rr), best.best), 1e-9) << "step " << t;
    }
    EXPECT_GE(checked, steps * 9 / 10);
    EXPECT_EQ(rr.stats().skipped_kappa, 0u);
    EXPECT_GT(rr.stats().degenerate, 0u);
    EXPECT_EQ(rr.svd_unconverged(), 0u);
  }
}

TEST(RankReduceFloat, AtMostRPairsAreReproducedExactly) {
  // Up to r pairs the sum has rank <= r, so both modes must return it. The only error is
  // rounding: ~ (n + q^2) eps |A| per step, far below 1e-12.
  for (RankReduceMode mode : {RankReduceMode::kBiased, RankReduceMode::kUnbiased}) {
    for (int r : {1, 2, 4, 8, 12}) {  // 12: the generic basis-update path
      SCOPED_TRACE(std::string(to_string(mode)) + " r=" + std::to_string(r));
      RankReduceFloat rr(make_params(30, 17, r, mode, 100.0, 99));
      const CounterRng rng(static_cast<uint64_t>(r), 2);
      uint64_t index = 0;
      Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(30, 17);
      for (int t = 0; t < r; ++t) {
        const Vec dz = gaussian(rng, index, 30), a = gaussian(rng, index, 17);
        sum += outer(dz, a);
        rr.step(dz.data(), a.data());
        EXPECT_LE(rel_diff(estimate(rr), sum), 1e-12) << "pair " << t;
      }
      EXPECT_EQ(rr.stats().skipped_kappa + rr.stats().degenerate, 0u);
    }
  }
}

// ---- Unbiased --------------------------------------------------------------------------

TEST(ReduceSpectrum, MixingIsUnbiasedForEverySignPattern) {
  // Averaging Q_x diag(c_x) Q_x^T over all 2^q sign words must give diag(sigma) exactly
  // (up to rounding: each entry is a short sum of products of O(1) terms, so <= 8 q eps s).
  std::vector<Vec> spectra = {{10, 1, 1, 1, 1}, {3, 3, 3, 0}, {5, 0, 0, 0}, {0, 0, 0}, {1, 1, 1, 1, 1},
                              {4, 2, 1, 0.5, 0}, {7, 3}, {2, 1e-300}};
  const CounterRng rng(5, 3);
  for (int q = 2; q <= 9; ++q) {
    Vec s(q);
    for (int i = 0; i < q; ++i) s[i] = std::fabs(rng.normal(static_cast<uint64_t>(10 * q + i)));
    std::sort(s.begin(), s.end(), std::greater<double>());
    spectra.push_back(s);
  }
  for (const Vec& sigma : spectra) {
    const int q = static_cast<int>(sigma.size()), r = q - 1;
    double total = 0.0;
    for (double x : sigma) total += x;
    const double tol = 8 * q * kEps * std::max(total, 1e-300);
    Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(q, q);
    const uint32_t words = 1u << q;
    for (uint32_t w = 0; w < words; ++w) {
      Vec qx(q * r), cx(r);
      reduce_spectrum(RankReduceMode::kUnbiased, q, sigma.data(), w, qx.data(), cx.data());
      Eigen::Map<Eigen::MatrixXd> Q(qx.data(), q, r);
      EXPECT_LE((Q.transpose() * Q - Eigen::MatrixXd::Identity(r, r)).cwiseAbs().maxCoeff(), 8 * q * kEps);
      double kept = 0.0;
      for (double c : cx) {
        EXPECT_GE(c, 0.0);
        kept += c;
      }
      EXPECT_NEAR(kept, total, tol);  // every sample keeps the trace
      mean += Q * Eigen::Map<Eigen::VectorXd>(cx.data(), r).asDiagonal() * Q.transpose();
    }
    mean /= words;
    for (int i = 0; i < q; ++i)
      for (int j = 0; j < q; ++j) EXPECT_NEAR(mean(i, j), i == j ? sigma[i] : 0.0, tol) << i << "," << j;
  }
}

TEST(ReduceSpectrum, HandDerivedSplits) {
  Vec qx(20), cx(4);
  // sigma = (10,1,1,1,1): m = 2 is the first i with (q - i) sigma_i <= sum_{j>=i} sigma_j
  // (3 * 1 <= 4); s_1 = 4, k = 3, so c_x = (10, 4/3, 4/3, 4/3).
  const Vec s1 = {10, 1, 1, 1, 1};
  EXPECT_EQ(reduce_spectrum(RankReduceMode::kUnbiased, 5, s1.data(), 0, qx.data(), cx.data()), 1);
  EXPECT_EQ(cx[0], 10.0);
  for (int j = 1; j < 4; ++j) EXPECT_NEAR(cx[j], 4.0 / 3.0, 2 * kEps);
  // sigma_q = 0 with equal values before it: x0 = e_last, so no mixing: exact for any signs.
  const Vec s2 = {3, 3, 3, 0};
  for (uint32_t w : {0u, 5u, 15u}) {
    Vec q2(12), c2(3);
    EXPECT_EQ(reduce_spectrum(RankReduceMode::kUnbiased, 4, s2.data(), w, q2.data(), c2.data()), 0);
    Eigen::Map<Eigen::MatrixXd> Q(q2.data(), 4, 3);
    const Eigen::MatrixXd back = Q * Eigen::Map<Eigen::VectorXd>(c2.data(), 3).asDiagonal() * Q.transpose();
    EXPECT_LE((back - Eigen::Vector4d(3, 3, 3, 0).asDiagonal().toDenseMatrix()).cwiseAbs().maxCoeff(), 16 * kEps);
  }
  // All mass in the top value: the zero tail is kept as is (s_1 = 0, no division).
  const Vec s3 = {5, 0, 0, 0};
  Vec q3(12), c3(3);
  EXPECT_EQ(reduce_spectrum(RankReduceMode::kUnbiased, 4, s3.data(), 7, q3.data(), c3.data()), 1);
  EXPECT_EQ(c3, (Vec{5, 0, 0}));
  EXPECT_EQ(q3, (Vec{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}));
  // Biased: the top r.
  EXPECT_EQ(reduce_spectrum(RankReduceMode::kBiased, 5, s1.data(), 0, qx.data(), cx.data()), 4);
  EXPECT_EQ(cx, (Vec{10, 1, 1, 1}));
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 5; ++i) EXPECT_EQ(qx[j * 5 + i], i == j ? 1.0 : 0.0);
}

// A small unbiased case whose full outcome distribution can be enumerated: the result
// depends on the seed only through bits 0..q-1 of each pair's sign word.
struct SmallUnbiasedCase {
  static constexpr int kNo = 4, kNi = 3, kRank = 2, kPairs = 4, kQ = kRank + 1;
  std::vector<Vec> dz, a;
  Eigen::MatrixXd exact = Eigen::MatrixXd::Zero(kNo, kNi);

  SmallUnbiasedCase() {
    const CounterRng rng(2024, 4);
    uint64_t index = 0;
    for (int t = 0; t < kPairs; ++t) {
      dz.push_back(gaussian(rng, index, kNo));
      a.push_back(gaussian(rng, index, kNi));
      exact += outer(dz.back(), a.back());
    }
  }
  Eigen::MatrixXd run(uint64_t seed, RankReduceMode mode = RankReduceMode::kUnbiased) const {
    RankReduceFloat rr(make_params(kNo, kNi, kRank, mode, 0.0, seed));
    for (int t = 0; t < kPairs; ++t) rr.step(dz[t].data(), a[t].data());
    return estimate(rr);
  }
  static uint32_t pattern(uint64_t seed) {
    uint32_t p = 0;
    for (uint32_t t = 0; t < kPairs; ++t)
      p |= (rank_reduce_sign_word(static_cast<uint32_t>(seed), t) & ((1u << kQ) - 1)) << (kQ * t);
    return p;
  }
};

// Exact distribution of the small case: one outcome per sign pattern (found by scanning seeds).
struct Distribution {
  Eigen::MatrixXd mean, variance, max_dev;
};

Distribution enumerate(const SmallUnbiasedCase& c) {
  const uint32_t patterns = 1u << (SmallUnbiasedCase::kQ * SmallUnbiasedCase::kPairs);
  std::map<uint32_t, uint64_t> seed_of;
  for (uint64_t seed = 0; seed_of.size() < patterns; ++seed) seed_of.emplace(SmallUnbiasedCase::pattern(seed), seed);
  std::vector<Eigen::MatrixXd> outcomes;
  for (const auto& [p, seed] : seed_of) outcomes.push_back(c.run(seed));
  Distribution d;
  d.mean = Eigen::MatrixXd::Zero(c.kNo, c.kNi);
  for (const auto& o : outcomes) d.mean += o;
  d.mean /= patterns;
  d.variance = Eigen::MatrixXd::Zero(c.kNo, c.kNi);
  d.max_dev = Eigen::MatrixXd::Zero(c.kNo, c.kNi);
  for (const auto& o : outcomes) {
    d.variance += (o - c.exact).cwiseAbs2();
    d.max_dev = d.max_dev.cwiseMax((o - c.exact).cwiseAbs());
  }
  d.variance /= patterns;
  return d;
}

TEST(RankReduceFloat, UnbiasedMeanOverAllSignPatternsIsTheExactSum) {
  // E[L~R~^T | state] = state + dz a^T at every step, so the mean over all equally likely
  // sign patterns of 4 pairs (4096 outcomes) is the exact sum up to rounding (1e-12).
  const SmallUnbiasedCase c;
  const Distribution d = enumerate(c);
  EXPECT_LE(rel_diff(d.mean, c.exact), 1e-12);
  EXPECT_GT(d.variance.maxCoeff(), 1e-3 * c.exact.squaredNorm() / static_cast<double>(c.exact.size()));  // it does mix
}

TEST(RankReduceFloat, UnbiasedMeanOverSeedsConvergesAsItsVariancePredicts) {
  // Statistic: per entry, the mean of S = 20000 seeds' outcomes. With the exact variance
  // sigma^2 and the bound M = max |X - mu| from the enumeration, Bernstein's inequality
  //   P(|mean - mu| >= t) <= 2 exp(-S t^2 / (2 sigma^2 + 2 M t / 3))
  // gives the threshold t for a false-failure probability of 1e-7 per entry, 1.2e-6 for all
  // 12 entries (treating the hash bits of distinct seeds as independent fair coins, which
  // test_sign_generator checks).
  const SmallUnbiasedCase c;
  const Distribution d = enumerate(c);
  const int S = 20000;
  Eigen::MatrixXd mean = Eigen::MatrixXd::Zero(c.kNo, c.kNi);
  for (int s = 0; s < S; ++s) mean += c.run(static_cast<uint64_t>(s) + 1'000'000);
  mean /= S;
  const double L = std::log(2.0 / 1e-7);
  const Eigen::MatrixXd biased = c.run(0, RankReduceMode::kBiased);
  bool bias_detectable = false;
  for (int i = 0; i < c.kNo; ++i)
    for (int j = 0; j < c.kNi; ++j) {
      const double b = 2.0 * d.max_dev(i, j) * L / 3.0;
      const double t = (b + std::sqrt(b * b + 8.0 * S * d.variance(i, j) * L)) / (2.0 * S);
      EXPECT_LE(std::fabs(mean(i, j) - c.exact(i, j)), t) << i << "," << j;
      bias_detectable |= std::fabs(biased(i, j) - c.exact(i, j)) > t;
    }
  // Power: the biased estimator's error would be caught by this statistic.
  EXPECT_TRUE(bias_detectable);
}

TEST(RankReduceFloat, SeedUsesItsLow32Bits) {
  const SmallUnbiasedCase c;
  EXPECT_EQ(c.run(7), c.run(7 + (1ull << 32)));
  EXPECT_NE(c.run(7), c.run(8));
}

// ---- Orthonormality over 1e5 updates ----------------------------------------------------

// Live columns (weight > 0) orthonormal, dead columns exactly zero.
double basis_error(const Matrix<double>& q, const Vec& w, int r) {
  double worst = 0.0;
  for (int i = 0; i < r; ++i) {
    if (w[i] == 0.0) {
      for (std::size_t k = 0; k < q.rows(); ++k) EXPECT_EQ(q(k, i), 0.0);
      continue;
    }
    for (int j = 0; j <= i; ++j) {
      if (w[j] == 0.0) continue;
      double d = 0.0;
      for (std::size_t k = 0; k < q.rows(); ++k) d += q(k, i) * q(k, j);
      worst = std::max(worst, std::fabs(d - (i == j ? 1.0 : 0.0)));
    }
  }
  return worst;
}

void check_orthonormal_over_1e5_updates(RankReduceMode mode, double kappa) {
  // Bound: each step adds at most ~ q eps (Jacobi convergence test) + 2 q eps (forming
  // Q (U_C Q_x)) + ~n eps (the new column after twice-applied Gram-Schmidt) of
  // non-orthogonality, about 36 eps = 8e-15 for n = 16, q = 5. Q <- Q M with orthonormal M
  // does not amplify earlier errors, so even linear (worst-case) accumulation over 1e5
  // steps stays below 8e-10 < 1e-9; random signs typically give ~1e-13.
  const int n_o = 16, n_i = 12, r = 4;
  RankReduceFloat rr(make_params(n_o, n_i, r, mode, kappa, 3));
  PairStream stream{CounterRng(11, 5), 0, n_o, n_i};
  Vec dz, a;
  double worst = 0.0;
  for (int t = 1; t <= 100000; ++t) {
    stream.next(rr, dz, a);
    rr.step(dz.data(), a.data());
    if (t % 1000 == 0) {
      worst = std::max({worst, basis_error(rr.q_left(), rr.weights(), r), basis_error(rr.q_right(), rr.weights(), r)});
      ASSERT_LE(worst, 1e-9) << "after " << t << " updates";
    }
  }
  EXPECT_TRUE(all_finite(rr));
  EXPECT_EQ(rr.svd_unconverged(), 0u);
  // The stream exercised the special paths.
  EXPECT_GT(rr.reorthogonalizations(), 1000u);
  EXPECT_GT(rr.stats().degenerate, 1000u);
  if (kappa > 0.0) {
    EXPECT_GT(rr.stats().skipped_kappa, 100u);
  }
  ::testing::Test::RecordProperty("worst_orthogonality_error", std::to_string(worst));
}

TEST(RankReduceFloat, BasesStayOrthonormalOver1e5BiasedUpdates) {
  check_orthonormal_over_1e5_updates(RankReduceMode::kBiased, 0.0);
}

TEST(RankReduceFloat, BasesStayOrthonormalOver1e5UnbiasedUpdates) {
  check_orthonormal_over_1e5_updates(RankReduceMode::kUnbiased, 100.0);
}

// ---- kappa test, degenerate inputs, corners ---------------------------------------------

TEST(RankReduceFloat, KappaTestSkipsIllConditionedPairsOnly) {
  // After 10 e0 (x) 10 e0 the state is C_11 = 100. The pair e1 (x) e1 has unit residuals:
  // C_qq = 1, so kappa = 100 exactly: skipped when kappa_th < 100, folded when >= 100 or 0.
  const Vec big_dz = {10, 0, 0}, big_a = {10, 0, 0}, dz = {0, 1, 0}, a = {0, 1, 0};
  for (double kappa : {99.0, 100.0, 0.0}) {
    RankReduceFloat rr(make_params(3, 3, 1, RankReduceMode::kBiased, kappa));
    rr.step(big_dz.data(), big_a.data());
    const Matrix<double> q_before = rr.q_left();
    const Vec w_before = rr.weights();
    rr.step(dz.data(), a.data());
    EXPECT_EQ(rr.stats().pairs, 2u);
    if (kappa == 99.0) {
      EXPECT_EQ(rr.stats().skipped_kappa, 1u);
      EXPECT_EQ(rr.weights(), w_before);
      for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(rr.q_left()(i, 0), q_before(i, 0));
    } else {
      EXPECT_EQ(rr.stats().skipped_kappa, 0u);
      // Rank 1 keeps the larger term: 100 e0 e0^T (biased truncation of diag(100, 1)).
      EXPECT_EQ(rr.weights()[0], 100.0);
    }
  }
}

TEST(RankReduceFloat, PairInKeptSpanIsFoldedExactlyWithoutKappaTest) {
  // dz = 2 e0 lies in span(Q_L) = {e0}: residual 0, so C_qq = 0, which the kappa test must
  // not treat as infinitely ill conditioned. 100 e0 e0^T + 2 e0 e1^T has rank 1: exact.
  RankReduceFloat rr(make_params(3, 3, 1, RankReduceMode::kBiased, 100.0));
  const Vec d0 = {10, 0, 0}, a0 = {10, 0, 0}, d1 = {2, 0, 0}, a1 = {0, 1, 0};
  rr.step(d0.data(), a0.data());
  rr.step(d1.data(), a1.data());
  EXPECT_EQ(rr.stats().degenerate, 1u);
  EXPECT_EQ(rr.stats().skipped_kappa, 0u);
  EXPECT_LE(rel_diff(estimate(rr), outer(d0, a0) + outer(d1, a1)), 4 * kEps);
  EXPECT_TRUE(all_finite(rr));
}

TEST(RankReduceFloat, ZeroVectorsLeaveTheStateUntouched) {
  for (RankReduceMode mode : {RankReduceMode::kBiased, RankReduceMode::kUnbiased}) {
    RankReduceFloat rr(make_params(5, 4, 2, mode, 100.0, 1));
    const Vec zero_o(5, 0.0), zero_i(4, 0.0), dz = {1, 2, 3, 4, 5}, a = {1, -1, 2, -2};
    rr.step(zero_o.data(), a.data());  // first pair zero: empty state stays empty
    EXPECT_TRUE(estimate(rr).isZero(0.0));
    rr.step(dz.data(), a.data());
    // The first real pair from the empty state: dz a^T exactly up to rounding.
    EXPECT_LE(rel_diff(estimate(rr), outer(dz, a)), 4 * kEps);
    const Matrix<double> ql = rr.q_left(), qr = rr.q_right();
    const Vec w = rr.weights();
    rr.step(dz.data(), zero_i.data());
    rr.step(zero_o.data(), zero_i.data());
    EXPECT_EQ(rr.weights(), w);
    for (std::size_t j = 0; j < 2; ++j) {
      for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(rr.q_left()(i, j), ql(i, j));
      for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(rr.q_right()(i, j), qr(i, j));
    }
    EXPECT_EQ(rr.stats().pairs, 4u);
    EXPECT_EQ(rr.stats().degenerate, 3u);
  }
}

TEST(RankReduceFloat, MoreRankThanDimensionsStaysExact) {
  // n_o = 2 < q = 4: from the third pair on every dz lies in the span (degenerate), yet the
  // sum has rank <= 2 <= r and must be reproduced; rounding grows ~linearly, 1e-12 is ample.
  for (RankReduceMode mode : {RankReduceMode::kBiased, RankReduceMode::kUnbiased}) {
    RankReduceFloat rr(make_params(2, 6, 3, mode, 100.0, 5));
    const CounterRng rng(8, 6);
    uint64_t index = 0;
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(2, 6);
    for (int t = 0; t < 50; ++t) {
      const Vec dz = gaussian(rng, index, 2), a = gaussian(rng, index, 6);
      sum += outer(dz, a);
      rr.step(dz.data(), a.data());
      ASSERT_LE(rel_diff(estimate(rr), sum), 1e-12) << to_string(mode) << " pair " << t;
    }
    EXPECT_GE(rr.stats().degenerate, 45u);
  }
}

TEST(RankReduceFloat, PowerOfTwoScalingIsBitExact) {
  // Every decision (Gram-Schmidt passes, vanishing test, kappa test, Jacobi angles, the
  // mixing split) depends on ratios, so scaling dz by 2^e1 and a by 2^e2 must leave Q
  // bit-identical and scale c_x by exactly 2^(e1+e2) -- including the range corners
  // (C ~ 2^+-400, whose squares 2^+-800 are still normal doubles).
  const int n_o = 7, n_i = 5, r = 3;
  for (RankReduceMode mode : {RankReduceMode::kBiased, RankReduceMode::kUnbiased}) {
    auto run = [&](int e1, int e2) {
      auto rr = std::make_unique<RankReduceFloat>(make_params(n_o, n_i, r, mode, 100.0, 9));
      PairStream stream{CounterRng(4, 7), 0, n_o, n_i};
      RankReduceFloat shadow(make_params(n_o, n_i, r, mode, 100.0, 9));  // drives the stream unscaled
      Vec dz, a;
      for (int t = 0; t < 60; ++t) {
        stream.next(shadow, dz, a);
        shadow.step(dz.data(), a.data());
        for (double& x : dz) x = std::ldexp(x, e1);
        for (double& x : a) x = std::ldexp(x, e2);
        rr->step(dz.data(), a.data());
      }
      return rr;
    };
    const auto base = run(0, 0);
    for (auto [e1, e2] : {std::pair{200, 200}, {-200, -200}, {300, -300}, {-1, 3}}) {
      SCOPED_TRACE(std::to_string(e1) + "," + std::to_string(e2));
      const auto scaled = run(e1, e2);
      EXPECT_TRUE(scaled->q_left() == base->q_left());
      EXPECT_TRUE(scaled->q_right() == base->q_right());
      for (int j = 0; j <= r; ++j) EXPECT_EQ(scaled->weights()[j], std::ldexp(base->weights()[j], e1 + e2));
      EXPECT_EQ(scaled->stats().skipped_kappa, base->stats().skipped_kappa);
      EXPECT_EQ(scaled->stats().degenerate, base->stats().degenerate);
    }
  }
}

TEST(RankReduceFloat, OverflowThrowsRunErrorAndKeepsTheState) {
  RankReduceFloat rr(make_params(4, 3, 2, RankReduceMode::kBiased, 0.0));
  const Vec dz = {1, 2, 3, 4}, a = {1, 0, -1};
  rr.step(dz.data(), a.data());
  const Vec w = rr.weights();
  const Matrix<double> ql = rr.q_left();
  for (double big : {1e200, 1e120}) {  // |x|^2 overflows; C overflows in the Jacobi squares
    const Vec huge_dz = {big, 0, 0, big}, huge_a = {0, big, 0};
    EXPECT_THROW(rr.step(huge_dz.data(), huge_a.data()), RunError) << big;
    EXPECT_EQ(rr.weights(), w);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(rr.q_left()(i, 0), ql(i, 0));
  }
  const Vec nan_dz = {std::nan(""), 0, 0, 0};
  EXPECT_THROW(rr.step(nan_dz.data(), a.data()), RunError);
  rr.step(dz.data(), a.data());  // still usable
  EXPECT_LE(rel_diff(estimate(rr), 2.0 * outer(dz, a)), 8 * kEps);
}

TEST(RankReduceFloat, ResetRestartsLikeANewReducer) {
  const int n_o = 6, n_i = 5;
  RankReduceFloat used(make_params(n_o, n_i, 2, RankReduceMode::kBiased, 100.0));
  RankReduceFloat fresh(make_params(n_o, n_i, 2, RankReduceMode::kBiased, 100.0));
  const CounterRng rng(3, 8);
  uint64_t index = 0;
  for (int t = 0; t < 5; ++t) {
    const Vec dz = gaussian(rng, index, n_o), a = gaussian(rng, index, n_i);
    used.step(dz.data(), a.data());
  }
  used.reset();
  EXPECT_TRUE(estimate(used).isZero(0.0));
  for (int t = 0; t < 5; ++t) {
    const Vec dz = gaussian(rng, index, n_o), a = gaussian(rng, index, n_i);
    used.step(dz.data(), a.data());
    fresh.step(dz.data(), a.data());
  }
  EXPECT_TRUE(used.q_left() == fresh.q_left());
  EXPECT_TRUE(used.q_right() == fresh.q_right());
  EXPECT_EQ(used.weights(), fresh.weights());
  EXPECT_EQ(used.stats().pairs, 10u);  // stats (and the sign-generator pair index) survive reset
}

TEST(RankReduceFloat, RejectsBadParams) {
  EXPECT_THROW(RankReduceFloat(make_params(0, 3, 1, RankReduceMode::kBiased)), std::invalid_argument);
  EXPECT_THROW(RankReduceFloat(make_params(3, 0, 1, RankReduceMode::kBiased)), std::invalid_argument);
  EXPECT_THROW(RankReduceFloat(make_params(3, 3, 0, RankReduceMode::kBiased)), std::invalid_argument);
  EXPECT_THROW(RankReduceFloat(make_params(3, 3, kMaxFloatRank + 1, RankReduceMode::kBiased)), std::invalid_argument);
  EXPECT_THROW(RankReduceFloat(make_params(3, 3, 1, RankReduceMode::kBiased, -1.0)), std::invalid_argument);
  EXPECT_THROW(RankReduceFloat(make_params(3, 3, 1, RankReduceMode::kBiased, std::nan(""))), std::invalid_argument);
  EXPECT_NO_THROW(RankReduceFloat(make_params(3, 3, kMaxFloatRank, RankReduceMode::kUnbiased)));
}

TEST(RankReduceFactory, NamesRoundTripAndFloatIsBuilt) {
  for (RankReduceMode m : {RankReduceMode::kBiased, RankReduceMode::kUnbiased})
    EXPECT_EQ(parse_rank_reduce_mode(to_string(m)), m);
  for (RankReduceArith a : {RankReduceArith::kFloat, RankReduceArith::kFixed})
    EXPECT_EQ(parse_rank_reduce_arith(to_string(a)), a);
  EXPECT_THROW(parse_rank_reduce_mode("Biased"), std::invalid_argument);
  EXPECT_THROW(parse_rank_reduce_arith("double"), std::invalid_argument);
  const auto rr = make_rank_reducer(make_params(3, 2, 1, RankReduceMode::kBiased), RankReduceArith::kFloat);
  EXPECT_NE(dynamic_cast<const RankReduceFloat*>(rr.get()), nullptr);
}

}  // namespace
}  // namespace lrt::golden
