#pragma once
// TLM-2.0 target of the RRAM weight array: the device model device/rram_array.h behind a
// loosely-timed socket. b_transport never waits: it adds the access latency (clock cycles x
// clock period) to the delay argument, for a tlm_quantumkeeper on the initiator's side; an
// access that arrives while an earlier one still runs queues behind it (one access at a time),
// and the energy the device spent on the payload goes to its CostTag (cost_tag.h).
//
// Address map: word w occupies bytes [w * B, (w + 1) * B), B = ceil(weight_bits / 8), holding
// its code little endian, two's complement, sign-extended to B bytes. A transaction covers
// whole words (address and length multiples of B); a burst of n words is n word accesses in
// address order, and a write burst is checked in full before any word is written.
//
// Responses: TLM_ADDRESS_ERROR_RESPONSE (outside the array or not word-aligned),
// TLM_BURST_ERROR_RESPONSE (length 0 or not whole words, streaming), TLM_BYTE_ENABLE_ERROR_RESPONSE
// (byte enables), TLM_GENERIC_ERROR_RESPONSE (a write code outside the weight range). Cells
// that fail to program (stuck, worn out) do not make a write fail: the array stores what it
// can, as the device does, and counts the failures in stats().
//
// DMI: read-only, the whole array, while no read-side effect (read noise, power-law drift)
// is on; turning one on invalidates any pointer handed out. Reads through DMI bypass the
// target, so an initiator that uses DMI must report them with account_dmi_reads() for the
// energy to be charged. transport_dbg reads and writes (poke) without cost or counters.

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "device/rram_array.h"
#include "tlm/cost_tag.h"
#include "tlm/resource_timeline.h"

namespace lrt::tlm {

/// @brief Loosely-timed TLM-2.0 target holding one device::RramArray (see the file comment).
class rram_array : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<rram_array> in;

  /// @brief Builds the device model (validating specs; SpecError). seed and instance
  /// select its random streams (device/rram_array.h).
  rram_array(const sc_core::sc_module_name& name, const device::RramArraySpecs& specs, uint64_t seed,
             uint32_t instance, const sc_core::sc_time& clock_period);

  unsigned bytes_per_word() const { return word_bytes_; }
  uint64_t size_bytes() const { return image_.size(); }
  const sc_core::sc_time& clock_period() const { return clock_period_; }

  const device::RramArray& array() const { return array_; }
  const device::RramStats& stats() const { return array_.stats(); }
  device::RramEnergy energy() const { return array_.energy(); }

  /// @brief Advances the device's sample clock (drift events); DMI readers see the result.
  /// If changed_words is given, appends each word whose code an event changed (it may repeat);
  /// `dense` as device::RramArray::advance_samples.
  uint64_t advance_samples(uint64_t n, std::vector<uint64_t>* changed_words = nullptr, bool* dense = nullptr);
  /// @brief Lets `restore` replace the device state (checkpoints), then rebuilds the DMI
  /// image and invalidates every DMI pointer handed out.
  template <class Restore>
  void restore_state(Restore&& restore) {
    restore(array_);
    refresh_image_all();
    if (dmi_granted_) in->invalidate_direct_mem_ptr(0, size_bytes() - 1);
    dmi_granted_ = false;
  }
  /// @brief Changes the read effects; invalidates DMI when they stop it being allowed.
  /// Throws std::logic_error if a DMI pointer must be revoked before the socket is bound.
  void set_read_effects(const device::RramReadEffects& effects);
  bool dmi_allowed() const { return !array_.read_effects().any(); }
  /// @brief Spreads the device's analog drift over `pool` (device::RramArray::set_thread_pool).
  void set_thread_pool(ThreadPool* pool) { array_.set_thread_pool(pool); }
  /// @brief Charges `words` word reads that an initiator did through DMI.
  void account_dmi_reads(uint64_t words) { array_.account_reads(words); }

  /// @brief Shows when the array is busy on `s` (a VCD wire; null: none).
  void trace_busy(BusySignal* s) { timeline_.set_trace(s); }

 private:
  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(::tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(::tlm::tlm_generic_payload& trans, ::tlm::tlm_dmi& dmi);
  ::tlm::tlm_response_status check_shape(const ::tlm::tlm_generic_payload& trans) const;
  // Whole aligned words inside the array (what debug transport needs too).
  ::tlm::tlm_response_status check_words(const ::tlm::tlm_generic_payload& trans) const;
  void refresh_image(uint64_t word);
  void refresh_image_all();

  device::RramArray array_;
  sc_core::sc_time clock_period_;
  unsigned word_bytes_;
  std::vector<unsigned char> image_;  // stored codes in bus format: the DMI region
  bool dmi_granted_ = false;          // a pointer may be held since the last invalidation
  ResourceTimeline timeline_;
  std::vector<uint64_t> changed_;     // scratch of advance_samples
  std::vector<int32_t> image_codes_;  // scratch of refresh_image_all
  std::vector<int32_t> read_codes_;   // scratch of a read burst (kept: a layer's burst is MBs)
};

}  // namespace lrt::tlm
