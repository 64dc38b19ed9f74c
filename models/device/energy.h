#pragma once
// Energy bookkeeping in integer units of 0.1 fJ (1e-16 J). Per-event energies come from the
// configuration in pJ and are converted once; every total is count x energy-per-event in
// integers, so a sum of per-event energies equals the reported total exactly, in any order.
// 0.1 fJ makes every energy the papers quote exact (10.9, 1.76, 0.3125, 0.03 pJ), and 2^64
// units hold 1.8 kJ, far beyond any simulated run.

#include <cstdint>

namespace lrt::device {

/// Energy as an integer number of 0.1 fJ units.
using EnergyUnits = uint64_t;
inline constexpr double kEnergyUnitsPerPicojoule = 10000.0;

/// @brief pJ -> nearest whole unit (ties away from zero). Throws SpecError(member) unless
/// 0 <= pj <= 1e6 (1 uJ per event).
EnergyUnits to_energy_units(double pj, const char* member);

/// @brief A computed energy (not a configured price: no 1 uJ bound), pJ -> nearest whole unit.
/// Throws lrt::RunError for a negative, non-finite or over-range (2^64 units) value.
EnergyUnits computed_energy_units(double pj, const char* what);

/// @brief Units -> pJ for reporting.
inline double to_picojoules(EnergyUnits e) { return static_cast<double>(e) / kEnergyUnitsPerPicojoule; }

/// @brief count x per_event. Throws lrt::RunError if the product exceeds 2^64 units.
EnergyUnits energy_of(uint64_t count, EnergyUnits per_event);

}  // namespace lrt::device
