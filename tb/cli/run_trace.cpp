#include "cli/run_trace.h"

#include <nlohmann/json.hpp>

namespace lrt::cli {

namespace {

// The backend's summary is the one place that names the TLM ledger's phases and converts its
// energy to pJ; reading it here keeps the trace's numbers identical to summary.json's.
nlohmann::ordered_json backend_summary(const RunBackend& backend) {
  nlohmann::ordered_json j;
  backend.add_summary(j);
  return j;
}

// The shortest text that reads back to the same double, as in summary.json.
std::string number(double v) { return nlohmann::json(v).dump(); }

}  // namespace

std::string trace_extra_header(const golden::Engine& engine, const RunBackend& backend) {
  std::string h;
  for (int l : engine.trainable_layers()) {
    const std::string s = std::to_string(l);
    h += ",writes_max_per_cell_layer" + s + ",writes_total_layer" + s;
  }
  const nlohmann::ordered_json j = backend_summary(backend);
  if (j.contains("energy_pj")) {
    for (const auto& p : j["energy_pj"]["by_phase"].items()) h += ",energy_pj_" + p.key();
    h += ",energy_pj_total,cycles";
  }
  return h;
}

std::string trace_extra_row(const golden::Engine& engine, const RunBackend& backend) {
  std::string r;
  for (int l : engine.trainable_layers()) {
    const golden::WriteStats w = engine.write_stats(l);
    r += "," + std::to_string(w.max) + "," + std::to_string(w.total);
  }
  const nlohmann::ordered_json j = backend_summary(backend);
  if (j.contains("energy_pj")) {
    for (const auto& p : j["energy_pj"]["by_phase"].items()) r += "," + number(p.value().get<double>());
    r += "," + number(j["energy_pj"]["total"].get<double>()) + "," +
         std::to_string(j["cycles"].get<uint64_t>());
  }
  return r;
}

}  // namespace lrt::cli
