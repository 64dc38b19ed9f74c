#include "golden/training/pfq.h"

#include <stdexcept>
#include <string>

#include "core/error.h"

namespace lrt::golden {

void validate(const PfqSpec& s, int max_bits) {
  auto bad = [](const char* member, const std::string& what) {
    throw SpecError(member, what);
  };
  if (s.forward_bits.empty()) bad("forward_bits", "needs at least one stage");
  if (s.forward_bits.size() != s.backward_bits.size())
    bad("backward_bits", "has " + std::to_string(s.backward_bits.size()) + " stages, forward_bits " +
                             std::to_string(s.forward_bits.size()) + "; expected the same number");
  for (const auto* list : {&s.forward_bits, &s.backward_bits})
    for (int b : *list)
      if (b < 2 || b > max_bits)
        bad(list == &s.forward_bits ? "forward_bits" : "backward_bits",
            "width " + std::to_string(b) + " outside [2, " + std::to_string(max_bits) +
                "]: the datapath rounds its 8-bit operands, it cannot widen them");
  if (s.mode == PfqSwitch::kManual) {
    if (s.switch_samples.size() + 1 != s.forward_bits.size())
      bad("switch_samples", std::to_string(s.switch_samples.size()) + " switch points for " +
                                std::to_string(s.forward_bits.size()) + " stages; expected stages - 1");
    for (size_t i = 0; i < s.switch_samples.size(); ++i)
      if (s.switch_samples[i] == 0 || (i > 0 && s.switch_samples[i] <= s.switch_samples[i - 1]))
        bad("switch_samples", "must be positive and strictly increasing");
  } else {
    if (s.window < 1) bad("window", "must be >= 1 sample");
    if (!(s.min_improvement >= 0.0 && s.min_improvement < 1.0)) bad("min_improvement", "must be in [0, 1)");
  }
}

void PfqSchedule::advance(uint64_t samples) {
  if (state_.stage + 1 >= spec_.forward_bits.size()) return;
  ++state_.stage;
  state_.switched_at.push_back(samples);
  state_.has_best = false;
  state_.best = 0.0;
}

void PfqSchedule::observe(uint64_t samples, double loss) {
  if (spec_.mode == PfqSwitch::kManual) {
    while (state_.stage < spec_.switch_samples.size() && samples >= spec_.switch_samples[state_.stage])
      advance(spec_.switch_samples[state_.stage]);
    return;
  }
  state_.window_sum += loss;
  if (++state_.window_count < spec_.window) return;
  const double mean = state_.window_sum / static_cast<double>(state_.window_count);
  state_.window_sum = 0.0;
  state_.window_count = 0;
  if (!state_.has_best || mean < state_.best * (1.0 - spec_.min_improvement)) {
    state_.has_best = true;  // the first window of a stage, or an improvement: the new best
    state_.best = mean;
    return;
  }
  advance(samples);
}

void PfqSchedule::set_state(const PfqState& s) {
  if (s.stage >= spec_.forward_bits.size() || s.switched_at.size() != s.stage)
    throw std::invalid_argument("pfq state: stage " + std::to_string(s.stage) + " with " +
                                std::to_string(s.switched_at.size()) + " switch points does not fit the schedule");
  state_ = s;
}

}  // namespace lrt::golden
