#include "device/endurance.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace lrt::device {

const char* to_string(EnduranceDistribution d) {
  switch (d) {
    case EnduranceDistribution::kFixed:
      return "fixed";
    case EnduranceDistribution::kNormal:
      return "normal";
    case EnduranceDistribution::kLognormal:
      return "lognormal";
  }
  throw std::invalid_argument("unknown EnduranceDistribution");
}

EnduranceDistribution parse_endurance_distribution(std::string_view name) {
  if (name == "fixed") return EnduranceDistribution::kFixed;
  if (name == "normal") return EnduranceDistribution::kNormal;
  if (name == "lognormal") return EnduranceDistribution::kLognormal;
  throw std::invalid_argument("endurance distribution '" + std::string(name) +
                              "' is not one of fixed, normal, lognormal");
}

void validate(const EnduranceSpecs& specs) {
  if (specs.writes < 1 || specs.writes > UINT32_MAX) {
    throw SpecError("endurance.writes", std::to_string(specs.writes) + " is outside [1, 2^32 - 1]");
  }
  if (!(specs.spread >= 0.0 && specs.spread <= 10.0)) {
    throw SpecError("endurance.spread", std::to_string(specs.spread) + " is outside [0, 10]");
  }
  (void)to_string(specs.distribution);  // throws on a value outside the enum
}

uint32_t lifetime_from_normal(const EnduranceSpecs& specs, double z) {
  const double median = static_cast<double>(specs.writes);
  double x = median;
  switch (specs.distribution) {
    case EnduranceDistribution::kFixed:
      return static_cast<uint32_t>(specs.writes);
    case EnduranceDistribution::kNormal:
      x = median * (1.0 + specs.spread * z);
      break;
    case EnduranceDistribution::kLognormal:
      x = median * std::exp(specs.spread * z);
      break;
  }
  // Clamp before converting: a double outside the target range must never reach the cast.
  if (!(x > 0.0)) return 0;
  if (!(x < 4294967295.5)) return UINT32_MAX;
  return static_cast<uint32_t>(std::floor(x + 0.5));
}

}  // namespace lrt::device
