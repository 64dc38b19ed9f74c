// Concurrency in simulated time (docs/tlm.md, "Time and concurrency"): initiator processes that
// overlap in time queue on a shared resource and run side by side on separate ones, with every
// start and end time computed by hand below. Each scenario elaborates its own design, so it runs
// in a child process.

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "child_process.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "hw/rr_unit_timing.h"
#include "tlm/bus.h"
#include "tlm/cost_tag.h"
#include "tlm/mac_array.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/sram_buffer.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {
namespace {

using sc_core::sc_time;
using sc_core::SC_NS;

const sc_time kClock(10, SC_NS);

using testing::Checks;
using testing::run_child;

// An initiator process: at time `at` it runs `body` (its transactions), then waits its local
// time, and records when it finished.
struct Agent : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Agent> out;
  sc_time at, finished;
  std::function<void(Agent&, sc_time&)> body;
  ::tlm::tlm_generic_payload trans;
  std::vector<unsigned char> data;

  Agent(const sc_core::sc_module_name& n, sc_time start, std::function<void(Agent&, sc_time&)> b)
      : sc_module(n), out("out"), at(start), body(std::move(b)) {
    SC_HAS_PROCESS(Agent);
    SC_THREAD(run);
  }
  void run() {
    sc_core::wait(at);
    sc_time local = sc_core::SC_ZERO_TIME;
    body(*this, local);
    sc_core::wait(local);
    finished = sc_core::sc_time_stamp();
  }
  ::tlm::tlm_response_status send(::tlm::tlm_command cmd, uint64_t addr, const void* src, size_t bytes, sc_time& t) {
    data.assign(bytes, 0);
    if (src != nullptr) std::memcpy(data.data(), src, bytes);
    trans.set_command(cmd);
    trans.set_address(addr);
    trans.set_data_ptr(data.data());
    trans.set_data_length(static_cast<unsigned>(bytes));
    trans.set_streaming_width(static_cast<unsigned>(bytes));
    trans.set_byte_enable_ptr(nullptr);
    trans.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    out->b_transport(trans, t);
    return trans.get_response_status();
  }
};

sc_time cycles(uint64_t n) { return clock_cycles(n, kClock); }

// Two jobs of 100 MACs on 64 lanes with a fill of 3: ceil(100 / 64) + 3 = 5 cycles each.
// A and B both issue at cycle 0: the one the kernel runs first holds the array for [0, 5), the
// other queues and runs [5, 10) (which goes first is the scheduler's choice, deterministic but
// unspecified by IEEE 1666). C issues at cycle 20, when the array is idle: [20, 25).
void mac_queue_scenario(Checks& c) {
  MacArraySpecs s;
  s.lanes = 64;
  s.pipeline_fill_cycles = 3;
  mac_array macs("mac", s, kClock);
  bus b("bus", 0, kClock);
  MacJob job;
  job.macs = 100;
  auto issue = [&job](Agent& a, sc_time& t) { a.send(::tlm::TLM_WRITE_COMMAND, 0, &job, sizeof job, t); };
  Agent a("a", cycles(0), issue), bb("b", cycles(0), issue), cc("c", cycles(20), issue);
  a.out.bind(b.in);
  bb.out.bind(b.in);
  cc.out.bind(b.in);
  b.out.bind(macs.in);
  b.map("mac", 0, sizeof(MacJob), 0);
  sc_core::sc_start();
  const sc_time first = std::min(a.finished, bb.finished), second = std::max(a.finished, bb.finished);
  c.expect(first == cycles(5), "the first job ends at cycle 5: " + first.to_string());
  c.expect(second == cycles(10), "the second queues behind it and ends at cycle 10: " + second.to_string());
  c.expect(cc.finished == cycles(25), "C finds the array idle and ends at cycle 25: " + cc.finished.to_string());
  c.expect(macs.stats().busy_cycles == 15, "busy 3 x 5 cycles");
}

TEST(Schedule, MacArrayQueuesOverlappingJobs) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(mac_queue_scenario, "mac queue: ok"), ::testing::ExitedWithCode(0), "mac queue: ok");
}

