// mac_array (TLM-2.0 target): cycle counts of hand-computed jobs, the energy model at
// Horowitz's 45 nm points, clock gating of zero operands, exact energy accounting, responses.
// The target never waits, so every test calls its forward interface directly, without the
// kernel (see test_rram_array.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>

#include "target_access.h"
#include "core/error.h"
#include "device/energy.h"
#include "tlm/mac_array.h"

namespace lrt::tlm {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

const sc_time kClock(2, SC_NS);

MacArraySpecs specs16() {
  MacArraySpecs s;
  s.lanes = 16;
  s.pipeline_fill_cycles = 3;
  return s;  // full_adder_energy_pj stays at the calibrated 0.003125
}

MacJob job(uint64_t macs, uint32_t bw, uint32_t ba, uint32_t bacc, uint64_t zeros = 0) {
  MacJob j;
  j.macs = macs;
  j.zero_operand = zeros;
  j.weight_bits = bw;
  j.activation_bits = ba;
  j.accumulator_bits = bacc;
  return j;
}

::tlm::tlm_response_status send(Fw& fw, MacJob j, sc_time& delay, ::tlm::tlm_command cmd = ::tlm::TLM_WRITE_COMMAND,
                                uint64_t addr = 0, unsigned length = sizeof(MacJob)) {
  ::tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&j));
  t.set_data_length(length);
  t.set_streaming_width(length);
  t.set_byte_enable_ptr(nullptr);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  fw.b_transport(t, delay);
  return t.get_response_status();
}

TEST(MacArray, CyclesAreCeilWorkOverLanesPlusFill) {
  mac_array mac(unique_name("mac").c_str(), specs16(), kClock);
  EXPECT_STREQ(mac.in.basename(), "in");
  // 16 lanes, fill 3.
  EXPECT_EQ(mac.cost(job(0, 8, 8, 24)).cycles, 0u);   // an empty job does not start the pipeline
  EXPECT_EQ(mac.cost(job(1, 8, 8, 24)).cycles, 4u);   // 1 + 3
  EXPECT_EQ(mac.cost(job(16, 8, 8, 24)).cycles, 4u);  // 1 + 3
  EXPECT_EQ(mac.cost(job(17, 8, 8, 24)).cycles, 5u);  // 2 + 3
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24)).cycles, 10u);  // 7 + 3
  // A 3x3 conv, 128 -> 128 channels, 26 x 26 outputs: 128 * 128 * 9 * 676 = 99680256 MACs,
  // 99680256 / 16 = 6230016 exactly, + 3.
  EXPECT_EQ(mac.cost(job(99680256, 8, 8, 24)).cycles, 6230019u);
  // Gated MACs still occupy their slot.
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24, 60)).cycles, 10u);
}

TEST(MacArray, BitScalableJobsRetire64BitProductsPerLaneAndCycle) {
  mac_array mac(unique_name("mac").c_str(), specs16(), kClock);
  MacJob j = job(1000, 4, 4, 32);
  j.bit_scalable = 1;
  // 1000 x 16 bit products / (64 x 16 per cycle) = 15.6 -> 16 cycles + fill 3; dense: 63 + 3.
  EXPECT_EQ(mac.cost(j).cycles, 19u);
  EXPECT_EQ(mac.cost(job(1000, 4, 4, 32)).cycles, 66u);
  j.weight_bits = j.activation_bits = 8;  // FW8: the plain schedule
  EXPECT_EQ(mac.cost(j).cycles, mac.cost(job(1000, 8, 8, 32)).cycles);
  EXPECT_EQ(mac.cost(j).energy, mac.cost(job(1000, 8, 8, 32)).energy);
  j.weight_bits = 16;
  EXPECT_THROW(mac.cost(j), std::invalid_argument);  // a scalable lane is 8 x 8 bits
}

TEST(MacArray, ZeroSkippingDropsTheCyclesAndEnergyOfZeroOperands) {
  MacArraySpecs sp = specs16();
  sp.zero_skip = true;
  mac_array mac(unique_name("mac").c_str(), sp, kClock);
  mac_array gated(unique_name("mac").c_str(), specs16(), kClock);
  // 100 MACs with 60 zero operands: 40 issued, ceil(40 / 16) + 3 = 6 cycles (gated: 10).
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24, 60)).cycles, 6u);
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24, 60)).active_macs, 40u);
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24, 60)).energy, gated.cost(job(100, 8, 8, 24, 60)).energy);
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24, 100)).cycles, 0u);  // nothing left to issue
  EXPECT_EQ(mac.cost(job(100, 8, 8, 24)).cycles, 10u);      // dense jobs as before
  // Stats round-trip through their checkpoint words.
  sc_time d = sc_core::SC_ZERO_TIME;
  ASSERT_EQ(send(forward_path(mac), job(100, 8, 8, 24, 60), d), ::tlm::TLM_OK_RESPONSE);
  ASSERT_EQ(send(forward_path(mac), job(7, 16, 16, 32), d), ::tlm::TLM_OK_RESPONSE);
  const std::vector<uint64_t> w = mac.stats_words();
  mac_array copy(unique_name("mac").c_str(), sp, kClock);
  copy.set_stats_words(w);
  EXPECT_EQ(copy.stats_words(), w);
  EXPECT_EQ(copy.energy(), mac.energy());
  EXPECT_EQ(copy.stats().gated_macs, 60u);
  EXPECT_EQ(copy.stats().busy_cycles, 6u + 4u);
  EXPECT_THROW(copy.set_stats_words({1, 2, 3}), std::invalid_argument);
}

