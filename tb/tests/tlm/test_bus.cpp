// bus (TLM-2.0 router): address map construction and decode, routing with address
// translation, bus latency, decode errors, DMI grant translation and clipping, invalidation
// fan-out with translation, debug transport.
//
// Routing needs bound, elaborated sockets, so that test builds its design in a fresh child
// process (a "threadsafe" death test, as in test_sram_buffer.cpp) and exits 0 only if every
// check passed. Map construction and decode are plain calls.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <systemc>
#include <thread>
#include <tlm>
#include <utility>
#include <vector>

#include "child_process.h"
#include "target_access.h"
#include "tlm/bus.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

const sc_time kClock(10, SC_NS);

TEST(BusMap, DecodeAndOverlaps) {
  bus b(unique_name("bus").c_str(), 2, kClock);
  EXPECT_STREQ(b.in.basename(), "in");
  EXPECT_STREQ(b.out.basename(), "out");
  b.map("weights0", kBusRramBase, 0x100, 0);
  b.map("act", kBusSramBase, 0x40, 1, 0x80);
  EXPECT_THROW(b.map("clash", kBusSramBase + 0x3F, 0x10, 1), std::invalid_argument);  // shares byte 0x3F
  EXPECT_THROW(b.map("empty", 0x5000'0000, 0, 0), std::invalid_argument);
  EXPECT_THROW(b.map("wraps", UINT64_MAX - 2, 4, 0), std::invalid_argument);
  b.map("next", kBusSramBase + 0x40, 0x10, 1);  // adjacent is fine
  ASSERT_NE(b.decode(kBusSramBase + 0x3C, 4), nullptr);
  EXPECT_EQ(b.decode(kBusSramBase + 0x3C, 4)->name, "act");
  EXPECT_EQ(b.decode(kBusSramBase + 0x3D, 4), nullptr);  // straddles act / next
  EXPECT_EQ(b.decode(kBusRramBase - 1, 1), nullptr);
  EXPECT_EQ(b.decode(kBusRramBase + 0xFF, 1)->name, "weights0");
  EXPECT_EQ(b.decode(kBusRramBase + 0x100, 1), nullptr);
}

// ---- Elaborated design, run in a child process -------------------------------------------

// A memory target with its own latency and full-range DMI that can revoke ranges.
struct Memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<Memory> in;
  std::vector<unsigned char> bytes;
  std::vector<uint64_t> seen_addresses;
  static constexpr uint64_t kLatency = 3, kDmiLatency = 4;

  Memory(const sc_core::sc_module_name& name, std::size_t size) : sc_module(name), in("in"), bytes(size, 0) {
    in.register_b_transport(this, &Memory::b_transport);
    in.register_get_direct_mem_ptr(this, &Memory::get_dmi);
    in.register_transport_dbg(this, &Memory::dbg);
  }
  void b_transport(::tlm::tlm_generic_payload& t, sc_time& delay) {
    seen_addresses.push_back(t.get_address());
    copy(t);
    delay += clock_cycles(kLatency, kClock);
    t.set_response_status(::tlm::TLM_OK_RESPONSE);
  }
  unsigned int dbg(::tlm::tlm_generic_payload& t) {
    copy(t);
    return t.get_data_length();
  }
  void copy(::tlm::tlm_generic_payload& t) {
    unsigned char* mem = bytes.data() + t.get_address();
    if (t.is_read()) std::memcpy(t.get_data_ptr(), mem, t.get_data_length());
    if (t.is_write()) std::memcpy(mem, t.get_data_ptr(), t.get_data_length());
  }
  bool get_dmi(::tlm::tlm_generic_payload&, ::tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(bytes.data());
    dmi.set_start_address(0);
    dmi.set_end_address(bytes.size() - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(clock_cycles(kDmiLatency, kClock));
    dmi.set_write_latency(clock_cycles(kDmiLatency, kClock));
    return true;
  }
};

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> out;
  std::vector<std::pair<uint64_t, uint64_t>> invalidated;
  explicit Initiator(const sc_core::sc_module_name& name) : sc_module(name), out("out") {
    out.register_invalidate_direct_mem_ptr(this, &Initiator::invalidate);
  }
  void invalidate(sc_dt::uint64 s, sc_dt::uint64 e) { invalidated.emplace_back(s, e); }
  ::tlm::tlm_response_status access(::tlm::tlm_command cmd, uint64_t addr, std::vector<unsigned char>& data,
                                    sc_time& delay) {
    ::tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data.data());
    t.set_data_length(static_cast<unsigned>(data.size()));
    t.set_streaming_width(static_cast<unsigned>(data.size()));
    t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    out->b_transport(t, delay);
    if (t.get_address() != addr) return ::tlm::TLM_INCOMPLETE_RESPONSE;  // the bus must restore it
    return t.get_response_status();
  }
};

