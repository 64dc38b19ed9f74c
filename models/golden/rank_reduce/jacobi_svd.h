#pragma once
// Deterministic SVD of the small q x q core matrix C of rankReduce (q = r + 1 <= 32).
//
// One-sided (Hestenes) cyclic Jacobi: rotate column pairs of B = A V until every pair is
// orthogonal relative to the column norms, so U = B diag(1/sigma) is orthonormal even for
// tiny singular values (Demmel & Veselic, 1992). Fixed row-cyclic pair order, a relative
// convergence test and a hard sweep cap make the result a pure function of the input bits.
// A column whose norm drops to n eps |A|_F (rounding noise of a rank deficiency) stops
// rotating and counts as a zero singular value: a perturbation of A within the rounding.
// Canonical form: singular values descending (ties: lower original column first); each
// U column's largest-magnitude entry (ties: lowest row) is positive, with V's column flipped
// alongside; U columns of zero singular values complete U by pivoted Gram-Schmidt on unit
// vectors, so U is always orthogonal.

namespace lrt::golden {

/// Largest supported matrix order (rank 31 + 1; the unbiased sign word has 32 bits).
constexpr int kJacobiSvdMaxOrder = 32;

/// @brief Stopping rule of jacobi_svd().
struct JacobiSvdOptions {
  /// Columns p, q count as orthogonal when |b_p . b_q| <= tolerance * |b_p| |b_q|.
  double tolerance = 0.0;  ///< 0: use the default, order * DBL_EPSILON
  int max_sweeps = 30;     ///< hard cap; measured 6-8 sweeps at n = 9, 8-11 at n = 32 (random A)
};

/// @brief How the iteration ended.
struct JacobiSvdInfo {
  int sweeps = 0;          ///< sweeps run, including the final rotation-free one
  bool converged = false;  ///< true when a full sweep needed no rotation
};

/// @brief A = U diag(sigma) V^T for a square n x n column-major matrix A (1 <= n <= 32).
/// u and v receive n x n column-major orthogonal matrices, sigma the n singular values in
/// descending order. No allocation. Non-zero |entries| should lie in about [2^-500, 2^500]
/// (squared column norms must stay normal doubles); throws std::invalid_argument for n
/// out of range and std::domain_error when |A|_F^2 is not finite.
/// If the sweep cap is hit the result is still a valid (less accurate) factorization
/// and info.converged is false.
JacobiSvdInfo jacobi_svd(int n, const double* a, double* u, double* sigma, double* v,
                         const JacobiSvdOptions& options = {});

}  // namespace lrt::golden
