// lrtsim run --engine tlm end to end on the generated data set: the golden and the TLM engine
// train to the same results with device effects off and on; the TLM engine's energy closes
// exactly and matches hand-derived counts; --vcd traces the phases on the simulated time
// axis; a TLM run resumes to identical results; what the TLM engine cannot model exits 2.
// Every TLM run is a child process: SystemC elaborates one design per process.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "device/sram_macro.h"
#include "run_fixture.h"

namespace lrt::cli {
namespace {

using namespace run_testing;
using nlohmann::json;
using testing::run_lrtsim_process;

constexpr int kSamples = 300;

// Device effects strong enough to act within 300 samples of the tiny network: every cell
// survives 12 programming events, 2 % are stuck from time zero, analog and digital drift
// every 5 samples, read noise and conductance decay on every read.
const std::vector<std::string> kDeviceOn = {
    "--set", "accel.rram.endurance_writes=12",        "--set", "accel.rram.endurance_distribution=fixed",
    "--set", "accel.rram.stuck_at_fault_rate=0.02",   "--set", "accel.rram.drift.model=both",
    "--set", "accel.rram.drift.interval_samples=5",   "--set", "accel.rram.drift.horizon_samples=3000",
    "--set", "accel.rram.read_noise_sigma_levels=0.2", "--set", "accel.rram.power_law_nu=0.01"};

class CmdRunTlm : public PretrainedSuite<CmdRunTlm> {
 public:
  static constexpr const char* kName = "tlm";

