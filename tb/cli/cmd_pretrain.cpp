// lrtsim pretrain CONFIG --out model.ckpt: quantization-aware training of the integer
// golden engine on the offline_train stream, then its validation accuracy, then the model
// checkpoint that `lrtsim run` deploys (docs/run.md, "Pre-training"). --samples 0 writes the
// initialized, untrained model (He-initialized weights of run.seed) for runs "from scratch".
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "data/stream.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"
#include "sim/pretrain.h"

namespace lrt::cli {

namespace {

struct PretrainArgs {
  std::string file;
  std::string out;
  std::vector<std::string> sets;
  uint64_t samples = 0;
  bool samples_given = false;  // else pretrain.samples; --samples 0: the untrained model
  bool force = false;
  int jobs = 1;  // GEMM threads; the model does not depend on it
};

int run_pretrain(const PretrainArgs& args) {
  std::vector<std::string> sets = args.sets;
  // pretrain.samples is at least 1: an untrained model is asked for on the command line only.
  if (args.samples_given && args.samples > 0) sets.push_back("pretrain.samples=" + std::to_string(args.samples));
  const config::Specs specs = config::load_specs(args.file, sets);
  if (args.out.empty()) throw InputError({}, "--out: empty path; expected the checkpoint file to write");
  if (!args.force && path_exists(args.out))
    throw InputError(InputLocation(args.out), "already exists; choose another --out or pass --force to overwrite");

  install_stop_handlers();
  const uint64_t total = args.samples_given ? args.samples : specs.pretrain.samples;
  const bool show = specs.run.progress || ::isatty(::fileno(stderr));
  ProgressLine progress(total, "samples");
  sim::PretrainHooks hooks;
  hooks.stop = [] { return stop_requested(); };
  if (show)
    hooks.progress = [&](uint64_t done, double recent) {
      char extra[48];
      std::snprintf(extra, sizeof extra, "train acc %.1f%%", 100.0 * recent);
      progress.update(done, extra);
    };
  const sim::PretrainResult r = sim::pretrain(specs, total, args.jobs, hooks);
  if (show) progress.finish(r.samples);
  if (r.interrupted) {
    std::cerr << "lrtsim pretrain: interrupted after " << r.samples << " samples; no checkpoint written\n";
    return stop_signal() ? 128 + stop_signal() : kExitRunFailed;
  }

  create_parent_directories(args.out);
  r.model->write(args.out);
  if (!r.validation) {
    std::printf("pretrained 0 samples (untrained: the initial weights of run.seed %llu)\nmodel: %s\n",
                static_cast<unsigned long long>(specs.run.seed), args.out.c_str());
  } else {
    std::printf("pretrained %llu samples (%s, learning rate %g)\nvalidation_accuracy: %.4f (%llu samples)\nmodel: %s\n",
                static_cast<unsigned long long>(r.samples), golden::to_string(specs.pretrain.scheme),
                specs.pretrain.learning_rate, *r.validation, static_cast<unsigned long long>(r.validation_samples),
                args.out.c_str());
  }
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void add_pretrain_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "pretrain", "Train the deployed model offline (quantization-aware) and write its checkpoint");
  auto args = std::make_shared<PretrainArgs>();
  cmd->add_option("CONFIG", args->file, "YAML configuration file")->required();
  cmd->add_option("--out", args->out, "checkpoint to write (run.model of the run that deploys it)")->required();
  auto* samples = cmd->add_option("--samples", args->samples,
                                  "offline training samples (overrides pretrain.samples); 0 writes the "
                                  "untrained model (the initial weights of run.seed), e.g. for runs from scratch")
                       ->check(CLI::NonNegativeNumber);
  cmd->add_option("--set", args->sets, "override one key: key.path=value (repeatable; later wins)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", args->force, "overwrite an existing --out");
  cmd->add_option("--jobs", args->jobs, "threads for the GEMMs (default 1); the model is bit-identical for any N")
      ->check(CLI::Range(1, 256));
  cmd->callback([&action, args, samples] {
    args->samples_given = samples->count() > 0;
    action = [args] { return run_pretrain(*args); };
  });
}

}  // namespace lrt::cli
