#include "golden/training/dither.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "golden/training/quant_flow.h"

namespace lrt::golden {

DitherStepRule parse_dither_step_rule(const char* text) {
  if (std::strcmp(text, "std") == 0) return DitherStepRule::kStd;
  if (std::strcmp(text, "max_abs") == 0) return DitherStepRule::kMaxAbs;
  throw std::invalid_argument(std::string("dither step rule '") + text + "': expected std or max_abs");
}

const char* to_string(DitherStepRule rule) {
  switch (rule) {
    case DitherStepRule::kStd: return "std";
    case DitherStepRule::kMaxAbs: return "max_abs";
  }
  return "?";
}

int dither_step_exponent(const int64_t* v, int64_t n, int shift, const fx::Format& g, const DitherSpec& spec) {
  if (n <= 0) return 0;
  const double unit = std::ldexp(1.0, -shift);  // one v step in Qg LSBs
  double stat = 0.0;
  if (spec.rule == DitherStepRule::kMaxAbs) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, v[i] < 0 ? -v[i] : v[i]);
    stat = static_cast<double>(m) * unit;
  } else {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(v[i]);
    const double mean = sum / static_cast<double>(n);
    double ss = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double d = static_cast<double>(v[i]) - mean;
      ss += d * d;
    }
    stat = std::sqrt(ss / static_cast<double>(n)) * unit;
  }
  const double delta = spec.scale * stat;
  if (!(delta > 0.0)) return 0;
  const int k = static_cast<int>(std::lround(std::log2(delta)));
  return k < 0 ? 0 : (k > g.bits - 1 ? g.bits - 1 : k);
}

void dither_quantize(const int64_t* v, int64_t n, int shift, int k, const fx::Format& g, const CounterRng& rng,
                     uint64_t first_index, int16_t* out) {
  if (shift < 0 || k < 0 || k + shift > 62)
    throw std::invalid_argument("dither_quantize: shift " + std::to_string(shift) + " and step exponent " +
                                std::to_string(k) + " outside 0 <= shift, 0 <= k, k + shift <= 62");
  const int s = k + shift;
  const uint64_t mask = (uint64_t{1} << s) - 1;
  const int64_t lo = g.min_code(), hi = g.max_code();
  for (int64_t i = 0; i < n; ++i) {
    const auto u = static_cast<int64_t>(rng.bits64(first_index + static_cast<uint64_t>(i)) & mask);
    const int64_t level = (v[i] + u) >> s;  // arithmetic shift: floor
    out[i] = static_cast<int16_t>(saturate(level * (int64_t{1} << k), lo, hi));
  }
}

}  // namespace lrt::golden
