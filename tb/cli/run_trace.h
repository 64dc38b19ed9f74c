#pragma once
// The columns of trace.csv beyond accuracy and total writes (docs/run.md, "trace.csv"):
// per trainable layer its max and total writes per cell, and on the TLM engine the
// cumulative energy by phase and in total (pJ) and the cumulative cycles. Column names carry
// their units. Everything comes from the engine and the backend's summary, both restored by
// a checkpoint, so a resumed run writes the same rows as an uninterrupted one.

#include <string>

#include "cli/run_backend.h"
#include "golden/engine.h"

namespace lrt::cli {

/// @brief The extra header fields, each preceded by a comma (no newline).
std::string trace_extra_header(const golden::Engine& engine, const RunBackend& backend);

/// @brief The extra fields of the row for the current state, matching trace_extra_header().
std::string trace_extra_row(const golden::Engine& engine, const RunBackend& backend);

}  // namespace lrt::cli
