#pragma once
// Runs the measured points of `lrtsim explore` as separate `lrtsim run` processes: locally,
// at most `jobs` at a time, or as one Slurm job array (sbatch --wait). Each process writes
// into its own folder, so a crash in one point loses none of the others, and a rerun finds
// the finished points by their complete summary.json (docs/exploration.md, "Running").

#include <cstddef>
#include <string>
#include <vector>

namespace lrt::explore {

/// @brief One measured point: `exe args...` run in the current folder, output to log.
struct PointJob {
  std::size_t point = 0;          ///< the CSV's point number
  std::string dir;                ///< the point's folder (log.txt, exit_code, run/)
  std::vector<std::string> args;  ///< after the executable
};

/// @brief How a job ended: ok, or the problem ("exit 2: <last line of its log>",
/// "killed by signal 11").
struct JobOutcome {
  bool ok = false;
  std::string problem;
};

/// @brief Runs every job, `jobs` processes at a time; a stop request (SIGINT / SIGTERM)
/// starts no further job and waits for the running ones (which stop cleanly themselves).
std::vector<JobOutcome> run_local(const std::vector<PointJob>& jobs, const std::string& exe, int parallel);

/// @brief Slurm options of `--slurm`.
struct SlurmOptions {
  std::string sbatch = "sbatch";            ///< the submit command (PATH lookup)
  std::vector<std::string> extra_args;      ///< e.g. --partition=..., --time=...
  std::string work_dir;                     ///< DIR/slurm: array.sh, jobs.txt, task logs
};

/// @brief Submits the jobs as one array (at most `parallel` tasks at once) with
/// `sbatch --wait` and reads each task's exit code back. Throws RunError when sbatch cannot
/// be run or refuses the job; the nodes must share this file system (the results are read
/// here).
std::vector<JobOutcome> run_slurm(const std::vector<PointJob>& jobs, const std::string& exe, int parallel,
                                  const SlurmOptions& options);

/// @brief Shell quoting for one word (single quotes).
std::string shell_quote(const std::string& word);

}  // namespace lrt::explore
