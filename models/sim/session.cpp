#include "sim/session.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "config/bind.h"
#include "config/effective.h"
#include "core/error.h"
#include "core/text_file.h"
#include "golden/training/model_io.h"
#include "golden/training/train_state.h"
#include "sim/cell_writes.h"
#include "sim/summary.h"

namespace lrt::sim {

namespace {

// Layout of the run.* checkpoint sections (2: run.engine, rram.*; 3: run.trace has the
// per-layer / energy columns).
constexpr uint32_t kRunStateVersion = 3;

[[noreturn]] void bad_key(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

// Refuses to resume a run whose summary says it finished, unless run.samples asks for more
// than the checkpoint holds (a resumed run may go longer: run.samples is not hashed).
void refuse_finished(const std::string& summary_path, uint64_t done, uint64_t target) {
  std::error_code ec;
  if (summary_path.empty() || !std::filesystem::is_regular_file(summary_path, ec)) return;
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

}  // namespace

CheckpointSource model_file(const config::Specs& specs, const std::string& config_file) {
  return [path = specs.run.model, config_file] {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      bad_key("run.model", "'" + path + "' does not exist; create it with `lrtsim pretrain " + config_file +
                               " --out " + path + "`");
    return Checkpoint::read(path);
  };
}

Session::Session(const config::Specs& specs, const SessionOptions& options)
    : specs_(specs), options_(options), config_hash_(config::config_hash(specs)), pool_(options.jobs) {
  const golden::NetworkSpec net = config::network_spec(specs_);
  const golden::TrainSpecs train = config::train_specs(specs_);
  if (specs_.run.samples > specs_.data.split.online_samples)
    bad_key("run.samples", std::to_string(specs_.run.samples) + " exceeds the online stream of " +
                               std::to_string(specs_.data.split.online_samples) +
                               " samples (data.split.online_samples)");
  engine_ = config::make_engine(net, train);
  engine_->set_thread_pool(&pool_);
  state_.checkpoint_every = options_.checkpoint_every;
}

Session::~Session() = default;

std::unique_ptr<Session> Session::deploy(const config::Specs& specs, const SessionOptions& options,
                                         const CheckpointSource& model, const DatasetSource& data) {
  std::unique_ptr<Session> s(new Session(specs, options));
  golden::load_model(model(), *s->engine_);
  s->backend_ = make_backend(options.engine, specs, *s->engine_, options.vcd);
  s->backend_->set_thread_pool(&s->pool_);
  s->backend_->attach(true);
  s->state_.engine = s->backend_->name();
  s->state_.trace = trace_header(*s->engine_, *s->backend_);
  s->open_stream(data);
  return s;
}

std::unique_ptr<Session> Session::resume(const config::Specs& specs, const SessionOptions& options,
                                         const CheckpointSource& state, const std::string& previous_summary,
                                         const DatasetSource& data) {
  std::unique_ptr<Session> s(new Session(specs, options));
  // The engine's state comes from the checkpoint alone: run.model is not read.
  const Checkpoint ck = state();
  ck.require_config_hash(s->config_hash_);
  golden::load_training_state(*s->engine_, ck);
  s->load_run_state(ck);
  RunState& run = s->state_;
  if (options.engine_given && options.engine != run.engine)
    throw InputError(InputLocation(ck.path(), -1, -1, "--engine"),
                     "the run started on the " + run.engine + " engine and resumes on it; drop --engine " +
                         options.engine);
  s->backend_ = make_backend(run.engine, specs, *s->engine_, options.vcd);
  s->backend_->set_thread_pool(&s->pool_);
  s->backend_->load(ck);
  s->backend_->attach(false);
  if (options.checkpoint_every_given) run.checkpoint_every = options.checkpoint_every;
  if (run.done > specs.run.samples)
    bad_key("run.samples", std::to_string(specs.run.samples) + " is below the " + std::to_string(run.done) +
                               " samples the checkpoint has trained");
  refuse_finished(previous_summary, run.done, specs.run.samples);
  s->open_stream(data);
  return s;
}

void Session::open_stream(const DatasetSource& data) {
  const data::Dataset dataset = config::load_dataset(specs_, data);
  stream_ = dataset.stream(specs_.run.stream == config::RunStream::kShift ? data::Split::kShift
                                                                          : data::Split::kOnline);
  const data::Sample first = stream_->at(0);
  config::check_input_shape(config::network_spec(specs_), first.rows, first.cols);
}

Snapshot Session::snapshot() const {
  return Snapshot{state_.done, accuracy_.ema(), accuracy_.last_window(), engine_->write_stats()};
}

CheckpointWriter Session::checkpoint() const {
  CheckpointWriter w(config_hash_);
  golden::save_training_state(*engine_, w);
  backend_->save(w);
  w.add_array("run.version", std::vector<uint32_t>{kRunStateVersion});
  const std::string engine_name = backend_->name();
  w.add_array("run.engine", std::vector<char>(engine_name.begin(), engine_name.end()));
  w.add_array("run.samples_done", std::vector<uint64_t>{state_.done});
  w.add_array("run.checkpoint_every", std::vector<uint64_t>{state_.checkpoint_every});
  w.add_array("run.trace", std::vector<char>(state_.trace.begin(), state_.trace.end()));
  const Snapshot& s = state_.snap;
  w.add_array("run.snapshot.counts", std::vector<uint64_t>{s.samples, s.writes.cells, s.writes.total, s.writes.max});
  w.add_array("run.snapshot.accuracy", std::vector<double>{s.ema, s.last});
  accuracy_.save(w);
  return w;
}

void Session::load_run_state(const Checkpoint& ck) {
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
  accuracy_.load(ck);
  state_ = std::move(r);
}

RunResult Session::run(const RunHooks& hooks) {
  const auto start = std::chrono::steady_clock::now();
  RunState& run = state_;
  const uint64_t total = specs_.run.samples;
  RunResult result;
  result.first_sample = run.done;
  const auto save = [&] {
    if (hooks.checkpoint) hooks.checkpoint(checkpoint());
  };
  while (run.done < total && !(hooks.stop && hooks.stop())) {
    const data::Sample s = stream_->at(run.done);
    const golden::StepResult step = backend_->train(s.pixels.data(), s.label);
    if (!std::isfinite(step.loss))  // the only double a step reports; NaN elsewhere throws in the engine
      throw RunError("sample " + std::to_string(run.done) + ": non-finite loss " + std::to_string(step.loss));
    accuracy_.add(step.correct);
    ++run.done;
    if (run.done % specs_.run.trace_every == 0) {
      run.snap = snapshot();
      run.trace += trace_row(run.snap, *engine_, *backend_);
    }
    if (run.checkpoint_every && run.done % run.checkpoint_every == 0) save();
    if (hooks.progress) hooks.progress(run.done, accuracy_.ema());
  }
  result.done = run.done;
  result.interrupted = run.done < total;
  // A stopped run always leaves a resumable checkpoint; a finished one when checkpointing is on
  // (so that it can be extended to more samples).
  if (result.interrupted || (run.checkpoint_every && run.done % run.checkpoint_every != 0)) save();
  // The final state is always a row (the checkpoint keeps the regular rows only).
  result.trace_csv = run.trace;
  Snapshot snap = run.snap;
  if (snap.samples != run.done) {
    snap = snapshot();
    result.trace_csv += trace_row(snap, *engine_, *backend_);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.summary_json = summary_json(specs_, snap, *engine_, *backend_, result.interrupted);
  result.cell_writes_json = cell_writes_json(*engine_);
  result.host_json = host_json(seconds, run.done - result.first_sample);
  return result;
}

}  // namespace lrt::sim
