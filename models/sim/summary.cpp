#include "sim/summary.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "config/effective.h"
#include "golden/precision/precision_costs.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "tlm/accel_top.h"

namespace lrt::sim {

namespace {

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

double write_density(const golden::WriteStats& w, uint64_t samples) {
  if (w.cells == 0 || samples == 0) return 0.0;
  return static_cast<double>(w.total) / static_cast<double>(w.cells) / static_cast<double>(samples);
}

void add_device_summary(nlohmann::ordered_json& j, const config::Specs& specs, const golden::Engine& engine,
                        const Backend& backend) {
  uint64_t rram_bits = 0, worn = 0, stuck = 0, pulses = 0, failures = 0, drift_events = 0, flips = 0;
  double rram_area = 0.0;
  double first_worn = std::numeric_limits<double>::infinity();  // projected at the observed rates
  uint64_t worn_at = UINT64_MAX;  // measured: the sample of a worn cell's last successful write
  for (size_t a = 0; a < backend.arrays(); ++a) {
    const device::RramArray& arr = backend.array(a);
    rram_bits += arr.words() * arr.specs().weight_bits;
    rram_area += arr.area_um2();
    const device::RramStats& s = arr.stats();
    worn += s.cells_worn_out;
    stuck += arr.stuck_cells();
    pulses += s.program_pulses;
    failures += s.cell_program_failures;
    drift_events += s.drift_events;
    flips += s.bit_flips;
    // Projected at each cell's observed rate: lifetime / (writes / samples) samples.
    const auto samples = static_cast<double>(arr.samples());
    for (uint64_t c = 0; c < arr.cells_used(); ++c) {
      const device::CellState cs = arr.cell(c);
      if (cs.worn_out) worn_at = std::min<uint64_t>(worn_at, cs.program_sample);
      if (cs.writes == 0 || cs.stuck_at_fault) continue;
      first_worn = std::min(first_worn, static_cast<double>(cs.lifetime) * samples / cs.writes);
    }
  }
  tlm::ControllerSpecs cs;
  cs.lr_bits = specs.accel.controller.lr_bits;
  uint64_t aux = 0;
  for (const tlm::SramRegionSpec& r : tlm::sram_regions(engine, cs))
    if (r.aux) aux += r.bits;
  j["memory"]["rram_bits"] = rram_bits;
  j["memory"]["rram_area_um2"] = rram_area;
  j["memory"]["aux_bits"] = aux;
  // The paper's convention (§3): auxiliary bits at the 6T cell's area, no periphery.
  j["memory"]["aux_area_um2"] = static_cast<double>(aux) * specs.accel.sram.cell_area_um2;
  // The buffer as built: a macro of its capacity, periphery included (docs/device.md).
  const double sram_area = device::macro_area_um2(specs.accel.sram);
  j["memory"]["sram_area_um2"] = sram_area;
  j["memory"]["aux_macro_area_um2"] =
      static_cast<double>(aux) * sram_area / static_cast<double>(specs.accel.sram.capacity_bits);
  // A cell has worn out: when its lifetime ran out. Else: projected at each cell's rate.
  if (worn_at != UINT64_MAX) {
    j["lifetime"]["samples_to_first_worn_cell"] = static_cast<double>(worn_at);
    j["lifetime"]["first_worn_cell"] = "measured";
  } else if (std::isfinite(first_worn)) {
    j["lifetime"]["samples_to_first_worn_cell"] = first_worn;
    j["lifetime"]["first_worn_cell"] = "projected";
  } else {
    j["lifetime"]["samples_to_first_worn_cell"] = nullptr;  // nothing written yet
    j["lifetime"]["first_worn_cell"] = "none";
  }
  j["lifetime"]["cells_worn_out"] = worn;
  j["device"]["stuck_cells"] = stuck;
  j["device"]["program_pulses"] = pulses;
  j["device"]["cell_program_failures"] = failures;
  j["device"]["drift_events"] = drift_events;
  j["device"]["bit_flips"] = flips;
}

// Saturation counters of the integer datapath: how often a value hit the end of its format.
void add_saturation_summary(nlohmann::ordered_json& j, const golden::Engine& engine) {
  uint64_t z_clipped = 0, z_total = 0, rr = 0;
  for (int l : engine.trainable_layers()) {
    const golden::AffineLayer& a = engine.affine(l);
    z_clipped += a.z_clips().clipped;
    z_total += a.z_clips().total;
    if (const golden::LrtAccumulator* acc = a.updater().lrt_accumulator())
      if (const golden::RankReduceFixed* f = acc->reducer().fixed_model()) rr += f->saturations();
  }
  j["saturation"]["z_clipped"] = z_clipped;
  j["saturation"]["z_total"] = z_total;
  j["saturation"]["rank_reduce"] = rr;
}

// Dithered backprop's sparsity and the MACs a zero-skipping datapath does (golden::AffineWork):
// the same numbers on both engines (docs/precision.md, "summary.json").
void add_gradient_summary(nlohmann::ordered_json& j, const golden::Engine& engine) {
  golden::AffineWork all;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  auto fraction = [](uint64_t part, uint64_t whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole); };
  for (int l : engine.trainable_layers()) {
    const golden::AffineWork& w = engine.affine(l).work();
    nlohmann::ordered_json e;
    e["layer"] = l;
    e["dz_entries"] = w.dz_entries;
    e["dz_zeros"] = w.dz_zeros;
    e["zero_fraction"] = fraction(w.dz_zeros, w.dz_entries);
    e["mean_dither_step_log2_lsb"] =
        w.dither_tensors == 0 ? 0.0 : static_cast<double>(w.dither_step_exp_sum) / static_cast<double>(w.dither_tensors);
    layers.push_back(e);
    all += w;
  }
  nlohmann::ordered_json& g = j["gradient_sparsity"];
  g["unit"] = "fraction of the Qg dz entries of the backward passes that are zero";
  g["dither"] = engine.specs().dither.enabled;
  g["overall"] = fraction(all.dz_zeros, all.dz_entries);
  g["dz_entries"] = all.dz_entries;
  g["dz_zeros"] = all.dz_zeros;
  g["layers"] = layers;
  // Sakr & Shanbhag §2.2 (golden/precision/precision_costs.h): per layer and summed.
  const std::vector<golden::LayerPrecision> lp = golden::layer_precisions(engine);
  const golden::PrecisionCosts pc = golden::precision_costs(lp);
  nlohmann::ordered_json& p = j["precision_costs"];
  p["unit"] = "C_W, C_A, C_C: bits; C_M: 1-bit full adders per training iteration (one sample)";
  p["C_W"] = pc.c_w;
  p["C_A"] = pc.c_a;
  p["C_M"] = pc.c_m;
  p["C_C"] = pc.c_c;
  p["layers"] = nlohmann::ordered_json::array();
  for (const golden::LayerPrecision& l : lp) {
    const golden::PrecisionCosts c = golden::precision_costs(l);
    p["layers"].push_back({{"layer", l.layer}, {"B_W", l.b_w}, {"B_A", l.b_a}, {"B_GW", l.b_gw}, {"B_GA", l.b_ga},
                           {"B_acc", l.b_acc}, {"C_W", c.c_w}, {"C_A", c.c_a}, {"C_M", c.c_m}, {"C_C", c.c_c}});
  }
  nlohmann::ordered_json& m = j["mac_work"];
  m["unit"] = "multiply-accumulates of the conv/fc datapath; skipped = with a zero dz operand";
  m["forward"] = all.forward_macs;
  m["backward_data"] = all.backward_data_macs;
  m["backward_data_skipped"] = all.backward_data_skipped;
  m["weight_gradient"] = all.weight_grad_macs;
  m["weight_gradient_skipped"] = all.weight_grad_skipped;
  m["bias_adds"] = all.bias_adds;
  m["bias_adds_skipped"] = all.bias_skipped;
  m["bit_ops"] = all.mac_bit_ops;
  m["bit_ops_static_8x8"] = all.mac_bit_ops_8x8;
  // FracTrain PFQ: the schedule as it ran and the saving in MAC bit-operations against the same
  // MACs at a static FW8/BW8 (docs/precision.md).
  if (const golden::PfqSchedule* pfq = engine.pfq()) {
    nlohmann::ordered_json& q = j["pfq"];
    q["mode"] = pfq->spec().mode == golden::PfqSwitch::kAuto ? "auto" : "manual";
    q["stages"] = nlohmann::ordered_json::array();
    for (size_t s = 0; s < pfq->spec().forward_bits.size(); ++s) {
      nlohmann::ordered_json st;
      st["forward_bits"] = pfq->spec().forward_bits[s];
      st["backward_bits"] = pfq->spec().backward_bits[s];
      if (s == 0)
        st["started_at_sample"] = 0;
      else if (s <= pfq->state().switched_at.size())
        st["started_at_sample"] = pfq->state().switched_at[s - 1];
      else
        st["started_at_sample"] = nullptr;  // not reached
      q["stages"].push_back(st);
    }
    q["final_stage"] = pfq->state().stage;
    q["unit"] = "MAC bit-operations: performed conv/fc MACs x operand widths (B_w B_a, B_w B_g, B_g B_a)";
    q["bit_ops"] = all.mac_bit_ops;
    q["bit_ops_static_8x8"] = all.mac_bit_ops_8x8;
    q["saving"] = all.mac_bit_ops_8x8 == 0 ? 0.0
                                           : 1.0 - static_cast<double>(all.mac_bit_ops) /
                                                       static_cast<double>(all.mac_bit_ops_8x8);
  } else {
    j["pfq"] = nullptr;
  }
}

}  // namespace

