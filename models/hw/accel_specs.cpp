#include "hw/accel_specs.h"

#include <string>

#include "core/error.h"

namespace lrt::hw {

namespace {

// Runs a member struct's validate() and names its members from the enclosing struct.
template <class Specs>
void validate_within(const char* prefix, const Specs& specs) {
  try {
    validate(specs);
  } catch (const SpecError& e) {
    throw SpecError(prefix + e.member(), e.problem());
  }
}

}  // namespace

void validate(const MacArraySpecs& specs) {
  if (specs.lanes == 0 || specs.lanes > (1u << 20)) throw SpecError("lanes", "must be in 1..2^20");
  if (specs.pipeline_fill_cycles > 1024) throw SpecError("pipeline_fill_cycles", "must be in 0..1024");
  // 32 x 32 + 64 full adders must stay below the 1 uJ per event that to_energy_units accepts.
  if (!(specs.full_adder_energy_pj >= 0.0 && specs.full_adder_energy_pj <= 100.0))
    throw SpecError("full_adder_energy_pj", "must be in [0, 100] pJ");
}

void validate(const BusSpecs& specs) {
  // Far beyond any on-chip bus; keeps beats and latencies far from overflowing simulated time.
  if (specs.width_bits > 65536)
    throw SpecError("width_bits", std::to_string(specs.width_bits) + " exceeds 65536");
  if (specs.latency_cycles > 1'000'000)
    throw SpecError("latency_cycles", std::to_string(specs.latency_cycles) + " exceeds 1e6");
}

void validate(const ControllerSpecs& specs) {
  if (specs.rank_reduce_units != RankReduceUnits::kShared &&
      specs.rank_reduce_units != RankReduceUnits::kPerLayer)
    throw SpecError("rank_reduce_units", "holds no known sharing of the rank-reduce units");
  if (specs.activation_word_bits % 8 != 0 || specs.activation_word_bits == 0)
    throw SpecError("activation_word_bits",
                    std::to_string(specs.activation_word_bits) + " is not whole bytes");
  // A sign bit and at least one magnitude bit; the MAC jobs of the state are at most 32 bits wide.
  if (specs.lr_bits < 2 || specs.lr_bits > 32)
    throw SpecError("lr_bits", std::to_string(specs.lr_bits) + " is outside [2, 32]");
  if (specs.quantum_cycles < 1 || specs.quantum_cycles > 1'000'000'000)
    throw SpecError("quantum_cycles", std::to_string(specs.quantum_cycles) + " is outside [1, 1e9]");
}

void validate(const AccelSpecs& specs) {
  // The period, 1e6 / clock_mhz ps, must be at least SystemC's 1 ps resolution; below 1 kHz
  // (a 1 ms period) no clock is an accelerator's, and simulated time would soon overflow.
  if (!(specs.clock_mhz >= 1e-3 && specs.clock_mhz <= 1e6))
    throw SpecError("clock_mhz", std::to_string(specs.clock_mhz) + " is outside [1e-3, 1e6] MHz");
  if (specs.rank_reduce_impl != RankReduceImplKind::kGolden &&
      specs.rank_reduce_impl != RankReduceImplKind::kRtl)
    throw SpecError("rank_reduce_impl", "holds no known rank-reduce implementation");
  validate_within("bus.", specs.bus);
  validate_within("mac.", specs.mac);
  validate_within("controller.", specs.controller);
}

}  // namespace lrt::hw
