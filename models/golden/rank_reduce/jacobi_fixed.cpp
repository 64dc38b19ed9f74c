#include "golden/rank_reduce/jacobi_fixed.h"

#include <stdexcept>
#include <string>

#include "golden/rank_reduce/fixed_math.h"

namespace lrt::golden {

namespace {

using fixmath::CosSin;
using fixmath::kTrigFracBits;
using fixmath::shift_round;

constexpr int64_t kOne = int64_t{1} << kTrigFracBits;

// (a, b) <- (c a - s b, s a + c b), rounded to the operands' scale. |c|, |s| <= 2^30 (1 + 2^-29)
// and |a|, |b| < 2^31, so each product sum stays below 2^62.
inline void rotate_pair(int64_t& a, int64_t& b, const CosSin& cs) {
  const int64_t a0 = a;
  const int64_t b0 = b;
  a = shift_round(cs.c * a0 - cs.s * b0, kTrigFracBits);
  b = shift_round(cs.s * a0 + cs.c * b0, kTrigFracBits);
}

}  // namespace

JacobiAngles jacobi_fixed_angles(int64_t w, int64_t x, int64_t y, int64_t z) {
  // B = A + R with A = ((a, b); (-b, a)) a scaled rotation and R = ((c, d); (d, -c)) a scaled
  // reflection; J(alpha)^T A J(beta) = rho_A J(phi_A + beta - alpha) and
  // J(alpha)^T R J(beta) = rho_B Refl(phi_B + alpha + beta), both diagonal when
  // beta - alpha = -phi_A and beta + alpha = -phi_B (docs §4.1).
  const auto [sum, diff] = fixmath::cordic_atan2_pair(-(x + y), w - z,  // -phi_B
                                                      y - x, w + z);    // -phi_A
  return {(sum - diff) >> 1, (sum + diff) >> 1};
}

void jacobi_svd_fixed(int n, const int32_t* c, JacobiFixedResult& out, int sweeps) {
  if (n < 1 || n > kJacobiFixedMaxOrder)
    throw std::invalid_argument("jacobi_svd_fixed: order " + std::to_string(n) + " outside [1, 9]");
  constexpr int64_t kMaxIn = int64_t{1} << kJacobiFixedInputBits;
  int64_t a[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  int64_t u[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  int64_t v[kJacobiFixedMaxOrder * kJacobiFixedMaxOrder];
  for (int i = 0; i < n * n; ++i) {
    if (c[i] > kMaxIn || c[i] < -kMaxIn) throw std::invalid_argument("jacobi_svd_fixed: |C_ij| > 2^26");
    a[i] = c[i];
    u[i] = 0;
    v[i] = 0;
  }
  for (int i = 0; i < n; ++i) {
    u[i * n + i] = kOne;
    v[i * n + i] = kOne;
  }
  auto at = [n](int64_t* m, int row, int col) -> int64_t& { return m[col * n + row]; };
  out.rotations = 0;

  for (int sweep = 0; sweep < sweeps; ++sweep) {
    for (int p = 0; p + 1 < n; ++p) {
      for (int k = p + 1; k < n; ++k) {
        const int64_t x = at(a, p, k);
        const int64_t y = at(a, k, p);
        if (x == 0 && y == 0) continue;  // already diagonal: no rotation, no rounding
        ++out.rotations;
        const JacobiAngles ang = jacobi_fixed_angles(at(a, p, p), x, y, at(a, k, k));
        const auto [left, right] = fixmath::cordic_cos_sin_pair(ang.alpha, ang.beta);
        for (int j = 0; j < n; ++j) rotate_pair(at(a, p, j), at(a, k, j), left);   // rows: J(alpha)^T A
        for (int i = 0; i < n; ++i) rotate_pair(at(a, i, p), at(a, i, k), right);  // columns: A J(beta)
        at(a, p, k) = 0;  // what is left is rounding and angle quantization, below an LSB or two
        at(a, k, p) = 0;
        for (int i = 0; i < n; ++i) rotate_pair(at(u, i, p), at(u, i, k), left);
        for (int i = 0; i < n; ++i) rotate_pair(at(v, i, p), at(v, i, k), right);
      }
    }
  }

  // Non-negative singular values: a negative diagonal entry flips its U column.
  int64_t sigma[kJacobiFixedMaxOrder];
  for (int i = 0; i < n; ++i) {
    sigma[i] = at(a, i, i);
    if (sigma[i] < 0) {
      sigma[i] = -sigma[i];
      for (int row = 0; row < n; ++row) at(u, row, i) = -at(u, row, i);
    }
  }
  // Order: sigma descending, ties by diagonal position (a total order, so any sorting
  // network produces the same permutation). Selection sort over <= 9 entries.
  int order[kJacobiFixedMaxOrder];
  bool taken[kJacobiFixedMaxOrder] = {};
  for (int t = 0; t < n; ++t) {
    int best = -1;
    for (int i = 0; i < n; ++i)
      if (!taken[i] && (best < 0 || sigma[i] > sigma[best])) best = i;
    taken[best] = true;
    order[t] = best;
  }
  out.n = n;
  out.sigma.fill(0);
  out.u.fill(0);
  out.v.fill(0);
  for (int t = 0; t < n; ++t) {
    const int src = order[t];
    // Sign convention: the largest |U| entry of the column (ties: lowest row) is positive.
    int pivot = 0;
    for (int row = 1; row < n; ++row)
      if (fixmath::magnitude(at(u, row, src)) > fixmath::magnitude(at(u, pivot, src))) pivot = row;
    const int64_t sign = at(u, pivot, src) < 0 ? -1 : 1;
    out.sigma[t] = sigma[src];
    for (int row = 0; row < n; ++row) {
      out.u[t * n + row] = static_cast<int32_t>(sign * at(u, row, src));
      out.v[t * n + row] = static_cast<int32_t>(sign * at(v, row, src));
    }
  }
}

}  // namespace lrt::golden
