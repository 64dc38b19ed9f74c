#include "sim/trace.h"

#include <nlohmann/json.hpp>

#include "sim/summary.h"

namespace lrt::sim {

namespace {

// The backend's summary is the one place that names the TLM ledger's phases and converts its
// energy to pJ; reading it here keeps the trace's numbers identical to summary.json's.
nlohmann::ordered_json backend_summary(const Backend& backend) {
  nlohmann::ordered_json j;
  backend.add_summary(j);
  return j;
}

}  // namespace

std::string trace_header(const golden::Engine& engine, const Backend& backend) {
  std::string h = "sample,accuracy_online_ema,accuracy_last_500,writes_max_per_cell,writes_mean_per_cell,writes_total";
  for (int l : engine.trainable_layers()) {
    const std::string s = std::to_string(l);
    h += ",writes_max_per_cell_layer" + s + ",writes_total_layer" + s;
  }
  const nlohmann::ordered_json j = backend_summary(backend);
  if (j.contains("energy_pj")) {
    for (const auto& p : j["energy_pj"]["by_phase"].items()) h += ",energy_pj_" + p.key();
    h += ",energy_pj_total,cycles";
  }
  return h + "\n";
}

std::string trace_row(const Snapshot& s, const golden::Engine& engine, const Backend& backend) {
  std::string r = std::to_string(s.samples) + "," + json_number(s.ema) + "," + json_number(s.last) + "," +
                  std::to_string(s.writes.max) + "," + json_number(s.writes.mean()) + "," +
                  std::to_string(s.writes.total);
  for (int l : engine.trainable_layers()) {
    const golden::WriteStats w = engine.write_stats(l);
    r += "," + std::to_string(w.max) + "," + std::to_string(w.total);
  }
  const nlohmann::ordered_json j = backend_summary(backend);
  if (j.contains("energy_pj")) {
    for (const auto& p : j["energy_pj"]["by_phase"].items()) r += "," + json_number(p.value().get<double>());
    r += "," + json_number(j["energy_pj"]["total"].get<double>()) + "," + std::to_string(j["cycles"].get<uint64_t>());
  }
  return r + "\n";
}

}  // namespace lrt::sim
