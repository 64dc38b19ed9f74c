#include "golden/rank_reduce/rank_reduce_float.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "golden/rank_reduce/jacobi_svd.h"
#include "golden/rank_reduce/sign_generator.h"

namespace lrt::golden {

namespace {

// Long-vector kernels. Each reduction keeps 8 interleaved partial sums (element i goes to
// sum i mod 8) combined in a fixed tree, so the compiler may vectorize the loops without
// changing a bit of the result (no -ffast-math; -ffp-contract=off forbids fused multiply-add).
constexpr int kLanes = 8;

double combine(const double* s) {
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

double dot(const double* __restrict x, const double* __restrict y, int n) {
  double s[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) s[l] += x[i + l] * y[i + l];
  for (int l = 0; i < n; ++i, ++l) s[l] += x[i] * y[i];
  return combine(s);
}

// res = x; returns |x|^2 and *q0_dot = q0 . x.
double copy_norm2_dot(const double* __restrict x, double* __restrict res, const double* __restrict q0, int n,
                      double* q0_dot) {
  double s[kLanes] = {};
  double d[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const double xi = x[i + l];
      res[i + l] = xi;
      s[l] += xi * xi;
      d[l] += q0[i + l] * xi;
    }
  for (int l = 0; i < n; ++i, ++l) {
    res[i] = x[i];
    s[l] += x[i] * x[i];
    d[l] += q0[i] * x[i];
  }
  *q0_dot = combine(d);
  return combine(s);
}

// res -= c * qj; returns next . res (the updated res). One pass instead of two.
double axpy_dot(double* __restrict res, const double* __restrict qj, double c, const double* __restrict next,
                int n) {
  double s[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const double ri = res[i + l] - c * qj[i + l];
      res[i + l] = ri;
      s[l] += next[i + l] * ri;
    }
  for (int l = 0; i < n; ++i, ++l) {
    const double ri = res[i] - c * qj[i];
    res[i] = ri;
    s[l] += next[i] * ri;
  }
  return combine(s);
}

// res -= c * qj; returns |res|^2 (the updated res).
double axpy_norm2(double* __restrict res, const double* __restrict qj, double c, int n) {
  double s[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const double ri = res[i + l] - c * qj[i + l];
      res[i + l] = ri;
      s[l] += ri * ri;
    }
  for (int l = 0; i < n; ++i, ++l) {
    const double ri = res[i] - c * qj[i];
    res[i] = ri;
    s[l] += ri * ri;
  }
  return combine(s);
}

// One modified Gram-Schmidt pass of res against columns 0..r-1 of q, given d0 = q_0 . res:
// c_j = q_j . res; res -= c_j q_j, in order j = 0..r-1. Adds c_j to coeff[j]; returns |res|^2.
double mgs_pass(const Matrix<double>& q, double* res, int r, double d0, double* coeff) {
  const int n = static_cast<int>(q.rows());
  double d = d0;
  for (int j = 0; j + 1 < r; ++j) {
    coeff[j] += d;
    d = axpy_dot(res, q.col(j), d, q.col(j + 1), n);
  }
  coeff[r - 1] += d;
  return axpy_norm2(res, q.col(r - 1), d, n);
}

bool all_zero(const double* x, int n) {
  for (int i = 0; i < n; ++i)
    if (x[i] != 0.0) return false;
  return true;
}

// Rows of the generic basis update processed per block: q blocks of 256 rows stay in L1.
constexpr int kBlockRows = 256;

// Q[:, :R] <- Q[:, :R+1] * mix (column-major, leading dimension ld), in place: the outputs
// of a row depend only on that row, and a chunk's inputs are all loaded before its outputs
// are stored. Output j of a row is m_j0 q_0 + m_j1 q_1 + ... summed in that order, exactly
// like the generic path. Chunks of 8 rows keep everything in vector registers.
template <int R>
void update_basis_small(double* base, std::size_t ld, int n, const double* mix) {
  constexpr int Q = R + 1;
  constexpr int W = 8;
  double m[R][Q];
  for (int j = 0; j < R; ++j)
    for (int k = 0; k < Q; ++k) m[j][k] = mix[j * Q + k];
  int i = 0;
  for (; i + W <= n; i += W) {
    double x[Q][W];
    double y[R][W];
    for (int k = 0; k < Q; ++k)
      for (int l = 0; l < W; ++l) x[k][l] = base[k * ld + i + l];
    for (int j = 0; j < R; ++j) {
      for (int l = 0; l < W; ++l) y[j][l] = m[j][0] * x[0][l];
      for (int k = 1; k < Q; ++k)
        for (int l = 0; l < W; ++l) y[j][l] += m[j][k] * x[k][l];
    }
    for (int j = 0; j < R; ++j)
      for (int l = 0; l < W; ++l) base[j * ld + i + l] = y[j][l];
  }
  for (; i < n; ++i) {
    double x[Q];
    for (int k = 0; k < Q; ++k) x[k] = base[k * ld + i];
    for (int j = 0; j < R; ++j) {
      double y = m[j][0] * x[0];
      for (int k = 1; k < Q; ++k) y += m[j][k] * x[k];
      base[j * ld + i] = y;
    }
  }
}

void check_params(const RankReduceParams& p) {
  if (p.n_o < 1 || p.n_i < 1)
    throw std::invalid_argument("rank reduce: n_o and n_i must be >= 1 (got " + std::to_string(p.n_o) + ", " +
                                std::to_string(p.n_i) + ")");
  if (p.rank < 1 || p.rank > kMaxFloatRank)
    throw std::invalid_argument("rank reduce: rank " + std::to_string(p.rank) + " outside [1, " +
                                std::to_string(kMaxFloatRank) + "]");
  if (!std::isfinite(p.kappa_th) || p.kappa_th < 0.0)
    throw std::invalid_argument("rank reduce: kappa_th must be finite and >= 0");
}

}  // namespace

int reduce_spectrum(RankReduceMode mode, int q, const double* sigma, uint32_t sign_word, double* qx, double* cx) {
  if (q < 2 || q > kJacobiSvdMaxOrder)
    throw std::invalid_argument("reduce_spectrum: q = " + std::to_string(q) + " outside [2, 32]");
  const int r = q - 1;
  std::fill(qx, qx + q * r, 0.0);
  if (mode == RankReduceMode::kBiased) {
    for (int j = 0; j < r; ++j) {
      qx[j * q + j] = 1.0;
      cx[j] = sigma[j];
    }
    return r;
  }
  if (mode != RankReduceMode::kUnbiased) throw std::invalid_argument("reduce_spectrum: unknown mode");

  // suffix[i] = sigma_i + ... + sigma_{q-1}, summed from the end (a fixed order).
  double suffix[kJacobiSvdMaxOrder + 1];
  suffix[q] = 0.0;
  for (int i = q - 1; i >= 0; --i) suffix[i] = sigma[i] + suffix[i + 1];
  // m0 = m - 1: the first mixed value, the smallest i with (q-1-i) sigma_i <= suffix[i].
  // At i = q - 2 the test reads sigma_{q-2} <= sigma_{q-2} + sigma_{q-1}, true for sigma >= 0,
  // so at least two values are mixed (k >= 1).
  int m0 = q - 2;
  for (int i = 0; i < q - 2; ++i) {
    if ((q - 1 - i) * sigma[i] <= suffix[i]) {
      m0 = i;
      break;
    }
  }
  const int k = q - 1 - m0;
  for (int j = 0; j < m0; ++j) {
    qx[j * q + j] = 1.0;
    cx[j] = sigma[j];
  }
  const double s1 = suffix[m0];
  if (s1 == 0.0) {
    // All mixed values are zero: nothing to mix, and no division by zero.
    for (int j = m0; j < r; ++j) {
      qx[j * q + j] = 1.0;
      cx[j] = 0.0;
    }
    return m0;
  }
  // x0_j^2 = 1 - k sigma_{m+j} / s1 (>= 0 by the choice of m; clamped against rounding);
  // |x0| = 1. Householder H = I - 2 v v^T / |v|^2 with v = x0 - e_0 maps e_0 to x0, so its
  // other k columns X are orthonormal with X X^T = I - x0 x0^T. v_0 = x0_0 - 1 <= 1/sqrt(2) - 1
  // because k sigma_m >= k s1 / (k + 1), so |v|^2 is bounded away from zero.
  double v[kJacobiSvdMaxOrder];
  const double kd = static_cast<double>(k);
  double vv = 0.0;
  for (int j = 0; j <= k; ++j) {
    const double x2 = (s1 - kd * sigma[m0 + j]) / s1;
    v[j] = std::sqrt(std::max(0.0, x2));
  }
  v[0] -= 1.0;
  for (int j = 0; j <= k; ++j) vv += v[j] * v[j];
  const double scale = 2.0 / vv;
  for (int c = 1; c <= k; ++c) {
    double* col = qx + (m0 + c - 1) * q + m0;
    for (int i = 0; i <= k; ++i) {
      const double h = (i == c ? 1.0 : 0.0) - scale * v[i] * v[c];
      col[i] = ((sign_word >> i) & 1u) ? -h : h;
    }
    cx[m0 + c - 1] = s1 / kd;
  }
  return m0;
}

RankReduceFloat::RankReduceFloat(const RankReduceParams& params) : params_(params) {
  check_params(params);
  r_ = params.rank;
  q_ = r_ + 1;
  const std::size_t q = static_cast<std::size_t>(q_);
  q_left_ = Matrix<double>(static_cast<std::size_t>(params.n_o), q);
  q_right_ = Matrix<double>(static_cast<std::size_t>(params.n_i), q);
  c_x_.assign(q, 0.0);
  c_left_.assign(q, 0.0);
  c_right_.assign(q, 0.0);
  core_.assign(q * q, 0.0);
  u_.assign(q * q, 0.0);
  v_.assign(q * q, 0.0);
  sigma_.assign(q, 0.0);
  qx_.assign(q * (q - 1), 0.0);
  cx_.assign(q, 0.0);
  mix_left_.assign(q * (q - 1), 0.0);
  mix_right_.assign(q * (q - 1), 0.0);
  block_.assign(static_cast<std::size_t>(kBlockRows) * (q - 1), 0.0);
}

void RankReduceFloat::reset() {
  q_left_.fill(0.0);
  q_right_.fill(0.0);
  std::fill(c_x_.begin(), c_x_.end(), 0.0);
}

RankReduceFloatState RankReduceFloat::state() const {
  return {q_left_, q_right_, c_x_, stats_, reorthogonalizations_, svd_unconverged_};
}

void RankReduceFloat::set_state(const RankReduceFloatState& s) {
  if (s.q_left.rows() != q_left_.rows() || s.q_left.cols() != q_left_.cols() ||
      s.q_right.rows() != q_right_.rows() || s.q_right.cols() != q_right_.cols() || s.c_x.size() != c_x_.size())
    throw std::invalid_argument("rank reduce (float): state of another shape");
  q_left_ = s.q_left;
  q_right_ = s.q_right;
  c_x_ = s.c_x;
  stats_ = s.stats;
  reorthogonalizations_ = s.reorthogonalizations;
  svd_unconverged_ = s.svd_unconverged;
}

bool RankReduceFloat::orthogonalize(Matrix<double>& q, const double* x, double* coeff) {
  const int n = static_cast<int>(q.rows());
  double* res = q.col(static_cast<std::size_t>(r_));
  std::fill(coeff, coeff + q_, 0.0);
  double d0 = 0.0;
  const double norm0_2 = copy_norm2_dot(x, res, q.col(0), n, &d0);
  // Only the scratch column has been written, so throwing leaves the state intact.
  if (!std::isfinite(norm0_2) || !std::isfinite(d0))
    throw RunError("rank reduce (float): non-finite input or |x|^2 beyond double range");
  double norm2 = mgs_pass(q, res, r_, d0, coeff);
  // Kahan-Parlett: if the pass removed over half the energy, cancellation may have left
  // components along the basis of order eps |x| / |res|; a second pass removes them.
  if (norm2 < 0.5 * norm0_2) {
    ++reorthogonalizations_;
    norm2 = mgs_pass(q, res, r_, dot(q.col(0), res, n), coeff);
  }
  const double norm0 = std::sqrt(norm0_2);
  const double norm = std::sqrt(norm2);
  if (!(norm <= kVanishingResidual * norm0)) {
    const double inv = 1.0 / norm;
    for (int i = 0; i < n; ++i) res[i] *= inv;
    coeff[r_] = norm;
    return false;
  }
  std::fill(res, res + n, 0.0);
  coeff[r_] = 0.0;
  return true;
}

void RankReduceFloat::update_basis(Matrix<double>& q, const double* mix) {
  const int n = static_cast<int>(q.rows());
  switch (r_) {
    case 1: return update_basis_small<1>(q.data(), q.rows(), n, mix);
    case 2: return update_basis_small<2>(q.data(), q.rows(), n, mix);
    case 3: return update_basis_small<3>(q.data(), q.rows(), n, mix);
    case 4: return update_basis_small<4>(q.data(), q.rows(), n, mix);
    case 5: return update_basis_small<5>(q.data(), q.rows(), n, mix);
    case 6: return update_basis_small<6>(q.data(), q.rows(), n, mix);
    case 7: return update_basis_small<7>(q.data(), q.rows(), n, mix);
    case 8: return update_basis_small<8>(q.data(), q.rows(), n, mix);
    default: break;
  }
  // Larger ranks: the same sums in the same order, row block by row block through scratch.
  for (int i0 = 0; i0 < n; i0 += kBlockRows) {
    const int len = std::min(kBlockRows, n - i0);
    for (int j = 0; j < r_; ++j) {
      double* __restrict t = block_.data() + static_cast<std::size_t>(j) * kBlockRows;
      const double* m = mix + j * q_;
      const double* __restrict q0 = q.col(0) + i0;
      for (int i = 0; i < len; ++i) t[i] = m[0] * q0[i];
      for (int k = 1; k < q_; ++k) {
        const double mk = m[k];
        const double* __restrict qk = q.col(static_cast<std::size_t>(k)) + i0;
        for (int i = 0; i < len; ++i) t[i] += mk * qk[i];
      }
    }
    for (int j = 0; j < r_; ++j)
      std::copy(block_.data() + static_cast<std::size_t>(j) * kBlockRows,
                block_.data() + static_cast<std::size_t>(j) * kBlockRows + len,
                q.col(static_cast<std::size_t>(j)) + i0);
  }
}

void RankReduceFloat::step(const double* dz, const double* a) {
  const uint32_t pair_index = static_cast<uint32_t>(stats_.pairs);  // wraps after 2^32 pairs
  ++stats_.pairs;
  const int q = q_;
  const int r = r_;

  // A zero input contributes nothing: state unchanged.
  if (all_zero(dz, params_.n_o) || all_zero(a, params_.n_i)) {
    ++stats_.degenerate;
    return;
  }
  const bool vanished_left = orthogonalize(q_left_, dz, c_left_.data());
  const bool vanished_right = orthogonalize(q_right_, a, c_right_.data());

  // C = c_L c_R^T + diag(c_x), column-major.
  for (int c = 0; c < q; ++c)
    for (int i = 0; i < q; ++i) core_[c * q + i] = c_left_[i] * c_right_[c] + (i == c ? c_x_[i] : 0.0);
  // The Jacobi SVD squares C's entries: |C|_F^2 must be finite (this also catches any
  // non-finite entry). Only scratch has been written so far, so the state stays intact.
  double core_norm2 = 0.0;
  for (double x : core_) core_norm2 += x * x;
  if (!std::isfinite(core_norm2))
    throw RunError("rank reduce (float): |C|_F^2 beyond double range; input magnitudes too large");

  if (vanished_left || vanished_right) {
    // The new outer product lies in the kept span on one side: C has rank <= r, so the
    // reduction below is exact. No kappa test: C_qq = 0 is not ill conditioning.
    ++stats_.degenerate;
  } else if (params_.kappa_th > 0.0 && core_[0] > params_.kappa_th * core_[q * q - 1]) {
    ++stats_.skipped_kappa;
    return;
  }

  const JacobiSvdInfo info = jacobi_svd(q, core_.data(), u_.data(), sigma_.data(), v_.data());
  if (!info.converged) ++svd_unconverged_;

  const uint32_t sign_word = rank_reduce_sign_word(static_cast<uint32_t>(params_.seed), pair_index);
  reduce_spectrum(params_.mode, q, sigma_.data(), sign_word, qx_.data(), cx_.data());

  // mix = U_C Q_x and V_C Q_x (q x r), sums in ascending k.
  for (int j = 0; j < r; ++j)
    for (int i = 0; i < q; ++i) {
      double sl = 0.0, sr = 0.0;
      for (int k = 0; k < q; ++k) {
        sl += u_[k * q + i] * qx_[j * q + k];
        sr += v_[k * q + i] * qx_[j * q + k];
      }
      mix_left_[j * q + i] = sl;
      mix_right_[j * q + i] = sr;
    }
  update_basis(q_left_, mix_left_.data());
  update_basis(q_right_, mix_right_.data());

  for (int j = 0; j < r; ++j) {
    c_x_[j] = cx_[j];
    if (cx_[j] == 0.0) {
      // Keep the invariant "zero weight <=> zero column": a weightless column may be a
      // partial mix of dead columns, and Gram-Schmidt needs unit or zero columns.
      std::fill(q_left_.col(j), q_left_.col(j) + params_.n_o, 0.0);
      std::fill(q_right_.col(j), q_right_.col(j) + params_.n_i, 0.0);
    }
  }
  c_x_[r] = 0.0;
}

void RankReduceFloat::factors(Matrix<double>& L, Matrix<double>& R) const {
  const auto no = static_cast<std::size_t>(params_.n_o);
  const auto ni = static_cast<std::size_t>(params_.n_i);
  const auto r = static_cast<std::size_t>(r_);
  if (L.rows() != no || L.cols() != r) L = Matrix<double>(no, r);
  if (R.rows() != ni || R.cols() != r) R = Matrix<double>(ni, r);
  for (std::size_t j = 0; j < r; ++j) {
    const double w = std::sqrt(c_x_[j]);
    for (std::size_t i = 0; i < no; ++i) L(i, j) = q_left_(i, j) * w;
    for (std::size_t i = 0; i < ni; ++i) R(i, j) = q_right_(i, j) * w;
  }
}

}  // namespace lrt::golden
