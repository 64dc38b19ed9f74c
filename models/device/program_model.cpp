#include "device/program_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace lrt::device {

const char* to_string(ProgramModel model) {
  switch (model) {
    case ProgramModel::kStochastic:
      return "stochastic";
    case ProgramModel::kDeterministic:
      return "deterministic";
  }
  throw std::invalid_argument("unknown ProgramModel");
}

ProgramModel parse_program_model(std::string_view name) {
  if (name == "stochastic") return ProgramModel::kStochastic;
  if (name == "deterministic") return ProgramModel::kDeterministic;
  throw std::invalid_argument("program model '" + std::string(name) + "' is not one of stochastic, deterministic");
}

void validate(const ProgramSpecs& s) {
  (void)to_string(s.model);  // throws on a value outside the enum
  if (!(s.set_pass_probability > 0.0 && s.set_pass_probability <= 1.0)) {
    throw SpecError("program.set_pass_probability",
                    std::to_string(s.set_pass_probability) + " is outside (0, 1]");
  }
  if (!(s.reset_pass_probability > 0.0 && s.reset_pass_probability <= 1.0)) {
    throw SpecError("program.reset_pass_probability",
                    std::to_string(s.reset_pass_probability) + " is outside (0, 1]");
  }
  if (!(s.wear_growth >= 0.0 && s.wear_growth <= 1e6)) {
    throw SpecError("program.wear_growth", std::to_string(s.wear_growth) + " is outside [0, 1e6]");
  }
  if (!(s.reset_energy_ratio > 0.0 && s.reset_energy_ratio <= 1e3)) {
    throw SpecError("program.reset_energy_ratio", std::to_string(s.reset_energy_ratio) + " is outside (0, 1000]");
  }
  if (s.reset_pulse_cycles > 1'000'000) throw SpecError("program.reset_pulse_cycles", "exceeds 1e6");
}

double pass_probability(const ProgramSpecs& s, bool reset, uint64_t writes, uint64_t median_lifetime) {
  const double used = static_cast<double>(writes) / static_cast<double>(std::max<uint64_t>(median_lifetime, 1));
  return (reset ? s.reset_pass_probability : s.set_pass_probability) / (1.0 + s.wear_growth * used);
}

uint32_t stochastic_pulses(uint32_t m, double p, double u, uint32_t max_pulses) {
  if (m >= max_pulses) return max_pulses;
  // P(F = 0) = p^m, P(F = j + 1) = P(F = j) (m + j) (1 - p) / (j + 1); the first j whose
  // cumulative probability exceeds u. Stops at the clamp, so the loop is bounded.
  // m = 1 is every write of a one-bit cell: p^1 is p, which std::pow returns as well (the test
  // ProgramModel.OneStepSkipsPowWithTheSameResult), without its cost on every write (issue 23).
  double term = m == 1 ? p : std::pow(p, static_cast<double>(m));
  double cdf = term;
  uint32_t j = 0;
  while (cdf <= u && m + j < max_pulses) {
    term *= static_cast<double>(m + j) * (1.0 - p) / static_cast<double>(j + 1);
    cdf += term;
    ++j;
  }
  return std::min(m + j, max_pulses);
}

double mean_nominal_steps(uint32_t bits, uint32_t levels_per_pulse) {
  // Over ordered pairs of distinct levels of n = 2^bits: a difference d occurs 2 (n - d) times.
  const uint64_t n = uint64_t{1} << bits;
  double sum = 0.0;
  for (uint64_t d = 1; d < n; ++d) {
    sum += 2.0 * static_cast<double>(n - d) * nominal_steps(static_cast<uint32_t>(d), levels_per_pulse);
  }
  return sum / static_cast<double>(n * (n - 1));
}

PulseEnergiesPj pulse_energies_pj(const ProgramSpecs& s, double pj_per_bit, uint32_t bits, uint32_t levels_per_pulse) {
  if (s.model == ProgramModel::kDeterministic) return {pj_per_bit, pj_per_bit};
  // Fresh cell, SET and RESET equally likely: (s / p_set E_set + s / p_reset r E_set) / 2 = k B.
  const double set = 2.0 * pj_per_bit * bits /
                     (mean_nominal_steps(bits, levels_per_pulse) *
                      (1.0 / s.set_pass_probability + s.reset_energy_ratio / s.reset_pass_probability));
  return {set, s.reset_energy_ratio * set};
}

}  // namespace lrt::device
