#include "cli/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace lrt::cli {

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Integers with thousands separators: cycle and write counts run into the millions.
std::string grouped(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Right-aligns `text` in `width` columns; counts UTF-8 characters, not bytes ("µJ").
std::string pad_left(const std::string& text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  return chars >= width ? text : std::string(width - chars, ' ') + text;
}

std::string percent(double fraction) { return fmt("%.1f %%", 100.0 * fraction); }

// A count that may be large and fractional (projected samples): plain below 10^6.
std::string count(double v) {
  return v < 1e6 ? grouped(static_cast<uint64_t>(std::llround(v))) : fmt("%.3g", v);
}

// One "by component" / "by phase" block: entries largest first, zero ones left out (they
// would only pad the list; summary.json has them all).
void add_breakdown(std::string& out, const char* title, const nlohmann::json& by, double samples,
                   double total) {
  std::vector<std::pair<std::string, double>> parts;
  for (const auto& e : by.items())
    if (e.value().get<double>() > 0.0) parts.emplace_back(e.key(), e.value().get<double>());
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out += std::string("    ") + title + "\n";
  for (const auto& [name, pj] : parts) {
    char label[64];
    std::snprintf(label, sizeof label, "      %-12s", name.c_str());
    out += label + pad_left(format_energy_pj(pj / samples), 10) + "/sample" +
           pad_left(percent(total > 0 ? pj / total : 0.0), 8) + "\n";
  }
}

}  // namespace

std::string format_energy_pj(double pj) {
  static const std::pair<double, const char*> kUnits[] = {{1e12, "J"}, {1e9, "mJ"}, {1e6, "µJ"}, {1e3, "nJ"}};
  for (const auto& [scale, unit] : kUnits)
    if (std::fabs(pj) >= scale) return fmt("%.3g ", pj / scale) + unit;
  return fmt("%.3g pJ", pj);
}

std::string format_seconds(double s) {
  if (s >= 365.25 * 86400) return fmt("%.3g years", s / (365.25 * 86400));
  if (s >= 2 * 86400) return fmt("%.3g days", s / 86400);
  if (s >= 2 * 3600) return fmt("%.3g h", s / 3600);
  if (s >= 120) return fmt("%.3g min", s / 60);
  if (s >= 1) return fmt("%.3g s", s);
  if (s >= 1e-3) return fmt("%.3g ms", s * 1e3);
  if (s >= 1e-6) return fmt("%.3g µs", s * 1e6);
  return fmt("%.3g ns", s * 1e9);
}

std::string run_report(const nlohmann::json& j, const std::string& dir,
                       const std::vector<std::string>& files) {
  const auto samples = j.at("samples").get<uint64_t>();
  const double n = static_cast<double>(std::max<uint64_t>(samples, 1));
  const bool tlm = j.contains("energy_pj");
  std::string out = "lrtsim run: " + std::string(j.value("interrupted", false) ? "interrupted after " : "") +
                    grouped(samples) + " samples on the " + j.at("engine").get<std::string>() + " engine (" +
                    j.value("stream", "online") + " stream, seed " + std::to_string(j.value("seed", 0ull)) +
                    ")\n";

  const nlohmann::json& acc = j.at("accuracy");
  out += "  accuracy   online EMA (0.999) " + percent(acc.at("online_ema").get<double>()) +
         ", last " + grouped(std::min<uint64_t>(samples, 500)) + " samples " +  // a shorter run has fewer
         percent(acc.at("last_500").get<double>()) + "\n";

  const nlohmann::json& w = j.at("writes");
  out += "  writes     max " + grouped(w.at("max_per_cell").get<uint64_t>()) + " writes/cell, mean " +
         fmt("%.3g", w.at("mean_per_cell").get<double>()) + " writes/cell over " +
         grouped(w.at("cells").get<uint64_t>()) + " cells (" + grouped(w.at("total").get<uint64_t>()) +
         " writes in all)\n";

  const double seconds_per_sample = tlm ? j.at("seconds").get<double>() / n : 0.0;
  const nlohmann::json& life = j.at("lifetime");
  const std::string how = life.at("first_worn_cell").get<std::string>();
  out += "  lifetime   ";
  if (how == "none") {
    out += "no cell written yet: no projection\n";
  } else {
    const double first = life.at("samples_to_first_worn_cell").get<double>();
    // "projected": at each cell's own write rate so far (summary.json's lifetime).
    out += "first worn-out cell after " + count(first) + " samples (" + how + ")";
    if (tlm && seconds_per_sample > 0)
      out += " = " + format_seconds(first * seconds_per_sample) + " of training";
    out += "; " + grouped(life.at("cells_worn_out").get<uint64_t>()) + " cells worn out so far\n";
  }

  if (tlm) {
    const nlohmann::json& e = j.at("energy_pj");
    const double total = e.at("total").get<double>();
    out +=
        "  energy     " + format_energy_pj(total / n) + "/sample (" + format_energy_pj(total) + " in all)\n";
    add_breakdown(out, "by component", e.at("by_component"), n, total);
    add_breakdown(out, "by phase", e.at("by_phase"), n, total);
    const auto cycles = j.at("cycles").get<uint64_t>();
    const double seconds = j.at("seconds").get<double>();
    const double mhz = seconds > 0 ? static_cast<double>(cycles) / seconds / 1e6 : 0.0;
    out += "  time       " + grouped(static_cast<uint64_t>(std::llround(static_cast<double>(cycles) / n))) +
           " cycles/sample at " + fmt("%g", mhz) + " MHz = " + format_seconds(seconds_per_sample) +
           "/sample; simulated time " + format_seconds(seconds) + " (" + grouped(cycles) + " cycles)\n";
  } else {
    out += "  energy, cycles: not modelled by the golden engine; run with --engine tlm\n";
  }

  out += "  files      " + dir + "/ ";
  for (size_t i = 0; i < files.size(); ++i) out += (i ? ", " : "") + files[i];
  out += "\n";
  return out;
}

}  // namespace lrt::cli
