#pragma once
// A Specs member out of range. The config area validates YAML keys with file:line
// context; this is the device models' own last line of defence, naming the member so the
// message can be traced back to the key (docs/device.md lists member <-> key).

#include <stdexcept>
#include <string>
#include <utility>

namespace lrt::device {

/// @brief A Specs member has a value the model cannot use. what() names the member,
/// the value and what is allowed.
class SpecError : public std::invalid_argument {
 public:
  SpecError(std::string member, const std::string& problem)
      : std::invalid_argument(member + ": " + problem), member_(std::move(member)) {}
  /// The offending member, e.g. "bits_per_cell" or "endurance.spread".
  const std::string& member() const { return member_; }

 private:
  std::string member_;
};

}  // namespace lrt::device
