// rank_reduce_unit (TLM-2.0): bit-exact against a standalone golden::RankReduceFixed after
// every pair; its time, state words and energy per pair those of the RTL unit's closed form
// (hw/rr_unit_timing.h) through the cost table; control register responses; the
// implementation factory.
//
// Tests that need the `mem` socket bound (every STEP) build the design in a fresh child
// process (a "threadsafe" death test, as in test_sram_buffer.cpp): elaboration happens once
// per process and this executable is shared. The child prints each failure and exits 0 only
// if every check passed. Register-only tests call the target's forward interface directly.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "child_process.h"
#include "core/error.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "hw/rr_unit_costs.h"
#include "hw/rr_unit_timing.h"
#include "sc/rr_unit_env.h"
#include "target_access.h"
#include "tlm/rank_reduce_impl.h"
#include "tlm/rank_reduce_rtl_impl.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/sram_buffer.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {
namespace {

using golden::RankReduceMode;
using golden::RankReduceParams;
using golden::RankReduceSide;
using sc_core::SC_NS;
using sc_core::sc_time;

const sc_time kClock(10, SC_NS);

// The shape every test uses: n_o = 6, n_i = 9, r = 3 (q = 4). Small enough for hundreds of
// pairs in well under a second, with n not a multiple of the lane count.
RankReduceParams small_params(RankReduceMode mode) {
  RankReduceParams p;
  p.n_o = 6;
  p.n_i = 9;
  p.rank = 3;
  p.mode = mode;
  p.kappa_th = 1000.0;  // about half of the pairs below are skipped
  p.seed = 0x5EEDu;
  return p;
}

device::SramSpecs sram_specs() {
  device::SramSpecs s;
  s.capacity_bits = 8192;
  s.word_bits = 32;
  s.read_latency_cycles = 1;
  s.write_latency_cycles = 2;
  return s;
}

// ---- Implementation factory and register interface (no kernel) --------------------------

// The RTL implementation builds a SystemC module (only during elaboration; lrtsim cosim and
// the impl: rtl run test it, tb/tests/cli/test_cmd_cosim.cpp); parameters outside the unit's
// range fail before any module exists.
TEST(RankReduceImplFactory, GoldenBuildsRtlRejectsBadParams) {
  const RankReduceParams p = small_params(RankReduceMode::kBiased);
  EXPECT_STREQ(make_rank_reduce_impl(RankReduceImplKind::kGolden, p)->name(), "golden");
  RankReduceParams bad = p;
  bad.rank = 9;
  EXPECT_THROW(make_rank_reduce_impl(RankReduceImplKind::kRtl, bad), std::invalid_argument);
  EXPECT_EQ(parse_rank_reduce_impl_kind("rtl"), RankReduceImplKind::kRtl);
  EXPECT_THROW(parse_rank_reduce_impl_kind("verilog"), std::invalid_argument);
}

::tlm::tlm_response_status reg_access(Fw& fw, ::tlm::tlm_command cmd, uint64_t addr, uint32_t& value,
                                      sc_time& delay, unsigned length = 4) {
  unsigned char buf[8] = {};
  for (unsigned i = 0; i < 4; ++i) buf[i] = static_cast<unsigned char>(value >> (8 * i));
  ::tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(buf);
  t.set_data_length(length);
  t.set_streaming_width(length);
  t.set_byte_enable_ptr(nullptr);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  fw.b_transport(t, delay);
  value = 0;
  for (unsigned i = 0; i < 4; ++i) value |= uint32_t{buf[i]} << (8 * i);
  return t.get_response_status();
}

TEST(RankReduceUnitRegisters, ReadWriteAndErrorResponses) {
  auto impl = make_rank_reduce_impl(RankReduceImplKind::kGolden, small_params(RankReduceMode::kBiased));
  rank_reduce_unit unit(unique_name("rru").c_str(), RankReduceUnitSpecs{}, std::move(impl), 0, kClock);
  EXPECT_STREQ(unit.in.basename(), "in");
  EXPECT_STREQ(unit.mem.basename(), "mem");
  Fw& fw = forward_path(unit);
  sc_time delay = sc_core::SC_ZERO_TIME;
  using U = rank_reduce_unit;
  uint32_t v = 0x12345678;
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_WRITE_COMMAND, U::kAAddr, v, delay), ::tlm::TLM_OK_RESPONSE);
  v = 0xFFFFFFF5;  // -11
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_WRITE_COMMAND, U::kDzExp, v, delay), ::tlm::TLM_OK_RESPONSE);
  v = 0;
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_READ_COMMAND, U::kAAddr, v, delay), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0x12345678u);
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_READ_COMMAND, U::kDzExp, v, delay), ::tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(v, 0xFFFFFFF5u);
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_READ_COMMAND, U::kControl, v, delay), ::tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_WRITE_COMMAND, U::kStatus, v, delay), ::tlm::TLM_COMMAND_ERROR_RESPONSE);
  v = 7;  // no such command
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_WRITE_COMMAND, U::kControl, v, delay), ::tlm::TLM_COMMAND_ERROR_RESPONSE);
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_READ_COMMAND, 0x20, v, delay), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_READ_COMMAND, 0x06, v, delay), ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(reg_access(fw, ::tlm::TLM_READ_COMMAND, 0x00, v, delay, 8), ::tlm::TLM_BURST_ERROR_RESPONSE);
  // 7 accesses reached a register (4 writes, 3 reads; the 3 decode errors did not): 1 cycle each.
  EXPECT_EQ(unit.stats().register_accesses, 7u);
  EXPECT_EQ(delay, sc_time(70, SC_NS));
  EXPECT_EQ(unit.stats().steps, 0u);
}

