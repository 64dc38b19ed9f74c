// lrtsim explore SWEEP --out DIR [--force] [--jobs N] [--slurm]: evaluates the closed-form
// design-space model (explore/closed_form.h) over the axes of a sweep file
// (cli/explore_sweep.h) and, for the points it marks `simulate`, measures them with
// `lrtsim run` in separate processes (cli/explore_runner.h). Writes DIR/points.csv (one row
// per point and source), DIR/summary.json and DIR/sweep.yaml. A rerun on the same DIR with
// the same sweep skips the measured points that finished.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/explore_runner.h"
#include "cli/explore_sweep.h"
#include "core/error.h"
#include "core/run_directory.h"
#include "explore/closed_form.h"
#include "core/text_file.h"

namespace lrt::cli {

namespace {

using explore::Algorithm;
using explore::PointResult;

struct ExploreArgs {
  std::string sweep, out, lrtsim;
  bool force = false, slurm = false;
  int jobs = 1;
  std::vector<std::string> sbatch_args;
};

/// What a measured run reports, per sample where the closed form is per sample.
struct Measured {
  PointResult q;
  double samples = 0, accuracy_ema = 0, accuracy_last_500 = 0;
};

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::string num(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact round trip
  return ec == std::errc() ? std::string(buf, end) : "";
}

const char* aux_memory(const PointResult& q) {
  if (q.aux_sram_bits > 0 && q.aux_rram_bits > 0) return "sram+rram";
  if (q.aux_sram_bits > 0) return "sram";
  if (q.aux_rram_bits > 0) return "rram";
  return "none";
}

// A network total: counts, areas and energies add; density and lifetime are the worst layer's.
// A shared rank-reduce unit is one unit: its logic and its scratch are counted once (the
// largest), its cycles add (the layers' pairs take turns); per layer, everything adds and the
// slowest layer's unit sets the cycles.
PointResult total_of(const std::vector<PointResult>& all, const std::vector<std::size_t>& parts, bool shared_unit,
                     const explore::Technology& tech) {
  PointResult t;
  t.inv_write_density = t.worst_cell_inv_write_density = t.lifetime_samples = std::numeric_limits<double>::infinity();
  double scratch_max = 0, logic_max = 0;
  for (std::size_t k : parts) {
    const PointResult& q = all[k];
    t.aux_sram_bits += q.aux_sram_bits;
    t.aux_rram_bits += q.aux_rram_bits;
    t.aux_bits += q.aux_bits;
    t.aux_rram_cells += q.aux_rram_cells;
    t.aux_sram_area_um2 += q.aux_sram_area_um2;
    t.aux_rram_area_um2 += q.aux_rram_area_um2;
    t.logic_area_um2 += q.logic_area_um2;
    t.scratch_sram_bits += q.scratch_sram_bits;
    t.aux_area_um2 += q.aux_area_um2;
    scratch_max = std::max(scratch_max, q.scratch_sram_bits);
    logic_max = std::max(logic_max, q.logic_area_um2);
    t.rank_reduce_cycles = shared_unit ? t.rank_reduce_cycles + q.rank_reduce_cycles
                                       : std::max(t.rank_reduce_cycles, q.rank_reduce_cycles);
    t.weight_rram_cells += q.weight_rram_cells;
    t.rram_area_um2 += q.rram_area_um2;
    t.inv_write_density = std::min(t.inv_write_density, q.inv_write_density);
    t.worst_cell_inv_write_density = std::min(t.worst_cell_inv_write_density, q.worst_cell_inv_write_density);
    t.lifetime_samples = std::min(t.lifetime_samples, q.lifetime_samples);
    t.energy_read_pj += q.energy_read_pj;
    t.energy_write_pj += q.energy_write_pj;
    t.energy_compute_pj += q.energy_compute_pj;
    t.energy_per_sample_pj += q.energy_per_sample_pj;
  }
  if (shared_unit) {
    const double saved_bits = t.scratch_sram_bits - scratch_max, saved_logic = t.logic_area_um2 - logic_max;
    t.scratch_sram_bits = scratch_max;
    t.aux_sram_bits -= saved_bits;
    t.aux_bits -= saved_bits;
    t.aux_sram_area_um2 -= saved_bits * tech.sram_cell_area_um2;
    t.logic_area_um2 = logic_max;
    t.aux_area_um2 -= saved_bits * tech.sram_cell_area_um2 + saved_logic;
  }
  return t;
}

// ---- measured points -------------------------------------------------------------------

std::string point_dir(const std::string& out, std::size_t k) { return out + "/points/" + std::to_string(k); }

// `lrtsim run` of a point: the sweep's algorithm, B, rank and weight width as overrides.
std::vector<std::string> run_args(const Sweep& s, const PlannedPoint& p, const std::string& dir) {
  std::vector<std::string> a{"run", s.simulate.config_path, "--out", dir + "/run", "--force", "--engine",
                             s.simulate.engine};
  a.insert(a.end(), {"--samples", std::to_string(s.simulate.samples)});
  auto set = [&a](const std::string& kv) { a.insert(a.end(), {"--set", kv}); };
  set("run.progress=false");
  for (const char* kind : {"conv", "fc"}) {
    const std::string k = std::string("train.") + kind + ".";
    switch (p.point.algorithm) {
      case Algorithm::kOnline: set(k + "scheme=sgd"); break;
      case Algorithm::kNaiveBatch:
        set(k + "scheme=naive_batch");
        set(k + "batch=" + std::to_string(p.point.batch));
        break;
      case Algorithm::kLrt:
        set(k + "scheme=lrt");
        set(k + "batch=" + std::to_string(p.point.batch));
        set(k + "rank=" + std::to_string(p.point.rank));
        break;
      default: throw std::logic_error("explore: no measured counterpart");  // refused by read_sweep
    }
  }
  return a;
}

double number(const nlohmann::json& j, const char* a, const char* b = nullptr, const char* c = nullptr) {
  const nlohmann::json* v = &j;
  for (const char* key : {a, b, c}) {
    if (!key) break;
    if (!v->is_object() || !v->contains(key)) return kNan;
    v = &(*v)[key];
  }
  return v->is_number() ? v->get<double>() : kNan;
}

// The measured row, or nothing when the run did not finish (no summary, interrupted, short).
std::optional<Measured> read_measured(const std::string& dir, uint64_t expected_samples, double logic_area_um2) {
  std::ifstream in(dir + "/run/summary.json");
  if (!in) return std::nullopt;
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (!j.is_object() || j.value("interrupted", true) || number(j, "samples") != static_cast<double>(expected_samples))
    return std::nullopt;
  Measured m;
  m.samples = number(j, "samples");
  m.accuracy_ema = number(j, "accuracy", "online_ema");
  m.accuracy_last_500 = number(j, "accuracy", "last_500");
  PointResult& q = m.q;
  q.aux_sram_bits = q.aux_bits = number(j, "memory", "aux_bits");
  q.aux_sram_area_um2 = number(j, "memory", "aux_area_um2");
  q.logic_area_um2 = logic_area_um2;  // synthesis, not measured by a run
  q.aux_area_um2 = q.aux_sram_area_um2 + logic_area_um2;
  q.rram_area_um2 = number(j, "memory", "rram_area_um2");
  const double cells = number(j, "writes", "cells"), total = number(j, "writes", "total"),
               worst = number(j, "writes", "max_per_cell");
  const double inf = std::numeric_limits<double>::infinity();
  q.inv_write_density = total > 0 ? m.samples * cells / total : inf;
  q.worst_cell_inv_write_density = worst > 0 ? m.samples / worst : inf;
  q.lifetime_samples = number(j, "lifetime", "samples_to_first_worn_cell");
  const auto part = [&](const char* c) { return number(j, "energy_pj", "by_component", c) / m.samples; };
  q.energy_read_pj = part("rram_read") + part("sram_read");
  q.energy_write_pj = part("rram_write") + part("sram_write");
  q.energy_compute_pj = part("mac") + part("rank_reduce") + part("other");
  // The LRT phase's cycles per sample (TLM engine; empty on the golden engine).
  q.rank_reduce_cycles = number(j, "cycles_by_phase", "lrt") / m.samples;
  q.energy_per_sample_pj = number(j, "energy_pj", "total") / m.samples;
  return m;
}

// ---- output ----------------------------------------------------------------------------

constexpr const char* kColumns =
    "point,source,layer,algorithm,n_o,n_i,batch,rank,weight_bits,lr_bits,aux_memory,aux_bits,aux_sram_bits,"
    "aux_rram_bits,aux_area_um2,aux_sram_area_um2,aux_rram_area_um2,logic_area_um2,rram_area_um2,"
    "inv_write_density,worst_cell_inv_write_density,energy_read_pj,energy_write_pj,energy_compute_pj,"
    "energy_per_sample_pj,lifetime_samples,technology,pairs_per_sample,samples,accuracy_online_ema,"
    "accuracy_last_500,rank_reduce_cycles";

std::string row(std::size_t k, const char* source, const PlannedPoint& pp, const PointResult& q,
                const Measured* m) {
  const explore::DesignPoint& p = pp.point;
  const bool lrt = p.algorithm == Algorithm::kLrt, total = !pp.parts.empty();
  return std::to_string(k) + "," + source + "," + pp.layer + "," + explore::to_string(p.algorithm) + "," +
         (total ? "" : std::to_string(p.n_o)) + "," + (total ? "" : std::to_string(p.n_i)) + "," +
         std::to_string(p.batch) + "," + (lrt ? std::to_string(p.rank) : "") + "," + std::to_string(p.weight_bits) +
         "," + (lrt ? std::to_string(p.lr_bits) : "") + "," + aux_memory(q) + "," + num(q.aux_bits) + "," +
         num(q.aux_sram_bits) + "," + num(q.aux_rram_bits) + "," + num(q.aux_area_um2) + "," +
         num(q.aux_sram_area_um2) + "," + num(q.aux_rram_area_um2) + "," + num(q.logic_area_um2) + "," +
         num(q.rram_area_um2) + "," + num(q.inv_write_density) + "," + num(q.worst_cell_inv_write_density) + "," +
         num(q.energy_read_pj) + "," + num(q.energy_write_pj) + "," + num(q.energy_compute_pj) + "," +
         num(q.energy_per_sample_pj) + "," + num(q.lifetime_samples) + "," + std::to_string(pp.technology) + "," +
         (total ? "" : std::to_string(p.pairs_per_sample)) + "," + (m ? num(m->samples) : "") + "," +
         (m ? num(m->accuracy_ema) : "") + "," + (m ? num(m->accuracy_last_500) : "") + "," +
         (lrt ? num(q.rank_reduce_cycles) : "") + "\n";
}

nlohmann::ordered_json technology_json(const explore::Technology& t) {
  return {{"rram_cell_area_um2", t.rram_cell_area_um2},
          {"sram_cell_area_um2", t.sram_cell_area_um2},
          {"rram_bits_per_cell", t.rram_bits_per_cell},
          {"rram_read_pj_per_bit", t.rram_read_pj_per_bit},
          {"rram_write_pj_per_cell", t.rram_write_pj_per_cell},
          {"sram_read_pj_per_bit", t.sram_read_pj_per_bit},
          {"sram_write_pj_per_bit", t.sram_write_pj_per_bit},
          {"mac_pj", t.mac_pj},
          {"endurance_writes", t.endurance_writes},
          {"rank_reduce_logic_area_um2",
           t.rank_reduce_logic_area_um2 ? nlohmann::ordered_json(*t.rank_reduce_logic_area_um2)
                                        : nlohmann::ordered_json("cost table (configs/rank_reduce_unit.yaml)")}};
}

// The result directory: a rerun of the same sweep (and run configuration) continues it;
// other results there are refused unless --force, which also discards measured points.
RunDirectory open_directory(const ExploreArgs& args, const Sweep& sweep, bool& resumed) {
  const std::string old_sweep = read_text_file_if_present(args.out + "/sweep.yaml").value_or("");
  resumed = !args.force && !old_sweep.empty() && old_sweep == sweep.text &&
            read_text_file_if_present(args.out + "/run_config.yaml").value_or("") == sweep.simulate.config_text;
  if (!resumed && !args.force && !old_sweep.empty())
    throw InputError(InputLocation(args.out + "/sweep.yaml"),
                     "this directory holds the results of a different sweep (or run configuration); --force "
                     "overwrites them");
  RunDirectory dir(args.out, args.force || resumed, {"points.csv", "summary.json", "sweep.yaml", "points"});
  if (args.force) std::filesystem::remove_all(args.out + "/points");
  return dir;
}

std::string self_executable() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw RunError("explore: cannot find this executable (/proc/self/exe); give --lrtsim PATH");
  return p.string();
}

int run_explore(const ExploreArgs& args) {
  if (args.jobs < 1) throw InputError(InputLocation({}, -1, -1, "--jobs"), std::to_string(args.jobs) + "; expected >= 1");
  const Sweep sweep = read_sweep(args.sweep);
  const std::vector<PlannedPoint> points = expand(sweep);
  std::vector<PointResult> results(points.size());
  for (std::size_t k = 0; k < points.size(); ++k) {
    const PlannedPoint& p = points[k];
    if (!p.parts.empty()) {
      results[k] = total_of(results, p.parts, sweep.shared_rank_reduce_unit, sweep.technologies[p.technology]);
      continue;
    }
    try {
      results[k] = explore::evaluate(p.point);
    } catch (const std::invalid_argument& e) {
      throw InputError(InputLocation(args.sweep), p.layer + " " + explore::to_string(p.point.algorithm) +
                                                      " B=" + std::to_string(p.point.batch) + ": " + e.what());
    }
  }

  bool resumed = false;
  const RunDirectory dir = open_directory(args, sweep, resumed);
  dir.write("sweep.yaml", sweep.text);
  if (sweep.simulate.enabled) dir.write("run_config.yaml", sweep.simulate.config_text);

  // Measured points: those without a finished run of their own.
  const uint64_t expected = sweep.simulate.samples;
  std::vector<PointJob> jobs;
  std::size_t measured = 0, skipped = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (!points[k].simulate) continue;
    ++measured;
    const std::string pd = point_dir(args.out, k);
    if (read_measured(pd, expected, 0.0)) {
      ++skipped;
      continue;
    }
    jobs.push_back({k, pd, run_args(sweep, points[k], pd)});
  }
  if (measured > 0)
    std::cerr << "explore: " << measured << " measured points: " << skipped << " finished before, " << jobs.size()
              << " to run" << (args.slurm ? " on Slurm" : " with --jobs " + std::to_string(args.jobs)) << "\n";
  const std::string exe = args.lrtsim.empty() ? self_executable() : args.lrtsim;
  std::vector<JobOutcome> outcomes;
  if (args.slurm) {
    SlurmOptions so;
    so.extra_args = args.sbatch_args;
    so.work_dir = args.out + "/slurm";
    outcomes = run_slurm(jobs, exe, args.jobs, so);
  } else {
    outcomes = run_local(jobs, exe, args.jobs);
  }

