#pragma once
// Streaming batch normalization (Appendix E) in integer arithmetic, per channel of an HWC
// map. Statistics are exponential moving averages with eta = 1 - 1/B, kept in a wide
// fixed-point format (int64 with kStatFrac fractional bits); the normalizer uses an exact
// integer square root and an integer reciprocal. gamma and beta are Qb codes, updated
// every sample like biases. Every format, rounding and width: docs/golden_engine.md,
// "Streaming batch norm".

#include <cstdint>
#include <vector>

#include <optional>

#include "core/fixed_point.h"
#include "golden/training/max_norm.h"
#include "golden/training/network.h"
#include "golden/training/quant_flow.h"

namespace lrt::golden {

/// @brief floor(sqrt(v)) for any uint64 (digit-by-digit, exact).
uint64_t isqrt_floor(uint64_t v);
/// @brief sqrt(v) rounded to the nearest integer (ties cannot occur).
uint64_t isqrt_round(uint64_t v);

/// @brief Trainable parameters and running statistics of one BN layer (plain, for checkpoints).
struct BnState {
  std::vector<int32_t> gamma;  ///< Qb codes, start at 1.0
  std::vector<int32_t> beta;   ///< Qb codes, start at 0
  std::vector<int64_t> mu;     ///< EMA of the per-sample mean, kStatFrac fractional bits; starts at 0
  std::vector<int64_t> sq;     ///< EMA of the per-sample mean square, same format; starts at 1.0
  uint64_t steps = 0;          ///< samples absorbed (the k of the bias correction 1 - eta^k)
};

/// @brief The rules in which the authors' StreamBatchNorm (lr/layers.py) and our former one
/// differ; the defaults here are the former (the engine passes StreamingBnSpec's).
struct StreamingBnOptions {
  /// Keep the moving averages bias-corrected: after k absorbed samples they equal the EMA from
  /// zero divided by 1 - eta^k, i.e. mu_k = mu_(k-1) + (mu_i - mu_(k-1)) / d_k with
  /// d_k = B (1 - eta^k) (d_1 = 1: the first sample's statistics). Off: d_k = B.
  bool bias_correction = false;
  /// dx = dy gamma / sigma (statistics treated as constants) instead of the exact derivative.
  bool backward_scale_only = false;
  /// Max-norm gamma's and beta's gradients before the update (one state each).
  std::optional<MaxNorm> affine_norm;
};

class MacKernels;

/// @brief Per-channel constants of a BN forward's element-wise step (bn_normalize).
struct BnNormalizeChannel {
  int64_t mu = 0;            ///< kStatFrac fractional bits
  int64_t inv_sigma = 0;     ///< 1 / sigma, kNormFrac
  int64_t gamma = 0;         ///< Qb code
  int64_t beta_aligned = 0;  ///< beta's Qb code x 2^kNormFrac
};

/// @brief Per-channel constants of a BN backward (bn_backward).
struct BnBackwardChannel {
  int64_t gamma = 0;
  int64_t inv_sigma = 0;
  uint8_t var_clamped = 0;  ///< the forward's variance was clamped to 0 (no path through it)
};

/// @brief What a BN backward needs besides the data.
struct BnBackwardSpec {
  bool through_stats = false;  ///< the forward absorbed the sample and the exact derivative is asked for
  int64_t batch = 1;           ///< B of the EMA
  int param_frac = 0;          ///< Qb's fractional bits
  int64_t dx_min = 0, dx_max = 0;  ///< Qb's code range
};

/// @brief The element-wise half of a BN forward over an HWC map: xhat = sat32(round((x
/// 2^shift_in - mu) inv_sigma 2^-kStatFrac)), y = yq(gamma xhat + beta_aligned) with its clip
/// flag. Plain data in and out, so that whatever computes it (a module on its own memory)
/// gives the same bits.
void bn_normalize(const TensorShape& shape, const int16_t* x, int shift_in, const BnNormalizeChannel* channels,
                  const ShiftQuantizer& yq, int32_t* xhat, int16_t* y, uint8_t* clipped);

/// @brief A BN backward over an HWC map: the parameter gradients dbeta = sum g, dgamma =
/// sum g xhat (g = dy where the forward did not clip, else 0), and dx (null: not wanted), the
/// exact derivative of the forward (see StreamingBn::backward).
void bn_backward(const TensorShape& shape, const int16_t* dy, const uint8_t* clipped, const int32_t* xhat,
                 const BnBackwardChannel* channels, const BnBackwardSpec& spec, int16_t* dx, int64_t* dgamma,
                 int64_t* dbeta);

/// @brief One streaming BN layer: forward (optionally absorbing the sample into the
/// statistics), the exact backward of that forward, and the affine update. The element-wise
/// work is bn_normalize and bn_backward; the statistics and per-channel constants are here.
class StreamingBn {
 public:
  static constexpr int kStatFrac = 24;  ///< fractional bits of mu, sq, var
  static constexpr int kNormFrac = 16;  ///< fractional bits of sigma, 1/sigma and xhat

