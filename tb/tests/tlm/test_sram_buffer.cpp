// sram_buffer (TLM-2.0 target): over-capacity mapping at elaboration, directed transactions
// with exact latency and energy, response statuses, no DMI, free debug transport.
//
// Like test_rram_array.cpp, most tests call the target's forward interface directly without
// starting the kernel (the target never waits); the test that needs an elaborated design
// (mapping after elaboration, transactions through a bound socket) runs in a fresh child
// process through a "threadsafe" death test, so its sc_start cannot collide with other tests.
#include <gtest/gtest.h>

#include "child_process.h"
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "target_access.h"
#include "core/error.h"
#include "tlm/sram_buffer.h"

namespace lrt::tlm {
namespace {

using Bytes = std::vector<unsigned char>;
using sc_core::SC_NS;
using sc_core::sc_time;

const sc_time kClock(10, SC_NS);

device::SramSpecs small_specs() {
  device::SramSpecs s;
  s.capacity_bits = 4096;
  s.word_bits = 32;
  s.energy_model = device::SramCostModel::kFixed;  // the per-bit energies below, not the capacity table
  s.read_energy_pj_per_bit = 0.3125;  // 3125 units of 0.1 fJ
  s.write_energy_pj_per_bit = 0.3125;
  s.read_latency_cycles = 1;
  s.write_latency_cycles = 3;
  return s;
}

::tlm::tlm_response_status transact(Fw& fw, ::tlm::tlm_command cmd, uint64_t addr, Bytes& data,
                                    sc_time& delay) {
  ::tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(data.data());
  t.set_data_length(static_cast<unsigned>(data.size()));
  t.set_streaming_width(static_cast<unsigned>(data.size()));
  t.set_byte_enable_ptr(nullptr);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  fw.b_transport(t, delay);
  return t.get_response_status();
}

TEST(SramTlm, OverCapacityAtElaborationNamesBothSizes) {
  sram_buffer sram(unique_name("sram").c_str(), small_specs(), kClock);
  EXPECT_STREQ(sram.in.basename(), "in");
  sram.map("L", 4000);  // 125 words of 32 bits
  try {
    sram.map("R", 200);
    FAIL() << "mapping beyond capacity must throw";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.member(), "capacity_bits");
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'R' needs 200 bits"), std::string::npos) << msg;
    EXPECT_NE(msg.find("capacity is 4096 bits"), std::string::npos) << msg;
    EXPECT_NE(msg.find("4000 are already mapped"), std::string::npos) << msg;
  }
  EXPECT_EQ(sram.buffer().mapped_bits(), 4000u);
}

TEST(SramTlm, TransactionsLatencyAndEnergy) {
  sram_buffer sram(unique_name("sram").c_str(), small_specs(), kClock);
  const device::SramRegion& lr = sram.map("LR", 1024);
  ASSERT_EQ(lr.offset_bytes, 0u);
  sram.map("bias", 256);  // bytes 128..159
  Fw& fw = forward_path(sram);
  sc_time delay(7, SC_NS);
  Bytes w{1, 2, 3, 4, 5, 6};
  // Bytes 130..135 touch 32-bit words 32 and 33: 2 x 3 write cycles.
  ASSERT_EQ(transact(fw, ::tlm::TLM_WRITE_COMMAND, 130, w, delay), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(delay, sc_time(7 + 60, SC_NS));
  Bytes r(6, 0);
  ASSERT_EQ(transact(fw, ::tlm::TLM_READ_COMMAND, 130, r, delay), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(r, w);
  EXPECT_EQ(delay, sc_time(67 + 20, SC_NS));  // 2 x 1 read cycle
  EXPECT_EQ(sram.energy().write, 48u * 3125u);
  EXPECT_EQ(sram.energy().read, 48u * 3125u);
  EXPECT_EQ(sram.stats().bits_written, 48u);
  // Outside the mapped 160 bytes: address error, nothing charged.
  Bytes past(4, 0);
  EXPECT_EQ(transact(fw, ::tlm::TLM_READ_COMMAND, 158, past, delay), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
  Bytes empty;
  EXPECT_EQ(transact(fw, ::tlm::TLM_READ_COMMAND, 0, empty, delay), ::tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(delay, sc_time(87, SC_NS));
  EXPECT_EQ(sram.stats().reads, 1u);
}

TEST(SramTlm, NoDmiAndFreeDebugTransport) {
  sram_buffer sram(unique_name("sram").c_str(), small_specs(), kClock);
  sram.map("x", 64);
  Fw& fw = forward_path(sram);
  ::tlm::tlm_generic_payload t;
  ::tlm::tlm_dmi dmi;
  t.set_command(::tlm::TLM_READ_COMMAND);
  EXPECT_FALSE(fw.get_direct_mem_ptr(t, dmi));
  Bytes data{9, 8, 7};
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(2);
  t.set_data_ptr(data.data());
  t.set_data_length(3);
  t.set_streaming_width(3);
  EXPECT_EQ(fw.transport_dbg(t), 3u);
  Bytes back(3, 0);
  t.set_command(::tlm::TLM_READ_COMMAND);
  t.set_data_ptr(back.data());
  EXPECT_EQ(fw.transport_dbg(t), 3u);
  EXPECT_EQ(back, data);
  t.set_address(6);  // 6..8 runs past the 8 mapped bytes
  EXPECT_EQ(fw.transport_dbg(t), 0u);
  EXPECT_EQ(sram.energy().total(), 0u);
  EXPECT_EQ(sram.stats().reads + sram.stats().writes, 0u);
}

// ---- Elaborated design, run in a child process -------------------------------------------

struct OverMappingTop : sc_core::sc_module {
  sram_buffer sram;
  explicit OverMappingTop(const sc_core::sc_module_name& name)
      : sc_module(name), sram("sram", small_specs(), kClock) {
    sram.map("activations", 3000);
    sram.map("factors", 2000);  // 3008 + 2016 > 4096: throws while the design elaborates
  }
};

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> out;
  explicit Initiator(const sc_core::sc_module_name& name) : sc_module(name), out("out") {}
};

using testing::exit_child;

void run_elaborated_sram_scenario() {
  std::vector<std::string> failures;
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  };
  try {
    try {
      OverMappingTop top("top");
      failures.push_back("over-mapping in a constructor did not throw");
    } catch (const SpecError& e) {
      const std::string msg = e.what();
      expect(e.member() == "capacity_bits", "member: " + e.member());
      expect(msg.find("'factors' needs 2000 bits") != std::string::npos, "message names the request: " + msg);
      expect(msg.find("capacity is 4096 bits") != std::string::npos, "message names the capacity: " + msg);
    }
    sram_buffer sram("sram", small_specs(), kClock);
    sram.map("x", 256);
    Initiator initiator("initiator");
    initiator.out.bind(sram.in);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // completes elaboration and binding
    try {
      sram.map("late", 8);
      failures.push_back("map() after elaboration did not throw");
    } catch (const std::logic_error& e) {
      expect(std::string(e.what()).find("map('late') after elaboration") != std::string::npos, e.what());
    }
    // A transaction through the bound socket (b_transport never waits, so no thread is needed).
    Bytes w{0xAB, 0xCD, 0xEF, 0x01, 0x23};
    ::tlm::tlm_generic_payload t;
    t.set_command(::tlm::TLM_WRITE_COMMAND);
    t.set_address(3);
    t.set_data_ptr(w.data());
    t.set_data_length(5);
    t.set_streaming_width(5);
    sc_time delay = sc_core::SC_ZERO_TIME;
    initiator.out->b_transport(t, delay);
    expect(t.is_response_ok(), "write response");
    expect(delay == sc_time(60, SC_NS),
           "bytes 3..7 touch 32-bit words 0 and 1: 2 x 3 cycles: " + delay.to_string());
    expect(sram.stats().bits_written == 40, "bits written");
  } catch (const std::exception& e) {
    failures.push_back(std::string("exception: ") + e.what());
  }
  exit_child(failures, "sram elaborated scenario: ok");
}

TEST(SramTlmElaborated, MappingClosesAtElaborationAndSocketWorks) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_elaborated_sram_scenario(), ::testing::ExitedWithCode(0), "sram elaborated scenario: ok");
}

}  // namespace
}  // namespace lrt::tlm
