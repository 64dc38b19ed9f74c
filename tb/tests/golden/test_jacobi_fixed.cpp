// The fixed-point two-sided Jacobi SVD (golden/rank_reduce/jacobi_fixed.h): the Brent-Luk angles
// diagonalize a 2x2 block, and the full SVD is an SVD (orthogonal U, V; U^T C V diagonal;
// singular values equal to Eigen's) within bounds derived from the CORDIC error bounds.
#include <gtest/gtest.h>

// The oracle needs no speed; scalar Eigen also avoids GCC's AVX-512 intrinsic warnings.
#define EIGEN_DONT_VECTORIZE
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <eigen3/Eigen/SVD>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"
#include "golden/rank_reduce/fixed_math.h"
#include "golden/rank_reduce/jacobi_fixed.h"

namespace lrt::golden {
namespace {

constexpr double kAngleLsb = 3.14159265358979323846 / 4294967296.0;

Eigen::MatrixXd q30(const int32_t* m, int n) {
  Eigen::MatrixXd out(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) out(i, j) = std::ldexp(static_cast<double>(m[j * n + i]), -30);
  return out;
}

TEST(JacobiFixed, AnglesDiagonalizeA2x2Block) {
  // With exact rotations by the returned angles, the residual off-diagonal is at most
  // |B|_F (|d alpha| + |d beta|), each angle error being at most one atan2 error (77 LSB,
  // test_fixed_math) plus half an LSB from the halving: 2 * 77.5 * pi / 2^32 = 1.13e-7.
  const CounterRng rng(21, 0);
  uint64_t index = 0;
  for (int t = 0; t < 50000; ++t) {
    int64_t b[4];
    const int bits = 1 + static_cast<int>(rng.bits32(index++) % 27u);
    for (int64_t& x : b)
      x = static_cast<int64_t>(rng.bits64(index++) % (uint64_t{1} << bits)) - (int64_t{1} << (bits - 1));
    if (t % 7 == 0) b[1] = -b[2];  // a pure rotation part
    if (t % 11 == 0) b[3] = b[0];
    const JacobiAngles ang = jacobi_fixed_angles(b[0], b[1], b[2], b[3]);
    const double al = static_cast<double>(ang.alpha) * kAngleLsb,
                 be = static_cast<double>(ang.beta) * kAngleLsb;
    Eigen::Matrix2d m, jl, jr;
    m << static_cast<double>(b[0]), static_cast<double>(b[1]), static_cast<double>(b[2]),
        static_cast<double>(b[3]);
    jl << std::cos(al), std::sin(al), -std::sin(al), std::cos(al);
    jr << std::cos(be), std::sin(be), -std::sin(be), std::cos(be);
    const Eigen::Matrix2d d = jl.transpose() * m * jr;
    const double tol = 1.13e-7 * m.norm() + 1e-9;
    ASSERT_LE(std::fabs(d(0, 1)), tol) << b[0] << " " << b[1] << " " << b[2] << " " << b[3];
    ASSERT_LE(std::fabs(d(1, 0)), tol);
    ASSERT_GE(d(0, 0), -tol);  // the construction yields diag(rho_A + rho_B, rho_A - rho_B)
    ASSERT_GE(d(0, 0) + tol, std::fabs(d(1, 1)));
  }
}

struct Case {
  const char* name;
  Eigen::MatrixXd c;
};

// Integer test matrices scaled to the input contract |C_ij| <= 2^26.
std::vector<int32_t> to_codes(const Eigen::MatrixXd& m) {
  const int n = static_cast<int>(m.rows());
  const double scale = m.cwiseAbs().maxCoeff() > 0 ? ((1 << 26) - 1) / m.cwiseAbs().maxCoeff() : 0.0;
  std::vector<int32_t> c(n * n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) c[j * n + i] = static_cast<int32_t>(std::lround(m(i, j) * scale));
  return c;
}

std::vector<Case> test_matrices(int n, const CounterRng& rng, uint64_t& index) {
  std::vector<Case> out;
  Eigen::MatrixXd g(n, n);
  for (int i = 0; i < n * n; ++i) g.data()[i] = rng.normal(index++);
  out.push_back({"gaussian", g});
  // The rankReduce shape: diag(c_x, 0) + c_L c_R^T, with tied weights (unbiased mixing).
  Eigen::VectorXd u(n), v(n);
  for (int i = 0; i < n; ++i) {
    u(i) = rng.normal(index++);
    v(i) = rng.normal(index++);
  }
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i + 1 < n; ++i) d(i, i) = i == 0 ? 8.0 : 3.0;
  out.push_back({"tied diagonal + rank 1", d + 0.3 * u * v.transpose()});
  Eigen::MatrixXd graded = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) graded(i, i) = std::pow(10.0, -0.7 * i);
  out.push_back({"graded + rank 1", graded + 1e-3 * u * v.transpose()});
  out.push_back({"rank 1", u * v.transpose()});
  Eigen::MatrixXd perm = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < n; ++i) perm(i, (i + 1) % n) = n - i;  // a scaled permutation
  out.push_back({"permutation", perm});
  out.push_back({"zero", Eigen::MatrixXd::Zero(n, n)});
  return out;
}

