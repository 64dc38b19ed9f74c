#include "explore/sweep_run.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/run_directory.h"
#include "core/text_file.h"
#include "explore/closed_form.h"
#include "explore/measured.h"
#include "explore/network_total.h"
#include "explore/runner.h"
#include "explore/sweep.h"

namespace lrt::explore {

namespace {

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

// ---- output ----------------------------------------------------------------------------

constexpr const char* kColumns =
    "point,source,layer,algorithm,n_o,n_i,batch,rank,weight_bits,lr_bits,aux_memory,aux_bits,aux_sram_bits,"
    "aux_rram_bits,aux_area_um2,aux_sram_area_um2,aux_rram_area_um2,logic_area_um2,rram_area_um2,"
    "inv_write_density,worst_cell_inv_write_density,energy_read_pj,energy_write_pj,energy_compute_pj,"
    "energy_per_sample_pj,lifetime_samples,technology,pairs_per_sample,samples,accuracy_online_ema,"
    "accuracy_last_500,rank_reduce_cycles,energy_leakage_pj";

std::string row(std::size_t k, const char* source, const PlannedPoint& pp, const PointResult& q,
                const Measured* m) {
  const DesignPoint& p = pp.point;
  const bool lrt = p.algorithm == Algorithm::kLrt, total = !pp.parts.empty();
  return std::to_string(k) + "," + source + "," + pp.layer + "," + to_string(p.algorithm) + "," +
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
         (lrt ? num(q.rank_reduce_cycles) : "") + "," + (m ? num(q.energy_leakage_pj) : "") + "\n";
}

nlohmann::ordered_json technology_json(const Technology& t) {
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
RunDirectory open_directory(const SweepRunOptions& args, const Sweep& sweep, bool& resumed) {
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

}  // namespace

SweepRunResult run_sweep(const SweepRunOptions& args, const SweepPlanHook& on_plan) {
  if (args.jobs < 1) throw InputError(InputLocation({}, -1, -1, "--jobs"), std::to_string(args.jobs) + "; expected >= 1");
  const Sweep sweep = read_sweep(args.sweep);
  const std::vector<PlannedPoint> points = expand(sweep);
  std::vector<PointResult> results(points.size());
  for (std::size_t k = 0; k < points.size(); ++k) {
    const PlannedPoint& p = points[k];
    if (!p.parts.empty()) {
      results[k] = network_total(results, p.parts, sweep.shared_rank_reduce_unit, sweep.technologies[p.technology]);
      continue;
    }
    try {
      results[k] = evaluate(p.point);
    } catch (const std::invalid_argument& e) {
      throw InputError(InputLocation(args.sweep), p.layer + " " + to_string(p.point.algorithm) +
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
  if (measured > 0 && on_plan) on_plan(measured, skipped, jobs.size());
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
  for (Algorithm a : sweep.algorithms) names.emplace_back(to_string(a));
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
  SweepRunResult result;
  result.points = points.size();
  result.measured = measured;
  result.measured_rows = measured_rows;
  result.points_csv = dir.file("points.csv");
  for (const auto& f : failed)
    result.failed.push_back({f["point"].get<std::size_t>(), f["problem"].get<std::string>(), f["log"].get<std::string>()});
  return result;
}

}  // namespace lrt::explore
