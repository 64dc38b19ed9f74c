#pragma once
// The short report `lrtsim run` prints at the end of every run (docs/run.md, "The report"):
// accuracy, writes per cell and projected lifetime, energy per sample by component and by
// phase (largest first, with shares), cycles per sample and simulated time, and where the
// files are. It is computed from summary.json alone, so what the terminal shows is what the
// file holds; the golden engine's report says that energy and cycles need --engine tlm.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lrt::cli {

/// @brief The report's text (several lines, each ending in a newline) for `summary` (the
/// parsed summary.json) of the run in `dir`, whose result files are `files`.
std::string run_report(const nlohmann::json& summary, const std::string& dir,
                       const std::vector<std::string>& files);

/// @brief Energy in picojoules with an SI prefix chosen for 3 significant digits ("1.23 µJ").
std::string format_energy_pj(double pj);

/// @brief A duration in seconds as "12.3 ms", "4.5 s", "3.2 h", "7.1 days", "2.0 years".
std::string format_seconds(double s);

}  // namespace lrt::cli