  /// in: input format; param: Qb (gamma, beta, backward signals); out: output format.
  StreamingBn(const TensorShape& shape, const fx::Format& in, const fx::Format& param, const fx::Format& out,
              int batch, double eps, const StreamingBnOptions& options = {});

  /// @brief y = gamma (x - mu) / sigma + beta. absorb: first fold this sample into the
  /// statistics (training with streaming on); otherwise use them as they are.
  void forward(const int16_t* x, bool absorb, int16_t* y);

  /// @brief Given dy (Qb codes) of the last forward: dx (Qb codes; may be null) including
  /// the path through the statistics when that forward absorbed the sample, and the
  /// parameter gradients kept for update_affine().
  void backward(const int16_t* dy, int16_t* dx);

  /// @brief gamma -= lr * dgamma / D_g, beta -= lr * dbeta / D_b, each rounded to the Qb LSB
  /// and saturated; D the max-norm divisors with options.affine_norm, else 1.
  void update_affine(double lr);
  /// The affine gradients' max-norm states (gamma, beta); empty without affine_norm.
  std::vector<MaxNormState> norm_states() const { return affine_norms_.states(); }
  /// Restores them; std::invalid_argument for another count.
  void set_norm_states(const std::vector<MaxNormState>& states) { affine_norms_.set_states(states); }

  /// @brief Hands the element-wise work to `kernels` from now on (null: the functions here).
  /// Not owned; bit-exact either way.
  void install_mac_kernels(MacKernels* kernels) { kernels_ = kernels; }

  const BnState& state() const { return state_; }
  /// Replaces the state (sizes must match the channel count; throws std::invalid_argument).
  void set_state(const BnState& s);
  const TensorShape& shape() const { return shape_; }

 private:
  TensorShape shape_;
  fx::Format in_, param_, out_;
  int batch_;
  int64_t eps_code_;  // eps with kStatFrac fractional bits
  bool bias_correction_, scale_only_;
  MaxNormSet affine_norms_;  // options.affine_norm: gamma's and beta's gradients
  BnState state_;
  // Per-forward values the backward needs.
  bool absorbed_ = false;
  std::vector<int64_t> inv_sigma_;  // kNormFrac
  std::vector<uint8_t> var_clamped_;
  std::vector<int32_t> xhat_;       // kNormFrac, HWC
  std::vector<uint8_t> y_clipped_;  // HWC
  std::vector<int64_t> dgamma_;     // param.frac + kNormFrac fractional bits
  std::vector<int64_t> dbeta_;      // param.frac fractional bits
  std::vector<BnNormalizeChannel> normalize_;  // the element-wise steps' per-channel constants
  std::vector<BnBackwardChannel> backward_;
  MacKernels* kernels_ = nullptr;
};

}  // namespace lrt::golden
