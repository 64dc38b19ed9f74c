#include "core/progress.h"

#include <unistd.h>

#include <cmath>

namespace lrt {

namespace {
constexpr double kTtyInterval = 0.25;  // seconds between in-place updates
constexpr double kLogInterval = 30.0;  // seconds between plain log lines
}  // namespace

ProgressLine::ProgressLine(uint64_t total, std::string unit, std::FILE* out)
    : total_(total), unit_(std::move(unit)), out_(out), tty_(::isatty(::fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

std::string ProgressLine::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%llds", s);
  return buf;
}

std::string ProgressLine::format_line(uint64_t done, uint64_t total, const std::string& unit, double rate,
                                      const std::string& extra) {
  char buf[160];
  const double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  const double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : NAN;
  std::snprintf(buf, sizeof buf, "%llu/%llu %s (%.1f%%), %.1f %s/s, ETA %s",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), unit.c_str(), pct,
                rate, unit.c_str(), format_duration(eta).c_str());
  return extra.empty() ? std::string(buf) : std::string(buf) + ", " + extra;
}

void ProgressLine::update(uint64_t done, const std::string& extra) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (tty_ ? kTtyInterval : kLogInterval)) return;
  last_ = now;
  print(done, extra, false);
}

void ProgressLine::finish(uint64_t done, const std::string& extra) { print(done, extra, true); }

void ProgressLine::print(uint64_t done, const std::string& extra, bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const std::string line = format_line(done, total_, unit_, rate, extra);
  if (tty_)
    std::fprintf(out_, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  else
    std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace lrt
