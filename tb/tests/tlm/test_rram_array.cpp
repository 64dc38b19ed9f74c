// rram_array (TLM-2.0 target): directed transactions checking data, exact latency annotation,
// response statuses, DMI grant/denial/invalidation, debug transport and stats.
//
// How these tests use SystemC. Elaboration happens once per process and no module can be
// created after sc_start, while this executable is shared with other modules' tests. So:
//  - most tests build their modules and call the target's forward interface directly, without
//    ever starting the kernel: rram_array is loosely timed and never waits, so b_transport,
//    transport_dbg and get_direct_mem_ptr are plain function calls (the export of a
//    simple_target_socket is bound at construction). Modules are destroyed at the end of
//    each test, before any simulation, which SystemC allows.
//  - what needs a bound, elaborated design (the backward path that carries DMI invalidation,
//    a quantum keeper advancing simulated time) runs in a fresh child process: a gtest death
//    test in "threadsafe" style re-executes this binary for that one test, so its sc_start
//    cannot collide with any other test. The child reports failures on stderr and exits 0
//    only if every check passed.
#include <gtest/gtest.h>

#include "child_process.h"
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "target_access.h"
#include "tlm/rram_array.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

const sc_time kClock(10, SC_NS);

// The target's forward interface, reachable before elaboration.
// A directed initiator that calls the forward interface directly (no kernel).
struct DirectInitiator {
  Fw& fw;
  sc_time delay = sc_core::SC_ZERO_TIME;
  bool last_dmi_hint = false;

  ::tlm::tlm_response_status transact(::tlm::tlm_command cmd, uint64_t addr,
                                      std::vector<unsigned char>& data) {
    ::tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data.data());
    t.set_data_length(static_cast<unsigned>(data.size()));
    t.set_streaming_width(static_cast<unsigned>(data.size()));
    t.set_byte_enable_ptr(nullptr);
    t.set_dmi_allowed(false);
    t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    fw.b_transport(t, delay);
    last_dmi_hint = t.is_dmi_allowed();
    return t.get_response_status();
  }
  ::tlm::tlm_response_status write(uint64_t addr, std::vector<unsigned char> data) {
    return transact(::tlm::TLM_WRITE_COMMAND, addr, data);
  }
  std::vector<unsigned char> read(uint64_t addr, size_t bytes, ::tlm::tlm_response_status* status = nullptr) {
    std::vector<unsigned char> data(bytes, 0xEE);
    const auto s = transact(::tlm::TLM_READ_COMMAND, addr, data);
    if (status != nullptr) *status = s;
    return data;
  }
};

device::RramArraySpecs binary_specs() {
  device::RramArraySpecs s;
  s.cells = 128;  // 16 words of 8 binary cells
  s.bits_per_cell = 1;
  s.weight_bits = 8;
  s.max_pulses = 16;
  s.read_latency_cycles = 2;
  s.pulse_cycles = 10;
  s.verify_cycles = 2;
  s.endurance.distribution = device::EnduranceDistribution::kFixed;
  s.program.model = device::ProgramModel::kDeterministic;  // the hand-computed cycles are the nominal steps
  return s;
}

using Bytes = std::vector<unsigned char>;

