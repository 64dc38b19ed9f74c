#pragma once
// TLM-2.0 target of the SRAM buffer: the device model device/sram_buffer.h behind a
// loosely-timed socket. b_transport never waits: it adds the access latency (clock cycles x
// clock period, per access word touched) to the delay argument.
//
// Space is handed out by name with map() while the design elaborates (from the parent's
// constructor or before_end_of_elaboration); a request that does not fit throws
// lrt::SpecError (capacity_bits) naming the request, what is mapped and the capacity, so the
// run stops before simulating. Addresses are bytes from 0 to the end of the last mapped region.
//
// Responses: TLM_ADDRESS_ERROR_RESPONSE (outside the mapped bytes), TLM_BURST_ERROR_RESPONSE
// (length 0, streaming), TLM_BYTE_ENABLE_ERROR_RESPONSE (byte enables). No DMI: every access
// goes through the target so that its energy is counted. transport_dbg is free.

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <systemc>
#include <tlm>

#include "device/sram_buffer.h"
#include "tlm/resource_timeline.h"

namespace lrt::tlm {

/// @brief Loosely-timed TLM-2.0 target holding one device::SramBuffer (see the file comment).
class sram_buffer : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<sram_buffer> in;

  /// @brief Validates specs (SpecError). Nothing is mapped yet.
  sram_buffer(const sc_core::sc_module_name& name, const device::SramSpecs& specs,
              const sc_core::sc_time& clock_period);

  /// @brief Reserves `bits` under `region` (device::SramBuffer::map). Throws lrt::SpecError
  /// (capacity_bits) when over capacity, std::logic_error after elaboration has ended.
  const device::SramRegion& map(const std::string& region, uint64_t bits);

  const device::SramBuffer& buffer() const { return buffer_; }
  const device::SramStats& stats() const { return buffer_.stats(); }
  device::SramEnergy energy() const { return buffer_.energy(); }
  const sc_core::sc_time& clock_period() const { return clock_period_; }
  /// @brief Shows the accesses on `s` (a VCD wire; null: none): high while one runs. The buffer
  /// serves accesses side by side (its ports are not modelled), so they only overlap on the wire.
  void trace_busy(BusySignal* s) { trace_ = s; }

 private:
  void end_of_elaboration() override { elaborated_ = true; }
  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(::tlm::tlm_generic_payload& trans);
  ::tlm::tlm_response_status check_shape(const ::tlm::tlm_generic_payload& trans) const;
  // A non-empty range inside the mapped bytes (what debug transport needs too).
  ::tlm::tlm_response_status check_range(const ::tlm::tlm_generic_payload& trans) const;

  device::SramBuffer buffer_;
  // Initiators on different threads (the engine's parallel weight updates) reach disjoint
  // regions at once; the buffer's counters are shared, so every access holds the lock.
  std::mutex mutex_;
  sc_core::sc_time clock_period_;
  bool elaborated_ = false;
  BusySignal* trace_ = nullptr;
};

}  // namespace lrt::tlm
