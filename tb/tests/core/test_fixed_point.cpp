// Fixed-point core against independent oracles.
//
// - SystemC's sc_dt::sc_fix / sc_ufix (arbitrary-precision, runtime wl/iwl) for nearest
//   (SC_RND) and truncation (SC_TRN) with saturation (SC_SAT): bit-exact, exhaustively over
//   every 16-bit source code into every tested 8-bit format, over a dense grid of doubles,
//   and on 1e5 random cases each for 16- and 32-bit destinations.
// - For modes sc_fix lacks (mid-rise, stochastic): a brute-force reference that searches the
//   destination's levels in long double (exact for the magnitudes used, see ref_requantize),
//   and sc_fix arithmetic on the level index (value / LSB - 1/2 for mid-rise, plus the random
//   bits for stochastic).
// - Statistics: stochastic rounding is unbiased, checked with Hoeffding's inequality at a
//   false-failure probability of 1e-9 per check.
// - Hand-computed clip counts and product/accumulator saturation corners.
#define SC_INCLUDE_FX
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <systemc>
#include <vector>

#include "core/fixed_point.h"
#include "core/rng.h"

namespace lrt::fx {
namespace {

using sc_dt::sc_fix;
using sc_dt::sc_fxval;
using sc_dt::sc_ufix;

constexpr Rounding kScModes[] = {Rounding::kNearest, Rounding::kTruncate};
constexpr Rounding kAllModes[] = {Rounding::kNearest, Rounding::kTruncate, Rounding::kStochastic};

sc_dt::sc_q_mode sc_mode(Rounding mode) { return mode == Rounding::kNearest ? sc_dt::SC_RND : sc_dt::SC_TRN; }

// The exact value v.value * 2^-v.frac as an sc_fxval. Values of up to 53 bits go through a
// double (exact: a power-of-two scaling of an integer < 2^53); wider ones through raw bits
// (a 64-bit part-select assignment, ~20x slower).
sc_fxval sc_exact(Wide v) {
  if (v.value >= -(int64_t{1} << 53) && v.value <= (int64_t{1} << 53)) {
    return sc_fxval(std::ldexp(static_cast<double>(v.value), -v.frac));
  }
  sc_fix s(64, 64 - v.frac, sc_dt::SC_TRN, sc_dt::SC_WRAP);
  s.range(63, 0) = static_cast<sc_dt::int64>(v.value);
  return sc_fxval(s);
}

// sc_fix / sc_ufix of dst's wl and iwl with the given quantization mode and SC_SAT; the
// result's value (exact in a double for <= 32 bits) times 2^frac_bits is the code.
template <class Value>
int64_t sc_convert(const Value& x, const Format& dst, sc_dt::sc_q_mode q) {
  double value;
  if (dst.is_signed) {
    sc_fix d(dst.bits, dst.integer_bits(), q, sc_dt::SC_SAT);
    d = x;
    value = d.to_double();
  } else {
    sc_ufix d(dst.bits, dst.integer_bits(), q, sc_dt::SC_SAT);
    d = x;
    value = d.to_double();
  }
  return static_cast<int64_t>(std::ldexp(value, dst.frac_bits));
}

// sc_fix oracle for nearest/truncate into a standard (not mid-rise) format.
int64_t sc_requantize(Wide v, const Format& dst, Rounding mode) {
  return sc_convert(sc_exact(v), dst, sc_mode(mode));
}

// sc_fix oracle for every mode, mid-rise included, computed on the level index
// w = value / LSB (- 1/2 for mid-rise): the code is Q(w) in an integer format of dst's width.
// Stochastic: w truncated to 32 fractional bits, plus random_bits * 2^-32, then SC_TRN.
int64_t sc_level_index_oracle(Wide v, const Format& dst, Rounding mode, uint32_t random_bits) {
  sc_fxval w = sc_exact({v.value, v.frac - dst.frac_bits});
  if (dst.mid_rise) w -= 0.5;
  sc_dt::sc_q_mode q = sc_mode(mode);
  if (mode == Rounding::kStochastic) {
    sc_fix truncated(256, 256 - 32, sc_dt::SC_TRN, sc_dt::SC_WRAP);
    truncated = w;
    w = sc_fxval(truncated) + sc_fxval(std::ldexp(static_cast<double>(random_bits), -32));
    q = sc_dt::SC_TRN;
  }
  return sc_convert(w, Format{dst.bits, dst.is_signed, 0, false}, q);
}

// Brute-force reference: scans dst's levels directly. Exact in long double (64-bit
// significand) as long as values and levels span fewer than 64 bits, which the callers
// keep (sources of <= 13 significant bits at most 31 bits below the destination LSB,
// destinations of <= 8 bits).
struct Reference {
  int64_t nearest;           // nearest level, the larger code on a tie
  int64_t truncate;          // largest level <= x, or the lowest code when there is none
  int64_t stochastic_below;  // the level stochastic rounding starts from
  uint64_t p32;              // fraction of the way to the next level, 32 bits (0 when saturated)

