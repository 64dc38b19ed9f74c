#pragma once
// Gradient max-norming (Appendix D), applied once per training sample to the whole dz
// tensor of one trainable layer (all output pixels and channels), before Qg.
//
// The scalar state follows Appendix D exactly, in IEEE double (one of the few places with
// double arithmetic; its order is fixed): k := k + 1; x_max := max|x| + eps;
// x_mv := beta x_mv + (1 - beta) x_max; x~_mv := x_mv / (1 - beta^k);
// divisor D := max(x_max, x~_mv). beta^k is kept as a running product (state).
// The per-element division is integer: x_norm = x * M * 2^-kScaleFrac with
// M = round(2^kScaleFrac / D) (see normalize_to()).

#include <cstdint>
#include <vector>

#include "core/fixed_point.h"

namespace lrt::golden {

/// @brief Appendix D state of one gradient tensor; plain members for checkpoints.
struct MaxNormState {
  uint64_t k = 0;           ///< evaluations so far
  double x_mv = 0.0;        ///< moving average of x_max (starts at eps)
  double beta_pow_k = 1.0;  ///< beta^k as a running product
};

/// @brief Max-norm of one tensor per call (Appendix D).
class MaxNorm {
 public:
  /// Fractional bits of the integer reciprocal multiplier M.
  static constexpr int kScaleFrac = 24;

  MaxNorm(double beta, double eps);

  /// @brief Advances the state with this sample's max |x| (a real value) and returns
  /// the divisor D = max(x_max, x~_mv) > 0.
  double observe(double max_abs);

  /// @brief Normalizes n codes x (format src, e.g. Qb) by the divisor of this sample and
  /// quantizes them to dst (Qg): out = sat(round(x * 2^-src.frac / D * 2^dst.frac)).
  /// Calls observe() itself with max|x|. Returns D.
  double normalize_to(const int16_t* x, int64_t n, const fx::Format& src, const fx::Format& dst,
                      int16_t* out);
  /// @brief The first half of normalize_to(): observes max|x| of the n codes (format src) and
  /// returns M = round(2^kScaleFrac / D), so that x * M * 2^-(kScaleFrac + src.frac) = x / D.
  /// The dithered quantizer (dither.h) rounds x * M itself.
  int64_t observe_multiplier(const int16_t* x, int64_t n, const fx::Format& src);

  const MaxNormState& state() const { return state_; }
  void set_state(const MaxNormState& s) { state_ = s; }
  double beta() const { return beta_; }
  double eps() const { return eps_; }

 private:
  double beta_;
  double eps_;
  MaxNormState state_;
  double last_divisor_ = 1.0;  // scratch of observe_multiplier()
};

/// @brief A fixed number of independent max-norm states (one per normalized tensor of an
/// update: e.g. an LRT update's two factors, BN's gamma and beta gradients); empty when off.
class MaxNormSet {
 public:
  MaxNormSet() = default;
  /// `count` states with (beta, eps); none when !on.
  MaxNormSet(bool on, size_t count, double beta, double eps);
  bool on() const { return !norms_.empty(); }
  size_t size() const { return norms_.size(); }
  /// The divisor of tensor i, whose max |x| (a real value) is max_abs (MaxNorm::observe).
  double divisor(size_t i, double max_abs) { return norms_[i].observe(max_abs); }
  std::vector<MaxNormState> states() const;
  /// Restores the states (checkpoints); std::invalid_argument for another count.
  void set_states(const std::vector<MaxNormState>& states);

 private:
  std::vector<MaxNorm> norms_;
};

/// max |x_i| of n codes.
int32_t max_abs_code(const int16_t* x, int64_t n);
/// max |x_i| of n values.
double max_abs_value(const double* x, size_t n);

}  // namespace lrt::golden
