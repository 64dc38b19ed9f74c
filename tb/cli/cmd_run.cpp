// lrtsim run CONFIG: deploys the pretrained model (run.model) and trains it online on the
// configured stream, writing DIR/config.yaml, summary.json, trace.csv and host.json
// (docs/run.md). Only the golden engine exists so far; the TLM engine comes with issue 5.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "config/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "core/run_directory.h"
#include "data/stream.h"
#include "golden/engine.h"
#include "golden/model_io.h"

namespace lrt::cli {

namespace {

constexpr double kEmaDecay = 0.999;  // Figure 6's online accuracy: EMA 0.999 of per-sample correctness
constexpr int kWindow = 500;         // accuracy.last_500

struct RunArgs {
  std::string file;
  std::string out;
  std::vector<std::string> sets;
  uint64_t samples = 0;
  std::string seed;  // empty: run.seed (kept as text so that --set-style errors name the key)
  std::string engine = "golden";
  bool force = false;
};

[[noreturn]] void bad_key(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

// The golden engine models no device: refuse every device effect that is switched on
// rather than running the control environment under another name.
void refuse_device_effects(const config::Specs& specs) {
  const config::RramSpecs& r = specs.accel.rram;
  const std::string why = " but the golden engine does not model the RRAM device; the TLM engine will (issue 5)";
  if (r.drift.model != config::DriftModel::kNone)
    bad_key("accel.rram.drift.model", "turns weight drift on" + why + "; expected none");
  if (r.stuck_at_fault_rate > 0.0)
    bad_key("accel.rram.stuck_at_fault_rate", "is above 0" + why + "; expected 0");
  if (r.read_noise_sigma_levels > 0.0)
    bad_key("accel.rram.read_noise_sigma_levels", "is above 0" + why + "; expected 0");
  if (r.power_law_nu > 0.0) bad_key("accel.rram.power_law_nu", "is above 0" + why + "; expected 0");
}

// Fewest writes after which some cell may wear out: the endurance distribution 6 standard
// deviations below its centre (fixed: the value itself). The golden engine stops with an
// error there instead of silently ignoring wear-out (docs/run.md, "Device effects").
double wear_out_bound(const config::RramSpecs& r) {
  const double w = static_cast<double>(r.endurance_writes);
  switch (r.endurance_distribution) {
    case device::EnduranceDistribution::kFixed:
      return w;
    case device::EnduranceDistribution::kNormal:
      return std::max(1.0, w * (1.0 - 6.0 * r.endurance_spread));
    case device::EnduranceDistribution::kLognormal:
      return std::max(1.0, w * std::exp(-6.0 * r.endurance_spread));
  }
  return 1.0;
}

/// Online accuracy bookkeeping: the bias-corrected EMA and the last-500 window.
class OnlineAccuracy {
 public:
  void add(bool correct) {
    ema_ = kEmaDecay * ema_ + (1.0 - kEmaDecay) * (correct ? 1.0 : 0.0);
    decay_power_ *= kEmaDecay;
    if (window_.size() < kWindow) {
      window_.push_back(correct);
    } else {
      window_correct_ -= window_[next_] ? 1 : 0;
      window_[next_] = correct;
      next_ = (next_ + 1) % kWindow;
    }
    window_correct_ += correct ? 1 : 0;
  }
  /// EMA divided by 1 - 0.999^n, so that early values are not biased towards the start value 0.
  /// The two roundings of numerator and denominator can put an all-correct ratio an ulp above
  /// 1, hence the clamp.
  double ema() const { return decay_power_ < 1.0 ? std::min(1.0, ema_ / (1.0 - decay_power_)) : 0.0; }
  /// Correct fraction of the last min(n, 500) samples.
  double last_window() const {
    return window_.empty() ? 0.0 : static_cast<double>(window_correct_) / static_cast<double>(window_.size());
  }

 private:
  double ema_ = 0.0;
  double decay_power_ = 1.0;
  std::vector<bool> window_;
  std::size_t next_ = 0;
  uint64_t window_correct_ = 0;
};

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// The shortest text that reads back to the same double (as in summary.json): byte-stable.
std::string number(double v) { return nlohmann::json(v).dump(); }

struct Snapshot {
  uint64_t samples = 0;
  double ema = 0.0;
  double last = 0.0;
  golden::WriteStats writes;
};

double write_density(const golden::WriteStats& w, uint64_t samples) {
  if (w.cells == 0 || samples == 0) return 0.0;
  return static_cast<double>(w.total) / static_cast<double>(w.cells) / static_cast<double>(samples);
}

std::string trace_row(const Snapshot& s) {
  return std::to_string(s.samples) + "," + number(s.ema) + "," + number(s.last) + "," +
         std::to_string(s.writes.max) + "," + number(s.writes.mean()) + "," + std::to_string(s.writes.total) + "\n";
}

std::string summary_json(const config::Specs& specs, const Snapshot& s, const golden::Engine& engine,
                         bool interrupted) {
  nlohmann::ordered_json j;
  j["engine"] = "golden";
  j["stream"] = specs.run.stream == config::RunStream::kShift ? "shift" : "online";
  j["seed"] = specs.run.seed;
  j["config_hash"] = config::hash_hex(config::config_hash(specs));
  j["samples"] = s.samples;
  j["interrupted"] = interrupted;
  j["accuracy"]["online_ema"] = s.ema;
  j["accuracy"]["last_500"] = s.last;
  j["writes"]["cells"] = s.writes.cells;
  j["writes"]["total"] = s.writes.total;
  j["writes"]["max_per_cell"] = s.writes.max;
  j["writes"]["mean_per_cell"] = s.writes.mean();
  j["writes"]["density"] = write_density(s.writes, s.samples);
  j["weights_digest"] = hex16(engine.weights_digest());
  return j.dump(2) + "\n";
}

std::string host_json(double seconds, uint64_t samples) {
  nlohmann::ordered_json j;
  j["wall_seconds"] = seconds;
  j["samples_per_second"] = seconds > 0 ? static_cast<double>(samples) / seconds : 0.0;
  return j.dump(2) + "\n";
}

std::string default_out(const std::string& config_file) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return "runs/" + std::filesystem::path(config_file).stem().string() + "-" + stamp;
}

int run_golden(const RunArgs& args) {
  std::vector<std::string> sets = args.sets;
  if (args.samples) sets.push_back("run.samples=" + std::to_string(args.samples));
  if (!args.seed.empty()) sets.push_back("run.seed=" + args.seed);
  const config::Specs specs = config::load_specs(args.file, sets);
  refuse_device_effects(specs);
  const golden::NetworkSpec net = config::network_spec(specs);
  const golden::TrainSpecs train = config::train_specs(specs);
  if (specs.run.samples > specs.data.split.online_samples)
    bad_key("run.samples", std::to_string(specs.run.samples) + " exceeds the online stream of " +
                               std::to_string(specs.data.split.online_samples) +
                               " samples (data.split.online_samples)");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(specs.run.model, ec))
    bad_key("run.model", "'" + specs.run.model + "' does not exist; create it with `lrtsim pretrain " + args.file +
                             " --out " + specs.run.model + "`");
  const Checkpoint model = Checkpoint::read(specs.run.model);