// ---- Elaborated design, run in a child process -------------------------------------------

struct Controller : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Controller> out;
  explicit Controller(const sc_core::sc_module_name& name) : sc_module(name), out("out") {}
};

// The unit with its state region at SRAM byte 0 and the pair buffer after it.
struct Bench {
  RankReduceParams params;
  sram_buffer sram;
  rank_reduce_unit unit;
  Controller ctl;
  uint64_t dz_addr = 0, a_addr = 0;

  explicit Bench(const RankReduceParams& p)
      : params(p),
        sram("sram", sram_specs(), kClock),
        unit("unit", RankReduceUnitSpecs{}, make_rank_reduce_impl(RankReduceImplKind::kGolden, p),
             map_state(sram, p), kClock),
        ctl("ctl") {
    dz_addr = sram.map("dz", 16 * static_cast<uint64_t>(p.n_o)).offset_bytes;
    a_addr = sram.map("a", 16 * static_cast<uint64_t>(p.n_i)).offset_bytes;
    unit.mem.bind(sram.in);
    ctl.out.bind(unit.in);
  }
  static uint64_t map_state(sram_buffer& sram, const RankReduceParams& p) {
    return sram.map("rank_reduce_state", 8 * rank_reduce_unit::state_bytes(p)).offset_bytes;
  }

  ::tlm::tlm_response_status reg(::tlm::tlm_command cmd, uint32_t addr, uint32_t& value, sc_time& delay) {
    return reg_access(*ctl.out.operator->(), cmd, addr, value, delay);
  }

  ::tlm::tlm_response_status write_reg(uint32_t addr, uint32_t value, sc_time& delay) {
    return reg(::tlm::TLM_WRITE_COMMAND, addr, value, delay);
  }
  uint32_t read_reg(uint32_t addr) {
    uint32_t v = 0;
    sc_time d = sc_core::SC_ZERO_TIME;
    reg(::tlm::TLM_READ_COMMAND, addr, v, d);
    return v;
  }
  // Places the pair in SRAM with free debug writes (the controller's traffic is not under test).
  void poke_codes(uint64_t addr, const std::vector<int16_t>& codes) {
    std::vector<uint8_t> b(2 * codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const auto u = static_cast<uint16_t>(codes[i]);
      b[2 * i] = static_cast<uint8_t>(u);
      b[2 * i + 1] = static_cast<uint8_t>(u >> 8);
    }
    const_cast<device::SramBuffer&>(sram.buffer()).poke(addr, b.data(), b.size());
  }
  ::tlm::tlm_response_status step(const std::vector<int16_t>& dz, int dz_exp, const std::vector<int16_t>& a,
                                  int a_exp, sc_time& delay) {
    poke_codes(dz_addr, dz);
    poke_codes(a_addr, a);
    sc_time d = sc_core::SC_ZERO_TIME;
    write_reg(rank_reduce_unit::kDzAddr, static_cast<uint32_t>(dz_addr), d);
    write_reg(rank_reduce_unit::kAAddr, static_cast<uint32_t>(a_addr), d);
    write_reg(rank_reduce_unit::kDzExp, static_cast<uint32_t>(dz_exp), d);
    write_reg(rank_reduce_unit::kAExp, static_cast<uint32_t>(a_exp), d);
    return write_reg(rank_reduce_unit::kControl, rank_reduce_unit::kStep, delay);
  }
  // The state region as words, read without cost.
  RankReduceState sram_state() const {
    const RankReduceStateLayout l(params);
    std::vector<uint8_t> b(l.total_bytes());
    sram.buffer().peek(unit.state_addr(), b.data(), b.size());
    auto i16 = [&](uint64_t off) { return static_cast<int16_t>(uint16_t(b[off] | (b[off + 1] << 8))); };
    RankReduceState s = RankReduceState::zero(params);
    for (uint64_t k = 0; k < s.q_left.size(); ++k) s.q_left[k] = i16(2 * k);
    for (uint64_t k = 0; k < s.q_right.size(); ++k) s.q_right[k] = i16(l.column(false, 0) + 2 * k);
    const uint64_t m = l.metadata();
    for (uint64_t j = 0; j < l.q; ++j) {
      s.exp_left[j] = i16(m + 2 * j);
      s.exp_right[j] = i16(m + 2 * l.q + 2 * j);
      const uint64_t c = m + 4 * l.q + 4 * j;
      s.cx[j] = uint32_t{b[c]} | uint32_t{b[c + 1]} << 8 | uint32_t{b[c + 2]} << 16 | uint32_t{b[c + 3]} << 24;
    }
    s.cx_exp = i16(m + 8 * l.q);
    return s;
  }
};

