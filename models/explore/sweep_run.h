#pragma once
// One `lrtsim explore` (docs/exploration.md): the closed-form model over a sweep's points, the
// measured points as `lrtsim run` processes (runner.h) that a rerun does not repeat once they
// finished, and the result directory: points.csv (one row per point and source),
// summary.json, sweep.yaml and, with measured points, run_config.yaml.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace lrt::explore {

/// @brief What `lrtsim explore` is asked to do.
struct SweepRunOptions {
  std::string sweep;   ///< the sweep file
  std::string out;     ///< the result directory (a rerun of the same sweep continues it)
  std::string lrtsim;  ///< the executable of the measured runs (empty: this process's)
  bool force = false;  ///< overwrite other results in `out`, measured points included
  bool slurm = false;  ///< the measured points as one Slurm job array
  int jobs = 1;        ///< measured points at once (processes or array tasks)
  std::vector<std::string> sbatch_args;
};

/// @brief A measured point without a finished run.
struct FailedPoint {
  std::size_t point = 0;
  std::string problem, log;
};

/// @brief What a sweep run did.
struct SweepRunResult {
  std::size_t points = 0;         ///< closed-form rows
  std::size_t measured = 0;       ///< points marked for measurement
  std::size_t measured_rows = 0;  ///< of those, with a finished run
  std::string points_csv;         ///< path of points.csv
  std::vector<FailedPoint> failed;
};

/// @brief Called once the measured points are planned: how many there are, how many finished
/// before (skipped) and how many run now.
using SweepPlanHook = std::function<void(std::size_t measured, std::size_t finished_before, std::size_t to_run)>;

/// @brief Evaluates, measures and writes the result directory (see the file comment).
/// Throws InputError for a bad sweep or an occupied directory, RunError when the measured
/// runs cannot be started.
SweepRunResult run_sweep(const SweepRunOptions& options, const SweepPlanHook& on_plan = {});

}  // namespace lrt::explore
