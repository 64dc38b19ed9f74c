#pragma once
// Fixed-point SVD of the q x q core matrix C of rankReduce (q <= 9): two-sided cyclic
// Jacobi in the form of Brent, Luk & Van Loan (1985): each 2x2 block is diagonalized by a
// left and a right plane rotation whose angles are half the sum and half the difference of
// two CORDIC atan2 results; cos/sin come from CORDIC too, and rotations are applied with
// integer multiplies and half-up rounding. No division, no square root, a fixed sweep count:
// docs/fixed_point_rank_reduce.md §4 is the specification.

#include <array>
#include <cstdint>

namespace lrt::golden {

inline constexpr int kJacobiFixedMaxOrder = 9;
/// Cyclic sweeps per SVD (fixed; convergence margin in docs §4.3 and the tests).
inline constexpr int kJacobiFixedSweeps = 8;
/// Input contract: |C_ij| <= 2^kJacobiFixedInputBits, so |C|_F < 2^30 for q <= 9 and every
/// rotated entry stays inside 31 bits.
inline constexpr int kJacobiFixedInputBits = 26;

/// @brief C = U diag(sigma) V^T in integers. sigma: codes in C's scale, >= 0, descending
/// (ties: lower diagonal position first). u, v: column-major, Q2.30 (1.0 = 2^30). Sign
/// convention: the largest-magnitude entry of each U column (ties: lowest row) is positive,
/// the V column flipped alongside.
struct JacobiFixedResult {
  int n = 0;
  std::array<int64_t, kJacobiFixedMaxOrder> sigma{};
  std::array<int32_t, kJacobiFixedMaxOrder * kJacobiFixedMaxOrder> u{};
  std::array<int32_t, kJacobiFixedMaxOrder * kJacobiFixedMaxOrder> v{};
  /// (p, k) visits that rotated (an exactly diagonal 2x2 block is skipped): the RTL writes its
  /// matrix register files only on these, so the unit's energy counts them.
  int rotations = 0;
};

/// @brief Jacobi SVD of the n x n column-major integer matrix c (1 <= n <= 9, |c_ij| <= 2^26;
/// std::invalid_argument otherwise). `sweeps` other than the default is for convergence studies.
void jacobi_svd_fixed(int n, const int32_t* c, JacobiFixedResult& out, int sweeps = kJacobiFixedSweeps);

/// @brief One Brent-Luk step on the 2x2 block (w x; y z): the binary angles (pi = 2^32) of
/// the left rotation alpha and right rotation beta such that J(alpha)^T B J(beta) is diagonal,
/// J(t) = (cos t, sin t; -sin t, cos t). Exposed for the tests.
struct JacobiAngles {
  int64_t alpha = 0;
  int64_t beta = 0;
};
JacobiAngles jacobi_fixed_angles(int64_t w, int64_t x, int64_t y, int64_t z);

}  // namespace lrt::golden
