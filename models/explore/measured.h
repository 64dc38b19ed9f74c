#pragma once
// The measured points of a sweep (docs/exploration.md, "Measured points"): the `lrtsim run`
// of a point, and what its summary.json gives in the closed form's terms.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explore/closed_form.h"
#include "explore/sweep.h"

namespace lrt::explore {

/// @brief What a measured run reports, per sample where the closed form is per sample.
struct Measured {
  PointResult q;
  double samples = 0, accuracy_ema = 0, accuracy_last_500 = 0;
};

/// @brief The folder of point k's run under the sweep's result directory `out`.
std::string point_dir(const std::string& out, std::size_t k);

/// @brief `lrtsim run` of a point (after the executable): the sweep's run configuration with
/// the point's algorithm, B, rank and weight width as overrides, results in dir/run.
std::vector<std::string> run_args(const Sweep& s, const PlannedPoint& p, const std::string& dir);

/// @brief The measured row of the run in `dir` (a point_dir()), or nothing when the run did not
/// finish (no summary, interrupted, fewer than `expected_samples`). `logic_area_um2` is the
/// synthesis's, which a run does not measure.
std::optional<Measured> read_measured(const std::string& dir, uint64_t expected_samples, double logic_area_um2);

}  // namespace lrt::explore
