// Every production socket under the base-protocol checker (tlm_interop/base_protocol_checker.h):
// legal and illegal payloads to the SRAM buffer, an RRAM array, the MAC array, the rank-reduce
// unit (its `mem` socket checked too) and the bus, each behind a checker, with zero violations;
// and a deliberately broken toy target whose every fault the checker names (so the test can fail).
//
// The sockets must be bound and elaborated, so each scenario runs in a child process (a
// "threadsafe" death test, as in test_bus.cpp) and exits 0 only if every check passed.
#include <gtest/gtest.h>

#include "child_process.h"
#include "tlm_interop/base_protocol_checker.h"
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "device/rram_specs.h"
#include "device/sram_buffer.h"
#include "tlm/bus.h"
#include "tlm/mac_array.h"
#include "tlm/rank_reduce_impl.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/rram_array.h"
#include "tlm/sram_buffer.h"

namespace lrt::tlm {
namespace {

using golden::RankReduceParams;
using sc_core::SC_NS;
using sc_core::sc_time;
using testing::base_protocol_checker;
using testing::exit_child;

const sc_time kClock(10, SC_NS);

// The optional shape of a payload: streaming width (0: the data length) and byte enables.
struct Shape {
  unsigned streaming = 0;
  std::vector<unsigned char> byte_enables;
};

// Sends payloads of any shape, legal for an initiator (INCOMPLETE in, non-zero streaming width).
struct Driver : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Driver> out;
  unsigned invalidated = 0;
  explicit Driver(const sc_core::sc_module_name& name) : sc_module(name), out("out") {
    out.register_invalidate_direct_mem_ptr(this, &Driver::invalidate);
  }
  void invalidate(sc_dt::uint64, sc_dt::uint64) { ++invalidated; }

  ::tlm::tlm_response_status send(::tlm::tlm_command cmd, uint64_t addr, std::vector<unsigned char>& data,
                                  const Shape& shape = {}) {
    ::tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data.data());
    t.set_data_length(static_cast<unsigned>(data.size()));
    t.set_streaming_width(shape.streaming != 0 ? shape.streaming : static_cast<unsigned>(data.size()));
    std::vector<unsigned char> be = shape.byte_enables;
    if (!be.empty()) {
      t.set_byte_enable_ptr(be.data());
      t.set_byte_enable_length(static_cast<unsigned>(be.size()));
    }
    t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    out->b_transport(t, delay);
    return t.get_response_status();
  }
  unsigned debug(::tlm::tlm_command cmd, uint64_t addr, std::vector<unsigned char>& data) {
    ::tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data.data());
    t.set_data_length(static_cast<unsigned>(data.size()));
    return out->transport_dbg(t);
  }
  bool dmi(::tlm::tlm_command cmd, uint64_t addr) {
    ::tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    ::tlm::tlm_dmi d;
    return out->get_direct_mem_ptr(t, d);
  }
};

struct Checks {
  std::vector<std::string> failures;
  void expect(bool ok, const std::string& what) {
    if (!ok) failures.push_back(what);
  }
  void expect_clean(const base_protocol_checker& c, uint64_t min_transports) {
    expect(c.violations().empty(), std::string(c.name()) + " saw violations:\n" + c.report());
    expect(c.transports() >= min_transports,
           std::string(c.name()) + " checked only " + std::to_string(c.transports()) + " b_transport calls");
  }
};

std::vector<unsigned char> bytes(std::size_t n, unsigned char fill = 0) { return std::vector<unsigned char>(n, fill); }

constexpr auto R = ::tlm::TLM_READ_COMMAND;
constexpr auto W = ::tlm::TLM_WRITE_COMMAND;
constexpr auto OK = ::tlm::TLM_OK_RESPONSE;

RankReduceParams small_params() {
  RankReduceParams p;
  p.n_o = 6;
  p.n_i = 9;
  p.rank = 3;
  p.mode = golden::RankReduceMode::kBiased;
  p.kappa_th = 1000.0;
  p.seed = 0x5EEDu;
  return p;
}

