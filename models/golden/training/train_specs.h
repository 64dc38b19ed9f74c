#pragma once
// Everything that decides how the golden engine trains, as plain data. The config area
// embeds these specs (config::TrainSpecs) and points the train.* keys at their members;
// validate() is the one place that checks them.

#include <cstdint>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "golden/training/dither.h"
#include "golden/training/pfq.h"
#include "golden/rank_reduce/rank_reduce.h"

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
  /// LRT variant; unbiased is the authors' (lr/experiments.py `zerovar: False`, docs/fidelity.md)
  RankReduceMode mode = RankReduceMode::kUnbiased;
  double kappa_th = 100.0;  ///< LRT: skip a pair when C_11 / C_qq > kappa_th; 0 disables
  /// LRT: an update still too sparse at B_eff = this * batch discards the estimate (restart, our
  /// former rule); 0 never does: B_eff grows until the update is dense enough (the authors'
  /// `discount: 1.0`; lrt_accumulator.h)
  int max_batch_multiple = 0;
};

/// @brief Where gradient max-norming (Appendix D) acts when a kind's max_norm is on.
enum class MaxNormPlacement {
  /// The authors' (lr/layers.py): on the weight update only (LRT: the factors L~, R~ at each
  /// update attempt; SGD: a and dz of the sample's weight update; naive batch: the summed
  /// gradient; UORO: its factors) and, separately, on each bias / BN gamma / BN beta gradient.
  /// Backpropagation sees the un-normalized dz.
  kUpdate,
  /// lrtsim's former rule: each sample's dz tensor is normalized before Qg, and that one
  /// tensor feeds backpropagation, the bias update and the weight update.
  kGradient,
};
/// "update" | "gradient"; throws std::invalid_argument.
MaxNormPlacement parse_max_norm_placement(const std::string& text);
const char* to_string(MaxNormPlacement p);

/// @brief What a batched scheme (LRT, naive batch, UORO) writes at an applied update.
enum class BatchedUpdate {
  kSum,   ///< -eta * B_eff^p * (sum of the B_eff samples' gradients): the authors' (layers.py update_W_SKS_B)
  kMean,  ///< -eta * B_eff^p * (that sum / B_eff): lrtsim's former rule
};
/// "sum" | "mean"; throws std::invalid_argument.
BatchedUpdate parse_batched_update(const std::string& text);
const char* to_string(BatchedUpdate u);

/// @brief How the layer scale alpha = 2^e of a conv3x3/fc layer is chosen (z = alpha W a + b).
enum class AlphaRule {
  /// The authors' (layers.py WeightModule): alpha = 2^floor(log2 sqrt(3 nlvar / fan_in)),
  /// nlvar = 2 when a ReLU follows (every conv; an fc layer followed by relu), else 1.
  kAuthors,
  /// lrtsim's former rule: the power of two nearest to He's sqrt(2 / fan_in).
  kNearestHe,
};
/// "authors" | "nearest_he"; throws std::invalid_argument.
AlphaRule parse_alpha_rule(const std::string& text);
const char* to_string(AlphaRule r);

/// @brief Appendix D constants.
struct MaxNormSpec {
  double beta = 0.999;
  double eps = 1e-4;
};

/// @brief Appendix E: streaming batch norm.
struct StreamingBnSpec {
  bool streaming = true;  ///< absorb every training sample into the statistics (else frozen)
  /// B of eta = 1 - 1/B; 10 (momentum 0.9) is the authors' `update_every_ba=10` (net.py)
  int batch = 10;
  /// added to the variance; the authors use 1e-8, below what the 24-bit-fraction statistics
  /// hold, so the default is the smallest the datapath takes (docs/fidelity.md)
  double eps = 1e-6;
  /// divide the moving averages by 1 - eta^k after k absorbed samples (the authors' Adam-style
  /// bias correction); false: the plain EMA from mu = 0, sq = 1 (our former rule)
  bool bias_correction = true;
  /// true: dx = dy * gamma / sigma, the statistics treated as constants (the authors'
  /// StreamBatchNorm.backward); false: the exact derivative through this sample's share of
  /// the statistics (our former rule)
  bool backward_scale_only = true;
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
  KindTrainSpec conv{Scheme::kLrt, true, 10, 4, RankReduceMode::kUnbiased, 100.0, 0};
  KindTrainSpec fc{Scheme::kLrt, true, 100, 4, RankReduceMode::kUnbiased, 100.0, 0};
  MaxNormSpec max_norm;
  MaxNormPlacement max_norm_placement = MaxNormPlacement::kUpdate;
  BatchedUpdate batched_update = BatchedUpdate::kSum;
  AlphaRule alpha_rule = AlphaRule::kAuthors;
  /// The weight gradient is formed from alpha * dz, the gradient of z = alpha W a + b with
  /// respect to W (the authors' `d = wmult * dZ`); false leaves alpha out (our former rule).
  bool weight_gradient_alpha = true;
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
  double batch_scale_power = 0.5;  ///< batched updates use lr * B_eff^p * sum (batched_update)
  RankReduceArith rank_reduce_arith = RankReduceArith::kFloat;  ///< LRT rank reducer arithmetic
  uint64_t seed = 1;
};

/// @brief Throws SpecError naming the member ("quant.weight.range", "conv.batch"; "quant" for
/// the formats' LSBs together) when a value is out of range or a
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
