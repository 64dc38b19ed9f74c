#include "tlm/bus.h"

#include <algorithm>
#include <stdexcept>

#include "tlm/tlm_util.h"

namespace lrt::tlm {

bus::bus(const sc_core::sc_module_name& name, uint32_t latency_cycles, const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name), in("in"), out("out"), latency_cycles_(latency_cycles), clock_period_(clock_period) {
  if (clock_period_ == sc_core::SC_ZERO_TIME)
    throw std::invalid_argument(std::string(basename()) + ": zero clock period");
  latency_ = clock_cycles(latency_cycles_, clock_period_);
  in.register_b_transport(this, &bus::b_transport);
  in.register_transport_dbg(this, &bus::transport_dbg);
  in.register_get_direct_mem_ptr(this, &bus::get_direct_mem_ptr);
  out.register_invalidate_direct_mem_ptr(this, &bus::invalidate_direct_mem_ptr);
}

const BusRegion& bus::map(const std::string& name, uint64_t base, uint64_t size, unsigned target,
                          uint64_t target_offset) {
  const std::string who = std::string(this->name()) + ": region '" + name + "'";
  if (elaborated_) throw std::logic_error(who + " mapped after elaboration");
  if (name.empty() || size == 0) throw std::invalid_argument(who + ": empty name or size");
  if (base > UINT64_MAX - (size - 1) || target_offset > UINT64_MAX - (size - 1))
    throw std::invalid_argument(who + ": window wraps the 64-bit address space");
  const BusRegion r{name, base, size, target, target_offset};
  for (const BusRegion& o : regions_)
    if (r.base <= o.last() && o.base <= r.last())
      throw std::invalid_argument(who + " overlaps region '" + o.name + "'");
  regions_.push_back(r);
  return regions_.back();
}

void bus::end_of_elaboration() {
  elaborated_ = true;
  for (const BusRegion& r : regions_)
    if (r.target >= out.size())
      throw std::logic_error(std::string(name()) + ": region '" + r.name + "' routes to out[" +
                             std::to_string(r.target) + "], but only " + std::to_string(out.size()) +
                             " targets are bound");
}

const BusRegion* bus::decode(uint64_t addr, uint64_t length) const {
  if (length == 0) length = 1;
  for (const BusRegion& r : regions_)
    if (addr >= r.base && addr <= r.last() && length - 1 <= r.last() - addr) return &r;
  return nullptr;
}

void bus::b_transport(int, ::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (std::this_thread::get_id() != kernel_thread_)
    ++foreign_thread_calls_;
  else if (!sc_core::sc_get_current_process_handle().valid())
    ++outside_process_calls_;
  const uint64_t addr = trans.get_address();
  const BusRegion* r = decode(addr, trans.get_data_length());
  if (r == nullptr) {
    ++decode_errors_;
    trans.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t n = ++transactions_;
  if (trace_transactions_) transactions_sig_.write(n);
  delay += latency_;
  if (width_bits_ > 0) {
    const uint64_t beats = (uint64_t{trans.get_data_length()} * 8 + width_bits_ - 1) / width_bits_;
    sc_core::sc_time held = delay;
    contention_ += timeline_.occupy(held, clock_cycles(beats, clock_period_));
    delay = held - clock_cycles(beats, clock_period_);  // the wait, not the beats (see the file comment)
  }
  trans.set_address(addr - r->base + r->target_offset);
  out[static_cast<int>(r->target)]->b_transport(trans, delay);
  trans.set_address(addr);  // the initiator may reuse the payload
}

unsigned int bus::transport_dbg(int, ::tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  const BusRegion* r = decode(addr, trans.get_data_length());
  if (r == nullptr) return 0;
  trans.set_address(addr - r->base + r->target_offset);
  const unsigned int n = out[static_cast<int>(r->target)]->transport_dbg(trans);
  trans.set_address(addr);
  return n;
}

bool bus::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& trans, ::tlm::tlm_dmi& dmi) {
  const uint64_t addr = trans.get_address();
  const BusRegion* r = decode(addr, 1);
  if (r == nullptr) {
    dmi.set_start_address(addr);  // no DMI here, claim nothing beyond this address
    dmi.set_end_address(addr);
    return false;
  }
  trans.set_address(addr - r->base + r->target_offset);
  const bool granted = out[static_cast<int>(r->target)]->get_direct_mem_ptr(trans, dmi);
  trans.set_address(addr);
  // Clip the target's range to the window, then move it into bus addresses.
  const uint64_t lo = std::max<uint64_t>(dmi.get_start_address(), r->target_offset);
  const uint64_t hi = std::min<uint64_t>(dmi.get_end_address(), r->target_offset + (r->size - 1));
  if (granted) {
    dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (lo - dmi.get_start_address()));
    dmi.set_read_latency(dmi.get_read_latency() + latency_);
    dmi.set_write_latency(dmi.get_write_latency() + latency_);
    ++dmi_grants_;
  }
  dmi.set_start_address(lo - r->target_offset + r->base);
  dmi.set_end_address(hi - r->target_offset + r->base);
  return granted;
}

void bus::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
  for (const BusRegion& r : regions_) {
    if (static_cast<int>(r.target) != id) continue;
    const uint64_t win_last = r.target_offset + (r.size - 1);
    if (end < r.target_offset || start > win_last) continue;
    const uint64_t lo = std::max<uint64_t>(start, r.target_offset) - r.target_offset + r.base;
    const uint64_t hi = std::min<uint64_t>(end, win_last) - r.target_offset + r.base;
    ++invalidations_;
    for (unsigned i = 0; i < in.size(); ++i) in[static_cast<int>(i)]->invalidate_direct_mem_ptr(lo, hi);
  }
}

}  // namespace lrt::tlm
