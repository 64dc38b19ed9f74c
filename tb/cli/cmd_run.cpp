// lrtsim run CONFIG: deploys the pretrained model (run.model) and trains it online on the
// configured stream, writing DIR/config.yaml, summary.json, trace.csv and host.json
// (docs/run.md). With --checkpoint-every it also keeps DIR/checkpoint.ckpt (engine and run
// state); `lrtsim run --resume DIR` continues from it to byte-identical results. --engine picks
// the golden engine or the TLM accelerator model (run_backend.h); both keep the weights in RRAM
// device models, and only the TLM engine reports cycles and energy.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/run_backend.h"
#include "cli/run_cell_writes.h"
#include "cli/run_report.h"
#include "cli/run_trace.h"
#include "config/config.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "core/thread_pool.h"
#include "core/run_directory.h"
#include "data/stream.h"
#include "golden/engine.h"
#include "golden/model_io.h"
#include "golden/precision_costs.h"
#include "golden/rank_reduce_fixed.h"
#include "golden/train_state.h"
#include "core/text_file.h"

namespace lrt::cli {

namespace {

constexpr double kEmaDecay = 0.999;       // Figure 6's online accuracy: EMA 0.999 of per-sample correctness
constexpr int kWindow = 500;              // accuracy.last_500
constexpr uint32_t kRunStateVersion = 3;  // layout of the run.* checkpoint sections (2: run.engine, rram.*;
                                          // 3: run.trace has the per-layer / energy columns)
const char* const kCheckpointFile = "checkpoint.ckpt";
const char* const kCellWritesFile = "cell_writes.json";

struct RunArgs {
  std::string file;
  std::string out;
  std::vector<std::string> sets;
  uint64_t samples = 0;
  std::string seed;  // empty: run.seed (kept as text so that --set-style errors name the key)
  std::string engine = "golden";
  bool force = false;
  uint64_t checkpoint_every = 0;  // samples; 0: only on SIGINT/SIGTERM
  bool checkpoint_every_given = false;
  std::string resume;  // a run directory to continue
  bool engine_given = false;
  std::string vcd;     // --vcd FILE (TLM engine)
  int jobs = 1;        // threads for the datapath's GEMMs; results do not depend on it
};

[[noreturn]] void bad_key(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
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

  void save(CheckpointWriter& w) const {
    w.add_array("run.ema", std::vector<double>{ema_, decay_power_});
    w.add_array("run.window", std::vector<uint8_t>(window_.begin(), window_.end()));
    w.add_array("run.window_next", std::vector<uint64_t>{next_});
  }
  void load(const Checkpoint& ck) {
    const auto ema = ck.array<double>("run.ema", 2);
    const auto window = ck.array<uint8_t>("run.window");
    const auto next = ck.array<uint64_t>("run.window_next", 1)[0];
    if (window.size() > kWindow || (window.size() < kWindow ? next != 0 : next >= kWindow))
      throw InputError(InputLocation(ck.path(), -1, -1, "run.window"),
                       "holds " + std::to_string(window.size()) + " entries at position " +
                           std::to_string(next) + "; expected at most " + std::to_string(kWindow));
    ema_ = ema[0];
    decay_power_ = ema[1];
    window_.assign(window.begin(), window.end());
    next_ = next;
    window_correct_ = 0;
    for (uint8_t c : window) window_correct_ += c ? 1 : 0;
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

// `extra`: the per-layer and energy fields of run_trace.h, taken at the same sample.
std::string trace_row(const Snapshot& s, const std::string& extra) {
  return std::to_string(s.samples) + "," + number(s.ema) + "," + number(s.last) + "," +
         std::to_string(s.writes.max) + "," + number(s.writes.mean()) + "," + std::to_string(s.writes.total) +
         extra + "\n";
}

// Saturation counters of the integer datapath: how often a value hit the end of its format.
void add_saturation_summary(nlohmann::ordered_json& j, const golden::Engine& engine) {
  uint64_t z_clipped = 0, z_total = 0, rr = 0;
  for (int l : engine.trainable_layers()) {
    const golden::AffineLayer& a = engine.affine(l);
    z_clipped += a.z_clips().clipped;
    z_total += a.z_clips().total;
    if (const golden::LrtAccumulator* acc = a.updater().lrt_accumulator())
      if (const golden::RankReduceFixed* f = acc->reducer().fixed_model()) rr += f->saturations();
  }
  j["saturation"]["z_clipped"] = z_clipped;
  j["saturation"]["z_total"] = z_total;
  j["saturation"]["rank_reduce"] = rr;
}

// Dithered backprop's sparsity and the MACs a zero-skipping datapath does (golden::AffineWork):
// the same numbers on both engines (docs/precision.md, "summary.json").
void add_gradient_summary(nlohmann::ordered_json& j, const golden::Engine& engine) {
  golden::AffineWork all;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  auto fraction = [](uint64_t part, uint64_t whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole); };
  for (int l : engine.trainable_layers()) {
    const golden::AffineWork& w = engine.affine(l).work();
    nlohmann::ordered_json e;
    e["layer"] = l;
    e["dz_entries"] = w.dz_entries;
    e["dz_zeros"] = w.dz_zeros;
    e["zero_fraction"] = fraction(w.dz_zeros, w.dz_entries);
    e["mean_dither_step_log2_lsb"] =
        w.dither_tensors == 0 ? 0.0 : static_cast<double>(w.dither_step_exp_sum) / static_cast<double>(w.dither_tensors);
    layers.push_back(e);
    all += w;
  }
  nlohmann::ordered_json& g = j["gradient_sparsity"];
  g["unit"] = "fraction of the Qg dz entries of the backward passes that are zero";
  g["dither"] = engine.specs().dither.enabled;
  g["overall"] = fraction(all.dz_zeros, all.dz_entries);
  g["dz_entries"] = all.dz_entries;
  g["dz_zeros"] = all.dz_zeros;
  g["layers"] = layers;
  // Sakr & Shanbhag §2.2 (golden/precision_costs.h): per layer and summed.
  const std::vector<golden::LayerPrecision> lp = golden::layer_precisions(engine);
  const golden::PrecisionCosts pc = golden::precision_costs(lp);
  nlohmann::ordered_json& p = j["precision_costs"];
  p["unit"] = "C_W, C_A, C_C: bits; C_M: 1-bit full adders per training iteration (one sample)";
  p["C_W"] = pc.c_w;
  p["C_A"] = pc.c_a;
  p["C_M"] = pc.c_m;
  p["C_C"] = pc.c_c;
  p["layers"] = nlohmann::ordered_json::array();
  for (const golden::LayerPrecision& l : lp) {
    const golden::PrecisionCosts c = golden::precision_costs(l);
    p["layers"].push_back({{"layer", l.layer}, {"B_W", l.b_w}, {"B_A", l.b_a}, {"B_GW", l.b_gw}, {"B_GA", l.b_ga},
                           {"B_acc", l.b_acc}, {"C_W", c.c_w}, {"C_A", c.c_a}, {"C_M", c.c_m}, {"C_C", c.c_c}});
  }
  nlohmann::ordered_json& m = j["mac_work"];
  m["unit"] = "multiply-accumulates of the conv/fc datapath; skipped = with a zero dz operand";
  m["forward"] = all.forward_macs;
  m["backward_data"] = all.backward_data_macs;
  m["backward_data_skipped"] = all.backward_data_skipped;
  m["weight_gradient"] = all.weight_grad_macs;
  m["weight_gradient_skipped"] = all.weight_grad_skipped;
  m["bias_adds"] = all.bias_adds;
  m["bias_adds_skipped"] = all.bias_skipped;
  m["bit_ops"] = all.mac_bit_ops;
  m["bit_ops_static_8x8"] = all.mac_bit_ops_8x8;
  // FracTrain PFQ: the schedule as it ran and the saving in MAC bit-operations against the same
  // MACs at a static FW8/BW8 (docs/precision.md).
  if (const golden::PfqSchedule* pfq = engine.pfq()) {
    nlohmann::ordered_json& q = j["pfq"];
    q["mode"] = pfq->spec().mode == golden::PfqSwitch::kAuto ? "auto" : "manual";
    q["stages"] = nlohmann::ordered_json::array();
    for (size_t s = 0; s < pfq->spec().forward_bits.size(); ++s) {
      nlohmann::ordered_json st;
      st["forward_bits"] = pfq->spec().forward_bits[s];
      st["backward_bits"] = pfq->spec().backward_bits[s];
      if (s == 0)
        st["started_at_sample"] = 0;
      else if (s <= pfq->state().switched_at.size())
        st["started_at_sample"] = pfq->state().switched_at[s - 1];
      else
        st["started_at_sample"] = nullptr;  // not reached
      q["stages"].push_back(st);
    }
    q["final_stage"] = pfq->state().stage;
    q["unit"] = "MAC bit-operations: performed conv/fc MACs x operand widths (B_w B_a, B_w B_g, B_g B_a)";
    q["bit_ops"] = all.mac_bit_ops;
    q["bit_ops_static_8x8"] = all.mac_bit_ops_8x8;
    q["saving"] = all.mac_bit_ops_8x8 == 0 ? 0.0
                                           : 1.0 - static_cast<double>(all.mac_bit_ops) /
                                                       static_cast<double>(all.mac_bit_ops_8x8);
  } else {
    j["pfq"] = nullptr;
  }
}

std::string summary_json(const config::Specs& specs, const Snapshot& s, const golden::Engine& engine,
                         const RunBackend& backend, bool interrupted) {
  nlohmann::ordered_json j;
  j["engine"] = backend.name();
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
  if (const golden::WriteStats p = engine.pair_update_stats(); p.cells > 0) {
    j["writes"]["pair_updates"]["cells"] = p.cells;
    j["writes"]["pair_updates"]["total"] = p.total;
    j["writes"]["pair_updates"]["max_per_cell"] = p.max;
  } else {
    j["writes"]["pair_updates"] = nullptr;
  }
  j["weights_digest"] = hex16(engine.weights_digest());
  add_device_summary(j, specs, engine, backend);
  add_saturation_summary(j, engine);
  add_gradient_summary(j, engine);
  backend.add_summary(j);
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

// The run's own state in a checkpoint, besides the engine's (golden/train_state.h).
struct RunState {
  std::string engine;  // "golden" / "tlm": a run resumes on the engine it started with
  uint64_t done = 0;
  std::string trace;  // header and the regular rows so far (not the final row of a stopped run)
  Snapshot snap;      // the state of the last regular row
  uint64_t checkpoint_every = 0;
};

void save_checkpoint(const RunDirectory& dir, uint64_t config_hash, const golden::Engine& engine,
                     const RunBackend& backend, const OnlineAccuracy& acc, const RunState& run) {
  CheckpointWriter w(config_hash);
  golden::save_training_state(engine, w);
  backend.save(w);
  w.add_array("run.version", std::vector<uint32_t>{kRunStateVersion});
  const std::string engine_name = backend.name();
  w.add_array("run.engine", std::vector<char>(engine_name.begin(), engine_name.end()));
  w.add_array("run.samples_done", std::vector<uint64_t>{run.done});
  w.add_array("run.checkpoint_every", std::vector<uint64_t>{run.checkpoint_every});
  w.add_array("run.trace", std::vector<char>(run.trace.begin(), run.trace.end()));
  const Snapshot& s = run.snap;
  w.add_array("run.snapshot.counts",
              std::vector<uint64_t>{s.samples, s.writes.cells, s.writes.total, s.writes.max});
  w.add_array("run.snapshot.accuracy", std::vector<double>{s.ema, s.last});
  acc.save(w);
  w.write(dir.file(kCheckpointFile));
}

RunState load_run_state(const Checkpoint& ck, OnlineAccuracy& acc) {
  const auto version = ck.array<uint32_t>("run.version", 1)[0];
  if (version != kRunStateVersion)
    throw InputError(InputLocation(ck.path(), -1, -1, "run.version"),
                     "run-state layout version " + std::to_string(version) + "; this lrtsim reads version " +
                         std::to_string(kRunStateVersion));
  RunState r;
  const auto engine = ck.array<char>("run.engine");
  r.engine.assign(engine.begin(), engine.end());
  r.done = ck.array<uint64_t>("run.samples_done", 1)[0];
  r.checkpoint_every = ck.array<uint64_t>("run.checkpoint_every", 1)[0];
  const auto trace = ck.array<char>("run.trace");
  r.trace.assign(trace.begin(), trace.end());
  const auto counts = ck.array<uint64_t>("run.snapshot.counts", 4);
  const auto accuracy = ck.array<double>("run.snapshot.accuracy", 2);
  if (counts[3] > UINT32_MAX)
    throw InputError(InputLocation(ck.path(), -1, -1, "run.snapshot.counts"), "max writes beyond 2^32 - 1");
  r.snap = Snapshot{counts[0], accuracy[0], accuracy[1],
                    golden::WriteStats{counts[1], counts[2], static_cast<uint32_t>(counts[3])}};
  acc.load(ck);
  return r;
}

// Refuses to resume a directory whose summary says the run finished, unless run.samples asks
// for more than the checkpoint holds (a resumed run may go longer: run.samples is not hashed).
void refuse_finished(const std::string& summary_path, uint64_t done, uint64_t target) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(summary_path, ec)) return;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(summary_path, "the run summary"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(InputLocation(summary_path), std::string("is not valid JSON: ") + e.what());
  }
  if (j.value("interrupted", true)) return;
  if (target > done) return;
  throw InputError(InputLocation(summary_path, -1, -1, "run.samples"),
                   "the run finished after " + std::to_string(done) +
                       " samples; nothing to resume (pass --samples N "
                       "with N > " +
                       std::to_string(done) + " to train it longer)");
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
  const uint64_t config_hash = config::config_hash(specs);
  const golden::NetworkSpec net = config::network_spec(specs);
  const golden::TrainSpecs train = config::train_specs(specs);
  if (specs.run.samples > specs.data.split.online_samples)
    bad_key("run.samples", std::to_string(specs.run.samples) + " exceeds the online stream of " +
                               std::to_string(specs.data.split.online_samples) +
                               " samples (data.split.online_samples)");

  std::unique_ptr<golden::Engine> engine = config::make_engine(net, train);
  // The Verilated unit is clocked by sc_start() from the host thread; with --jobs > 1 the layers'
  // weight updates (and so the units' steps) run on several threads at once.
  if (specs.accel.rank_reduce.impl == config::RankReduceImplChoice::kRtl && args.jobs > 1)
    bad_key("--jobs", std::to_string(args.jobs) +
                          " with accel.rank_reduce.impl: rtl; the Verilated unit runs on the simulation's "
                          "thread only: expected --jobs 1 (or impl: golden)");
  ThreadPool pool(args.jobs);
  engine->set_thread_pool(&pool);
  OnlineAccuracy acc;
  RunState run;
  std::unique_ptr<RunBackend> backend;
  run.checkpoint_every = args.checkpoint_every;
  if (resuming) {
    // The engine's state comes from the checkpoint alone: run.model is not read.
    const std::string ck_path = (std::filesystem::path(args.resume) / kCheckpointFile).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(ck_path, ec))
      throw InputError(InputLocation(ck_path),
                       "--resume: no checkpoint to resume from (runs write one with "
                       "--checkpoint-every N, and when SIGINT/SIGTERM stops them)");
    const Checkpoint ck = Checkpoint::read(ck_path);
    ck.require_config_hash(config_hash);
    golden::load_training_state(*engine, ck);
    run = load_run_state(ck, acc);
    if (args.engine_given && args.engine != run.engine)
      throw InputError(InputLocation(ck_path, -1, -1, "--engine"),
                       "the run started on the " + run.engine + " engine and resumes on it; drop --engine " +
                           args.engine);
    backend = make_run_backend(run.engine, specs, *engine, args.vcd);
    backend->set_thread_pool(&pool);
    backend->load(ck);
    backend->attach(false);
    if (args.checkpoint_every_given) run.checkpoint_every = args.checkpoint_every;
    if (run.done > specs.run.samples)
      bad_key("run.samples", std::to_string(specs.run.samples) + " is below the " + std::to_string(run.done) +
                                 " samples the checkpoint has trained");
    refuse_finished((std::filesystem::path(args.resume) / "summary.json").string(), run.done,
                    specs.run.samples);
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(specs.run.model, ec))
      bad_key("run.model", "'" + specs.run.model + "' does not exist; create it with `lrtsim pretrain " +
                               args.file + " --out " + specs.run.model + "`");
    golden::load_model(Checkpoint::read(specs.run.model), *engine);
    backend = make_run_backend(args.engine, specs, *engine, args.vcd);
    backend->set_thread_pool(&pool);
    backend->attach(true);
    run.trace =
        "sample,accuracy_online_ema,accuracy_last_500,writes_max_per_cell,writes_mean_per_cell,writes_total" +
        trace_extra_header(*engine, *backend) + "\n";
  }

