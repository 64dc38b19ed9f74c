// RramArray drift (LRT paper Appendix F): event timing, the analog step kernel bit for bit,
// displacement variance and bit-flip counts within derived bounds, determinism.
//
// Statistical checks use |z| <= 6 on statistics that are sums of >= 1e4 independent terms
// (normal by the CLT): two-sided false-failure probability 2e-9 per check. The chi-square
// check states its own threshold.
#include <gtest/gtest.h>

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/fixed_point.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "device/cell_mapping.h"
#include "device/rram_array.h"
#include "device/weight_drift.h"

namespace lrt::device {
namespace {

constexpr double kZ = 6.0;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Variance of K = nearest integer to sigma * z, z ~ N(0, 1) (ties have probability 0; the
// mean is 0 by symmetry): sum over k of k^2 P(k - 1/2 <= sigma z < k + 1/2).
double rounded_normal_variance(double sigma) {
  double v = 0;
  const int kmax = static_cast<int>(std::ceil(12 * sigma)) + 2;
  for (int k = 1; k <= kmax; ++k) {
    const double p = normal_cdf((k + 0.5) / sigma) - normal_cdf((k - 0.5) / sigma);
    v += 2.0 * k * k * p;  // k and -k
  }
  return v;
}

RramArraySpecs drift_specs(uint64_t cells, uint32_t weight_bits, uint32_t bits_per_cell) {
  RramArraySpecs s;
  s.cells = cells;
  s.weight_bits = weight_bits;
  s.bits_per_cell = bits_per_cell;
  s.max_pulses = 255;
  s.endurance.distribution = EnduranceDistribution::kFixed;
  return s;
}

TEST(DriftKernel, RoundsToNearestTiesUpAndSaturates) {
  const fx::Format f8 = fx::Format::with_frac(8, true, 0);
  EXPECT_EQ(drift_code(0, 1.0, 0.5, f8), 1);   // tie -> +inf
  EXPECT_EQ(drift_code(0, 1.0, -0.5, f8), 0);  // tie -> +inf
  EXPECT_EQ(drift_code(0, 1.0, -0.5000001, f8), -1);
  EXPECT_EQ(drift_code(5, 2.0, 1.2, f8), 7);     // 5 + 2.4
  EXPECT_EQ(drift_code(-5, 2.0, -1.3, f8), -8);  // -5 - 2.6
  // The largest double below 1/2: naive floor(x + 0.5) would give 1 (x + 0.5 rounds to 1.0).
  EXPECT_EQ(drift_code(0, 1.0, 0.49999999999999994, f8), 0);
  EXPECT_EQ(drift_code(127, 4.0, 10.0, f8), 127);  // clipped at +1: the largest code, 1 - LSB
  EXPECT_EQ(drift_code(-128, 4.0, -10.0, f8), -128);
}

// drift_code rounds in doubles; fx::quantize (exact integer arithmetic on the double's
// significand) is the reference. Near ties, around every integer of the range and beyond it, and
// random sums as a drift event forms them.
TEST(DriftKernel, RoundsAsTheFixedPointQuantizer) {
  uint64_t checked = 0;
  for (const fx::Format f : {fx::Format::with_frac(8, true, 0), fx::Format::with_frac(4, true, 0),
                             fx::Format::with_frac(16, true, 0)}) {
    const auto reference = [&](double x) {
      return static_cast<int32_t>(fx::quantize(x, f, fx::Rounding::kNearest, 0, nullptr));
    };
    const auto lo = static_cast<int32_t>(f.min_code()), hi = static_cast<int32_t>(f.max_code());
    for (int32_t k = lo - 3; k <= hi + 3; ++k) {
      for (const double base : {k - 0.5, static_cast<double>(k), k + 0.5}) {
        double x = base;
        for (int i = 0; i < 4; ++i) x = std::nextafter(x, -1e9);
        for (int i = 0; i < 9; ++i, x = std::nextafter(x, 1e9)) {
          ASSERT_EQ(drift_code(0, 1.0, x, f), reference(x)) << "x = " << x;
          ++checked;
        }
      }
    }
    for (const double x : {-1e-300, 1e-300, -0.0, 0.0, -1e-17, -0.49999999999999994, -0.5000000000000001,
                           1e300, -1e300, 0.49999999999999994})
      ASSERT_EQ(drift_code(0, 1.0, x, f), reference(x)) << "x = " << x;
    CounterRng rng(97, 0);
    for (uint64_t i = 0; i < 200'000; ++i) {
      const auto code = static_cast<int32_t>(lo + static_cast<int64_t>(rng.uniform(2 * i) * (hi - lo + 1)));
      const double sigma = 0.01 + 8.0 * rng.uniform(2 * i + 1);
      const double z = rng.normal(i);
      ASSERT_EQ(drift_code(code, sigma, z, f), reference(static_cast<double>(code) + sigma * z))
          << code << " + " << sigma << " * " << z;
      ++checked;
    }
  }
  EXPECT_GT(checked, 600'000u);
}

TEST(DriftKernel, PaperParameters) {
  DriftSpecs d;  // d = 10, H = 1e6
  d.analog_sigma0 = 10;
  d.flip_p0 = 10;
  EXPECT_DOUBLE_EQ(analog_sigma_per_event(d), 1.0 / std::sqrt(1000.0));  // 10 / sqrt(1e5)
  EXPECT_DOUBLE_EQ(flip_probability_per_event(d), 1e-4);                 // 10 / 1e5
}

TEST(RramDrift, EventsHappenAtMultiplesOfTheInterval) {
  RramArraySpecs s = drift_specs(64, 8, 1);
  s.drift.analog_sigma0 = 10;
  RramArray a(s, 1);
  EXPECT_EQ(a.advance_samples(9), 0u);   // 9
  EXPECT_EQ(a.advance_samples(1), 1u);   // 10
  EXPECT_EQ(a.advance_samples(25), 2u);  // 35: events at 20, 30
  EXPECT_EQ(a.advance_samples(5), 1u);   // 40
  EXPECT_EQ(a.advance_samples(0), 0u);
  EXPECT_EQ(a.samples(), 40u);
  EXPECT_EQ(a.stats().drift_events, 4u);
}

TEST(RramDrift, NoModelNoChange) {
  RramArray a(drift_specs(64, 8, 1), 1);
  a.poke_word(3, 77);
  EXPECT_EQ(a.advance_samples(1000), 0u);
  EXPECT_EQ(a.peek_word(3), 77);
  EXPECT_EQ(a.stats().drift_events, 0u);
}

TEST(RramDrift, AnalogDisplacementVarianceMatchesNSigmaSquared) {
  // 16-bit codes, weight range 1: LSB = 2^-15. d = 100, H = 1e6: sqrt(H/d) = 100, and
  // sigma0 = 100 * 2^-12 gives sigma = 2^-12 weight units = 8 codes per event, exactly.
  RramArraySpecs s = drift_specs(400'000, 16, 8);
  s.drift.interval_samples = 100;
  s.drift.horizon_samples = 1'000'000;
  s.drift.analog_sigma0 = 100.0 * std::ldexp(1.0, -12);
  RramArray a(s, 41);
  const uint64_t events = 25;
  ASSERT_EQ(a.advance_samples(events * 100), events);
  // Re-quantizing an integer code keeps it integer, so after n events D = sum of n independent
  // K_i = nearest(8 z_i): E D = 0, Var D = n v, v = Var K = 64 + ~1/12. No clipping: sd of D
  // is 40 codes, the range is +-32768.
  const double v = rounded_normal_variance(8.0);
  ASSERT_NEAR(v, 64.0 + 1.0 / 12.0, 1e-6);  // Sheppard's correction, as a check of the oracle
  const double m = static_cast<double>(a.words());
  double sum = 0;
  double sum2 = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const double d = a.peek_word(w);
    sum += d;
    sum2 += d * d;
  }
  const double nv = static_cast<double>(events) * v;
  // Mean of D over m words: sd sqrt(n v / m).
  EXPECT_LT(std::fabs(sum / m), kZ * std::sqrt(nv / m));
  // Mean of D^2 over m words estimates n v; D is a sum of 25 near-normal steps (excess
  // kurtosis < 1e-4), so Var(D^2) = 2 (n v)^2 and the estimate has relative sd sqrt(2 / m).
  EXPECT_LT(std::fabs(sum2 / m / nv - 1.0), kZ * std::sqrt(2.0 / m));
}

// An analog event moves every word to drift_code(its code, sigma, z) with z the ziggurat
// normal at index (event << 32) | word of the array's analog stream (docs/device.md), its stuck
// cells kept: bit for bit, word for word; the changed words are listed once each, in order.
// Widths that clip (sigma 40 / sqrt(1e5) weight units is 0.5 to 164 codes), stuck cells, two
// bits a cell, and word counts that leave the four-word steps a tail.
TEST(RramDrift, AnalogEventIsTheDriftKernelOfEveryWord) {
  for (const auto& [bits, per_cell, words] : std::vector<std::tuple<uint32_t, uint32_t, uint64_t>>{
           {8, 1, 1003}, {16, 4, 517}, {3, 1, 1001}, {6, 2, 998}}) {
    SCOPED_TRACE(std::to_string(bits) + "-bit words, " + std::to_string(per_cell) + "-bit cells");
    const CellMapping map(bits, per_cell);
    RramArraySpecs s = drift_specs(words * map.cells_per_word(), bits, per_cell);
    s.stuck_at_fault_rate = 0.3;
    s.drift.analog_sigma0 = 40;
    constexpr uint64_t kSeed = 61, kInstance = 3;
    RramArray a(s, kSeed, kInstance);
    RngCursor codes(5, 9);
    std::vector<uint32_t> before(words), stuck(words, 0);
    for (uint64_t w = 0; w < words; ++w) {
      a.poke_word(w, map.min_code() + static_cast<int32_t>(codes.below(uint64_t{1} << bits)));
      before[w] = map.pattern_of(a.peek_word(w));
      for (uint32_t j = 0; j < map.cells_per_word(); ++j)
        if (a.cell(w * map.cells_per_word() + j).stuck_at_fault) stuck[w] |= map.cell_mask(j);
    }
    std::vector<uint64_t> listed;
    ASSERT_EQ(a.advance_samples(s.drift.interval_samples, &listed), 1u);
    const CounterRng analog = make_rng(kSeed, RngStream::kDeviceDrift, 2 * kInstance);
    std::vector<uint64_t> moved_words;
    const double sigma =
        std::ldexp(analog_sigma_per_event(s.drift) / s.weight_range, static_cast<int>(bits) - 1);
    const fx::Format format = fx::Format::with_frac(static_cast<int>(bits), true, 0);
    uint64_t moved = 0, clipped = 0;
    for (uint64_t w = 0; w < words; ++w) {
      const int32_t code =
          drift_code(map.code_of(before[w]), sigma, analog.normal_ziggurat((uint64_t{1} << 32) | w), format);
      const uint32_t want = (map.pattern_of(code) & ~stuck[w]) | (before[w] & stuck[w]);
      ASSERT_EQ(map.pattern_of(a.peek_word(w)), want) << "word " << w;
      moved += want != before[w];
      if (want != before[w]) moved_words.push_back(w);
      clipped += code == map.min_code() || code == map.max_code();
    }
    EXPECT_EQ(a.stats().analog_drift_word_changes, moved);
    EXPECT_EQ(listed, moved_words);  // the changed words, each once, in word order
    EXPECT_GT(moved, words / 10);  // the 3-bit words: 0.5 codes a step, 30 % of cells stuck
    EXPECT_GT(clipped, 0u);
  }
}

TEST(RramDrift, AnalogClipsAtTheCodeRange) {
  // The paper's parameters with 8-bit weights: sigma = 10 / sqrt(1e5) = 0.0316 = 4.05 codes.
  RramArraySpecs s = drift_specs(80'000, 8, 1);
  s.drift.analog_sigma0 = 10;
  RramArray a(s, 43);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, 127);
  ASSERT_EQ(a.advance_samples(10), 1u);
  const double sigma_codes = 10.0 / std::sqrt(1e5) * 128.0;
  // After one event a word stays at 127 iff 127 + sigma z >= 126.5 (everything above clips):
  // p = P(z >= -0.5 / sigma).
  const double p = 1.0 - normal_cdf(-0.5 / sigma_codes);
  uint64_t at_top = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const int32_t c = a.peek_word(w);
    ASSERT_LE(c, 127);
    at_top += c == 127 ? 1 : 0;
  }
  const double n = static_cast<double>(a.words());
  EXPECT_LT(std::fabs(static_cast<double>(at_top) - n * p), kZ * std::sqrt(n * p * (1 - p)));
}

TEST(RramDrift, StuckCellsDoNotDrift) {
  RramArraySpecs s = drift_specs(20'000, 16, 4);
  s.stuck_at_fault_rate = 0.5;
  s.drift.analog_sigma0 = 10;  // 1036 codes per event: the low cells of free words move
  s.drift.flip_p0 = 100;
  RramArray a(s, 47);
  std::vector<uint32_t> before(a.cells_used());
  for (uint64_t c = 0; c < a.cells_used(); ++c) before[c] = a.cell(c).level;
  a.advance_samples(50);
  uint64_t free_moved = 0;
  for (uint64_t c = 0; c < a.cells_used(); ++c) {
    const CellState st = a.cell(c);
    if (st.stuck_at_fault) {
      ASSERT_EQ(st.level, before[c]) << "stuck cell " << c;
    } else {
      free_moved += st.level != before[c] ? 1 : 0;
    }
  }
  EXPECT_GT(free_moved, a.cells_used() / 4);
}

TEST(RramDrift, ResultsDoNotDependOnHowTheClockIsAdvanced) {
  for (const FlipModel model : {FlipModel::kBinomial2, FlipModel::kBernoulli}) {
    SCOPED_TRACE(to_string(model));
    RramArraySpecs s = drift_specs(8000, 8, 2);
    s.drift.analog_sigma0 = 10;
    s.drift.flip_p0 = 100;
    s.drift.flip_model = model;
    RramArray one_call(s, 53, 4);
    RramArray many_calls(s, 53, 4);
    RramArray other_instance(s, 53, 5);
    one_call.advance_samples(1000);
    for (int i = 0; i < 1000; ++i) {
      many_calls.advance_samples(1);
      if (i % 7 == 0)
        many_calls.read_word(static_cast<uint64_t>(i) % many_calls.words());  // reads change nothing
    }
    other_instance.advance_samples(1000);
    uint64_t differ_other = 0;
    for (uint64_t w = 0; w < one_call.words(); ++w) {
      ASSERT_EQ(one_call.peek_word(w), many_calls.peek_word(w)) << "word " << w;
      differ_other += one_call.peek_word(w) != other_instance.peek_word(w) ? 1 : 0;
    }
    EXPECT_EQ(one_call.stats().bit_flips, many_calls.stats().bit_flips);
    EXPECT_GT(differ_other, one_call.words() / 2);
  }
}

TEST(RramDrift, ChangedWordsAreReported) {
  for (const FlipModel model : {FlipModel::kBinomial2, FlipModel::kBernoulli}) {
    SCOPED_TRACE(to_string(model));
    RramArraySpecs s = drift_specs(4000, 8, 1);
    s.drift.flip_p0 = 1000;
    s.drift.flip_model = model;
    RramArray a(s, 59);
    std::vector<int32_t> before(a.words());
    for (uint64_t w = 0; w < a.words(); ++w) before[w] = a.peek_word(w);
    std::vector<uint64_t> changed;
    a.advance_samples(30, &changed);
    const std::set<uint64_t> listed(changed.begin(), changed.end());
    uint64_t differing = 0;
    for (uint64_t w = 0; w < a.words(); ++w) {
      if (a.peek_word(w) != before[w]) {
        ++differing;
        ASSERT_EQ(listed.count(w), 1u) << "word " << w << " changed but was not reported";
      }
    }
    EXPECT_GT(differing, 0u);
  }
}

// With `dense` asked for, a call that applies an analog event lists nothing and says so; one
// that applies only digital events (or none) lists as before; the codes are those of a twin
// that lists every change, and peek_words() reads them.
TEST(RramDrift, AnalogEventsAreReportedAsDense) {
  RramArraySpecs s = drift_specs(4000, 8, 1);
  s.drift.analog_sigma0 = 10;
  s.drift.flip_p0 = 1000;
  RramArray dense_told(s, 67), listed(s, 67);
  std::vector<uint64_t> changed{7}, twin_changed;  // a prior entry stays
  bool dense = true;
  dense_told.advance_samples(9, &changed, &dense);  // no event
  EXPECT_FALSE(dense);
  EXPECT_EQ(changed, std::vector<uint64_t>{7});
  listed.advance_samples(9, &twin_changed);
  dense_told.advance_samples(1, &changed, &dense);  // event 1: analog and digital
  listed.advance_samples(1, &twin_changed);
  EXPECT_TRUE(dense);
  EXPECT_EQ(changed, std::vector<uint64_t>{7});
  EXPECT_GT(twin_changed.size(), dense_told.words() / 2);
  std::vector<int32_t> codes(dense_told.words());
  dense_told.peek_words(0, dense_told.words(), codes.data());
  for (uint64_t w = 0; w < dense_told.words(); ++w) {
    ASSERT_EQ(codes[w], listed.peek_word(w)) << "word " << w;
    ASSERT_EQ(codes[w], dense_told.peek_word(w)) << "word " << w;
  }
  EXPECT_THROW(dense_told.peek_words(1, dense_told.words(), codes.data()), std::out_of_range);

  s.drift.analog_sigma0 = 0;  // digital only: listed even when dense is asked for
  RramArray digital(s, 71);
  std::vector<uint64_t> flipped;
  digital.advance_samples(10, &flipped, &dense);
  EXPECT_FALSE(dense);
  EXPECT_FALSE(flipped.empty());
}

TEST(RramBitFlips, CountIsBinomialAndEachFlipIsApplied) {
  // p = p0 / (H / d) = 100 / 1e5 = 1e-3; 800k stored bits, 50 events. The former rule:
  // every bit flips independently with p.
  RramArraySpecs s = drift_specs(800'000, 8, 1);
  s.drift.flip_p0 = 100;
  s.drift.flip_model = FlipModel::kBernoulli;
  RramArray a(s, 61);
  const double p = 1e-3;
  std::vector<uint16_t> prev(a.words(), 0);
  std::vector<double> per_position(8, 0.0);
  uint64_t observed = 0;
  for (int e = 0; e < 50; ++e) {
    ASSERT_EQ(a.advance_samples(10), 1u);
    // Within one event each bit flips at most once, so the XOR with the previous state shows
    // every flip of that event.
    for (uint64_t w = 0; w < a.words(); ++w) {
      const auto now = static_cast<uint16_t>(a.mapping().pattern_of(a.peek_word(w)));
      const auto x = static_cast<uint16_t>(now ^ prev[w]);
      if (x != 0) {
        for (int b = 0; b < 8; ++b) per_position[b] += (x >> b) & 1;
        observed += std::bitset<16>(x).count();
      }
      prev[w] = now;
    }
  }
  EXPECT_EQ(observed, a.stats().bit_flips);
  // flips ~ Binomial(N, p), N = bits x events = 4e7: mean 4e4, sd 200.
  const double n = 8.0 * static_cast<double>(a.words()) * 50.0;
  EXPECT_LT(std::fabs(static_cast<double>(observed) - n * p), kZ * std::sqrt(n * p * (1 - p)));
  // Every bit position is equally likely: chi-square with 7 degrees of freedom; P(X > 45) = 1.4e-7.
  const double expected = static_cast<double>(observed) / 8.0;
  double chi2 = 0;
  for (double c : per_position) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 45.0);
}

TEST(RramBitFlips, ProbabilityOneFlipsEveryFreeBitEveryEvent) {
  RramArraySpecs s = drift_specs(800, 8, 1);
  s.drift.interval_samples = 10;
  s.drift.horizon_samples = 10;
  s.drift.flip_p0 = 1.0;  // p = 1
  s.drift.flip_model = FlipModel::kBernoulli;
  RramArray a(s, 67);
  a.poke_word(0, 0x35);
  a.advance_samples(10);
  EXPECT_EQ(a.peek_word(0), -54);  // 0xCA
  for (uint64_t w = 1; w < a.words(); ++w) ASSERT_EQ(a.peek_word(w), -1);
  EXPECT_EQ(a.stats().bit_flips, 8u * a.words());
  a.advance_samples(10);
  EXPECT_EQ(a.peek_word(0), 0x35);
}

// ---- binomial2, the authors' flip model (the default) ----------------------------------------

// Hand-computed cases of the authors' rule on 8-bit codes: o = code + 128, o' = o XOR F with
// F = sum_b c_b 2^b, the new code min(o', 255) - 128.
TEST(Binomial2Flip, HandComputedCarryAndSaturation) {
  const CellMapping map(8, 1);
  const auto flip = [&](int32_t code, uint32_t flips) {
    return map.code_of(binomial2_flip(map.pattern_of(code), flips, 8));
  };
  EXPECT_EQ(flip(0, 1), 1);            // c_0 = 1: an ordinary flip of bit 0 (o 0x80 -> 0x81)
  EXPECT_EQ(flip(0, 2), 2);            // c_0 = 2: the count carries into bit 1, bit 0 stays (0x80 -> 0x82)
  EXPECT_EQ(flip(5, 2 + 2), 1);        // c_0 = 2, c_1 = 1: F = 4, so only bit 2 flips (0x85 -> 0x81)
  EXPECT_EQ(flip(5, 2 + 2 * 2), 3);    // c_0 = 2, c_1 = 2: F = 6, bits 1 and 2 flip (0x85 -> 0x83)
  EXPECT_EQ(flip(127, 128), -1);       // c_7 = 1: the top bit of the offset code (0xFF -> 0x7F)
  EXPECT_EQ(flip(-1, 2 * 128), 127);   // c_7 = 2: o' = 0x7F ^ 0x100 = 0x17F > 255 saturates at 127
  EXPECT_EQ(flip(127, 2 * 128), 127);  // 0xFF ^ 0x100 = 0x1FF: stays at the top code
  EXPECT_EQ(flip(-128, 2 * 64 + 128), 127);  // c_6 = 2, c_7 = 1: F = 256 carries out of the word
  EXPECT_EQ(flip(-128, 2 * 255), 127);       // every count 2 (p = 1): F = 510 always saturates
  EXPECT_EQ(flip(-100, 0), -100);            // no flips, no change
  // Two's complement codes: XOR commutes with the offset, so below the saturation it is the
  // XOR of the pattern.
  for (int32_t c = -128; c < 128; ++c)
    for (uint32_t f : {1u, 7u, 0x55u, 0xAAu, 0xFFu})
      ASSERT_EQ(flip(c, f), map.code_of(map.pattern_of(c) ^ f));
  // Other widths: a 4-bit code 7 (o = 15) with c_3 = 2 (F = 16) saturates at 7; code -8 (o = 0)
  // with F = 3 is -5.
  const CellMapping m4(4, 1);
  EXPECT_EQ(m4.code_of(binomial2_flip(m4.pattern_of(7), 16, 4)), 7);
  EXPECT_EQ(m4.code_of(binomial2_flip(m4.pattern_of(-8), 3, 4)), -5);
}

// The per-bit law. In one event F = X + Y, X and Y words of independent Bernoulli(p) bits (the
// two trials of each count c_b = x_b + y_b). Bit b of F is x_b XOR y_b XOR k_b, k_b the carry
// into bit b, independent of x_b, y_b:
//   P(F_b = 1) = r_b = 2p(1-p) (1 - q_b) + (1 - 2p(1-p)) q_b,  q_0 = 0,  q_(b+1) = p^2 + 2p(1-p) q_b:
// the odd-count XOR rate 2p(1-p) of a lone bit, moved by the carry of the counts of 2 below it
// (q_b: two successes at b - 1, or one and an incoming carry). The stored word is o' =
// min(o XOR F, 255), so a stored bit changes with probability E_b = P(bit b of min(o XOR F,
// 255) XOR o), which the test computes exactly by enumerating the 65,536 pairs (X, Y); it first
// checks the closed form r_b against that enumeration (deterministic, to 1e-12).
// Statistical part: p = 0.2, m = 200,000 words at code 0, one event: the count of words whose
// bit b changed is Binomial(m, E_b); we accept |count - m E_b| <= 6 sd (false failure 2e-9 per
// bit by the CLT, 1.6e-8 for the 8 bits and the two totals). The carry matters here: without it
// (F = X XOR Y, no saturation) bits 1..6 would differ by more than 30 sd.
TEST(RramBitFlips, Binomial2PerBitChangeFollowsTheExactLaw) {
  const double p = 0.2;
  const int bits = 8;
  // The exact law by enumeration.
  std::vector<double> px(256);
  for (uint32_t x = 0; x < 256; ++x) {
    const int ones = static_cast<int>(std::bitset<8>(x).count());
    px[x] = std::pow(p, ones) * std::pow(1 - p, bits - ones);
  }
  const uint32_t o = 0x80;  // code 0
  std::vector<double> f_bit(9, 0.0), change(8, 0.0), no_carry(8, 0.0);
  double flips_mean = 0, flips_sq = 0, top = 0;
  for (uint32_t x = 0; x < 256; ++x)
    for (uint32_t y = 0; y < 256; ++y) {
      const double pr = px[x] * px[y];
      const uint32_t f = x + y;
      const uint32_t stored = std::min(o ^ f, 255u);
      for (int b = 0; b < 9; ++b) f_bit[b] += ((f >> b) & 1) * pr;
      for (int b = 0; b < 8; ++b) {
        change[b] += (((stored ^ o) >> b) & 1) * pr;
        no_carry[b] += (((x ^ y) >> b) & 1) * pr;
      }
      const double n = static_cast<double>(std::bitset<8>(stored ^ o).count());
      flips_mean += n * pr;
      flips_sq += n * n * pr;
      top += stored == 255 ? pr : 0.0;
    }
  double q = 0;
  for (int b = 0; b < bits; ++b) {
    const double r = 2 * p * (1 - p) * (1 - q) + (1 - 2 * p * (1 - p)) * q;
    EXPECT_NEAR(f_bit[b], r, 1e-12) << "bit " << b;
    q = p * p + 2 * p * (1 - p) * q;
  }
  EXPECT_NEAR(f_bit[8], q, 1e-12);  // the carry out of the word: the saturation probability

  RramArraySpecs s = drift_specs(200'000, 8, 8);  // one 8-bit cell per word
  s.drift.interval_samples = 10;
  s.drift.horizon_samples = 10;
  s.drift.flip_p0 = p;                                   // p = p0 / (H / d)
  ASSERT_EQ(s.drift.flip_model, FlipModel::kBinomial2);  // the default
  RramArray a(s, 83);
  const double m = static_cast<double>(a.words());
  ASSERT_EQ(a.advance_samples(10), 1u);
  std::vector<double> observed(8, 0.0);
  double total = 0, at_top = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t x = a.mapping().pattern_of(a.peek_word(w));  // the change: the old pattern was 0
    for (int b = 0; b < 8; ++b) observed[b] += (x >> b) & 1;
    total += static_cast<double>(std::bitset<8>(x).count());
    at_top += a.peek_word(w) == 127 ? 1 : 0;
  }
  for (int b = 0; b < 8; ++b) {
    const double sd = std::sqrt(m * change[b] * (1 - change[b]));
    EXPECT_LT(std::fabs(observed[b] - m * change[b]), kZ * sd) << "bit " << b;
    if (b >= 1 && b <= 6) {  // the test can tell the authors' counts from a carry-free XOR
      EXPECT_GT(std::fabs(m * change[b] - m * no_carry[b]), 30 * sd) << "bit " << b;
    }
  }
  EXPECT_EQ(total, static_cast<double>(a.stats().bit_flips));
  EXPECT_LT(std::fabs(total - m * flips_mean), kZ * std::sqrt(m * (flips_sq - flips_mean * flips_mean)));
  EXPECT_LT(std::fabs(at_top - m * top), kZ * std::sqrt(m * top * (1 - top)));
}

// At the paper's p = 1e-4 the carry is negligible (q_1 = p^2) and the authors' counts flip a
// bit about twice as often as a Bernoulli(p) flip: 2p(1 - p) per bit. 1e6 stored bits, 40
// events; |count - mean| <= 6 sd of Binomial(n, r) (false failure 2e-9 each).
TEST(RramBitFlips, Binomial2FlipsABitAboutTwiceAsOftenAsBernoulli) {
  RramArraySpecs s = drift_specs(1'000'000, 8, 1);
  s.drift.flip_p0 = 10;  // the paper's p0: p = 1e-4 with d = 10, H = 1e6
  const double p = 1e-4;
  uint64_t counts[2] = {0, 0};
  for (const FlipModel model : {FlipModel::kBinomial2, FlipModel::kBernoulli}) {
    s.drift.flip_model = model;
    RramArray a(s, 89);
    std::vector<uint16_t> prev(a.words(), 0);
    for (int e = 0; e < 40; ++e) {
      a.advance_samples(10);
      for (uint64_t w = 0; w < a.words(); ++w) {
        const auto now = static_cast<uint16_t>(a.mapping().pattern_of(a.peek_word(w)));
        counts[model == FlipModel::kBernoulli] += std::bitset<16>(now ^ prev[w]).count();
        prev[w] = now;
      }
    }
    EXPECT_EQ(counts[model == FlipModel::kBernoulli], a.stats().bit_flips);
  }
  const double n = 1e6 * 40;
  // binomial2: r_b = 2p(1-p)(1-q_b) + (1-2p(1-p)) q_b with q_b <= p^2 / (1 - 2p): within 1e-8 of
  // 2p(1-p); saturation (F >= 256) has probability ~p^2 per word and is negligible here.
  const double r = 2 * p * (1 - p);
  EXPECT_LT(std::fabs(static_cast<double>(counts[0]) - n * r), kZ * std::sqrt(n * r * (1 - r)) + n * 1e-8);
  EXPECT_LT(std::fabs(static_cast<double>(counts[1]) - n * p), kZ * std::sqrt(n * p * (1 - p)));
}

// p = 1: every count is 2, F = 2 (2^8 - 1) = 510 >= 256, so every free word saturates at the
// largest code, and stays there (0xFF XOR 0x1FE = 0x101 saturates again). Stuck cells (here
// multi-bit: two 4-bit cells per word) keep their levels; the free cell takes its bits of 0x7F.
TEST(RramBitFlips, Binomial2ProbabilityOneSaturatesEveryFreeCell) {
  RramArraySpecs s = drift_specs(2 * 4000, 8, 4);
  s.drift.interval_samples = 10;
  s.drift.horizon_samples = 10;
  s.drift.flip_p0 = 1.0;  // p = 1
  s.stuck_at_fault_rate = 0.3;
  RramArray a(s, 97);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, static_cast<int32_t>(w % 256) - 128);
  std::vector<uint32_t> before(a.cells_used());
  for (uint64_t c = 0; c < a.cells_used(); ++c) before[c] = a.cell(c).level;
  uint64_t expected_flips = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    uint32_t target = 0;
    for (uint32_t j = 0; j < 2; ++j) {
      const bool stuck = a.cell(2 * w + j).stuck_at_fault;
      target = a.mapping().with_level(target, j, stuck ? before[2 * w + j] : a.mapping().level(0x7F, j));
    }
    expected_flips += std::bitset<8>(target ^ a.mapping().pattern_of(a.peek_word(w))).count();
  }
  a.advance_samples(10);
  uint64_t stuck = 0;
  for (uint64_t c = 0; c < a.cells_used(); ++c) {
    const CellState st = a.cell(c);
    stuck += st.stuck_at_fault ? 1 : 0;
    ASSERT_EQ(st.level, st.stuck_at_fault ? before[c] : a.mapping().level(0x7F, static_cast<uint32_t>(c % 2)))
        << c;
    ASSERT_EQ(st.writes, 0u);  // drift is no write
  }
  EXPECT_GT(stuck, 0u);
  EXPECT_EQ(a.stats().bit_flips, expected_flips);
  const std::vector<uint16_t> patterns = a.state().patterns;
  a.advance_samples(10);
  EXPECT_EQ(a.state().patterns, patterns);
  EXPECT_EQ(a.stats().bit_flips, expected_flips);
}

// An event draws two trials per stored bit; their counter range (2^32 per event) bounds the
// array to 2^31 - 1 stored bits while binomial2 flips are on.
TEST(RramBitFlips, Binomial2BoundsTheStoredBits) {
  RramArraySpecs s = drift_specs(uint64_t{1} << 31, 8, 1);  // 2^28 words: 2^31 stored bits
  s.drift.flip_p0 = 10;
  try {
    RramArray a(s, 1);
    FAIL() << "no SpecError";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.member(), "cells");
    EXPECT_NE(std::string(e.what()).find("binomial2"), std::string::npos) << e.what();
  }
}

TEST(BernoulliGaps, MatchesTrialByTrialSemantics) {
  // Successes among n trials: count ~ Binomial(n, p) and positions uniform.
  const uint64_t n = 1'000'000;
  const double p = 0.01;
  RngCursor rng(71, static_cast<uint64_t>(RngStream::kTest));
  uint64_t count = 0;
  uint64_t last = 0;
  bool first = true;
  double position_sum = 0;
  for_each_bernoulli_success(n, p, rng, [&](uint64_t pos) {
    ASSERT_LT(pos, n);
    if (!first) {
      ASSERT_GT(pos, last);
    }
    first = false;
    last = pos;
    ++count;
    position_sum += static_cast<double>(pos);
  });
  const double nd = static_cast<double>(n);
  EXPECT_LT(std::fabs(static_cast<double>(count) - nd * p), kZ * std::sqrt(nd * p * (1 - p)));
  // Positions of successes are uniform on [0, n): mean (n - 1) / 2, sd n / sqrt(12 count).
  const double mean_pos = position_sum / static_cast<double>(count);
  EXPECT_LT(std::fabs(mean_pos - (nd - 1) / 2), kZ * nd / std::sqrt(12.0 * static_cast<double>(count)));
  // Zero probability or zero trials draw nothing.
  RngCursor untouched(71, 0);
  for_each_bernoulli_success(n, 0.0, untouched, [](uint64_t) { FAIL(); });
  for_each_bernoulli_success(0, 0.5, untouched, [](uint64_t) { FAIL(); });
  EXPECT_EQ(untouched.next_index(), 0u);
}

}  // namespace
}  // namespace lrt::device