using testing::Checks;
using testing::run_child;

std::string hex16(int v) {
  std::ostringstream o;
  o << "0x" << std::hex << (static_cast<unsigned>(v) & 0xFFFFu);
  return o.str();
}

// First differing word between the unit's SRAM state and the standalone model, or "".
std::string compare_state(const RankReduceState& got, const golden::RankReduceFixed& ref,
                          const RankReduceParams& p) {
  const int q = p.rank + 1;
  for (RankReduceSide side : {RankReduceSide::kLeft, RankReduceSide::kRight}) {
    const bool left = side == RankReduceSide::kLeft;
    const int n = left ? p.n_o : p.n_i;
    const std::vector<int16_t>& codes = left ? got.q_left : got.q_right;
    const int16_t* want = ref.q_codes(side);
    for (int k = 0; k < n * q; ++k)
      if (codes[k] != want[k])
        return std::string(left ? "Q_L" : "Q_R") + "[" + std::to_string(k % n) + "," + std::to_string(k / n) +
               "] unit " + hex16(codes[k]) + " expected " + hex16(want[k]);
    for (int j = 0; j < q; ++j) {
      const int e = left ? got.exp_left[j] : got.exp_right[j];
      if (e != ref.q_exponent(side, j))
        return std::string(left ? "Q_L" : "Q_R") + " exponent " + std::to_string(j) + " unit " +
               std::to_string(e) + " expected " + std::to_string(ref.q_exponent(side, j));
    }
  }
  for (int j = 0; j < q; ++j)
    if (got.cx[j] != ref.cx_codes()[j])
      return "c_x[" + std::to_string(j) + "] unit " + std::to_string(got.cx[j]) + " expected " +
             std::to_string(ref.cx_codes()[j]);
  if (got.cx_exp != ref.cx_exponent())
    return "c_x exponent unit " + std::to_string(got.cx_exp) + " expected " + std::to_string(ref.cx_exponent());
  return "";
}

// Pairs that visit every outcome: random magnitudes (8..15 significant bits) and exponents,
// every 23rd dz all zero, every 11th `a` a basis column of Q_R (in its span: a vanishing
// residual, or a zero input while that column is dead), the rest independent. Pairs much
// smaller than the state trip the kappa test.
struct PairSource {
  std::mt19937_64 gen;
  explicit PairSource(uint64_t seed) : gen(seed) {}
  std::vector<int16_t> vec(int n) {
    const int bits = 8 + static_cast<int>(gen() % 8);
    const int64_t span = (int64_t{1} << bits) - 1;
    std::vector<int16_t> v(static_cast<std::size_t>(n));
    for (int16_t& c : v) c = static_cast<int16_t>(static_cast<int64_t>(gen() % static_cast<uint64_t>(2 * span + 1)) - span);
    if (gen() % 29 == 0) v[0] = -32768;  // the one asymmetric code
    return v;
  }
  int exponent() { return -6 + static_cast<int>(gen() % 5); }
};

// SRAM transactions per pair: the unit reads the pair (dz 96 bits, a 144 bits); the state
// moves by debug transport (its words are the cost table's, counted in the unit's stats).
constexpr uint64_t kPairReads = 2, kPairBits = 240;

