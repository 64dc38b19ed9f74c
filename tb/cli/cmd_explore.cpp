// lrtsim explore SWEEP --out DIR [--force] [--jobs N] [--slurm]: evaluates the closed-form
// design-space model (explore/closed_form.h) over the axes of a sweep file
// (explore/sweep.h) and, for the points it marks `simulate`, measures them with
// `lrtsim run` in separate processes (explore/runner.h): explore::run_sweep
// (explore/sweep_run.h). Writes DIR/points.csv (one row per point and source),
// DIR/summary.json and DIR/sweep.yaml. A rerun on the same DIR with the same sweep skips the
// measured points that finished.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "explore/sweep_run.h"

namespace lrt::cli {

namespace {

int run_explore(const explore::SweepRunOptions& args) {
  const explore::SweepRunResult r =
      explore::run_sweep(args, [&args](std::size_t measured, std::size_t skipped, std::size_t to_run) {
        std::cerr << "explore: " << measured << " measured points: " << skipped << " finished before, " << to_run
                  << " to run" << (args.slurm ? " on Slurm" : " with --jobs " + std::to_string(args.jobs)) << "\n";
      });
  std::cout << "explore: " << r.points << " points";
  if (r.measured) std::cout << ", " << r.measured_rows << "/" << r.measured << " measured";
  std::cout << " -> " << r.points_csv << "\n";
  if (!r.failed.empty()) {
    for (const auto& f : r.failed)
      std::cerr << "explore: point " << f.point << " failed: " << f.problem << " (log: " << f.log << ")\n";
    std::cerr << "explore: " << r.failed.size() << " measured point(s) failed; rerun the same command to retry them\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace

void add_explore_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("explore", "Design-space exploration (Figure 3): closed-form model and measured runs");
  auto args = std::make_shared<explore::SweepRunOptions>();
  cmd->add_option("SWEEP", args->sweep, "sweep file (YAML; see docs/exploration.md)")->required();
  cmd->add_option("--out", args->out, "result directory (a rerun with the same sweep continues it)")->required();
  cmd->add_flag("--force", args->force, "overwrite results already in --out (measured points included)");
  cmd->add_option("--jobs", args->jobs, "measured points run at once (processes; with --slurm: array tasks)");
  cmd->add_flag("--slurm", args->slurm, "run the measured points as a Slurm job array (sbatch --wait)");
  cmd->add_option("--sbatch-arg", args->sbatch_args, "extra sbatch argument, e.g. --sbatch-arg=--partition=x (repeatable)");
  cmd->add_option("--lrtsim", args->lrtsim, "lrtsim executable for the measured runs (default: this one)");
  cmd->callback([&action, args] { action = [args] { return run_explore(*args); }; });
}

}  // namespace lrt::cli
