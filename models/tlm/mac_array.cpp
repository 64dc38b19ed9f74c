#include "tlm/mac_array.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

void validate(const MacArraySpecs& specs) {
  if (specs.lanes == 0 || specs.lanes > (1u << 20)) throw SpecError("lanes", "must be in 1..2^20");
  if (specs.pipeline_fill_cycles > 1024) throw SpecError("pipeline_fill_cycles", "must be in 0..1024");
  // 32 x 32 + 64 full adders must stay below the 1 uJ per event that to_energy_units accepts.
  if (!(specs.full_adder_energy_pj >= 0.0 && specs.full_adder_energy_pj <= 100.0))
    throw SpecError("full_adder_energy_pj", "must be in [0, 100] pJ");
}

mac_array::mac_array(const sc_core::sc_module_name& name, const MacArraySpecs& specs,
                     const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name), in("in"), specs_(specs), clock_period_(clock_period) {
  validate(specs_);
  if (clock_period_ == sc_core::SC_ZERO_TIME)
    throw std::invalid_argument(std::string(basename()) + ": zero clock period");
  in.register_b_transport(this, &mac_array::b_transport);
}

const char* mac_array::check_job(const MacJob& job) {
  if (job.weight_bits < 1 || job.weight_bits > 32) return "weight_bits outside 1..32";
  if (job.activation_bits < 1 || job.activation_bits > 32) return "activation_bits outside 1..32";
  if (job.accumulator_bits < 1 || job.accumulator_bits > 64) return "accumulator_bits outside 1..64";
  if (job.zero_operand > job.macs) return "zero_operand exceeds macs";
  if (job.bit_scalable > 1) return "bit_scalable is not 0 or 1";
  if (job.bit_scalable == 1 && (job.weight_bits > 8 || job.activation_bits > 8))
    return "a bit-scalable job has operands above 8 bits";
  return "";
}

device::EnergyUnits mac_array::energy_per_mac(const MacWidths& w) const {
  const double full_adders = static_cast<double>(w.weight_bits) * w.activation_bits + w.accumulator_bits;
  return device::to_energy_units(full_adders * specs_.full_adder_energy_pj, "full_adder_energy_pj");
}

MacJobCost mac_array::cost(const MacJob& job) const {
  const char* problem = check_job(job);
  if (*problem != '\0') throw std::invalid_argument(std::string("mac_array job: ") + problem);
  MacJobCost c;
  c.active_macs = job.macs - job.zero_operand;
  const uint64_t slots = specs_.zero_skip ? c.active_macs : job.macs;
  // A bit-scalable job is counted in 1 x 1 b products, 64 per lane and cycle.
  const uint64_t per_slot = job.bit_scalable ? uint64_t{job.weight_bits} * job.activation_bits : 1;
  const uint64_t per_cycle = job.bit_scalable ? 64 * uint64_t{specs_.lanes} : specs_.lanes;
  const uint64_t work = slots * per_slot;
  c.cycles = work == 0 ? 0 : (work - 1) / per_cycle + 1 + specs_.pipeline_fill_cycles;
  c.energy_per_mac = energy_per_mac({job.weight_bits, job.activation_bits, job.accumulator_bits});
  c.energy = device::energy_of(c.active_macs, c.energy_per_mac);
  return c;
}

std::vector<uint64_t> mac_array::stats_words() const {
  std::vector<uint64_t> w{stats_.jobs, stats_.macs, stats_.gated_macs, stats_.busy_cycles};
  for (const auto& [widths, count] : stats_.active_macs)
    w.insert(w.end(), {widths.weight_bits, widths.activation_bits, widths.accumulator_bits, count});
  return w;
}

void mac_array::set_stats_words(const std::vector<uint64_t>& w) {
  if (w.size() < 4 || (w.size() - 4) % 4 != 0)
    throw std::invalid_argument("mac_array stats: " + std::to_string(w.size()) + " words, expected 4 + 4 n");
  MacArrayStats s;
  s.jobs = w[0];
  s.macs = w[1];
  s.gated_macs = w[2];
  s.busy_cycles = w[3];
  for (size_t i = 4; i < w.size(); i += 4) {
    if (w[i] < 1 || w[i] > 32 || w[i + 1] < 1 || w[i + 1] > 32 || w[i + 2] < 1 || w[i + 2] > 64)
      throw std::invalid_argument("mac_array stats: operand widths outside the model");
    s.active_macs[{static_cast<uint32_t>(w[i]), static_cast<uint32_t>(w[i + 1]), static_cast<uint32_t>(w[i + 2])}] =
        w[i + 3];
  }
  stats_ = s;
}

device::EnergyUnits mac_array::energy() const {
  device::EnergyUnits total = 0;
  for (const auto& [widths, count] : stats_.active_macs) {
    const device::EnergyUnits e = device::energy_of(count, energy_per_mac(widths));
    if (__builtin_add_overflow(total, e, &total)) throw std::overflow_error("mac_array: energy overflow");
  }
  return total;
}

void mac_array::b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (trans.get_data_length() != sizeof(MacJob) || trans.get_streaming_width() < sizeof(MacJob)) {
    trans.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  if (trans.get_address() != 0) {
    trans.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.get_command() != ::tlm::TLM_WRITE_COMMAND) {
    trans.set_response_status(::tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  MacJob job;
  std::memcpy(&job, trans.get_data_ptr(), sizeof job);
  if (*check_job(job) != '\0') {
    trans.set_response_status(::tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const MacJobCost c = cost(job);
  ++stats_.jobs;
  stats_.macs += job.macs;
  stats_.gated_macs += job.zero_operand;
  stats_.busy_cycles += c.cycles;
  if (c.active_macs != 0)
    stats_.active_macs[{job.weight_bits, job.activation_bits, job.accumulator_bits}] += c.active_macs;
  timeline_.occupy(delay, clock_cycles(c.cycles, clock_period_));  // jobs from overlapping initiators queue
  charge(trans, Component::kMac, c.energy);
  trans.set_response_status(::tlm::TLM_OK_RESPONSE);
}

}  // namespace lrt::tlm