void bit_exact_scenario(RankReduceMode mode, int pairs, Checks& c) {
  const RankReduceParams p = small_params(mode);
  Bench bench(p);
  golden::RankReduceFixed ref(p);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  c.expect(bench.sram_state() == RankReduceState::zero(p), "state region starts at zero");
  PairSource src(mode == RankReduceMode::kBiased ? 11 : 12);
  uint64_t seen_zero = 0, seen_skip = 0, seen_vanished = 0, seen_update = 0;
  for (int k = 0; k < pairs && c.failures.empty(); ++k) {
    std::vector<int16_t> dz = src.vec(p.n_o);
    std::vector<int16_t> a = src.vec(p.n_i);
    if (k % 23 == 22) dz.assign(dz.size(), 0);
    if (k % 11 == 10) {
      const int16_t* col = ref.q_codes(RankReduceSide::kRight) + p.n_i * static_cast<int>(src.gen() % 3);
      a.assign(col, col + p.n_i);
    }
    const int dz_exp = src.exponent(), a_exp = src.exponent();

    const device::SramStats before = bench.sram.stats();
    const RankReduceUnitStats before_unit = bench.unit.stats();
    sc_time delay = sc_core::SC_ZERO_TIME;
    const auto status = bench.step(dz, dz_exp, a, a_exp, delay);
    ref.step_codes(dz.data(), dz_exp, a.data(), a_exp);
    const std::string at = "pair " + std::to_string(k) + ": ";
    c.expect(status == ::tlm::TLM_OK_RESPONSE, at + "STEP response");

    const std::string diff = compare_state(bench.sram_state(), ref, p);
    c.expect(diff.empty(), at + diff);
    const golden::FixedPairTrace& t = ref.last_pair();
    const uint32_t st = bench.read_reg(rank_reduce_unit::kStatus);
    c.expect(((st & rank_reduce_unit::kStatusZeroInput) != 0) == t.zero_input, at + "zero-input flag");
    c.expect(((st & rank_reduce_unit::kStatusVanishedLeft) != 0) == t.vanished_left, at + "vanished-left flag");
    c.expect(((st & rank_reduce_unit::kStatusVanishedRight) != 0) == t.vanished_right, at + "vanished-right flag");
    c.expect(((st & rank_reduce_unit::kStatusSkippedKappa) != 0) == t.skipped_kappa, at + "skip flag");
    c.expect((st >> rank_reduce_unit::kStatusKeptShift) == static_cast<uint32_t>(t.kept), at + "kept");
    c.expect(bench.read_reg(rank_reduce_unit::kPairs) == ref.stats().pairs, at + "PAIRS register");
    c.expect(bench.read_reg(rank_reduce_unit::kSign) == t.sign_word, at + "SIGN register");
    const golden::RankReduceStats& us = bench.unit.impl().stats();
    c.expect(us.pairs == ref.stats().pairs && us.skipped_kappa == ref.stats().skipped_kappa &&
                 us.degenerate == ref.stats().degenerate,
             at + "stats");

    // Time, state words and energy: the RTL's closed form for this outcome (independent of the
    // table the unit reads), plus 1 register cycle and the SRAM latency of the pair reads.
    const hw::RrUnitPairCost want = hw::rr_unit_pair_cost(p.rank, mode == RankReduceMode::kUnbiased, p.n_o, p.n_i,
                                                          hw::rr_pair_outcome(t));
    const device::SramStats& after = bench.sram.stats();
    c.expect(after.reads - before.reads == kPairReads && after.bits_read - before.bits_read == kPairBits,
             at + "SRAM transactions: the pair reads only");
    c.expect(after.writes == before.writes, at + "no timed SRAM writes");
    const RankReduceUnitStats& u = bench.unit.stats();
    c.expect(u.sram_read_words - before_unit.sram_read_words == want.sram_reads &&
                 u.sram_write_words - before_unit.sram_write_words == want.sram_writes,
             at + "state words");
    c.expect(u.busy_cycles - before_unit.busy_cycles == want.cycles, at + "busy cycles");
    c.expect(u.energy - before_unit.energy ==
                 device::to_energy_units(hw::builtin_rr_unit_costs().compute_energy_pj(want), "pair"),
             at + "energy");
    const uint64_t mem_cycles = after.read_cycles - before.read_cycles;
    c.expect(delay == clock_cycles(1 + want.cycles + mem_cycles, kClock),
             at + "delay " + delay.to_string() + " for " + std::to_string(want.cycles) + " + " +
                 std::to_string(mem_cycles) + " cycles");
    sc_core::sc_start(delay);  // the pair is done: the next STEP finds the datapath free
    seen_zero += t.zero_input;
    seen_skip += t.skipped_kappa;
    seen_vanished += t.vanished_left || t.vanished_right;
    seen_update += !t.zero_input && !t.skipped_kappa;
  }
  std::fprintf(stderr, "outcomes: zero %llu, skipped %llu, vanished %llu, updated %llu\n",
               static_cast<unsigned long long>(seen_zero), static_cast<unsigned long long>(seen_skip),
               static_cast<unsigned long long>(seen_vanished), static_cast<unsigned long long>(seen_update));
  // The stream must have exercised every outcome, or the comparison proved less than it claims.
  c.expect(seen_zero > 0 && seen_skip > 0 && seen_vanished > 0 && seen_update > 0,
           "outcomes: zero " + std::to_string(seen_zero) + ", skipped " + std::to_string(seen_skip) +
               ", vanished " + std::to_string(seen_vanished) + ", updated " + std::to_string(seen_update));
  c.expect(bench.unit.stats().steps == static_cast<uint64_t>(pairs), "unit step count");
  c.expect(bench.unit.stats().zero_input == seen_zero && bench.unit.stats().skipped_kappa == seen_skip &&
               bench.unit.stats().updated == seen_update,
           "unit outcome counters");
  // SRAM energy closes: every bit moved was charged at the per-bit energy.
  const device::SramStats& s = bench.sram.stats();
  c.expect(bench.sram.energy().read == s.bits_read * bench.sram.buffer().read_energy_per_bit() &&
               bench.sram.energy().write == s.bits_written * bench.sram.buffer().write_energy_per_bit(),
           "SRAM energy = bits x energy per bit");
}