// A method process that reads through `ini` at 1 ns (after the scenario's calls from sc_main).
// A method, not a thread: it runs on the kernel's stack (a thread's own stack confuses ASan).
struct ProcessCaller : sc_core::sc_module {
  SC_HAS_PROCESS(ProcessCaller);
  Initiator& ini;
  bool called = false;
  ProcessCaller(const sc_core::sc_module_name& name, Initiator& i) : sc_module(name), ini(i) {
    SC_METHOD(run);
  }
  void run() {
    if (sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME) {
      next_trigger(sc_time(1, SC_NS));
      return;
    }
    std::vector<unsigned char> d(4, 0);
    sc_time delay = sc_core::SC_ZERO_TIME;
    called = ini.access(::tlm::TLM_READ_COMMAND, kBusSramBase + 0x10, d, delay) == ::tlm::TLM_OK_RESPONSE;
  }
};

using testing::exit_child;

void run_bus_scenario() {
  std::vector<std::string> failures;
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  };
  try {
    bus b("bus", 2, kClock);
    Memory rram("rram", 0x100), sram("sram", 0x100);
    Initiator cpu("cpu"), unit("unit"), proc_ini("proc_ini");
    cpu.out.bind(b.in);
    unit.out.bind(b.in);
    proc_ini.out.bind(b.in);
    ProcessCaller caller("caller", proc_ini);
    b.out.bind(rram.in);  // out[0]
    b.out.bind(sram.in);  // out[1]
    b.map("weights0", kBusRramBase, 0x100, 0);
    b.map("act", kBusSramBase, 0x40, 1, 0x80);         // sram 0x80..0xBF
    b.map("lr", kBusSramBase + 0x1000, 0x40, 1, 0x00);  // sram 0x00..0x3F
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    try {
      b.map("late", 0x4000'0000, 4, 0);
      failures.push_back("map() after elaboration did not throw");
    } catch (const std::logic_error&) {
    }

    // Routing, translation, latency: bus 2 cycles + memory 3 cycles.
    std::vector<unsigned char> w{1, 2, 3, 4};
    sc_time delay = sc_core::SC_ZERO_TIME;
    expect(cpu.access(::tlm::TLM_WRITE_COMMAND, kBusSramBase + 0x10, w, delay) == ::tlm::TLM_OK_RESPONSE,
           "write to act (and the payload's address restored)");
    expect(sram.seen_addresses == std::vector<uint64_t>{0x90}, "act + 0x10 is sram 0x90");
    expect(delay == sc_time(50, SC_NS), "2 + 3 cycles: " + delay.to_string());
    expect(std::memcmp(sram.bytes.data() + 0x90, w.data(), 4) == 0, "data landed at sram 0x90");
    std::vector<unsigned char> r(4, 0);
    expect(unit.access(::tlm::TLM_READ_COMMAND, kBusSramBase + 0x10, r, delay) == ::tlm::TLM_OK_RESPONSE &&
               r == w,
           "second initiator reads it back");
    std::vector<unsigned char> one(1, 0);
    expect(cpu.access(::tlm::TLM_READ_COMMAND, kBusSramBase + 0x1004, one, delay) == ::tlm::TLM_OK_RESPONSE &&
               sram.seen_addresses.back() == 0x04,
           "lr + 4 is sram 0x04");
    expect(cpu.access(::tlm::TLM_READ_COMMAND, kBusRramBase + 0xFF, one, delay) == ::tlm::TLM_OK_RESPONSE &&
               rram.seen_addresses == std::vector<uint64_t>{0xFF},
           "weights0 + 0xFF is rram 0xFF");
    expect(delay == sc_time(200, SC_NS), "four routed accesses, 5 cycles each: " + delay.to_string());

    // Decode errors: no latency, nothing forwarded.
    const std::size_t forwarded = sram.seen_addresses.size() + rram.seen_addresses.size();
    expect(cpu.access(::tlm::TLM_READ_COMMAND, kBusSramBase + 0x40, one, delay) ==
               ::tlm::TLM_ADDRESS_ERROR_RESPONSE,
           "one past act");
    expect(cpu.access(::tlm::TLM_READ_COMMAND, kBusSramBase + 0x3E, r, delay) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE,
           "straddling the end of act");
    expect(cpu.access(::tlm::TLM_READ_COMMAND, 0, one, delay) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "address 0");
    expect(delay == sc_time(200, SC_NS), "errors add no latency");
    expect(sram.seen_addresses.size() + rram.seen_addresses.size() == forwarded, "errors forward nothing");
    expect(b.stats().transactions == 4 && b.stats().decode_errors == 3, "bus counters");
    // Issue 21's rule, counted: these seven calls came from sc_main, none from another thread.
    expect(b.stats().outside_process_calls == 7 && b.stats().foreign_thread_calls == 0,
           "seven calls outside a process: " + std::to_string(b.stats().outside_process_calls));

    // DMI: the target grants all of its 256 bytes; the bus clips to act and translates.
    ::tlm::tlm_generic_payload t;
    ::tlm::tlm_dmi dmi;
    t.set_command(::tlm::TLM_READ_COMMAND);
    t.set_address(kBusSramBase + 0x04);
    expect(cpu.out->get_direct_mem_ptr(t, dmi), "DMI granted in act");
    expect(t.get_address() == kBusSramBase + 0x04, "DMI request address restored");
    expect(dmi.get_start_address() == kBusSramBase && dmi.get_end_address() == kBusSramBase + 0x3F,
           "DMI range clipped to act in bus addresses");
    expect(dmi.get_dmi_ptr() == sram.bytes.data() + 0x80, "DMI pointer at sram 0x80");
    expect(dmi.get_read_latency() == sc_time(60, SC_NS) && dmi.get_write_latency() == sc_time(60, SC_NS),
           "DMI latency: 4 memory + 2 bus cycles");
    expect(dmi.get_dmi_ptr()[0x10] == 1, "DMI sees the byte written at act + 0x10");
    ::tlm::tlm_dmi none;
    t.set_address(0x4000'0000);
    expect(!cpu.out->get_direct_mem_ptr(t, none) && none.get_start_address() == 0x4000'0000 &&
               none.get_end_address() == 0x4000'0000,
           "no DMI outside the map, claiming only the address asked");

    // Invalidation from sram [0x70, 0x8F]: touches act (0x80..0x8F), not lr (0x00..0x3F).
    sram.in->invalidate_direct_mem_ptr(0x70, 0x8F);
    const std::vector<std::pair<uint64_t, uint64_t>> first{{kBusSramBase, kBusSramBase + 0x0F}};
    expect(cpu.invalidated == first && unit.invalidated == first, "invalidation translated to act, to both");
    sram.in->invalidate_direct_mem_ptr(0, UINT64_MAX);
    const std::vector<std::pair<uint64_t, uint64_t>> all{
        {kBusSramBase, kBusSramBase + 0x0F}, {kBusSramBase, kBusSramBase + 0x3F},
        {kBusSramBase + 0x1000, kBusSramBase + 0x103F}};
    expect(cpu.invalidated == all && unit.invalidated == all, "full invalidation: every sram window");
    expect(b.stats().invalidations == 3, "three translated ranges");

    // Debug transport: translated, forwarded, free.
    t.set_command(::tlm::TLM_READ_COMMAND);
    t.set_address(kBusSramBase + 0x10);
    std::vector<unsigned char> back(4, 0);
    t.set_data_ptr(back.data());
    t.set_data_length(4);
    t.set_streaming_width(4);
    expect(cpu.out->transport_dbg(t) == 4 && back == w, "debug read through the bus");
    t.set_address(kBusSramBase + 0x3E);
    expect(cpu.out->transport_dbg(t) == 0, "debug read straddling the window");
    expect(sram.seen_addresses.size() + rram.seen_addresses.size() == forwarded, "debug is not b_transport");

    // A call from a method process is not counted; one from another OS thread is.
    const BusStats before = b.stats();
    sc_core::sc_start(sc_time(2, SC_NS));
    expect(caller.called && b.stats().transactions == before.transactions + 1 &&
               b.stats().outside_process_calls == before.outside_process_calls &&
               b.stats().foreign_thread_calls == 0,
           "a method process's call is inside a process");
    std::thread other([&] {
      sc_time d = sc_core::SC_ZERO_TIME;
      cpu.access(::tlm::TLM_READ_COMMAND, kBusSramBase + 0x10, r, d);
    });
    other.join();
    expect(b.stats().foreign_thread_calls == 1 &&
               b.stats().outside_process_calls == before.outside_process_calls,
           "a call from another OS thread is a foreign-thread call");
  } catch (const std::exception& e) {
    failures.push_back(std::string("exception: ") + e.what());
  }
  exit_child(failures, "bus scenario: ok");
}

TEST(BusElaborated, RoutingLatencyErrorsDmiAndInvalidation) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_bus_scenario(), ::testing::ExitedWithCode(0), "bus scenario: ok");
}

}  // namespace
}  // namespace lrt::tlm
