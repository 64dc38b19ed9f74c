#include "sim/online_accuracy.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace lrt::sim {

void OnlineAccuracy::add(bool correct) {
  ema_ = kEmaDecay * ema_ + (1.0 - kEmaDecay) * (correct ? 1.0 : 0.0);
  decay_power_ *= kEmaDecay;
  if (window_.size() < kWindow) {
    window_.push_back(correct);
  } else {
    window_correct_ -= window_[next_] ? 1 : 0;
    window_[next_] = correct;
    next_ = (next_ + 1) % kWindow;
  }
  window_correct_ += correct ? 1 : 0;
}

double OnlineAccuracy::ema() const {
  return decay_power_ < 1.0 ? std::min(1.0, ema_ / (1.0 - decay_power_)) : 0.0;
}

double OnlineAccuracy::last_window() const {
  return window_.empty() ? 0.0 : static_cast<double>(window_correct_) / static_cast<double>(window_.size());
}

void OnlineAccuracy::save(CheckpointWriter& w) const {
  w.add_array("run.ema", std::vector<double>{ema_, decay_power_});
  w.add_array("run.window", std::vector<uint8_t>(window_.begin(), window_.end()));
  w.add_array("run.window_next", std::vector<uint64_t>{next_});
}

void OnlineAccuracy::load(const Checkpoint& ck) {
  const auto ema = ck.array<double>("run.ema", 2);
  const auto window = ck.array<uint8_t>("run.window");
  const auto next = ck.array<uint64_t>("run.window_next", 1)[0];
  if (window.size() > kWindow || (window.size() < kWindow ? next != 0 : next >= kWindow))
    throw InputError(InputLocation(ck.path(), -1, -1, "run.window"),
                     "holds " + std::to_string(window.size()) + " entries at position " + std::to_string(next) +
                         "; expected at most " + std::to_string(kWindow));
  ema_ = ema[0];
  decay_power_ = ema[1];
  window_.assign(window.begin(), window.end());
  next_ = next;
  window_correct_ = 0;
  for (uint8_t c : window) window_correct_ += c ? 1 : 0;
}

}  // namespace lrt::sim