// Bus 64 bits wide, latency 2: a 64-byte write holds it for 8 beats. A and B write 64 bytes to
// an SRAM (32-bit words, write latency 1 per word: 16 cycles) at cycle 0. The first: latency 2,
// bus [2, 10), SRAM 16 -> ends at 18. The second: latency 2, arrives at 2, waits for the bus
// until 10 (8 cycles), then SRAM 16 -> ends at 26. With an unlimited bus, both end at 18.
void bus_scenario(uint32_t width_bits, Checks& c) {
  bus b("bus", 2, kClock);
  b.set_width_bits(width_bits);
  device::SramSpecs ss;
  ss.capacity_bits = 4096;
  ss.word_bits = 32;
  ss.read_latency_cycles = 1;
  ss.write_latency_cycles = 1;
  sram_buffer sram("sram", ss, kClock);
  sram.map("x", 2048);
  const std::vector<unsigned char> payload(64, 0x5A);
  Agent a("a", cycles(0), [&](Agent& g, sc_time& t) { g.send(::tlm::TLM_WRITE_COMMAND, 0, payload.data(), 64, t); });
  Agent bb("b", cycles(0), [&](Agent& g, sc_time& t) { g.send(::tlm::TLM_WRITE_COMMAND, 64, payload.data(), 64, t); });
  a.out.bind(b.in);
  bb.out.bind(b.in);
  b.out.bind(sram.in);
  b.map("sram", 0, 256, 0);
  sc_core::sc_start();
  const sc_time first = std::min(a.finished, bb.finished), second = std::max(a.finished, bb.finished);
  c.expect(first == cycles(18), "the first write ends at 18: " + first.to_string());
  const uint64_t second_end = width_bits == 0 ? 18 : 26;
  c.expect(second == cycles(second_end),
           "the second ends at " + std::to_string(second_end) + ": " + second.to_string());
  c.expect(b.contention() == cycles(width_bits == 0 ? 0 : 8), "contention " + b.contention().to_string());
}

TEST(Schedule, ABusWithAWidthMakesOverlappingInitiatorsWait) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child([](Checks& c) { bus_scenario(64, c); }, "bus 64: ok"), ::testing::ExitedWithCode(0),
              "bus 64: ok");
  EXPECT_EXIT(run_child([](Checks& c) { bus_scenario(0, c); }, "bus unlimited: ok"), ::testing::ExitedWithCode(0),
              "bus unlimited: ok");
}

// Two LRT layers each fold one pair at cycle 0. On one shared unit (two contexts) the second
// pair waits for the first: it ends c1 + c2 after its arrival; on two units both end after
// their own c cycles. The arrival of each STEP: 1 register cycle + the pair's two SRAM reads.
golden::RankReduceParams layer_params(int n_o, int n_i, uint64_t seed) {
  golden::RankReduceParams p;
  p.n_o = n_o;
  p.n_i = n_i;
  p.rank = 2;
  p.mode = golden::RankReduceMode::kBiased;
  p.kappa_th = 0.0;
  p.seed = seed;
  return p;
}

