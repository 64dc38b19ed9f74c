#include "device/energy.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace lrt::device {

EnergyUnits to_energy_units(double pj, const char* member) {
  if (!(pj >= 0.0 && pj <= 1e6)) {
    throw SpecError(member, "energy " + std::to_string(pj) + " pJ is outside [0, 1e6] pJ");
  }
  return static_cast<EnergyUnits>(std::llround(pj * kEnergyUnitsPerPicojoule));
}

EnergyUnits computed_energy_units(double pj, const char* what) {
  const double units = pj * kEnergyUnitsPerPicojoule;
  if (!(units >= 0.0 && units < 1.8e19))
    throw RunError(std::string(what) + ": energy " + std::to_string(pj) + " pJ is negative or out of range");
  return static_cast<EnergyUnits>(std::llround(units));
}

EnergyUnits energy_of(uint64_t count, EnergyUnits per_event) {
  EnergyUnits out;
  if (__builtin_mul_overflow(count, per_event, &out)) {
    throw RunError("energy counter overflow: " + std::to_string(count) + " events x " +
                   std::to_string(per_event) + " x 0.1 fJ exceeds 2^64 units");
  }
  return out;
}

}  // namespace lrt::device
