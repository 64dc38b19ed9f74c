#include "tlm/rram_array.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "tlm/read_deviations.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

rram_array::rram_array(const sc_core::sc_module_name& name, const device::RramArraySpecs& specs,
                       uint64_t seed, uint32_t instance, const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      in("in"),
      array_(specs, seed, instance),
      clock_period_(clock_period),
      word_bytes_(bus_bytes(specs.weight_bits)) {
  if (clock_period_ == sc_core::SC_ZERO_TIME)
    throw std::invalid_argument(std::string(basename()) + ": zero clock period");
  image_.resize(array_.words() * word_bytes_);
  refresh_image_all();  // time-zero stuck cells
  in.register_b_transport(this, &rram_array::b_transport);
  in.register_transport_dbg(this, &rram_array::transport_dbg);
  in.register_get_direct_mem_ptr(this, &rram_array::get_direct_mem_ptr);
}

void rram_array::refresh_image(uint64_t word) {
  store_code_le(array_.peek_word(word), image_.data() + word * word_bytes_, word_bytes_);
}

void rram_array::refresh_image_all() {
  image_codes_.resize(array_.words());
  array_.peek_words(0, array_.words(), image_codes_.data());
  store_codes_le(image_codes_.data(), array_.words(), image_.data(), word_bytes_);
}

::tlm::tlm_response_status rram_array::check_shape(const ::tlm::tlm_generic_payload& trans) const {
  if (trans.get_byte_enable_ptr() != nullptr) return ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (trans.get_streaming_width() < trans.get_data_length()) return ::tlm::TLM_BURST_ERROR_RESPONSE;
  return check_words(trans);
}

::tlm::tlm_response_status rram_array::check_words(const ::tlm::tlm_generic_payload& trans) const {
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  if (len == 0 || len % word_bytes_ != 0) return ::tlm::TLM_BURST_ERROR_RESPONSE;
  if (addr % word_bytes_ != 0 || addr > size_bytes() || len > size_bytes() - addr) {
    return ::tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  return ::tlm::TLM_OK_RESPONSE;
}

void rram_array::b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  // Every response carries this target's own hint: an initiator that reuses a payload (as
  // Accellera's traffic generator does) must not see a stale grant on a refused write.
  trans.set_dmi_allowed(false);
  const ::tlm::tlm_response_status shape = check_shape(trans);
  if (shape != ::tlm::TLM_OK_RESPONSE) {
    trans.set_response_status(shape);
    return;
  }
  const uint64_t first = trans.get_address() / word_bytes_;
  const uint64_t n = trans.get_data_length() / word_bytes_;
  unsigned char* data = trans.get_data_ptr();
  uint64_t cycles = 0;
  const device::RramEnergy before = array_.energy();  // this payload's energy, for its CostTag
  switch (trans.get_command()) {
    case ::tlm::TLM_READ_COMMAND:
    {
      ReadDeviations* deviations = trans.get_extension<ReadDeviations>();
      if (deviations != nullptr && array_.sparse_reads()) {
        // The stored image with the words that read differently patched in, and their list.
        const size_t listed = deviations->words.size();
        array_.read_deviations(first, n, deviations->words);
        std::memcpy(data, image_.data() + first * word_bytes_, n * word_bytes_);
        for (size_t i = listed; i < deviations->words.size(); ++i) {
          const WordCode& d = deviations->words[i];
          store_code_le(d.code, data + (d.word - first) * word_bytes_, word_bytes_);
        }
        deviations->served = true;
      } else {
        if (read_codes_.size() < n) read_codes_.resize(n);
        array_.read_words(first, n, read_codes_.data());  // one pass (sparse read noise: one search)
        store_codes_le(read_codes_.data(), n, data, word_bytes_);
      }
      cycles = n * array_.specs().read_latency_cycles;
      break;
    }
    case ::tlm::TLM_WRITE_COMMAND: {
      for (uint64_t i = 0; i < n; ++i) {
        if (!array_.mapping().holds(load_code_le(data + i * word_bytes_, word_bytes_))) {
          trans.set_response_status(::tlm::TLM_GENERIC_ERROR_RESPONSE);
          return;
        }
      }
      for (uint64_t i = 0; i < n; ++i) {
        const auto code = static_cast<int32_t>(load_code_le(data + i * word_bytes_, word_bytes_));
        cycles += array_.write_word(first + i, code).latency_cycles;
        refresh_image(first + i);
      }
      break;
    }
    case ::tlm::TLM_IGNORE_COMMAND:
      break;
  }
  const device::RramEnergy after = array_.energy();
  charge(trans, Component::kRramRead, after.read - before.read);
  charge(trans, Component::kRramWrite, (after.write - before.write) + (after.compare_read - before.compare_read));
  // One array serves one access at a time: a burst that arrives while another runs queues.
  timeline_.occupy(delay, clock_cycles(cycles, clock_period_));
  // The hint promises that a DMI request with this payload would be granted: only reads are
  // (writes must go through the device model), so a write never carries it.
  trans.set_dmi_allowed(dmi_allowed() && trans.get_command() == ::tlm::TLM_READ_COMMAND);
  trans.set_response_status(::tlm::TLM_OK_RESPONSE);
}

unsigned int rram_array::transport_dbg(::tlm::tlm_generic_payload& trans) {
  // Debug transport uses command, address, data pointer and length only (IEEE 1666-2011 11.3):
  // byte enables and streaming width are not looked at.
  if (check_words(trans) != ::tlm::TLM_OK_RESPONSE) return 0;
  const uint64_t first = trans.get_address() / word_bytes_;
  const uint64_t n = trans.get_data_length() / word_bytes_;
  unsigned char* data = trans.get_data_ptr();
  switch (trans.get_command()) {
    case ::tlm::TLM_READ_COMMAND:
      for (uint64_t i = 0; i < n; ++i)
        store_code_le(array_.peek_word(first + i), data + i * word_bytes_, word_bytes_);
      break;
    case ::tlm::TLM_WRITE_COMMAND:
      for (uint64_t i = 0; i < n; ++i) {
        if (!array_.mapping().holds(load_code_le(data + i * word_bytes_, word_bytes_))) return 0;
      }
      for (uint64_t i = 0; i < n; ++i) {
        array_.poke_word(first + i, static_cast<int32_t>(load_code_le(data + i * word_bytes_, word_bytes_)));
        refresh_image(first + i);
      }
      break;
    case ::tlm::TLM_IGNORE_COMMAND:
      return 0;
  }
  return trans.get_data_length();
}

bool rram_array::get_direct_mem_ptr(::tlm::tlm_generic_payload& trans, ::tlm::tlm_dmi& dmi) {
  // The answer holds for the whole array, so the initiator need not ask again for other addresses.
  dmi.set_start_address(0);
  dmi.set_end_address(size_bytes() - 1);
  if (!dmi_allowed() || trans.get_command() != ::tlm::TLM_READ_COMMAND) {
    dmi.set_granted_access(::tlm::tlm_dmi::DMI_ACCESS_NONE);
    return false;
  }
  dmi.set_dmi_ptr(image_.data());
  dmi.set_granted_access(::tlm::tlm_dmi::DMI_ACCESS_READ);
  dmi.set_read_latency(clock_cycles(array_.specs().read_latency_cycles, clock_period_));
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  dmi_granted_ = true;
  return true;
}

uint64_t rram_array::advance_samples(uint64_t n, std::vector<uint64_t>* changed_words, bool* dense) {
  changed_.clear();
  // A dense (analog) event lists no word and the image is rebuilt whole, unless the caller wants
  // the list and cannot be told it is dense: it gets every changed word, as before.
  const bool may_be_dense = changed_words == nullptr || dense != nullptr;
  bool all = false;
  const uint64_t events = array_.advance_samples(n, &changed_, may_be_dense ? &all : nullptr);
  if (dense != nullptr) *dense = all;
  if (all) {
    refresh_image_all();
    return events;
  }
  for (uint64_t w : changed_) refresh_image(w);
  if (changed_words != nullptr) changed_words->insert(changed_words->end(), changed_.begin(), changed_.end());
  return events;
}

void rram_array::set_read_effects(const device::RramReadEffects& effects) {
  const bool was_allowed = dmi_allowed();
  array_.set_read_effects(effects);
  if (!was_allowed || dmi_allowed() || !dmi_granted_) return;
  if (in.size() == 0) {
    throw std::logic_error(std::string(name()) +
                           ": a DMI pointer was granted but the socket is not bound yet, so it cannot be "
                           "invalidated; change read effects before handing out DMI or after elaboration");
  }
  in->invalidate_direct_mem_ptr(0, size_bytes() - 1);
  dmi_granted_ = false;
}

}  // namespace lrt::tlm
