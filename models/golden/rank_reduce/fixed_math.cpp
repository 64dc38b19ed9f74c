#include "golden/rank_reduce/fixed_math.h"

#include <array>
#include <stdexcept>
#include <string>

namespace lrt::golden::fixmath {

namespace {

constexpr int64_t kLimit62 = int64_t{1} << 62;

[[noreturn]] void contract(const char* what) { contract_violation(what); }

}  // namespace

void contract_violation(const char* what) { throw std::logic_error(std::string("fixmath: ") + what); }

int block_exponent_candidate(const uint64_t* max_mag, const int* exps, int segments, int b) {
  bool any = false;
  int top = 0;
  for (int j = 0; j < segments; ++j) {
    if (max_mag[j] == 0) continue;
    const int t = exps[j] + bit_length(max_mag[j]);
    if (!any || t > top) top = t;
    any = true;
  }
  return any ? top - b : 0;
}

SqrtResult isqrt_floor(uint64_t v) {
  // Restoring digit-by-digit square root: bring down two radicand bits per step, try the
  // trial divisor 4 root + 1. rem < 2 root + 1 after every step, so rem stays below 2^34
  // and 4 rem + 3 never overflows.
  uint64_t root = 0;
  uint64_t rem = 0;
  for (int i = 31; i >= 0; --i) {
    rem = (rem << 2) | ((v >> (2 * i)) & 3u);
    const uint64_t trial = (root << 2) | 1u;
    const uint64_t fits = rem >= trial ? 1u : 0u;  // without a branch: the bits are data
    rem -= trial & (0 - fits);
    root = (root << 1) | fits;
  }
  return {root, rem};
}

uint64_t isqrt_round(uint64_t v) {
  // sqrt(v) >= root + 1/2  <=>  v >= root^2 + root + 1/4  <=>  remainder > root (integers).
  const SqrtResult s = isqrt_floor(v);
  return s.root + (s.remainder > s.root ? 1u : 0u);
}

uint64_t div_round(uint64_t num, uint64_t den, int frac_bits) {
  if (den == 0 || den >= (uint64_t{1} << 62)) contract("div_round divisor outside [1, 2^62)");
  if (frac_bits < 0 || frac_bits > 62) contract("div_round frac_bits outside [0, 62]");
  // Quotient bound: num * 2^(f+1) / den < 2^64  <=>  num < den * 2^(63 - f) (checked without overflow).
  if (bit_length(num) + frac_bits + 1 > bit_length(den) + 63) contract("div_round quotient exceeds 64 bits");
  // The restoring division of num 2^(f+1) by den, bit by bit as the RTL's divider does it,
  // is the exact integer quotient (below 2^64 by the check above): one 128-bit division.
  __extension__ typedef unsigned __int128 u128;
  const auto quot = static_cast<uint64_t>((static_cast<u128>(num) << (frac_bits + 1)) / den);
  // quot = floor(num 2^(f+1) / den); (quot + 1) >> 1 = floor(num 2^f / den + 1/2).
  return (quot >> 1) + (quot & 1u);
}

namespace {

// A CORDIC lane: the vector and the angle accumulator.
struct Lane {
  int64_t x = 0, y = 0, z = 0;
};

// atan2's set-up of (x, y): normalized to 31 bits and pre-rotated into the right half plane.
// (0, 0) is the caller's case (its angle is 0).
Lane vectoring_start(int64_t y, int64_t x) {
  if (magnitude(x) >= static_cast<uint64_t>(kLimit62) || magnitude(y) >= static_cast<uint64_t>(kLimit62))
    contract("cordic_atan2 operand beyond 62 bits");
  // Normalize so that max(|x|, |y|) has exactly 31 bits: full angular resolution whatever
  // the operands' magnitude; the angle of (x, y) is unchanged by a common scale.
  const uint64_t big = magnitude(x) > magnitude(y) ? magnitude(x) : magnitude(y);
  const int sh = 31 - bit_length(big);
  if (sh > 0) {
    x *= int64_t{1} << sh;
    y *= int64_t{1} << sh;
  } else if (sh < 0) {
    x >>= -sh;
    y >>= -sh;
  }
  int64_t z = 0;
  if (x < 0) {  // rotate into the right half plane; CORDIC converges for |angle| <= 99.9 degrees
    if (y >= 0) {
      const int64_t t = x;
      x = y;
      y = -t;
      z = kAngleHalfPi;
    } else {
      const int64_t t = x;
      x = -y;
      y = t;
      z = -kAngleHalfPi;
    }
  }
  return {x, y, z};
}

// N independent lanes through the 32 iterations, interleaved: each lane is a serial chain of
// shifts and adds, so two of them in one loop keep the core busy in each other's latency (the
// Jacobi rotation's two angles and its two (cos, sin) pairs; issue 23). Each lane's arithmetic
// is exactly the one-lane loop's. The direction is data: sign masks instead of branches
// (m = -1 negates: (v ^ m) - m).
// Vectoring drives y to 0: it rotates clockwise while y >= 0 (m = y's sign), |x|, |y| < 2^31 *
// sqrt(2) * K_32 < 2^33 throughout. Rotation drives z to 0: it rotates counter-clockwise while
// z >= 0, which is the same update with the opposite mask (negating by ~m is not negating by
// m), |z| <= pi / 4, well inside the CORDIC convergence range (sum of atan(2^-i) = 0.5549 pi).
enum class CordicMode { kVectoring, kRotation };
template <CordicMode kMode, size_t N>
void iterate(std::array<Lane, N>& v) {
  for (int i = 0; i < kCordicIterations; ++i)
    for (Lane& l : v) {
      const int64_t xs = l.x >> i;
      const int64_t ys = l.y >> i;
      const int64_t m = kMode == CordicMode::kVectoring ? l.y >> 63 : ~(l.z >> 63);
      l.x += (ys ^ m) - m;
      l.y -= (xs ^ m) - m;
      l.z += (kCordicAtan[i] ^ m) - m;
    }
}

// cos_sin's set-up: quadrant reduction to |z| <= pi/4 (k = nearest multiple of pi/2,
// floor((angle + pi/4) / (pi/2)), the angle's top bits); the start vector is rotated by k pi/2
// exactly.
Lane rotation_start(int64_t angle) {
  if (magnitude(angle) >= (uint64_t{1} << 40)) contract("cordic_cos_sin angle beyond 2^40");
  const int64_t k = (angle + kAngleHalfPi / 2) >> 31;
  Lane l;
  l.z = angle - k * kAngleHalfPi;
  switch (k & 3) {
    case 0:
      l.x = kCordicInvGainQ38;
      break;
    case 1:
      l.y = kCordicInvGainQ38;
      break;
    case 2:
      l.x = -kCordicInvGainQ38;
      break;
    default:
      l.y = -kCordicInvGainQ38;
      break;
  }
  return l;
}

CosSin rotation_result(const Lane& l) {
  constexpr int kGuard = 38 - kTrigFracBits;
  return {shift_round(l.x, kGuard), shift_round(l.y, kGuard)};
}

}  // namespace

int64_t cordic_atan2(int64_t y, int64_t x) {
  if (x == 0 && y == 0) return 0;
  std::array<Lane, 1> v{vectoring_start(y, x)};
  iterate<CordicMode::kVectoring>(v);
  return v[0].z;
}

std::array<int64_t, 2> cordic_atan2_pair(int64_t y0, int64_t x0, int64_t y1, int64_t x1) {
  const bool zero0 = x0 == 0 && y0 == 0, zero1 = x1 == 0 && y1 == 0;
  std::array<Lane, 2> v{zero0 ? Lane{} : vectoring_start(y0, x0), zero1 ? Lane{} : vectoring_start(y1, x1)};
  iterate<CordicMode::kVectoring>(v);
  return {zero0 ? 0 : v[0].z, zero1 ? 0 : v[1].z};
}

CosSin cordic_cos_sin(int64_t angle) {
  std::array<Lane, 1> v{rotation_start(angle)};
  iterate<CordicMode::kRotation>(v);
  return rotation_result(v[0]);
}

std::array<CosSin, 2> cordic_cos_sin_pair(int64_t angle0, int64_t angle1) {
  std::array<Lane, 2> v{rotation_start(angle0), rotation_start(angle1)};
  iterate<CordicMode::kRotation>(v);
  return {rotation_result(v[0]), rotation_result(v[1])};
}

}  // namespace lrt::golden::fixmath