TEST(RankReduceUnitElaborated, BitExactVsGoldenBiased) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child([](Checks& c) { bit_exact_scenario(RankReduceMode::kBiased, 300, c); }, "biased: ok"),
              ::testing::ExitedWithCode(0), "biased: ok");
}

TEST(RankReduceUnitElaborated, BitExactVsGoldenUnbiased) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      run_child([](Checks& c) { bit_exact_scenario(RankReduceMode::kUnbiased, 300, c); }, "unbiased: ok"),
      ::testing::ExitedWithCode(0), "unbiased: ok");
}

// The same stream through the unit with its golden context computing ahead (the TLM engine's
// configuration): pairs announced in batches of 40 before they are stepped; after every pair the
// whole SRAM state (column r included) equals a model stepped one by one. Kappa-skipped pairs,
// whose result carries only column r and the metadata and after which the unit stores only
// those, must be among them.
void speculative_scenario(RankReduceMode mode, int pairs, Checks& c) {
  const RankReduceParams p = small_params(mode);
  struct Pair {
    std::vector<int16_t> dz, a;
    int dz_exp = 0, a_exp = 0;
  };
  std::vector<Pair> stream;
  {  // bit_exact_scenario's stream (its span pairs need the model's basis as it goes)
    golden::RankReduceFixed gen(p);
    PairSource src(mode == RankReduceMode::kBiased ? 11 : 12);
    for (int k = 0; k < pairs; ++k) {
      Pair x{src.vec(p.n_o), src.vec(p.n_i), 0, 0};
      if (k % 23 == 22) x.dz.assign(x.dz.size(), 0);
      if (k % 11 == 10) {
        const int16_t* col = gen.q_codes(RankReduceSide::kRight) + p.n_i * static_cast<int>(src.gen() % 3);
        x.a.assign(col, col + p.n_i);
      }
      x.dz_exp = src.exponent();
      x.a_exp = src.exponent();
      gen.step_codes(x.dz.data(), x.dz_exp, x.a.data(), x.a_exp);
      stream.push_back(std::move(x));
    }
  }
  Bench bench(p);
  bench.unit.set_speculative(true);
  golden::RankReduceFixed ref(p);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  uint64_t seen_skip = 0, seen_update = 0;
  for (int first = 0; first < pairs && c.failures.empty(); first += 40) {
    const int last = std::min(pairs, first + 40);
    std::vector<SpeculativePair> batch;
    for (int k = first; k < last; ++k) {
      SpeculativePair sp;
      sp.codes = stream[static_cast<size_t>(k)].dz;
      sp.codes.insert(sp.codes.end(), stream[static_cast<size_t>(k)].a.begin(),
                      stream[static_cast<size_t>(k)].a.end());
      sp.dz_exp = stream[static_cast<size_t>(k)].dz_exp;
      sp.a_exp = stream[static_cast<size_t>(k)].a_exp;
      batch.push_back(std::move(sp));
    }
    bench.unit.speculate(0, batch);
    for (int k = first; k < last && c.failures.empty(); ++k) {
      const Pair& x = stream[static_cast<size_t>(k)];
      sc_time delay = sc_core::SC_ZERO_TIME;
      c.expect(bench.step(x.dz, x.dz_exp, x.a, x.a_exp, delay) == ::tlm::TLM_OK_RESPONSE,
               "pair " + std::to_string(k) + ": STEP response");
      ref.step_codes(x.dz.data(), x.dz_exp, x.a.data(), x.a_exp);
      const std::string diff = compare_state(bench.sram_state(), ref, p);
      c.expect(diff.empty(), "pair " + std::to_string(k) + ": " + diff);
      sc_core::sc_start(delay);
      seen_skip += ref.last_pair().skipped_kappa;
      seen_update += !ref.last_pair().zero_input && !ref.last_pair().skipped_kappa;
    }
  }
  const auto& golden_impl = dynamic_cast<const GoldenRankReduceImpl&>(bench.unit.impl());
  c.expect(golden_impl.pairs_ahead() == static_cast<uint64_t>(pairs),
           "pairs from the speculation: " + std::to_string(golden_impl.pairs_ahead()));
  c.expect(seen_skip > 0 && seen_update > 0,
           "outcomes: skipped " + std::to_string(seen_skip) + ", updated " + std::to_string(seen_update));
}

