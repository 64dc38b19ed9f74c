#include "config/scalar.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <system_error>

namespace lrt::config {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// inf/nan as YAML (.inf, .NaN) or as C (inf, infinity, nan) spell them.
bool is_non_finite_spelling(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  const std::string t = lower(text);
  return t == ".inf" || t == "inf" || t == "infinity" || t == ".nan" || t == "nan";
}

// Pieces of a decimal number: [+-] int [. frac] [(e|E) [+-] exp].
struct DecimalParts {
  bool negative = false;
  std::string_view int_digits;
  std::string_view frac_digits;
  bool exp_negative = false;
  std::string_view exp_digits;
};

std::optional<DecimalParts> split_decimal(std::string_view text) {
  DecimalParts p;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) p.negative = text[i++] == '-';
  const std::size_t int_start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  p.int_digits = text.substr(int_start, i - int_start);
  if (i < text.size() && text[i] == '.') {
    const std::size_t frac_start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    p.frac_digits = text.substr(frac_start, i - frac_start);
  }
  if (p.int_digits.empty() && p.frac_digits.empty()) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) p.exp_negative = text[i++] == '-';
    const std::size_t exp_start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    p.exp_digits = text.substr(exp_start, i - exp_start);
    if (p.exp_digits.empty()) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  return p;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

NumberParse parse_integer(std::string_view text, DecimalInteger& out) {
  if (is_non_finite_spelling(text)) return NumberParse::kNotFinite;
  const auto parts = split_decimal(text);
  if (!parts) return NumberParse::kNotANumber;

  // value = digits * 10^shift, computed exactly: no rounding through double.
  std::string digits = std::string(parts->int_digits) + std::string(parts->frac_digits);
  const std::size_t first_nonzero = digits.find_first_not_of('0');
  const bool zero = first_nonzero == std::string::npos;

  // |exponent| beyond this cannot give an integer that fits in 64 bits (or is one at all),
  // so larger exponents are decided without computing 10^exponent.
  constexpr int64_t kExponentCap = 100000;
  int64_t exponent = 0;
  for (char c : parts->exp_digits) {
    exponent = exponent * 10 + (c - '0');
    if (exponent > kExponentCap) break;
  }
  if (parts->exp_negative) exponent = -exponent;
  const int64_t shift = exponent - static_cast<int64_t>(parts->frac_digits.size());

  out.negative = parts->negative && !zero;
  out.magnitude = 0;
  if (zero) return NumberParse::kOk;
  if (shift < 0) {
    // The last -shift digits are the fractional part: they must all be zero.
    const uint64_t drop = static_cast<uint64_t>(-shift);
    if (drop > digits.size()) return NumberParse::kNotAnInteger;
    if (digits.find_first_not_of('0', digits.size() - drop) != std::string::npos)
      return NumberParse::kNotAnInteger;
    digits.resize(digits.size() - drop);
  } else {
    // uint64 has 20 decimal digits; anything longer (without leading zeros) overflows.
    if (shift > 20 || digits.size() - first_nonzero + static_cast<std::size_t>(shift) > 20)
      return NumberParse::kOutOfRange;
    digits.append(static_cast<std::size_t>(shift), '0');
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : digits) {
    const auto d = static_cast<uint64_t>(c - '0');
    if (out.magnitude > (kMax - d) / 10) return NumberParse::kOutOfRange;
    out.magnitude = out.magnitude * 10 + d;
  }
  return NumberParse::kOk;
}

NumberParse parse_double(std::string_view text, double& out) {
  if (is_non_finite_spelling(text)) return NumberParse::kNotFinite;
  if (!split_decimal(text)) return NumberParse::kNotANumber;  // also rules out hex floats
  // from_chars takes no leading '+'.
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return NumberParse::kOutOfRange;
  if (ec != std::errc() || end != text.data() + text.size()) return NumberParse::kNotANumber;
  if (!std::isfinite(value)) return NumberParse::kNotFinite;
  out = value;
  return NumberParse::kOk;
}

std::string format_double(double value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  std::string text(buf, ec == std::errc() ? end : buf);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // "8" -> "8.0"; 'n' spares inf/nan
  return text;
}

std::string quote_yaml(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02x", static_cast<unsigned>(u));
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool is_power_of_two(double value) {
  if (!(value > 0.0) || !std::isfinite(value)) return false;
  int exponent = 0;
  return std::frexp(value, &exponent) == 0.5;
}

}  // namespace lrt::config
