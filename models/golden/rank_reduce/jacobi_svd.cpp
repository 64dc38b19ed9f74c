#include "golden/rank_reduce/jacobi_svd.h"

#include <cfloat>
#include <cmath>
#include <stdexcept>
#include <string>

namespace lrt::golden {

namespace {

constexpr int kMax = kJacobiSvdMaxOrder;

// Sums in ascending index order: the result depends only on the input bits.
double dot(const double* x, const double* y, int n) {
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

// Rotates columns (x, y) <- (c x - s y, s x + c y).
void rotate(double* x, double* y, int n, double c, double s) {
  for (int i = 0; i < n; ++i) {
    const double xi = x[i];
    const double yi = y[i];
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

// Index of the largest |x_i|, ties to the lowest i.
int argmax_abs(const double* x, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (std::fabs(x[i]) > std::fabs(x[best])) best = i;
  return best;
}

// Removes from w its components along the first `count` columns of u (orthonormal).
void project_out(double* w, const double* u, int count, int n) {
  for (int k = 0; k < count; ++k) {
    const double* uk = u + k * n;
    const double c = dot(uk, w, n);
    for (int i = 0; i < n; ++i) w[i] -= c * uk[i];
  }
}

// Fills column `j` of u with a unit vector orthogonal to columns 0..j-1: the unit vector e_i
// whose residual after projection is largest (ties: lowest i). Some e_i keeps a residual of
// squared norm >= (n - j) / n >= 1/n, so the normalization is well conditioned.
void complete_column(double* u, int j, int n) {
  double* w = u + j * n;
  int best = -1;
  double best_norm2 = -1.0;
  for (int i = 0; i < n; ++i) {
    // Residual of e_i: |e_i - sum_k u_k u_k[i]|^2 = 1 - sum_k u_k[i]^2.
    double s = 0.0;
    for (int k = 0; k < j; ++k) s += u[k * n + i] * u[k * n + i];
    const double r2 = 1.0 - s;
    if (r2 > best_norm2) {
      best_norm2 = r2;
      best = i;
    }
  }
  for (int i = 0; i < n; ++i) w[i] = i == best ? 1.0 : 0.0;
  // Twice is enough (Giraud et al., 2005): the second pass removes the rounding left by the first.
  project_out(w, u, j, n);
  project_out(w, u, j, n);
  const double norm = std::sqrt(dot(w, w, n));
  for (int i = 0; i < n; ++i) w[i] /= norm;
}

}  // namespace

JacobiSvdInfo jacobi_svd(int n, const double* a, double* u, double* sigma, double* v,
                         const JacobiSvdOptions& options) {
  if (n < 1 || n > kMax)
    throw std::invalid_argument("jacobi_svd: order " + std::to_string(n) + " outside [1, " +
                                std::to_string(kMax) + "]");
  const double tol = options.tolerance > 0.0 ? options.tolerance : n * DBL_EPSILON;

  double b[kMax * kMax];
  double w[kMax * kMax];  // accumulated right rotations (V before sorting)
  for (int i = 0; i < n * n; ++i) b[i] = a[i];
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) w[c * n + r] = r == c ? 1.0 : 0.0;

  // A column whose norm falls to n eps |A|_F is rounding noise of a rank deficiency: it can
  // never become orthogonal to the columns spanning its space (rotations only shrink it), so
  // it takes no part in rotations and counts as a zero singular value. Dropping it perturbs A
  // by at most n eps |A|_F, the size of the rounding the rotations commit anyway.
  // (Rotations preserve |B|_F, so the threshold is fixed.)
  const double frobenius2 = dot(a, a, n * n);
  if (!std::isfinite(frobenius2))
    throw std::domain_error("jacobi_svd: non-finite input or |A|_F^2 beyond double range");
  const double negligible2 = (n * DBL_EPSILON) * (n * DBL_EPSILON) * frobenius2;

  JacobiSvdInfo info;
  while (info.sweeps < options.max_sweeps) {
    ++info.sweeps;
    bool rotated = false;
    for (int p = 0; p < n - 1; ++p) {
      for (int q = p + 1; q < n; ++q) {
        double* bp = b + p * n;
        double* bq = b + q * n;
        const double gamma = dot(bp, bq, n);
        if (gamma == 0.0) continue;
        const double alpha = dot(bp, bp, n);
        const double beta = dot(bq, bq, n);
        if (alpha <= negligible2 || beta <= negligible2) continue;
        // sqrt of each factor: alpha * beta could overflow where the norms do not.
        if (std::fabs(gamma) <= tol * std::sqrt(alpha) * std::sqrt(beta)) continue;
        // Rutishauser's rotation: the smaller root t of t^2 + 2 zeta t - 1 = 0 (|angle| <= pi/4),
        // which makes the rotated columns orthogonal and keeps the rounding relative.
        const double zeta = (beta - alpha) / (2.0 * gamma);
        const double sign = zeta >= 0.0 ? 1.0 : -1.0;
        const double t = std::fabs(zeta) > 1e150 ? 0.5 / zeta
                                                 : sign / (std::fabs(zeta) + std::sqrt(1.0 + zeta * zeta));
        const double c = 1.0 / std::sqrt(1.0 + t * t);
        const double s = c * t;
        rotate(bp, bq, n, c, s);
        rotate(w + p * n, w + q * n, n, c, s);
        rotated = true;
      }
    }
    if (!rotated) {
      info.converged = true;
      break;
    }
  }

  // Sort by norm, descending; insertion sort on the original index keeps ties in order.
  double norm[kMax];
  int order[kMax];
  for (int j = 0; j < n; ++j) {
    const double norm2 = dot(b + j * n, b + j * n, n);
    norm[j] = norm2 <= negligible2 ? 0.0 : std::sqrt(norm2);
    order[j] = j;
  }
  for (int j = 1; j < n; ++j) {
    const int key = order[j];
    int i = j - 1;
    while (i >= 0 && norm[order[i]] < norm[key]) {
      order[i + 1] = order[i];
      --i;
    }
    order[i + 1] = key;
  }

  // Zero singular values sort last, so completion sees every non-zero column already placed.
  for (int j = 0; j < n; ++j) {
    const int src = order[j];
    sigma[j] = norm[src];
    double* uj = u + j * n;
    double* vj = v + j * n;
    for (int i = 0; i < n; ++i) vj[i] = w[src * n + i];
    if (sigma[j] > 0.0) {
      for (int i = 0; i < n; ++i) uj[i] = b[src * n + i] / sigma[j];
    } else {
      complete_column(u, j, n);
    }
    if (uj[argmax_abs(uj, n)] < 0.0) {
      for (int i = 0; i < n; ++i) {
        uj[i] = -uj[i];
        vj[i] = -vj[i];
      }
    }
  }
  return info;
}

}  // namespace lrt::golden
