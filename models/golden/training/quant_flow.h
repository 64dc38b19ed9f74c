#pragma once
// The quantization points of the golden engine's signal flow (Appendix C, Fig. 8), as
// integer kernels. Every quantizer is fx::requantize with Rounding::kNearest (ties toward
// +inf) followed by saturation; the inline fast paths below compute exactly that for the
// shift-only conversions the datapath needs (tests check them against fx::requantize).
// Specification: docs/golden_engine.md, "Signal flow".

#include <cstdint>

#include "core/fixed_point.h"

namespace lrt::golden {

/// @brief Exponent e of the per-layer scale alpha = 2^e: the power of two closest to the
/// He-initialization scale sqrt(2 / fan_in) (closest on the linear axis; no ties occur
/// for integer fan_in).
int alpha_exponent(int fan_in);
/// @brief The authors' layer scale (lr/layers.py WeightModule `wmult`): the exponent e of
/// 2^floor(log2 sqrt(3 nlvar / fan_in)), nlvar = 2 when a ReLU follows, else 1. Throws
/// std::invalid_argument for fan_in < 1 or nlvar other than 1, 2.
int alpha_exponent_authors(int fan_in, int nlvar);

/// @brief round-to-nearest(v * 2^-shift), ties toward +inf; shift < 0 is an exact left
/// shift. Requires |v| < 2^61; |shift| is clamped to 62 (left shifts to 32), which
/// changes no result that then saturates to a format of at most 32 bits.
inline int64_t round_shift(int64_t v, int shift) {
  if (shift > 0) {
    if (shift > 62) shift = 62;
    // Arithmetic right shift = floor (GCC/Clang, and C++20); adding half an LSB first
    // rounds to nearest with ties toward +inf, as fx::Rounding::kNearest.
    return (v + (int64_t{1} << (shift - 1))) >> shift;
  }
  if (shift < 0) {
    const int k = -shift > 32 ? 32 : -shift;
    return v * (int64_t{1} << k);  // |v| < 2^31 whenever this matters; see callers
  }
  return v;
}

/// @brief Clamps v to [lo, hi].
inline int64_t saturate(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/// @brief A shift-and-saturate quantizer: code = sat(round_shift(v, shift)) into `dst`.
struct ShiftQuantizer {
  int shift = 0;
  int64_t lo = 0;
  int64_t hi = 0;

  /// v holds a value with `src_frac` fractional bits; dst is the target format.
  static ShiftQuantizer make(int src_frac, const fx::Format& dst) {
    return ShiftQuantizer{src_frac - dst.frac_bits, dst.min_code(), dst.max_code()};
  }
  int64_t operator()(int64_t v) const { return saturate(round_shift(v, shift), lo, hi); }
  /// Same, and reports whether the result was clipped (the STE passes no gradient there).
  int64_t operator()(int64_t v, bool* clipped) const {
    const int64_t r = round_shift(v, shift);
    *clipped = r < lo || r > hi;
    return saturate(r, lo, hi);
  }
};

}  // namespace lrt::golden
