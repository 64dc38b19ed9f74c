// The TLM accelerator top and its pieces: Ledger, TlmWeightStore,
// controller and accel_top (models/tlm/).
//
// Plain-C++ pieces (Ledger) are tested in this process. Everything that
// binds sockets runs in a fresh child process per test (a "threadsafe" gtest death test;
// SystemC elaborates once per process), which reports every failed check on stderr and
// exits 0 only if none failed (child_process.h).
//
// The central check is equivalence: the TLM engine (golden::Engine driven by accel_top's
// controller, its weights in tlm::rram_array targets behind the bus, its LRT pairs on
// rank_reduce_units) and a golden twin (the same engine on device::RramArray +
// device::RramWeightStore, same specs, seed and instance = layer index) train the same
// samples with every device effect on, and must agree bit for bit every sample: weights
// digest, StepResult, every device counter and the complete array state. Then the ledger is
// checked against the modules' own counters.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "child_process.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "device/rram_array.h"
#include "device/rram_weight_store.h"
#include "golden/training/engine.h"
#include "tlm/accel_top.h"
#include "tlm/bus.h"
#include "tlm/ledger.h"
#include "tlm/rram_array.h"
#include "tlm/tlm_util.h"
#include "tlm/tlm_weight_store.h"

namespace lrt::tlm {
namespace {

using device::EnergyUnits;
using sc_core::SC_NS;
using sc_core::sc_time;

constexpr Phase kAllPhases[] = {Phase::kForward, Phase::kBackward, Phase::kLrt, Phase::kUpdate,
                                Phase::kDrift};
constexpr Component kAllComponents[] = {Component::kRramRead,  Component::kRramWrite, Component::kSramRead,
                                        Component::kSramWrite, Component::kMac,       Component::kRankReduce,
                                        Component::kSramLeakage};

// ---- Ledger -------------------------------------------------------------------------------

// 3000 random additions (random phase, component, amount up to 2^40 units; random cycle
// counts up to 2^32) against a shadow table kept here: every cell, row, column and total
// must equal the shadow exactly (integer sums: at most 3000 x 2^40 < 2^52, no wrap).
TEST(Ledger, RowsColumnsAndTotalEqualIndependentSumsExactly) {
  const CounterRng rng(4242, 7);
  Ledger l;
  std::array<std::array<uint64_t, kComponents>, kPhases> shadow{};
  std::array<uint64_t, kPhases> shadow_cycles{};
  std::array<std::array<uint64_t, kComponents>, 5> by_layer{};  // layers -1 .. 3
  for (uint64_t i = 0; i < 3000; ++i) {
    const auto p = static_cast<size_t>(rng.bits32(4 * i) % kPhases);
    const auto c = static_cast<size_t>(rng.bits32(4 * i + 1) % kComponents);
    const uint64_t e = rng.bits64(4 * i + 2) >> 24;  // < 2^40
    const uint64_t n = rng.bits32(4 * i + 3);
    const int layer = static_cast<int>(rng.bits32(4 * i + 3) % 5) - 1;  // -1 .. 3
    l.add_energy(kAllPhases[p], kAllComponents[c], e, layer);
    shadow[p][c] += e;
    by_layer[static_cast<size_t>(layer + 1)][c] += e;
    if (i % 3 == 0) {
      l.add_cycles(kAllPhases[p], n);
      shadow_cycles[p] += n;
    }
  }
  uint64_t total = 0, total_cycles = 0;
  std::array<uint64_t, kComponents> by_component{};
  for (size_t p = 0; p < kPhases; ++p) {
    uint64_t row = 0;
    for (size_t c = 0; c < kComponents; ++c) {
      EXPECT_EQ(l.energy(kAllPhases[p], kAllComponents[c]), shadow[p][c]) << p << "," << c;
      row += shadow[p][c];
      by_component[c] += shadow[p][c];
    }
    EXPECT_EQ(l.energy(kAllPhases[p]), row) << to_string(kAllPhases[p]);
    EXPECT_EQ(l.cycles(kAllPhases[p]), shadow_cycles[p]);
    total += row;
    total_cycles += shadow_cycles[p];
  }
  for (size_t c = 0; c < kComponents; ++c)
    EXPECT_EQ(l.energy(kAllComponents[c]), by_component[c]) << to_string(kAllComponents[c]);
  EXPECT_EQ(l.total_energy(), total);
  EXPECT_EQ(l.total_cycles(), total_cycles);
  // Every cell was hit (3000 draws over 35 cells), so a sum that skipped a cell would show.
  for (size_t p = 0; p < kPhases; ++p)
    for (size_t c = 0; c < kComponents; ++c) EXPECT_GT(shadow[p][c], 0u);
  // By layer: each (layer, component) cell, each layer's sum, and the layers add up to the total.
  ASSERT_EQ(l.layer_count(), 4);
  uint64_t layers_total = 0;
  for (int layer = -1; layer < 4; ++layer) {
    uint64_t row = 0;
    for (size_t c = 0; c < kComponents; ++c) {
      EXPECT_EQ(l.energy(layer, kAllComponents[c]), by_layer[static_cast<size_t>(layer + 1)][c]) << layer;
      row += by_layer[static_cast<size_t>(layer + 1)][c];
    }
    EXPECT_EQ(l.layer_energy(layer), row) << layer;
    layers_total += row;
  }
  EXPECT_EQ(layers_total, total);
  EXPECT_EQ(l.layer_energy(7), 0u);
  EXPECT_THROW(l.add_energy(Phase::kForward, Component::kMac, 1, -2), std::invalid_argument);
}

TEST(Ledger, WordsRoundTripInTheDocumentedOrderAndRejectWrongSizes) {
  Ledger l;
  // Distinct values everywhere, so that any permutation of the words shows.
  for (size_t p = 0; p < kPhases; ++p) {
    for (size_t c = 0; c < kComponents; ++c)
      l.add_energy(kAllPhases[p], kAllComponents[c], 1000 * (p + 1) + c + (uint64_t{1} << 50));
    l.add_cycles(kAllPhases[p], 77 + p + (uint64_t{1} << 40));
  }
  l.add_energy(Phase::kLrt, Component::kRankReduce, 555, 1);  // layer 1's row after -1's and 0's
  const std::vector<uint64_t> w = l.to_words();
  // Checkpoint layout: energy row-major by phase (kPhases x kComponents), then the cycles, then
  // a row of components per layer from -1 up.
  const size_t base = kPhases * kComponents + kPhases;
  ASSERT_EQ(w.size(), base + 3 * kComponents);
  for (size_t c = 0; c < kComponents; ++c) {
    EXPECT_EQ(w[base + c], l.energy(-1, kAllComponents[c]));
    EXPECT_EQ(w[base + kComponents + c], 0u);  // layer 0: nothing
    EXPECT_EQ(w[base + 2 * kComponents + c], kAllComponents[c] == Component::kRankReduce ? 555u : 0u);
  }
  for (size_t p = 0; p < kPhases; ++p) {
    for (size_t c = 0; c < kComponents; ++c)
      EXPECT_EQ(w[p * kComponents + c],
                1000 * (p + 1) + c + (uint64_t{1} << 50) + (p == 2 && c == 5 ? 555 : 0));
    EXPECT_EQ(w[kPhases * kComponents + p], 77 + p + (uint64_t{1} << 40));
  }
  const Ledger back = Ledger::from_words(w);
  for (Phase p : kAllPhases) {
    for (Component c : kAllComponents) EXPECT_EQ(back.energy(p, c), l.energy(p, c));
    EXPECT_EQ(back.cycles(p), l.cycles(p));
  }
  for (int layer = -1; layer < 2; ++layer)
    for (Component c : kAllComponents) EXPECT_EQ(back.energy(layer, c), l.energy(layer, c));
  EXPECT_EQ(back.to_words(), w);
  EXPECT_EQ(Ledger::from_words(Ledger().to_words()).total_energy(), 0u);

  std::vector<uint64_t> shorter(w.begin(), w.end() - 1), longer = w;
  longer.push_back(0);
  EXPECT_THROW(Ledger::from_words(shorter), std::invalid_argument);
  EXPECT_THROW(Ledger::from_words(longer), std::invalid_argument);
  EXPECT_THROW(Ledger::from_words({}), std::invalid_argument);
}

TEST(Ledger, SummaryNames) {
  EXPECT_STREQ(to_string(Phase::kForward), "forward");
  EXPECT_STREQ(to_string(Phase::kBackward), "backward");
  EXPECT_STREQ(to_string(Phase::kLrt), "lrt");
  EXPECT_STREQ(to_string(Phase::kUpdate), "update");
  EXPECT_STREQ(to_string(Phase::kDrift), "drift");
  EXPECT_STREQ(to_string(Component::kRramRead), "rram_read");
  EXPECT_STREQ(to_string(Component::kRramWrite), "rram_write");
  EXPECT_STREQ(to_string(Component::kSramRead), "sram_read");
  EXPECT_STREQ(to_string(Component::kSramWrite), "sram_write");
  EXPECT_STREQ(to_string(Component::kMac), "mac");
  EXPECT_STREQ(to_string(Component::kRankReduce), "rank_reduce");
  EXPECT_STREQ(to_string(Component::kSramLeakage), "sram_leakage");
}

// ---- Child-process helpers ----------------------------------------------------------------

using testing::Checks;
using testing::run_child;

// Names of the RramStats members that differ ("" if none).
std::string stats_diff(const device::RramStats& a, const device::RramStats& b) {
  std::string d;
  auto cmp = [&](const char* name, uint64_t x, uint64_t y) {
    if (x != y) d += std::string(" ") + name + " " + std::to_string(x) + " vs " + std::to_string(y);
  };
  cmp("word_reads", a.word_reads, b.word_reads);
  cmp("word_write_requests", a.word_write_requests, b.word_write_requests);
  cmp("word_writes", a.word_writes, b.word_writes);
  cmp("word_write_failures", a.word_write_failures, b.word_write_failures);
  cmp("compare_reads", a.compare_reads, b.compare_reads);
  cmp("cell_programs", a.cell_programs, b.cell_programs);
  cmp("cell_program_failures", a.cell_program_failures, b.cell_program_failures);
  cmp("program_pulses", a.program_pulses, b.program_pulses);
  cmp("reset_pulses", a.reset_pulses, b.reset_pulses);
  cmp("cells_worn_out", a.cells_worn_out, b.cells_worn_out);
  cmp("read_cycles", a.read_cycles, b.read_cycles);
  cmp("write_cycles", a.write_cycles, b.write_cycles);
  cmp("drift_events", a.drift_events, b.drift_events);
  cmp("analog_drift_word_changes", a.analog_drift_word_changes, b.analog_drift_word_changes);
  cmp("bit_flips", a.bit_flips, b.bit_flips);
  return d;
}

// Every device counter and every piece of running state (RramArrayState) equal.
std::string array_diff(const device::RramArray& a, const device::RramArray& b) {
  std::string d = stats_diff(a.stats(), b.stats());
  const device::RramArrayState sa = a.state(), sb = b.state();
  if (sa.patterns != sb.patterns) d += " patterns";
  if (sa.word_writes != sb.word_writes) d += " word_writes";
  if (sa.cell_writes != sb.cell_writes) d += " cell_writes";
  if (sa.worn_out != sb.worn_out) d += " worn_out";
  if (sa.program_sample != sb.program_sample) d += " program_sample";
  if (sa.samples != sb.samples) d += " samples";
  if (!(a.energy() == b.energy())) d += " energy";
  return d;
}

// An initiator module whose socket reaches the bus (TlmWeightStore takes its fw interface).
struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> out;
  explicit Initiator(const sc_core::sc_module_name& name) : sc_module(name), out("out") {}
};

// ---- TlmWeightStore on a bus ----------------------------------------------------------------

// 16 words of 8 binary cells; a quarter of the cells stuck from time zero; digital drift with
// p = 0.1 per bit per event, one event per sample. Bus latency 3, read 2, pulse 10, verify 2.
device::RramArraySpecs store_specs() {
  device::RramArraySpecs s;
  s.cells = 128;
  s.bits_per_cell = 1;
  s.weight_bits = 8;
  s.stuck_at_fault_rate = 0.25;
  s.stuck_at_high_fraction = 0.5;
  s.read_latency_cycles = 2;
  s.pulse_cycles = 10;
  s.verify_cycles = 2;
  s.drift.interval_samples = 1;
  s.drift.flip_p0 = 1e5;  // p = p0 / (H / d) = 0.1
  s.endurance.distribution = device::EnduranceDistribution::kFixed;
  return s;
}

void weight_store_scenario(Checks& c) {
  const sc_time clock(10, SC_NS);
  constexpr uint32_t kBusLatency = 3;
  constexpr uint64_t kSeed = 5, kInstance = 2;
  const device::RramArraySpecs specs = store_specs();
  bus b("bus", kBusLatency, clock);
  rram_array target("rram", specs, kSeed, kInstance, clock);
  Initiator cpu("cpu");
  cpu.out.bind(b.in);
  b.out.bind(target.in);
  b.map("weights", kBusRramBase, target.size_bytes(), 0);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  sc_time delay = sc_core::SC_ZERO_TIME;
  TlmWeightStore store(*cpu.out.operator->(), kBusRramBase, target, delay);
  // The twin: the same device calls made directly.
  device::RramArray twin_array(specs, kSeed, kInstance);
  device::RramWeightStore twin(twin_array);
  const device::RramArray& dev = target.array();
  const device::CellMapping& map = dev.mapping();
  const uint64_t words = store.words();
  c.expect(words == 16, "16 words, got " + std::to_string(words));

  // Deploy: debug transport, free; stuck cells keep their level and the codes adopt it.
  std::vector<int32_t> codes(words, -1), twin_codes(words, -1);  // all bits 1
  store.deploy(codes.data());
  twin.deploy(twin_codes.data());
  c.expect(codes == twin_codes, "deploy: codes equal the twin's");
  uint64_t stuck_low_in_deploy = 0;
  for (uint64_t w = 0; w < words; ++w) {
    uint32_t expected = map.word_mask();
    for (uint32_t j = 0; j < map.cells_per_word(); ++j) {
      const device::CellState cs = dev.cell(w * map.cells_per_word() + j);
      if (cs.stuck_at_fault && cs.level == 0) {
        expected = map.with_level(expected, j, 0);
        ++stuck_low_in_deploy;
      }
    }
    c.expect(codes[w] == map.code_of(expected) && dev.peek_word(w) == codes[w],
             "deploy word " + std::to_string(w) + ": " + std::to_string(codes[w]) + " vs " +
                 std::to_string(map.code_of(expected)));
  }
  c.expect(stuck_low_in_deploy > 0, "some cell stuck at level 0 (else deploy adoption is untested)");
  c.expect(stats_diff(dev.stats(), device::RramStats{}).empty() && delay == sc_core::SC_ZERO_TIME &&
               b.stats().transactions == 0,
           "deploy is free: no counters, no delay, no bus transaction");

  // Write cells {1, 2, 3, 7, 8}: runs [1, 3] and [7, 8] are two write bursts. Each requested
  // pattern flips every cell of the word, so a stuck cell (asked to leave its level) keeps it
  // and every other cell is programmed once.
  const std::vector<int64_t> cells{1, 2, 3, 7, 8};
  std::vector<int32_t> requested = codes;
  uint64_t stuck_asked = 0, free_cells = 0;
  std::vector<int32_t> expected_code(words, 0);
  for (int64_t w : cells) {
    const auto uw = static_cast<uint64_t>(w);
    const uint32_t flipped = map.pattern_of(codes[uw]) ^ map.word_mask();
    requested[uw] = map.code_of(flipped);
    uint32_t stored = flipped;
    for (uint32_t j = 0; j < map.cells_per_word(); ++j) {
      const device::CellState cs = dev.cell(uw * map.cells_per_word() + j);
      if (cs.stuck_at_fault) {
        stored = map.with_level(stored, j, cs.level);
        ++stuck_asked;
      } else {
        ++free_cells;
      }
    }
    expected_code[uw] = map.code_of(stored);
  }
  c.expect(stuck_asked > 0, "a written word has a stuck cell (else adoption is untested)");
  std::vector<int32_t> after = requested, twin_after = requested;
  const device::RramStats before = dev.stats();
  const uint64_t tx_before = b.stats().transactions;
  store.write(cells, after.data());
  twin.write(cells, twin_after.data());
  const device::RramStats& now = dev.stats();
  c.expect(
      now.word_write_requests - before.word_write_requests == 5,
      "5 word write requests, got " + std::to_string(now.word_write_requests - before.word_write_requests));
  c.expect(b.stats().transactions - tx_before == 2,
           "2 write bursts on the bus, got " + std::to_string(b.stats().transactions - tx_before));
  c.expect(now.cell_program_failures - before.cell_program_failures == stuck_asked,
           "every stuck cell asked to change failed");
  c.expect(now.cell_programs - before.cell_programs == free_cells, "every other cell was programmed");
  // Delay: each burst crosses the bus once (3 cycles) plus the array's write cycles.
  c.expect(delay == clock_cycles(now.write_cycles - before.write_cycles + 2 * kBusLatency, clock),
           "write delay = (write cycles + 2 x bus latency) x period: " + delay.to_string());
  bool some_adopted = false;
  for (uint64_t w = 0; w < words; ++w) {
    const bool written = w == 1 || w == 2 || w == 3 || w == 7 || w == 8;
    const int32_t want = written ? expected_code[w] : requested[w];  // others untouched
    c.expect(after[w] == want, "after write, word " + std::to_string(w) + ": " + std::to_string(after[w]) +
                                   " vs " + std::to_string(want));
    c.expect(dev.peek_word(w) == (written ? expected_code[w] : codes[w]), "stored word " + std::to_string(w));
    some_adopted = some_adopted || (written && after[w] != requested[w]);
  }
  c.expect(some_adopted, "some written word adopted a stuck cell's level");
  c.expect(after == twin_after, "write: codes equal the twin's");
  c.expect(array_diff(dev, twin_array).empty(), "after write, arrays differ:" + array_diff(dev, twin_array));

  // Peek: no cost at all.
  const device::RramStats before_peek = dev.stats();
  const sc_time delay_before_peek = delay;
  const uint64_t tx_before_peek = b.stats().transactions;
  for (uint64_t w = 0; w < words; ++w)
    c.expect(store.peek(static_cast<int64_t>(w)) == dev.peek_word(w), "peek word " + std::to_string(w));
  c.expect(stats_diff(dev.stats(), before_peek).empty() && delay == delay_before_peek &&
               b.stats().transactions == tx_before_peek,
           "peek changed counters, delay or bus transactions:" + stats_diff(dev.stats(), before_peek));

  // Without read effects, reads go through DMI and are only accounted: n x words reads.
  c.expect(!store.read_effects(), "no read effects yet");
  store.account_reads(2);
  twin.account_reads(2);
  c.expect(dev.stats().word_reads - before_peek.word_reads == 2 * words,
           "account_reads(2) = 2 x 16 word reads");
  c.expect(b.stats().transactions == tx_before_peek, "account_reads issues no transaction");

  // With read noise: read_all is one read burst, one read per word.
  device::RramReadEffects noisy;
  noisy.noise_sigma_levels = 0.4;
  target.set_read_effects(noisy);
  twin_array.set_read_effects(noisy);
  c.expect(store.read_effects(), "read effects on");
  const device::RramStats before_read = dev.stats();
  const EnergyUnits read_energy_before = dev.energy().read;
  const sc_time delay_before_read = delay;
  std::vector<int32_t> read(words, 0), twin_read(words, 0);
  store.read_all(read.data());
  twin.read_all(twin_read.data());
  c.expect(dev.stats().word_reads - before_read.word_reads == words, "read_all: one read per word");
  c.expect(dev.stats().read_cycles - before_read.read_cycles == 2 * words, "read_all: 2 cycles per word");
  c.expect(dev.energy().read - read_energy_before == words * dev.read_energy_per_word(),
           "read_all: words x read energy per word");
  c.expect(b.stats().transactions - tx_before_peek == 1, "read_all: one burst");
  c.expect(delay - delay_before_read == clock_cycles(2 * words + kBusLatency, clock),
           "read_all delay = (16 x 2 + 3) x period: " + (delay - delay_before_read).to_string());
  c.expect(read == twin_read, "read_all: codes equal the twin's");
  bool noise_visible = false;
  for (uint64_t w = 0; w < words; ++w) noise_visible = noise_visible || read[w] != dev.peek_word(w);
  c.expect(noise_visible, "read noise changed some read code (else read effects are untested)");

  // The same read told as a difference (sparse read noise): one burst, the same counters,
  // energy and delay, exactly the words whose read differs from what they store, the codes
  // read_all returned (the noise is frozen within a sample), and the twin's list.
  const device::RramStats before_sparse = dev.stats();
  const EnergyUnits sparse_energy_before = dev.energy().read;
  const sc_time delay_before_sparse = delay;
  const uint64_t tx_before_sparse = b.stats().transactions;
  std::vector<WordCode> deviations, twin_deviations, want_deviations;
  c.expect(store.read_deviations(deviations) && twin.read_deviations(twin_deviations),
           "sparse read noise: both stores tell reads as differences");
  for (uint64_t w = 0; w < words; ++w)
    if (read[w] != dev.peek_word(w)) want_deviations.push_back({w, read[w]});
  auto same_list = [](const std::vector<WordCode>& x, const std::vector<WordCode>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const WordCode& p, const WordCode& q) {
      return p.word == q.word && p.code == q.code;
    });
  };
  c.expect(!want_deviations.empty() && same_list(deviations, want_deviations),
           "read_deviations: the words read_all read differently, with its codes");
  c.expect(same_list(deviations, twin_deviations), "read_deviations: equal to the twin's");
  c.expect(array_diff(dev, twin_array).empty() &&
               dev.stats().word_reads - before_sparse.word_reads == words &&
               dev.stats().read_cycles - before_sparse.read_cycles == 2 * words &&
               dev.energy().read - sparse_energy_before == words * dev.read_energy_per_word(),
           "read_deviations: counted and charged as read_all");
  c.expect(b.stats().transactions - tx_before_sparse == 1 &&
               delay - delay_before_sparse == clock_cycles(2 * words + kBusLatency, clock),
           "read_deviations: one burst, the delay of read_all: " + (delay - delay_before_sparse).to_string());
  device::RramReadEffects dense = noisy;
  dense.power_law_nu = 0.05;  // fractional levels: not sparse
  target.set_read_effects(dense);
  std::vector<WordCode> none;
  const device::RramStats before_refusal = dev.stats();
  c.expect(!store.read_deviations(none) && none.empty() && stats_diff(dev.stats(), before_refusal).empty(),
           "dense read effects: read_deviations refuses, reading and charging nothing");
  target.set_read_effects(noisy);

  // End of sample: the drift event flips bits; the changed words are reported as the twin's.
  std::vector<int64_t> changed, twin_changed;
  store.end_sample(changed);
  twin.end_sample(twin_changed);
  c.expect(!changed.empty() && changed == twin_changed, "end_sample: drift changes equal the twin's");
  c.expect(array_diff(dev, twin_array).empty(), "at the end, arrays differ:" + array_diff(dev, twin_array));
}

