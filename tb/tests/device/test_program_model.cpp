// Program-verify as measured (program_model.h): the pulse distribution against its parameters,
// growth with wear, SET/RESET asymmetry on hand-computed writes, per-bit pricing of multi-level
// cells, and draws keyed by the cell write (not by call order).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "device/program_model.h"
#include "device/rram_array.h"

namespace lrt::device {
namespace {

RramArraySpecs program_specs(uint32_t bits_per_cell, double p0, double ratio) {
  RramArraySpecs s;
  s.cells = 4096;
  s.bits_per_cell = bits_per_cell;
  s.weight_bits = 8;
  s.levels_per_pulse = 1;
  s.max_pulses = 4096;  // far beyond any draw the tests make: no clamping
  s.read_before_write = true;
  s.read_energy_pj_per_bit = 1.76;
  s.write_energy_pj_per_bit = 10.9;
  s.read_latency_cycles = 2;
  s.pulse_cycles = 10;
  s.verify_cycles = 2;
  s.endurance.distribution = EnduranceDistribution::kFixed;
  s.endurance.writes = 1'000'000;
  s.program.model = ProgramModel::kStochastic;
  s.program.set_pass_probability = p0;
  s.program.reset_pass_probability = p0;
  s.program.wear_growth = 0.0;
  s.program.reset_energy_ratio = ratio;
  s.program.reset_pulse_cycles = 20;
  return s;
}

// Sample mean and variance of stochastic_pulses(m, p, u) over n uniforms from a fixed stream.
struct Moments {
  double mean = 0.0;
  double var = 0.0;
  uint64_t at_minimum = 0;  // draws of exactly m pulses
};
Moments pulse_moments(uint32_t m, double p, uint64_t n) {
  const CounterRng rng = make_rng(20260, RngStream::kTest, m);
  double sum = 0.0, sum2 = 0.0;
  Moments out;
  for (uint64_t i = 0; i < n; ++i) {
    const double x = stochastic_pulses(m, p, rng.uniform(i), 100000);
    sum += x;
    sum2 += x * x;
    if (x == m) ++out.at_minimum;
  }
  out.mean = sum / static_cast<double>(n);
  out.var = (sum2 - sum * out.mean) / static_cast<double>(n - 1);
  return out;
}

// N = m + NegativeBinomial(m, p): E = m / p, Var = m (1 - p) / p^2, excess kurtosis of the
// negative binomial 6 / m + p^2 / (m (1 - p)). Bounds: |z| <= 6 for the mean (CLT), for the
// sample variance (sd sigma^2 sqrt(2 / (n - 1) + kurtosis / n)) and for the count at the
// minimum (Binomial(n, p^m)); two-sided false-failure probability 2e-9 each.
TEST(ProgramPulses, MeanAndVarianceMatchTheNegativeBinomial) {
  constexpr uint64_t n = 200'000;
  for (const auto& [m, p] : std::vector<std::pair<uint32_t, double>>{{1, 0.5}, {3, 0.4}, {7, 0.9}, {2, 0.1}}) {
    const Moments got = pulse_moments(m, p, n);
    const double mean = m / p;
    const double var = m * (1.0 - p) / (p * p);
    const double kurtosis = 6.0 / m + p * p / (m * (1.0 - p));
    EXPECT_NEAR(got.mean, mean, 6.0 * std::sqrt(var / n)) << "m=" << m << " p=" << p;
    EXPECT_NEAR(got.var, var, 6.0 * var * std::sqrt(2.0 / (n - 1) + kurtosis / n)) << "m=" << m << " p=" << p;
    const double q = std::pow(p, m);
    EXPECT_NEAR(static_cast<double>(got.at_minimum), n * q, 6.0 * std::sqrt(n * q * (1.0 - q)))
        << "m=" << m << " p=" << p;
  }
}

TEST(ProgramPulses, EdgeCasesAndClamp) {
  EXPECT_EQ(stochastic_pulses(3, 1.0, 0.999999, 16), 3u);   // p = 1: the nominal steps
  EXPECT_EQ(stochastic_pulses(1, 0.5, 0.0, 16), 1u);        // u = 0: the minimum
  EXPECT_EQ(stochastic_pulses(1, 0.5, 0.5, 16), 2u);        // P(N = 1) = 0.5 is not > 0.5
  EXPECT_EQ(stochastic_pulses(1, 0.5, 0.75 - 1e-12, 16), 2u);
  EXPECT_EQ(stochastic_pulses(1, 0.5, 0.75, 16), 3u);
  EXPECT_EQ(stochastic_pulses(1, 1e-9, 0.5, 16), 16u);      // clamped to max_pulses
  EXPECT_EQ(stochastic_pulses(20, 0.9, 0.1, 16), 16u);      // more steps than max_pulses
  EXPECT_EQ(nominal_steps(7, 2), 4u);
}

// stochastic_pulses takes p itself for m = 1 instead of std::pow(p, 1): the same double, so
// the same pulses. Checked on the pass probabilities a write can see (every wear level of
// both fresh-cell values, up to 4x the median lifetime, for g = 0, 1, 10) and on random p.
TEST(ProgramPulses, OneStepSkipsPowWithTheSameResult) {
  uint64_t checked = 0;
  for (const double g : {0.0, 1.0, 10.0}) {
    ProgramSpecs s;
    s.wear_growth = g;
    for (const bool reset : {false, true})
      for (uint64_t writes = 0; writes <= 4000; ++writes) {
        const double p = pass_probability(s, reset, writes, 1000);
        ASSERT_EQ(std::pow(p, 1.0), p) << "writes " << writes;
        ++checked;
      }
  }
  CounterRng rng(101, 0);
  for (uint64_t i = 0; i < 1'000'000; ++i) {
    const double p = rng.uniform(i);
    ASSERT_EQ(std::pow(p, 1.0), p) << p;
  }
  EXPECT_EQ(checked, 3u * 2u * 4001u);
  // And the pulses themselves against the general formula's first term.
  for (uint64_t i = 0; i < 10'000; ++i) {
    const double p = 0.5 + 0.5 * rng.uniform(2'000'000 + i), u = rng.uniform(3'000'000 + i);
    const uint32_t pulses = stochastic_pulses(1, p, u, 64);
    EXPECT_EQ(pulses == 1, u < p) << "p " << p << " u " << u;
  }
}

TEST(ProgramPulses, GrowMonotonicallyWithWear) {
  ProgramSpecs s;
  s.set_pass_probability = 0.8;
  s.wear_growth = 2.0;
  constexpr uint64_t kMedian = 1000;
  EXPECT_DOUBLE_EQ(pass_probability(s, false, 0, kMedian), 0.8);
  EXPECT_DOUBLE_EQ(pass_probability(s, false, kMedian, kMedian), 0.8 / 3.0);
  const CounterRng rng = make_rng(5, RngStream::kTest, 9);
  for (uint64_t i = 0; i < 2000; ++i) {
    const double u = rng.uniform(i);
    uint32_t previous = 0;
    for (uint64_t w = 0; w <= 3 * kMedian; w += 50) {
      const double p = pass_probability(s, false, w, kMedian);
      ASSERT_LT(p, w == 0 ? 0.81 : pass_probability(s, false, w - 50, kMedian));
      const uint32_t pulses = stochastic_pulses(2, p, u, 4096);
      ASSERT_GE(pulses, previous) << "u=" << u << " w=" << w;  // same draw, more wear: never fewer
      previous = pulses;
    }
  }
  s.wear_growth = 0.0;
  EXPECT_DOUBLE_EQ(pass_probability(s, false, 123456, kMedian), 0.8);
}

TEST(ProgramPulses, WornCellsTakeMorePulsesOnAverage) {
  // One cell toggled 0 <-> 1 many times: pulses of writes 0-1999 against 8000-9999 with the
  // median lifetime at 10000 and g = 3 (p = 0.5 / (1 + 3 w / 1e4)).
  RramArraySpecs s = program_specs(1, 0.5, 1.0);
  s.program.wear_growth = 3.0;
  s.endurance.writes = 10'000;
  s.endurance.distribution = EnduranceDistribution::kFixed;
  RramArray a(s, 77);
  double early = 0.0, late = 0.0, early_expected = 0.0, late_expected = 0.0;
  for (uint32_t w = 0; w < 10'000; ++w) {
    const WordWriteResult r = a.write_word(0, (w % 2 == 0) ? 1 : 0);
    const double mean = 1.0 / pass_probability(s.program, w % 2 == 1, w, s.endurance.writes);
    if (w < 2000) {
      early += r.pulses;
      early_expected += mean;
    } else if (w >= 8000) {
      late += r.pulses;
      late_expected += mean;
    }
  }
  // Means about 2.6 vs 7.4 pulses a write: far apart; each sum within 6 sd of its model, the
  // sd bounded by the largest variance (1 - p) / p^2 in its range (the smallest p).
  EXPECT_GT(late, 2.5 * early);
  const auto sd_bound = [](double p_min) { return std::sqrt(2000.0 * (1.0 - p_min) / (p_min * p_min)); };
  EXPECT_NEAR(early, early_expected, 6.0 * sd_bound(0.5 / 1.6));
  EXPECT_NEAR(late, late_expected, 6.0 * sd_bound(0.5 / 4.0));
}

// Binary cells, p0 = 1 (so pulses = nominal steps), r = 1.5: E_set = 2 x 10.9 x 1 x 1 / (2.5 x 1)
// = 8.72 pJ, E_reset = 13.08 pJ; SET pulses take 10 cycles, RESET 20, each plus a 2-cycle verify.
TEST(ProgramAsymmetry, SetAndResetOnHandComputedWrites) {
  RramArray a(program_specs(1, 1.0, 1.5), 3);
  EXPECT_EQ(a.set_energy_per_pulse(), 87200u);
  EXPECT_EQ(a.reset_energy_per_pulse(), 130800u);
  WordWriteResult r = a.write_word(0, 0b0101);  // two SETs
  EXPECT_EQ(r.pulses, 2u);
  EXPECT_EQ(r.reset_pulses, 0u);
  EXPECT_EQ(r.energy.write, 2u * 87200u);
  EXPECT_EQ(r.latency_cycles, 2u + 12u);
  r = a.write_word(0, 0b0011);  // bit 1 SET, bit 2 RESET, in parallel: the RESET is the slower
  EXPECT_EQ(r.pulses, 2u);
  EXPECT_EQ(r.reset_pulses, 1u);
  EXPECT_EQ(r.energy.write, 87200u + 130800u);
  EXPECT_EQ(r.latency_cycles, 2u + 22u);
  r = a.write_word(0, 0);  // two RESETs
  EXPECT_EQ(r.reset_pulses, 2u);
  EXPECT_EQ(r.energy.write, 2u * 130800u);
  EXPECT_EQ(r.latency_cycles, 2u + 22u);
  EXPECT_EQ(a.stats().program_pulses, 6u);
  EXPECT_EQ(a.stats().reset_pulses, 3u);
  EXPECT_EQ(a.energy().write, 3u * 87200u + 3u * 130800u);
}

// 2-bit cells: the mean nominal steps over the 12 ordered pairs of distinct levels is
// (6 x 1 + 4 x 2 + 2 x 3) / 12 = 5/3; E_set = 2 x 10.9 x 2 x 1 / (2.5 x 5/3) = 10.464 pJ,
// E_reset = 15.696 pJ. Averaged over those 12 changes a cell write costs 2 bits x 10.9 pJ.
TEST(ProgramAsymmetry, MultiLevelCellsArePricedPerBitWritten) {
  EXPECT_DOUBLE_EQ(mean_nominal_steps(2, 1), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(mean_nominal_steps(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(mean_nominal_steps(3, 2), (2 * 7 * 1 + 2 * 6 * 1 + 2 * 5 * 2 + 2 * 4 * 2 + 2 * 3 * 3 + 2 * 2 * 3 +
                                              2 * 1 * 4) / 56.0);
  RramArray a(program_specs(2, 1.0, 1.5), 4);
  EXPECT_EQ(a.set_energy_per_pulse(), 104640u);
  EXPECT_EQ(a.reset_energy_per_pulse(), 156960u);
  // Cell 0 of word w (bits 0-1) goes from level i to level j for every ordered pair i != j.
  EnergyUnits total = 0;
  uint64_t word = 0;
  for (int32_t i = 0; i < 4; ++i) {
    for (int32_t j = 0; j < 4; ++j) {
      if (i == j) continue;
      a.poke_word(word, i);
      const WordWriteResult r = a.write_word(word, j);
      EXPECT_EQ(r.pulses, static_cast<uint32_t>(std::abs(i - j)));
      EXPECT_EQ(r.reset_pulses, j < i ? r.pulses : 0u);
      total += r.energy.write;
      ++word;
    }
  }
  EXPECT_EQ(total, 12u * 2u * 109000u);  // 12 writes of 2 bits at 10.9 pJ per bit, exactly
}

// The cited defaults (sky130 1T1R #5 single-pulse yields): SET pulses pass with 0.9745,
// RESET pulses with 0.9083, r = 1. Fresh binary cells: E_set = E_reset = 2 x 10.9 /
// (1 / 0.9745 + 1 / 0.9083) = 10.252 pJ. 40 000 SETs and 40 000 RESETs, one per fresh cell:
// each direction's mean pulses within 6 sd of 1 / p (sd^2 = (1 - p) / p^2 / n), and the mean
// energy of a write, SET and RESET equally likely, within 6 sd of 10.9 pJ per bit.
TEST(ProgramAsymmetry, SetAndResetDrawWithTheirOwnPassProbability) {
  RramArraySpecs s = program_specs(1, 0.5, 1.0);
  const ProgramSpecs cited;  // the defaults
  s.program.set_pass_probability = cited.set_pass_probability;
  s.program.reset_pass_probability = cited.reset_pass_probability;
  s.program.reset_energy_ratio = cited.reset_energy_ratio;
  EXPECT_EQ(cited.set_pass_probability, 0.9745);
  EXPECT_EQ(cited.reset_pass_probability, 0.9083);
  s.cells = 80'000;  // 10 000 words of 8 binary cells
  RramArray a(s, 11);
  const double e_pulse = 2.0 * 10.9 / (1.0 / 0.9745 + 1.0 / 0.9083);
  EXPECT_EQ(a.set_energy_per_pulse(), static_cast<EnergyUnits>(std::floor(e_pulse * 1e4 + 0.5)));
  EXPECT_EQ(a.reset_energy_per_pulse(), a.set_energy_per_pulse());
  uint64_t set_pulses = 0, reset_pulses = 0;
  EnergyUnits energy = 0;
  for (uint64_t w = 0; w < 5000; ++w) {             // words 0-4999: 8 SETs each (fresh cells, level 0 -> 1)
    const WordWriteResult r = a.write_word(w, -1);  // code -1: every cell's bit set
    ASSERT_EQ(r.reset_pulses, 0u);
    set_pulses += r.pulses;
    energy += r.energy.write;
  }
  for (uint64_t w = 5000; w < 10000; ++w) {  // words 5000-9999: poked high, then 8 RESETs each
    a.poke_word(w, -1);
    const WordWriteResult r = a.write_word(w, 0);
    ASSERT_EQ(r.reset_pulses, r.pulses);
    reset_pulses += r.pulses;
    energy += r.energy.write;
  }
  constexpr double n = 40'000;
  const auto check = [n](uint64_t pulses, double p, const char* what) {
    EXPECT_NEAR(static_cast<double>(pulses) / n, 1.0 / p, 6.0 * std::sqrt((1.0 - p) / (p * p) / n)) << what;
  };
  check(set_pulses, 0.9745, "SET");
  check(reset_pulses, 0.9083, "RESET");
  // Energy per bit written: pulses x e_pulse / 80 000 writes; its sd from the pulse counts.
  const double sd = e_pulse *
                    std::sqrt((1.0 - 0.9745) / (0.9745 * 0.9745) + (1.0 - 0.9083) / (0.9083 * 0.9083)) /
                    (2.0 * std::sqrt(n));
  EXPECT_NEAR(static_cast<double>(energy) / 1e4 / (2.0 * n), 10.9, 6.0 * sd);
}

TEST(ProgramModelSwitch, DeterministicKeepsTheFormerRule) {
  RramArraySpecs s = program_specs(2, 0.3, 1.5);
  s.program.model = ProgramModel::kDeterministic;
  RramArray a(s, 5);
  EXPECT_EQ(a.set_energy_per_pulse(), 109000u);
  EXPECT_EQ(a.reset_energy_per_pulse(), 109000u);
  const WordWriteResult up = a.write_word(0, 0x1B);  // 3 + 2 + 1 pulses, slowest 3
  EXPECT_EQ(up.pulses, 6u);
  EXPECT_EQ(up.latency_cycles, 2u + 3u * 12u);
  const WordWriteResult down = a.write_word(0, 0);  // RESET pulses take pulse_cycles too
  EXPECT_EQ(down.pulses, 6u);
  EXPECT_EQ(down.reset_pulses, 6u);
  EXPECT_EQ(down.latency_cycles, 2u + 3u * 12u);
  EXPECT_EQ(a.energy().write, 12u * 109000u);
  EXPECT_EQ(parse_program_model("deterministic"), ProgramModel::kDeterministic);
  EXPECT_STREQ(to_string(ProgramModel::kStochastic), "stochastic");
  EXPECT_THROW(parse_program_model("random"), std::invalid_argument);
}

// The draw of a cell write is uniform((writes << 32) | cell) of the sub-stream 2^31 + instance
// of kDeviceEndurance: the same in any order of writes to other cells (the two engines and any
// thread count make the same cell writes in different orders).
TEST(ProgramDraws, AreKeyedByTheCellWriteNotByCallOrder) {
  const RramArraySpecs s = program_specs(1, 0.3, 1.5);
  RramArray forward(s, 11, 2), backward(s, 11, 2), other(s, 11, 3);
  const CounterRng rng = make_rng(11, RngStream::kDeviceEndurance, (uint64_t{1} << 31) + 2);
  std::vector<uint32_t> f(512), b(512), first;
  for (int round = 0; round < 3; ++round) {
    const int32_t code = round % 2 == 0 ? 1 : 0;  // bit 0 of each word: cell 8w
    for (uint64_t w = 0; w < 512; ++w) {
      f[w] = forward.write_word(w, code).pulses;
      const uint64_t c = 8 * w;
      EXPECT_EQ(f[w], stochastic_pulses(1, 0.3, rng.uniform((uint64_t(round) << 32) | c), s.max_pulses));
    }
    for (uint64_t w = 512; w-- > 0;) b[w] = backward.write_word(w, code).pulses;
    EXPECT_EQ(f, b) << "round " << round;
    if (round == 0) first = f;
  }
  uint32_t differ = 0;
  for (uint64_t w = 0; w < 512; ++w) differ += other.write_word(w, 1).pulses != first[w] ? 1 : 0;
  EXPECT_GT(differ, 100u);  // another instance draws independently (P(equal) = sum p^2 q^2k ~ 0.2)
  EXPECT_EQ(forward.stats().program_pulses, backward.stats().program_pulses);
  EXPECT_EQ(forward.energy(), backward.energy());
}

TEST(ProgramSpecs, Validation) {
  RramArraySpecs s = program_specs(1, 0.5, 1.5);
  s.program.set_pass_probability = 0.0;
  EXPECT_THROW(validate(s), SpecError);
  s.program.set_pass_probability = 1.0;
  s.program.reset_pass_probability = 1.5;
  EXPECT_THROW(validate(s), SpecError);
  s.program.reset_pass_probability = 1.0;
  s.program.reset_energy_ratio = 0.0;
  EXPECT_THROW(validate(s), SpecError);
  s.program.reset_energy_ratio = 1.0;
  s.program.wear_growth = -1.0;
  EXPECT_THROW(validate(s), SpecError);
  s.program.wear_growth = 0.0;
  s.program.reset_pulse_cycles = 2'000'000;
  EXPECT_THROW(validate(s), SpecError);
  s.program.reset_pulse_cycles = 1;
  EXPECT_NO_THROW(validate(s));
}

}  // namespace
}  // namespace lrt::device