 protected:
  // One run of `engine` into out(name) (golden in-process, tlm as a child), its summary.
  static json run_engine(const std::string& engine, const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run", s().config, "--out", out(name), "--force", "--samples",
                                  std::to_string(kSamples), "--engine", engine};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult r = engine == "tlm" ? run_lrtsim_process(args) : run(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(read_file(out(name) + "/summary.json"));
  }
};

// What both engines know must be equal to the bit: accuracy, writes, weights, device state.
void expect_same_training(const json& golden, const json& tlm) {
  for (const char* key : {"samples", "accuracy", "writes", "weights_digest", "memory", "lifetime", "device"})
    EXPECT_EQ(golden[key], tlm[key]) << key;
}

// trace.csv: the TLM engine's rows are the golden engine's rows, byte for byte, followed by its
// cumulative energy and cycle columns (docs/run.md, "trace.csv"); cell_writes.json is equal.
void expect_same_trace(const std::string& golden_dir, const std::string& tlm_dir) {
  std::stringstream g(read_file(golden_dir + "/trace.csv")), t(read_file(tlm_dir + "/trace.csv"));
  std::string gl, tl;
  int lines = 0;
  while (std::getline(g, gl)) {
    ASSERT_TRUE(std::getline(t, tl)) << "the TLM trace is shorter, line " << lines + 1;
    EXPECT_EQ(tl.substr(0, gl.size() + 1), gl + ",") << "line " << lines + 1;
    EXPECT_TRUE(lines > 0 || contains(tl.substr(gl.size()), ",energy_pj_total,cycles")) << tl;
    ++lines;
  }
  EXPECT_FALSE(std::getline(t, tl)) << "the TLM trace is longer";
  EXPECT_GT(lines, 1);
  EXPECT_EQ(read_file(golden_dir + "/cell_writes.json"), read_file(tlm_dir + "/cell_writes.json"));
}

TEST_F(CmdRunTlm, EnginesAgreeWithDeviceEffectsOffAndOn) {
  const json g_off = run_engine("golden", "agree_golden_off");
  const json t_off = run_engine("tlm", "agree_tlm_off");
  expect_same_training(g_off, t_off);
  expect_same_trace(out("agree_golden_off"), out("agree_tlm_off"));
  EXPECT_EQ(g_off["engine"], "golden");
  EXPECT_EQ(t_off["engine"], "tlm");
  EXPECT_FALSE(g_off.contains("energy_pj"));  // only the TLM engine knows cycles and energy
  EXPECT_TRUE(t_off.contains("energy_pj"));

  const json g_on = run_engine("golden", "agree_golden_on", kDeviceOn);
  const json t_on = run_engine("tlm", "agree_tlm_on", kDeviceOn);
  expect_same_training(g_on, t_on);
  expect_same_trace(out("agree_golden_on"), out("agree_tlm_on"));
  // The effects really acted (else the second comparison would repeat the first).
  EXPECT_NE(g_on["weights_digest"], g_off["weights_digest"]);
  EXPECT_GT(g_on["lifetime"]["cells_worn_out"].get<uint64_t>(), 0u);
  EXPECT_GT(g_on["device"]["stuck_cells"].get<uint64_t>(), 0u);
  EXPECT_GT(g_on["device"]["cell_program_failures"].get<uint64_t>(), 0u);
  EXPECT_EQ(g_on["device"]["drift_events"].get<uint64_t>(), 2u * (kSamples / 5));  // two arrays
  EXPECT_GT(g_on["device"]["bit_flips"].get<uint64_t>(), 0u);
  EXPECT_EQ(g_off["device"]["drift_events"].get<uint64_t>(), 0u);
  // Lifetime: measured once a cell has worn out (within the run), else projected beyond it.
  EXPECT_EQ(g_on["lifetime"]["first_worn_cell"], "measured");
  EXPECT_LE(g_on["lifetime"]["samples_to_first_worn_cell"].get<double>(), kSamples);
  EXPECT_EQ(g_off["lifetime"]["first_worn_cell"], "projected");
  EXPECT_GT(g_off["lifetime"]["samples_to_first_worn_cell"].get<double>(), kSamples);
}

// --jobs spreads the GEMMs over threads: every result file is byte-identical for any N, on
// both engines (host.json, the host's time, is the only file that may differ).
TEST_F(CmdRunTlm, ResultsAreIdenticalForEveryJobsValue) {
  ASSERT_EQ(run({"pretrain", s().config, "--out", out("jobs1.ckpt"), "--force", "--jobs", "1"}).code, 0);
  ASSERT_EQ(run({"pretrain", s().config, "--out", out("jobs3.ckpt"), "--force", "--jobs", "3"}).code, 0);
  EXPECT_EQ(read_file(out("jobs1.ckpt")), read_file(out("jobs3.ckpt")));
  // With more than one thread the layers' weight updates (LRT pairs on the units, RRAM writes
  // through the stores) run side by side; with device effects the stores also wear, fail and
  // drift. Neither may change a bit.
  for (const bool device : {false, true})
    for (const char* engine : {"golden", "tlm"}) {
      const std::string e = std::string(engine) + (device ? "_device" : "");
      const auto args = [&](const char* jobs) {
        std::vector<std::string> a{"--jobs", jobs};
        if (device) a.insert(a.end(), kDeviceOn.begin(), kDeviceOn.end());
        return a;
      };
      run_engine(engine, "jobs_" + e + "_1", args("1"));
      for (const char* jobs : {"2", "3"}) {
        const std::string dir = "jobs_" + e + "_" + jobs;
        run_engine(engine, dir, args(jobs));
        for (const char* file : {"summary.json", "trace.csv", "cell_writes.json", "config.yaml"})
          EXPECT_EQ(read_file(out(dir + "/" + file)), read_file(out("jobs_" + e + "_1/" + file)))
              << e << " " << jobs << " " << file;
      }
    }
}

TEST_F(CmdRunTlm, EnergyClosesAndMatchesHandCountedWork) {
  const json t = run_engine("tlm", "energy");
  const json& e = t["energy_0p1fj"];
  uint64_t by_component = 0, by_phase = 0, cycles = 0;
  for (const auto& [k, v] : e["by_component"].items()) by_component += v.get<uint64_t>();
  for (const auto& [k, v] : e["by_phase"].items()) by_phase += v.get<uint64_t>();
  for (const auto& [k, v] : t["cycles_by_phase"].items()) cycles += v.get<uint64_t>();
  EXPECT_EQ(by_component, e["total"].get<uint64_t>());
  EXPECT_EQ(by_phase, e["total"].get<uint64_t>());
  EXPECT_EQ(e["by_component"].size(), 7u);
  EXPECT_EQ(e["by_phase"].size(), 5u);
  EXPECT_EQ(cycles, t["cycles"].get<uint64_t>());
  EXPECT_DOUBLE_EQ(t["seconds"].get<double>(), static_cast<double>(cycles) / 100e6);  // accel.clock_mhz 100
  EXPECT_EQ(e["by_phase"]["drift"], 0u);  // drift costs no energy
  uint64_t by_layer = 0;
  for (const auto& [k, v] : e["by_layer"].items()) by_layer += v.get<uint64_t>();
  EXPECT_EQ(by_layer, e["total"].get<uint64_t>());
  EXPECT_EQ(e["by_layer"]["none"], e["by_component"]["sram_leakage"]);
  // Concurrency: the shared unit folds pairs while the backward pass still runs (a layer's
  // learning process starts when its backward op returns), so its busy cycles, all spent one
  // after another, exceed the LRT phase (from the backward pass's end to the last pair's).
  EXPECT_GT(t["rank_reduce_units"]["busy_cycles"].get<uint64_t>(), t["cycles_by_phase"]["lrt"].get<uint64_t>());
  // SRAM leakage: capacity x the OpenRAM table's pW/bit at that capacity (the default
  // leakage_model) x the simulated seconds, in 0.1 fJ units (1 pW s = 1e4 units), rounded once
  // per phase with time and sample: within 4 x kSamples units.
  const auto capacity = t["sram"]["capacity_bits"].get<uint64_t>();
  const double leak = static_cast<double>(capacity) * device::sram_leakage_pw_per_bit(capacity) *
                      t["seconds"].get<double>() * 1e4;
  EXPECT_GT(e["by_component"]["sram_leakage"].get<uint64_t>(), 0u);
  EXPECT_NEAR(static_cast<double>(e["by_component"]["sram_leakage"].get<uint64_t>()), leak, 4.0 * kSamples);

  // The tiny network: conv3x3 4 on 12x12 (100 pairs, k = 9: 36 weights), BN on 5x5x4, fc
  // 100 -> 4 (400 weights); LRT with B = 10 and r = 4 in both; 8-bit weights and operands.
  // RRAM reads: the conv weights once a sample (no layer below it learns, so no input
  // gradient), the fc weights twice (forward and backward); 1.76 pJ per bit = 17600 units.
  EXPECT_EQ(e["by_component"]["rram_read"].get<uint64_t>(), uint64_t{kSamples} * (36 + 2 * 400) * 8 * 17600);
  // MAC energy: full adders x 31.25 units (3.125 fJ): 8 x 8 b into 32 b = 96 FA = 3000;
  // 16 x 16 b into 32 b = 288 FA = 9000; the bias adds 1 x 8 b into 32 b = 40 FA = 1250.
  const uint64_t per_sample = (100 * 4 * 9 + 400) * 3000  // forward conv + fc
                              + 100 * 9000                // BN scale and shift
                              + 400 * 3000                // fc input gradient
                              + 2 * 100 * 9000            // BN backward
                              + (100 * 4 + 4) * 1250;     // bias updates
  const uint64_t attempts = kSamples / 10;                // per layer
  // L R^T: n_o k r MACs of 16 x 16 b codes into 16 + 16 - 1 + log2(4) = 33 b: 289 FA = 9031.25,
  // 9031 units per MAC (the energy unit rounds the per-MAC price).
  const uint64_t update = attempts * (4 * 9 * 4 + 4 * 100 * 4) * 9031;
  EXPECT_EQ(e["by_component"]["mac"].get<uint64_t>(), kSamples * per_sample + update);
  for (const char* c : {"rram_write", "sram_read", "sram_write", "rank_reduce"})
    EXPECT_GT(e["by_component"][c].get<uint64_t>(), 0u) << c;
  // The whole training state in SRAM as the RTL unit stores it (docs/rtl.md memory map, 64-bit
  // words), per layer: the basis, q columns of ceil(n/4) words (four codes each), the 3q + 1
  // metadata words, and the pair (int16); plus one Gram-Schmidt scratch (ceil(n_o/2) +
  // ceil(k/2) words, two values each) for the shared unit, the larger layer's.
  const uint64_t q = 5;
  const auto lrt_bits = [&](uint64_t n_o, uint64_t k) {
    return 64 * (q * ((n_o + 3) / 4 + (k + 3) / 4) + 3 * q + 1) + (n_o + k) * 16;
  };
  const uint64_t scratch = 64 * (2 + 50);  // fc 4 x 100 > conv 4 x 9
  EXPECT_EQ(t["memory"]["aux_bits"].get<uint64_t>(), lrt_bits(4, 9) + lrt_bits(4, 100) + scratch);
  EXPECT_EQ(t["memory"]["rram_bits"].get<uint64_t>(), (36u + 400u) * 8u);
  // The buffer as built (the default area_model): its capacity at OpenRAM's area per bit, and
  // the auxiliary bits' share of it at the same per-bit area.
  const double per_bit = device::sram_area_um2_per_bit(capacity);
  EXPECT_DOUBLE_EQ(t["memory"]["sram_area_um2"].get<double>(), static_cast<double>(capacity) * per_bit);
  EXPECT_DOUBLE_EQ(t["memory"]["aux_macro_area_um2"].get<double>(),
                   t["memory"]["aux_bits"].get<double>() * per_bit);
  EXPECT_DOUBLE_EQ(t["memory"]["aux_area_um2"].get<double>(), t["memory"]["aux_bits"].get<double>() * 0.242);
  // Saturation counters: every conv/fc output of every forward is counted once (100 x 4 + 4).
  EXPECT_EQ(t["saturation"]["z_total"].get<uint64_t>(), uint64_t{kSamples} * (100 * 4 + 4));
  EXPECT_LE(t["saturation"]["z_clipped"].get<uint64_t>(), t["saturation"]["z_total"].get<uint64_t>());
}

// The VCD: the phase signal over simulated time, ending at the run's simulated seconds.
TEST_F(CmdRunTlm, VcdTracesThePhasesOnTheSimulatedTimeAxis) {
  const std::string vcd = out("trace.vcd");
  std::filesystem::remove(vcd);
  const json t = run_engine("tlm", "vcd", {"--vcd", vcd});
  std::ifstream in(vcd);
  ASSERT_TRUE(in) << vcd;
  std::string line, phase_id;
  std::set<uint64_t> phases;
  uint64_t last_time = 0, times = 0, last_phase_change = 0;
  bool increasing = true;
  std::string timescale;
  bool in_timescale = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string first;
    ls >> first;
    if (first == "$timescale") {
      in_timescale = true;
    } else if (in_timescale && !first.empty()) {
      std::string unit;
      ls >> unit;
      timescale = first + " " + unit;
      in_timescale = false;
    }
    if (first == "$var") {
      std::string type, width, id, name;
      ls >> type >> width >> id >> name;
      if (name == "phase") phase_id = id;
    } else if (!first.empty() && first[0] == '#') {
      const uint64_t now = std::stoull(first.substr(1));
      increasing &= times == 0 || now > last_time;
      last_time = now;
      ++times;
    } else if (!first.empty() && first[0] == 'b') {
      std::string id;
      ls >> id;
      if (id == phase_id) {
        phases.insert(std::stoull(first.substr(1), nullptr, 2));
        last_phase_change = last_time;
      }
    }
  }
  EXPECT_FALSE(phase_id.empty());
  EXPECT_TRUE(increasing);
  EXPECT_GE(times, static_cast<uint64_t>(kSamples));
  // forward, backward, lrt, update and, after the last sample, idle (5) appear; drift costs
  // no time here, and idle none between samples.
  EXPECT_EQ(phases, (std::set<uint64_t>{0, 1, 2, 3, 5}));
  ASSERT_EQ(timescale, "1 ps");
  // The last phase change (back to idle) is at the end of the run: cycles x 10 ns.
  EXPECT_EQ(last_phase_change, t["cycles"].get<uint64_t>() * 10000);
}

// What a hardware engineer reads in the trace (issue 21 item 6): per module a busy/idle wire (the
// MAC array, the SRAM, the rank-reduce unit, each layer's RRAM array), the controller's layer,
// learning processes and accumulated energy, the bus's transaction count; every one of them
// changes during the run (not just declared), the wires go high and low, the energy only grows.
TEST_F(CmdRunTlm, VcdShowsEveryModulesActivityLayerTransactionsAndEnergy) {
  const std::string vcd = out("modules.vcd");
  std::filesystem::remove(vcd);
  run_engine("tlm", "vcd_modules", {"--vcd", vcd});
  std::ifstream in(vcd);
  ASSERT_TRUE(in) << vcd;
  std::vector<std::string> scope;
  std::map<std::string, std::string> name_of;         // VCD id -> scope.name
  std::map<std::string, std::set<std::string>> seen;  // scope.name -> values taken
  std::map<std::string, std::vector<double>> reals;
  bool in_dump = false;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string first;
    ls >> first;
    if (first == "$scope") {
      std::string kind, name;
      ls >> kind >> name;
      scope.push_back(name);
    } else if (first == "$upscope") {
      scope.pop_back();
    } else if (first == "$var") {
      std::string type, width, id, name;
      ls >> type >> width >> id >> name;
      std::string full;
      for (size_t i = 1; i < scope.size(); ++i) full += scope[i] + ".";  // below the top scope
      name_of[id] = full + name;
    } else if (first == "$enddefinitions") {
      in_dump = true;
    } else if (in_dump && !first.empty() && (first[0] == '0' || first[0] == '1') && first.size() > 1) {
      seen[name_of[first.substr(1)]].insert(first.substr(0, 1));
    } else if (in_dump && !first.empty() && (first[0] == 'b' || first[0] == 'r')) {
      std::string id;
      ls >> id;
      seen[name_of[id]].insert(first.substr(1));
      if (first[0] == 'r') reals[name_of[id]].push_back(std::stod(first.substr(1)));
    }
  }
  std::vector<std::string> wires = {"mac.busy", "sram.busy", "rank_reduce.busy"};
  for (const auto& [id, name] : name_of)
    if (name.rfind("rram_", 0) == 0) wires.push_back(name);
  EXPECT_GE(wires.size(), 4u) << "every trainable layer's RRAM array has its wire";
  for (const std::string& w : wires) EXPECT_EQ(seen[w], (std::set<std::string>{"0", "1"})) << w;
  for (const char* v : {"controller.layer", "controller.learning", "bus.transactions"})
    EXPECT_GE(seen[v].size(), 3u) << v << " barely changes";
  const std::vector<double>& energy = reals["controller.energy_uj"];
  ASSERT_GE(energy.size(), 3u);
  EXPECT_TRUE(std::is_sorted(energy.begin(), energy.end()));
  EXPECT_GT(energy.back(), energy.front());
}

