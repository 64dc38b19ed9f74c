// RramArray writes and reads: write-verify pulse counts on hand-computed level changes,
// write counters, latency, and energy accounting that closes exactly.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

#include "core/error.h"
#include "core/rng.h"
#include "device/energy.h"
#include "device/rram_array.h"

namespace lrt::device {
namespace {

// Energies from the specs below in units of 0.1 fJ: 10.9 pJ = 109000, 1.76 pJ/bit x 8 bits = 140800.
constexpr EnergyUnits kPulse = 109000;
constexpr EnergyUnits kWordRead = 140800;

RramArraySpecs small_specs(uint32_t bits_per_cell) {
  RramArraySpecs s;
  s.cells = 64;
  s.bits_per_cell = bits_per_cell;
  s.weight_bits = 8;
  s.levels_per_pulse = 1;
  s.max_pulses = 16;
  s.read_before_write = true;
  s.read_energy_pj_per_bit = 1.76;
  s.write_energy_pj_per_bit = 10.9;
  s.read_latency_cycles = 2;
  s.pulse_cycles = 10;
  s.verify_cycles = 2;
  s.endurance.distribution = EnduranceDistribution::kFixed;
  s.endurance.writes = 1'000'000;
  s.program.model = ProgramModel::kDeterministic;  // the hand-computed pulses are the nominal steps
  return s;
}

TEST(EnergyUnits, ConvertsPaperFiguresExactly) {
  EXPECT_EQ(to_energy_units(10.9, "x"), 109000u);
  EXPECT_EQ(to_energy_units(1.76, "x"), 17600u);
  EXPECT_EQ(to_energy_units(0.3125, "x"), 3125u);
  EXPECT_EQ(to_energy_units(0.03, "x"), 300u);
  EXPECT_EQ(to_energy_units(0.0, "x"), 0u);
  EXPECT_DOUBLE_EQ(to_picojoules(109000), 10.9);
  EXPECT_THROW(to_energy_units(-0.1, "x"), SpecError);
  EXPECT_THROW(to_energy_units(0.0 / 0.0, "x"), SpecError);
  EXPECT_EQ(energy_of(3, 7), 21u);
  EXPECT_THROW(energy_of(uint64_t{1} << 40, uint64_t{1} << 30), RunError);
}

TEST(RramWrite, MultiLevelPulsesFollowLevelChanges) {
  RramArray a(small_specs(2), 1);
  ASSERT_EQ(a.words(), 16u);
  // 0 -> 0x1B: 2-bit cells go 0->3, 0->2, 0->1, 0->0: 3 + 2 + 1 pulses, the slowest cell takes 3.
  WordWriteResult r = a.write_word(0, 0x1B);
  EXPECT_EQ(r.stored_code, 0x1B);
  EXPECT_EQ(r.cells_programmed, 3u);
  EXPECT_EQ(r.cells_failed, 0u);
  EXPECT_EQ(r.pulses, 6u);
  EXPECT_EQ(r.verify_reads, 6u);
  EXPECT_EQ(r.latency_cycles, 2u + 3u * (10u + 2u));  // compare read + 3 pulse/verify rounds
  EXPECT_EQ(r.energy.write, 6 * kPulse);
  EXPECT_EQ(r.energy.compare_read, kWordRead);
  EXPECT_EQ(r.energy.read, 0u);
  // 0x1B -> -1 (0xFF, all cells at 3): changes 0, 1, 2, 3.
  r = a.write_word(0, -1);
  EXPECT_EQ(r.stored_code, -1);
  EXPECT_EQ(r.cells_programmed, 3u);
  EXPECT_EQ(r.pulses, 6u);
  EXPECT_EQ(r.latency_cycles, 2u + 3u * 12u);
  // An unchanged word programs nothing and is no write; the compare read is still paid.
  r = a.write_word(0, -1);
  EXPECT_EQ(r.cells_programmed, 0u);
  EXPECT_EQ(r.pulses, 0u);
  EXPECT_EQ(r.latency_cycles, 2u);
  EXPECT_EQ(r.energy.write, 0u);
  EXPECT_EQ(r.energy.compare_read, kWordRead);

  EXPECT_EQ(a.word_writes(0), 2u);
  EXPECT_EQ(a.word_writes(1), 0u);
  EXPECT_EQ(a.cell(0).writes, 1u);  // 0 -> 3, then unchanged
  EXPECT_EQ(a.cell(1).writes, 2u);  // 0 -> 2 -> 3
  EXPECT_EQ(a.cell(2).writes, 2u);  // 0 -> 1 -> 3
  EXPECT_EQ(a.cell(3).writes, 1u);  // unchanged, then 0 -> 3
  EXPECT_EQ(a.stats().word_write_requests, 3u);
  EXPECT_EQ(a.stats().word_writes, 2u);
  EXPECT_EQ(a.stats().cell_programs, 6u);
  EXPECT_EQ(a.stats().program_pulses, 12u);
  EXPECT_EQ(a.stats().compare_reads, 3u);
  EXPECT_EQ(a.stats().write_cycles, 38u + 38u + 2u);
}

TEST(RramWrite, LevelsPerPulseAndNoCompareRead) {
  RramArraySpecs s = small_specs(2);
  s.levels_per_pulse = 2;
  s.read_before_write = false;
  RramArray a(s, 1);
  // Changes 3, 2, 1: ceil(3/2) + ceil(2/2) + ceil(1/2) = 2 + 1 + 1 pulses; slowest cell 2 rounds.
  const WordWriteResult r = a.write_word(5, 0x1B);
  EXPECT_EQ(r.pulses, 4u);
  EXPECT_EQ(r.latency_cycles, 2u * 12u);
  EXPECT_EQ(r.energy.compare_read, 0u);
  EXPECT_EQ(a.stats().compare_reads, 0u);
}

TEST(RramWrite, BinaryCellsTakeOnePulseEach) {
  RramArray a(small_specs(1), 1);
  const WordWriteResult r = a.write_word(3, -1);  // 0x00 -> 0xFF: 8 cells, one pulse each
  EXPECT_EQ(r.cells_programmed, 8u);
  EXPECT_EQ(r.pulses, 8u);
  EXPECT_EQ(r.latency_cycles, 2u + 12u);  // cells program in parallel
  EXPECT_EQ(a.peek_word(3), -1);
  const WordWriteResult r2 = a.write_word(3, -128);  // 0xFF -> 0x80: 7 cells go back to 0
  EXPECT_EQ(r2.cells_programmed, 7u);
  EXPECT_EQ(a.cell(3 * 8 + 7).writes, 1u);
  EXPECT_EQ(a.cell(3 * 8 + 0).writes, 2u);
}

TEST(RramRead, ReturnsStoredCodeAndCharges) {
  RramArray a(small_specs(1), 1);
  a.write_word(2, -77);
  const WordReadResult r = a.read_word(2);
  EXPECT_EQ(r.code, -77);
  EXPECT_EQ(r.latency_cycles, 2u);
  EXPECT_EQ(r.energy.read, kWordRead);
  EXPECT_EQ(a.stats().word_reads, 1u);
  EXPECT_EQ(a.stats().read_cycles, 2u);
  EXPECT_EQ(a.peek_word(2), -77);
  EXPECT_EQ(a.stats().word_reads, 1u);  // peek is free
  EXPECT_EQ(a.account_reads(10).read, 10 * kWordRead);
  EXPECT_EQ(a.stats().word_reads, 11u);
}

TEST(RramWrite, PokeStoresWithoutCost) {
  RramArray a(small_specs(2), 1);
  EXPECT_EQ(a.poke_word(1, 100), 100);
  EXPECT_EQ(a.peek_word(1), 100);
  EXPECT_EQ(a.stats().program_pulses, 0u);
  EXPECT_EQ(a.word_writes(1), 0u);
  EXPECT_EQ(a.energy().total(), 0u);
}

TEST(RramWrite, RejectsBadAddressesAndCodes) {
  RramArray a(small_specs(1), 1);
  EXPECT_THROW(a.write_word(8, 0), std::out_of_range);
  EXPECT_THROW(a.read_word(8), std::out_of_range);
  EXPECT_THROW(a.write_word(0, 128), std::out_of_range);
  EXPECT_THROW(a.write_word(0, -129), std::out_of_range);
  EXPECT_THROW(a.poke_word(0, 128), std::out_of_range);
  EXPECT_THROW(a.cell(64), std::out_of_range);
  EXPECT_EQ(a.stats().word_write_requests, 0u);
}

// prefetch_word is a hint: no counter, energy or state moves, and an address past the end is
// ignored (ASan checks that nothing is touched there).
TEST(RramWrite, PrefetchChangesNothing) {
  RramArray a(small_specs(2), 1);
  a.write_word(3, 5);
  const RramStats before = a.stats();
  for (uint64_t w : {uint64_t{0}, uint64_t{3}, a.words() - 1, a.words(), a.words() + 1000, ~uint64_t{0}})
    a.prefetch_word(w);
  EXPECT_EQ(a.stats().word_write_requests, before.word_write_requests);
  EXPECT_EQ(a.stats().word_reads, before.word_reads);
  EXPECT_EQ(a.peek_word(3), 5);
}

TEST(RramEnergy, SumOfPerEventEnergiesEqualsReportedTotalsExactly) {
  // A mixed workload with stuck cells and short lifetimes, so that failed writes (which cost
  // max_pulses) are part of the sum; stochastic program-verify with wear and SET/RESET prices.
  RramArraySpecs s = small_specs(2);
  s.program.model = ProgramModel::kStochastic;
  s.program.set_pass_probability = 0.6;
  s.program.reset_pass_probability = 0.45;
  s.program.wear_growth = 5.0;
  s.program.reset_energy_ratio = 1.5;
  s.cells = 4096;
  s.stuck_at_fault_rate = 0.05;
  s.endurance.writes = 20;
  RramArray a(s, 7);
  RngCursor rng(3, static_cast<uint64_t>(RngStream::kTest));
  RramEnergy sum;
  uint64_t cycles = 0;
  uint64_t pulses = 0;
  uint64_t reset_pulses = 0;
  uint64_t failures = 0;
  uint64_t accounted_reads = 0;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t word = rng.below(a.words());
    const uint64_t op = rng.below(10);
    if (op < 6) {
      const auto code = static_cast<int32_t>(rng.below(256)) - 128;
      const WordWriteResult r = a.write_word(word, code);
      sum.compare_read += r.energy.compare_read;
      sum.write += r.energy.write;
      EXPECT_EQ(r.energy.read, 0u);
      cycles += r.latency_cycles;
      pulses += r.pulses;
      reset_pulses += r.reset_pulses;
      failures += r.cells_failed;
    } else if (op < 9) {
      const WordReadResult r = a.read_word(word);
      sum.read += r.energy.read;
      cycles += r.latency_cycles;
    } else {
      const uint64_t n = rng.below(5);
      sum.read += a.account_reads(n).read;
      accounted_reads += n;
    }
  }
  ASSERT_GT(failures, 100u) << "the workload must exercise failed writes";
  const RramEnergy total = a.energy();
  EXPECT_EQ(sum.read, total.read);
  EXPECT_EQ(sum.compare_read, total.compare_read);
  EXPECT_EQ(sum.write, total.write);
  EXPECT_EQ(total.total(), total.read + total.compare_read + total.write);
  // Each component is count x energy-per-event.
  const RramStats& st = a.stats();
  EXPECT_EQ(total.write, (st.program_pulses - st.reset_pulses) * a.set_energy_per_pulse() +
                             st.reset_pulses * a.reset_energy_per_pulse());
  EXPECT_EQ(st.reset_pulses, reset_pulses);
  EXPECT_GT(reset_pulses, 0u);
  EXPECT_LT(reset_pulses, pulses);
  EXPECT_EQ(total.compare_read, st.compare_reads * kWordRead);
  EXPECT_EQ(total.read, st.word_reads * kWordRead);
  EXPECT_EQ(st.program_pulses, pulses);
  EXPECT_EQ(st.cell_program_failures, failures);
  EXPECT_EQ(st.read_cycles + st.write_cycles, cycles);
  EXPECT_GE(st.word_reads, accounted_reads);
  // Counters agree with the per-cell and per-word state.
  uint64_t cell_writes = 0;
  for (uint64_t c = 0; c < a.cells_used(); ++c) cell_writes += a.cell(c).writes;
  EXPECT_EQ(cell_writes, st.cell_programs);
  uint64_t word_writes = 0;
  for (uint64_t w = 0; w < a.words(); ++w) word_writes += a.word_writes(w);
  EXPECT_EQ(word_writes, st.word_writes);
}

TEST(RramSpecs, ValidationNamesTheMember) {
  auto member_of = [](auto mutate) {
    RramArraySpecs s;
    mutate(s);
    try {
      validate(s);
    } catch (const SpecError& e) {
      return e.member();
    }
    return std::string("(valid)");
  };
  EXPECT_EQ(member_of([](RramArraySpecs&) {}), "(valid)");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.cells = 4; }), "cells");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.weight_range = 0.75; }), "weight_range");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.bits_per_cell = 4; }), "(valid)");  // 15 levels in 16 pulses
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.bits_per_cell = 5; }),
            "max_pulses");  // 31 levels need 31 pulses
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.levels_per_pulse = 0; }), "levels_per_pulse");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.read_energy_pj_per_bit = -1; }), "read_energy_pj_per_bit");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.stuck_at_fault_rate = 1.5; }), "stuck_at_fault_rate");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.endurance.spread = -1; }), "endurance.spread");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.endurance.writes = 0; }), "endurance.writes");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.drift.interval_samples = 0; }), "drift.interval_samples");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.drift.flip_p0 = 2e5; }), "drift.flip_p0");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.drift.flip_model = static_cast<FlipModel>(7); }),
            "drift.flip_model");
  EXPECT_EQ(member_of([](RramArraySpecs& s) { s.read_effects.noise_sigma_levels = -1; }),
            "read_effects.noise_sigma_levels");
}

}  // namespace
}  // namespace lrt::device
