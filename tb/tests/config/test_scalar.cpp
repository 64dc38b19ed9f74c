// Strict scalar conversion: exact integer parsing with overflow detection, correctly
// rounded doubles whose shortest text reads back to the same bits, YAML quoting.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "config/scalar.h"
#include "core/rng.h"

namespace lrt::config {
namespace {

uint64_t bits_of(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

TEST(Scalar, BoolAcceptsOnlyCoreSchemaSpellings) {
  for (const char* t : {"true", "True", "TRUE"}) EXPECT_EQ(parse_bool(t), std::optional<bool>(true)) << t;
  for (const char* f : {"false", "False", "FALSE"}) EXPECT_EQ(parse_bool(f), std::optional<bool>(false)) << f;
  for (const char* bad : {"yes", "no", "on", "off", "1", "0", "tRUE", "", " true"}) {
    EXPECT_FALSE(parse_bool(bad).has_value()) << bad;
  }
}

struct IntegerCase {
  const char* text;
  NumberParse result;
  bool negative;
  uint64_t magnitude;
};

TEST(Scalar, IntegerParsingIsExact) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const IntegerCase cases[] = {
      {"0", NumberParse::kOk, false, 0},
      {"-0", NumberParse::kOk, false, 0},  // no negative zero for integers
      {"+7", NumberParse::kOk, false, 7},
      {"-5", NumberParse::kOk, true, 5},
      {"007", NumberParse::kOk, false, 7},  // decimal, not octal
      {"1e6", NumberParse::kOk, false, 1000000},
      {"1E+6", NumberParse::kOk, false, 1000000},
      {"2.5e3", NumberParse::kOk, false, 2500},
      {"1.50e2", NumberParse::kOk, false, 150},
      {"120e-1", NumberParse::kOk, false, 12},
      {"4.0", NumberParse::kOk, false, 4},
      {"0e999999999", NumberParse::kOk, false, 0},
      {"18446744073709551615", NumberParse::kOk, false, kMax},
      {"1.8446744073709551615e19", NumberParse::kOk, false, kMax},
      {"1e19", NumberParse::kOk, false, 10000000000000000000ULL},
      {"-9223372036854775808", NumberParse::kOk, true, 9223372036854775808ULL},
      {"18446744073709551616", NumberParse::kOutOfRange, false, 0},
      {"99999999999999999999", NumberParse::kOutOfRange, false, 0},
      {"1e20", NumberParse::kOutOfRange, false, 0},
      {"1e999999999", NumberParse::kOutOfRange, false, 0},
      {"1.5", NumberParse::kNotAnInteger, false, 0},
      {"12e-1", NumberParse::kNotAnInteger, false, 0},
      {"1e-999999999", NumberParse::kNotAnInteger, false, 0},
      {".inf", NumberParse::kNotFinite, false, 0},
      {"-Infinity", NumberParse::kNotFinite, false, 0},
      {"NaN", NumberParse::kNotFinite, false, 0},
      {"", NumberParse::kNotANumber, false, 0},
      {"-", NumberParse::kNotANumber, false, 0},
      {"abc", NumberParse::kNotANumber, false, 0},
      {"0x10", NumberParse::kNotANumber, false, 0},
      {"1_000", NumberParse::kNotANumber, false, 0},
      {"1e", NumberParse::kNotANumber, false, 0},
      {" 1", NumberParse::kNotANumber, false, 0},
      {"1 ", NumberParse::kNotANumber, false, 0},
  };
  for (const auto& c : cases) {
    DecimalInteger d;
    EXPECT_EQ(parse_integer(c.text, d), c.result) << c.text;
    if (c.result == NumberParse::kOk) {
      EXPECT_EQ(d.negative, c.negative) << c.text;
      EXPECT_EQ(d.magnitude, c.magnitude) << c.text;
    }
  }
}

TEST(Scalar, DoubleParsingIsStrictAndCorrectlyRounded) {
  double x = 0;
  ASSERT_EQ(parse_double("0.1", x), NumberParse::kOk);
  EXPECT_EQ(bits_of(x), bits_of(0.1));
  ASSERT_EQ(parse_double("+2", x), NumberParse::kOk);
  EXPECT_EQ(x, 2.0);
  ASSERT_EQ(parse_double("1e-4", x), NumberParse::kOk);
  EXPECT_EQ(bits_of(x), bits_of(1e-4));
  ASSERT_EQ(parse_double(".5", x), NumberParse::kOk);
  EXPECT_EQ(x, 0.5);
  ASSERT_EQ(parse_double("-0.0", x), NumberParse::kOk);
  EXPECT_TRUE(x == 0.0 && std::signbit(x));
  EXPECT_EQ(parse_double("1e999", x), NumberParse::kOutOfRange);
  EXPECT_EQ(parse_double("-1e999", x), NumberParse::kOutOfRange);
  for (const char* nf : {"nan", ".NaN", "inf", "-.inf", "+Infinity"})
    EXPECT_EQ(parse_double(nf, x), NumberParse::kNotFinite) << nf;
  for (const char* bad : {"", "0x1p3", "1,5", "1e", "e5", "--1", "1.2.3", " 1", "1 ", "one"}) {
    EXPECT_EQ(parse_double(bad, x), NumberParse::kNotANumber) << bad;
  }
}

TEST(Scalar, FormattedDoubleIsFloatLooking) {
  EXPECT_EQ(format_double(8.0), "8.0");
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(-0.0), "-0.0");
  EXPECT_EQ(format_double(0.999), "0.999");
}

// Every finite double: format -> parse gives back the same 64 bits. 200k random bit
// patterns (uniform over the encoding, so subnormals and huge exponents are covered),
// plus the extremes. Deterministic: fixed seed, so it cannot flake.
TEST(Scalar, DoubleTextRoundTripsBitExactly) {
  const CounterRng rng = make_rng(2024, RngStream::kTest);
  std::vector<double> values = {std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::denorm_min(),
                                std::nextafter(1.0, 2.0),
                                0.1 + 0.2,
                                1e-300,
                                0.0,
                                -0.0};
  for (uint64_t i = 0; i < 200000; ++i) {
    const uint64_t b = rng.bits64(i);
    double x;
    std::memcpy(&x, &b, sizeof x);
    if (std::isfinite(x)) values.push_back(x);
  }
  for (const double x : values) {
    const std::string text = format_double(x);
    double back = 0;
    ASSERT_EQ(parse_double(text, back), NumberParse::kOk) << text;
    ASSERT_EQ(bits_of(back), bits_of(x)) << text;
    ASSERT_NE(text.find_first_of(".e"), std::string::npos) << text;
  }
}

TEST(Scalar, QuotedYamlReadsBackIdentically) {
  // yaml-cpp is the oracle: what it reads from our quoting must be the original bytes.
  const std::string cases[] = {"",       "plain",        "with \"quotes\"",  "back\\slash", "tab\tnew\nline",
                               "# hash", "colon: value", "ctrl\x01\x1f\x7f", "µm² unicode", "  spaces  ",
                               "null",   "123",          "'single'",         "{not: a map}"};
  for (const auto& s : cases) {
    const std::string quoted = quote_yaml(s);
    EXPECT_EQ(YAML::Load(quoted).Scalar(), s) << quoted;
    EXPECT_EQ(YAML::Load(quoted).Tag(), "!") << quoted;  // quoted, so never re-typed
  }
}

TEST(Scalar, PowerOfTwo) {
  for (const double p : {1.0, 2.0, 0.5, 8.0, 1024.0, 0x1p-1074, 0x1p-1022, 0x1p1023})
    EXPECT_TRUE(is_power_of_two(p)) << p;
  for (const double n : {0.0, -0.0, -2.0, 3.0, 0.75, 6.0, std::nextafter(1.0, 2.0),
                         3 * std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_FALSE(is_power_of_two(n)) << n;
  }
}

}  // namespace
}  // namespace lrt::config
