#include "device/rram_specs.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "device/cell_mapping.h"
#include "device/energy.h"

namespace lrt::device {

namespace {
std::string num(double v) { return std::to_string(v); }
std::string num(uint64_t v) { return std::to_string(v); }
}  // namespace

void validate(const RramReadEffects& e) {
  if (!(e.noise_sigma_levels >= 0.0 && e.noise_sigma_levels <= 1e3)) {
    throw SpecError("read_effects.noise_sigma_levels", num(e.noise_sigma_levels) + " is outside [0, 1000]");
  }
  if (!(e.power_law_nu >= 0.0 && e.power_law_nu <= 10.0)) {
    throw SpecError("read_effects.power_law_nu", num(e.power_law_nu) + " is outside [0, 10]");
  }
  if (!(e.power_law_t0_samples >= 1e-3 && e.power_law_t0_samples <= 1e12)) {
    throw SpecError("read_effects.power_law_t0_samples",
                    num(e.power_law_t0_samples) + " is outside [1e-3, 1e12]");
  }
}

void validate(const RramArraySpecs& s) {
  const CellMapping map(s.weight_bits, s.bits_per_cell);  // throws for the two widths
  if (s.cells < map.cells_per_word()) {
    throw SpecError(
        "cells", num(s.cells) + " cannot hold one word of " + num(uint64_t{map.cells_per_word()}) + " cells");
  }
  // Random draws are indexed (event << 32 | word) and (sample << 32 | cell).
  if (s.cells > UINT32_MAX) throw SpecError("cells", num(s.cells) + " exceeds 2^32 - 1");
  if (!(s.weight_range > 0.0 && s.weight_range <= 1e9) ||
      std::ldexp(1.0, std::ilogb(s.weight_range)) != s.weight_range) {
    throw SpecError("weight_range", num(s.weight_range) + " is not a power of two in (0, 1e9]");
  }
  if (s.levels_per_pulse < 1 || s.levels_per_pulse > 255) {
    throw SpecError("levels_per_pulse", num(uint64_t{s.levels_per_pulse}) + " is outside [1, 255]");
  }
  // Every healthy level change must complete within max_pulses.
  const uint32_t widest = (1u << s.bits_per_cell) - 1u;
  const uint32_t needed = (widest + s.levels_per_pulse - 1) / s.levels_per_pulse;
  if (s.max_pulses < needed || s.max_pulses > 4096) {
    throw SpecError("max_pulses", num(uint64_t{s.max_pulses}) + " is outside [" + num(uint64_t{needed}) +
                                      ", 4096]: a full swing of " + num(uint64_t{widest}) + " levels at " +
                                      num(uint64_t{s.levels_per_pulse}) + " levels per pulse needs " +
                                      num(uint64_t{needed}) + " pulses");
  }
  (void)to_energy_units(s.read_energy_pj_per_bit, "read_energy_pj_per_bit");
  (void)to_energy_units(s.write_energy_pj_per_bit, "write_energy_pj_per_bit");
  validate(s.program);
  const PulseEnergiesPj pulse = pulse_energies_pj(s.program, s.write_energy_pj_per_bit, s.bits_per_cell,
                                                  s.levels_per_pulse);
  (void)to_energy_units(pulse.set, "write_energy_pj_per_bit");
  (void)to_energy_units(pulse.reset, "program.reset_energy_ratio");
  if (s.read_latency_cycles > 1'000'000) throw SpecError("read_latency_cycles", "exceeds 1e6");
  if (s.pulse_cycles > 1'000'000) throw SpecError("pulse_cycles", "exceeds 1e6");
  if (s.verify_cycles > 1'000'000) throw SpecError("verify_cycles", "exceeds 1e6");
  if (!(s.cell_area_um2 >= 0.0 && s.cell_area_um2 <= 1e6)) {
    throw SpecError("cell_area_um2", num(s.cell_area_um2) + " is outside [0, 1e6]");
  }
  validate(s.endurance);
  if (!(s.stuck_at_fault_rate >= 0.0 && s.stuck_at_fault_rate <= 1.0)) {
    throw SpecError("stuck_at_fault_rate", num(s.stuck_at_fault_rate) + " is outside [0, 1]");
  }
  if (!(s.stuck_at_high_fraction >= 0.0 && s.stuck_at_high_fraction <= 1.0)) {
    throw SpecError("stuck_at_high_fraction", num(s.stuck_at_high_fraction) + " is outside [0, 1]");
  }
  validate(s.drift);
  validate(s.read_effects);
}

}  // namespace lrt::device