TEST(TlmWeightStoreElaborated, BurstsDebugAccessReadEffectsAndDriftMatchTheDeviceStore) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(weight_store_scenario, "weight store: ok"), ::testing::ExitedWithCode(0),
              "weight store: ok");
}

// ---- accel_top against the golden twin ------------------------------------------------------

// conv3x3 4 -> maxpool2 -> ReLU -> BN -> fc 4 on 8 x 8 x 1: shapes 8x8x1 -> 6x6x4 -> 3x3x4
// -> 3x3x4 -> 3x3x4 -> 4. Trainable: layer 0 (n_o 4, fan-in 9) and layer 4 (n_o 4, fan-in 36).
golden::NetworkSpec small_network() {
  golden::NetworkSpec n;
  n.in_h = 8;
  n.in_w = 8;
  n.in_c = 1;
  n.layers = {{golden::LayerKind::kConv3x3, 4},
              {golden::LayerKind::kMaxPool2, 0},
              {golden::LayerKind::kRelu, 0},
              {golden::LayerKind::kBatchNorm, 0},
              {golden::LayerKind::kFc, 4}};
  return n;
}

// LRT on both layers with the fixed-point reducer, batch 2 so that updates come every other
// sample, a large learning rate and rho_min = 0 so that they are written.
golden::TrainSpecs lrt_specs() {
  golden::TrainSpecs t;
  t.conv = {golden::Scheme::kLrt, true, 2, 2, golden::RankReduceMode::kBiased, 100.0};
  t.fc = {golden::Scheme::kLrt, true, 2, 2, golden::RankReduceMode::kUnbiased, 100.0};
  t.learning_rate = 0.5;
  t.rho_min = 0.0;
  t.bn.batch = 4;
  t.rank_reduce_arith = golden::RankReduceArith::kFixed;
  t.seed = 11;
  return t;
}

