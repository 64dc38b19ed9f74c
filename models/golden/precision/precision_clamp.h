#pragma once
// The per-tensor precision assignment (precision_assignment.h, Claim 1) clamped to the widths
// this datapath honours (docs/precision.md, "Per-tensor precision"): what each conv/fc layer
// can take, and each clamped width with the reason, for `lrtsim precision`'s comments.

#include <string>
#include <vector>

#include "golden/training/network.h"
#include "golden/precision/precision_assignment.h"
#include "golden/training/train_specs.h"

namespace lrt::golden {

/// @brief What the datapath can honour for one conv/fc layer (config/bind.cpp, train_specs.cpp).
struct DatapathLimits {
  bool input_fed = false;  ///< reads the 8-bit image directly: B_A is 8
  int gw_bits = 32;        ///< the only B_G(W) (0: the scheme forms no weight gradient)
  int acc_bits = 0;        ///< the only B_acc (0: the scheme keeps no weight accumulator)
  double weight_range = 1.0;
  double act_range = 2.0;  ///< the range of the layer's input format
  bool act_signed = false;
};

/// @brief The limits of every conv/fc layer of `net` (network order) trained with `train`.
std::vector<DatapathLimits> datapath_limits(const NetworkSpec& net, const TrainSpecs& train);

/// @brief One width after clamping.
struct ClampedWidth {
  int value = 0;
  std::string note;  ///< non-empty: clamped, and why
};

/// @brief The widths one configuration puts in the file, after clamping, per conv/fc layer.
struct ClampedPrecision {
  std::vector<ClampedWidth> wb, ab, gb, gwb, accb;
  std::vector<double> grange;
  std::vector<std::string> grange_note;
};

/// @brief Claim 1's widths `a` shifted by `delta` bits (the C+1 / C-1 perturbations), clamped to
/// the datapath's `limits` (one per layer of `a`).
ClampedPrecision clamp_to_datapath(const std::vector<LayerAssignment>& a, const std::vector<DatapathLimits>& limits,
                                   int delta);

}  // namespace lrt::golden
