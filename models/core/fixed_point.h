#pragma once
// Bit-accurate fixed-point formats, quantizers, products and accumulators: the integer
// arithmetic the accelerator performs. Full specification: docs/fixed_point.md.
//
// A code c of a Format stands for c * 2^-frac_bits (or (c + 1/2) * 2^-frac_bits in
// mid-rise mode). Every conversion between formats is integer arithmetic on the codes;
// doubles enter only at quantize(double), which first splits the double exactly into an
// integer significand and a power of two. Rounding never depends on floating-point
// rounding, so results are identical on every platform and match the RTL bit for bit.
//
// No signed overflow is possible: codes are at most 32 bits (33 in mid-rise form), shifts
// are done on 128-bit intermediates after clamping the shift distance, and products and
// accumulators saturate with overflow checked by __builtin_*_overflow.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/rng.h"

namespace lrt::fx {

/// @brief How a value between two representable levels becomes a code.
enum class Rounding : uint8_t {
  kNearest,     ///< nearest level, ties toward +inf (= SystemC SC_RND: add half an LSB, floor)
  kTruncate,    ///< largest level <= value, i.e. toward -inf (= SystemC SC_TRN)
  kStochastic,  ///< add 32 random bits below the LSB, then truncate (unbiased; see docs)
};

/// @brief "nearest", "truncate" or "stochastic".
const char* to_string(Rounding mode);
/// @brief Inverse of to_string(Rounding); throws std::invalid_argument on other names.
Rounding parse_rounding(std::string_view name);

/// @brief Saturation statistics supplied by the caller: how many conversions clipped.
struct ClipCounter {
  uint64_t clipped = 0;  ///< results that were saturated to the end of the code range
  uint64_t total = 0;    ///< all counted results

  double rate() const { return total == 0 ? 0.0 : static_cast<double>(clipped) / static_cast<double>(total); }
  ClipCounter& operator+=(const ClipCounter& o) {
    clipped += o.clipped;
    total += o.total;
    return *this;
  }
};

inline constexpr int kMaxBits = 32;
/// Bound on |frac_bits|: far beyond any useful scale, and it keeps code -> double exact
/// (no overflow, no subnormals).
inline constexpr int kMaxFracBits = 256;

/// @brief A runtime fixed-point format (bit widths come from the configuration).
struct Format {
  int bits = 8;           ///< word length, 1..32
  bool is_signed = true;  ///< two's complement codes [-2^(bits-1), 2^(bits-1)-1], else [0, 2^bits-1]
  int frac_bits = 7;      ///< LSB = 2^-frac_bits; may be negative or exceed bits
  bool mid_rise = false;  ///< code c stands for (c + 1/2) * LSB instead of c * LSB

  /// @brief Signed, value range [-r, r) with r = 2^range_exp (per-tensor-fixed-point-backprop
  /// §2.1): LSB = r * 2^-(bits-1). Validated.
  static Format signed_range(int bits, int range_exp, bool mid_rise = false);
  /// @brief Unsigned, value range [0, r) with r = 2^range_exp: LSB = r * 2^-bits. Validated.
  static Format unsigned_range(int bits, int range_exp, bool mid_rise = false);
  /// @brief Explicit LSB exponent. Validated.
  static Format with_frac(int bits, bool is_signed, int frac_bits, bool mid_rise = false);

  /// @brief Throws std::invalid_argument unless 1 <= bits <= 32 and |frac_bits| <= kMaxFracBits.
  void validate() const;

  int64_t min_code() const { return is_signed ? -(int64_t{1} << (bits - 1)) : 0; }
  int64_t max_code() const { return is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1; }
  /// Integer bits in SystemC's sense (sc_fix iwl): bits - frac_bits.
  int integer_bits() const { return bits - frac_bits; }
  /// "s8f7", "u8f8", "s1f0m" (m = mid-rise).
  std::string to_string() const;