// Every effect on: 2-bit cells (4 per word), fixed endurance of 3 level changes, 5% stuck
// cells, analog drift of ~2.2 LSB per event (sigma0 10 / sqrt(1e6 / 3) = 0.0173 = 2.2 x 2^-7)
// and digital flips with p = 3000 / (1e6 / 3) = 0.009 per bit, every 3 samples; read noise
// 0.3 levels and power-law conductance drift.
device::RramArraySpecs effects_specs(uint64_t words) {
  device::RramArraySpecs s;
  s.bits_per_cell = 2;
  s.weight_bits = 8;
  s.cells = words * 4;
  s.weight_range = 1.0;
  s.max_pulses = 8;
  s.endurance.distribution = device::EnduranceDistribution::kFixed;
  s.endurance.writes = 3;
  s.stuck_at_fault_rate = 0.05;
  s.drift.interval_samples = 3;
  s.drift.analog_sigma0 = 10.0;
  s.drift.flip_p0 = 3000.0;
  s.read_effects.noise_sigma_levels = 0.3;
  s.read_effects.power_law_nu = 0.02;
  s.read_effects.power_law_t0_samples = 10.0;
  return s;
}

void fill_sample(uint64_t i, uint8_t* image, int& label) {
  const CounterRng r(99, 3);
  for (uint64_t p = 0; p < 64; ++p) image[p] = static_cast<uint8_t>(r.bits32(i * 65 + p) & 0xFF);
  label = static_cast<int>(r.bits32(i * 65 + 64) % 4);
}

