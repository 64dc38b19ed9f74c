#pragma once
// Pre-training (docs/run.md, "Pre-training"): quantization-aware training of the integer
// golden engine on the offline_train stream, then its accuracy on the validation stream, and
// the model checkpoint that an online run deploys. `lrtsim pretrain` (tb/cli/cmd_pretrain.cpp)
// parses, calls pretrain() and writes the model; this is where the run happens.
#include <cstdint>
#include <functional>
#include <optional>

#include "config/specs.h"
#include "core/checkpoint.h"
#include "sim/session.h"

namespace lrt::sim {

/// @brief What pretrain() hands its caller while it trains (each may be empty).
struct PretrainHooks {
  std::function<bool()> stop;  ///< asked before every sample: stop now (no model then)
  /// Every 1000 samples: samples done and the training accuracy over those 1000.
  std::function<void(uint64_t done, double recent_accuracy)> progress;
};

/// @brief The results of pretrain().
struct PretrainResult {
  uint64_t samples = 0;                ///< trained
  bool interrupted = false;            ///< stopped by hooks.stop (no model)
  std::optional<double> validation;    ///< accuracy on the validation stream (none for 0 samples)
  uint64_t validation_samples = 0;
  std::optional<CheckpointWriter> model;  ///< the model with its effective configuration
};

/// @brief Pre-trains `samples` samples (0: the untrained model of run.seed) with `jobs` GEMM
/// threads (the model does not depend on them). InputError naming the key for a configuration
/// it cannot run (no offline samples, an image shape the network does not take).
PretrainResult pretrain(const config::Specs& specs, uint64_t samples, int jobs, const PretrainHooks& hooks = {},
                        const DatasetSource& data = {});

}  // namespace lrt::sim
