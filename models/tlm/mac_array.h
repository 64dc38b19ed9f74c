#pragma once
// TLM-2.0 MAC array: N lanes of fixed-point multiply-accumulate. A job (a count of MACs at
// given operand widths) arrives as a MacJob in the generic payload's data on socket `in`;
// b_transport adds the job's busy time (cycles x clock period) to the delay and never waits;
// a job that arrives (now + delay) while an earlier one still runs queues behind it
// (ResourceTimeline), and its energy goes to the payload's CostTag (cost_tag.h).
// The data path itself is the golden engine's (golden/kernels.h); this module carries the cost.
//
// Cost model (sources and derivation: docs/tlm.md, "mac_array"):
//   cycles = ceil(macs / lanes) + pipeline_fill_cycles   (0 for an empty job)
//   energy per MAC = full_adder_energy x (B_w B_a + B_acc): an array multiplier has about
//   B_w B_a full adders, the accumulator adder B_acc; one full-adder energy of 3.125 fJ
//   reproduces Horowitz's 45 nm 8 b multiply (0.2 pJ) and 32 b add (0.1 pJ) exactly.
//   MACs with a zero operand are clock-gated: they cost no energy but keep their lane slot;
//   with MacArraySpecs::zero_skip they are skipped: no energy and no cycles.
//
// Transaction: TLM_WRITE_COMMAND at address 0, data = one MacJob, length sizeof(MacJob).
// Responses: TLM_ADDRESS_ERROR_RESPONSE (address != 0), TLM_BURST_ERROR_RESPONSE (other
// length, streaming), TLM_BYTE_ENABLE_ERROR_RESPONSE, TLM_COMMAND_ERROR_RESPONSE (read),
// TLM_GENERIC_ERROR_RESPONSE (a job outside the model: widths, gated > macs); an
// error charges nothing. No DMI, no debug transport.

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <systemc>
#include <tlm>
#include <tuple>
#include <vector>

#include "device/energy.h"
#include "tlm/cost_tag.h"
#include "tlm/resource_timeline.h"

namespace lrt::tlm {

/// @brief One job for the MAC array: the payload's data (trivially copyable).
struct MacJob {
  uint64_t macs = 0;          ///< multiply-accumulates
  uint64_t zero_operand = 0;  ///< of those, how many have a zero operand (gated)
  uint32_t weight_bits = 8;       ///< B_w, 1..32
  uint32_t activation_bits = 8;   ///< B_a, 1..32
  uint32_t accumulator_bits = 24; ///< B_acc, 1..64
  /// 1: a precision-scalable (bit-fusion) job: each 8 x 8 b lane retires 64 / (B_w B_a)
  /// products per cycle, cycles = ceil(n B_w B_a / (64 lanes)) + fill (B_w, B_a <= 8; PFQ)
  uint32_t bit_scalable = 0;
};

/// @brief Operand widths of a MAC: the key of the energy table.
struct MacWidths {
  uint32_t weight_bits = 0, activation_bits = 0, accumulator_bits = 0;
  bool operator<(const MacWidths& o) const {
    return std::tie(weight_bits, activation_bits, accumulator_bits) <
           std::tie(o.weight_bits, o.activation_bits, o.accumulator_bits);
  }
};

/// @brief Size and technology of the array.
struct MacArraySpecs {
  uint32_t lanes = 64;
  uint32_t pipeline_fill_cycles = 3;      ///< multiplier + adder tree + accumulator stages
  double full_adder_energy_pj = 0.003125; ///< 45 nm, calibrated in docs/tlm.md
  /// Zero skipping (docs/precision.md): a scheduler issues only the MACs without a zero
  /// operand, so cycles = ceil(active / lanes) + fill; off: zero operands are clock-gated
  /// (no energy) but keep their lane slot.
  bool zero_skip = false;
};

/// @brief Throws SpecError naming the first member out of range.
void validate(const MacArraySpecs& specs);

/// @brief What one job costs.
struct MacJobCost {
  uint64_t cycles = 0;
  uint64_t active_macs = 0;                ///< macs - zero_operand
  device::EnergyUnits energy_per_mac = 0;  ///< at the job's widths
  device::EnergyUnits energy = 0;          ///< active_macs x energy_per_mac
};

/// @brief Running counters; energy is derived from them (mac_array::energy()).
struct MacArrayStats {
  uint64_t jobs = 0;
  uint64_t macs = 0;
  uint64_t gated_macs = 0;  ///< zero-operand MACs: clock-gated, or skipped with zero_skip
  uint64_t busy_cycles = 0;
  std::map<MacWidths, uint64_t> active_macs;  ///< by operand widths
};

/// @brief Loosely-timed MAC array target (see the file comment).
class mac_array : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<mac_array> in;

  /// @brief Validates specs (SpecError); std::invalid_argument for a zero period.
  mac_array(const sc_core::sc_module_name& name, const MacArraySpecs& specs, const sc_core::sc_time& clock_period);

  /// @brief The cost model, without side effects. Throws std::invalid_argument for a job
  /// outside the model (check_job).
  MacJobCost cost(const MacJob& job) const;
  /// @brief Energy of one MAC at these widths (full adders x full_adder_energy, rounded once).
  device::EnergyUnits energy_per_mac(const MacWidths& w) const;
  /// @brief Empty if the job is inside the model, else what is wrong.
  static const char* check_job(const MacJob& job);

  const MacArraySpecs& specs() const { return specs_; }
  const MacArrayStats& stats() const { return stats_; }
  /// @brief The counters as words (checkpoints: jobs, macs, gated, busy, then per width
  /// B_w, B_a, B_acc, count) and back; std::invalid_argument on a malformed list.
  std::vector<uint64_t> stats_words() const;
  void set_stats_words(const std::vector<uint64_t>& words);
  /// @brief Sum over widths of active MACs x energy per MAC.
  device::EnergyUnits energy() const;
  const sc_core::sc_time& clock_period() const { return clock_period_; }

  /// @brief Shows when the array is busy on `s` (a VCD wire; null: none).
  void trace_busy(BusySignal* s) { timeline_.set_trace(s); }

 private:
  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  MacArraySpecs specs_;
  sc_core::sc_time clock_period_;
  MacArrayStats stats_;
  ResourceTimeline timeline_;
};

}  // namespace lrt::tlm
