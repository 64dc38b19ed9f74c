#pragma once
// Endurance: how many programming events (level changes) each RRAM cell survives.
//
// Every cell draws its own lifetime L once, as a pure function of (seed, instance, cell),
// from a distribution centred on `writes`:
//   fixed      L = writes
//   normal     L = round(writes * (1 + spread * z))        spread = coefficient of variation
//   lognormal  L = round(writes * exp(spread * z))         spread = sd of ln L; writes = median
// with z ~ N(0, 1), clamped to [0, 2^32 - 1]. The lognormal default is an assumption: a
// product of many small multiplicative damage factors, and it keeps every lifetime positive.
// What happens at the end of the lifetime is the array's business (rram_array.h).

#include <cstdint>
#include <string_view>

#include "core/rng.h"

namespace lrt::device {

enum class EnduranceDistribution { kFixed, kNormal, kLognormal };

/// "fixed", "normal", "lognormal".
const char* to_string(EnduranceDistribution d);
/// @brief Inverse of to_string; throws std::invalid_argument naming the allowed names.
EnduranceDistribution parse_endurance_distribution(std::string_view name);

/// @brief Lifetime distribution of one cell.
struct EnduranceSpecs {
  uint64_t writes = 1'000'000;  ///< median (lognormal) or mean (normal, fixed), in programming events
  EnduranceDistribution distribution = EnduranceDistribution::kLognormal;
  double spread = 0.3;  ///< lognormal: sd of ln L; normal: sd / mean; unused for fixed
};

/// @brief Throws SpecError("endurance.*") unless 1 <= writes <= 2^32 - 1 and 0 <= spread <= 10.
void validate(const EnduranceSpecs& specs);

/// @brief The lifetime for a given standard normal draw z (the deterministic part).
uint32_t lifetime_from_normal(const EnduranceSpecs& specs, double z);

/// @brief The lifetime of `cell`: z = rng.normal(cell), rng = make_rng(seed, kDeviceEndurance, instance).
inline uint32_t cell_lifetime(const EnduranceSpecs& specs, const CounterRng& rng, uint64_t cell) {
  return lifetime_from_normal(specs,
                              specs.distribution == EnduranceDistribution::kFixed ? 0.0 : rng.normal(cell));
}

}  // namespace lrt::device