  bool operator==(const Format& o) const {
    return bits == o.bits && is_signed == o.is_signed && frac_bits == o.frac_bits && mid_rise == o.mid_rise;
  }
  bool operator!=(const Format& o) const { return !(*this == o); }
};

/// @brief An exact wide value: value * 2^-frac. Products and accumulator contents.
struct Wide {
  int64_t value = 0;
  int frac = 0;
};

namespace detail {
__extension__ typedef __int128 i128;

[[noreturn]] void throw_nan();
[[noreturn]] void throw_lossy_alignment(int from_frac, int to_frac);

/// 2^e for -1022 <= e <= 1023, built from its bit pattern (exact, no libm call).
inline double pow2(int e) {
  const uint64_t bits = static_cast<uint64_t>(e + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

/// Saturates r to dst's code range, counting the result in clips (if given).
inline int64_t saturate(i128 r, const Format& dst, ClipCounter* clips) {
  const int64_t lo = dst.min_code();
  const int64_t hi = dst.max_code();
  int64_t out;
  bool clipped = true;
  if (r > hi) {
    out = hi;
  } else if (r < lo) {
    out = lo;
  } else {
    out = static_cast<int64_t>(r);
    clipped = false;
  }
  if (clips != nullptr) {
    clips->total += 1;
    clips->clipped += clipped ? 1 : 0;
  }
  return out;
}
}  // namespace detail

/// @brief The exact value of a code as a Wide (mid-rise code c becomes 2c+1 with one more
/// fractional bit). The code must lie in fmt's range.
inline Wide to_wide(int64_t code, const Format& fmt) {
  if (fmt.mid_rise) return {2 * code + 1, fmt.frac_bits + 1};
  return {code, fmt.frac_bits};
}

/// @brief Rounds value * 2^-frac to a code of dst, then saturates to dst's range.
///
/// Integer arithmetic only. random_bits is used only by Rounding::kStochastic (pass 0
/// otherwise): its bit 31 weighs LSB/2, bit 0 weighs LSB * 2^-32; bits of the value more
/// than 32 places below the destination LSB are ignored (bias <= 2^-32 LSB, toward -inf).
inline int64_t requantize(Wide v, const Format& dst, Rounding mode, uint32_t random_bits,
                          ClipCounter* clips) {
  using detail::i128;
  // Bits dropped: value * 2^-frac = (value * 2^-k) * 2^-dst.frac_bits.
  int64_t k = int64_t{v.frac} - dst.frac_bits;
  // Clamp the shift so every intermediate fits in 128 bits without changing the result:
  // for k >= 96, |value| * 2^(32-k) < 1, so q and the 32 bits below the LSB are already
  // those of k = 96; for k <= -40 a nonzero value saturates any <= 32-bit range anyway.
  if (k > 96) k = 96;
  if (k < -40) k = -40;
  i128 q;          // floor(value * 2^-k)
  uint32_t below;  // the 32 bits right below q's LSB: floor(frac(value * 2^-k) * 2^32)
  if (k <= 0) {
    q = static_cast<i128>(v.value) * (static_cast<i128>(1) << -k);
    below = 0;
  } else {
    // |value * 2^32| < 2^95; >> on a negative i128 is an arithmetic shift (floor) in GCC
    // and Clang (and C++20).
    const i128 g = (static_cast<i128>(v.value) * (static_cast<i128>(1) << 32)) >> k;
    q = g >> 32;
    below = static_cast<uint32_t>(static_cast<uint64_t>(g) & 0xFFFFFFFFu);
  }
  // Mid-rise: code c stands for (c + 1/2) LSB, so the level index is w = q + phi - 1/2 where
  // phi = below * 2^-32. floor(w) = q - 1 + [phi >= 1/2]; frac(w) = phi -/+ 1/2.
  i128 r = q;
  switch (mode) {
    case Rounding::kNearest:
      // Standard: floor(q + phi + 1/2). Mid-rise: floor(w + 1/2) = q.
      r = dst.mid_rise ? q : q + (below >> 31);
      break;
    case Rounding::kTruncate:
      r = dst.mid_rise ? q - 1 + (below >> 31) : q;
      break;
    case Rounding::kStochastic: {
      const uint32_t frac32 = dst.mid_rise ? (below ^ 0x80000000u) : below;
      const i128 floor_w = dst.mid_rise ? q - 1 + (below >> 31) : q;
      const uint64_t carry = (uint64_t{frac32} + random_bits) >> 32;
      r = floor_w + static_cast<i128>(carry);
      break;
    }
  }
  return detail::saturate(r, dst, clips);
}

/// @brief Converts a code of src to a code of dst (rounding + saturation, integer only).
inline int64_t requantize(int64_t code, const Format& src, const Format& dst, Rounding mode,
                          uint32_t random_bits, ClipCounter* clips) {
  return requantize(to_wide(code, src), dst, mode, random_bits, clips);
}

/// @brief Splits a finite double exactly into value * 2^-frac (value < 2^53 in magnitude).
/// NaN throws std::domain_error; +-Inf returns {+-1, -2000}, which saturates every format.
inline Wide exact_wide(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int exp_field = static_cast<int>((bits >> 52) & 0x7FF);
  const uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
  const bool negative = (bits >> 63) != 0;
  if (exp_field == 0x7FF) {
    if (mant != 0) detail::throw_nan();
    return {negative ? -1 : 1, -2000};  // 2^2000: beyond every format, so it saturates
  }
  // Normal: (2^52 + mant) * 2^(exp_field - 1075); subnormal: mant * 2^-1074.
  const int64_t m = static_cast<int64_t>(exp_field == 0 ? mant : (mant | (uint64_t{1} << 52)));
  const int frac = exp_field == 0 ? 1074 : 1075 - exp_field;
  return {negative ? -m : m, frac};
}

/// @brief Quantizes a double to a code of dst. Exact: the double is split into its integer
/// significand and exponent and then rounded with integer ops, so there is no double rounding.
/// NaN throws std::domain_error; +-Inf saturates (and counts as clipped).
inline int64_t quantize(double x, const Format& dst, Rounding mode, uint32_t random_bits,
                        ClipCounter* clips) {
  return requantize(exact_wide(x), dst, mode, random_bits, clips);
}

/// @brief x (finite) rounded to the nearest integer, ties toward +inf, as a double. Exact,
/// unlike floor(x + 0.5), which rounds 0.49999999999999994 up to 1: x - floor(x) is exact
/// except for x in (-1/2, 0), where it may round up but never below 1/2, the same decision. The
/// one is added rather than branched on: whether a value rounds up is a coin flip no branch
/// predictor learns (drift and the LRT update round millions of values; issue 23).
inline double round_half_up(double x) {
  const double f = std::floor(x);
  return f + static_cast<double>(x - f >= 0.5);
}

/// @brief The exact value of a code (formats with |frac_bits| <= kMaxFracBits are exact).
inline double to_double(int64_t code, const Format& fmt) {
  const Wide w = to_wide(code, fmt);
  return static_cast<double>(w.value) * detail::pow2(-w.frac);
}

/// @brief value * 2^-frac, rounded to the nearest double when |value| > 2^53.
/// Requires |frac| <= 1022.
inline double to_double(Wide w) { return static_cast<double>(w.value) * detail::pow2(-w.frac); }

/// @brief Exact product of two Wides (fractional bits add; each |frac| must stay below 2^30).
/// Saturates to the int64 range, counted in clips, which only products wider than 63 bits
/// can reach.
inline Wide multiply(Wide a, Wide b, ClipCounter* clips = nullptr) {
  int64_t p;
  const bool overflow = __builtin_mul_overflow(a.value, b.value, &p);
  if (overflow) p = ((a.value < 0) != (b.value < 0)) ? INT64_MIN : INT64_MAX;
  if (clips != nullptr) {
    clips->total += 1;
    clips->clipped += overflow ? 1 : 0;
  }
  return {p, a.frac + b.frac};
}

/// @brief Exact product of two codes: a b1-bit by a b2-bit code needs b1+b2 bits (signed), so
/// every pair of formats is exact except unsigned 32 x unsigned 32 (and mid-rise 32-bit
/// operands) above 2^63 - 1, which saturates.
inline Wide multiply(int64_t a, const Format& fa, int64_t b, const Format& fb, ClipCounter* clips = nullptr) {
  return multiply(to_wide(a, fa), to_wide(b, fb), clips);
}

/// @brief A two's complement accumulator of an explicit width (2..64 bits) with a fixed
/// number of fractional bits. Every add saturates to the width (as a hardware saturating
/// adder does, so the result depends on the order of adds) and is counted in clips().
class Accumulator {
 public:
  /// Throws std::invalid_argument unless 2 <= bits <= 64 and |frac_bits| <= 2 * kMaxFracBits + 2.
  Accumulator(int bits, int frac_bits);

  /// @brief Adds v. v.frac must be <= frac_bits() (aligned by an exact left shift, saturating);
  /// a lossy alignment (v.frac > frac_bits()) throws std::invalid_argument: requantize first.
  void add(Wide v) {
    if (v.frac > frac_) detail::throw_lossy_alignment(v.frac, frac_);
    const int64_t shift = int64_t{frac_} - v.frac;  // int64: no overflow for any v.frac
    int64_t aligned = v.value;
    bool clipped = false;
    if (shift > 0 && v.value != 0) {
      // A shift of 63 or more moves any nonzero value past the int64 range.
      if (shift >= 63 || __builtin_mul_overflow(v.value, int64_t{1} << shift, &aligned)) {
        aligned = v.value < 0 ? INT64_MIN : INT64_MAX;
        clipped = true;
      }
    }
    add_aligned(aligned, clipped);
  }
  /// @brief Adds a value that already has frac_bits() fractional bits.
  void add_raw(int64_t v) { add_aligned(v, false); }
  /// @brief Adds the exact product of two codes (see multiply()); a product beyond int64
  /// saturates the accumulator and counts as one clipped add.
  void mac(int64_t a, const Format& fa, int64_t b, const Format& fb) {
    const Wide wa = to_wide(a, fa);
    const Wide wb = to_wide(b, fb);
    const int frac = wa.frac + wb.frac;
    if (frac > frac_) detail::throw_lossy_alignment(frac, frac_);
    int64_t p;
    if (__builtin_mul_overflow(wa.value, wb.value, &p)) {
      add_aligned((wa.value < 0) != (wb.value < 0) ? INT64_MIN : INT64_MAX, true);
    } else {
      add({p, frac});
    }
  }

  int64_t raw() const { return acc_; }
  Wide wide() const { return {acc_, frac_}; }
  int bits() const { return bits_; }
  int frac_bits() const { return frac_; }
  int64_t min_raw() const { return lo_; }
  int64_t max_raw() const { return hi_; }
  const ClipCounter& clips() const { return clips_; }
  void reset() { acc_ = 0; }
  void reset_clips() { clips_ = {}; }

 private:
  void add_aligned(int64_t v, bool already_clipped) {
    int64_t sum;
    bool clipped = already_clipped;
    if (__builtin_add_overflow(acc_, v, &sum)) {  // only a 64-bit accumulator can end up here
      sum = v < 0 ? INT64_MIN : INT64_MAX;
      clipped = true;
    }
    if (sum > hi_) {
      sum = hi_;
      clipped = true;
    } else if (sum < lo_) {
      sum = lo_;
      clipped = true;
    }
    acc_ = sum;
    clips_.total += 1;
    clips_.clipped += clipped ? 1 : 0;
  }

  int bits_;
  int frac_;
  int64_t lo_;
  int64_t hi_;
  int64_t acc_ = 0;
  ClipCounter clips_;
};

/// @brief A format, a rounding mode and (for stochastic rounding) a random stream bound
/// together, with its own clip counter. Stochastic mode draws exactly one RngCursor::bits32()
/// per conversion; the deterministic modes draw nothing.
class Quantizer {
 public:
  /// @brief Deterministic rounding only: throws std::invalid_argument for kStochastic
  /// (no random stream given).
  Quantizer(Format dst, Rounding mode);
  /// @brief Any rounding mode; rng supplies stochastic rounding's random bits.
  Quantizer(Format dst, Rounding mode, RngCursor rng);

  int64_t quantize(double x) { return fx::quantize(x, dst_, mode_, draw(), &clips_); }
  int64_t requantize(int64_t code, const Format& src) {
    return fx::requantize(code, src, dst_, mode_, draw(), &clips_);
  }
  int64_t requantize(Wide v) { return fx::requantize(v, dst_, mode_, draw(), &clips_); }
  double to_double(int64_t code) const { return fx::to_double(code, dst_); }
  /// The value x is stored as (quantize, then back to double).
  double round_trip(double x) { return to_double(quantize(x)); }

  const Format& format() const { return dst_; }
  Rounding rounding() const { return mode_; }
  const ClipCounter& clips() const { return clips_; }
  void reset_clips() { clips_ = {}; }
  /// The random stream's position, for checkpoints.
  const RngCursor& rng() const { return rng_; }

 private:
  uint32_t draw() { return mode_ == Rounding::kStochastic ? rng_.bits32() : 0; }

  Format dst_;
  Rounding mode_;
  RngCursor rng_;
  ClipCounter clips_;
};

}  // namespace lrt::fx