  const data::Dataset dataset = data::Dataset::load(config::data_specs(specs), specs.run.seed);
  const data::SampleStream stream = dataset.stream(
      specs.run.stream == config::RunStream::kShift ? data::Split::kShift : data::Split::kOnline);
  const data::Sample first = stream.at(0);
  config::check_input_shape(net, first.rows, first.cols);

  // A resumed directory is ours to continue: its results are rewritten.
  const RunDirectory dir(resuming ? args.resume : (args.out.empty() ? default_out(args.file) : args.out),
                         args.force || resuming,
                         {"config.yaml", "summary.json", "trace.csv", "host.json", kCellWritesFile,
                          kCheckpointFile});
  dir.write("config.yaml", config::effective_yaml(specs));

  install_stop_handlers();
  const auto start = std::chrono::steady_clock::now();
  const uint64_t total = specs.run.samples;
  const bool show = specs.run.progress || ::isatty(::fileno(stderr));
  ProgressLine progress(total, "samples");
  const auto take = [&](uint64_t n) {
    return Snapshot{n, acc.ema(), acc.last_window(), engine->write_stats()};
  };
  const uint64_t first_sample = run.done;
  while (run.done < total && !stop_requested()) {
    const data::Sample s = stream.at(run.done);
    const golden::StepResult step = backend->train(s.pixels.data(), s.label);
    if (!std::isfinite(step.loss))  // the only double a step reports; NaN elsewhere throws in the engine
      throw RunError("sample " + std::to_string(run.done) + ": non-finite loss " + std::to_string(step.loss));
    acc.add(step.correct);
    ++run.done;
    if (run.done % specs.run.trace_every == 0) {
      run.snap = take(run.done);
      run.trace += trace_row(run.snap, trace_extra_row(*engine, *backend));
    }
    if (run.checkpoint_every && run.done % run.checkpoint_every == 0)
      save_checkpoint(dir, config_hash, *engine, *backend, acc, run);
    if (show) {
      char extra[48];
      std::snprintf(extra, sizeof extra, "acc %.1f%%", 100.0 * acc.ema());
      progress.update(run.done, extra);
    }
  }
  const uint64_t done = run.done;
  const bool interrupted = done < total;
  // A stopped run always leaves a resumable checkpoint; a finished one when checkpointing is on
  // (so that it can be extended to more samples).
  if (interrupted || (run.checkpoint_every && done % run.checkpoint_every != 0))
    save_checkpoint(dir, config_hash, *engine, *backend, acc, run);
  std::string trace = run.trace;
  Snapshot snap = run.snap;
  if (snap.samples != done) {  // the final state is always a row
    snap = take(done);
    trace += trace_row(snap, trace_extra_row(*engine, *backend));
  }
  if (show) progress.finish(done);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  dir.write("trace.csv", trace);
  const std::string summary = summary_json(specs, snap, *engine, *backend, interrupted);
  dir.write("summary.json", summary);
  dir.write(kCellWritesFile, cell_writes_json(*engine));
  dir.write("host.json", host_json(seconds, done - first_sample));
  std::vector<std::string> files{"summary.json", "trace.csv", kCellWritesFile, "config.yaml", "host.json"};
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir.file(kCheckpointFile), ec)) files.emplace_back(kCheckpointFile);
  std::fputs(run_report(nlohmann::json::parse(summary), dir.path(), files).c_str(), stdout);
  std::fflush(stdout);
  if (interrupted) {
    std::fprintf(stderr,
                 "lrtsim run: interrupted after %llu samples; partial results in %s; continue with "
                 "`lrtsim run --resume %s`\n",
                 static_cast<unsigned long long>(done), dir.path().c_str(), dir.path().c_str());
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
  auto* engine = cmd->add_option("--engine", args->engine,
                                 "golden (the C++ golden engine) or tlm (the SystemC model; default golden; a "
                                 "resumed run keeps its engine)")
                     ->check(CLI::IsMember({"golden", "tlm"}));
  cmd->add_option("--vcd", args->vcd, "write a VCD trace of the accelerator's phases to FILE (--engine tlm)");
  cmd->add_option("--jobs", args->jobs,
                  "threads for the convolution and fc GEMMs (default 1); every result is bit-identical for "
                  "any N")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--set", args->sets, "override one key: key.path=value (repeatable; later wins)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", args->force, "overwrite the results in an occupied --out");
  auto* every = cmd->add_option("--checkpoint-every", args->checkpoint_every,
                                "write DIR/checkpoint.ckpt every N samples (0: only when stopped by "
                                "SIGINT/SIGTERM; default 0; a resumed run keeps its N)");
  cmd->add_option(
      "--resume", args->resume,
      "continue the run in DIR from DIR/checkpoint.ckpt, with DIR/config.yaml (--samples and --set "
      "may change unhashed keys such as run.samples)");
  cmd->callback([&action, args, every, engine] {
    args->checkpoint_every_given = every->count() > 0;
    args->engine_given = engine->count() > 0;
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