  std::unique_ptr<golden::Engine> engine;
  try {
    engine = std::make_unique<golden::Engine>(net, train);
  } catch (const std::invalid_argument& e) {
    bad_key("network.layers", e.what());
  }
  golden::load_model(model, *engine);

  const data::Dataset dataset = data::Dataset::load(config::data_specs(specs), specs.run.seed);
  const data::SampleStream stream =
      dataset.stream(specs.run.stream == config::RunStream::kShift ? data::Split::kShift : data::Split::kOnline);
  const data::Sample first = stream.at(0);
  if (static_cast<int>(first.rows) != net.in_h || static_cast<int>(first.cols) != net.in_w || net.in_c != 1)
    bad_key("network.input", "is " + std::to_string(net.in_h) + "x" + std::to_string(net.in_w) + "x" +
                                 std::to_string(net.in_c) + " but the images are " + std::to_string(first.rows) +
                                 "x" + std::to_string(first.cols) + "x1");

  const RunDirectory dir(args.out.empty() ? default_out(args.file) : args.out, args.force,
                         {"config.yaml", "summary.json", "trace.csv", "host.json"});
  dir.write("config.yaml", config::effective_yaml(specs));

  install_stop_handlers();
  const auto start = std::chrono::steady_clock::now();
  const uint64_t total = specs.run.samples;
  const bool show = specs.run.progress || ::isatty(::fileno(stderr));
  const double wear_bound = wear_out_bound(specs.accel.rram);
  ProgressLine progress(total, "samples");
  OnlineAccuracy acc;
  std::string trace = "sample,accuracy_online_ema,accuracy_last_500,writes_max_per_cell,writes_mean_per_cell,"
                      "writes_total\n";
  Snapshot snap;
  const auto take = [&](uint64_t n) {
    snap = Snapshot{n, acc.ema(), acc.last_window(), engine->write_stats()};
    return snap;
  };
  uint64_t done = 0;
  for (; done < total && !stop_requested(); ++done) {
    const data::Sample s = stream.at(done);
    acc.add(engine->train_step(s.pixels.data(), s.label).correct);
    if ((done + 1) % specs.run.trace_every == 0) {
      trace += trace_row(take(done + 1));
      if (static_cast<double>(snap.writes.max) >= wear_bound)
        throw RunError("a weight cell was written " + std::to_string(snap.writes.max) +
                       " times, where cells may wear out (accel.rram.endurance_writes); the golden engine does "
                       "not model wear-out: use fewer samples or the TLM engine (issue 5)");
    }
    if (show) {
      char extra[48];
      std::snprintf(extra, sizeof extra, "acc %.1f%%", 100.0 * acc.ema());
      progress.update(done + 1, extra);
    }
  }
  if (snap.samples != done) trace += trace_row(take(done));  // the final state is always a row
  if (show) progress.finish(done);
  const bool interrupted = done < total;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  dir.write("trace.csv", trace);
  dir.write("summary.json", summary_json(specs, snap, *engine, interrupted));
  dir.write("host.json", host_json(seconds, done));
  std::printf("%s: %llu samples, online accuracy %.4f (last 500: %.4f), max writes per cell %llu\n",
              dir.path().c_str(), static_cast<unsigned long long>(done), snap.ema, snap.last,
              static_cast<unsigned long long>(snap.writes.max));
  std::fflush(stdout);
  if (interrupted) {
    std::fprintf(stderr, "lrtsim run: interrupted after %llu samples; partial results in %s\n",
                 static_cast<unsigned long long>(done), dir.path().c_str());
    return stop_signal() ? 128 + stop_signal() : kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("run", "Train the pretrained model online and write summary.json, trace.csv");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("CONFIG", args->file, "YAML configuration file")->required();
  cmd->add_option("--out", args->out, "result directory (default: runs/<config>-<time>)");
  cmd->add_option("--samples", args->samples, "online samples (overrides run.samples)")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->seed, "seed (overrides run.seed)");
  cmd->add_option("--engine", args->engine, "golden (the C++ golden engine) or tlm (the SystemC model)")
      ->check(CLI::IsMember({"golden", "tlm"}));
  cmd->add_option("--set", args->sets, "override one key: key.path=value (repeatable; later wins)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", args->force, "overwrite the results in an occupied --out");
  cmd->callback([&action, args] {
    action = [args] {
      if (args->engine == "tlm")
        throw InputError(InputLocation({}, -1, -1, "--engine"), "tlm is not implemented yet (issue 5); use golden");
      return run_golden(*args);
    };
  });
}

}  // namespace lrt::cli
