// lrtsim report DIR [DIR...] --out OUT: PNG plots and OUT/report.html from one or more run
// directories (docs/report.md). This command checks its inputs, so that a bad directory is
// reported with the file at fault and exit code 2 before any plotting starts, and then runs
// scripts/report.py (matplotlib) to draw the plots and write the page.
#include <spawn.h>
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/text_file.h"

extern char** environ;

namespace lrt::cli {

namespace {

struct ReportArgs {
  std::vector<std::string> dirs;
  std::string out;
};

// The keys report.py reads from every summary.json; a missing one is named here rather than
// as a Python traceback.
const char* const kRequired[] = {"/engine",
                                 "/samples",
                                 "/accuracy/online_ema",
                                 "/accuracy/last_500",
                                 "/writes/max_per_cell",
                                 "/writes/mean_per_cell",
                                 "/writes/total",
                                 "/lifetime/first_worn_cell"};

void check_run_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(InputLocation(dir), "not a directory");
  const std::string summary = (fs::path(dir) / "summary.json").string();
  if (!fs::is_regular_file(summary, ec))
    throw InputError(InputLocation(summary), "missing: not a run directory (lrtsim run writes summary.json)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(summary, "the run summary"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(InputLocation(summary), std::string("is not valid JSON: ") + e.what());
  }
  for (const char* key : kRequired)
    if (!j.contains(nlohmann::json::json_pointer(key)))
      throw InputError(InputLocation(summary, -1, -1, key),
                       "missing; expected the summary.json of `lrtsim run`");
  const std::string trace = (fs::path(dir) / "trace.csv").string();
  if (!fs::is_regular_file(trace, ec)) throw InputError(InputLocation(trace), "missing");
  const std::string text = read_text_file(trace, "the trace");
  if (text.rfind("sample,accuracy_online_ema,", 0) != 0)
    throw InputError(InputLocation(trace, 1),
                     "is not the trace.csv of `lrtsim run` (its header starts "
                     "sample,accuracy_online_ema,...)");
}

// scripts/report.py of this source tree; LRTSIM_REPORT_SCRIPT overrides (an installed copy).
std::string report_script() {
  if (const char* env = std::getenv("LRTSIM_REPORT_SCRIPT"); env && *env) return env;
  return std::string(LRTSIM_SOURCE_DIR) + "/scripts/report.py";
}

int run_report_command(const ReportArgs& args) {
  for (const std::string& d : args.dirs) check_run_dir(d);
  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  if (ec) throw RunError(args.out + ": cannot create the output directory: " + ec.message());
  const std::string script = report_script();
  if (!std::filesystem::is_regular_file(script, ec))
    throw RunError(script + ": the plotting script is missing (set LRTSIM_REPORT_SCRIPT to its path)");
  // Debian's interpreter, which has python3-matplotlib; a virtual environment's python3 first
  // on PATH may not. LRTSIM_PYTHON overrides.
  const char* env_python = std::getenv("LRTSIM_PYTHON");
  const std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  std::vector<std::string> argv_s{python, script, "--out", args.out};
  argv_s.insert(argv_s.end(), args.dirs.begin(), args.dirs.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  if (const int rc = ::posix_spawnp(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ); rc != 0)
    throw RunError("cannot start " + python + " (" + std::string(std::strerror(rc)) +
                   "); install python3-matplotlib (scripts/setup.sh does)");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw RunError("waiting for " + python + ": " + std::string(std::strerror(errno)));
  // report.py prints its own message; its exit code follows lrtsim's (2 bad input, 1 failure).
  if (!WIFEXITED(status)) return kExitRunFailed;
  if (WEXITSTATUS(status) == 0) return kExitOk;
  return WEXITSTATUS(status) == 2 ? kExitBadInput : kExitRunFailed;
}

}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("report", "Plots and an HTML page (OUT/report.html) from run directories");
  auto args = std::make_shared<ReportArgs>();
  cmd->add_option("DIR", args->dirs, "run directories of `lrtsim run` (several: compared side by side)")
      ->required();
  cmd->add_option("--out", args->out, "output directory for the PNG files and report.html")->required();
  cmd->callback([&action, args] { action = [args] { return run_report_command(*args); }; });
}

}  // namespace lrt::cli