bool same_result(const golden::StepResult& a, const golden::StepResult& b) {
  return a.prediction == b.prediction && a.correct == b.correct &&
         std::memcmp(&a.loss, &b.loss, sizeof a.loss) == 0;  // bit for bit
}

void equivalence_scenario(bool shared_unit, Checks& c) {
  constexpr int kSamples = 14;
  const golden::NetworkSpec net = small_network();
  const golden::TrainSpecs train = lrt_specs();
  golden::Engine engine(net, train), twin(net, train);

  AccelSpecs a;
  a.seed = 2718;
  for (int l : engine.trainable_layers()) {
    const golden::AffineLayer& layer = engine.affine(l);
    a.rram.push_back(
        effects_specs(static_cast<uint64_t>(layer.n_out()) * static_cast<uint64_t>(layer.fan_in())));
  }
  a.controller.rank_reduce_units =
      shared_unit ? hw::RankReduceUnits::kShared : hw::RankReduceUnits::kPerLayer;
  accel_top top("accel", engine, a);
  const sc_time period = top.clock_period();
  top.attach_weights(true);
  // Per-layer units: with a thread pool as --jobs 2 sets it (the GEMMs and the arrays' device
  // work split over threads); every transaction must still come from a SystemC process.
  ThreadPool pool(2);
  if (!shared_unit) {
    engine.set_thread_pool(&pool);
    for (auto& arr : top.rram()) arr->set_thread_pool(&pool);
  }
  // One unit module with a context per LRT layer, or one module per layer.
  const size_t lrt_layers = engine.trainable_layers().size();
  c.expect(top.units().size() == (shared_unit ? 1 : lrt_layers), "unit modules: " + std::to_string(top.units().size()));
  for (size_t j = 0; j < lrt_layers; ++j)
    c.expect(top.unit(j) && top.unit(j).context == (shared_unit ? j : 0) &&
                 top.unit(j).unit == top.units()[shared_unit ? 0 : j].get(),
             "layer " + std::to_string(j) + "'s context");
  if (shared_unit) c.expect(top.units()[0]->contexts() == lrt_layers, "contexts of the shared unit");

  std::vector<std::unique_ptr<device::RramArray>> twin_arrays;
  std::vector<std::unique_ptr<device::RramWeightStore>> twin_stores;
  std::vector<WeightStore*> stores;
  for (size_t j = 0; j < a.rram.size(); ++j) {
    twin_arrays.push_back(std::make_unique<device::RramArray>(
        a.rram[j], a.seed, static_cast<uint32_t>(twin.trainable_layers()[j])));
    twin_stores.push_back(std::make_unique<device::RramWeightStore>(*twin_arrays.back()));
    stores.push_back(twin_stores.back().get());
  }
  twin.attach_weight_stores(stores, true);
  const size_t n_arrays = top.rram().size();
  c.expect(n_arrays == 2, "one array per trainable layer");

  const Ledger& ledger = top.ctrl().ledger();
  c.expect(ledger.total_energy() == 0 && ledger.total_cycles() == 0 && top.mac().energy() == 0,
           "ledger and MAC array start at zero");
  c.expect(engine.weights_digest() == twin.weights_digest(), "digest after deployment");
  for (size_t j = 0; j < n_arrays; ++j)
    c.expect(array_diff(top.rram()[j]->array(), *twin_arrays[j]).empty(),
             "array " + std::to_string(j) +
                 " after deployment:" + array_diff(top.rram()[j]->array(), *twin_arrays[j]));

  std::array<uint8_t, 64> image{};
  int label = 0;
  for (int i = 0; i < kSamples; ++i) {
    const std::string at = "sample " + std::to_string(i) + ": ";
    fill_sample(static_cast<uint64_t>(i), image.data(), label);
    const golden::StepResult r = top.train_sample(image.data(), label);
    const golden::StepResult t = twin.train_step(image.data(), label);

    c.expect(same_result(r, t), at + "StepResult differs (loss " + std::to_string(r.loss) + " vs " +
                                    std::to_string(t.loss) + ")");
    c.expect(engine.weights_digest() == twin.weights_digest(), at + "weights digest differs");
    EnergyUnits rram_read = 0, rram_write = 0;
    for (size_t j = 0; j < n_arrays; ++j) {
      const device::RramArray& dev = top.rram()[j]->array();
      const std::string d = array_diff(dev, *twin_arrays[j]);
      c.expect(d.empty(), at + "array " + std::to_string(j) + " differs:" + d);
      rram_read += dev.energy().read;
      rram_write += dev.energy().write + dev.energy().compare_read;
      // The payloads' CostTag named the layer: each array's energy is its own layer's.
      const int layer = engine.trainable_layers()[j];
      c.expect(
          ledger.energy(layer, Component::kRramRead) == dev.energy().read &&
              ledger.energy(layer, Component::kRramWrite) == dev.energy().write + dev.energy().compare_read,
          at + "layer " + std::to_string(layer) + "'s RRAM energy in the ledger != its array's");
    }
    EnergyUnits by_layers = 0;
    for (int layer = -1; layer < ledger.layer_count(); ++layer) by_layers += ledger.layer_energy(layer);
    c.expect(by_layers == ledger.total_energy(), at + "the layers' energy does not add up to the total");
    c.expect(ledger.layer_energy(-1) == ledger.energy(Component::kSramLeakage),
             at + "energy charged to no layer is not exactly the SRAM's leakage");
    // The ledger was zero at the start, so its cumulative components equal the modules' own
    // cumulative energy: MAC jobs, and user reads vs write-verify (pulses + compare reads).
    c.expect(ledger.energy(Component::kMac) == top.mac().energy(), at + "ledger mac != mac_array.energy()");
    c.expect(ledger.energy(Component::kRramRead) == rram_read,
             at + "ledger rram_read != arrays' read energy");
    c.expect(ledger.energy(Component::kRramWrite) == rram_write,
             at + "ledger rram_write != arrays' write energy");
    c.expect(sc_core::sc_time_stamp() == clock_cycles(ledger.total_cycles(), period),
             at + "time " + sc_core::sc_time_stamp().to_string() +
                 " != " + std::to_string(ledger.total_cycles()) + " cycles x period");
  }

  // Whole run: RRAM energy in total, and every row and column of the ledger.
  EnergyUnits rram_total = 0;
  device::RramStats sum;
  for (size_t j = 0; j < n_arrays; ++j) {
    const device::RramArray& dev = top.rram()[j]->array();
    rram_total += dev.energy().total();
    sum.cells_worn_out += dev.stats().cells_worn_out;
    sum.cell_program_failures += dev.stats().cell_program_failures;
    sum.word_writes += dev.stats().word_writes;
    sum.drift_events += dev.stats().drift_events;
    sum.analog_drift_word_changes += dev.stats().analog_drift_word_changes;
    sum.bit_flips += dev.stats().bit_flips;
  }
  c.expect(ledger.energy(Component::kRramRead) + ledger.energy(Component::kRramWrite) == rram_total,
           "rram_read + rram_write == sum of RramArray::energy().total()");
  // SRAM leakage: capacity x pW/bit over the simulated time, rounded once per phase and sample
  // (4 phases with time: at most 4 x kSamples half units from one rounding of the whole).
  const EnergyUnits leak = ledger.energy(Component::kSramLeakage);
  const EnergyUnits whole = top.sram().buffer().leakage_energy(static_cast<double>(ledger.total_cycles()) *
                                                                  period.to_seconds());
  c.expect(leak > 0 && (leak > whole ? leak - whole : whole - leak) <= 4 * kSamples,
           "leakage " + std::to_string(leak) + " units vs " + std::to_string(whole) + " over the whole time");
  c.expect(ledger.energy(Phase::kDrift, Component::kSramLeakage) == 0, "drift takes no time, leaks nothing");
  EnergyUnits by_phases = 0, by_components = 0;
  for (Phase p : kAllPhases) {
    EnergyUnits row = 0;
    for (Component k : kAllComponents) row += ledger.energy(p, k);
    c.expect(ledger.energy(p) == row, std::string("phase ") + to_string(p) + " != sum over components");
    by_phases += row;
  }
  for (Component k : kAllComponents) by_components += ledger.energy(k);
  c.expect(by_phases == ledger.total_energy() && by_components == ledger.total_energy(),
           "total != rows, columns");
  // The LRT layers' pairs ran on their rank-reduce units: the sram_buffer target saw only the
  // pairs' traffic (every other phase's SRAM traffic is charged from the traffic model), the
  // units' state words are the cost table's, charged at the SRAM's price; the units' own
  // energy is the ledger's rank_reduce; one shared unit serves its contexts one after another,
  // so the run lasts at least their busy cycles added up.
  EnergyUnits state_read = 0, state_write = 0, unit_energy = 0;
  uint64_t busy = 0;
  for (size_t j = 0; j < n_arrays; ++j)
    if (const RankReduceContextRef unit = top.unit(j)) {
      state_read += device::energy_of(unit.stats().sram_read_words * 64, top.sram().buffer().read_energy_per_bit());
      state_write += device::energy_of(unit.stats().sram_write_words * 64, top.sram().buffer().write_energy_per_bit());
      unit_energy += unit.stats().energy;
      busy += unit.stats().busy_cycles;
    }
  // Every transaction the SRAM target served carried a CostTag: the ledger's SRAM energy is the
  // target's own count plus the units' state words (which move inside the units' table cycles).
  c.expect(ledger.energy(Component::kSramRead) == top.sram().energy().read + state_read &&
               ledger.energy(Component::kSramWrite) == top.sram().energy().write + state_write,
           "ledger SRAM energy != the SRAM target's energy + the units' state words");
  c.expect(ledger.energy(Phase::kLrt, Component::kRankReduce) == unit_energy, "ledger rank_reduce != the units' energy");
  c.expect(busy > 0, "the units folded pairs");
  c.expect(top.interconnect().stats().foreign_thread_calls == 0 && top.interconnect().stats().transactions > 0,
           "every transaction came from the kernel's thread: " +
               std::to_string(top.interconnect().stats().foreign_thread_calls) + " did not");
  if (shared_unit) {
    const RankReduceUnitStats all = top.units()[0]->total_stats();
    c.expect(all.busy_cycles == busy && all.energy == unit_energy, "the unit's totals = its contexts' sums");
    c.expect(ledger.total_cycles() >= busy, "the run lasts at least the shared unit's busy cycles");
  }
  for (size_t j = 0; j < n_arrays; ++j) {
    const RankReduceContextRef unit = top.unit(j);
    const golden::LrtAccumulator* acc = twin.affine(twin.trainable_layers()[j]).updater().lrt_accumulator();
    if (!unit || acc == nullptr) {
      c.expect(false, "layer " + std::to_string(j) + " has no unit or no LRT accumulator");
      continue;
    }
    const golden::RankReduceStats& golden_rr = acc->reducer().stats();
    c.expect(unit.stats().steps == golden_rr.pairs &&
                 unit.stats().skipped_kappa == golden_rr.skipped_kappa && golden_rr.pairs > 0,
             "unit " + std::to_string(j) + ": " + std::to_string(unit.stats().steps) + " steps, " +
                 std::to_string(unit.stats().skipped_kappa) + " skipped vs the twin's " +
                 std::to_string(golden_rr.pairs) + ", " + std::to_string(golden_rr.skipped_kappa));
  }
  // Each phase that does work was charged: forward/backward MACs and reads, LRT pairs, writes.
  c.expect(ledger.energy(Phase::kForward, Component::kMac) > 0 &&
               ledger.energy(Phase::kLrt, Component::kRankReduce) > 0 &&
               ledger.energy(Phase::kUpdate, Component::kRramWrite) > 0 && ledger.cycles(Phase::kUpdate) > 0,
           "forward MACs, rank-reduce work and RRAM writes were charged");

  // The scenario exercised what it claims to (else the equivalence above proves less).
  for (int l : engine.trainable_layers())
    c.expect(engine.affine(l).updater().stats().applied >= 3,
             "layer " + std::to_string(l) + " applied updates");
  c.expect(sum.word_writes > 0, "weights were written");
  c.expect(sum.cells_worn_out > 0, "cells wore out");
  c.expect(sum.cell_program_failures > 0, "stuck or worn-out cells refused writes");
  c.expect(sum.drift_events > 0 && sum.analog_drift_word_changes > 0 && sum.bit_flips > 0,
           "analog and digital drift changed weights");

  // finish(): one idle clock cycle past the last sample.
  top.finish();
  c.expect(sc_core::sc_time_stamp() == clock_cycles(ledger.total_cycles() + 1, period),
           "finish adds one cycle");
}

