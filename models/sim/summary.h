#pragma once
// summary.json (docs/run.md, "summary.json"): accuracy, writes, the device's wear and lifetime,
// the datapath's saturation, gradient sparsity, precision costs and MAC work, PFQ, and what only
// the TLM engine knows (cycles, energy); and host.json, the host's wall time, kept apart because
// it is the only result that differs between two runs of one configuration and seed.

#include <cstdint>
#include <string>

#include "config/specs.h"
#include "golden/training/engine.h"
#include "sim/backend.h"
#include "sim/trace.h"

namespace lrt::sim {

/// @brief The shortest text that reads back to the same double, as nlohmann::json writes it:
/// byte-stable, and the same in summary.json and trace.csv.
std::string json_number(double v);

/// @brief summary.json's text for the state `s` (the engine's and backend's current state).
std::string summary_json(const config::Specs& specs, const Snapshot& s, const golden::Engine& engine,
                         const Backend& backend, bool interrupted);

/// @brief host.json's text: the wall time of `samples` samples trained by this process.
std::string host_json(double seconds, uint64_t samples);

}  // namespace lrt::sim
