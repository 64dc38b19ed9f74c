#pragma once
// FracTrain progressive fractional quantization (PFQ; Fu et al. 2020): training runs through
// stages FW(b_1)/BW(g_1), ..., FW(b_M)/BW(g_M) of increasing precision. In stage s every conv/fc
// layer's MAC operands are rounded to b_s bits in the forward products (weights, activations)
// and to g_s bits for the gradient dz (docs/precision.md, "FracTrain PFQ"). The schedule
// switches to the next stage at fixed sample counts (manual PFQ) or when the training loss
// stops improving (auto-PFQ):
//   the loss is averaged over consecutive windows of `window` samples; a window whose mean is
//   not below (1 - min_improvement) x the best window mean of the current stage ends the
//   stage (the next sample trains at the next stage, whose best starts afresh). The last stage
//   lasts until the end.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lrt::golden {

enum class PfqSwitch { kManual, kAuto };

/// @brief train.pfq.*
struct PfqSpec {
  bool enabled = false;
  /// The train.pfq.* keys' defaults (their sources: docs/configuration.md).
  std::vector<int> forward_bits{4, 6, 8};   ///< b_1..b_M
  std::vector<int> backward_bits{6, 8, 8};  ///< g_1..g_M
  PfqSwitch mode = PfqSwitch::kManual;
  std::vector<uint64_t> switch_samples{2000, 5000};  ///< manual: M - 1 increasing sample counts (stage s+1 starts there)
  uint64_t window = 500;                 ///< auto: samples per loss window
  double min_improvement = 0.01;         ///< auto: relative improvement a window must reach
};

/// @brief Throws SpecError naming the member ("forward_bits", ...) for lists of
/// different or zero length, widths outside [2, max_bits], or switch samples that are not M - 1
/// strictly increasing positive counts (manual).
void validate(const PfqSpec& spec, int max_bits);

/// @brief Running state of the schedule (plain: checkpoints).
struct PfqState {
  uint64_t stage = 0;
  uint64_t window_count = 0;  ///< samples in the current window
  double window_sum = 0.0;    ///< their loss sum
  bool has_best = false;
  double best = 0.0;                ///< best window mean of this stage
  std::vector<uint64_t> switched_at;  ///< sample counts at which stages 1, 2, ... began
};

/// @brief The schedule of one run.
class PfqSchedule {
 public:
  explicit PfqSchedule(const PfqSpec& spec) : spec_(spec) {}
  int forward_bits() const { return spec_.forward_bits[static_cast<std::size_t>(state_.stage)]; }
  int backward_bits() const { return spec_.backward_bits[static_cast<std::size_t>(state_.stage)]; }
  /// @brief Records that `samples` samples are done, the last one with `loss`; may advance the stage.
  void observe(uint64_t samples, double loss);
  const PfqState& state() const { return state_; }
  void set_state(const PfqState& s);
  const PfqSpec& spec() const { return spec_; }

 private:
  void advance(uint64_t samples);
  PfqSpec spec_;
  PfqState state_;
};

}  // namespace lrt::golden
