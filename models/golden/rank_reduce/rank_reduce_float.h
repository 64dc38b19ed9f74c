#pragma once
// Double-precision reference rankReduce (Gural et al., Algorithm 1), the float half of
// rank_reduce.h. docs/rank_reduce.md states the algorithm as implemented; the points that
// go beyond the paper's listing:
//  * Gram-Schmidt: one modified Gram-Schmidt pass per side; a second pass when the pass
//    removed more than half of the vector's energy (Kahan-Parlett "twice is enough"), so the
//    new basis column is orthogonal to working precision whatever the input.
//  * A residual below 2^-40 of its input's norm counts as zero (the pair lies in the kept
//    span): its basis column is set to zero, the pair is counted as degenerate and folded in
//    without the kappa test. A zero dz or a leaves the state unchanged (also degenerate).
//  * The kappa test (skip the pair when C_11 > kappa_th * C_qq) runs only when both
//    residuals are non-zero.
//  * Invariant: every basis column is either unit length or exactly zero, and zero columns
//    carry weight c_x = 0 (columns whose new weight is 0 are cleared after each update).
//  * Stats survive reset(): pairs is the index of the next pair for the sign generator.
// NaN/Inf inputs and intermediate overflow (inputs too large for double) throw lrt::RunError before
// the state is changed.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "golden/rank_reduce/rank_reduce.h"

namespace lrt::golden {

/// Largest rank of RankReduceFloat: the unbiased mode draws up to q = r + 1 signs from one
/// 32-bit word of the sign generator.
constexpr int kMaxFloatRank = 31;

/// Below this fraction of its input's norm, a Gram-Schmidt residual counts as zero.
constexpr double kVanishingResidual = 0x1p-40;

/// @brief The rank-r split of diag(sigma) that one rankReduce step keeps, Algorithm 1's
/// Q_x and new c_x: diag(sigma) is approximated by Q_x diag(c_x) Q_x^T.
/// sigma: q = r + 1 values, descending, >= 0. qx: q x r column-major, orthonormal columns.
/// Biased: Q_x = [I_r; 0], c_x = sigma_1..r. Unbiased (Benzing et al.'s minimum-variance
/// unbiased mixing): keep sigma_1..sigma_{m-1}, mix sigma_m..sigma_q into k = q - m columns
/// of weight s_1 / k with a Householder-built basis whose rows carry the random signs: bit j
/// of sign_word set means element j (0-based, j = 0 is sigma_m) of the mixed block is negated.
/// Returns how many leading singular values are kept unmixed: r (biased) or m - 1 (unbiased,
/// m being 1-based as in the paper; m <= r always, so at least two values are mixed).
int reduce_spectrum(RankReduceMode mode, int q, const double* sigma, uint32_t sign_word,
                    double* qx, double* cx);

/// @brief Everything of a RankReduceFloat that influences later steps and its statistics
/// (plain, for checkpoints); the per-step scratch is not state.
struct RankReduceFloatState {
  Matrix<double> q_left;   ///< n_o x q
  Matrix<double> q_right;  ///< n_i x q
  std::vector<double> c_x;  ///< q
  RankReduceStats stats;    ///< pairs is also the sign generator's index
  uint64_t reorthogonalizations = 0;
  uint64_t svd_unconverged = 0;
};

/// @brief Double-precision rankReduce; see the file comment and docs/rank_reduce.md.
class RankReduceFloat final : public RankReducer {
 public:
  /// Throws std::invalid_argument unless n_o, n_i >= 1, 1 <= rank <= kMaxFloatRank and
  /// kappa_th is finite and >= 0.
  explicit RankReduceFloat(const RankReduceParams& params);

  void step(const double* dz, const double* a) override;
  void factors(Matrix<double>& L, Matrix<double>& R) const override;
  void reset() override;
  const RankReduceStats& stats() const override { return stats_; }
  const RankReduceParams& params() const override { return params_; }

  /// Orthonormal (or zero) bases, n x q; column q-1 is scratch for the next pair's residual.
  const Matrix<double>& q_left() const { return q_left_; }
  const Matrix<double>& q_right() const { return q_right_; }
  /// Weights c_x (q values; the last is always 0).
  const std::vector<double>& weights() const { return c_x_; }
  /// Gram-Schmidt second passes run so far (both sides counted).
  uint64_t reorthogonalizations() const { return reorthogonalizations_; }
  /// SVDs that hit the sweep cap (a valid but less accurate step; expected 0).
  uint64_t svd_unconverged() const { return svd_unconverged_; }

  RankReduceFloatState state() const;
  /// Replaces the state; throws std::invalid_argument when a size differs from this reducer's.
  void set_state(const RankReduceFloatState& s);

 private:
  /// Gram-Schmidt of x against the live columns of q (into its last column); fills coeff[0..r]
  /// and returns true when the residual vanished.
  bool orthogonalize(Matrix<double>& q, const double* x, double* coeff);
  void update_basis(Matrix<double>& q, const double* mix);

  RankReduceParams params_;
  RankReduceStats stats_;
  int r_;
  int q_;
  Matrix<double> q_left_;
  Matrix<double> q_right_;
  std::vector<double> c_x_;
  // Per-step scratch, allocated once.
  std::vector<double> c_left_, c_right_, core_, u_, sigma_, v_, qx_, cx_, mix_left_, mix_right_;
  std::vector<double> block_;
  uint64_t reorthogonalizations_ = 0;
  uint64_t svd_unconverged_ = 0;
};

}  // namespace lrt::golden