  // Output: every closed-form row, then the measured row of each finished measured point.
  std::string csv = std::string(kColumns) + "\n";
  for (std::size_t k = 0; k < points.size(); ++k) csv += row(k, "closed_form", points[k], results[k], nullptr);
  nlohmann::ordered_json failed = nlohmann::ordered_json::array();
  std::size_t measured_rows = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (!points[k].simulate) continue;
    const auto m = read_measured(point_dir(args.out, k), expected, results[k].logic_area_um2);
    if (m) {
      csv += row(k, "simulated", points[k], m->q, &*m);
      ++measured_rows;
      continue;
    }
    std::string problem = "no finished run";
    for (std::size_t j = 0; j < jobs.size(); ++j)
      if (jobs[j].point == k && !outcomes[j].problem.empty()) problem = outcomes[j].problem;
    failed.push_back({{"point", k}, {"problem", problem}, {"log", point_dir(args.out, k) + "/log.txt"}});
  }

  nlohmann::ordered_json j;
  j["sweep"] = args.sweep;
  j["layers"] = nlohmann::ordered_json::array();
  for (const SweepLayer& l : sweep.layers)
    j["layers"].push_back({{"name", l.name}, {"n_o", l.n_o}, {"n_i", l.n_i}, {"pairs_per_sample", l.pairs_per_sample}});
  if (!sweep.network_config.empty()) j["network"] = sweep.network_config;
  j["points"] = points.size();
  std::vector<std::string> names;
  for (Algorithm a : sweep.algorithms) names.emplace_back(explore::to_string(a));
  j["algorithms"] = names;
  j["batches"] = sweep.batches;
  j["technologies"] = nlohmann::ordered_json::array();
  for (const auto& t : sweep.technologies) j["technologies"].push_back(technology_json(t));
  if (!sweep.logic_area_path.empty()) {
    nlohmann::ordered_json by_rank = nlohmann::ordered_json::object();
    for (const auto& [r, a] : sweep.logic_area_by_rank) by_rank[std::to_string(r)] = a;
    j["logic_area"] = {{"file", sweep.logic_area_path}, {"um2_by_rank", by_rank}};
  }
  // The chip-area line: the RRAM holding the weights, per weight width (first technology).
  nlohmann::ordered_json chip = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < points.size(); ++k)
    if (points[k].technology == 0 && (sweep.network_config.empty() || !points[k].parts.empty()))
      chip[std::to_string(points[k].point.weight_bits)] = results[k].rram_area_um2;
  j["chip_area_um2_by_weight_bits"] = chip;
  j["measured"] = {{"points", measured},
                   {"finished", measured_rows},
                   {"finished_before", skipped},
                   {"engine", sweep.simulate.enabled ? sweep.simulate.engine : ""},
                   {"samples", expected},
                   {"config", sweep.simulate.config_path},
                   {"failed", failed}};
  j["formulas"] = "docs/exploration.md";
  dir.write("points.csv", csv);
  dir.write("summary.json", j.dump(2) + "\n");
  std::cout << "explore: " << points.size() << " points";
  if (measured) std::cout << ", " << measured_rows << "/" << measured << " measured";
  std::cout << " -> " << dir.file("points.csv") << "\n";
  if (!failed.empty()) {
    for (const auto& f : failed)
      std::cerr << "explore: point " << f["point"].get<std::size_t>() << " failed: " << f["problem"].get<std::string>()
                << " (log: " << f["log"].get<std::string>() << ")\n";
    std::cerr << "explore: " << failed.size() << " measured point(s) failed; rerun the same command to retry them\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace

void add_explore_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("explore", "Design-space exploration (Figure 3): closed-form model and measured runs");
  auto args = std::make_shared<ExploreArgs>();
  cmd->add_option("SWEEP", args->sweep, "sweep file (YAML; see docs/exploration.md)")->required();
  cmd->add_option("--out", args->out, "result directory (a rerun with the same sweep continues it)")->required();
  cmd->add_flag("--force", args->force, "overwrite results already in --out (measured points included)");
  cmd->add_option("--jobs", args->jobs, "measured points run at once (processes; with --slurm: array tasks)");
  cmd->add_flag("--slurm", args->slurm, "run the measured points as a Slurm job array (sbatch --wait)");
  cmd->add_option("--sbatch-arg", args->sbatch_args, "extra sbatch argument, e.g. --sbatch-arg=--partition=x (repeatable)");
  cmd->add_option("--lrtsim", args->lrtsim, "lrtsim executable for the measured runs (default: this one)");
  cmd->callback([&action, args] { action = [args] { return run_explore(*args); }; });
}

}  // namespace lrt::cli