TEST(AccelTopElaborated, TlmEngineEqualsGoldenTwinWithEveryDeviceEffectAndLedgerBalances) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child([](Checks& c) { equivalence_scenario(true, c); }, "accel_top equivalence: ok"),
              ::testing::ExitedWithCode(0), "accel_top equivalence: ok");
}

TEST(AccelTopElaborated, PerLayerUnitsRunInParallelAndTrainTheSame) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child([](Checks& c) { equivalence_scenario(false, c); }, "per-layer units: ok"),
              ::testing::ExitedWithCode(0), "per-layer units: ok");
}

// ---- SRAM capacity at elaboration ----------------------------------------------------------

// conv bias-only (no training state), fc naive batch: the fc accumulator is n_o x fan-in
// x 32 b = 4 x 36 x 32 = 4608 bits. The regions mapped before it (sram_regions, 16-bit words):
//   activations: input 64 + outputs 144 + 36 + 36 + 36 + 4 = 320 codes  -> 5120 bits
//   gradients:   widest layer in + out = conv 64 + 144 = 208 codes      -> 3328 bits
//   biases:      4 + 4 = 8 codes                                         ->  128 bits
//   batchnorm:   4 channels x 4 parameters = 16 codes                    ->  256 bits
// all whole 64-bit words: 8832 bits. With capacity 8832 + 4000 the accumulator does not fit.
constexpr uint64_t kStateFreeBits = 8832;
constexpr uint64_t kAccumulatorBits = 4608;