TEST(RankReduceUnitElaborated, SpeculationKeepsTheSramStateBitExactBiased) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      run_child([](Checks& c) { speculative_scenario(RankReduceMode::kBiased, 200, c); }, "biased: ok"),
      ::testing::ExitedWithCode(0), "biased: ok");
}

TEST(RankReduceUnitElaborated, SpeculationKeepsTheSramStateBitExactUnbiased) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      run_child([](Checks& c) { speculative_scenario(RankReduceMode::kUnbiased, 200, c); }, "unbiased: ok"),
      ::testing::ExitedWithCode(0), "unbiased: ok");
}

// RESET clears the SRAM state (one write of the whole region) and the model's; an outside write
// to the state region is caught on the next load; a bad input address is refused with nothing
// changed.
void reset_and_errors_scenario(Checks& c) {
  const RankReduceParams p = small_params(RankReduceMode::kBiased);
  Bench bench(p);
  golden::RankReduceFixed ref(p);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  PairSource src(5);
  sc_time d = sc_core::SC_ZERO_TIME;
  for (int k = 0; k < 5; ++k) {
    const auto dz = src.vec(p.n_o), a = src.vec(p.n_i);
    bench.step(dz, -3, a, -4, d);
    ref.step_codes(dz.data(), -3, a.data(), -4);
  }
  c.expect(!(bench.sram_state() == RankReduceState::zero(p)), "state non-zero after 5 pairs");
  const uint64_t writes = bench.sram.stats().writes, bits = bench.sram.stats().bits_written;
  c.expect(bench.write_reg(rank_reduce_unit::kControl, rank_reduce_unit::kReset, d) == ::tlm::TLM_OK_RESPONSE,
           "RESET response");
  ref.reset();
  c.expect(bench.sram_state() == RankReduceState::zero(p), "RESET zeroes the state region");
  c.expect(bench.sram.stats().writes == writes && bench.sram.stats().bits_written == bits,
           "RESET clears the region without a timed write (the environment's clear, as for the RTL)");
  const auto dz = src.vec(p.n_o), a = src.vec(p.n_i);
  bench.step(dz, 0, a, 0, d);
  ref.step_codes(dz.data(), 0, a.data(), 0);
  const std::string diff = compare_state(bench.sram_state(), ref, p);
  c.expect(diff.empty(), "after RESET: " + diff);

  // A bad dz address: GENERIC_ERROR, input-error status, no pair counted, state untouched.
  const RankReduceState held = bench.sram_state();
  const uint32_t pairs = bench.read_reg(rank_reduce_unit::kPairs);
  bench.write_reg(rank_reduce_unit::kDzAddr, 0x7FFFFFF0u, d);
  c.expect(bench.write_reg(rank_reduce_unit::kControl, rank_reduce_unit::kStep, d) ==
               ::tlm::TLM_GENERIC_ERROR_RESPONSE,
           "STEP with an unmapped dz address");
  c.expect(bench.read_reg(rank_reduce_unit::kStatus) == rank_reduce_unit::kStatusInputError, "input-error status");
  c.expect(bench.read_reg(rank_reduce_unit::kPairs) == pairs, "no pair counted");
  c.expect(bench.sram_state() == held, "state unchanged");

  // Someone flips a Q_L word of column 0 behind the unit's back: the next load notices.
  uint8_t flipped[2];
  bench.sram.buffer().peek(bench.unit.state_addr() + 2, flipped, 2);
  flipped[0] ^= 1;
  const_cast<device::SramBuffer&>(bench.sram.buffer()).poke(bench.unit.state_addr() + 2, flipped, 2);
  try {
    bench.step(src.vec(p.n_o), 0, src.vec(p.n_i), 0, d);
    c.expect(false, "a foreign write to the state region went unnoticed");
  } catch (const RunError& e) {
    c.expect(std::string(e.what()).find("Q_L[1,0]") != std::string::npos, std::string("names the word: ") + e.what());
  }
}

