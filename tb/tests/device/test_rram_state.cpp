// RramArray checkpointing: an array restored from a mid-run state (directly, or through a
// checkpoint file) continues bit for bit like the array that never stopped; inconsistent
// states and damaged checkpoints are rejected naming the field or section.
//
// The workload mixes every operation that changes state — write-verify on multi-level cells
// (with a hot set of words that wears out), pokes, reads with read noise and power-law
// drift, read-effect changes, DMI read accounting, analog and digital drift with time-zero
// stuck cells — so a state member that state()/set_state() (or the checkpoint layout) missed
// changes the second half's trace or the final array. Guards assert that the workload
// really wears cells out and drifts in both halves.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/checkpoint.h"
#include "core/error.h"
#include "core/rng.h"
#include "device/rram_array.h"
#include "device/rram_checkpoint.h"

namespace lrt::device {
namespace {

constexpr uint64_t kOps = 8000;
constexpr uint64_t kMiddle = kOps / 2;
constexpr uint64_t kHotWords = 16;  // half the writes go here, so these cells wear out early
constexpr uint64_t kSeed = 77;

RramArraySpecs workload_specs() {
  RramArraySpecs s;
  s.cells = 3 * 200 + 1;  // 200 words of three cells (3 + 3 + 2 bits) and one unused cell
  s.weight_bits = 8;
  s.bits_per_cell = 3;
  s.levels_per_pulse = 2;
  s.endurance.distribution = EnduranceDistribution::kLognormal;
  s.endurance.writes = 12;
  s.endurance.spread = 0.3;
  s.stuck_at_fault_rate = 0.03;
  s.stuck_at_high_fraction = 0.5;
  s.drift.interval_samples = 5;
  s.drift.horizon_samples = 2'000'000;  // H/d = 4e5: analog sd 10/sqrt(4e5) = 2 LSB per event
  s.drift.analog_sigma0 = 10.0;
  s.drift.flip_p0 = 400.0;  // p = 1e-3 per bit per event: 1.6 flips per event on 1600 bits
  s.read_effects.noise_sigma_levels = 0.4;
  s.read_effects.power_law_nu = 0.2;
  s.read_effects.power_law_t0_samples = 2.0;
  return s;
}

using Trace = std::vector<int64_t>;

void record(Trace& t, const RramEnergy& e) {
  t.push_back(static_cast<int64_t>(e.read));
  t.push_back(static_cast<int64_t>(e.compare_read));
  t.push_back(static_cast<int64_t>(e.write));
}

// Applies operations [from, to) of the workload and returns everything they reported.
// Operation i depends only on i, never on the array, so both arrays see the same requests.
Trace run_ops(RramArray& a, uint64_t from, uint64_t to) {
  const CounterRng ops(kSeed, 1);
  const auto span = static_cast<uint32_t>(a.mapping().max_code() - a.mapping().min_code() + 1);
  Trace t;
  for (uint64_t i = from; i < to; ++i) {
    const auto b = ops.block(i);
    const uint32_t kind = b[0] % 32;
    const uint64_t addr = (b[3] & 1) != 0 ? b[1] % kHotWords : b[1] % a.words();
    const int32_t code = a.mapping().min_code() + static_cast<int32_t>(b[2] % span);
    t.push_back(kind);
    if (kind < 18) {
      const WordWriteResult r = a.write_word(addr, code);
      t.insert(t.end(), {r.stored_code, r.cells_programmed, r.cells_failed, r.pulses, r.verify_reads,
                         static_cast<int64_t>(r.latency_cycles)});
      record(t, r.energy);
    } else if (kind < 24 || (kind == 30 && (b[3] >> 1) % 8 != 0)) {
      const WordReadResult r = a.read_word(addr);
      t.insert(t.end(), {r.code, static_cast<int64_t>(r.latency_cycles)});
      record(t, r.energy);
    } else if (kind == 24) {
      t.push_back(a.poke_word(addr, code));
    } else if (kind < 29) {
      std::vector<uint64_t> changed;
      t.push_back(static_cast<int64_t>(a.advance_samples(1 + b[1] % 7, &changed)));
      t.insert(t.end(), changed.begin(), changed.end());
    } else if (kind == 29) {
      record(t, a.account_reads(b[1] % 5));
    } else if (kind == 30) {  // rare, so that reads between changes see each setting
      RramReadEffects e;
      e.noise_sigma_levels = 0.2 * (b[1] % 4);
      e.power_law_nu = 0.15 * (b[2] % 3);
      e.power_law_t0_samples = 1.0 + b[3] % 4;
      a.set_read_effects(e);
    } else {
      t.push_back(a.peek_word(addr));
    }
  }
  return t;
}

// Reads every word through the read effects: right after a restore this checks the read
// path (noise, power-law ages, effect settings) before any operation changes it.
Trace read_all(RramArray& a) {
  Trace t;
  for (uint64_t w = 0; w < a.words(); ++w) t.push_back(a.read_word(w).code);
  return t;
}

void expect_same_stats(const RramStats& x, const RramStats& y) {
  // Compared member by member; a new member must be added here.
  static_assert(sizeof(RramStats) == 15 * sizeof(uint64_t), "RramStats changed: compare the new member");
  EXPECT_EQ(x.word_reads, y.word_reads);
  EXPECT_EQ(x.word_write_requests, y.word_write_requests);
  EXPECT_EQ(x.word_writes, y.word_writes);
  EXPECT_EQ(x.word_write_failures, y.word_write_failures);
  EXPECT_EQ(x.compare_reads, y.compare_reads);
  EXPECT_EQ(x.cell_programs, y.cell_programs);
  EXPECT_EQ(x.cell_program_failures, y.cell_program_failures);
  EXPECT_EQ(x.program_pulses, y.program_pulses);
  EXPECT_EQ(x.cells_worn_out, y.cells_worn_out);
  EXPECT_EQ(x.read_cycles, y.read_cycles);
  EXPECT_EQ(x.write_cycles, y.write_cycles);
  EXPECT_EQ(x.drift_events, y.drift_events);
  EXPECT_EQ(x.analog_drift_word_changes, y.analog_drift_word_changes);
  EXPECT_EQ(x.bit_flips, y.bit_flips);
  EXPECT_EQ(x.reset_pulses, y.reset_pulses);
}

// Everything observable: every word, every cell, the counters, the energy, the clock, the
// read effects.
void expect_same_array(const RramArray& x, const RramArray& y) {
  ASSERT_EQ(x.words(), y.words());
  uint64_t differing_words = 0;
  for (uint64_t w = 0; w < x.words(); ++w) {
    const bool same = x.peek_word(w) == y.peek_word(w) && x.word_writes(w) == y.word_writes(w);
    if (!same && differing_words++ == 0) ADD_FAILURE() << "first differing word: " << w;
  }
  EXPECT_EQ(differing_words, 0u);
  uint64_t differing_cells = 0;
  for (uint64_t c = 0; c < x.cells_used(); ++c) {
    const CellState p = x.cell(c);
    const CellState q = y.cell(c);
    const bool same = p.level == q.level && p.writes == q.writes && p.lifetime == q.lifetime &&
                      p.stuck_at_fault == q.stuck_at_fault && p.worn_out == q.worn_out &&
                      p.program_sample == q.program_sample;
    if (!same && differing_cells++ == 0) ADD_FAILURE() << "first differing cell: " << c;
  }
  EXPECT_EQ(differing_cells, 0u);
  expect_same_stats(x.stats(), y.stats());
  EXPECT_EQ(x.energy(), y.energy());
  EXPECT_EQ(x.samples(), y.samples());
  EXPECT_EQ(x.read_effects().noise_sigma_levels, y.read_effects().noise_sigma_levels);
  EXPECT_EQ(x.read_effects().power_law_nu, y.read_effects().power_law_nu);
  EXPECT_EQ(x.read_effects().power_law_t0_samples, y.read_effects().power_law_t0_samples);
}

void expect_same_state(const RramArrayState& x, const RramArrayState& y) {
  EXPECT_EQ(x.patterns, y.patterns);
  EXPECT_EQ(x.word_writes, y.word_writes);
  EXPECT_EQ(x.cell_writes, y.cell_writes);
  EXPECT_EQ(x.worn_out, y.worn_out);
  EXPECT_EQ(x.program_sample, y.program_sample);
  EXPECT_EQ(x.samples, y.samples);
  expect_same_stats(x.stats, y.stats);
  EXPECT_EQ(x.read_effects.noise_sigma_levels, y.read_effects.noise_sigma_levels);
  EXPECT_EQ(x.read_effects.power_law_nu, y.read_effects.power_law_nu);
  EXPECT_EQ(x.read_effects.power_law_t0_samples, y.read_effects.power_law_t0_samples);
}

// The workload must exercise what it claims to, in both halves, or a missing state member
// could go unnoticed.
void expect_workload_covers_everything(const RramStats& middle, const RramStats& end,
                                       uint64_t stuck_at_zero) {
  EXPECT_GT(stuck_at_zero, 0u);
  EXPECT_GT(middle.cells_worn_out, 0u);
  EXPECT_GT(end.cells_worn_out, middle.cells_worn_out);
  EXPECT_GT(middle.analog_drift_word_changes, 0u);
  EXPECT_GT(end.analog_drift_word_changes, middle.analog_drift_word_changes);
  EXPECT_GT(middle.bit_flips, 0u);
  EXPECT_GT(end.bit_flips, middle.bit_flips);
  EXPECT_GT(end.cell_program_failures, middle.cell_program_failures);
}

uint64_t stuck_at_fault_cells(const RramArray& a) {
  uint64_t n = 0;
  for (uint64_t c = 0; c < a.cells_used(); ++c) n += a.cell(c).stuck_at_fault ? 1 : 0;
  return n;
}

TEST(RramState, RestoredArrayReplaysTheSecondHalfBitExactly) {
  for (const FlipModel model : {FlipModel::kBinomial2, FlipModel::kBernoulli}) {
    SCOPED_TRACE(to_string(model));
    RramArraySpecs specs = workload_specs();
    specs.drift.flip_model = model;
    RramArray whole(specs, kSeed, 3);
    run_ops(whole, 0, kMiddle);
    const RramArrayState snapshot = whole.state();
    const RramStats middle = whole.stats();
    const Trace expected_reads = read_all(whole);
    const Trace expected = run_ops(whole, kMiddle, kOps);
    expect_workload_covers_everything(middle, whole.stats(), stuck_at_fault_cells(whole));

    RramArray resumed(specs, kSeed, 3);
    resumed.set_state(snapshot);
    expect_same_state(resumed.state(), snapshot);
    EXPECT_EQ(read_all(resumed), expected_reads);
    const Trace replayed = run_ops(resumed, kMiddle, kOps);
    EXPECT_EQ(replayed, expected);
    expect_same_array(resumed, whole);
    expect_same_state(resumed.state(), whole.state());

    // Control: without the restored state the reads and the second half go differently, so the
    // equalities above are evidence, not a property of the workload.
    RramArray fresh(specs, kSeed, 3);
    EXPECT_NE(read_all(fresh), expected_reads);
    EXPECT_NE(run_ops(fresh, kMiddle, kOps), expected);
  }
}

// Rebuilds a checkpoint image without section `skip` and with `replace` (if named) holding
// `payload`; every other section is copied.
std::vector<uint8_t> rebuilt(const Checkpoint& ck, const std::string& skip, const std::string& replace = "",
                             const std::vector<uint8_t>& payload = {}) {
  CheckpointWriter w(ck.config_hash());
  for (const std::string& name : ck.section_names()) {
    if (name == skip) continue;
    w.add_bytes(name, name == replace ? payload : ck.bytes(name));
  }
  return w.serialize();
}

TEST(RramState, CheckpointFileRoundTripReplaysBitExactly) {
  const RramArraySpecs specs = workload_specs();
  const std::string path = ::testing::TempDir() + "lrtsim_rram_state.ckpt";
  RramArray layer0(specs, kSeed, 0);
  RramArray layer1(specs, kSeed, 1);
  run_ops(layer0, 0, kMiddle);
  run_ops(layer1, 0, kMiddle);
  CheckpointWriter w(0xC0FFEE);
  save_rram_state(w, "layer.0.rram", layer0);
  save_rram_state(w, "layer.1.rram", layer1);
  w.write(path);
  const RramStats middle = layer0.stats();
  const Trace expected_reads0 = read_all(layer0);
  const Trace expected_reads1 = read_all(layer1);
  const Trace expected0 = run_ops(layer0, kMiddle, kOps);
  const Trace expected1 = run_ops(layer1, kMiddle, kOps);
  expect_workload_covers_everything(middle, layer0.stats(), stuck_at_fault_cells(layer0));

  const Checkpoint ck = Checkpoint::read(path);
  // The documented layout, and nothing else.
  std::vector<std::string> expected_sections;
  for (const char* p : {"layer.0.rram.", "layer.1.rram."})
    for (const char* s : {"cell_writes", "identity", "patterns", "program_sample", "read_effects", "samples",
                          "stats", "version", "word_writes", "worn_out"})
      expected_sections.push_back(std::string(p) + s);
  EXPECT_EQ(ck.section_names(), expected_sections);

  RramArray resumed0(specs, kSeed, 0);
  RramArray resumed1(specs, kSeed, 1);
  load_rram_state(ck, "layer.0.rram", resumed0);
  load_rram_state(ck, "layer.1.rram", resumed1);
  // Saving the restored arrays again gives the same bytes.
  CheckpointWriter again(0xC0FFEE);
  save_rram_state(again, "layer.0.rram", resumed0);
  save_rram_state(again, "layer.1.rram", resumed1);
  EXPECT_EQ(again.serialize(), rebuilt(ck, ""));

  EXPECT_EQ(read_all(resumed0), expected_reads0);
  EXPECT_EQ(read_all(resumed1), expected_reads1);
  EXPECT_EQ(run_ops(resumed0, kMiddle, kOps), expected0);
  EXPECT_EQ(run_ops(resumed1, kMiddle, kOps), expected1);
  expect_same_array(resumed0, layer0);
  expect_same_array(resumed1, layer1);
}

// A mid-run state with worn-out cells, of an array with time-zero faults.
struct MidRun {
  RramArray array{workload_specs(), kSeed, 0};
  RramArrayState state;
  MidRun() {
    run_ops(array, 0, kMiddle);
    state = array.state();
  }
  uint64_t first_cell(bool (*pred)(const CellState&)) const {
    for (uint64_t c = 0; c < array.cells_used(); ++c)
      if (pred(array.cell(c))) return c;
    ADD_FAILURE() << "no such cell in the workload";
    return 0;
  }
};

// The field named by the RramStateError that set_state throws, or "" if none is thrown.
// A rejected state must leave the array as it was.
std::string rejected_field(RramArray& a, const RramArrayState& bad) {
  const RramArrayState before = a.state();
  std::string field;
  try {
    a.set_state(bad);
  } catch (const RramStateError& e) {
    field = e.field();
    EXPECT_NE(std::string(e.what()).find("RramArrayState." + field + ": "), std::string::npos) << e.what();
  }
  expect_same_state(a.state(), before);
  return field;
}

TEST(RramState, SetStateRejectsWrongSizesNamingTheField) {
  MidRun m;
  RramArrayState bad = m.state;
  bad.patterns.pop_back();
  EXPECT_EQ(rejected_field(m.array, bad), "patterns");
  bad = m.state;
  bad.word_writes.push_back(0);
  EXPECT_EQ(rejected_field(m.array, bad), "word_writes");
  bad = m.state;
  bad.cell_writes.pop_back();
  EXPECT_EQ(rejected_field(m.array, bad), "cell_writes");
  bad = m.state;
  bad.worn_out.clear();
  EXPECT_EQ(rejected_field(m.array, bad), "worn_out");
  bad = m.state;
  bad.program_sample.push_back(0);  // the unused 601st cell holds no state
  EXPECT_EQ(rejected_field(m.array, bad), "program_sample");
  // The unchanged state is accepted (the rejections above are not a blanket refusal).
  EXPECT_EQ(rejected_field(m.array, m.state), "");
}

TEST(RramState, SetStateRejectsStatesThatContradictTheTimeZeroFaults) {
  MidRun m;
  const uint64_t c = m.first_cell([](const CellState& s) { return s.stuck_at_fault; });
  const uint64_t w = c / m.array.mapping().cells_per_word();
  const auto j = static_cast<uint32_t>(c % m.array.mapping().cells_per_word());
  const CellMapping& map = m.array.mapping();

  RramArrayState bad = m.state;  // another level in the stuck cell
  bad.patterns[w] =
      static_cast<uint16_t>(map.with_level(bad.patterns[w], j, map.level(bad.patterns[w], j) ^ 1u));
  EXPECT_EQ(rejected_field(m.array, bad), "patterns");
  bad = m.state;  // a stuck cell cannot have been programmed
  ++bad.cell_writes[c];
  EXPECT_EQ(rejected_field(m.array, bad), "cell_writes");
  bad = m.state;  // nor be worn out
  bad.worn_out[c] = 1;
  EXPECT_EQ(rejected_field(m.array, bad), "worn_out");
  // The same state loaded into another instance (other faults) is rejected too.
  RramArray other(workload_specs(), kSeed, 1);
  EXPECT_NE(rejected_field(other, m.state), "");
}

TEST(RramState, SetStateRejectsInconsistentWearAndCounters) {
  MidRun m;
  const uint64_t young = m.first_cell(
      [](const CellState& s) { return !s.stuck_at_fault && !s.worn_out && s.writes < s.lifetime; });
  RramArrayState bad = m.state;  // worn out before its lifetime is used up
  bad.worn_out[young] = 1;
  ++bad.stats.cells_worn_out;
  ++bad.stats.cell_program_failures;
  EXPECT_EQ(rejected_field(m.array, bad), "worn_out");

  ASSERT_GT(m.state.stats.cells_worn_out, 0u);
  bad = m.state;  // count of worn-out cells differs from the cells marked worn out
  --bad.stats.cells_worn_out;
  EXPECT_EQ(rejected_field(m.array, bad), "stats.cells_worn_out");
  bad = m.state;  // more writes than the cell's lifetime
  bad.cell_writes[young] = m.array.cell(young).lifetime + 1;
  EXPECT_EQ(rejected_field(m.array, bad), "cell_writes");
  bad = m.state;  // cell counters and their total disagree
  ++bad.stats.cell_programs;
  EXPECT_EQ(rejected_field(m.array, bad), "stats.cell_programs");
  bad = m.state;  // the drift clock and the drift events disagree
  bad.samples += m.array.specs().drift.interval_samples;
  EXPECT_EQ(rejected_field(m.array, bad), "stats.drift_events");
  bad = m.state;
  bad.read_effects.power_law_nu = 11.0;  // outside [0, 10]
  EXPECT_EQ(rejected_field(m.array, bad), "read_effects.power_law_nu");
}

// The InputError load_rram_state throws for a checkpoint image, or a failure if none.
InputError load_error(const std::vector<uint8_t>& image, const std::string& path, RramArray& a) {
  try {
    load_rram_state(Checkpoint::parse(image, path), "layer.0.rram", a);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return InputError({}, "");
}

TEST(RramState, LoadRejectsMissingSectionsWrongVersionsAndBadStatesNamingTheSection) {
  MidRun m;
  const std::string path = ::testing::TempDir() + "lrtsim_rram_state_bad.ckpt";
  CheckpointWriter w(1);
  save_rram_state(w, "layer.0.rram", m.array);
  const Checkpoint ck = Checkpoint::parse(w.serialize(), path);
  RramArray target(workload_specs(), kSeed, 0);
  const RramArrayState untouched = target.state();

  InputError e = load_error(rebuilt(ck, "layer.0.rram.cell_writes"), path, target);
  EXPECT_EQ(e.where().file, path);
  EXPECT_EQ(e.where().key, "layer.0.rram.cell_writes");

  e = load_error(rebuilt(ck, "", "layer.0.rram.version", {3, 0, 0, 0}), path, target);
  EXPECT_EQ(e.where().file, path);
  EXPECT_EQ(e.where().key, "layer.0.rram.version");
  EXPECT_NE(e.problem().find("version 3"), std::string::npos) << e.what();

  e = load_error(rebuilt(ck, "", "layer.0.rram.patterns", {1, 2, 3}), path, target);  // 1.5 patterns
  EXPECT_EQ(e.where().key, "layer.0.rram.patterns");

  // A cell worn out in the checkpoint but not in its count: set_state's field becomes the section.
  std::vector<uint64_t> stats = ck.array<uint64_t>("layer.0.rram.stats");
  ASSERT_GT(stats[8], 0u);  // cells_worn_out, the 9th member
  --stats[8];
  std::vector<uint8_t> stats_bytes(stats.size() * sizeof(uint64_t));
  std::memcpy(stats_bytes.data(), stats.data(), stats_bytes.size());
  e = load_error(rebuilt(ck, "", "layer.0.rram.stats", stats_bytes), path, target);
  EXPECT_EQ(e.where().key, "layer.0.rram.stats");
  EXPECT_NE(e.problem().find("cells_worn_out"), std::string::npos) << e.what();

  RramArray other_instance(workload_specs(), kSeed, 1);
  e = load_error(rebuilt(ck, ""), path, other_instance);
  EXPECT_EQ(e.where().key, "layer.0.rram.identity");

  expect_same_state(target.state(), untouched);
  load_rram_state(ck, "layer.0.rram", target);  // the intact image loads
  expect_same_state(target.state(), m.state);
}

}  // namespace
}  // namespace lrt::device