golden::TrainSpecs naive_batch_specs() {
  golden::TrainSpecs t;
  t.conv.scheme = golden::Scheme::kBiasOnly;
  t.fc.scheme = golden::Scheme::kNaiveBatch;
  t.fc.batch = 4;
  return t;
}

AccelSpecs sram_specs_for(const golden::Engine& e, uint64_t capacity_bits) {
  AccelSpecs a;
  for (int l : e.trainable_layers()) {
    device::RramArraySpecs s;
    s.cells = static_cast<uint64_t>(e.affine(l).n_out()) * static_cast<uint64_t>(e.affine(l).fan_in()) * 8;
    a.rram.push_back(s);
  }
  a.sram.capacity_bits = capacity_bits;
  return a;
}

void over_capacity_scenario(Checks& c) {
  golden::Engine e(small_network(), naive_batch_specs());
  const uint64_t capacity = kStateFreeBits + 4000;
  try {
    accel_top top("accel", e, sram_specs_for(e, capacity));
    c.expect(false, "accel_top elaborated although the accumulator does not fit");
  } catch (const SpecError& err) {
    // The member of AccelSpecs; the config layer names its key (CmdRunTlm tests).
    const std::string m = err.problem();
    c.expect(err.member() == "sram.capacity_bits", "member: " + err.member());
    c.expect(m.find(std::to_string(kAccumulatorBits)) != std::string::npos, "message names the need: " + m);
    c.expect(m.find(std::to_string(capacity)) != std::string::npos, "message names the capacity: " + m);
    c.expect(m.find("batch.4") != std::string::npos, "message names the region: " + m);
  }
}