void run_production_targets() {
  Checks c;
  try {
    // SRAM buffer, RRAM array, MAC array, rank-reduce unit (with its SRAM behind its own
    // checker) and the bus in front of a second SRAM buffer (checked on both sides).
    device::SramSpecs ss;
    ss.capacity_bits = 8 * 1024;
    sram_buffer sram("sram", ss, kClock);
    sram.map("data", 8 * 256);
    Driver to_sram("to_sram");
    base_protocol_checker check_sram("check_sram");
    to_sram.out.bind(check_sram.in);
    check_sram.out.bind(sram.in);

    device::RramArraySpecs rs;  // 6-bit weights: codes [-32, 31] in one-byte words
    rs.weight_bits = 6;
    rs.bits_per_cell = 1;
    rs.cells = 64 * 6;
    rs.endurance.distribution = device::EnduranceDistribution::kFixed;
    rram_array rram("rram", rs, 7, 0, kClock);
    Driver to_rram("to_rram");
    base_protocol_checker check_rram("check_rram");
    to_rram.out.bind(check_rram.in);
    check_rram.out.bind(rram.in);

    mac_array mac("mac", MacArraySpecs{}, kClock);
    Driver to_mac("to_mac");
    base_protocol_checker check_mac("check_mac");
    to_mac.out.bind(check_mac.in);
    check_mac.out.bind(mac.in);

    sram_buffer unit_sram("unit_sram", ss, kClock);
    const RankReduceParams p = small_params();
    const uint64_t state = unit_sram.map("state", 8 * rank_reduce_unit::state_bytes(p)).offset_bytes;
    const uint64_t dz_addr = unit_sram.map("dz", 8 * 2 * p.n_o).offset_bytes;
    const uint64_t a_addr = unit_sram.map("a", 8 * 2 * p.n_i).offset_bytes;
    rank_reduce_unit unit("unit", RankReduceUnitSpecs{}, make_rank_reduce_impl(RankReduceImplKind::kGolden, p), state,
                          kClock);
    Driver to_unit("to_unit");
    base_protocol_checker check_unit("check_unit"), check_unit_mem("check_unit_mem");
    to_unit.out.bind(check_unit.in);
    check_unit.out.bind(unit.in);
    unit.mem.bind(check_unit_mem.in);
    check_unit_mem.out.bind(unit_sram.in);

    bus b("bus", 2, kClock);
    sram_buffer bus_sram("bus_sram", ss, kClock);
    bus_sram.map("window", 8 * 256);
    Driver to_bus("to_bus");
    base_protocol_checker check_bus("check_bus"), check_bus_target("check_bus_target");
    to_bus.out.bind(check_bus.in);
    check_bus.out.bind(b.in);
    b.out.bind(check_bus_target.in);
    check_bus_target.out.bind(bus_sram.in);
    b.map("window", kBusSramBase, 256, 0);

    sc_core::sc_start(sc_core::SC_ZERO_TIME);

    // ---- SRAM buffer: legal accesses, then every shape it refuses.
    auto d = bytes(16, 0xA5);
    c.expect(to_sram.send(W, 0x10, d) == OK, "sram write");
    auto back = bytes(16);
    c.expect(to_sram.send(R, 0x10, back) == OK && back == d, "sram read back");
    c.expect(to_sram.send(W, 0x10, d, {0, {0xFF, 0x00}}) == ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "sram byte enables");
    c.expect(to_sram.send(R, 0x10, d, {4, {}}) == ::tlm::TLM_BURST_ERROR_RESPONSE, "sram streaming");
    c.expect(to_sram.send(R, 0xFF8, d) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "sram outside");
    c.expect(to_sram.send(::tlm::TLM_IGNORE_COMMAND, 0x10, d) != ::tlm::TLM_INCOMPLETE_RESPONSE, "sram ignore");
    c.expect(to_sram.debug(R, 0x10, back) == 16, "sram debug read");
    c.expect(!to_sram.dmi(R, 0x10), "sram grants no DMI");
    c.expect_clean(check_sram, 6);

    // ---- RRAM array: bursts, the DMI hint on reads (probed by the checker), refused shapes,
    // a code outside the weight range, DMI grant and refusal, and the invalidation when read
    // noise turns DMI off.
    auto w = bytes(8, 3);
    c.expect(to_rram.send(W, 0, w) == OK, "rram write burst");
    auto rb = bytes(8);
    c.expect(to_rram.send(R, 0, rb) == OK && rb == w, "rram read burst (DMI hint)");
    c.expect(to_rram.send(W, 0, w, {0, {0xFF}}) == ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "rram byte enables");
    c.expect(to_rram.send(W, 0, w, {1, {}}) == ::tlm::TLM_BURST_ERROR_RESPONSE, "rram streaming");
    c.expect(to_rram.send(R, 64, rb) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "rram outside");
    auto lowest = bytes(1, 0xE0);  // -32, the lowest 6-bit code
    c.expect(to_rram.send(W, 9, lowest) == OK, "rram write of the lowest code");
    auto outside = bytes(1, 0xDF);  // -33: outside the weight range
    c.expect(
        to_rram.send(W, 10, outside) == ::tlm::TLM_GENERIC_ERROR_RESPONSE && rram.array().peek_word(10) == 0,
        "rram write of a code outside the weight range: TLM_GENERIC_ERROR_RESPONSE, nothing stored");
    c.expect(to_rram.dmi(R, 4), "rram DMI read granted");
    c.expect(!to_rram.dmi(W, 4), "rram DMI write refused");
    c.expect(to_rram.debug(R, 0, rb) == 8, "rram debug read");
    device::RramReadEffects noisy;
    noisy.noise_sigma_levels = 0.3;
    rram.set_read_effects(noisy);
    c.expect(to_rram.send(R, 0, rb) == OK, "rram read with noise (no hint)");
    c.expect(to_rram.invalidated == 1 && check_rram.invalidations() == 1, "rram invalidation passed the checker once");
    c.expect_clean(check_rram, 8);

    // ---- MAC array: a job, and every shape it refuses.
    MacJob job;
    job.macs = 100;
    std::vector<unsigned char> jb(sizeof(MacJob));
    std::memcpy(jb.data(), &job, sizeof job);
    c.expect(to_mac.send(W, 0, jb) == OK, "mac job");
    c.expect(to_mac.send(R, 0, jb) == ::tlm::TLM_COMMAND_ERROR_RESPONSE, "mac read");
    c.expect(to_mac.send(W, 8, jb) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "mac address");
    c.expect(to_mac.send(W, 0, jb, {0, {0xFF}}) == ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "mac byte enables");
    auto short_job = bytes(4);
    c.expect(to_mac.send(W, 0, short_job) == ::tlm::TLM_BURST_ERROR_RESPONSE, "mac length");
    c.expect(!to_mac.dmi(W, 0), "mac grants no DMI");
    c.expect_clean(check_mac, 5);

    // ---- Rank-reduce unit: registers, a STEP (timed reads of dz and a through `mem`), a
    // RESET (state by debug transport), and the refused shapes.
    std::vector<unsigned char> codes(2 * p.n_i);
    for (unsigned i = 0; i < codes.size(); i += 2) codes[i] = static_cast<unsigned char>(i + 1);
    const_cast<device::SramBuffer&>(unit_sram.buffer()).poke(dz_addr, codes.data(), 2 * p.n_o);
    const_cast<device::SramBuffer&>(unit_sram.buffer()).poke(a_addr, codes.data(), 2 * p.n_i);
    auto reg = [](uint32_t v) {
      std::vector<unsigned char> r(4);
      for (unsigned i = 0; i < 4; ++i) r[i] = static_cast<unsigned char>(v >> (8 * i));
      return r;
    };
    using U = rank_reduce_unit;
    auto v = reg(static_cast<uint32_t>(dz_addr));
    c.expect(to_unit.send(W, U::kDzAddr, v) == OK, "unit DZ_ADDR");
    v = reg(static_cast<uint32_t>(a_addr));
    c.expect(to_unit.send(W, U::kAAddr, v) == OK, "unit A_ADDR");
    v = reg(U::kStep);
    c.expect(to_unit.send(W, U::kControl, v) == OK, "unit STEP");
    v = reg(0);
    c.expect(to_unit.send(R, U::kPairs, v) == OK && v[0] == 1, "unit PAIRS");
    v = reg(U::kReset);
    c.expect(to_unit.send(W, U::kControl, v) == OK, "unit RESET");
    c.expect(to_unit.send(R, U::kControl, v) == ::tlm::TLM_COMMAND_ERROR_RESPONSE, "unit read of CONTROL");
    c.expect(to_unit.send(R, 0x22, v) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "unit misaligned");
    c.expect(to_unit.send(R, U::kStatus, v, {0, {0xFF}}) == ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "unit byte enables");
    auto two = bytes(2);
    c.expect(to_unit.send(R, U::kStatus, two) == ::tlm::TLM_BURST_ERROR_RESPONSE, "unit length");
    c.expect(to_unit.debug(R, U::kStatus, v) == 0, "unit has no debug transport");
    c.expect_clean(check_unit, 9);
    c.expect(check_unit_mem.violations().empty(), "check_unit_mem saw violations:\n" + check_unit_mem.report());
    c.expect(check_unit_mem.transports() + check_unit_mem.debug_calls() > 0, "the unit's mem socket carried traffic");

    // ---- Bus: routed accesses (address translated and restored), a decode error, debug and
    // DMI forwarded.
    auto bd = bytes(8, 0x5A);
    c.expect(to_bus.send(W, kBusSramBase + 0x20, bd) == OK, "bus write");
    auto bb = bytes(8);
    c.expect(to_bus.send(R, kBusSramBase + 0x20, bb) == OK && bb == bd, "bus read");
    c.expect(to_bus.send(R, kBusSramBase + 0xFC, bb) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "bus straddles the end");
    c.expect(to_bus.send(R, 0x7000'0000, bb) == ::tlm::TLM_ADDRESS_ERROR_RESPONSE, "bus decode error");
    c.expect(to_bus.send(W, kBusSramBase, bd, {0, {0xFF, 0}}) == ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
             "bus forwards byte enables");
    c.expect(to_bus.debug(R, kBusSramBase + 0x20, bb) == 8, "bus debug");
    c.expect(!to_bus.dmi(R, kBusSramBase), "bus forwards the SRAM's DMI refusal");
    c.expect_clean(check_bus, 5);
    c.expect_clean(check_bus_target, 3);
  } catch (const std::exception& e) {
    c.failures.push_back(std::string("exception: ") + e.what());
  }
  exit_child(c.failures, "production targets: no base-protocol violation");
}

// A target that breaks one rule per address, so that the checker must name each.
struct BrokenTarget : sc_core::sc_module {
  tlm_utils::simple_target_socket<BrokenTarget> in;
  unsigned char memory[64] = {};
  explicit BrokenTarget(const sc_core::sc_module_name& name) : sc_module(name), in("in") {
    in.register_b_transport(this, &BrokenTarget::b_transport);
    in.register_transport_dbg(this, &BrokenTarget::debug);
    in.register_get_direct_mem_ptr(this, &BrokenTarget::dmi);
  }
  void b_transport(::tlm::tlm_generic_payload& t, sc_time&) {
    const uint64_t a = t.get_address();
    if (a == 0) return;  // leaves TLM_INCOMPLETE_RESPONSE
    t.set_response_status(::tlm::TLM_OK_RESPONSE);
    if (a == 4) t.set_address(5);                        // modifies the address
    if (a == 8) t.set_dmi_allowed(true);                 // hints at DMI it refuses (dmi() below)
    if (a == 12) std::memset(t.get_data_ptr(), 0xEE, t.get_data_length());  // ignores byte enables
    if (a == 16) t.set_streaming_width(1);               // modifies the streaming width
    if (a == 20) t.set_command(::tlm::TLM_IGNORE_COMMAND);
    if (a == 24) t.set_data_length(1);
  }
  unsigned debug(::tlm::tlm_generic_payload& t) { return t.get_data_length() + 1; }  // claims too much
  bool dmi(::tlm::tlm_generic_payload& t, ::tlm::tlm_dmi& d) {
    if (t.get_address() == 8) return false;
    d.set_dmi_ptr(memory);
    d.set_start_address(32);  // does not cover the address asked for below
    d.set_end_address(63);
    d.allow_read();           // a write is asked for below
    return true;
  }
};

void run_broken_target() {
  Checks c;
  try {
    BrokenTarget toy("toy");
    Driver drv("drv");
    base_protocol_checker check("check");
    drv.out.bind(check.in);
    check.out.bind(toy.in);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    auto d = bytes(4, 0x11);
    for (uint64_t a : {0, 4, 8, 16, 20, 24}) drv.send(W, a, d);
    drv.send(R, 12, d, {0, {0xFF, 0x00}});  // bytes 1 and 3 disabled, yet written
    drv.debug(R, 0, d);
    drv.dmi(W, 0);
    toy.in->invalidate_direct_mem_ptr(10, 2);
    for (const char* rule : {"response-status-set", "address-unchanged", "dmi-hint", "byte-enable-honoured",
                             "streaming-width-unchanged", "command-unchanged", "data-length-unchanged", "debug-count",
                             "dmi-range", "invalidate-range"}) {
      c.expect(check.broke(rule), std::string("the checker missed ") + rule + "; it reported:\n" + check.report());
    }
    c.expect(check.report().find("IEEE 1666-2011 14.17") != std::string::npos, "messages name the clause");
    // A clean run of the same checker type on legal traffic stays clean (control): see
    // run_production_targets.
  } catch (const std::exception& e) {
    c.failures.push_back(std::string("exception: ") + e.what());
  }
  exit_child(c.failures, "broken target: every fault named");
}

TEST(BaseProtocolChecker, ProductionTargetsBreakNoRule) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_production_targets(), ::testing::ExitedWithCode(0), "production targets: no base-protocol violation");
}

TEST(BaseProtocolChecker, NamesEveryFaultOfABrokenTarget) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_broken_target(), ::testing::ExitedWithCode(0), "broken target: every fault named");
}

}  // namespace
}  // namespace lrt::tlm
