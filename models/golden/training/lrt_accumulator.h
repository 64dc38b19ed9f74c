#pragma once
// The weight-update side of Low-Rank Training for one layer (Gural et al., Sec. 4 and
// Appendix C): pairs are folded into a rank reducer; every B samples a weight update is
// formed, quantized to the weight LSB, and written only when dense enough.
//
// Update rule. L~R~^T estimates the SUM of the per-sample dz a^T since the last applied
// update, over B_eff samples; g = gradient_scale (the layer scale alpha: the gradient is
// (alpha dz) a^T) turns it into the weight gradient. The authors' rule (lr/layers.py
// update_W_SKS_B, get_lr_SKS with lr_pb_pow 0.5) writes the sum, its learning rate scaled
// by B_eff^p:
//     dW = -eta * B_eff^p * g * L~R~^T                                (sum_update)
// and with max-norm on, the factors are normalized first (Appendix D, one state each):
//     dW = -eta * B_eff^p * MN(g L~) MN(R~)^T = -eta B_eff^p g L~R~^T / (D_L D_R).
// Our former rule divides the sum by B_eff (the mean gradient): dW = -eta B_eff^(p-1) g L~R~^T.
// dW is quantized as code_ij = round(dW_ij / lsb), ties toward +inf. If the fraction of
// non-zero codes reaches rho_min, the codes are added to the weight codes (saturating to
// [code_min, code_max]) and the reducer and B_eff are reset; otherwise the layer keeps
// accumulating and the next attempt, B samples later, sees B_eff + B (the authors' discount
// 1.0). With the sum rule the step grows like B_eff^p, so an update always comes.
//
// Restart (our former rule, max_batch_multiple = K > 0): an attempt at B_eff = K B that is
// still too sparse discards the estimate instead: reducer and B_eff are reset. With the mean
// rule the gate can otherwise deadlock: the kappa test skips most pairs once the estimate is
// large, so L~R~^T stops growing while the update shrinks as B_eff^(p-1) (docs/golden_engine.md,
// "Density gate").
// The accumulator does not know the layer kind: an FC layer offers one pair per sample,
// a conv layer h_out * w_out pairs per sample; end_sample() marks sample boundaries.

#include <cstdint>
#include <memory>

#include "core/matrix.h"
#include "golden/rank_reduce/rank_reduce.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "golden/training/mac_kernels.h"
#include "golden/training/max_norm.h"
#include "golden/rank_reduce/rank_reduce_float.h"
#include "golden/training/train_specs.h"

namespace lrt::golden {

/// @brief Configuration of one layer's LRT accumulator.
struct LrtAccumulatorParams {
  RankReduceParams reducer;                         ///< shape (n_o x n_i), rank, mode, kappa, seed
  RankReduceArith arith = RankReduceArith::kFloat;  ///< arithmetic of the rank reducer
  int batch = 1;                 ///< B: samples between update attempts (>= 1)
  double learning_rate = 0.01;   ///< eta (finite)
  double gradient_scale = 1.0;   ///< g: the weight gradient is g dz a^T (the layer's alpha; finite, > 0)
  bool sum_update = true;        ///< write the sum (authors), else the sum / B_eff (our former rule)
  bool max_norm = false;         ///< max-norm the factors g L~ and R~ at every attempt
  MaxNormSpec max_norm_spec;     ///< its beta and eps
  double batch_exponent = 0.5;   ///< p in B_eff^p (finite)
  double rho_min = 0.01;         ///< minimum fraction of non-zero update codes, in [0, 1]
  double weight_lsb = 1.0 / 128; ///< value of one weight code (> 0, finite)
  int32_t code_min = -128;       ///< saturation range of the weight codes
  int32_t code_max = 127;
  /// K: a too sparse attempt at B_eff = K B restarts the accumulation; 0: never (B_eff unbounded)
  int max_batch_multiple = 0;
};

/// @brief What end_sample() did.
struct LrtUpdateResult {
  bool attempted = false;   ///< a batch boundary was reached and an update formed
  bool applied = false;     ///< the update was dense enough and written
  int64_t batch_eff = 0;    ///< B_eff of the attempt (samples since the last applied update)
  int64_t nonzero = 0;      ///< non-zero update codes
  double density = 0.0;     ///< nonzero / (n_o * n_i)
  int64_t changed = 0;      ///< weight cells whose code changed (saturation can absorb an update)
  bool restarted = false;   ///< too sparse at B_eff = K B: the estimate was discarded
};

/// @brief Round-to-nearest of x, ties toward +inf, saturated to the int32 range.
/// Throws std::domain_error for NaN.
int32_t round_half_up_saturating(double x);

/// @brief One layer's LRT accumulator; see the file comment for the rule.
class LrtAccumulator {
 public:
  /// Throws std::invalid_argument for out-of-range parameters.
  explicit LrtAccumulator(const LrtAccumulatorParams& params);