void exact_fit_scenario(Checks& c) {
  golden::Engine e(small_network(), naive_batch_specs());
  accel_top top("accel", e, sram_specs_for(e, kStateFreeBits + kAccumulatorBits));
  c.expect(top.sram_mapped_bits() == kStateFreeBits + kAccumulatorBits,
           "mapped bits " + std::to_string(top.sram_mapped_bits()));
  c.expect(top.aux_bits() == kAccumulatorBits, "aux bits " + std::to_string(top.aux_bits()));
  top.attach_weights(true);  // completes elaboration: the bus map and the bindings are consistent
}

// Each bad member of the hardware specs is refused before anything is built, named from AccelSpecs.
void bad_specs_scenario(Checks& c) {
  golden::Engine e(small_network(), naive_batch_specs());
  const std::pair<const char*, std::function<void(AccelSpecs&)>> cases[] = {
      {"clock_mhz", [](AccelSpecs& a) { a.clock_mhz = 0.0; }},
      {"bus.latency_cycles", [](AccelSpecs& a) { a.bus.latency_cycles = 2'000'000; }},
      {"mac.lanes", [](AccelSpecs& a) { a.mac.lanes = 0; }},
      {"controller.quantum_cycles", [](AccelSpecs& a) { a.controller.quantum_cycles = 0; }},
      {"rank_reduce_impl",
       [](AccelSpecs& a) { a.rank_reduce_impl = static_cast<hw::RankReduceImplKind>(9); }},
  };
  int k = 0;
  for (const auto& [member, spoil] : cases) {
    AccelSpecs a = sram_specs_for(e, uint64_t{1} << 20);
    spoil(a);
    try {
      accel_top top(("accel_bad_" + std::to_string(k++)).c_str(), e, a);
      c.expect(false, std::string("accepted a bad ") + member);
    } catch (const SpecError& err) {
      c.expect(err.member() == member, std::string("expected ") + member + ", got " + err.member());
    }
  }
}

TEST(AccelTopElaborated, BadHardwareSpecsNameTheirMember) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(bad_specs_scenario, "bad specs: ok"), ::testing::ExitedWithCode(0), "bad specs: ok");
}

TEST(AccelTopElaborated, SramOverCapacityIsASpecErrorNamingMemberAndSizes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(over_capacity_scenario, "over capacity: ok"), ::testing::ExitedWithCode(0),
              "over capacity: ok");
}

TEST(AccelTopElaborated, SramExactlyFullElaborates) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_child(exact_fit_scenario, "exact fit: ok"), ::testing::ExitedWithCode(0), "exact fit: ok");
}

}  // namespace
}  // namespace lrt::tlm