TEST(RramTlm, WriteAndReadBurstsRoundTrip) {
  rram_array target(unique_name("rram").c_str(), binary_specs(), 1, 0, kClock);
  EXPECT_STREQ(target.in.basename(), "in");
  EXPECT_EQ(target.size_bytes(), 16u);
  EXPECT_EQ(target.bytes_per_word(), 1u);
  DirectInitiator bus{forward_path(target)};
  // Words 4..7 <- -128, -1, 0, 127 (two's complement bytes).
  ASSERT_EQ(bus.write(4, {0x80, 0xFF, 0x00, 0x7F}), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(target.array().peek_word(4), -128);
  EXPECT_EQ(target.array().peek_word(5), -1);
  EXPECT_EQ(target.array().peek_word(7), 127);
  ::tlm::tlm_response_status s;
  EXPECT_EQ(bus.read(3, 6, &s), (Bytes{0x00, 0x80, 0xFF, 0x00, 0x7F, 0x00}));
  EXPECT_EQ(s, ::tlm::TLM_OK_RESPONSE);
  // The device saw four write requests and six reads.
  EXPECT_EQ(target.stats().word_write_requests, 4u);
  EXPECT_EQ(target.stats().word_reads, 6u);
  EXPECT_EQ(target.energy(), target.array().energy());
}

TEST(RramTlm, TwoByteWordsSignExtendAndRangeCheck) {
  device::RramArraySpecs s = binary_specs();
  s.weight_bits = 12;
  s.cells = 12 * 8;  // 8 words
  rram_array target(unique_name("rram").c_str(), s, 1, 0, kClock);
  ASSERT_EQ(target.bytes_per_word(), 2u);
  DirectInitiator bus{forward_path(target)};
  ASSERT_EQ(bus.write(2, {0x00, 0xF8, 0xFF, 0x07}), ::tlm::TLM_OK_RESPONSE);  // -2048, 2047
  EXPECT_EQ(target.array().peek_word(1), -2048);
  EXPECT_EQ(target.array().peek_word(2), 2047);
  EXPECT_EQ(bus.read(2, 4), (Bytes{0x00, 0xF8, 0xFF, 0x07}));
  // 2048 does not fit in 12 bits: the whole burst is rejected, nothing is written.
  EXPECT_EQ(bus.write(2, {0x05, 0x00, 0x00, 0x08}), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
  EXPECT_EQ(target.array().peek_word(1), -2048);
  EXPECT_EQ(target.stats().word_write_requests, 2u);
}

TEST(RramTlm, LatencyIsCyclesTimesClockPeriodAddedToDelay) {
  rram_array target(unique_name("rram").c_str(), binary_specs(), 1, 0, kClock);
  DirectInitiator bus{forward_path(target)};
  bus.delay = sc_time(5, SC_NS);  // the initiator's local time offset is added to, not replaced
  // Word 0: 0 -> 0x0F, four cells one pulse each in parallel: 2 + 1 x (10 + 2) = 14 cycles.
  ASSERT_EQ(bus.write(0, {0x0F}), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bus.delay, sc_time(5 + 140, SC_NS));
  // Words 1..3 <- 1, 3, 0: 14 + 14 + 2 (unchanged: compare read only) = 30 cycles.
  ASSERT_EQ(bus.write(1, {0x01, 0x03, 0x00}), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(bus.delay, sc_time(145 + 300, SC_NS));
  // Reading 4 words: 4 x 2 cycles.
  bus.read(0, 4);
  EXPECT_EQ(bus.delay, sc_time(445 + 80, SC_NS));
  EXPECT_EQ(target.stats().write_cycles, 44u);
  EXPECT_EQ(target.stats().read_cycles, 8u);
  // The conversion is exact for any cycle count.
  EXPECT_EQ(clock_cycles(123456789, kClock), sc_time(1234567890, SC_NS));
  EXPECT_EQ(clock_cycles(0, kClock), sc_core::SC_ZERO_TIME);
}

TEST(RramTlm, ErrorResponsesLeaveDelayAndStateAlone) {
  device::RramArraySpecs s = binary_specs();
  s.weight_bits = 12;
  s.cells = 12 * 8;  // 8 words of 2 bytes: 16 bytes
  rram_array target(unique_name("rram").c_str(), s, 1, 0, kClock);
  DirectInitiator bus{forward_path(target)};
  EXPECT_EQ(bus.write(1, {0x01, 0x00}), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);               // misaligned
  EXPECT_EQ(bus.write(14, {0x01, 0x00, 0x01, 0x00}), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the end
  EXPECT_EQ(bus.write(16, {0x01, 0x00}), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(bus.write(0, {0x01, 0x00, 0x01}), ::tlm::TLM_BURST_ERROR_RESPONSE);  // not whole words
  EXPECT_EQ(bus.write(0, {}), ::tlm::TLM_BURST_ERROR_RESPONSE);
  // Byte enables and streaming are not supported.
  Bytes data{0x01, 0x00};
  unsigned char enables[2] = {0xFF, 0x00};
  ::tlm::tlm_generic_payload t;
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(0);
  t.set_data_ptr(data.data());
  t.set_data_length(2);
  t.set_streaming_width(2);
  t.set_byte_enable_ptr(enables);
  t.set_byte_enable_length(2);
  forward_path(target).b_transport(t, bus.delay);
  EXPECT_EQ(t.get_response_status(), ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  t.set_byte_enable_ptr(nullptr);
  t.set_data_length(2);
  t.set_streaming_width(1);
  forward_path(target).b_transport(t, bus.delay);
  EXPECT_EQ(t.get_response_status(), ::tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(bus.delay, sc_core::SC_ZERO_TIME);
  EXPECT_EQ(target.stats().word_write_requests, 0u);
  EXPECT_EQ(target.array().peek_word(0), 0);
}

TEST(RramTlm, DmiIsReadOnlyAndTracksStoredCodes) {
  device::RramArraySpecs s = binary_specs();
  s.drift.flip_p0 = 5e4;  // p = 0.5 per bit per event: drift visibly changes stored codes
  rram_array target(unique_name("rram").c_str(), s, 1, 0, kClock);
  DirectInitiator bus{forward_path(target)};
  ASSERT_EQ(bus.write(2, {0x5A}), ::tlm::TLM_OK_RESPONSE);
  // The DMI hint only where a DMI request of that payload is granted: reads, not writes (an
  // initiator that trusted a write's hint would be refused: Accellera's lt_dmi_initiator).
  EXPECT_FALSE(bus.last_dmi_hint);
  bus.read(2, 1);
  EXPECT_TRUE(bus.last_dmi_hint);

  ::tlm::tlm_generic_payload t;
  ::tlm::tlm_dmi dmi;
  t.set_command(::tlm::TLM_READ_COMMAND);
  t.set_address(2);
  ASSERT_TRUE(forward_path(target).get_direct_mem_ptr(t, dmi));
  EXPECT_TRUE(dmi.is_read_allowed());
  EXPECT_FALSE(dmi.is_write_allowed());
  EXPECT_EQ(dmi.get_start_address(), 0u);
  EXPECT_EQ(dmi.get_end_address(), 15u);
  EXPECT_EQ(dmi.get_read_latency(), sc_time(20, SC_NS));  // 2 cycles per word
  const unsigned char* mem = dmi.get_dmi_ptr();
  EXPECT_EQ(mem[2], 0x5A);
  // Later writes and drift show through the pointer.
  ASSERT_EQ(bus.write(3, {0xA5}), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(mem[3], 0xA5);
  ASSERT_EQ(target.advance_samples(10), 1u);
  ASSERT_GT(target.stats().bit_flips, 0u);
  for (uint64_t w = 0; w < 16; ++w) {
    ASSERT_EQ(static_cast<int8_t>(mem[w]), target.array().peek_word(w)) << "word " << w;
  }
  // DMI reads are charged once reported.
  const uint64_t reads = target.stats().word_reads;
  target.account_dmi_reads(16);
  EXPECT_EQ(target.stats().word_reads, reads + 16);

  // Write access is never granted.
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  ::tlm::tlm_dmi wdmi;
  EXPECT_FALSE(forward_path(target).get_direct_mem_ptr(t, wdmi));
  EXPECT_FALSE(wdmi.is_write_allowed());
}

// An analog event moves nearly every word and is not listed (advance_samples' `dense`): the
// image behind the DMI pointer is rebuilt whole, with or without a caller's list.
TEST(RramTlm, DmiTracksAnalogDriftEvents) {
  device::RramArraySpecs s = binary_specs();
  s.drift.analog_sigma0 = 10;
  s.drift.horizon_samples = 10;  // sigma = 10 weight units per event: every word moves or clips
  rram_array target(unique_name("rram").c_str(), s, 1, 0, kClock);
  ::tlm::tlm_generic_payload t;
  ::tlm::tlm_dmi dmi;
  t.set_command(::tlm::TLM_READ_COMMAND);
  ASSERT_TRUE(forward_path(target).get_direct_mem_ptr(t, dmi));
  const unsigned char* mem = dmi.get_dmi_ptr();
  const auto image_matches = [&] {
    for (uint64_t w = 0; w < 16; ++w)
      if (static_cast<int8_t>(mem[w]) != target.array().peek_word(w)) return false;
    return true;
  };
  std::vector<unsigned char> before(mem, mem + 16);
  ASSERT_EQ(target.advance_samples(10), 1u);  // no list asked for
  EXPECT_TRUE(image_matches());
  EXPECT_NE(std::vector<unsigned char>(mem, mem + 16), before);
  before.assign(mem, mem + 16);
  std::vector<uint64_t> changed;
  bool dense = false;
  ASSERT_EQ(target.advance_samples(10, &changed, &dense), 1u);
  EXPECT_TRUE(dense);
  EXPECT_TRUE(changed.empty());
  EXPECT_TRUE(image_matches());
  EXPECT_NE(std::vector<unsigned char>(mem, mem + 16), before);
}

TEST(RramTlm, DmiDeniedWhileReadEffectsAreOn) {
  device::RramArraySpecs s = binary_specs();
  s.read_effects.noise_sigma_levels = 0.2;
  rram_array target(unique_name("rram").c_str(), s, 1, 0, kClock);
  EXPECT_FALSE(target.dmi_allowed());
  DirectInitiator bus{forward_path(target)};
  bus.read(0, 1);
  EXPECT_FALSE(bus.last_dmi_hint);
  ::tlm::tlm_generic_payload t;
  ::tlm::tlm_dmi dmi;
  t.set_command(::tlm::TLM_READ_COMMAND);
  EXPECT_FALSE(forward_path(target).get_direct_mem_ptr(t, dmi));
  EXPECT_FALSE(dmi.is_read_allowed());
  // Turning the effects off allows DMI again (no pointer was out, so nothing to invalidate).
  target.set_read_effects(device::RramReadEffects{});
  EXPECT_TRUE(target.dmi_allowed());
  bus.read(0, 1);
  EXPECT_TRUE(bus.last_dmi_hint);
  EXPECT_TRUE(forward_path(target).get_direct_mem_ptr(t, dmi));
}

TEST(RramTlm, RevokingDmiBeforeBindingThrows) {
  rram_array target(unique_name("rram").c_str(), binary_specs(), 1, 0, kClock);
  ::tlm::tlm_generic_payload t;
  ::tlm::tlm_dmi dmi;
  t.set_command(::tlm::TLM_READ_COMMAND);
  ASSERT_TRUE(forward_path(target).get_direct_mem_ptr(t, dmi));
  device::RramReadEffects noisy;
  noisy.noise_sigma_levels = 0.5;
  // The pointer is out but there is no bound backward path to revoke it on: fail loudly.
  EXPECT_THROW(target.set_read_effects(noisy), std::logic_error);
}

TEST(RramTlm, DebugTransportIsFree) {
  rram_array target(unique_name("rram").c_str(), binary_specs(), 1, 0, kClock);
  Bytes data{0x11, 0x22, 0x33};
  ::tlm::tlm_generic_payload t;
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(5);
  t.set_data_ptr(data.data());
  t.set_data_length(3);
  t.set_streaming_width(3);
  EXPECT_EQ(forward_path(target).transport_dbg(t), 3u);
  EXPECT_EQ(target.array().peek_word(6), 0x22);
  Bytes back(3, 0);
  t.set_command(::tlm::TLM_READ_COMMAND);
  t.set_data_ptr(back.data());
  EXPECT_EQ(forward_path(target).transport_dbg(t), 3u);
  EXPECT_EQ(back, (Bytes{0x11, 0x22, 0x33}));
  t.set_address(15);  // runs past the end
  EXPECT_EQ(forward_path(target).transport_dbg(t), 0u);
  EXPECT_EQ(target.stats().word_write_requests, 0u);
  EXPECT_EQ(target.stats().word_reads, 0u);
  EXPECT_EQ(target.energy().total(), 0u);
}

// ---- Elaborated design, run in a child process -------------------------------------------

// Drives the target from an SC_THREAD with a quantum keeper, as a loosely-timed initiator does.
struct QuantumInitiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<QuantumInitiator> out;
  rram_array* target;
  std::vector<std::string> failures;
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;

  SC_HAS_PROCESS(QuantumInitiator);
  QuantumInitiator(const sc_core::sc_module_name& name, rram_array& t)
      : sc_module(name), out("out"), target(&t) {
    out.register_invalidate_direct_mem_ptr(this, &QuantumInitiator::invalidate);
    SC_THREAD(run);
  }

  void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidations.emplace_back(start, end); }

  void expect(bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  }

  ::tlm::tlm_generic_payload& transact(tlm_utils::tlm_quantumkeeper& qk, ::tlm::tlm_command cmd,
                                       uint64_t addr, Bytes& data) {
    trans_.set_command(cmd);
    trans_.set_address(addr);
    trans_.set_data_ptr(data.data());
    trans_.set_data_length(static_cast<unsigned>(data.size()));
    trans_.set_streaming_width(static_cast<unsigned>(data.size()));
    trans_.set_byte_enable_ptr(nullptr);
    trans_.set_dmi_allowed(false);
    trans_.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = qk.get_local_time();
    out->b_transport(trans_, delay);
    qk.set(delay);
    if (qk.need_sync()) qk.sync();
    expect(trans_.is_response_ok(), "response of transaction at address " + std::to_string(addr));
    return trans_;
  }

  void run() {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, sc_core::SC_US));
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    Bytes w0{0x0F};
    transact(qk, ::tlm::TLM_WRITE_COMMAND, 0, w0);  // 14 cycles
    Bytes w13{0x01, 0x03, 0x00};
    transact(qk, ::tlm::TLM_WRITE_COMMAND, 1, w13);  // 14 + 14 + 2 cycles
    Bytes r(4, 0);
    transact(qk, ::tlm::TLM_READ_COMMAND, 0, r);  // 4 x 2 cycles
    expect(r == Bytes({0x0F, 0x01, 0x03, 0x00}), "read-back data");
    expect(sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME, "no sync inside the 1 us quantum");
    qk.sync();
    expect(sc_core::sc_time_stamp() == sc_time(520, SC_NS),
           "simulated time after sync is the sum of latencies (52 cycles): " +
               sc_core::sc_time_stamp().to_string());

    ::tlm::tlm_dmi dmi;
    trans_.set_command(::tlm::TLM_READ_COMMAND);
    trans_.set_address(0);
    expect(out->get_direct_mem_ptr(trans_, dmi), "DMI granted while no read effect is on");
    expect(dmi.get_dmi_ptr() != nullptr && dmi.get_dmi_ptr()[2] == 0x03, "DMI memory holds word 2");

    device::RramReadEffects noisy;
    noisy.noise_sigma_levels = 0.5;
    target->set_read_effects(noisy);
    expect(invalidations.size() == 1 && invalidations[0] == std::make_pair(uint64_t{0}, uint64_t{15}),
           "turning read noise on invalidates the whole array once");
    ::tlm::tlm_dmi denied;
    expect(!out->get_direct_mem_ptr(trans_, denied), "DMI denied while read noise is on");
    Bytes r1(1, 0);
    expect(!transact(qk, ::tlm::TLM_READ_COMMAND, 0, r1).is_dmi_allowed(), "DMI hint off while noisy");
    target->set_read_effects(device::RramReadEffects{});
    expect(invalidations.size() == 1, "turning effects off revokes nothing");
    expect(transact(qk, ::tlm::TLM_READ_COMMAND, 0, r1).is_dmi_allowed(), "DMI hint back on");
    expect(out->get_direct_mem_ptr(trans_, dmi), "DMI granted again");
    qk.sync();
    sc_core::sc_stop();
  }

 private:
  ::tlm::tlm_generic_payload trans_;
};

using testing::exit_child;

void run_elaborated_rram_scenario() {
  std::vector<std::string> failures;
  try {
    rram_array target("rram", binary_specs(), 1, 0, kClock);
    QuantumInitiator initiator("initiator", target);
    initiator.out.bind(target.in);
    sc_core::sc_start();
    failures = initiator.failures;
    if (target.stats().word_reads != 6) failures.push_back("word reads counted by the target");
  } catch (const std::exception& e) {
    failures.push_back(std::string("exception: ") + e.what());
  }
  exit_child(failures, "rram elaborated scenario: ok");
}

TEST(RramTlmElaborated, QuantumKeeperTimingAndDmiInvalidation) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_elaborated_rram_scenario(), ::testing::ExitedWithCode(0), "rram elaborated scenario: ok");
}

}  // namespace
}  // namespace lrt::tlm
