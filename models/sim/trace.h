#pragma once
// trace.csv (docs/run.md, "trace.csv"): one row every run.trace_every samples and one for the
// final state, with the online accuracy and total writes, then per trainable layer its max and
// total writes per cell, and on the TLM engine the cumulative energy by phase and in total (pJ)
// and the cumulative cycles. Column names carry their units. Everything comes from the engine
// and the backend's summary, both restored by a checkpoint, so a resumed run writes the same
// rows as an uninterrupted one.

#include <cstdint>
#include <string>

#include "golden/training/engine.h"
#include "sim/backend.h"

namespace lrt::sim {

/// @brief What a trace row and summary.json report of the state after `samples` samples.
struct Snapshot {
  uint64_t samples = 0;
  double ema = 0.0;   ///< online accuracy, bias-corrected EMA
  double last = 0.0;  ///< correct fraction of the last min(samples, 500)
  golden::WriteStats writes;
};

/// @brief The header line (with its newline).
std::string trace_header(const golden::Engine& engine, const Backend& backend);

/// @brief The row of `s` (with its newline); the per-layer and energy fields are the engine's
/// and backend's current state, which must be the state of `s`.
std::string trace_row(const Snapshot& s, const golden::Engine& engine, const Backend& backend);

}  // namespace lrt::sim
