#pragma once
// Errors that reach the user. InputError means "the user gave us something bad"
// (exit code 2); RunError means "a valid run failed" (exit code 1). Both carry
// enough context to find the problem: the file, the line (or byte offset), the
// key, the offending value and what was expected.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace lrt {

/// @brief Where in an input a problem was found. Empty fields are left out of messages.
struct InputLocation {
  // A constructor rather than an aggregate, so that {file}, {file, line} and
  // {file, line, offset, key} all work without -Wmissing-field-initializers noise.
  InputLocation(std::string file_ = {}, int64_t line_ = -1, int64_t byte_offset_ = -1,
                std::string key_ = {})
      : file(std::move(file_)), line(line_), byte_offset(byte_offset_), key(std::move(key_)) {}

  std::string file;         ///< path as the user gave it
  int64_t line = -1;        ///< 1-based line, or -1
  int64_t byte_offset = -1; ///< 0-based byte offset for binary inputs, or -1
  std::string key;          ///< full key path (config) or column name, or empty
};

/// @brief Bad user input: exit code 2. what() is the complete one-line message.
class InputError : public std::runtime_error {
 public:
  InputError(InputLocation where, const std::string& problem);
  const InputLocation& where() const { return where_; }
  const std::string& problem() const { return problem_; }

 private:
  InputLocation where_;
  std::string problem_;
};

/// @brief A valid run that failed (I/O error on output, numerical breakdown): exit code 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief A module's specs member has a value the module cannot use: the one error type of
/// every module's validate() (device, data, golden). The module names the member relative to
/// its own specs ("endurance.writes", "quant.weight.range"); the config layer, which knows
/// where those specs sit in config::Specs, turns it into an InputError at the key.
class SpecError : public std::invalid_argument {
 public:
  SpecError(std::string member, const std::string& problem)
      : std::invalid_argument(member + ": " + problem), member_(std::move(member)), problem_(problem) {}
  const std::string& member() const { return member_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string member_;
  std::string problem_;
};

/// @brief Exit codes of the lrtsim executable.
enum ExitCode : int { kExitOk = 0, kExitRunFailed = 1, kExitBadInput = 2 };

/// Formats "file:line: key: problem" with the parts that are known.
std::string format_location(const InputLocation& where);

}  // namespace lrt
