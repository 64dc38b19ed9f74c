// The deterministic Jacobi SVD of rankReduce's core matrix, against Eigen's JacobiSVD
// (a two-sided algorithm, used here as an independent oracle only).
//
// Error bounds. One rotation changes the two columns it touches by at most ~6 eps times
// their norm (c and s carry <= 3 eps each, applying them adds 2 eps), and each column takes
// part in n - 1 rotations per sweep. After S sweeps the backward error E (U S V^T = A + E)
// therefore obeys |E|_F <= 6 eps (n - 1) S sqrt(n) |A|_F; by Weyl's theorem each singular
// value moves by at most |E|_2 <= |E|_F, and Eigen's own values carry an error of the same
// kind, so the two agree to twice that. The tests use these bounds with the actual S.
#include <gtest/gtest.h>


// The oracle needs no speed; scalar Eigen also avoids GCC's AVX-512 intrinsic warnings.
#define EIGEN_DONT_VECTORIZE
#include <eigen3/Eigen/SVD>

#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/rng.h"
#include "golden/rank_reduce/jacobi_svd.h"

namespace lrt::golden {
namespace {

constexpr double kEps = DBL_EPSILON;

struct Svd {
  std::vector<double> u, s, v;
  JacobiSvdInfo info;
};

Svd run(int n, const std::vector<double>& a, const JacobiSvdOptions& options = {}) {
  Svd out;
  out.u.assign(n * n, 0.0);
  out.s.assign(n, 0.0);
  out.v.assign(n * n, 0.0);
  out.info = jacobi_svd(n, a.data(), out.u.data(), out.s.data(), out.v.data(), options);
  return out;
}

std::vector<double> random_matrix(int n, uint64_t seed) {
  const CounterRng rng(seed, 77);
  std::vector<double> a(n * n);
  for (int i = 0; i < n * n; ++i) a[i] = rng.normal(static_cast<uint64_t>(i));
  return a;
}

double frobenius(const std::vector<double>& a) {
  double s = 0.0;
  for (double x : a) s += x * x;
  return std::sqrt(s);
}

// max |M^T M - I| for an n x n column-major M.
double orthogonality_error(const std::vector<double>& m, int n) {
  double worst = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double d = 0.0;
      for (int k = 0; k < n; ++k) d += m[i * n + k] * m[j * n + k];
      worst = std::max(worst, std::fabs(d - (i == j ? 1.0 : 0.0)));
    }
  return worst;
}

double reconstruction_error(const Svd& f, const std::vector<double>& a, int n) {
  double s = 0.0;
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) {
      double x = 0.0;
      for (int k = 0; k < n; ++k) x += f.u[k * n + r] * f.s[k] * f.v[k * n + c];
      s += (x - a[c * n + r]) * (x - a[c * n + r]);
    }
  return std::sqrt(s);
}

double backward_bound(int n, int sweeps, double norm) {
  return 6.0 * kEps * (n - 1) * sweeps * std::sqrt(static_cast<double>(n)) * norm + 4 * kEps * norm;
}

void check_canonical_signs(const Svd& f, int n) {
  for (int j = 0; j < n; ++j) {
    int best = 0;
    for (int i = 1; i < n; ++i)
      if (std::fabs(f.u[j * n + i]) > std::fabs(f.u[j * n + best])) best = i;
    EXPECT_GT(f.u[j * n + best], 0.0) << "column " << j;
  }
}

void check_against_eigen(int n, const std::vector<double>& a) {
  const Svd f = run(n, a);
  ASSERT_TRUE(f.info.converged);
  const double norm = frobenius(a);
  const double bound = backward_bound(n, f.info.sweeps, norm);
  EXPECT_LE(reconstruction_error(f, a, n), bound);
  // U: orthogonal to the convergence tolerance n eps plus normalization rounding (~n eps).
  EXPECT_LE(orthogonality_error(f.u, n), 4 * n * kEps);
  // V: a product of rotations, each orthogonal to ~6 eps.
  EXPECT_LE(orthogonality_error(f.v, n), 6 * kEps * (n - 1) * f.info.sweeps + 4 * n * kEps);
  Eigen::MatrixXd m(n, n);
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) m(r, c) = a[c * n + r];
  const Eigen::JacobiSVD<Eigen::MatrixXd> oracle(m);
  for (int j = 0; j < n; ++j) {
    EXPECT_NEAR(f.s[j], oracle.singularValues()(j), 2 * bound) << "sigma " << j;
    if (j > 0) {
      EXPECT_GE(f.s[j - 1], f.s[j]);
    }
    EXPECT_GE(f.s[j], 0.0);
  }
  check_canonical_signs(f, n);
}

TEST(JacobiSvd, RandomMatricesMatchEigen) {
  for (int n : {1, 2, 3, 5, 9, 17, 32})
    for (uint64_t seed = 0; seed < 20; ++seed) {
      SCOPED_TRACE("n=" + std::to_string(n) + " seed=" + std::to_string(seed));
      check_against_eigen(n, random_matrix(n, seed * 100 + static_cast<uint64_t>(n)));
    }
}

