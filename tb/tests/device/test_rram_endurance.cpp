// RramArray endurance and time-zero stuck-at faults: exact wear-out behaviour, lifetime
// distributions and fault fractions within stated statistical bounds.
//
// Statistical checks use |z| <= 6 on statistics that are sums of >= 1e4 independent terms
// (normal by the CLT): two-sided false-failure probability 2e-9 per check.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "device/endurance.h"
#include "device/rram_array.h"

namespace lrt::device {
namespace {

constexpr double kZ = 6.0;

RramArraySpecs binary_specs(uint64_t cells) {
  RramArraySpecs s;
  s.cells = cells;
  s.bits_per_cell = 1;
  s.weight_bits = 8;
  s.max_pulses = 16;
  s.read_latency_cycles = 2;
  s.pulse_cycles = 10;
  s.verify_cycles = 2;
  s.endurance.distribution = EnduranceDistribution::kFixed;
  s.endurance.writes = 1'000'000;
  s.program.model = ProgramModel::kDeterministic;  // pulse counts below are the nominal steps
  return s;
}

TEST(RramEndurance, CellSticksAtItsLastLevelOnTheWriteAfterItsLifetime) {
  RramArraySpecs s = binary_specs(64);
  s.endurance.writes = 5;
  RramArray a(s, 1);
  // Toggle cell 0 of word 0: writes 1..5 succeed (levels 1, 0, 1, 0, 1).
  for (int i = 1; i <= 5; ++i) {
    const WordWriteResult r = a.write_word(0, i % 2);
    ASSERT_TRUE(r.ok()) << "write " << i;
    ASSERT_EQ(r.pulses, 1u);
    ASSERT_EQ(a.cell(0).writes, static_cast<uint32_t>(i));
  }
  ASSERT_FALSE(a.cell(0).worn_out);
  // Write 6 fails: the cell stays at 1, write-verify gives up after max_pulses.
  WordWriteResult r = a.write_word(0, 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.cells_failed, 1u);
  EXPECT_EQ(r.cells_programmed, 0u);
  EXPECT_EQ(r.stored_code, 1);
  EXPECT_EQ(r.pulses, 16u);
  EXPECT_EQ(r.latency_cycles, 2u + 16u * 12u);
  EXPECT_EQ(a.cell(0).writes, 5u);
  EXPECT_TRUE(a.cell(0).worn_out);
  EXPECT_FALSE(a.cell(0).stuck_at_fault);
  EXPECT_EQ(a.stats().cells_worn_out, 1u);
  EXPECT_EQ(a.word_writes(0), 5u);
  // Later attempts fail the same way, and wear out nothing new.
  r = a.write_word(0, 0);
  EXPECT_EQ(r.cells_failed, 1u);
  EXPECT_EQ(a.stats().cells_worn_out, 1u);
  // A target equal to the stuck level needs no programming of that cell.
  r = a.write_word(0, 1);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.pulses, 0u);
  // The other cells of the word still program: 1 -> 3 sets cell 1 only.
  r = a.write_word(0, 3);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.cells_programmed, 1u);
  EXPECT_EQ(r.stored_code, 3);
  // 3 -> 2 needs cell 0 to go to 0: fails; the stored code stays 3.
  r = a.write_word(0, 2);
  EXPECT_EQ(r.cells_failed, 1u);
  EXPECT_EQ(r.stored_code, 3);
  EXPECT_EQ(a.stats().word_write_failures, 3u);
  EXPECT_EQ(a.stuck_cells(), 1u);
}

TEST(RramEndurance, DrawnLifetimesAreHonouredExactly) {
  RramArraySpecs s = binary_specs(64);
  s.endurance.distribution = EnduranceDistribution::kLognormal;
  s.endurance.writes = 40;
  s.endurance.spread = 0.5;
  RramArray a(s, 11, 3);
  for (uint64_t w = 0; w < 8; ++w) {
    const uint64_t c = w * 8;  // cell 0 of word w
    const uint32_t life = a.cell(c).lifetime;
    ASSERT_GT(life, 0u);
    for (uint32_t i = 1; i <= life; ++i) ASSERT_TRUE(a.write_word(w, static_cast<int32_t>(i % 2)).ok());
    const int32_t last = static_cast<int32_t>(life % 2);
    const WordWriteResult r = a.write_word(w, 1 - last);
    EXPECT_EQ(r.cells_failed, 1u) << "word " << w << " lifetime " << life;
    EXPECT_EQ(r.stored_code, last);
    EXPECT_EQ(a.cell(c).writes, life);
    EXPECT_TRUE(a.cell(c).worn_out);
  }
}

