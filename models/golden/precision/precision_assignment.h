#pragma once
// Per-tensor fixed-point precision assignment of Sakr & Shanbhag, ICLR 2019, Claim 1
// (eqs. 1-4; ../shared/papers/per-tensor-fixed-point-backprop.txt): measured noise gains
// and gradient statistics in, per-layer widths and power-of-two ranges out. Pure arithmetic
// (no engine, no data): the measurements come from noise_gains.h, the clamping to what the
// datapath can honour is done by the caller (tb/cli/cmd_precision.cpp). docs/precision.md.

#include <cstdint>
#include <vector>

namespace lrt::golden {

/// @brief What Claim 1 needs of one conv3x3/fc layer l (all real values, the float model's units).
struct LayerNoiseStats {
  double e_w = 0.0;           ///< E_{W_l -> p_m}, eq. 6
  double e_a = 0.0;           ///< E_{A_l -> p_m}, eq. 6 (A_l: the layer's input activations)
  double sigma_gw_max = 0.0;  ///< largest recorded estimate of the std of G_l^(W)
  double sigma_gw_min = 0.0;  ///< smallest recorded estimate of the std of G_l^(W)
  double sigma_ga_max = 0.0;  ///< largest recorded estimate of the std of G_{l+1}^(A) (the layer's dz)
  double lambda_max = 0.0;    ///< largest singular value of the square-Jacobian of G_l^(W) w.r.t. dz
  int64_t gw_count = 0;       ///< |G_l^(W)| (weight cells)
  int64_t ga_count = 0;       ///< |G_{l+1}^(A)| (dz entries per sample)
  double weight_range = 1.0;  ///< r_W, the weights' PDR (a power of two; kept, not assigned)
};

/// @brief The free parameters of Claim 1.
struct AssignmentParams {
  int b_min = 4;            ///< B^(min), the reference minimum precision of eq. 1 [bits]
  double gamma_min = 0.01;  ///< smallest learning rate of training, eq. 4
};

/// @brief Claim 1's configuration of one layer (before any clamping to the datapath).
struct LayerAssignment {
  int b_w = 0;             ///< eq. 1
  int b_a = 0;             ///< eq. 1
  double r_w = 0.0;        ///< = LayerNoiseStats::weight_range
  double r_gw = 0.0;       ///< eq. 2: smallest power of two >= 2 sigma_gw_max
  double delta_gw = 0.0;   ///< eq. 3: largest power of two < sigma_gw_min / 4
  int b_gw = 0;            ///< log2(r_gw / delta_gw) + 1 (§2.1)
  double r_ga = 0.0;       ///< eq. 2: smallest power of two >= 4 sigma_ga_max
  double delta_ga = 0.0;   ///< eq. 3: largest power of two < delta_gw / sqrt(lambda) (|G_W|/|G_A|)^(1/4)
  int b_ga = 0;            ///< log2(r_ga / delta_ga) + 1
  double r_acc = 0.0;      ///< eq. 4: r_W 2^-B_W (the paper's 2^-B_W for normalized weights)
  double delta_acc = 0.0;  ///< eq. 4: largest power of two < gamma_min delta_gw
  int b_acc = 0;           ///< log2(r_acc / delta_acc) + 1
};

/// @brief 2^ceil(log2 x) for x > 0, exactly (no rounding error at powers of two).
double pow2_at_least(double x);
/// @brief The largest power of two strictly below x > 0.
double pow2_below(double x);
/// @brief §2.1's identity B = log2(r / delta) + 1 for powers of two r >= delta.
int bits_for(double range, double delta);
/// @brief rnd(log2(sqrt(e / e_min))) of eq. 1; rnd rounds halves away from zero.
int eq1_offset(double e, double e_min);

/// @brief Claim 1 for every layer. Throws std::invalid_argument when a statistic is not
/// positive and finite (naming the layer and the statistic) or the list is empty.
std::vector<LayerAssignment> assign_precision(const std::vector<LayerNoiseStats>& layers,
                                              const AssignmentParams& params);

}  // namespace lrt::golden
