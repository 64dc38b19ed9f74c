#pragma once
// Parameters of one RRAM weight array, as plain data (no running state: that is RramStats).
// Units are in the member names; defaults, sources and config keys: docs/device.md.

#include <cstdint>

#include "device/endurance.h"
#include "device/program_model.h"
#include "device/weight_drift.h"

namespace lrt::device {

/// @brief Effects that act when a word is read (not on what is stored). While any is on, a
/// read is not a plain memory read, so the TLM target grants no DMI.
struct RramReadEffects {
  /// sd of additive Gaussian read noise per cell, in cell levels; 0 = off.
  double noise_sigma_levels = 0.0;
  /// nu of power-law conductance drift G(t) = G_prog * ((t + t0) / t0)^-nu, t = samples since
  /// the cell was last programmed; 0 = off.
  double power_law_nu = 0.0;
  /// t0 of the power law, in samples.
  double power_law_t0_samples = 1.0;

  bool any() const { return noise_sigma_levels > 0.0 || power_law_nu > 0.0; }
};

/// @brief Throws SpecError("read_effects.*"): sigma in [0, 1e3], nu in [0, 10], t0 in [1e-3, 1e12].
void validate(const RramReadEffects& effects);

/// @brief One RRAM array: geometry, write-verify, energy, latency, area, reliability.
struct RramArraySpecs {
  // ---- geometry: a weight of weight_bits maps onto ceil(weight_bits / bits_per_cell) cells
  uint64_t cells = uint64_t{1} << 20;  ///< physical cells; words = cells / cells_per_word
  uint32_t bits_per_cell = 1;          ///< 1 = binary cells, more = multi-level
  uint32_t weight_bits = 8;            ///< width of a stored weight code (two's complement)
  double weight_range = 1.0;           ///< r of the weight format [-r, r): LSB = r / 2^(weight_bits-1)

  // ---- write-verify: a level change of D levels is ceil(D / levels_per_pulse) nominal steps;
  // program.model says how many pulses they take (program_model.h), each followed by one
  // verify read; a cell that cannot reach its level (stuck) gives up after max_pulses.
  uint32_t levels_per_pulse = 1;
  uint32_t max_pulses = 16;
  bool read_before_write = true;  ///< a write first reads the word to find the cells that change
  ProgramSpecs program;

  // ---- energy
  double read_energy_pj_per_bit = 1.76;     ///< per stored bit read (user and compare reads)
  double write_energy_pj_per_bit = 10.9;  ///< per bit written (program_model.h prices the pulses)

  // ---- latency, in clock cycles
  uint32_t read_latency_cycles = 2;  ///< one word read (user or compare read)
  uint32_t pulse_cycles = 10;        ///< one program pulse (a SET pulse under program.model stochastic)
  uint32_t verify_cycles = 2;        ///< one verify read after a pulse

  // ---- area
  double cell_area_um2 = 0.085;

  // ---- reliability
  EnduranceSpecs endurance;
  double stuck_at_fault_rate = 0.0;     ///< fraction of cells stuck from time zero
  double stuck_at_high_fraction = 0.5;  ///< of those, the fraction stuck at the top level (else level 0)
  DriftSpecs drift;
  RramReadEffects read_effects;
};

/// @brief Throws SpecError naming the first member out of range (see docs/device.md).
void validate(const RramArraySpecs& specs);

}  // namespace lrt::device
