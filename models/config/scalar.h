#pragma once
// Strict text <-> value conversion for configuration scalars. Stricter than yaml-cpp's
// as<T>(): no yes/no/on/off booleans, no hex or octal, no silent wrap-around or
// truncation, no non-finite numbers. Shared by the loader (parsing) and the effective
// configuration writer (formatting), so what is written is exactly what is read back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lrt::config {

/// @brief Outcome of parsing a number.
enum class NumberParse {
  kOk,
  kNotANumber,    ///< not decimal number syntax
  kNotAnInteger,  ///< a number, but with a fractional part (integers only)
  kNotFinite,     ///< inf / nan in any spelling
  kOutOfRange,    ///< too large (or too small, for doubles) for the type
};

/// @brief An integer as sign and magnitude, so that it can be range-checked for any type.
struct DecimalInteger {
  bool negative = false;
  uint64_t magnitude = 0;
};

/// @brief true/True/TRUE or false/False/FALSE (the YAML 1.2 core schema); nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);

/// @brief Decimal integer, optionally in exact scientific notation ("1e6", "2.5e3").
/// kOutOfRange when the magnitude exceeds uint64.
NumberParse parse_integer(std::string_view text, DecimalInteger& out);

/// @brief Decimal floating-point number (correctly rounded); rejects inf/nan and hex floats.
NumberParse parse_double(std::string_view text, double& out);

/// @brief Shortest text that parse_double() turns back into the same bits; always has a
/// '.', an exponent or both, so it reads as a floating-point value ("8.0", "1e-04").
std::string format_double(double value);

/// @brief `value` as a YAML double-quoted scalar (escapes \, " and control characters).
std::string quote_yaml(std::string_view value);

/// @brief True if `value` is 2^k for an integer k (k may be negative).
bool is_power_of_two(double value);

}  // namespace lrt::config
