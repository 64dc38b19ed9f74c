#pragma once
// The per-tensor precision assignment of a configuration's model (docs/precision.md,
// "Per-tensor precision"; Sakr & Shanbhag 2019): the noise gains and gradient statistics of the
// float model of run.model over an estimation set (the first N validation samples), Claim 1 at
// a given B_min or at the smallest B_min whose feedforward widths keep the mismatch probability
// p_m below a target (the paper's App. E), and the limits the datapath honours. `lrtsim
// precision` (tb/cli/cmd_precision.cpp) parses, calls this, and writes the train.precision.*
// keys of the result (golden/precision/precision_clamp.h) for C_o, C+1 and C-1.
#include <cstdint>
#include <functional>
#include <vector>

#include "config/specs.h"
#include "core/checkpoint.h"
#include "golden/precision/noise_gains.h"
#include "golden/precision/precision_assignment.h"
#include "golden/precision/precision_clamp.h"
#include "sim/session.h"

namespace lrt::sim {

/// @brief What to assign.
struct PrecisionRequest {
  uint64_t samples = 500;    ///< estimation set: the first `samples` validation samples
  int b_min = 0;             ///< B^(min); 0: the smallest in 1..16 with p_m < mismatch
  double mismatch = 0.01;    ///< target p_m for the search, in (0, 1)
};

/// @brief What precision_assignment() hands its caller while it works (each may be empty).
struct PrecisionHooks {
  std::function<void(uint64_t done)> estimation;           ///< after every estimation sample
  std::function<void(int b_min, double p_m)> search_step;  ///< after every B_min tried
};

/// @brief The assignment and what it rests on.
struct PrecisionResult {
  uint64_t estimation_samples = 0;
  uint64_t estimation_correct = 0;  ///< of those, classified correctly by the float model
  std::vector<golden::LayerNoiseStats> stats;   ///< per trainable layer (weight_range: the datapath's)
  std::vector<golden::DatapathLimits> limits;   ///< per trainable layer
  golden::AssignmentParams params;              ///< b_min chosen (or given), gamma_min
  std::vector<golden::LayerAssignment> assignment;
  double mismatch = 0.0;                        ///< p_m of the assignment's feedforward widths
};

/// @brief Runs the assignment (see the file comment). InputError naming the key or option for
/// what cannot be assigned (train.precision already set, --samples beyond the validation set,
/// --mismatch outside (0, 1)); RunError when the statistics are too thin for Claim 1.
PrecisionResult precision_assignment(const config::Specs& specs, const CheckpointSource& model,
                                     const PrecisionRequest& request, const PrecisionHooks& hooks = {},
                                     const DatasetSource& data = {});

}  // namespace lrt::sim
