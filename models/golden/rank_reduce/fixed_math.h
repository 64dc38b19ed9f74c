#pragma once
// Integer primitives of the fixed-point rankReduce datapath (docs/fixed_point_rank_reduce.md
// §2): rounding shifts, saturation, block exponents, digit-by-digit square root, restoring
// division and CORDIC. Every function is a pure function of its integer arguments with a
// fixed, data-independent iteration count, so the RTL reproduces it bit for bit.
//
// Rounding everywhere is "half up": floor(x + 1/2), i.e. add half an LSB, then an arithmetic
// (flooring) right shift. Signed right shifts of negative values rely on GCC/Clang's
// arithmetic shift (implementation-defined in C++17, checked by a static_assert below);
// left shifts of signed values are written as multiplications (UB-free).

#include <array>
#include <cstdint>

namespace lrt::golden::fixmath {

static_assert((int64_t{-5} >> 1) == -3, "arithmetic right shift of negative values required");

// ---- Shifts, saturation, block exponents ---------------------------------------------------

/// @brief Number of significant bits of v (0 for v == 0): the position of the leading one + 1.
inline int bit_length(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

/// @brief |v| as unsigned (also for INT64_MIN).
inline uint64_t magnitude(int64_t v) {
  return v < 0 ? 0u - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

/// Throws std::logic_error naming the violated contract (out of line: the callers are hot).
[[noreturn]] void contract_violation(const char* what);

/// @brief round_half_up(v * 2^-s): for s > 0 a rounding arithmetic right shift; for s <= 0 the
/// exact product v * 2^-s. Contract (checked, std::logic_error): |v| < 2^62, and for s < 0 the
/// result fits in 62 bits. Shifts s >= 63 give 0 (|v| < 2^62 makes |v 2^-s| < 1/2).
inline int64_t shift_round(int64_t v, int s) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  if (v <= -kLimit || v >= kLimit) contract_violation("shift_round operand beyond 62 bits");
  if (s > 0) return s >= 63 ? 0 : (v + (int64_t{1} << (s - 1))) >> s;
  if (s == 0) return v;
  if (s < -62 || bit_length(magnitude(v)) - s > 62)
    contract_violation("shift_round left shift overflows 62 bits");
  return v * (int64_t{1} << -s);
}

/// @brief Clamps v to [-(2^31 - 1), 2^31 - 1] (symmetric: -2^31 is never produced), counting a clip.
inline int32_t saturate_int32(int64_t v, uint64_t& saturations) {
  constexpr int64_t kMax = (int64_t{1} << 31) - 1;
  if (v > kMax || v < -kMax) {
    ++saturations;
    return static_cast<int32_t>(v > 0 ? kMax : -kMax);
  }
  return static_cast<int32_t>(v);
}

/// @brief The smallest exponent E such that every value m_j * 2^(e_j) of a block rounds
/// (half up) to a code of magnitude <= limit when expressed as code * 2^E.
/// Inputs per block segment j: max_mag[j] = max |m| of the segment and its exponent e[j].
/// Segments with max_mag 0 are ignored; an all-zero block returns 0. limit = 2^b - 1, b >= 2.
/// The result is E0 or E0 + 1 with E0 = max_j (e_j + bit_length(max_mag_j)) - b; E0 + 1 only
/// when rounding carries the largest magnitude up to 2^b (the caller detects and retries
/// through block_exponent_fits()).
int block_exponent_candidate(const uint64_t* max_mag, const int* exps, int segments, int b);

// ---- Square root -------------------------------------------------------------------------------

/// @brief floor(sqrt(v)) and the remainder v - root^2, by the restoring digit-by-digit
/// recurrence: 32 iterations, one result bit each (docs §2.3).
struct SqrtResult {
  uint64_t root = 0;
  uint64_t remainder = 0;
};
SqrtResult isqrt_floor(uint64_t v);

/// @brief round_half_up(sqrt(v)) = root + (remainder > root): ties cannot occur.
uint64_t isqrt_round(uint64_t v);

// ---- Division ------------------------------------------------------------------------------------

/// @brief round_half_up(num * 2^frac_bits / den) by restoring division: the 64 bits of num,
/// then frac_bits + 1 zero bits, one quotient bit per step (a fixed 65 + frac_bits steps), and
/// a final (q + 1) >> 1. Contract (std::logic_error): den >= 1, den < 2^62, 0 <= frac_bits <= 62
/// and the quotient num * 2^(frac_bits + 1) / den < 2^64.
uint64_t div_round(uint64_t num, uint64_t den, int frac_bits);

// ---- CORDIC ------------------------------------------------------------------------------------------

/// Angles are binary: one LSB is pi / 2^32, so pi/2 = 2^31 and pi = 2^32 (34-bit signed range).
inline constexpr int64_t kAngleHalfPi = int64_t{1} << 31;
inline constexpr int kCordicIterations = 32;
/// round(atan(2^-i) / pi * 2^32), i = 0..31 (computed with 60-digit arithmetic).
inline constexpr std::array<int64_t, kCordicIterations> kCordicAtan = {
    1073741824, 633866811, 334917815, 170009512, 85334662, 42708931, 21359677, 10680490,
    5340327,    2670173,   1335088,   667544,    333772,   166886,   83443,    41722,
    20861,      10430,     5215,      2608,      1304,     652,      326,      163,
    81,         41,        20,        10,        5,        3,        1,        1};
/// round(2^38 / K_32), K_32 = prod_{i<32} sqrt(1 + 2^-2i) = 1.646760258121065648...: the start
/// vector of cordic_cos_sin, which pre-compensates the CORDIC gain.
inline constexpr int64_t kCordicInvGainQ38 = 166920415761;
/// Unit of cos/sin results: Q2.30 (1.0 = 2^30).
inline constexpr int kTrigFracBits = 30;

/// @brief atan2(y, x) in binary-angle units (pi = 2^32), result in about [-2^32, 2^32].
/// (0, 0) gives 0. Vectoring-mode CORDIC on the operands normalized (exact left shift, or
/// flooring right shift when |operand| >= 2^31) so that max(|x|, |y|) has 31 bits; a
/// +-pi/2 pre-rotation when x < 0; 32 iterations. Contract: |x|, |y| < 2^62.
int64_t cordic_atan2(int64_t y, int64_t x);

/// @brief (cos, sin) of a binary angle in Q2.30. Quadrant reduction to |z| <= pi/4 (the start
/// vector (kCordicInvGainQ38, 0), 8 guard bits, rotated by the nearest multiple of pi/2
/// exactly), rotation-mode CORDIC with 32 iterations, then a rounding shift by 8.
/// Contract: |angle| < 2^40.
struct CosSin {
  int64_t c = 0;
  int64_t s = 0;
};
CosSin cordic_cos_sin(int64_t angle);

/// @brief {cordic_atan2(y0, x0), cordic_atan2(y1, x1)}, the two computed side by side (the same
/// values; two independent chains in one loop run faster on the host).
std::array<int64_t, 2> cordic_atan2_pair(int64_t y0, int64_t x0, int64_t y1, int64_t x1);
/// @brief {cordic_cos_sin(angle0), cordic_cos_sin(angle1)}, side by side (the same values).
std::array<CosSin, 2> cordic_cos_sin_pair(int64_t angle0, int64_t angle1);

}  // namespace lrt::golden::fixmath