namespace lrt::device {
namespace {

// Analog drift spread over a thread pool: the same patterns, statistics and changed-word list
// (in word order) as on one thread, for any thread count. 40,000 words: above the size where
// the array splits an event into chunks.
TEST(RramDrift, ThreadPoolGivesIdenticalResults) {
  RramArraySpecs s;
  s.cells = 40000 * 8;
  s.weight_bits = 8;
  s.bits_per_cell = 1;
  s.drift.interval_samples = 2;
  s.drift.horizon_samples = 1000;
  s.drift.analog_sigma0 = 1.0;
  s.drift.flip_p0 = 1.0;
  s.stuck_at_fault_rate = 0.01;
  const auto run = [&](int threads) {
    RramArray a(s, 7, 3);
    ThreadPool pool(std::max(threads, 1));
    if (threads > 0) a.set_thread_pool(&pool);  // 0: no pool at all
    for (uint64_t w = 0; w < a.words(); w += 3) a.poke_word(w, static_cast<int32_t>(w % 200) - 100);
    std::vector<uint64_t> changed;
    a.advance_samples(10, &changed);
    std::vector<int32_t> codes;
    for (uint64_t w = 0; w < a.words(); ++w) codes.push_back(a.peek_word(w));
    return std::make_tuple(codes, changed, a.stats().analog_drift_word_changes, a.stats().bit_flips);
  };
  const auto serial = run(0);
  EXPECT_GT(std::get<2>(serial), 1000u);  // the drift really changed words
  for (int threads : {1, 2, 3}) EXPECT_EQ(run(threads), serial) << threads << " threads";
}

}  // namespace
}  // namespace lrt::device