void unit_scenario(bool shared, Checks& c) {
  const golden::RankReduceParams p0 = layer_params(4, 6, 1), p1 = layer_params(5, 3, 2);
  device::SramSpecs ss;
  ss.capacity_bits = 1 << 16;
  ss.word_bits = 64;
  ss.read_latency_cycles = 1;
  ss.write_latency_cycles = 1;
  sram_buffer sram("sram", ss, kClock);
  const uint64_t s0 = sram.map("s0", 8 * rank_reduce_unit::state_bytes(p0)).offset_bytes;
  const uint64_t s1 = sram.map("s1", 8 * rank_reduce_unit::state_bytes(p1)).offset_bytes;
  const uint64_t in0 = sram.map("in0", 16 * 10).offset_bytes, in1 = sram.map("in1", 16 * 8).offset_bytes;
  // Nonzero pairs: a full step from the zero state (both residuals kept).
  std::vector<unsigned char> pair(64);
  for (size_t i = 0; i < pair.size(); i += 2) pair[i] = static_cast<unsigned char>(3 + i);
  const_cast<device::SramBuffer&>(sram.buffer()).poke(in0, pair.data(), 20);
  const_cast<device::SramBuffer&>(sram.buffer()).poke(in1, pair.data(), 16);

  bus b("bus", 0, kClock);
  std::vector<std::unique_ptr<rank_reduce_unit>> units;
  auto make = [](const golden::RankReduceParams& p, uint64_t addr) {
    RankReduceContextSpec x{make_rank_reduce_impl(RankReduceImplKind::kGolden, p), addr};
    return x;
  };
  if (shared) {
    std::vector<RankReduceContextSpec> both;
    both.push_back(make(p0, 0x1000 + s0));
    both.push_back(make(p1, 0x1000 + s1));
    units.push_back(std::make_unique<rank_reduce_unit>("u", RankReduceUnitSpecs{}, std::move(both), kClock));
  } else {
    units.push_back(std::make_unique<rank_reduce_unit>("u0", RankReduceUnitSpecs{},
                                                       make_rank_reduce_impl(RankReduceImplKind::kGolden, p0),
                                                       0x1000 + s0, kClock));
    units.push_back(std::make_unique<rank_reduce_unit>("u1", RankReduceUnitSpecs{},
                                                       make_rank_reduce_impl(RankReduceImplKind::kGolden, p1),
                                                       0x1000 + s1, kClock));
  }
  // Layer k's registers: context k of the shared unit, or unit k.
  const uint64_t regs0 = 0x100, regs1 = shared ? 0x100 + rank_reduce_unit::kRegisterBytes : 0x200;
  auto fold = [&](uint64_t regs, uint64_t in, uint64_t n_o) {
    return [=](Agent& g, sc_time& t) {
      sc_time setup = sc_core::SC_ZERO_TIME;  // register writes: not part of the measured stretch
      auto reg = [&](uint32_t off, uint32_t v, sc_time& d) {
        unsigned char w[4];
        store_code_le(static_cast<int32_t>(v), w, 4);
        g.send(::tlm::TLM_WRITE_COMMAND, regs + off, w, 4, d);
      };
      reg(rank_reduce_unit::kDzAddr, static_cast<uint32_t>(0x1000 + in), setup);
      reg(rank_reduce_unit::kAAddr, static_cast<uint32_t>(0x1000 + in + 2 * n_o), setup);
      reg(rank_reduce_unit::kDzExp, 0, setup);
      reg(rank_reduce_unit::kAExp, 0, setup);
      reg(rank_reduce_unit::kControl, rank_reduce_unit::kStep, t);
    };
  };
  Agent a("a", cycles(0), fold(regs0, in0, 4)), bb("b", cycles(0), fold(regs1, in1, 5));
  a.out.bind(b.in);
  bb.out.bind(b.in);
  for (auto& u : units) u->mem.bind(b.in);
  b.out.bind(sram.in);
  b.map("sram", 0x1000, sram.buffer().mapped_bytes(), 0);
  for (size_t k = 0; k < units.size(); ++k) {
    b.out.bind(units[k]->in);
    b.map(units[k]->basename(), 0x100 * (k + 1), units[k]->register_bytes(), static_cast<unsigned>(k + 1));
  }
  sc_core::sc_start();

  // By hand: one full step each (the closed form of the RTL); arrival = 1 register cycle + the
  // SRAM reads of dz and a (64-bit words, 1 cycle each: n_o = 4 -> 1 word, 6 -> 2; 5 -> 2, 3 -> 1).
  hw::RrPairOutcome full;
  full.kept = 2;
  const uint64_t c0 = hw::rr_unit_pair_cost(2, false, 4, 6, full).cycles;
  const uint64_t c1 = hw::rr_unit_pair_cost(2, false, 5, 3, full).cycles;
  const uint64_t arrive0 = 1 + 1 + 2, arrive1 = 1 + 2 + 1;
  const RankReduceContextRef r0{units[0].get(), 0};
  const RankReduceContextRef r1{units.back().get(), shared ? size_t{1} : size_t{0}};
  c.expect(r0.impl().last_pair().kept == 2 && r1.impl().last_pair().kept == 2, "both pairs were full steps");
  // Who reaches the unit first is the scheduler's choice; the other queues (shared) or not.
  const bool a_first = a.finished <= bb.finished;
  const uint64_t first_end = a_first ? arrive0 + c0 : arrive1 + c1;
  const uint64_t second_alone = a_first ? arrive1 + c1 : arrive0 + c0;
  const uint64_t second_end = shared ? std::max(a_first ? arrive1 : arrive0, first_end) + (a_first ? c1 : c0)
                                     : second_alone;
  const sc_time first = std::min(a.finished, bb.finished), second = std::max(a.finished, bb.finished);
  c.expect(first == cycles(std::min(first_end, second_end)),
           "the first layer ends at " + std::to_string(first_end) + ": " + first.to_string());
  c.expect(second == cycles(std::max(first_end, second_end)),
           std::string(shared ? "shared: the other layer queues, " : "per layer: the layers overlap, ") + "ends at " +
               std::to_string(second_end) + ": " + second.to_string());
  c.expect(!shared || second_end == first_end + (a_first ? c1 : c0), "shared: back to back");
}

TEST(Schedule, OneSharedUnitSerializesTheLayersPerLayerUnitsOverlap) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child([](Checks& c) { unit_scenario(true, c); }, "shared unit: ok"), ::testing::ExitedWithCode(0),
              "shared unit: ok");
  EXPECT_EXIT(run_child([](Checks& c) { unit_scenario(false, c); }, "per-layer units: ok"),
              ::testing::ExitedWithCode(0), "per-layer units: ok");
}

}  // namespace
}  // namespace lrt::tlm
