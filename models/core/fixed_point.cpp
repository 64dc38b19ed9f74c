#include "core/fixed_point.h"

#include <stdexcept>

namespace lrt::fx {

const char* to_string(Rounding mode) {
  switch (mode) {
    case Rounding::kNearest:
      return "nearest";
    case Rounding::kTruncate:
      return "truncate";
    case Rounding::kStochastic:
      return "stochastic";
  }
  throw std::invalid_argument("invalid Rounding value " + std::to_string(static_cast<int>(mode)));
}

Rounding parse_rounding(std::string_view name) {
  for (Rounding mode : {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic}) {
    if (name == to_string(mode)) return mode;
  }
  throw std::invalid_argument("unknown rounding mode '" + std::string(name) +
                              "' (expected nearest, truncate or stochastic)");
}

void Format::validate() const {
  if (bits < 1 || bits > kMaxBits) {
    throw std::invalid_argument("fixed-point format " + to_string() + ": bits must be in [1, " +
                                std::to_string(kMaxBits) + "]");
  }
  if (frac_bits < -kMaxFracBits || frac_bits > kMaxFracBits) {
    throw std::invalid_argument("fixed-point format " + to_string() + ": frac_bits must be in [-" +
                                std::to_string(kMaxFracBits) + ", " + std::to_string(kMaxFracBits) + "]");
  }
}

Format Format::with_frac(int bits, bool is_signed, int frac_bits, bool mid_rise) {
  const Format f{bits, is_signed, frac_bits, mid_rise};
  f.validate();
  return f;
}

namespace {
// Checked before bits - range_exp is formed, so that no argument can overflow an int.
void check_range_arguments(int bits, int range_exp) {
  if (bits < 1 || bits > kMaxBits) {
    throw std::invalid_argument("fixed-point bits " + std::to_string(bits) + " not in [1, " +
                                std::to_string(kMaxBits) + "]");
  }
  if (range_exp < -2 * kMaxFracBits || range_exp > 2 * kMaxFracBits) {
    throw std::invalid_argument("fixed-point range exponent " + std::to_string(range_exp) + " out of range");
  }
}
}  // namespace

Format Format::signed_range(int bits, int range_exp, bool mid_rise) {
  check_range_arguments(bits, range_exp);
  return with_frac(bits, true, bits - 1 - range_exp, mid_rise);
}

Format Format::unsigned_range(int bits, int range_exp, bool mid_rise) {
  check_range_arguments(bits, range_exp);
  return with_frac(bits, false, bits - range_exp, mid_rise);
}

std::string Format::to_string() const {
  return std::string(is_signed ? "s" : "u") + std::to_string(bits) + "f" + std::to_string(frac_bits) +
         (mid_rise ? "m" : "");
}

namespace detail {
void throw_nan() { throw std::domain_error("fixed-point quantize: NaN has no code"); }

void throw_lossy_alignment(int from_frac, int to_frac) {
  throw std::invalid_argument("fixed-point accumulator with " + std::to_string(to_frac) +
                              " fractional bits cannot add a value with " + std::to_string(from_frac) +
                              " exactly; requantize it first");
}
}  // namespace detail

Accumulator::Accumulator(int bits, int frac_bits) : bits_(bits), frac_(frac_bits) {
  if (bits < 2 || bits > 64) {
    throw std::invalid_argument("accumulator width " + std::to_string(bits) + " not in [2, 64]");
  }
  const int max_frac = 2 * kMaxFracBits + 2;  // products of two (mid-rise) codes
  if (frac_bits < -max_frac || frac_bits > max_frac) {
    throw std::invalid_argument("accumulator frac_bits " + std::to_string(frac_bits) + " not in [-" +
                                std::to_string(max_frac) + ", " + std::to_string(max_frac) + "]");
  }
  hi_ = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  lo_ = -hi_ - 1;
}

Quantizer::Quantizer(Format dst, Rounding mode) : Quantizer(dst, mode, RngCursor(0, 0)) {
  if (mode == Rounding::kStochastic) {
    throw std::invalid_argument(
        "stochastic rounding needs a random stream: use Quantizer(format, mode, rng)");
  }
}

Quantizer::Quantizer(Format dst, Rounding mode, RngCursor rng) : dst_(dst), mode_(mode), rng_(rng) {
  dst_.validate();
  (void)to_string(mode);  // rejects values outside the enumeration
}

}  // namespace lrt::fx
