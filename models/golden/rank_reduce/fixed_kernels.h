#pragma once
// The long loops of the fixed-point rankReduce (rank_reduce_fixed.cpp) over a column of n
// elements: the Gram-Schmidt dot product and subtraction, the residual's normalization, the
// basis update's multiply-accumulate and the requantization of a column to 16-bit codes.
// Each is exact integer arithmetic (docs/fixed_point_rank_reduce.md §3, §4.10), so the result
// does not depend on the order of the sums: with AVX2 (the default -march=x86-64-v3) four
// 64-bit lanes at a time, otherwise a plain loop; test_fixed_kernels.cpp checks both against
// the element-by-element definition, edge values included.
//
// AVX2 has no 64-bit arithmetic right shift; round_half_up(v 2^-s) for |v| < 2^62 is computed
// as a logical shift of v + 2^(s-1) + 2^63 (non-negative as an unsigned number) minus 2^(63-s).

#include <cstdint>

namespace lrt::golden::fixkern {

/// @brief sum_i q[i] * w[i], exact (|sum| < 2^63 is the caller's bound: n 2^15 2^31 for n <= 2^14).
int64_t dot(const int16_t* q, const int32_t* w, int n);

/// @brief w[i] <- clamp(w[i] - round_half_up(m q[i] 2^-t), +-(2^31 - 1)) for every i; returns
/// the number of clamped elements. Requires 1 <= t <= 62 and |m q[i]| < 2^62 (vectorized for
/// |m| < 2^31).
uint64_t subtract_scaled(int32_t* w, const int16_t* q, int64_t m, int t, int n);

/// @brief max |round_half_up(m q 2^-t)| over |q| <= q_max (1 <= t <= 62, |m| q_max < 2^62):
/// the most one subtract_scaled step can move an element.
uint64_t scaled_bound(int64_t m, uint16_t q_max, int t);

/// @brief subtract_scaled for any t (outside 1..62 element by element) and |m| q_max < 2^62,
/// where q_max >= max_i |q[i]| and `w_bound` >= max_i |w[i]|, which it keeps an upper bound.
/// While the bound leaves room for the step's largest move no element can clamp: then the
/// subtraction runs in 32-bit lanes, twice as fast as the checked one.
uint64_t subtract_scaled_bounded(int32_t* w, const int16_t* q, uint16_t q_max, int64_t m, int t, int n,
                                 uint64_t& w_bound);

/// @brief sum_i x[i]^2 (< 2^44 for n <= 2^14), exact; also w[i] = x[i] * 2^guard (guard <= 15).
uint64_t square_and_widen(const int16_t* x, int guard, int32_t* w, int n);

/// @brief max_i |w[i]| as unsigned.
uint64_t max_magnitude(const int32_t* w, int n);

/// @brief v[i] = round_half_up(w[i] 2^-s) (s > 0) or w[i] 2^-s (-31 <= s <= 0); returns
/// sum_i v[i]^2, which the caller bounds below 2^63 (max |v| < 2^25, n <= 2^14).
uint64_t shift_and_square(const int32_t* w, int s, int64_t* v, int n);

/// @brief v[i] *= m for every i; returns max_i |v[i]| after it (0 for n = 0). Requires
/// |v[i]| < 2^31 and 0 <= m <= 2^31.
uint64_t scale(int64_t* v, int64_t m, int n);

/// @brief acc[i] = sum_k q[k][i] * m[k] over k < count (0 <= count <= 9) for every i, the
/// columns combined in one pass (no overflow: the caller's bound; vectorized for |m[k]| < 2^31).
void combine_columns(int64_t* acc, const int16_t* const* q, const int64_t* m, int count, int n);

/// @brief max_i |p[i]| (n >= 1, |p[i]| < 2^63); `rises` grows by the number of times a running
/// maximum from p[0] on changes: 1 for p[0], then 1 for each element above all before it.
uint64_t running_max(const int64_t* p, int n, int64_t& rises);

/// @brief out[i] = round_half_up(p[i] 2^-s), which the caller guarantees fits in int16;
/// returns max_i |out[i]|. Requires 1 <= s <= 62 and |p[i]| < 2^62.
uint16_t round_to_codes(const int64_t* p, int s, int16_t* out, int n);

}  // namespace lrt::golden::fixkern
