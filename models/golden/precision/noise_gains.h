#pragma once
// The measurements of Sakr & Shanbhag's Claim 1 (precision_assignment.h) on the float model:
// the deployed (pre-trained) network's parameters as real values, run through the double
// reference layers (float_layers.h) without any quantizer. Per sample of an estimation set:
//   * eq. 6 noise gains: for every class i != the float prediction y, one backward pass of
//     Z_i - Z_y, accumulating sum_w |d/dw|^2 / (2 |Z_i - Z_y|^2) per layer (and the same over
//     the layer's input activations); E = the mean over samples;
//   * gradient statistics of the training backward pass (softmax cross-entropy), with the
//     datapath's per-sample gradient max-norm (max_norm.h) where the layer has it on: the
//     spatial variance of dz (G^(A)) and of the weight gradient G^(W) = sum dz a^T (the
//     datapath's update gradient, without the alpha scale) and the largest singular value of
//     the square-Jacobian of G^(W) w.r.t. dz, each a moving average s <- (1 - theta) s +
//     theta s_sample (the paper's App. E.1) whose largest / smallest value is recorded.
// Streaming BN runs as in a training forward from the model's statistics (each sample absorbs
// into them with weight 1 - eta, not carried to the next sample). docs/precision.md.

#include <cstdint>
#include <vector>

#include "golden/precision/float_layers.h"
#include "golden/training/max_norm.h"
#include "golden/training/network.h"
#include "golden/precision/precision_assignment.h"

namespace lrt::golden {

class Engine;

/// @brief One layer of the float model (fields used by its kind only).
struct FloatLayer {
  LayerShape shape;
  std::vector<double> w;  ///< conv/fc: [out][fan_in] row-major (fref layout)
  std::vector<double> b;  ///< conv/fc bias
  double alpha = 1.0;     ///< conv/fc scale 2^alpha_exp
  bool max_norm = false;  ///< conv/fc: the datapath max-norms its dz
  std::vector<double> gamma, beta;  ///< BN
  fref::BnStats stats;              ///< BN statistics before the sample
  double eta = 1.0, eps = 1e-5;     ///< BN
  /// The saturation of the layer's output format (Qb of conv/fc, Qa of ReLU, Qas of BN), kept
  /// in the float model as a clamp that passes no gradient where it clips (the datapath's STE);
  /// rounding is what the float model leaves out. lo > hi: none.
  double clip_lo = 1.0, clip_hi = 0.0;
};

/// @brief The float model: layers in network order plus the input scale and max-norm constants.
struct FloatNetwork {
  std::vector<FloatLayer> layers;
  double input_lsb = 1.0 / 256.0;  ///< value of one input gray level
  double max_norm_beta = 0.999, max_norm_eps = 1e-4;
  /// Indices of the conv3x3/fc layers.
  std::vector<int> trainable() const;
};

/// @brief The engine's current parameters as real values (weights, biases, BN, alpha, max-norm).
FloatNetwork float_network(const Engine& engine);

/// @brief Per-layer fixed-point quantization of the forward path (for the B^(min) sweep):
/// weights to B_W bits signed in [-r_W, r_W), each conv/fc input to B_A bits in its range
/// (signed or unsigned). Empty: no quantization.
struct ForwardQuantization {
  std::vector<int> weight_bits;        ///< per trainable layer
  std::vector<double> weight_range;    ///< per trainable layer
  std::vector<int> activation_bits;    ///< per trainable layer
  std::vector<double> activation_range;
  std::vector<bool> activation_signed;
};

/// @brief Logits of the float model for one image (uint8 pixels, HWC), optionally quantized.
std::vector<double> float_logits(const FloatNetwork& net, const uint8_t* image,
                                 const ForwardQuantization* quant = nullptr);

/// @brief Accumulates the measurements over an estimation set (see the file comment).
class NoiseGainEstimator {
 public:
  explicit NoiseGainEstimator(const FloatNetwork& net, double theta = 0.1);
  void add(const uint8_t* image, int label);
  /// Claim 1's inputs per conv/fc layer (weight_range left at 1: the caller sets r_W).
  std::vector<LayerNoiseStats> stats() const;
  uint64_t samples() const { return samples_; }
  uint64_t correct() const { return correct_; }  ///< float predictions equal to the label
  uint64_t ties() const { return ties_; }        ///< terms skipped for Z_i == Z_y exactly

 private:
  struct Running {
    double e_w = 0.0, e_a = 0.0;
    double var_gw = 0.0, var_ga = 0.0, lambda = 0.0;  // moving averages
    double gw_max = 0.0, gw_min = 0.0, ga_max = 0.0, lambda_max = 0.0;
  };
  FloatNetwork net_;
  double theta_;
  std::vector<int> trainable_;
  std::vector<Running> run_;
  std::vector<MaxNorm> max_norm_;  // per trainable layer (used where FloatLayer::max_norm)
  uint64_t samples_ = 0, correct_ = 0, ties_ = 0;
};

/// @brief Largest singular value of the square-Jacobian of G^(W) = sum_p dz_p a_p^T with
/// respect to dz for the layer input `a` (alpha = 1): sqrt of the top eigenvalue of S^T S,
/// S[p][t] = a_p[t]^2 over the layer's P im2col rows (fc: P = 1, = ||a o a||_2).
double square_jacobian_lambda(const LayerShape& shape, const double* a);

}  // namespace lrt::golden