// One unit, two contexts of different shape, rank and mode (a unit shared by two LRT layers):
// each context's bank at c x 0x20 drives only its own state, interleaved steps stay bit-exact
// against two standalone models, a reset of one leaves the other alone, an access past the last
// bank is an address error, and the unit's totals are its contexts' sums.
void two_contexts_scenario(Checks& c) {
  const RankReduceParams p0 = small_params(RankReduceMode::kBiased);
  RankReduceParams p1 = small_params(RankReduceMode::kUnbiased);
  p1.n_o = 5;
  p1.n_i = 4;
  p1.rank = 2;
  p1.seed = 77;
  sram_buffer sram("sram", sram_specs(), kClock);
  const uint64_t s0 = sram.map("state0", 8 * rank_reduce_unit::state_bytes(p0)).offset_bytes;
  const uint64_t s1 = sram.map("state1", 8 * rank_reduce_unit::state_bytes(p1)).offset_bytes;
  const uint64_t dz_addr = sram.map("dz", 16 * 8).offset_bytes, a_addr = sram.map("a", 16 * 16).offset_bytes;
  std::vector<RankReduceContextSpec> contexts;
  contexts.push_back({make_rank_reduce_impl(RankReduceImplKind::kGolden, p0), s0});
  contexts.push_back({make_rank_reduce_impl(RankReduceImplKind::kGolden, p1), s1});
  rank_reduce_unit unit("shared_unit", RankReduceUnitSpecs{}, std::move(contexts), kClock);
  Controller ctl("ctl");
  unit.mem.bind(sram.in);
  ctl.out.bind(unit.in);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  c.expect(unit.contexts() == 2 && unit.register_bytes() == 0x40, "two banks");

  auto reg = [&](uint32_t addr, uint32_t value, ::tlm::tlm_command cmd = ::tlm::TLM_WRITE_COMMAND) {
    sc_time d = sc_core::SC_ZERO_TIME;
    const ::tlm::tlm_response_status st = reg_access(*ctl.out.operator->(), cmd, addr, value, d);
    return std::make_pair(st, value);
  };

  auto poke = [&](uint64_t addr, const std::vector<int16_t>& codes) {
    std::vector<uint8_t> b(2 * codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      b[2 * i] = static_cast<uint8_t>(static_cast<uint16_t>(codes[i]));
      b[2 * i + 1] = static_cast<uint8_t>(static_cast<uint16_t>(codes[i]) >> 8);
    }
    const_cast<device::SramBuffer&>(sram.buffer()).poke(addr, b.data(), b.size());
  };
  auto state_of = [&](size_t ctx, const RankReduceParams& p) {
    const RankReduceStateLayout l(p);
    std::vector<uint8_t> b(l.total_bytes());
    sram.buffer().peek(unit.state_addr(ctx), b.data(), b.size());
    RankReduceState st = RankReduceState::zero(p);
    for (uint64_t k = 0; k < st.q_left.size(); ++k) st.q_left[k] = static_cast<int16_t>(b[2 * k] | (b[2 * k + 1] << 8));
    for (uint64_t k = 0; k < st.q_right.size(); ++k) {
      const uint64_t o = l.column(false, 0) + 2 * k;
      st.q_right[k] = static_cast<int16_t>(b[o] | (b[o + 1] << 8));
    }
    return st;
  };

  golden::RankReduceFixed ref0(p0), ref1(p1);
  PairSource src(21);
  for (int k = 0; k < 60 && c.failures.empty(); ++k) {
    const size_t ctx = (k % 3 == 2) ? 1 : 0;  // two of context 0, one of context 1
    const RankReduceParams& p = ctx == 0 ? p0 : p1;
    golden::RankReduceFixed& ref = ctx == 0 ? ref0 : ref1;
    const uint32_t bank = static_cast<uint32_t>(ctx * rank_reduce_unit::kRegisterBytes);
    const auto dz = src.vec(p.n_o), a = src.vec(p.n_i);
    const int dz_exp = src.exponent(), a_exp = src.exponent();
    poke(dz_addr, dz);
    poke(a_addr, a);
    reg(bank + rank_reduce_unit::kDzAddr, static_cast<uint32_t>(dz_addr));
    reg(bank + rank_reduce_unit::kAAddr, static_cast<uint32_t>(a_addr));
    reg(bank + rank_reduce_unit::kDzExp, static_cast<uint32_t>(dz_exp));
    reg(bank + rank_reduce_unit::kAExp, static_cast<uint32_t>(a_exp));
    c.expect(reg(bank + rank_reduce_unit::kControl, rank_reduce_unit::kStep).first == ::tlm::TLM_OK_RESPONSE,
             "STEP on context " + std::to_string(ctx));
    ref.step_codes(dz.data(), dz_exp, a.data(), a_exp);
    for (size_t x : {size_t{0}, size_t{1}}) {
      const RankReduceState got = state_of(x, x == 0 ? p0 : p1);
      const golden::RankReduceFixed& r = x == 0 ? ref0 : ref1;
      const int16_t* want_l = r.q_codes(RankReduceSide::kLeft);
      const int16_t* want_r = r.q_codes(RankReduceSide::kRight);
      c.expect(std::equal(got.q_left.begin(), got.q_left.end(), want_l) &&
                   std::equal(got.q_right.begin(), got.q_right.end(), want_r),
               "pair " + std::to_string(k) + ": context " + std::to_string(x) + "'s bases");
    }
    c.expect(reg(bank + rank_reduce_unit::kPairs, 0, ::tlm::TLM_READ_COMMAND).second == ref.stats().pairs,
             "PAIRS of context " + std::to_string(ctx));
  }
  c.expect(unit.stats(0).steps == 40 && unit.stats(1).steps == 20, "steps per context");
  const RankReduceUnitStats all = unit.total_stats();
  c.expect(all.steps == 60 && all.busy_cycles == unit.stats(0).busy_cycles + unit.stats(1).busy_cycles &&
               all.energy == unit.stats(0).energy + unit.stats(1).energy &&
               all.sram_read_words == unit.stats(0).sram_read_words + unit.stats(1).sram_read_words,
           "totals = the contexts' sums");
  // RESET of context 1 leaves context 0's state alone.
  const RankReduceState held = state_of(0, p0);
  c.expect(reg(0x20 + rank_reduce_unit::kControl, rank_reduce_unit::kReset).first == ::tlm::TLM_OK_RESPONSE,
           "RESET context 1");
  c.expect(state_of(1, p1) == RankReduceState::zero(p1) && state_of(0, p0).q_left == held.q_left,
           "reset of context 1 only");
  c.expect(reg(0x40, 0, ::tlm::TLM_READ_COMMAND).first == ::tlm::TLM_ADDRESS_ERROR_RESPONSE,
           "past the last bank: address error");
}

