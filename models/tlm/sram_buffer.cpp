#include "tlm/sram_buffer.h"

#include <stdexcept>

#include "tlm/cost_tag.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

sram_buffer::sram_buffer(const sc_core::sc_module_name& name, const device::SramSpecs& specs,
                         const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name), in("in"), buffer_(specs), clock_period_(clock_period) {
  if (clock_period_ == sc_core::SC_ZERO_TIME)
    throw std::invalid_argument(std::string(basename()) + ": zero clock period");
  in.register_b_transport(this, &sram_buffer::b_transport);
  in.register_transport_dbg(this, &sram_buffer::transport_dbg);
}

const device::SramRegion& sram_buffer::map(const std::string& region, uint64_t bits) {
  if (elaborated_) {
    throw std::logic_error(std::string(name()) + ": map('" + region +
                           "') after elaboration; map every region while the design is built");
  }
  return buffer_.map(region, bits);
}

::tlm::tlm_response_status sram_buffer::check_shape(const ::tlm::tlm_generic_payload& trans) const {
  if (trans.get_byte_enable_ptr() != nullptr) return ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (trans.get_streaming_width() < trans.get_data_length()) return ::tlm::TLM_BURST_ERROR_RESPONSE;
  return check_range(trans);
}

::tlm::tlm_response_status sram_buffer::check_range(const ::tlm::tlm_generic_payload& trans) const {
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  if (len == 0) return ::tlm::TLM_BURST_ERROR_RESPONSE;
  if (addr > buffer_.mapped_bytes() || len > buffer_.mapped_bytes() - addr)
    return ::tlm::TLM_ADDRESS_ERROR_RESPONSE;
  return ::tlm::TLM_OK_RESPONSE;
}

void sram_buffer::b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  trans.set_dmi_allowed(false);  // no DMI here: a reused payload must not carry a stale hint
  const ::tlm::tlm_response_status shape = check_shape(trans);
  if (shape != ::tlm::TLM_OK_RESPONSE) {
    trans.set_response_status(shape);
    return;
  }
  device::SramAccessResult r;
  const std::lock_guard<std::mutex> lock(mutex_);
  switch (trans.get_command()) {
    case ::tlm::TLM_READ_COMMAND:
      r = buffer_.read(trans.get_address(), trans.get_data_ptr(), trans.get_data_length());
      break;
    case ::tlm::TLM_WRITE_COMMAND:
      r = buffer_.write(trans.get_address(), trans.get_data_ptr(), trans.get_data_length());
      break;
    case ::tlm::TLM_IGNORE_COMMAND:
      break;
  }
  charge(trans, Component::kSramRead, r.energy.read);
  charge(trans, Component::kSramWrite, r.energy.write);
  const sc_core::sc_time took = clock_cycles(r.latency_cycles, clock_period_);
  if (trace_ != nullptr) trace_->mark(delay, delay + took);
  delay += took;
  trans.set_response_status(::tlm::TLM_OK_RESPONSE);
}

unsigned int sram_buffer::transport_dbg(::tlm::tlm_generic_payload& trans) {
  // Debug transport uses command, address, data pointer and length only (IEEE 1666-2011 11.3):
  // byte enables and streaming width are not looked at.
  if (check_range(trans) != ::tlm::TLM_OK_RESPONSE) return 0;
  const std::lock_guard<std::mutex> lock(mutex_);
  switch (trans.get_command()) {
    case ::tlm::TLM_READ_COMMAND:
      buffer_.peek(trans.get_address(), trans.get_data_ptr(), trans.get_data_length());
      break;
    case ::tlm::TLM_WRITE_COMMAND:
      buffer_.poke(trans.get_address(), trans.get_data_ptr(), trans.get_data_length());
      break;
    case ::tlm::TLM_IGNORE_COMMAND:
      return 0;
  }
  return trans.get_data_length();
}

}  // namespace lrt::tlm