TEST(JacobiSvd, RankOneAndRepeatedValuesMatchEigen) {
  const int n = 6;
  const CounterRng rng(3, 78);
  std::vector<double> x(n), y(n), a(n * n);
  for (int i = 0; i < n; ++i) {
    x[i] = rng.normal(static_cast<uint64_t>(i));
    y[i] = rng.normal(static_cast<uint64_t>(i + n));
  }
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) a[c * n + r] = x[r] * y[c];
  check_against_eigen(n, a);
  const Svd f = run(n, a);
  for (int j = 1; j < n; ++j) EXPECT_EQ(f.s[j], 0.0) << j;  // noise columns are dropped
  // Repeated singular values: a random orthogonal-ish mix of diag(2, 2, 2, 1, 1, 0).
  const Svd rot = run(n, random_matrix(n, 5));
  const double d[n] = {2, 2, 2, 1, 1, 0};
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) {
      double s = 0.0;
      for (int k = 0; k < n; ++k) s += rot.u[k * n + r] * d[k] * rot.v[k * n + c];
      a[c * n + r] = s;
    }
  check_against_eigen(n, a);
}

TEST(JacobiSvd, ZeroMatrixGivesIdentityFactors) {
  // No rotation is ever needed; completion picks e_0, e_1, ... in order.
  const int n = 4;
  const Svd f = run(n, std::vector<double>(n * n, 0.0));
  EXPECT_TRUE(f.info.converged);
  EXPECT_EQ(f.info.sweeps, 1);
  for (int c = 0; c < n; ++c) {
    EXPECT_EQ(f.s[c], 0.0);
    for (int r = 0; r < n; ++r) {
      EXPECT_EQ(f.u[c * n + r], r == c ? 1.0 : 0.0);
      EXPECT_EQ(f.v[c * n + r], r == c ? 1.0 : 0.0);
    }
  }
}

TEST(JacobiSvd, DiagonalInputSortsWithTiesInColumnOrderAndFixesSigns) {
  // A = diag(1, -3, 3, 0): sigma = (3, 3, 1, 0); the tie keeps column 1 before column 2.
  // Column 1 of A is -3 e_1: U gets +e_1 (largest entry positive) and V gets -e_1.
  // The zero column completes U with the only unit vector left, e_3.
  const int n = 4;
  std::vector<double> a(n * n, 0.0);
  a[0] = 1.0;
  a[1 * n + 1] = -3.0;
  a[2 * n + 2] = 3.0;
  const Svd f = run(n, a);
  const std::vector<double> s_expected = {3, 3, 1, 0};
  const std::vector<double> u_expected = {0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1};
  const std::vector<double> v_expected = {0, -1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(f.s, s_expected);
  EXPECT_EQ(f.u, u_expected);
  EXPECT_EQ(f.v, v_expected);
}

TEST(JacobiSvd, RankDeficientCoreKeepsUOrthogonal) {
  // The shape rankReduce produces: rows and columns of dead basis slots are exactly zero.
  // Zero rows stay zero under column rotations, so U's columns for non-zero sigma are zero
  // there, and completion fills the rest.
  const int n = 5;
  std::vector<double> a = random_matrix(n, 11);
  for (int k = 0; k < n; ++k) {
    a[k * n + 2] = 0.0;  // row 2
    a[2 * n + k] = 0.0;  // column 2
    a[k * n + 3] = 0.0;  // row 3
  }
  const Svd f = run(n, a);
  ASSERT_TRUE(f.info.converged);
  EXPECT_LE(orthogonality_error(f.u, n), 4 * n * kEps);
  // Rank 3 (three live rows): the exactly zero column and the column reduced to rounding
  // noise both give exact zeros.
  EXPECT_GT(f.s[2], 0.0);
  EXPECT_EQ(f.s[3], 0.0);
  EXPECT_EQ(f.s[4], 0.0);
  for (int j = 0; j < n; ++j)
    if (f.s[j] > 0.0) {
      EXPECT_EQ(f.u[j * n + 2], 0.0);
      EXPECT_EQ(f.u[j * n + 3], 0.0);
    }
  EXPECT_LE(reconstruction_error(f, a, n), backward_bound(n, f.info.sweeps, frobenius(a)));
}

TEST(JacobiSvd, PowerOfTwoScalingIsExact) {
  // Rotation angles depend on ratios only, so scaling A by 2^e scales sigma by 2^e and
  // leaves U and V bit-identical (no under/overflow in this range).
  const int n = 7;
  const std::vector<double> a = random_matrix(n, 21);
  const Svd f = run(n, a);
  for (int e : {-400, -37, 1, 400}) {
    std::vector<double> b(a);
    for (double& x : b) x = std::ldexp(x, e);
    const Svd g = run(n, b);
    EXPECT_EQ(g.u, f.u) << e;
    EXPECT_EQ(g.v, f.v) << e;
    for (int j = 0; j < n; ++j) EXPECT_EQ(g.s[j], std::ldexp(f.s[j], e)) << e;
  }
}

TEST(JacobiSvd, SweepCapIsReported) {
  const int n = 8;
  const std::vector<double> a = random_matrix(n, 31);
  const Svd capped = run(n, a, JacobiSvdOptions{0.0, 1});
  EXPECT_FALSE(capped.info.converged);
  EXPECT_EQ(capped.info.sweeps, 1);
  const Svd full = run(n, a);
  EXPECT_TRUE(full.info.converged);
  EXPECT_GT(full.info.sweeps, 1);
  EXPECT_LE(full.info.sweeps, 12);  // quadratic convergence: measured 6-8 at n = 8
}

TEST(JacobiSvd, RejectsUnsupportedOrder) {
  double x[1] = {1.0};
  EXPECT_THROW(jacobi_svd(0, x, x, x, x), std::invalid_argument);
  EXPECT_THROW(jacobi_svd(kJacobiSvdMaxOrder + 1, x, x, x, x), std::invalid_argument);
}

}  // namespace
}  // namespace lrt::golden
