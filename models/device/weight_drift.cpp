#include "device/weight_drift.h"

#include <string>

#include "core/error.h"

namespace lrt::device {

const char* to_string(FlipModel model) {
  switch (model) {
    case FlipModel::kBinomial2:
      return "binomial2";
    case FlipModel::kBernoulli:
      return "bernoulli";
  }
  return "unknown";
}

void validate(const DriftSpecs& s) {
  if (s.interval_samples < 1 || s.interval_samples > UINT32_MAX) {
    throw SpecError("drift.interval_samples",
                    std::to_string(s.interval_samples) + " is outside [1, 2^32 - 1]");
  }
  if (s.horizon_samples < s.interval_samples || s.horizon_samples > uint64_t{1'000'000'000'000'000}) {
    throw SpecError("drift.horizon_samples",
                    std::to_string(s.horizon_samples) + " is outside [interval_samples, 1e15]");
  }
  if (!(s.analog_sigma0 >= 0.0 && s.analog_sigma0 <= 1e6)) {
    throw SpecError("drift.analog_sigma0", std::to_string(s.analog_sigma0) + " is outside [0, 1e6]");
  }
  if (!(s.flip_p0 >= 0.0 && flip_probability_per_event(s) <= 1.0)) {
    throw SpecError("drift.flip_p0", std::to_string(s.flip_p0) +
                                         " must be >= 0 with a per-event probability p0 / (H / d) <= 1");
  }
  if (s.flip_model != FlipModel::kBinomial2 && s.flip_model != FlipModel::kBernoulli) {
    throw SpecError("drift.flip_model", std::to_string(static_cast<uint32_t>(s.flip_model)) +
                                            " is not a flip model (binomial2 or bernoulli)");
  }
}

}  // namespace lrt::device
