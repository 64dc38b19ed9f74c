#include "explore/measured.h"

#include <algorithm>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lrt::explore {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double number(const nlohmann::json& j, const char* a, const char* b = nullptr, const char* c = nullptr) {
  const nlohmann::json* v = &j;
  for (const char* key : {a, b, c}) {
    if (!key) break;
    if (!v->is_object() || !v->contains(key)) return kNan;
    v = &(*v)[key];
  }
  return v->is_number() ? v->get<double>() : kNan;
}

}  // namespace

std::string point_dir(const std::string& out, std::size_t k) { return out + "/points/" + std::to_string(k); }

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
  q.energy_compute_pj = part("mac") + part("rank_reduce");
  q.energy_leakage_pj = part("sram_leakage");
  // The rank-reduce units' own cycles per sample, as the closed form counts them (TLM engine;
  // empty on the golden engine): the busiest unit's (one shared unit: all the layers' pairs).
  // Not the LRT phase's cycles, which are only the part of the critical path after the
  // backward pass.
  if (j.contains("rank_reduce_units") && j["rank_reduce_units"].contains("busy_cycles_by_module")) {
    double busiest = 0;
    for (const auto& b : j["rank_reduce_units"]["busy_cycles_by_module"]) busiest = std::max(busiest, b.get<double>());
    q.rank_reduce_cycles = busiest / m.samples;
  }
  q.energy_per_sample_pj = number(j, "energy_pj", "total") / m.samples;
  return m;
}

}  // namespace lrt::explore
