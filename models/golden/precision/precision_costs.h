#pragma once
// The complexity metrics of Sakr & Shanbhag (ICLR 2019, per-tensor fixed-point back-prop,
// §2.2) for the golden engine's datapath, per conv3x3/fc layer l and summed:
//   C_W = sum |W_l| (B_W + B_G(W) + B_acc)          bits: weights, weight gradients, accumulators
//   C_A = sum |A_l| (B_A + B_G(A))                  bits: activations and their gradients
//   C_M = sum |A_l+1| D_l (B_W B_A + B_W B_G(A) + B_A B_G(A))   1-b full adders per iteration
//   C_C = sum |W_l| B_G(W)                          bits: weight gradients communicated
// |W_l| = weight cells (biases excluded), |A_l| = the layer's input activations, |A_l+1| its
// outputs z, D_l its fan-in. What each B is in this datapath (docs/precision.md): B_W = Qw bits,
// B_A = the bits of the layer's input format, B_G(A) = Qg bits (the dz the layer multiplies),
// B_G(W) = 32 (the int32 weight-gradient word of the MAC datapath) when the scheme trains
// weights, else 0, B_acc = 64 for naive_batch's int64 accumulator, else 0 (every other scheme
// rounds updates straight to the Qw LSB: no high-precision weight copy).

#include <cstdint>
#include <vector>

#include "golden/training/engine.h"

namespace lrt::golden {

/// @brief The tensors and widths of one conv3x3/fc layer that enter the metrics.
struct LayerPrecision {
  int layer = 0;            ///< network layer index
  uint64_t weights = 0;     ///< |W_l|
  uint64_t inputs = 0;      ///< |A_l|
  uint64_t outputs = 0;     ///< |A_l+1|
  uint64_t dot_length = 0;  ///< D_l
  int b_w = 0, b_a = 0, b_gw = 0, b_ga = 0, b_acc = 0;
};

/// @brief C_W, C_A (bits), C_M (full adders per training iteration), C_C (bits).
struct PrecisionCosts {
  uint64_t c_w = 0, c_a = 0, c_m = 0, c_c = 0;
};

/// @brief Weight-gradient word of the MAC datapath (docs/golden_engine.md, Widths).
constexpr int kWeightGradientBits = 32;

/// @brief The layers of `engine` as the metrics see them.
std::vector<LayerPrecision> layer_precisions(const Engine& engine);
/// @brief The metrics of one layer and of a list of layers (sums).
PrecisionCosts precision_costs(const LayerPrecision& l);
PrecisionCosts precision_costs(const std::vector<LayerPrecision>& layers);

}  // namespace lrt::golden