  /// Folds one (dz: n_o values, a: n_i values) pair into the estimate.
  void offer(const double* dz, const double* a);
  /// The same for codes with power-of-two LSBs (RankReducer::step_integer), through doubles
  /// when the reducer takes no codes.
  void offer_codes(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac);
  /// @brief Tells the reducer which rows the next offer_codes calls bring (RankReducer::prepare_integer).
  void prepare_codes(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac, const std::vector<int>& rows) {
    reducer_->prepare_integer(dz, dz_frac, a, a_frac, rows);
  }
  /// Ends a sample. Every B-th call forms the update and, if dense enough, adds it to
  /// weight_codes (n_o x n_i). Between boundaries weight_codes is not touched. With a
  /// fixed-point reducer the update's L R^T is one MAC job on `kernels` (null: the golden
  /// kernel here), formed from the factor codes; the float reference forms it in double.
  LrtUpdateResult end_sample(Matrix<int32_t>& weight_codes, MacKernels* kernels = nullptr);

  /// The update codes of the last attempt (n_o x n_i; zero before the first).
  const Matrix<int32_t>& last_update_codes() const { return delta_; }
  /// Samples folded in since the last applied update.
  int64_t samples_since_update() const { return samples_since_update_; }
  const RankReducer& reducer() const { return *reducer_; }
  RankReducer& reducer() { return *reducer_; }
  /// @brief Puts `reducer` in place of the current one (e.g. one that drives a hardware unit);
  /// it must have the same params and continue the current one's state. Throws
  /// std::invalid_argument for null or other params.
  void replace_reducer(std::unique_ptr<RankReducer> reducer);
  /// @brief Restores the batch position and the last update codes (checkpoints); the
  /// reducer's state is restored through reducer(). Throws std::invalid_argument when
  /// the codes have another shape or the count is negative.
  void set_progress(int64_t samples_since_update, const Matrix<int32_t>& last_update_codes);
  const LrtAccumulatorParams& params() const { return params_; }
  /// @brief Sets params().max_batch_multiple (the engine's per-kind setting); takes effect at
  /// the next attempt. Throws std::invalid_argument when negative.
  void set_max_batch_multiple(int k);
  /// The max-norm states of the factors (dz side, a side); empty without max_norm.
  std::vector<MaxNormState> factor_norms() const { return norms_.states(); }
  /// Restores them (checkpoints); std::invalid_argument for another count.
  void set_factor_norms(const std::vector<MaxNormState>& states) { norms_.set_states(states); }

 private:
  LrtAccumulatorParams params_;
  std::unique_ptr<RankReducer> reducer_;
  int64_t samples_since_update_ = 0;
  // Forms L R^T of left_factor_, right_factor_ into product_ (2^factor_exponent_ per unit) and
  // returns true, or returns false when only the double loop gives the reference's bits (see
  // the definition).
  bool integer_product(MacKernels* kernels);

  Matrix<double> left_, right_;
  FixedFactor left_factor_, right_factor_;  // the fixed-point model's factor codes (end_sample)
  std::vector<int16_t> left_codes_, right_codes_;  // n_o x r and n_i x r, row-major
  std::vector<int64_t> product_;                   // n_o x n_i, row-major
  int factor_exponent_ = 0;
  Matrix<int32_t> delta_;
  std::vector<double> dz_, a_;  // offer_codes' fall-back
  MaxNormSet norms_;  // max_norm: the dz-side (L) and a-side (R) factors
};

}  // namespace lrt::golden
