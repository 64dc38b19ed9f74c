#pragma once
// The progress line of long runs: on a terminal, one line rewritten in place at most a
// few times a second; elsewhere (logs, CI) a plain line every `log_every_seconds`.
// Host time is used only here, never in results.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace lrt {

class ProgressLine {
 public:
  /// `total` units of work (e.g. samples); `unit` names them ("samples").
  ProgressLine(uint64_t total, std::string unit, std::FILE* out = stderr);
  /// Reports `done` units and an extra field (e.g. "acc 83.1%"). Cheap when not printing.
  void update(uint64_t done, const std::string& extra = {});
  /// Prints the final line (with a newline on a terminal).
  void finish(uint64_t done, const std::string& extra = {});
  /// Formats seconds as "1h02m03s" / "4m05s" / "12s".
  static std::string format_duration(double seconds);
  /// The text of a progress line (exposed for tests).
  static std::string format_line(uint64_t done, uint64_t total, const std::string& unit, double rate,
                                 const std::string& extra);

 private:
  void print(uint64_t done, const std::string& extra, bool final_line);
  uint64_t total_;
  std::string unit_;
  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace lrt
