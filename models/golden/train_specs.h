#pragma once
// Everything that decides how the golden engine trains, as plain data. The config area
// binds YAML keys to these members (proposed keys: docs/golden_engine.md, "Configuration");
// validate() is the one place that checks them.

#include <cstdint>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "golden/dither.h"
#include "golden/pfq.h"
#include "golden/rank_reduce.h"

namespace lrt::golden {

/// @brief One uniform power-of-two quantizer: `bits` wide, clipped to [-range, range)
/// (signed) or [0, range) (unsigned). range must be a power of two.
struct QuantSpec {
  int bits = 8;
  double range = 1.0;
};

/// @brief The quantizers of Appendix C plus the two activation formats the paper leaves open.
struct QuantSpecs {
  QuantSpec weight{8, 1.0};      ///< Qw, signed (mid-rise at 1-2 bits); also the LSB of every weight update
  QuantSpec bias{16, 8.0};       ///< Qb, signed: biases, BN gamma/beta, layer outputs z, backward signals
  QuantSpec activation{8, 2.0};  ///< Qa, unsigned: ReLU outputs
  QuantSpec activation_signed{8, 2.0};  ///< signed 8-bit activations: BN outputs, conv/fc -> conv/fc
  QuantSpec gradient{8, 1.0};           ///< Qg, signed: the dz every trainable layer learns from
  QuantSpec input{8, 1.0};              ///< unsigned image pixels: code = pixel, value = pixel / 256
};

/// @brief How one kind of trainable layer (conv or fc) learns.
enum class Scheme {
  kInferenceOnly,  ///< nothing changes (weights, biases, BN statistics and affine)
  kBiasOnly,       ///< biases (and BN affine) every sample; weights frozen
  kOnlineSgd,      ///< weights written every sample
  kNaiveBatch,     ///< full-size accumulator, applied every B samples
  kLrt,            ///< low-rank accumulator (LrtAccumulator), applied every B samples
  kUoro,           ///< rank-1 unbiased UORO estimate, applied every B samples
  kPixelSgd,       ///< online SGD writing each (dz, a) pair's update as it is formed (conv: per pixel)
};

/// "inference", "bias_only", "sgd", "naive_batch", "lrt", "uoro", "sgd_pixel"; throws std::invalid_argument.
Scheme parse_scheme(const std::string& text);
const char* to_string(Scheme scheme);

/// @brief Training of one layer kind.
struct KindTrainSpec {
  Scheme scheme = Scheme::kLrt;
  bool max_norm = true;  ///< max-norm this kind's dz tensors (Appendix D)
  int batch = 10;        ///< B in samples (naive batch, LRT, UORO)
  int rank = 4;          ///< LRT rank r
  RankReduceMode mode = RankReduceMode::kBiased;
  double kappa_th = 100.0;  ///< LRT: skip a pair when C_11 / C_qq > kappa_th; 0 disables
  /// LRT: an update still too sparse at B_eff = this * batch discards the estimate (restart);
  /// 0 never does (lrt_accumulator.h)
  int max_batch_multiple = 10;
};

/// @brief Appendix D constants.
struct MaxNormSpec {
  double beta = 0.999;
  double eps = 1e-4;
};

/// @brief Appendix E: streaming batch norm.
struct StreamingBnSpec {
  bool streaming = true;  ///< absorb every training sample into the statistics (else frozen)
  int batch = 100;        ///< B of eta = 1 - 1/B
  double eps = 1e-5;      ///< added to the variance
};

/// @brief Per-tensor precision of one conv3x3/fc layer (Sakr & Shanbhag; docs/precision.md): a
/// width of 0 keeps the train.quant format. B_G(W) and B_acc have no quantizer of their own in
/// this datapath: the config refuses values other than the datapath's (precision_costs.h).
struct LayerPrecisionSpec {
  QuantSpec weight{0, 0.0};    ///< B_W and r_W (Qw of this layer)
  QuantSpec gradient{0, 0.0};  ///< B_G(A) and its range (Qg of this layer's dz)
  int activation_bits = 0;     ///< B_A: the ReLU / BN / Qas output that feeds this layer
};

/// @brief Everything the engine needs besides the network.
struct TrainSpecs {
  QuantSpecs quant;
  double learning_rate = 0.01;
  KindTrainSpec conv{Scheme::kLrt, true, 10, 4, RankReduceMode::kBiased, 100.0, 10};
  KindTrainSpec fc{Scheme::kLrt, true, 100, 4, RankReduceMode::kBiased, 100.0, 10};
  MaxNormSpec max_norm;
  DitherSpec dither;  ///< dithered backprop of every trainable layer's dz (dither.h); off by default
  PfqSpec pfq;        ///< FracTrain progressive fractional quantization (pfq.h); off by default
  /// Per conv3x3/fc layer (in network order) precision overrides; empty: train.quant everywhere.
  std::vector<LayerPrecisionSpec> layer_precision;
  StreamingBnSpec bn;
  /// Biases of conv/fc layers train every sample (all schemes but inference); false freezes
  /// them (Table 3's "no bias training"; BN gamma/beta still train, as in the authors' code)
  bool train_biases = true;
  /// SGD schemes count pair updates (WeightUpdater::pair_updates(), the authors' write count);
  /// pre-training, which reports no writes, turns it off
  bool count_pair_updates = true;
  double rho_min = 0.01;           ///< minimum update density of batched schemes
  double batch_scale_power = 0.5;  ///< batched updates use lr * B_eff^p * (sum / B_eff)
  RankReduceArith rank_reduce_arith = RankReduceArith::kFloat;  ///< LRT rank reducer arithmetic
  uint64_t seed = 1;
};

/// @brief Throws std::invalid_argument naming the member when a value is out of range or a
/// combination is not implemented (e.g. a range that is not a power of two).
void validate(const TrainSpecs& specs);

/// @brief The fixed-point formats the specs describe (all validated).
struct Formats {
  fx::Format weight;
  fx::Format bias;
  fx::Format act;
  fx::Format act_signed;
  fx::Format grad;
  fx::Format input;
};
Formats formats_of(const QuantSpecs& q);

}  // namespace lrt::golden