TEST(RramEndurance, LifetimeIsAPureFunctionOfSeedInstanceAndCell) {
  RramArraySpecs s = binary_specs(800);
  s.endurance.distribution = EnduranceDistribution::kLognormal;
  s.endurance.spread = 0.3;
  const RramArray a(s, 5, 2);
  const RramArray same(s, 5, 2);
  const RramArray other(s, 5, 3);
  const CounterRng rng = make_rng(5, RngStream::kDeviceEndurance, 2);
  uint64_t equal_to_other = 0;
  for (uint64_t c = 0; c < a.cells_used(); ++c) {
    ASSERT_EQ(a.cell(c).lifetime, lifetime_from_normal(s.endurance, rng.normal(c)));
    ASSERT_EQ(a.cell(c).lifetime, same.cell(c).lifetime);
    equal_to_other += a.cell(c).lifetime == other.cell(c).lifetime ? 1 : 0;
  }
  // Independent continuous draws rounded to integers near 1e6 coincide with probability
  // ~1e-5 each; 800 cells give ~0.01 expected coincidences.
  EXPECT_LT(equal_to_other, 5u);
}

TEST(RramEndurance, LifetimeMappingFromNormalDraws) {
  EnduranceSpecs e;
  e.writes = 1000;
  e.distribution = EnduranceDistribution::kFixed;
  EXPECT_EQ(lifetime_from_normal(e, 3.0), 1000u);
  e.distribution = EnduranceDistribution::kNormal;
  e.spread = 0.1;
  EXPECT_EQ(lifetime_from_normal(e, 2.0), 1200u);
  EXPECT_EQ(lifetime_from_normal(e, -20.0), 0u);  // clamped, never negative
  e.distribution = EnduranceDistribution::kLognormal;
  e.spread = 1.0;
  EXPECT_EQ(lifetime_from_normal(e, 0.0), 1000u);  // writes is the median
  EXPECT_EQ(lifetime_from_normal(e, std::log(2.0)), 2000u);
  EXPECT_EQ(lifetime_from_normal(e, 40.0), UINT32_MAX);  // clamped
  EXPECT_EQ(parse_endurance_distribution("lognormal"), EnduranceDistribution::kLognormal);
  EXPECT_STREQ(to_string(EnduranceDistribution::kNormal), "normal");
  EXPECT_THROW(parse_endurance_distribution("weibull"), std::invalid_argument);
}

struct Moments {
  double mean = 0;
  double var = 0;  // sample variance
};

Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= static_cast<double>(x.size());
  for (double v : x) m.var += (v - m.mean) * (v - m.mean);
  m.var /= static_cast<double>(x.size() - 1);
  return m;
}

