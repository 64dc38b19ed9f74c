// RramArray read-side effects: read noise statistics within derived bounds, noise frozen per
// sample, hand-computed power-law conductance drift.
//
// Statistical checks use |z| <= 6 on statistics that are sums of >= 1e4 independent terms
// (normal by the CLT): two-sided false-failure probability 2e-9 per check.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "device/rram_array.h"
#include "device/spec_error.h"

namespace lrt::device {
namespace {

constexpr double kZ = 6.0;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

RramArraySpecs mlc_specs(uint64_t cells) {
  RramArraySpecs s;
  s.cells = cells;
  s.weight_bits = 8;
  s.bits_per_cell = 4;  // two cells per word
  s.endurance.distribution = EnduranceDistribution::kFixed;
  return s;
}

TEST(RramReadNoise, CellErrorRateMatchesTheNoiseModel) {
  RramArray a(mlc_specs(100'000), 81);
  // 0x87: cell 0 at level 7, cell 1 at level 8, both far from the ends of [0, 15].
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);
  RramReadEffects fx;
  fx.noise_sigma_levels = 0.3;
  a.set_read_effects(fx);
  // A cell reads its level unless |0.3 z| >= 1/2: p_err = 2 (1 - Phi(0.5 / 0.3)).
  const double p_err = 2.0 * (1.0 - normal_cdf(0.5 / 0.3));
  uint64_t wrong_cells = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t p = a.mapping().pattern_of(a.read_word(w).code);
    wrong_cells += (p & 0xF) != 7 ? 1 : 0;
    wrong_cells += (p >> 4) != 8 ? 1 : 0;
  }
  const double n = static_cast<double>(a.cells_used());
  EXPECT_LT(std::fabs(static_cast<double>(wrong_cells) - n * p_err), kZ * std::sqrt(n * p_err * (1 - p_err)));
  EXPECT_EQ(a.peek_word(0), -121);  // the stored value is untouched
}

TEST(RramReadNoise, ReadLevelVarianceMatchesTheNoiseModel) {
  RramArray a(mlc_specs(100'000), 83);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);  // levels 7 and 8
  RramReadEffects fx;
  fx.noise_sigma_levels = 1.5;
  a.set_read_effects(fx);
  // Read level = nearest(L + 1.5 z) clamped to [0, 15]; clamping needs |1.5 z| > 6.5
  // (p < 1e-5 per cell, moving the statistics below by < 1e-4, far inside the bounds).
  // Var of nearest(1.5 z): sum_k k^2 P(k - 1/2 <= 1.5 z < k + 1/2).
  double v = 0;
  for (int k = 1; k <= 12; ++k)
    v += 2.0 * k * k * (normal_cdf((k + 0.5) / 1.5) - normal_cdf((k - 0.5) / 1.5));
  double sum = 0;
  double sum2 = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t p = a.mapping().pattern_of(a.read_word(w).code);
    const double d0 = static_cast<double>(p & 0xF) - 7.0;
    const double d1 = static_cast<double>(p >> 4) - 8.0;
    sum += d0 + d1;
    sum2 += d0 * d0 + d1 * d1;
  }
  const double n = static_cast<double>(a.cells_used());
  EXPECT_LT(std::fabs(sum / n), kZ * std::sqrt(v / n));
  // Var(K^2) = E K^4 - v^2, with E K^4 from the same sum.
  double k4 = 0;
  for (int k = 1; k <= 12; ++k) {
    k4 += 2.0 * k * k * k * k * (normal_cdf((k + 0.5) / 1.5) - normal_cdf((k - 0.5) / 1.5));
  }
  EXPECT_LT(std::fabs(sum2 / n - v), kZ * std::sqrt((k4 - v * v) / n));
}

TEST(RramReadNoise, FrozenWithinASampleFreshAcrossSamples) {
  RramArray a(mlc_specs(2000), 87);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);
  RramReadEffects fx;
  fx.noise_sigma_levels = 1.0;
  a.set_read_effects(fx);
  std::vector<int32_t> first(a.words());
  for (uint64_t w = 0; w < a.words(); ++w) first[w] = a.read_word(w).code;
  uint64_t same_again = 0;
  for (uint64_t w = 0; w < a.words(); ++w) same_again += a.read_word(w).code == first[w] ? 1 : 0;
  EXPECT_EQ(same_again, a.words());
  a.advance_samples(1);
  uint64_t same_next_sample = 0;
  for (uint64_t w = 0; w < a.words(); ++w) same_next_sample += a.read_word(w).code == first[w] ? 1 : 0;
  // With sigma = 1 level a cell reads the same in two independent samples with probability
  // sum_k P(k)^2 = 0.27, so a word (two cells) with about 0.07; certainly not 1.
  EXPECT_LT(same_next_sample, a.words() / 2);
  EXPECT_EQ(a.stats().word_reads, 3 * a.words());
}

TEST(RramPowerLaw, HandComputedDecay) {
  RramArraySpecs s = mlc_specs(64);
  s.bits_per_cell = 2;  // four cells per word
  RramArray a(s, 89);
  ASSERT_EQ(a.write_word(0, 3).cells_programmed, 1u);  // cell 0 at level 3, programmed at sample 0
  RramReadEffects fx;
  fx.power_law_nu = 0.5;
  fx.power_law_t0_samples = 1.0;
  a.set_read_effects(fx);
  // level(t) = nearest(3 * ((t + 1) / 1)^-0.5); cells at level 0 stay at 0.
  EXPECT_EQ(a.read_word(0).code, 3);  // t = 0: 3
  a.advance_samples(8);
  EXPECT_EQ(a.read_word(0).code, 1);  // t = 8: 3 / 3 = 1
  a.advance_samples(7);
  EXPECT_EQ(a.read_word(0).code, 1);  // t = 15: 3 / 4 = 0.75 -> 1
  a.advance_samples(84);
  EXPECT_EQ(a.read_word(0).code, 0);  // t = 99: 3 / 10 = 0.3 -> 0
  EXPECT_EQ(a.peek_word(0), 3);       // what is stored does not decay
  // Rewriting the same code programs nothing and so does not refresh the cell ...
  EXPECT_EQ(a.write_word(0, 3).cells_programmed, 0u);
  EXPECT_EQ(a.read_word(0).code, 0);
  // ... reprogramming it does.
  a.write_word(0, 0);
  a.write_word(0, 3);
  EXPECT_EQ(a.cell(0).program_sample, 99u);
  EXPECT_EQ(a.read_word(0).code, 3);
}

TEST(RramPowerLaw, StuckCellsDoNotDecay) {
  RramArraySpecs s = mlc_specs(64);
  s.bits_per_cell = 2;
  s.stuck_at_fault_rate = 1.0;
  s.stuck_at_high_fraction = 1.0;
  s.read_effects.power_law_nu = 0.5;
  RramArray a(s, 97);
  a.advance_samples(99);
  EXPECT_EQ(a.read_word(0).code, -1);
}

TEST(RramReadEffects, ValidatedAndReportedAsAny) {
  RramArray a(mlc_specs(64), 1);
  EXPECT_FALSE(a.read_effects().any());
  RramReadEffects bad;
  bad.noise_sigma_levels = -0.1;
  EXPECT_THROW(a.set_read_effects(bad), SpecError);
  EXPECT_FALSE(a.read_effects().any());
  RramReadEffects nu;
  nu.power_law_nu = 0.1;
  a.set_read_effects(nu);
  EXPECT_TRUE(a.read_effects().any());
}

}  // namespace
}  // namespace lrt::device