std::string json_number(double v) { return nlohmann::json(v).dump(); }

std::string summary_json(const config::Specs& specs, const Snapshot& s, const golden::Engine& engine,
                         const Backend& backend, bool interrupted) {
  nlohmann::ordered_json j;
  j["engine"] = backend.name();
  j["stream"] = specs.run.stream == config::RunStream::kShift ? "shift" : "online";
  j["seed"] = specs.run.seed;
  j["config_hash"] = config::hash_hex(config::config_hash(specs));
  j["samples"] = s.samples;
  j["interrupted"] = interrupted;
  j["accuracy"]["online_ema"] = s.ema;
  j["accuracy"]["last_500"] = s.last;
  j["writes"]["cells"] = s.writes.cells;
  j["writes"]["total"] = s.writes.total;
  j["writes"]["max_per_cell"] = s.writes.max;
  j["writes"]["mean_per_cell"] = s.writes.mean();
  j["writes"]["density"] = write_density(s.writes, s.samples);
  if (const golden::WriteStats p = engine.pair_update_stats(); p.cells > 0) {
    j["writes"]["pair_updates"]["cells"] = p.cells;
    j["writes"]["pair_updates"]["total"] = p.total;
    j["writes"]["pair_updates"]["max_per_cell"] = p.max;
  } else {
    j["writes"]["pair_updates"] = nullptr;
  }
  j["weights_digest"] = hex16(engine.weights_digest());
  add_device_summary(j, specs, engine, backend);
  add_saturation_summary(j, engine);
  add_gradient_summary(j, engine);
  backend.add_summary(j);
  return j.dump(2) + "\n";
}

std::string host_json(double seconds, uint64_t samples) {
  nlohmann::ordered_json j;
  j["wall_seconds"] = seconds;
  j["samples_per_second"] = seconds > 0 ? static_cast<double>(samples) / seconds : 0.0;
  return j.dump(2) + "\n";
}

}  // namespace lrt::sim
