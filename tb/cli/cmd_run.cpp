// lrtsim run CONFIG: deploys the pretrained model (run.model) and trains it online on the
// configured stream, writing DIR/config.yaml, summary.json, trace.csv and host.json
// (docs/run.md). With --checkpoint-every it also keeps DIR/checkpoint.ckpt (engine and run
// state); `lrtsim run --resume DIR` continues from it to byte-identical results. --engine picks
// the golden engine or the TLM accelerator model (sim/backend.h). The run itself is
// sim::Session (sim/session.h); this file parses, keeps the result directory and prints.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/run_report.h"
#include "config/config.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "core/run_directory.h"
#include "sim/session.h"

namespace lrt::cli {

namespace {

const char* const kCheckpointFile = "checkpoint.ckpt";
const char* const kCellWritesFile = "cell_writes.json";

struct RunArgs {
  std::string file;
  std::string out;
  std::vector<std::string> sets;
  uint64_t samples = 0;
  std::string seed;  // empty: run.seed (kept as text so that --set-style errors name the key)
  bool force = false;
  std::string resume;  // a run directory to continue
  sim::SessionOptions session;
};

std::string default_out(const std::string& config_file) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return "runs/" + std::filesystem::path(config_file).stem().string() + "-" + stamp;
}

// The checkpoint of the run in `dir`, read when the session needs it.
sim::CheckpointSource run_checkpoint(const std::string& dir) {
  return [path = (std::filesystem::path(dir) / kCheckpointFile).string()] {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw InputError(InputLocation(path),
                       "--resume: no checkpoint to resume from (runs write one with "
                       "--checkpoint-every N, and when SIGINT/SIGTERM stops them)");
    return Checkpoint::read(path);
  };
}

int run_training(const RunArgs& args) {
  const bool resuming = !args.resume.empty();
  const std::string config_file =
      resuming ? (std::filesystem::path(args.resume) / "config.yaml").string() : args.file;
  std::vector<std::string> sets = args.sets;
  if (args.samples) sets.push_back("run.samples=" + std::to_string(args.samples));
  if (!args.seed.empty()) sets.push_back("run.seed=" + args.seed);
  if (resuming) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config_file, ec))
      throw InputError(InputLocation(config_file), "--resume: not a run directory (no config.yaml)");
  }
  const config::Specs specs = config::load_specs(config_file, sets);
  const std::unique_ptr<sim::Session> session =
      resuming ? sim::Session::resume(specs, args.session, run_checkpoint(args.resume),
                                      (std::filesystem::path(args.resume) / "summary.json").string())
               : sim::Session::deploy(specs, args.session, sim::model_file(specs, args.file));

  // A resumed directory is ours to continue: its results are rewritten.
  const RunDirectory dir(resuming ? args.resume : (args.out.empty() ? default_out(args.file) : args.out),
                         args.force || resuming,
                         {"config.yaml", "summary.json", "trace.csv", "host.json", kCellWritesFile,
                          kCheckpointFile});
  dir.write("config.yaml", config::effective_yaml(specs));

  install_stop_handlers();
  const bool show = specs.run.progress || ::isatty(::fileno(stderr));
  ProgressLine progress(specs.run.samples, "samples");
  sim::RunHooks hooks;
  hooks.stop = [] { return stop_requested(); };
  hooks.checkpoint = [&dir](const CheckpointWriter& w) { w.write(dir.file(kCheckpointFile)); };
  if (show)
    hooks.progress = [&progress](uint64_t done, double ema) {
      char extra[48];
      std::snprintf(extra, sizeof extra, "acc %.1f%%", 100.0 * ema);
      progress.update(done, extra);
    };
  const sim::RunResult result = session->run(hooks);
  if (show) progress.finish(result.done);
  dir.write("trace.csv", result.trace_csv);
  dir.write("summary.json", result.summary_json);
  dir.write(kCellWritesFile, result.cell_writes_json);
  dir.write("host.json", result.host_json);
  std::vector<std::string> files{"summary.json", "trace.csv", kCellWritesFile, "config.yaml", "host.json"};
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir.file(kCheckpointFile), ec)) files.emplace_back(kCheckpointFile);
  std::fputs(run_report(nlohmann::json::parse(result.summary_json), dir.path(), files).c_str(), stdout);
  std::fflush(stdout);
  if (result.interrupted) {
    std::fprintf(stderr,
                 "lrtsim run: interrupted after %llu samples; partial results in %s; continue with "
                 "`lrtsim run --resume %s`\n",
                 static_cast<unsigned long long>(result.done), dir.path().c_str(), dir.path().c_str());
    return stop_signal() ? 128 + stop_signal() : kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("run", "Train the pretrained model online and write summary.json, trace.csv");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("CONFIG", args->file, "YAML configuration file (not with --resume)");
  cmd->add_option("--out", args->out, "result directory (default: runs/<config>-<time>)");
  cmd->add_option("--samples", args->samples, "online samples (overrides run.samples)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->seed, "seed (overrides run.seed)");
  auto* engine = cmd->add_option("--engine", args->session.engine,
                                 "golden (the C++ golden engine) or tlm (the SystemC model; default golden; a "
                                 "resumed run keeps its engine)")
                     ->check(CLI::IsMember({"golden", "tlm"}));
  cmd->add_option("--vcd", args->session.vcd, "write a VCD trace of the accelerator's phases to FILE (--engine tlm)");
  cmd->add_option("--jobs", args->session.jobs,
                  "threads for the convolution and fc GEMMs (default 1); every result is bit-identical for "
                  "any N")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--set", args->sets, "override one key: key.path=value (repeatable; later wins)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", args->force, "overwrite the results in an occupied --out");
  auto* every = cmd->add_option("--checkpoint-every", args->session.checkpoint_every,
                                "write DIR/checkpoint.ckpt every N samples (0: only when stopped by "
                                "SIGINT/SIGTERM; default 0; a resumed run keeps its N)");
  cmd->add_option(
      "--resume", args->resume,
      "continue the run in DIR from DIR/checkpoint.ckpt, with DIR/config.yaml (--samples and --set "
      "may change unhashed keys such as run.samples)");
  cmd->callback([&action, args, every, engine] {
    args->session.checkpoint_every_given = every->count() > 0;
    args->session.engine_given = engine->count() > 0;
    action = [args] {
      if (args->resume.empty() && args->file.empty())
        throw InputError(InputLocation({}, -1, -1, "CONFIG"),
                         "missing: give a configuration file or --resume DIR");
      if (!args->resume.empty()) {
        if (!args->file.empty())
          throw InputError(InputLocation({}, -1, -1, "--resume"),
                           "takes its configuration from DIR/config.yaml; drop the CONFIG argument");
        if (!args->out.empty() || args->force)
          throw InputError(InputLocation({}, -1, -1, "--resume"),
                           "writes into DIR itself; drop --out / --force");
      }
      return run_training(*args);
    };
  });
}

}  // namespace lrt::cli