TEST(MacArray, EnergyModelAtHorowitzPoints) {
  mac_array mac(unique_name("mac").c_str(), specs16(), kClock);
  // 1 full adder = 3.125 fJ = 31.25 units of 0.1 fJ.
  // 8 b x 8 b multiply: 64 FA = 0.2 pJ (Horowitz: 0.2); with a 32 b accumulator (0.1 pJ,
  // Horowitz: 0.1) a MAC is 96 FA = 0.3 pJ = 3000 units.
  EXPECT_EQ(mac.energy_per_mac({8, 8, 32}), 3000u);
  // 32 b x 32 b with a 32 b add: 1056 FA = 3.3 pJ = 33000 units; Horowitz's 3.1 + 0.1 = 3.2 pJ.
  EXPECT_EQ(mac.energy_per_mac({32, 32, 32}), 33000u);
  EXPECT_LE(std::abs(device::to_picojoules(mac.energy_per_mac({32, 32, 32})) - 3.2) / 3.2, 0.032);
  // 4 b x 6 b, 20 b accumulator: 44 FA = 1375 units exactly.
  EXPECT_EQ(mac.energy_per_mac({4, 6, 20}), 1375u);
  // 1 b x 1 b, 1 b: 2 FA = 62.5 units -> 63 (ties away from zero, rounded once per MAC).
  EXPECT_EQ(mac.energy_per_mac({1, 1, 1}), 63u);
  // Gating: 100 MACs, 60 with a zero operand: 40 x 3000.
  const MacJobCost c = mac.cost(job(100, 8, 8, 32, 60));
  EXPECT_EQ(c.active_macs, 40u);
  EXPECT_EQ(c.energy, 120000u);
}

TEST(MacArray, TransportAnnotatesAndAccountingClosesExactly) {
  mac_array mac(unique_name("mac").c_str(), specs16(), kClock);
  Fw& fw = forward_path(mac);
  std::mt19937_64 gen(3);
  sc_time delay(5, SC_NS);
  uint64_t cycles = 0, macs = 0, gated = 0;
  device::EnergyUnits energy = 0;
  const MacWidths widths[] = {{8, 8, 24}, {4, 6, 20}, {16, 16, 40}, {1, 8, 12}, {32, 32, 64}};
  for (int k = 0; k < 200; ++k) {
    const MacWidths& w = widths[gen() % 5];
    const uint64_t n = gen() % 5000;
    const MacJob j = job(n, w.weight_bits, w.activation_bits, w.accumulator_bits, n == 0 ? 0 : gen() % (n + 1));
    const MacJobCost c = mac.cost(j);
    ASSERT_EQ(send(fw, j, delay), ::tlm::TLM_OK_RESPONSE);
    cycles += c.cycles;
    macs += j.macs;
    gated += j.zero_operand;
    energy += c.energy;
  }
  EXPECT_EQ(mac.stats().jobs, 200u);
  EXPECT_EQ(mac.stats().busy_cycles, cycles);
  EXPECT_EQ(mac.stats().macs, macs);
  EXPECT_EQ(mac.stats().gated_macs, gated);
  EXPECT_EQ(delay, sc_time(5, SC_NS) + sc_time(2.0 * static_cast<double>(cycles), SC_NS));
  // Energy per job summed in job order equals counts by width x energy per MAC.
  EXPECT_EQ(mac.energy(), energy);
  uint64_t active = 0;
  for (const auto& entry : mac.stats().active_macs) active += entry.second;
  EXPECT_EQ(active, macs - gated);
}

TEST(MacArray, ErrorResponsesChargeNothing) {
  mac_array mac(unique_name("mac").c_str(), specs16(), kClock);
  Fw& fw = forward_path(mac);
  sc_time delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(send(fw, job(10, 33, 8, 24), delay), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(send(fw, job(10, 8, 8, 65), delay), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(send(fw, job(10, 8, 8, 24, 11), delay), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(send(fw, job(10, 8, 8, 24), delay, ::tlm::TLM_READ_COMMAND), ::tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(send(fw, job(10, 8, 8, 24), delay, ::tlm::TLM_WRITE_COMMAND, 8), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(send(fw, job(10, 8, 8, 24), delay, ::tlm::TLM_WRITE_COMMAND, 0, 8), ::tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(delay, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(mac.stats().jobs, 0u);
  EXPECT_EQ(mac.energy(), 0u);
  EXPECT_THROW(mac.cost(job(1, 0, 8, 24)), std::invalid_argument);
  MacArraySpecs bad = specs16();
  bad.lanes = 0;
  EXPECT_THROW(validate(bad), SpecError);
}

}  // namespace
}  // namespace lrt::tlm
