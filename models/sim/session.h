#pragma once
// One online run (docs/run.md): a Session builds the network, the engine, the back end
// (backend.h) and the online stream from a configuration, deploys a pre-trained model or
// restores a checkpoint, trains sample by sample and returns the run's results as text
// (summary.json, trace.csv, cell_writes.json, host.json). It is the one place that checks a
// configuration against what a run can do and names the configuration key of every refusal.
// Files and the terminal are the caller's: `lrtsim run` (tb/cli/cmd_run.cpp) reads run.model
// and the checkpoint, writes the result directory and prints the report.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/specs.h"
#include "core/checkpoint.h"
#include "core/thread_pool.h"
#include "data/stream.h"
#include "golden/training/engine.h"
#include "sim/backend.h"
#include "sim/online_accuracy.h"
#include "sim/trace.h"

namespace lrt::sim {

/// @brief How a run is carried out besides its configuration; no option changes a result.
struct SessionOptions {
  std::string engine = "golden";        ///< golden | tlm (backend.h); a resumed run keeps its own
  bool engine_given = false;            ///< resume: refuse an engine other than the run's
  std::string vcd;                      ///< tlm: write a VCD trace of the phases here (empty: none)
  int jobs = 1;                         ///< threads for the GEMMs and the layers' weight updates
  uint64_t checkpoint_every = 0;        ///< samples; 0: a checkpoint only when a run is stopped
  bool checkpoint_every_given = false;  ///< resume: else the run keeps its own
};

/// @brief What a run hands its caller while it trains (each may be empty).
struct RunHooks {
  std::function<bool()> stop;                               ///< asked before every sample: stop now (resumable)
  std::function<void(uint64_t done, double ema)> progress;  ///< after every sample
  std::function<void(const CheckpointWriter&)> checkpoint;  ///< to be kept for a resume
};

/// @brief The results of Session::run().
struct RunResult {
  uint64_t first_sample = 0;  ///< where this run started (a resumed run: the checkpoint's samples)
  uint64_t done = 0;          ///< samples trained in all
  bool interrupted = false;   ///< stopped before run.samples
  std::string trace_csv, summary_json, cell_writes_json, host_json;
};

/// @brief Reads a checkpoint when the session needs it, so that a session set-up reports the
/// first of several problems in a fixed order (configuration, engine, model or state, data).
using CheckpointSource = std::function<Checkpoint()>;

/// @brief run.model of `specs`, read when deploy() needs it; InputError naming run.model if it is
/// missing, with the `lrtsim pretrain` command that makes it from `config_file`.
CheckpointSource model_file(const config::Specs& specs, const std::string& config_file);

/// @brief The data set of a session; the default reads the IDX files of data.*.
using DatasetSource = std::function<data::Dataset(const data::DataSpecs& specs, uint64_t seed)>;

/// @brief One online run; see the file comment. Not copyable or movable (the back end holds
/// the engine). A process elaborates one TLM design: one tlm session per process.
class Session {
 public:
  /// @brief A new run: the model of `model` (a pretrain checkpoint) deployed on options.engine.
  /// Throws InputError naming the key (or option) of anything the run cannot do.
  static std::unique_ptr<Session> deploy(const config::Specs& specs, const SessionOptions& options,
                                         const CheckpointSource& model, const DatasetSource& data = {});

  /// @brief A run continued from `state` (a checkpoint() of a run of the same configuration),
  /// on the engine it started with. `previous_summary`: the summary.json the run wrote, if any
  /// (empty: none): a run that finished is only extended to a larger run.samples.
  static std::unique_ptr<Session> resume(const config::Specs& specs, const SessionOptions& options,
                                         const CheckpointSource& state, const std::string& previous_summary = {},
                                         const DatasetSource& data = {});

  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// @brief Trains until run.samples or until hooks.stop(); a checkpoint goes to
  /// hooks.checkpoint every checkpoint_every samples, at the end of a stopped run, and at the
  /// end of a finished one whose length is not a multiple of checkpoint_every (so that it can be
  /// extended). Throws RunError on a non-finite loss. Call once.
  RunResult run(const RunHooks& hooks = {});

  /// @brief The engine's and the run's state: what resume() continues from.
  CheckpointWriter checkpoint() const;

  const config::Specs& specs() const { return specs_; }
  const golden::Engine& engine() const { return *engine_; }
  const Backend& backend() const { return *backend_; }
  uint64_t samples_done() const { return state_.done; }

 private:
  Session(const config::Specs& specs, const SessionOptions& options);
  void open_stream(const DatasetSource& data);
  Snapshot snapshot() const;

  // The run's own state in a checkpoint, besides the engine's and the back end's.
  struct RunState {
    std::string engine;  // "golden" / "tlm": a run resumes on the engine it started with
    uint64_t done = 0;
    std::string trace;  // header and the regular rows so far (not the final row of a stopped run)
    Snapshot snap;      // the state of the last regular row
    uint64_t checkpoint_every = 0;
  };
  void load_run_state(const Checkpoint& ck);

  const config::Specs specs_;
  const SessionOptions options_;
  const uint64_t config_hash_;
  // Destroyed in reverse order: the back end first (it detaches from the engine), the pool last.
  ThreadPool pool_;
  std::unique_ptr<golden::Engine> engine_;
  std::unique_ptr<Backend> backend_;
  std::optional<data::SampleStream> stream_;
  OnlineAccuracy accuracy_;
  RunState state_;
};

}  // namespace lrt::sim