TEST(JacobiFixed, IsAnSvdWithinDerivedBounds) {
  // Orthogonality: each rotation changes a column pair's Gram entries by at most
  // |c^2 + s^2 - 1| <= 2 (1.29e-8) + rounding of n entries to 2^-31 (<= 2^-28 for n <= 9), so
  // <= 4e-8; a column takes part in sweeps (n - 1) <= 64 rotations: 2.6e-6 < 2^-18.
  // Backward error: each rotation leaves an off-diagonal residual <= 1.13e-7 |C|_F (angle
  // test) that is then zeroed, plus two roundings to 1/2 LSB of n entries; over
  // 8 * 36 = 288 rotations the worst case adds up to 3.3e-5 |C|_F (< 2^-14). Weyl's theorem
  // bounds the singular value errors by the same backward error plus the orthogonality loss.
  const CounterRng rng(22, 0);
  uint64_t index = 0;
  double worst_off = 0.0, worst_orth = 0.0;
  for (int n = 1; n <= kJacobiFixedMaxOrder; ++n) {
    for (int rep = 0; rep < 40; ++rep) {
      for (const Case& tc : test_matrices(n, rng, index)) {
        SCOPED_TRACE(std::string(tc.name) + " n=" + std::to_string(n));
        const std::vector<int32_t> codes = to_codes(tc.c);
        Eigen::MatrixXd c(n, n);
        for (int j = 0; j < n; ++j)
          for (int i = 0; i < n; ++i) c(i, j) = codes[j * n + i];
        JacobiFixedResult res;
        jacobi_svd_fixed(n, codes.data(), res);
        ASSERT_EQ(res.n, n);
        const Eigen::MatrixXd u = q30(res.u.data(), n), v = q30(res.v.data(), n);
        const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(n, n);
        const double orth = std::max((u.transpose() * u - id).cwiseAbs().maxCoeff(),
                                     (v.transpose() * v - id).cwiseAbs().maxCoeff());
        ASSERT_LE(orth, 0x1p-18);
        const double fro = c.norm();
        const Eigen::MatrixXd d = u.transpose() * c * v;
        double off = 0.0;
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < n; ++j)
            if (i != j) off = std::max(off, std::fabs(d(i, j)));
        ASSERT_LE(off, 0x1p-14 * fro + 16.0);
        const Eigen::JacobiSVD<Eigen::MatrixXd> oracle(c);
        for (int i = 0; i < n; ++i) {
          ASSERT_GE(res.sigma[i], 0);
          if (i > 0) {
            ASSERT_LE(res.sigma[i], res.sigma[i - 1]);
          }
          ASSERT_LE(std::fabs(static_cast<double>(res.sigma[i]) - oracle.singularValues()(i)),
                    0x1p-14 * fro + 2 * 0x1p-18 * fro + 16.0);
          // Sign convention: the largest |U| entry of each column (ties: lowest row) is positive.
          int pivot = 0;
          for (int row = 1; row < n; ++row)
            if (std::abs(res.u[i * n + row]) > std::abs(res.u[i * n + pivot])) pivot = row;
          ASSERT_GT(res.u[i * n + pivot], 0);
        }
        worst_off = std::max(worst_off, fro > 0 ? off / fro : 0.0);
        worst_orth = std::max(worst_orth, orth);
      }
    }
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.3g / %.3g", worst_off, worst_orth);
  RecordProperty("worst_offdiag_over_frobenius / orthogonality", text);
}

TEST(JacobiFixed, DiagonalInputIsReturnedExactly) {
  // No off-diagonal entry: no rotation, so U and V are exact signed permutations.
  const int n = 5;
  const int32_t diag[n] = {-7, 1 << 26, 0, 7, -(1 << 26)};
  std::vector<int32_t> c(n * n, 0);
  for (int i = 0; i < n; ++i) c[i * n + i] = diag[i];
  JacobiFixedResult res;
  jacobi_svd_fixed(n, c.data(), res);
  const int64_t want_sigma[n] = {1 << 26, 1 << 26, 7, 7, 0};
  const int want_row[n] = {1, 4, 0, 3, 2};  // ties keep diagonal order
  for (int t = 0; t < n; ++t) {
    EXPECT_EQ(res.sigma[t], want_sigma[t]) << t;
    for (int row = 0; row < n; ++row) {
      EXPECT_EQ(res.u[t * n + row], row == want_row[t] ? (1 << 30) : 0) << t << "," << row;
      const int32_t sign = diag[want_row[t]] < 0 ? -1 : 1;
      EXPECT_EQ(res.v[t * n + row], row == want_row[t] ? sign * (1 << 30) : 0) << t << "," << row;
    }
  }
}

TEST(JacobiFixed, RejectsInputsOutsideItsContract) {
  JacobiFixedResult res;
  int32_t big[4] = {(1 << 26) + 1, 0, 0, 0};
  EXPECT_THROW(jacobi_svd_fixed(2, big, res), std::invalid_argument);
  int32_t small[100] = {};
  EXPECT_THROW(jacobi_svd_fixed(0, small, res), std::invalid_argument);
  EXPECT_THROW(jacobi_svd_fixed(10, small, res), std::invalid_argument);
}

}  // namespace
}  // namespace lrt::golden
