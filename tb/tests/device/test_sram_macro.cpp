// SRAM macro cost by capacity (sram_macro.h): Horowitz's table points exactly, power-law
// interpolation between them (monotone, geometric midpoints), the extended end segments, the
// buffer's energies under both models; OpenRAM's area and leakage points exactly, 128 Kbit
// banks above them, both fixed models; leakage over simulated time.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "core/error.h"
#include "device/sram_buffer.h"
#include "device/sram_macro.h"

namespace lrt::device {
namespace {

constexpr uint64_t kKiB = 1024 * 8;  // bits

// Asserts that per_bit(c) never falls (rising) or never grows (!rising) over capacities 1 .. max,
// stepping by about 1 / step of the capacity.
template <class PerBit>
void expect_monotone(PerBit per_bit, uint64_t max, uint64_t step, bool rising) {
  double previous = per_bit(uint64_t{1});
  for (uint64_t c = 1; c <= max; c += c / step + 1) {
    const double v = per_bit(c);
    if (rising)
      ASSERT_GE(v, previous) << c;
    else
      ASSERT_LE(v, previous) << c;
    previous = v;
  }
}

TEST(SramMacro, TablePointsAreExact) {
  EXPECT_EQ(sram_pj_per_bit(8 * kKiB), 10.0 / 64.0);
  EXPECT_EQ(sram_pj_per_bit(32 * kKiB), 20.0 / 64.0);
  EXPECT_EQ(sram_pj_per_bit(1024 * kKiB), 100.0 / 64.0);
  // In the buffer's integer units: 10, 20, 100 pJ per 64 bits.
  for (const auto& [capacity, units] : {std::pair<uint64_t, EnergyUnits>{8 * kKiB, 1563},
                                        {32 * kKiB, 3125},
                                        {1024 * kKiB, 15625}}) {
    SramSpecs s;
    s.capacity_bits = capacity;
    const SramBuffer b(s);
    EXPECT_EQ(b.read_energy_per_bit(), units) << capacity;
    EXPECT_EQ(b.write_energy_per_bit(), units) << capacity;
  }
}

TEST(SramMacro, PowerLawBetweenPointsAndMonotone) {
  // The geometric midpoint of two points gets the geometric mean of their energies.
  EXPECT_NEAR(sram_pj_per_bit(16 * kKiB), std::sqrt(10.0 * 20.0) / 64.0, 1e-15);
  EXPECT_NEAR(sram_pj_per_bit(256 * kKiB), 20.0 / 64.0 * std::pow(8.0, std::log(5.0) / std::log(32.0)), 1e-15);
  // Extended end segments: 4 KB at 10 pJ x 2^-1/2, 4 MB at 100 pJ x 4^(log 5 / log 32).
  EXPECT_NEAR(sram_pj_per_bit(4 * kKiB), 10.0 / 64.0 / std::sqrt(2.0), 1e-15);
  EXPECT_NEAR(sram_pj_per_bit(4096 * kKiB), 100.0 / 64.0 * std::pow(4.0, std::log(5.0) / std::log(32.0)), 1e-14);
  expect_monotone(sram_pj_per_bit, uint64_t{1} << 34, 7, true);
}

TEST(SramMacro, FixedModelKeepsTheConfiguredEnergies) {
  SramSpecs s;
  s.energy_model = SramCostModel::kFixed;
  s.read_energy_pj_per_bit = 0.5;
  s.write_energy_pj_per_bit = 0.75;
  const SramBuffer b(s);
  EXPECT_EQ(b.read_energy_per_bit(), 5000u);
  EXPECT_EQ(b.write_energy_per_bit(), 7500u);
  EXPECT_STREQ(to_string(SramCostModel::kCapacity), "capacity");
}

TEST(SramMacro, OpenRamAreaAndLeakagePointsAreExact) {
  // The macros' own figures: area (um^2, 45 nm, 64-bit words) and leakage (mW) / capacity.
  const double to40 = (40.0 / 45.0) * (40.0 / 45.0);
  EXPECT_DOUBLE_EQ(sram_area_um2_per_bit(2048), 4777.5306625 / 2048 * to40);
  EXPECT_DOUBLE_EQ(sram_area_um2_per_bit(8192), 12928.9229375 / 8192 * to40);
  EXPECT_DOUBLE_EQ(sram_area_um2_per_bit(32768), 41990.3161125 / 32768 * to40);
  EXPECT_DOUBLE_EQ(sram_area_um2_per_bit(131072), 156997.489175 / 131072 * to40);
  EXPECT_DOUBLE_EQ(sram_leakage_pw_per_bit(2048), 0.011168618e9 / 2048);
  EXPECT_DOUBLE_EQ(sram_leakage_pw_per_bit(32768), 0.15279765e9 / 32768);
  EXPECT_DOUBLE_EQ(sram_leakage_pw_per_bit(65536), 0.30184115e9 / 65536);
  EXPECT_DOUBLE_EQ(sram_leakage_pw_per_bit(131072), 0.56084648e9 / 131072);
  // Between points: the geometric midpoint of 2 and 8 Kbit gets the geometric mean.
  EXPECT_NEAR(sram_area_um2_per_bit(4096), std::sqrt(4777.5306625 / 2048 * 12928.9229375 / 8192) * to40,
              1e-12);
  // Leakage between 2 and 32 Kbit: the geometric midpoint (8 Kbit) gets the geometric mean.
  EXPECT_NEAR(sram_leakage_pw_per_bit(8192), std::sqrt(0.011168618e9 / 2048 * 0.15279765e9 / 32768), 1e-9);
  // Below 2 Kbit the first segment's law is extended (not clamped): 512 bits lie two octaves
  // below 2 Kbit, so area and leakage per bit are the 2 Kbit values x (2 Kbit / 8 Kbit) and x
  // (2 Kbit / 32 Kbit)^(1/2): the first segments' ratios applied once more.
  const double area_2k = 4777.5306625 / 2048 * to40, area_8k = 12928.9229375 / 8192 * to40;
  EXPECT_NEAR(sram_area_um2_per_bit(512), area_2k * area_2k / area_8k, 1e-12);
  const double leak_2k = 0.011168618e9 / 2048, leak_32k = 0.15279765e9 / 32768;
  EXPECT_NEAR(sram_leakage_pw_per_bit(512), leak_2k * std::sqrt(leak_2k / leak_32k), 1e-9);
  EXPECT_GT(sram_area_um2_per_bit(512), area_2k);  // smaller macros are less dense
  // Above 128 Kbit: banks of 128 Kbit, so the per-bit values stay the largest macro's.
  for (const uint64_t c : {uint64_t{131073}, uint64_t{2097152}, uint64_t{12582912}, uint64_t{1} << 34}) {
    EXPECT_EQ(sram_area_um2_per_bit(c), sram_area_um2_per_bit(131072)) << c;
    EXPECT_EQ(sram_leakage_pw_per_bit(c), sram_leakage_pw_per_bit(131072)) << c;
  }
  // Density grows with size (periphery shared by more bits): per-bit area never grows.
  expect_monotone(sram_area_um2_per_bit, uint64_t{1} << 24, 5, false);
}

TEST(SramMacro, CapacityModelsPriceTheBufferByTheTables) {
  SramSpecs s;  // defaults: area_model and leakage_model capacity, 2 Mbit
  const SramBuffer b(s);
  EXPECT_DOUBLE_EQ(b.area_um2(), 2097152 * sram_area_um2_per_bit(131072));
  // 2^21 bits x 4278.9 pW = 8.97 mW; over 1 ms, 8.97 uJ = 8.97e10 units of 0.1 fJ.
  EXPECT_EQ(b.leakage_energy(1e-3),
            static_cast<EnergyUnits>(std::floor(2097152 * 0.56084648e9 / 131072 * 1e-3 * 1e4 + 0.5)));
  EXPECT_NEAR(static_cast<double>(b.leakage_energy(1e-3)), 8.9735e10, 1e7);
}

TEST(SramMacro, AreaIncludesPeripheryAndLeakageIsPowerTimesTime) {
  SramSpecs s;
  s.area_model = SramCostModel::kFixed;
  s.leakage_model = SramCostModel::kFixed;
  s.capacity_bits = 2097152;
  s.cell_area_um2 = 0.242;
  s.array_efficiency = 0.7;
  s.leakage_pw_per_bit = 10.0;
  const SramBuffer b(s);
  EXPECT_DOUBLE_EQ(b.area_um2(), 2097152 * 0.242 / 0.7);
  // 2^21 bits x 10 pW = 20.97152 uW; over 1 s that is 20.97152 uJ = 2.097152e11 units of 0.1 fJ.
  EXPECT_EQ(b.leakage_energy(1.0), 209715200000u);
  EXPECT_EQ(b.leakage_energy(0.0), 0u);
  EXPECT_EQ(b.leakage_energy(1e-6), 209715u);  // 20.97152 pJ, to the nearest 0.1 fJ
  EXPECT_THROW((void)b.leakage_energy(-1.0), std::invalid_argument);
  EXPECT_THROW((void)b.leakage_energy(std::nan("")), std::invalid_argument);
  s.array_efficiency = 0.0;
  EXPECT_THROW(SramBuffer{s}, SpecError);
  s.array_efficiency = 1.0;
  s.leakage_pw_per_bit = -1.0;
  EXPECT_THROW(SramBuffer{s}, SpecError);
}

}  // namespace
}  // namespace lrt::device