TEST(RramEndurance, LognormalLifetimeStatistics) {
  RramArraySpecs s = binary_specs(200'000);
  s.endurance.distribution = EnduranceDistribution::kLognormal;
  s.endurance.writes = 1'000'000;
  s.endurance.spread = 0.3;
  const RramArray a(s, 21);
  std::vector<double> ln_life(a.cells_used());
  for (uint64_t c = 0; c < a.cells_used(); ++c)
    ln_life[c] = std::log(static_cast<double>(a.cell(c).lifetime));
  const Moments m = moments(ln_life);
  const double n = static_cast<double>(ln_life.size());
  // ln L ~ N(ln 1e6, 0.3^2) (rounding L to an integer moves ln L by < 1e-6). Sample mean:
  // sd 0.3 / sqrt(n). Sample variance of a normal: sd sigma^2 sqrt(2 / (n - 1)).
  EXPECT_LT(std::fabs(m.mean - std::log(1e6)), kZ * 0.3 / std::sqrt(n));
  EXPECT_LT(std::fabs(m.var - 0.09), kZ * 0.09 * std::sqrt(2.0 / (n - 1)));
}

TEST(RramEndurance, NormalLifetimeStatistics) {
  RramArraySpecs s = binary_specs(200'000);
  s.endurance.distribution = EnduranceDistribution::kNormal;
  s.endurance.writes = 1'000'000;
  s.endurance.spread = 0.2;
  const RramArray a(s, 22);
  std::vector<double> life(a.cells_used());
  for (uint64_t c = 0; c < a.cells_used(); ++c) life[c] = static_cast<double>(a.cell(c).lifetime);
  const Moments m = moments(life);
  const double n = static_cast<double>(life.size());
  // L ~ N(1e6, (2e5)^2); clamping at 0 is 5 sd away and rounding adds 1/12 to the variance.
  const double sd = 2e5;
  EXPECT_LT(std::fabs(m.mean - 1e6), kZ * sd / std::sqrt(n));
  EXPECT_LT(std::fabs(m.var - sd * sd), kZ * sd * sd * std::sqrt(2.0 / (n - 1)));
}

TEST(RramEndurance, FixedLifetimeIsExact) {
  RramArraySpecs s = binary_specs(1000);
  s.endurance.writes = 123456;
  const RramArray a(s, 1);
  for (uint64_t c = 0; c < a.cells_used(); ++c) ASSERT_EQ(a.cell(c).lifetime, 123456u);
}

TEST(RramFaults, StuckFractionAndStuckLevels) {
  RramArraySpecs s = binary_specs(1'000'000);
  s.stuck_at_fault_rate = 0.01;
  s.stuck_at_high_fraction = 0.5;
  RramArray a(s, 31);
  uint64_t stuck = 0;
  uint64_t high = 0;
  for (uint64_t c = 0; c < a.cells_used(); ++c) {
    const CellState st = a.cell(c);
    if (!st.stuck_at_fault) continue;
    ++stuck;
    high += st.level;
    ASSERT_FALSE(st.worn_out);
  }
  EXPECT_EQ(stuck, a.stuck_cells());
  // stuck ~ Binomial(1e6, 0.01): mean 1e4, sd sqrt(1e6 * 0.01 * 0.99) = 99.5.
  const double n = static_cast<double>(a.cells_used());
  EXPECT_LT(std::fabs(static_cast<double>(stuck) - 0.01 * n), kZ * std::sqrt(n * 0.01 * 0.99));
  // Of those, stuck high ~ Binomial(stuck, 0.5).
  EXPECT_LT(std::fabs(static_cast<double>(high) - 0.5 * static_cast<double>(stuck)),
            kZ * std::sqrt(0.25 * static_cast<double>(stuck)));
  // A new array stores its stuck cells' levels: each word reads back what its cells hold.
  for (uint64_t w = 0; w < 1000; ++w) {
    uint32_t pattern = 0;
    for (uint32_t j = 0; j < 8; ++j) pattern |= a.cell(w * 8 + j).level << j;
    ASSERT_EQ(a.peek_word(w), a.mapping().code_of(pattern));
  }
}

TEST(RramFaults, WritesToStuckCellsFail) {
  RramArraySpecs s = binary_specs(64);
  s.bits_per_cell = 4;
  s.stuck_at_fault_rate = 1.0;
  s.stuck_at_high_fraction = 1.0;
  RramArray a(s, 1);
  EXPECT_EQ(a.stuck_cells(), a.cells_used());
  EXPECT_EQ(a.cell(0).level, 15u);  // 4-bit cells stuck at the top level
  EXPECT_EQ(a.peek_word(0), -1);
  const WordWriteResult r = a.write_word(0, 0x0F);  // cell 1 must go 15 -> 0
  EXPECT_EQ(r.cells_failed, 1u);
  EXPECT_EQ(r.pulses, 16u);
  EXPECT_EQ(r.stored_code, -1);
  EXPECT_EQ(a.cell(1).writes, 0u);
  EXPECT_EQ(a.poke_word(0, 0), -1);  // poking cannot move stuck cells either
}

TEST(RramFaults, ZeroRateGivesNoStuckCells) {
  RramArraySpecs s = binary_specs(10000);
  RramArray a(s, 1);
  EXPECT_EQ(a.stuck_cells(), 0u);
  for (uint64_t w = 0; w < a.words(); ++w) ASSERT_EQ(a.peek_word(w), 0);
}

}  // namespace
}  // namespace lrt::device
