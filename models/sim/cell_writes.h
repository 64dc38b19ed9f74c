#pragma once
// DIR/cell_writes.json: every weight cell's write count at the end of a run, per trainable
// layer as a rows x cols matrix (rows = output neurons / filters, cols = fan-in), so that
// `lrtsim report` can draw the per-layer histograms and the hottest layer's heat map
// (docs/report.md). The counts are the engine's, the same that summary.json's
// writes.max_per_cell and writes.total sum up.

#include <string>

#include "golden/training/engine.h"

namespace lrt::sim {

/// @brief The file's text: {"unit", "layers": [{"layer", "rows", "cols", "writes": [...]}]}.
std::string cell_writes_json(const golden::Engine& engine);

}  // namespace lrt::sim