  int64_t stochastic(uint32_t random_bits) const {
    return p32 + random_bits >= (uint64_t{1} << 32) ? stochastic_below + 1 : stochastic_below;
  }
  int64_t get(Rounding mode, uint32_t random_bits) const {
    switch (mode) {
      case Rounding::kNearest:
        return nearest;
      case Rounding::kTruncate:
        return truncate;
      case Rounding::kStochastic:
        return stochastic(random_bits);
    }
    throw std::logic_error("bad mode");
  }
};

// Every level of dst, lowest code first.
std::vector<long double> levels_of(const Format& dst) {
  std::vector<long double> levels;
  for (int64_t c = dst.min_code(); c <= dst.max_code(); ++c) {
    levels.push_back(std::ldexp(static_cast<long double>(c) + (dst.mid_rise ? 0.5L : 0.0L), -dst.frac_bits));
  }
  return levels;
}

Reference ref_requantize(Wide v, const Format& dst, const std::vector<long double>& levels) {
  const long double x = std::ldexp(static_cast<long double>(v.value), -v.frac);
  const long double lsb = std::ldexp(1.0L, -dst.frac_bits);
  const size_t n = levels.size();
  size_t nearest = 0, truncate = 0;
  for (size_t i = 1; i < n; ++i) {
    // <= : on a tie the larger code wins (ties toward +inf).
    if (std::fabs(x - levels[i]) <= std::fabs(x - levels[nearest])) nearest = i;
    if (levels[i] <= x) truncate = i;
  }
  const int64_t lo = dst.min_code();
  Reference ref{lo + static_cast<int64_t>(nearest), lo + static_cast<int64_t>(truncate), lo, 0};
  // Beyond the top level every outcome saturates to hi; below the bottom one, to lo.
  if (x >= levels[n - 1]) {
    ref.stochastic_below = dst.max_code();
  } else if (x >= levels[0]) {
    ref.stochastic_below = ref.truncate;
    ref.p32 = static_cast<uint64_t>(std::floor(std::ldexp((x - levels[truncate]) / lsb, 32)));
  }
  return ref;
}

// Uniform integer in [lo, hi] from a cursor (hi - lo < 2^63).
int64_t uniform_in(RngCursor& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo) + 1));
}

// A random code of fmt, with the ends of the range (where saturation starts) over-weighted.
int64_t random_code(RngCursor& rng, const Format& fmt) {
  switch (rng.below(8)) {
    case 0:
      return fmt.min_code();
    case 1:
      return fmt.max_code();
    case 2:
      return std::min(fmt.max_code(), fmt.min_code() + uniform_in(rng, 0, 3));
    default:
      return uniform_in(rng, fmt.min_code(), fmt.max_code());
  }
}

std::string describe(Wide v, const Format& dst, Rounding mode, uint32_t random_bits = 0) {
  return std::to_string(v.value) + " * 2^-" + std::to_string(v.frac) + " -> " + dst.to_string() + " " +
         to_string(mode) + " random 0x" + [&] {
           char buf[16];
           std::snprintf(buf, sizeof buf, "%08x", random_bits);
           return std::string(buf);
         }();
}

// ---------------------------------------------------------------------------------------
// Formats

// round_half_up: ties toward +inf, exactly, including where x + 0.5 or x - floor(x) round.
TEST(FixedRoundHalfUp, TiesUpExactlyAsADouble) {
  EXPECT_EQ(fx::round_half_up(0.5), 1.0);
  EXPECT_EQ(fx::round_half_up(-0.5), 0.0);
  EXPECT_EQ(fx::round_half_up(-1.5), -1.0);
  EXPECT_EQ(fx::round_half_up(2.5), 3.0);
  EXPECT_EQ(fx::round_half_up(0.49999999999999994), 0.0);  // floor(x + 0.5) gives 1
  EXPECT_EQ(fx::round_half_up(-1e-300), 0.0);              // x - floor(x) rounds up to 1 here
  EXPECT_EQ(fx::round_half_up(-0.49999999999999994), 0.0);
  EXPECT_EQ(fx::round_half_up(-0.5000000000000001), -1.0);
  EXPECT_EQ(fx::round_half_up(4503599627370495.5), 4503599627370496.0);  // 2^52 - 1/2
  EXPECT_EQ(fx::round_half_up(-7.0), -7.0);
}

