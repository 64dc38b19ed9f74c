#pragma once
// How many program-verify pulses one cell write takes, and what a pulse costs (docs/device.md,
// "Program-verify"). Pure functions: the array draws the uniform, this turns it into pulses.
//
//  deterministic (lrtsim's former rule): ceil(|D| / levels_per_pulse) pulses, SET and RESET
//    alike, each charged write_energy_pj_per_bit (one pulse = one bit for a binary cell).
//  stochastic (default, "as measured"): a level change is m = ceil(|D| / levels_per_pulse)
//    nominal steps; each pulse completes the step it works on with probability p (the verify
//    passes), else the step is retried: a temporary write failure of Grossi et al., TED 2019,
//    corrected by program-verify. Pulses N = m + F, F ~ NegativeBinomial(m, p) (failures before
//    the m-th success): E[N] = m / p, Var[N] = m (1 - p) / p^2. Level up = SET (towards the
//    low-resistance state), level down = RESET, each with its own fresh-cell p0: the
//    single-pulse yields of SkyWater's sky130 1T1R ReRAM (SET 97.45 %, RESET 90.83 %). Wear
//    lowers p: p(w) = p0 / (1 + g * w / W) after w successful programs of the cell,
//    W = endurance.writes (a labelled model: the mean grows linearly in the fraction of the
//    median lifetime used). A draw beyond max_pulses is clamped to max_pulses (the verify
//    loop's limit). RESET pulses cost reset_energy_ratio times a SET pulse and take
//    reset_pulse_cycles.

#include <cstdint>
#include <string_view>

namespace lrt::device {

enum class ProgramModel : uint32_t { kStochastic = 0, kDeterministic = 1 };

/// "stochastic", "deterministic".
const char* to_string(ProgramModel model);
/// @brief Inverse of to_string; throws std::invalid_argument naming the allowed names.
ProgramModel parse_program_model(std::string_view name);

/// @brief Program-verify parameters (defaults and sources: docs/device.md).
struct ProgramSpecs {
  ProgramModel model = ProgramModel::kStochastic;
  double set_pass_probability = 0.9745;    ///< p0 of a SET pulse on a fresh cell (sky130 1T1R #5)
  double reset_pass_probability = 0.9083;  ///< p0 of a RESET pulse on a fresh cell (sky130 1T1R #5)
  double wear_growth = 1.0;                ///< g: p(w) = p0 / (1 + g w / W)
  double reset_energy_ratio = 1.0;         ///< RESET pulse energy / SET pulse energy
  uint32_t reset_pulse_cycles = 10;        ///< latency of one RESET pulse (SET: pulse_cycles)
};

/// @brief Throws SpecError("program.*"): both p0 in (0, 1], g in [0, 1e6], ratio in (0, 1e3],
/// reset_pulse_cycles <= 1e6, a known model.
void validate(const ProgramSpecs& specs);

/// Nominal steps of a change of `levels` levels: ceil(levels / levels_per_pulse).
inline uint32_t nominal_steps(uint32_t levels, uint32_t levels_per_pulse) {
  return (levels + levels_per_pulse - 1) / levels_per_pulse;
}

/// @brief p(w) = p0 / (1 + g w / W): the verify-pass probability of a SET (`reset` false) or
/// RESET pulse of a cell after `writes` successful programs, W = median_lifetime.
double pass_probability(const ProgramSpecs& specs, bool reset, uint64_t writes, uint64_t median_lifetime);

/// @brief Pulses of m >= 1 nominal steps at pass probability p for the uniform u in [0, 1):
/// the inverse CDF of m + NegativeBinomial(m, p), clamped to max_pulses. Monotone in u.
uint32_t stochastic_pulses(uint32_t m, double p, double u, uint32_t max_pulses);

/// @brief Mean nominal steps of a change between two distinct uniformly chosen levels of a
/// cell of `bits` bits: the calibration point of the per-bit energy (program_model.cpp).
double mean_nominal_steps(uint32_t bits, uint32_t levels_per_pulse);

/// @brief SET and RESET pulse energies in pJ for a cell of `bits` bits, priced per bit written
/// as Wu et al., ISSCC 2019 price the macro: deterministic, both = pj_per_bit (the former rule);
/// stochastic, E_set = 2 B k / (s (1 / p_set + r / p_reset)), E_reset = r E_set (B = pj_per_bit,
/// k = bits, s = mean_nominal_steps, r = ratio, p_* the fresh-cell pass probabilities), so that a
/// fresh cell's expected write energy over uniformly chosen level changes, SET and RESET equally
/// likely, is k B.
struct PulseEnergiesPj {
  double set = 0.0;
  double reset = 0.0;
};
PulseEnergiesPj pulse_energies_pj(const ProgramSpecs& specs, double pj_per_bit, uint32_t bits,
                                  uint32_t levels_per_pulse);

}  // namespace lrt::device