// The global quantum (accel.quantum_cycles) sets how far a process runs ahead before it
// synchronizes; loosely-timed targets annotate, so the simulated time and every result are the
// same for a quantum of one cycle, the default 1,000 and 100,000 (device effects on).
TEST_F(CmdRunTlm, TheQuantumChangesNoResult) {
  const json base = run_engine("tlm", "quantum_default", kDeviceOn);
  for (const char* q : {"1", "100000"}) {
    std::vector<std::string> extra = kDeviceOn;
    extra.insert(extra.end(), {"--set", std::string("accel.quantum_cycles=") + q});
    json other = run_engine("tlm", std::string("quantum_") + q, extra);
    EXPECT_NE(other["config_hash"], base["config_hash"]) << q;  // the setting was taken
    other["config_hash"] = base["config_hash"];
    EXPECT_EQ(other, base) << "quantum " << q;
    EXPECT_EQ(read_file(out(std::string("quantum_") + q + "/trace.csv")),
              read_file(out("quantum_default/trace.csv")))
        << "quantum " << q;
  }
}

TEST_F(CmdRunTlm, AResumedTlmRunMatchesTheUninterruptedOne) {
  const json full = run_engine("tlm", "resume_full", kDeviceOn);
  std::vector<std::string> first{"run", s().config, "--out", out("resume_part"), "--force", "--samples", "150",
                                 "--engine", "tlm", "--checkpoint-every", "50"};
  first.insert(first.end(), kDeviceOn.begin(), kDeviceOn.end());
  ASSERT_EQ(run_lrtsim_process(first).code, 0);
  const CliResult r = run_lrtsim_process({"run", "--resume", out("resume_part"), "--samples", std::to_string(kSamples)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(out("resume_part/summary.json")), read_file(out("resume_full/summary.json")));
  EXPECT_EQ(read_file(out("resume_part/trace.csv")), read_file(out("resume_full/trace.csv")));
  EXPECT_EQ(full["engine"], "tlm");

  // The run resumes on its own engine: another one is refused (in-process: nothing is elaborated).
  const CliResult other = run({"run", "--resume", out("resume_part"), "--samples", "400", "--engine", "golden"});
  EXPECT_EQ(other.code, 2);
  EXPECT_TRUE(contains(other.err, "--engine")) << other.err;
  EXPECT_TRUE(contains(other.err, "tlm")) << other.err;
}

// sgd_pixel writes the RRAM once per conv pixel: both engines agree with device effects on
// (wear-out within the run), the authors' pair-update count is reported and bounds the real
// writes from above, and a run resumed from a checkpoint matches the uninterrupted one.
TEST_F(CmdRunTlm, PixelSgdAgreesAcrossEnginesAndResumes) {
  std::vector<std::string> pixel{"--set", "train.conv.scheme=sgd_pixel", "--set", "train.fc.scheme=sgd_pixel"};
  pixel.insert(pixel.end(), kDeviceOn.begin(), kDeviceOn.end());
  const json g = run_engine("golden", "pixel_golden", pixel);
  const json t = run_engine("tlm", "pixel_tlm", pixel);
  expect_same_training(g, t);
  expect_same_trace(out("pixel_golden"), out("pixel_tlm"));
  EXPECT_GT(g["lifetime"]["cells_worn_out"].get<uint64_t>(), 0u);
  ASSERT_TRUE(g["writes"]["pair_updates"].is_object());
  EXPECT_GE(g["writes"]["pair_updates"]["max_per_cell"].get<uint64_t>(), g["writes"]["max_per_cell"].get<uint64_t>());
  EXPECT_GE(g["writes"]["pair_updates"]["total"].get<uint64_t>(), g["writes"]["total"].get<uint64_t>());
  const json lrt = run_engine("golden", "pixel_lrt_control");
  EXPECT_TRUE(lrt["writes"]["pair_updates"].is_null());  // LRT keeps no pair counts

  std::vector<std::string> first{"run", s().config, "--out", out("pixel_part"), "--force", "--samples", "150",
                                 "--checkpoint-every", "50"};
  first.insert(first.end(), pixel.begin(), pixel.end());
  ASSERT_EQ(run(first).code, 0);
  const CliResult r = run({"run", "--resume", out("pixel_part"), "--samples", std::to_string(kSamples)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(out("pixel_part/summary.json")), read_file(out("pixel_golden/summary.json")));
}

// Dithered backprop (docs/precision.md): both engines train bit-identically with it on, for LRT
// and for SGD (whose weight gradient is formed in the backward phase); zero skipping changes no
// result, and the MAC array does exactly the golden engine's skipped MACs fewer, so that its
// cycles, its energy and the rank-reduce units' time fall; a dithered run resumes exactly.
TEST_F(CmdRunTlm, DitheredBackpropAgreesAcrossEnginesAndSkipsZeroOperands) {
  const std::vector<std::string> dither{"--set", "train.dither.enabled=true", "--set", "accel.mac.zero_skip=true"};
  const json g = run_engine("golden", "dither_golden", dither);
  const json t = run_engine("tlm", "dither_tlm", dither);
  expect_same_training(g, t);
  EXPECT_EQ(g["gradient_sparsity"], t["gradient_sparsity"]);
  EXPECT_EQ(g["mac_work"], t["mac_work"]);
  EXPECT_EQ(g["precision_costs"], t["precision_costs"]);
  EXPECT_GT(g["precision_costs"]["C_M"].get<uint64_t>(), 0u);
  expect_same_trace(out("dither_golden"), out("dither_tlm"));
  EXPECT_EQ(g["gradient_sparsity"]["dither"], true);
  const json nearest = run_engine("golden", "dither_off");
  EXPECT_NE(g["weights_digest"], nearest["weights_digest"]);
  EXPECT_EQ(nearest["gradient_sparsity"]["dither"], false);

  const json dense = run_engine("tlm", "dither_dense", {"--set", "train.dither.enabled=true"});
  expect_same_training(t, dense);  // skipping is a schedule, not an arithmetic
  const json& w = t["mac_work"];
  const uint64_t skipped = w["backward_data_skipped"].get<uint64_t>() + w["weight_gradient_skipped"].get<uint64_t>() +
                           w["bias_adds_skipped"].get<uint64_t>();
  EXPECT_GT(skipped, 0u);
  EXPECT_EQ(t["mac_array"]["zero_operand_macs"].get<uint64_t>(), skipped);
  EXPECT_EQ(dense["mac_array"]["zero_operand_macs"].get<uint64_t>(), 0u);
  EXPECT_EQ(t["mac_array"]["macs"], dense["mac_array"]["macs"]);
  EXPECT_EQ(t["mac_array"]["active_macs"].get<uint64_t>(), dense["mac_array"]["active_macs"].get<uint64_t>() - skipped);
  EXPECT_LT(t["mac_array"]["busy_cycles"].get<uint64_t>(), dense["mac_array"]["busy_cycles"].get<uint64_t>());
  EXPECT_LT(t["energy_0p1fj"]["by_component"]["mac"].get<uint64_t>(),
            dense["energy_0p1fj"]["by_component"]["mac"].get<uint64_t>());
  // Zero skipping is the MAC array's: the rank-reduce unit (the RTL's schedule, docs/rtl.md)
  // streams every dz entry, so its cycles and energy do not change (the LRT phase's share of
  // the critical path does: the unit works beside a shorter backward pass).
  EXPECT_EQ(t["rank_reduce_units"]["busy_cycles"], dense["rank_reduce_units"]["busy_cycles"]);
  EXPECT_GT(t["rank_reduce_units"]["busy_cycles"].get<uint64_t>(), 0u);
  EXPECT_EQ(t["energy_0p1fj"]["by_component"]["rank_reduce"], dense["energy_0p1fj"]["by_component"]["rank_reduce"]);

  std::vector<std::string> sgd{"--set", "train.conv.scheme=sgd", "--set", "train.fc.scheme=sgd"};
  sgd.insert(sgd.end(), dither.begin(), dither.end());
  const json gs = run_engine("golden", "dither_sgd_golden", sgd);
  const json ts = run_engine("tlm", "dither_sgd_tlm", sgd);
  expect_same_training(gs, ts);
  EXPECT_EQ(gs["mac_work"], ts["mac_work"]);
  EXPECT_GT(gs["mac_work"]["weight_gradient_skipped"].get<uint64_t>(), 0u);
  const json& ws = ts["mac_work"];
  EXPECT_EQ(ts["mac_array"]["zero_operand_macs"].get<uint64_t>(),
            ws["backward_data_skipped"].get<uint64_t>() + ws["weight_gradient_skipped"].get<uint64_t>() +
                ws["bias_adds_skipped"].get<uint64_t>());

  std::vector<std::string> first{"run", s().config, "--out", out("dither_part"), "--force", "--samples", "150",
                                 "--checkpoint-every", "50", "--engine", "tlm"};
  first.insert(first.end(), dither.begin(), dither.end());
  ASSERT_EQ(run_lrtsim_process(first).code, 0);
  const CliResult r = run_lrtsim_process({"run", "--resume", out("dither_part"), "--samples", std::to_string(kSamples)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(out("dither_part/summary.json")), read_file(out("dither_tlm/summary.json")));
}

// FracTrain PFQ (docs/precision.md): both engines agree on a manual three-stage schedule,
// the summary names where the stages began and its saving is 1 - bit_ops / bit_ops_static_8x8
// of the reported counts; the MAC array runs the low-precision stages cheaper than the static
// FW8/BW8 run; a PFQ run resumed across a stage switch ends byte-identical; a bad schedule is
// exit 2 naming the key.
TEST_F(CmdRunTlm, PfqAgreesAcrossEnginesSwitchesAndResumes) {
  const std::vector<std::string> pfq{"--set", "train.pfq.enabled=true", "--set", "train.pfq.switch_samples=[100, 200]"};
  const json g = run_engine("golden", "pfq_golden", pfq);
  const json t = run_engine("tlm", "pfq_tlm", pfq);
  expect_same_training(g, t);
  EXPECT_EQ(g["pfq"], t["pfq"]);
  EXPECT_EQ(g["mac_work"], t["mac_work"]);
  const json& q = t["pfq"];
  ASSERT_TRUE(q.is_object());
  EXPECT_EQ(q["stages"][0]["started_at_sample"], 0);
  EXPECT_EQ(q["stages"][1]["started_at_sample"], 100);
  EXPECT_EQ(q["stages"][2]["started_at_sample"], 200);
  EXPECT_EQ(q["final_stage"], 2);
  const double bit_ops = q["bit_ops"].get<double>(), static_ops = q["bit_ops_static_8x8"].get<double>();
  EXPECT_LT(bit_ops, static_ops);
  EXPECT_DOUBLE_EQ(q["saving"].get<double>(), 1.0 - bit_ops / static_ops);
  const json base = run_engine("tlm", "pfq_static");
  EXPECT_TRUE(base["pfq"].is_null());
  EXPECT_LT(t["energy_0p1fj"]["by_component"]["mac"].get<uint64_t>(),
            base["energy_0p1fj"]["by_component"]["mac"].get<uint64_t>());
  EXPECT_LT(t["mac_array"]["busy_cycles"].get<uint64_t>(), base["mac_array"]["busy_cycles"].get<uint64_t>());

  std::vector<std::string> first{"run", s().config, "--out", out("pfq_part"), "--force", "--samples", "150",
                                 "--checkpoint-every", "50", "--engine", "tlm"};
  first.insert(first.end(), pfq.begin(), pfq.end());
  ASSERT_EQ(run_lrtsim_process(first).code, 0);
  const CliResult r = run_lrtsim_process({"run", "--resume", out("pfq_part"), "--samples", std::to_string(kSamples)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_file(out("pfq_part/summary.json")), read_file(out("pfq_tlm/summary.json")));

  const CliResult bad = run({"run", s().config, "--out", out("pfq_bad"), "--force", "--set", "train.pfq.enabled=true",
                             "--set", "train.pfq.switch_samples=[100]"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, "train.pfq.switch_samples")) << bad.err;
}

// Per-tensor precision (train.precision): a model pre-trained with per-layer widths trains to the
// same bits on both engines; the RRAM arrays hold each layer's word width; precision_costs
// carries the widths and the hand-counted C_M; a model without them, and a B_G(W) the datapath
// does not have, are exit 2 naming the key.
TEST_F(CmdRunTlm, PerTensorPrecisionIsHonouredByBothEngines) {
  const std::vector<std::string> pl{"--set", "train.precision.weight_bits=[6, 8]",
                                    "--set", "train.precision.activation_bits=[8, 5]",
                                    "--set", "train.precision.gradient_bits=[7, 6]"};
  std::vector<std::string> pre{"pretrain", s().config, "--out", out("pl.ckpt"), "--force"};
  pre.insert(pre.end(), pl.begin(), pl.end());
  const CliResult p = run(pre);
  ASSERT_EQ(p.code, 0) << p.err;
  std::vector<std::string> with_model = pl;
  with_model.insert(with_model.end(), {"--set", "run.model=" + out("pl.ckpt")});
  const json g = run_engine("golden", "pl_golden", with_model);
  const json t = run_engine("tlm", "pl_tlm", with_model);
  expect_same_training(g, t);
  EXPECT_EQ(g["precision_costs"], t["precision_costs"]);
  const json& layers = g["precision_costs"]["layers"];
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0]["B_W"], 6);
  EXPECT_EQ(layers[0]["B_A"], 8);
  EXPECT_EQ(layers[0]["B_GA"], 7);
  EXPECT_EQ(layers[1]["B_W"], 8);
  EXPECT_EQ(layers[1]["B_A"], 5);
  EXPECT_EQ(layers[1]["B_GA"], 6);
  // conv: 400 outputs x D 9 x (6 8 + 6 7 + 8 7 = 146) = 525600; fc: 4 x 100 x (8 5 + 8 6 + 5 6 = 118) = 47200.
  EXPECT_EQ(g["precision_costs"]["C_M"], 525600 + 47200);
  EXPECT_EQ(g["memory"]["rram_bits"], 36 * 6 + 400 * 8);  // 6-bit words for conv, 8-bit for fc

  const CliResult old_model = run({"run", s().config, "--out", out("pl_old"), "--force", "--set",
                                   "train.precision.weight_bits=[6, 8]"});
  EXPECT_EQ(old_model.code, 2);
  EXPECT_TRUE(contains(old_model.err, "formats.layers")) << old_model.err;
  const CliResult gw = run({"run", s().config, "--out", out("pl_gw"), "--force", "--set",
                            "train.precision.weight_gradient_bits=[32, 16]"});
  EXPECT_EQ(gw.code, 2);
  EXPECT_TRUE(contains(gw.err, "train.precision.weight_gradient_bits")) << gw.err;
}

TEST_F(CmdRunTlm, AuxiliaryMemoryBeyondTheSramIsExit2NamingBothSizes) {
  // naive_batch keeps a full 400 x 32 b accumulator for the fc layer.
  const CliResult r = run_lrtsim_process({"run", s().config, "--out", out("too_big"), "--force", "--engine", "tlm",
                                          "--set", "train.fc.scheme=naive_batch", "--set",
                                          "accel.sram.capacity_bits=8192"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "accel.sram.capacity_bits")) << r.err;
  EXPECT_TRUE(contains(r.err, "8192")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out("too_big")));
}

}  // namespace
}  // namespace lrt::cli