TEST(FixedFormat, NamedConstructorsGiveThePapersRanges) {
  // Weights: 8 b in [-1, 1): LSB 2^-7.
  const Format w = Format::signed_range(8, 0);
  EXPECT_EQ(w, (Format{8, true, 7, false}));
  EXPECT_EQ(w.min_code(), -128);
  EXPECT_EQ(w.max_code(), 127);
  EXPECT_EQ(to_double(-128, w), -1.0);
  EXPECT_EQ(to_double(127, w), 1.0 - 0x1p-7);
  // Activations: 8 b unsigned in [0, 2): LSB 2^-7.
  const Format a = Format::unsigned_range(8, 1);
  EXPECT_EQ(a, (Format{8, false, 7, false}));
  EXPECT_EQ(a.max_code(), 255);
  EXPECT_EQ(to_double(255, a), 2.0 - 0x1p-7);
  // Bias: 16 b in [-8, 8): LSB 2^-12.
  EXPECT_EQ(Format::signed_range(16, 3).frac_bits, 12);
  // 32-bit extremes.
  EXPECT_EQ(Format::signed_range(32, 0).min_code(), INT32_MIN);
  EXPECT_EQ(Format::unsigned_range(32, 0).max_code(), int64_t{UINT32_MAX});
  // Mid-rise (LRT paper Fig. 7): 1 bit in [-1, 1] gives -0.5 / +0.5; 2 bits give +-0.25, +-0.75.
  const Format m1 = Format::signed_range(1, 0, true);
  EXPECT_EQ(to_double(-1, m1), -0.5);
  EXPECT_EQ(to_double(0, m1), 0.5);
  const Format m2 = Format::signed_range(2, 0, true);
  EXPECT_EQ(to_double(-2, m2), -0.75);
  EXPECT_EQ(to_double(-1, m2), -0.25);
  EXPECT_EQ(to_double(0, m2), 0.25);
  EXPECT_EQ(to_double(1, m2), 0.75);
  EXPECT_EQ(m2.to_string(), "s2f1m");
  EXPECT_EQ(a.to_string(), "u8f7");
}

TEST(FixedFormat, RejectsInvalidFormatsAndModes) {
  EXPECT_THROW(Format::with_frac(0, true, 0), std::invalid_argument);
  EXPECT_THROW(Format::with_frac(33, true, 0), std::invalid_argument);
  EXPECT_THROW(Format::with_frac(8, false, kMaxFracBits + 1), std::invalid_argument);
  EXPECT_THROW(Format::with_frac(8, false, -kMaxFracBits - 1), std::invalid_argument);
  EXPECT_THROW(Format::signed_range(INT_MIN, 0), std::invalid_argument);
  EXPECT_THROW(Format::signed_range(8, INT_MIN), std::invalid_argument);
  EXPECT_THROW(Format::unsigned_range(8, INT_MAX), std::invalid_argument);
  EXPECT_THROW((Format{-3, true, 0, false}.validate()), std::invalid_argument);
  EXPECT_NO_THROW(Format::with_frac(32, false, -kMaxFracBits));
  EXPECT_NO_THROW(Format::with_frac(1, true, kMaxFracBits, true));
  EXPECT_THROW(Accumulator(1, 0), std::invalid_argument);
  EXPECT_THROW(Accumulator(65, 0), std::invalid_argument);
  EXPECT_THROW(Accumulator(32, 10000), std::invalid_argument);
  EXPECT_THROW(Quantizer(Format::signed_range(8, 0), Rounding::kStochastic), std::invalid_argument);
  EXPECT_THROW(Quantizer(Format{0, true, 0, false}, Rounding::kNearest), std::invalid_argument);
  EXPECT_THROW(parse_rounding("round"), std::invalid_argument);
  for (Rounding mode : kAllModes) EXPECT_EQ(parse_rounding(to_string(mode)), mode);
}

