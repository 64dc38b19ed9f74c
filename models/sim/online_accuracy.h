#pragma once
// The online accuracy of a run (Figure 6): the bias-corrected EMA (decay 0.999) of per-sample
// correctness and the correct fraction of the last 500 samples, saved in a run's checkpoint.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/checkpoint.h"

namespace lrt::sim {

/// @brief The EMA and the last-500 window of a run; see the file comment.
class OnlineAccuracy {
 public:
  static constexpr double kEmaDecay = 0.999;
  static constexpr std::size_t kWindow = 500;  // accuracy.last_500

  void add(bool correct);
  /// EMA divided by 1 - 0.999^n, so that early values are not biased towards the start value 0.
  /// The two roundings of numerator and denominator can put an all-correct ratio an ulp above
  /// 1, hence the clamp.
  double ema() const;
  /// Correct fraction of the last min(n, 500) samples.
  double last_window() const;

  /// The run.ema, run.window and run.window_next sections of a checkpoint.
  void save(CheckpointWriter& w) const;
  void load(const Checkpoint& ck);

 private:
  double ema_ = 0.0;
  double decay_power_ = 1.0;
  std::vector<bool> window_;
  std::size_t next_ = 0;
  uint64_t window_correct_ = 0;
};

}  // namespace lrt::sim