TEST(RankReduceUnitElaborated, TwoContextsShareOneUnitBitExactly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(two_contexts_scenario, "two contexts: ok"), ::testing::ExitedWithCode(0),
              "two contexts: ok");
}

TEST(RankReduceUnitElaborated, ResetInputErrorAndForeignWrites) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(reset_and_errors_scenario, "reset and errors: ok"), ::testing::ExitedWithCode(0),
              "reset and errors: ok");
}

// impl: rtl's register-file counts: read back from the writes per file exactly (every count the
// cost table prices); u_cf's and u_bc's writes are G and B, and a write to any of the twelve
// other files that the closed form does not have stops the run naming the file.
TEST(RtlRegfileCounts, ReadBackFromTheWritesAndAnyDifferenceNamesTheFile) {
  RankReduceParams p;
  p.rank = 3;
  p.n_o = 6;
  p.n_i = 9;
  p.mode = RankReduceMode::kUnbiased;
  for (const bool dry : {false, true}) {
    golden::FixedPairTrace want;  // a full step: kept 1, a rotated visit count, dry or not
    want.pair_index = 7;
    want.kept = 1;
    want.vanished_right = true;
    want.gs_coefficients = 5;
    want.jacobi_rotations = 13;
    want.max_updates = 21;
    want.mix_dry = dry;
    rtl::RtlPairResult res;
    res.regfile_writes = hw::rr_unit_pair_cost(3, true, 6, 9, hw::rr_pair_outcome(want)).regfile_writes;
    golden::FixedPairTrace got;  // what the result ports say
    got.pair_index = 7;
    got.kept = 1;
    got.vanished_right = true;
    add_rtl_regfile_counts(p, res, got);
    EXPECT_EQ(got.gs_coefficients, 5);
    EXPECT_EQ(got.jacobi_rotations, 13);
    EXPECT_EQ(got.max_updates, 21);
    EXPECT_EQ(got.mix_dry, dry);
    for (int f = 0; f < hw::kRrRegfiles; ++f) {
      rtl::RtlPairResult bad = res;
      ++bad.regfile_writes[static_cast<size_t>(f)];
      golden::FixedPairTrace t = got;
      if (f == hw::kRfCf || f == hw::kRfBc) {  // these two files' writes are G and B themselves
        add_rtl_regfile_counts(p, bad, t);
        EXPECT_EQ(t.gs_coefficients + t.max_updates, 5 + 21 + 1);
        continue;
      }
      try {
        add_rtl_regfile_counts(p, bad, t);
        ADD_FAILURE() << "no error for one more write to " << hw::rr_regfile_name(f);
      } catch (const RunError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("pair 7"), std::string::npos) << what;
        EXPECT_NE(what.find(hw::rr_regfile_name(f)), std::string::npos) << what;
      }
    }
  }
}

}  // namespace
}  // namespace lrt::tlm