// Every 8-bit code's value equals sc_fix's value of the same raw bits.
TEST(FixedToDouble, EveryEightBitCodeMatchesScFixRawBits) {
  for (bool is_signed : {true, false}) {
    for (int frac : {-5, 0, 3, 7, 8, 13}) {
      for (bool mid_rise : {false, true}) {
        const Format f = Format::with_frac(8, is_signed, frac, mid_rise);
        for (int64_t c = f.min_code(); c <= f.max_code(); ++c) {
          // Mid-rise: (c + 1/2) 2^-frac has the raw bits 2c+1 with one more fractional bit.
          const int wl = mid_rise ? 9 : 8;
          const int fwl = mid_rise ? frac + 1 : frac;
          sc_fix x(wl + 1, wl + 1 - fwl);  // one spare bit so unsigned codes stay positive
          x.range(wl, 0) = static_cast<sc_dt::int64>(mid_rise ? 2 * c + 1 : c);
          ASSERT_EQ(to_double(c, f), x.to_double()) << f.to_string() << " code " << c;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Requantization against sc_fix (nearest = SC_RND, truncate = SC_TRN, both SC_SAT)

const std::vector<Format>& eight_bit_formats() {
  static const std::vector<Format> formats = [] {
    std::vector<Format> v;
    for (bool is_signed : {true, false}) {
      for (int frac : {-3, 0, 4, 7, 8, 11}) v.push_back(Format::with_frac(8, is_signed, frac));
    }
    return v;
  }();
  return formats;
}

TEST(FixedRequantize, EverySixteenBitCodeIntoEveryEightBitFormatMatchesScFix) {
  // Source frac = destination frac + shift: left shifts (incl. one past the -40 clamp),
  // no shift, right shifts below, at and beyond 32 and 64 bits (the 96 clamp).
  const int shifts[] = {-45, -3, 0, 3, 8, 33, 70, 120};
  uint64_t checked = 0;
  for (const Format& dst : eight_bit_formats()) {
    for (int shift : shifts) {
      for (bool src_signed : {true, false}) {
        const Format src = Format::with_frac(16, src_signed, dst.frac_bits + shift);
        for (Rounding mode : kScModes) {
          for (int64_t c = src.min_code(); c <= src.max_code(); ++c) {
            const int64_t got = requantize(c, src, dst, mode, 0, nullptr);
            const int64_t want = sc_requantize(to_wide(c, src), dst, mode);
            if (got != want) {
              FAIL() << src.to_string() << " code " << c << " -> " << dst.to_string() << " "
                     << to_string(mode) << ": got " << got << ", sc_fix " << want;
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, eight_bit_formats().size() * std::size(shifts) * 2 * 2 * 65536);
}

// Dense double grid: every multiple of LSB/64 across twice the format's range (so the
// grid hits every tie, every truncation boundary and both saturation edges), plus the
// special doubles.
TEST(FixedQuantize, DenseDoubleGridMatchesScFix) {
  for (const Format& dst : eight_bit_formats()) {
    for (Rounding mode : kScModes) {
      const int64_t span = (dst.max_code() - dst.min_code() + 1) * 64;  // LSB/64 steps
      const int64_t first = dst.min_code() * 64 - span / 2;
      for (int64_t i = first; i <= first + 2 * span; ++i) {
        const double x = std::ldexp(static_cast<double>(i), -(dst.frac_bits + 6));
        const int64_t got = quantize(x, dst, mode, 0, nullptr);
        ASSERT_EQ(got, sc_convert(x, dst, sc_mode(mode)))
            << x << " -> " << dst.to_string() << " " << to_string(mode);
      }
      const double specials[] = {0.0,
                                 -0.0,
                                 std::numeric_limits<double>::denorm_min(),
                                 -std::numeric_limits<double>::denorm_min(),
                                 std::numeric_limits<double>::min(),
                                 -std::numeric_limits<double>::min(),
                                 std::numeric_limits<double>::max(),
                                 -std::numeric_limits<double>::max(),
                                 0x1.fffffffffffffp-1,
                                 -0x1.0000000000001p-9};
      for (double x : specials) {
        ASSERT_EQ(quantize(x, dst, mode, 0, nullptr), sc_convert(x, dst, sc_mode(mode)))
            << x << " -> " << dst.to_string() << " " << to_string(mode);
      }
    }
  }
}

// Random finite doubles (uniform bit patterns: every exponent, subnormals included).
TEST(FixedQuantize, RandomDoubleBitPatternsMatchScFix) {
  RngCursor rng(2024, static_cast<uint64_t>(RngStream::kTest));
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng.bits64();
    if (((bits >> 52) & 0x7FF) == 0x7FF) bits ^= uint64_t{1} << 62;  // not NaN/Inf
    // Bias half of the cases toward exponents near the formats' ranges.
    if (i % 2 == 0) bits = (bits & ~(uint64_t{0x7FF} << 52)) | (uint64_t{1023 - 40 + rng.below(80)} << 52);
    double x;
    std::memcpy(&x, &bits, sizeof x);
    const int bits_n = static_cast<int>(1 + rng.below(32));
    const Format dst =
        Format::with_frac(bits_n, rng.below(2) == 0, static_cast<int>(uniform_in(rng, -40, 60)));
    const Rounding mode = kScModes[rng.below(2)];
    ASSERT_EQ(quantize(x, dst, mode, 0, nullptr), sc_convert(x, dst, sc_mode(mode)))
        << x << " -> " << dst.to_string() << " " << to_string(mode);
  }
}

TEST(FixedQuantize, NanThrowsAndInfinitySaturates) {
  const Format f = Format::signed_range(8, 0);
  EXPECT_THROW(quantize(std::nan(""), f, Rounding::kNearest, 0, nullptr), std::domain_error);
  ClipCounter clips;
  EXPECT_EQ(quantize(HUGE_VAL, f, Rounding::kNearest, 0, &clips), 127);
  EXPECT_EQ(quantize(-HUGE_VAL, f, Rounding::kStochastic, 0xFFFFFFFFu, &clips), -128);
  EXPECT_EQ(quantize(HUGE_VAL, Format::unsigned_range(32, 0), Rounding::kTruncate, 0, &clips),
            int64_t{UINT32_MAX});
  EXPECT_EQ(clips.clipped, 3u);
  EXPECT_EQ(clips.total, 3u);
}

// 1e5 random cases for each destination width: random source formats (1..32 bits, either
// sign, frac in [-40, 60]) and random wide (int64) accumulator values.
void random_cases_vs_sc_fix(int dst_bits, uint64_t seed) {
  RngCursor rng(seed, static_cast<uint64_t>(RngStream::kTest));
  for (int i = 0; i < 100000; ++i) {
    const Format dst =
        Format::with_frac(dst_bits, rng.below(2) == 0, static_cast<int>(uniform_in(rng, -40, 60)));
    Wide v;
    if (i % 4 == 3) {
      // A wide accumulator value with a frac of up to 120 bits below the destination LSB.
      v = {static_cast<int64_t>(rng.bits64()), dst.frac_bits + static_cast<int>(uniform_in(rng, -70, 120))};
    } else {
      const Format src = Format::with_frac(static_cast<int>(1 + rng.below(32)), rng.below(2) == 0,
                                           static_cast<int>(uniform_in(rng, -40, 60)));
      v = to_wide(random_code(rng, src), src);
    }
    const Rounding mode = kScModes[rng.below(2)];
    const int64_t got = requantize(v, dst, mode, 0, nullptr);
    ASSERT_EQ(got, sc_requantize(v, dst, mode)) << describe(v, dst, mode);
  }
}

TEST(FixedRequantize, RandomSixteenBitMatchesScFix) { random_cases_vs_sc_fix(16, 16); }
TEST(FixedRequantize, RandomThirtyTwoBitMatchesScFix) { random_cases_vs_sc_fix(32, 32); }

// ---------------------------------------------------------------------------------------
// Mid-rise and stochastic rounding (modes sc_fix lacks)

// Every 12-bit source code, plain and mid-rise, into 1-, 2- and 8-bit destinations, all
// modes, against the brute-force level search. Stochastic uses edge-case random words and
// one fresh random word per case.
TEST(FixedRequantize, EveryTwelveBitCodeMatchesBruteForceReferenceInAllModes) {
  std::vector<Format> dsts;
  for (bool is_signed : {true, false}) {
    for (bool mid_rise : {true, false}) {
      dsts.push_back(Format::with_frac(1, is_signed, 0, mid_rise));
      dsts.push_back(Format::with_frac(2, is_signed, 1, mid_rise));
      dsts.push_back(Format::with_frac(8, is_signed, 3, mid_rise));
      dsts.push_back(Format::with_frac(8, is_signed, -2, mid_rise));
    }
  }
  const uint32_t edge_words[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
  RngCursor rng(7, static_cast<uint64_t>(RngStream::kTest));
  uint64_t checked = 0;
  for (const Format& dst : dsts) {
    const std::vector<long double> levels = levels_of(dst);
    for (int shift : {-2, 0, 1, 4, 11, 30}) {
      for (bool src_signed : {true, false}) {
        for (bool src_mid_rise : {false, true}) {
          const Format src = Format::with_frac(12, src_signed, dst.frac_bits + shift, src_mid_rise);
          for (int64_t c = src.min_code(); c <= src.max_code(); ++c) {
            const Wide v = to_wide(c, src);
            const Reference ref = ref_requantize(v, dst, levels);
            for (Rounding mode : kAllModes) {
              const int n_words = mode == Rounding::kStochastic ? 6 : 1;
              for (int j = 0; j < n_words; ++j) {
                const uint32_t r = j < 5 && mode == Rounding::kStochastic ? edge_words[j] : rng.bits32();
                const int64_t got = requantize(c, src, dst, mode, r, nullptr);
                const int64_t want = ref.get(mode, r);
                if (got != want)
                  FAIL() << describe(v, dst, mode, r) << ": got " << got << ", reference " << want;
                ++checked;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, dsts.size() * 6 * 2 * 2 * 4096 * (1 + 1 + 6));
}

// Random 16- and 32-bit mid-rise and stochastic cases against sc_fix on the level index.
TEST(FixedRequantize, RandomMidRiseAndStochasticMatchScFixLevelIndex) {
  RngCursor rng(99, static_cast<uint64_t>(RngStream::kTest));
  for (int dst_bits : {16, 32}) {
    for (int i = 0; i < 100000; ++i) {
      const bool mid_rise = i % 3 != 0;
      const Format dst = Format::with_frac(dst_bits, rng.below(2) == 0,
                                           static_cast<int>(uniform_in(rng, -40, 60)), mid_rise);
      Wide v;
      if (i % 4 == 3) {
        v = {static_cast<int64_t>(rng.bits64()), dst.frac_bits + static_cast<int>(uniform_in(rng, -70, 120))};
      } else {
        const Format src = Format::with_frac(static_cast<int>(1 + rng.below(32)), rng.below(2) == 0,
                                             static_cast<int>(uniform_in(rng, -40, 60)), rng.below(2) == 0);
        v = to_wide(random_code(rng, src), src);
      }
      const Rounding mode = mid_rise ? kAllModes[rng.below(3)] : Rounding::kStochastic;
      const uint32_t r = rng.bits32();
      ASSERT_EQ(requantize(v, dst, mode, r, nullptr), sc_level_index_oracle(v, dst, mode, r))
          << describe(v, dst, mode, r);
    }
  }
}

// The expected stored value equals the input. Each trial's value lies in {L, L + LSB}, so by
// Hoeffding's inequality P(|mean - E| >= t LSB) <= 2 exp(-2 N t^2); with N = 2.5e5 and
// t = sqrt(ln(2e9) / (2N)) = 0.0065 the false-failure probability is 1e-9 per check, while
// truncation would be off by the whole fraction (>= 0.01 LSB in every case here except the
// mid-rise input that sits exactly on a level, which has no fraction to round).
TEST(FixedStochastic, RoundingIsUnbiased) {
  constexpr int kN = 250000;
  const double t = std::sqrt(std::log(2e9) / (2.0 * kN));
  const Format src = Format::with_frac(24, true, 20);
  // Fractions of an LSB (in 2^-12 units of the destination): 0.01, 0.3, 0.5, 0.75, 0.99,
  // for positive and negative inputs, plain and mid-rise destinations.
  for (bool mid_rise : {false, true}) {
    const Format dst = Format::with_frac(8, true, 8, mid_rise);
    for (int64_t code : {int64_t{41}, int64_t{1229}, int64_t{2048}, int64_t{3072}, int64_t{4055},
                         int64_t{-1229 - 40 * 4096}, int64_t{3072 + 77 * 4096}}) {
      const double x = to_double(code, src);
      Quantizer q(dst, Rounding::kStochastic,
                  RngCursor(5, static_cast<uint64_t>(RngStream::kStochasticRounding)));
      double sum = 0;
      for (int i = 0; i < kN; ++i) sum += q.to_double(q.requantize(code, src));
      const double lsb = std::ldexp(1.0, -dst.frac_bits);
      EXPECT_LT(std::fabs(sum / kN - x), t * lsb) << "x = " << x << " mid_rise " << mid_rise;
      EXPECT_EQ(q.clips().clipped, 0u);
      EXPECT_EQ(q.rng().next_index(), static_cast<uint64_t>(kN));
    }
  }
}

TEST(FixedStochastic, QuantizerDrawsOneWordPerConversionInOrder) {
  const Format dst = Format::signed_range(4, 0);
  const CounterRng stream = make_rng(11, RngStream::kStochasticRounding, 3);
  Quantizer q(dst, Rounding::kStochastic, RngCursor(stream.seed(), stream.stream()));
  for (uint64_t i = 0; i < 1000; ++i) {
    const double x = std::ldexp(static_cast<double>(i % 97) - 48.0, -7);
    ASSERT_EQ(q.quantize(x), quantize(x, dst, Rounding::kStochastic, stream.bits32(i), nullptr));
  }
  EXPECT_EQ(q.rng().next_index(), 1000u);
  // Deterministic modes draw nothing.
  Quantizer n(dst, Rounding::kNearest, RngCursor(1, 1));
  n.quantize(0.3);
  EXPECT_EQ(n.rng().next_index(), 0u);
}

// ---------------------------------------------------------------------------------------
// Saturation, products, accumulators

TEST(FixedClip, CountsExactlyOnHandComputedInputs) {
  // s4f0: codes -8..7, LSB 1.
  const Format f = Format::with_frac(4, true, 0);
  struct Case {
    double x;
    int64_t nearest, truncate;
  };
  // nearest = floor(x + 1/2), truncate = floor(x), then clamp to [-8, 7].
  const Case cases[] = {
      {-9.0, -8, -8},       // both clip
      {-8.0, -8, -8},       // exact minimum: no clip
      {-8.5, -8, -8},       // nearest: tie toward +inf gives -8 (no clip); truncate: -9 clips
      {-8.6, -8, -8},       // both clip (-9)
      {7.4, 7, 7},          // no clip
      {7.5, 7, 7},          // nearest: tie up to 8 clips; truncate: 7
      {7.99, 7, 7},         // nearest: 8 clips; truncate: 7
      {100.0, 7, 7},        // both clip
      {HUGE_VAL, 7, 7},     // both clip
      {-HUGE_VAL, -8, -8},  // both clip
      {0.0, 0, 0},          // no clip
  };
  ClipCounter nearest, truncate;
  for (const Case& c : cases) {
    EXPECT_EQ(quantize(c.x, f, Rounding::kNearest, 0, &nearest), c.nearest) << c.x;
    EXPECT_EQ(quantize(c.x, f, Rounding::kTruncate, 0, &truncate), c.truncate) << c.x;
  }
  // nearest clips: -9, -8.6, 7.5, 7.99, 100, +inf, -inf = 7; truncate clips: -9, -8.5, -8.6,
  // 100, +inf, -inf = 6.
  EXPECT_EQ(nearest.clipped, 7u);
  EXPECT_EQ(truncate.clipped, 6u);
  EXPECT_EQ(nearest.total, 11u);
  EXPECT_EQ(truncate.total, 11u);
  ClipCounter sum = nearest;
  sum += truncate;
  EXPECT_EQ(sum.clipped, 13u);
  EXPECT_DOUBLE_EQ(sum.rate(), 13.0 / 22.0);
}

TEST(FixedProduct, CornerProductsAreExactOrSaturate) {
  const Format s32 = Format::with_frac(32, true, 31);
  const Format u32 = Format::with_frac(32, false, 5);
  ClipCounter clips;
  // INT32_MIN^2 = 2^62 fits int64 exactly; frac bits add.
  Wide p = multiply(INT32_MIN, s32, INT32_MIN, s32, &clips);
  EXPECT_EQ(p.value, int64_t{1} << 62);
  EXPECT_EQ(p.frac, 62);
  // INT32_MIN * UINT32_MAX = -2^63 + 2^31: exact.
  p = multiply(INT32_MIN, s32, UINT32_MAX, u32, &clips);
  EXPECT_EQ(p.value, INT64_MIN + (int64_t{1} << 31));
  EXPECT_EQ(p.frac, 36);
  EXPECT_EQ(clips.clipped, 0u);
  // UINT32_MAX^2 = 2^64 - 2^33 + 1 > INT64_MAX: saturates, counted.
  p = multiply(UINT32_MAX, u32, UINT32_MAX, u32, &clips);
  EXPECT_EQ(p.value, INT64_MAX);
  EXPECT_EQ(clips.clipped, 1u);
  EXPECT_EQ(clips.total, 3u);
  // Mid-rise: -0.5 * 0.5 = -1 * 2^-2 (codes -1 and 0 of s1f0m, i.e. raw -1 and +1 with frac 1).
  const Format m1 = Format::signed_range(1, 0, true);
  p = multiply(-1, m1, 0, m1);
  EXPECT_EQ(p.value, -1);
  EXPECT_EQ(p.frac, 2);
  EXPECT_EQ(to_double(p), -0.25);
}

TEST(FixedAccumulator, SixtyFourBitSumSaturatesAtInt64Ends) {
  const Format s32 = Format::with_frac(32, true, 0);
  Accumulator acc(64, 0);
  acc.mac(INT32_MIN, s32, INT32_MIN, s32);  // 2^62
  EXPECT_EQ(acc.raw(), int64_t{1} << 62);
  acc.mac(INT32_MIN, s32, INT32_MIN, s32);  // 2^63 > INT64_MAX: saturates
  EXPECT_EQ(acc.raw(), INT64_MAX);
  EXPECT_EQ(acc.clips().clipped, 1u);
  acc.add_raw(-1);  // saturating, not wrapping: leaves the top
  EXPECT_EQ(acc.raw(), INT64_MAX - 1);
  acc.reset();
  for (int i = 0; i < 3; ++i) acc.mac(INT32_MIN, s32, INT32_MAX, s32);  // 3 * (-2^62 + 2^31) < INT64_MIN
  EXPECT_EQ(acc.raw(), INT64_MIN);
  EXPECT_EQ(acc.clips().clipped, 2u);
  EXPECT_EQ(acc.clips().total, 6u);
  // A product beyond int64 saturates the accumulator too.
  const Format u32 = Format::with_frac(32, false, 0);
  acc.reset();
  acc.mac(UINT32_MAX, u32, UINT32_MAX, u32);
  EXPECT_EQ(acc.raw(), INT64_MAX);
  EXPECT_EQ(acc.clips().clipped, 3u);
}

TEST(FixedAccumulator, NarrowSumSaturatesAfterTheHandCountedNumberOfAdds) {
  // 24-bit accumulator, frac 14 (products of two s8f7 codes): range [-2^23, 2^23 - 1] =
  // [-8388608, 8388607]. 127 * 127 = 16129: 520 adds give 8387080 <= 8388607, the 521st
  // (8403209) clips. -128 * 127 = -16256: 516 adds give -8388096, the 517th (-8404352) clips.
  const Format w = Format::signed_range(8, 0);
  Accumulator acc(24, 14);
  for (int i = 0; i < 520; ++i) acc.mac(127, w, 127, w);
  EXPECT_EQ(acc.raw(), 8387080);
  EXPECT_EQ(acc.clips().clipped, 0u);
  acc.mac(127, w, 127, w);
  EXPECT_EQ(acc.raw(), 8388607);
  EXPECT_EQ(acc.clips().clipped, 1u);
  acc.reset();
  for (int i = 0; i < 516; ++i) acc.mac(-128, w, 127, w);
  EXPECT_EQ(acc.raw(), -8388096);
  EXPECT_EQ(acc.clips().clipped, 1u);
  acc.mac(-128, w, 127, w);
  EXPECT_EQ(acc.raw(), -8388608);
  EXPECT_EQ(acc.clips().clipped, 2u);
  EXPECT_EQ(acc.clips().total, 1038u);
  EXPECT_EQ(acc.min_raw(), -8388608);
  EXPECT_EQ(acc.max_raw(), 8388607);
}

TEST(FixedAccumulator, AlignsExactlyOrRefuses) {
  Accumulator acc(32, 10);
  acc.add({3, 4});  // 3 * 2^-4 = 192 * 2^-10
  EXPECT_EQ(acc.raw(), 192);
  EXPECT_THROW(acc.add({1, 11}), std::invalid_argument);  // would drop a bit
  EXPECT_THROW(acc.mac(1, Format::with_frac(8, true, 6), 1, Format::with_frac(8, true, 5)),
               std::invalid_argument);  // frac 11 product
  // Left shift beyond the width saturates: 1 * 2^(10 + 40) with 32 bits, and shifts >= 63.
  acc.add({1, -40});
  EXPECT_EQ(acc.raw(), INT32_MAX);
  acc.reset();
  acc.add({-1, -100});
  EXPECT_EQ(acc.raw(), INT32_MIN);
  EXPECT_EQ(acc.clips().clipped, 2u);
  EXPECT_EQ(acc.clips().total, 3u);
  // Requantizing the accumulator: INT32_MIN * 2^-10 = -2^21 into s8f0 saturates at -128.
  ClipCounter clips;
  EXPECT_EQ(requantize(acc.wide(), Format::with_frac(8, true, 0), Rounding::kNearest, 0, &clips), -128);
  EXPECT_EQ(clips.clipped, 1u);
}

}  // namespace
}  // namespace lrt::fx
