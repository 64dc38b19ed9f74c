#pragma once
// A pass-through TLM-2.0 checker (docs/tlm.md, "Base-protocol checker"): bound between an
// initiator and a target (in -> out), it forwards every b_transport, transport_dbg and
// get_direct_mem_ptr call and every invalidate_direct_mem_ptr back, and checks each against
// the rules of IEEE 1666-2011 that an observer of one payload can decide:
//
//   rule                     clause   check
//   response-status-set      14.17    b_transport returns with a status other than INCOMPLETE
//   response-status-entry    14.17    the initiator passes INCOMPLETE in (initiator side)
//   command-unchanged        14.9     the target does not modify the command,
//   address-unchanged        14.10    the address (an interconnect restores what it translated),
//   data-ptr-unchanged       14.11    the data pointer,
//   data-length-unchanged    14.12    the data length,
//   byte-enable-unchanged    14.13/14 the byte-enable pointer and length,
//   streaming-width-unchanged 14.15   the streaming width
//   byte-enable-honoured     14.13    an OK read leaves bytes whose enable is 0x00 untouched;
//                                     an OK write leaves those bytes of the target untouched
//                                     (seen through debug transport, when the target has one)
//   byte-enable-length       14.14    non-null byte enables have a non-zero length (initiator)
//   streaming-width-nonzero  14.15    the streaming width is not 0 (initiator)
//   dmi-hint                 14.16    a response with the DMI hint set is for an address whose
//                                     DMI request (same command) the target grants
//   dmi-range                11.2     a granted region covers the requested address, start <= end,
//                                     a non-null pointer, at least the access requested; a
//                                     refused one still describes a range covering the address
//   dmi-request-unchanged    11.2     the target does not modify the request's command or address
//   invalidate-range         11.2     an invalidation has start <= end
//   debug-count              11.3     transport_dbg returns at most the data length
//   debug-unchanged          11.3     transport_dbg leaves command, address, data pointer and
//                                     length unchanged
//
// Clause numbers are those of the generic payload (14.x) and of the DMI and debug transport
// interfaces (11.2, 11.3) of IEEE 1666-2011. Each violation is counted with a message naming
// the rule, the clause and the payload. The checker adds no delay and changes nothing.
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

namespace lrt::tlm::testing {

/// @brief One rule broken by one call.
struct ProtocolViolation {
  std::string rule;    ///< e.g. "response-status-set"
  std::string clause;  ///< e.g. "IEEE 1666-2011 14.17"
  std::string message;
};

class base_protocol_checker : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<base_protocol_checker> in;
  tlm_utils::simple_initiator_socket<base_protocol_checker> out;

  explicit base_protocol_checker(const sc_core::sc_module_name& name) : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &base_protocol_checker::b_transport);
    in.register_transport_dbg(this, &base_protocol_checker::transport_dbg);
    in.register_get_direct_mem_ptr(this, &base_protocol_checker::get_direct_mem_ptr);
    out.register_invalidate_direct_mem_ptr(this, &base_protocol_checker::invalidate_direct_mem_ptr);
  }

  const std::vector<ProtocolViolation>& violations() const { return violations_; }
  /// Calls checked so far, by kind: b_transport, transport_dbg, get_direct_mem_ptr, invalidations.
  uint64_t transports() const { return transports_; }
  uint64_t debug_calls() const { return debug_calls_; }
  uint64_t dmi_requests() const { return dmi_requests_; }
  uint64_t invalidations() const { return invalidations_; }
  /// b_transport calls that returned `status` for `command` (what the initiator saw).
  uint64_t responses(::tlm::tlm_command command, ::tlm::tlm_response_status status) const {
    const auto it = responses_.find({command, status});
    return it == responses_.end() ? 0 : it->second;
  }
  /// Every violation, one a line ("" if none).
  std::string report() const {
    std::string text;
    for (const ProtocolViolation& v : violations_) text += v.rule + " (" + v.clause + "): " + v.message + "\n";
    return text;
  }
  bool broke(const std::string& rule) const {
    for (const ProtocolViolation& v : violations_)
      if (v.rule == rule) return true;
    return false;
  }

 private:
  // The attributes a target may not change (14.7), captured before forwarding.
  struct Attributes {
    ::tlm::tlm_command command;
    uint64_t address;
    unsigned char* data;
    unsigned length;
    unsigned char* byte_enables;
    unsigned byte_enable_length;
    unsigned streaming_width;
    explicit Attributes(const ::tlm::tlm_generic_payload& t)
        : command(t.get_command()),
          address(t.get_address()),
          data(t.get_data_ptr()),
          length(t.get_data_length()),
          byte_enables(t.get_byte_enable_ptr()),
          byte_enable_length(t.get_byte_enable_length()),
          streaming_width(t.get_streaming_width()) {}
  };

  static std::string describe(const Attributes& a) {
    std::ostringstream s;
    s << (a.command == ::tlm::TLM_READ_COMMAND    ? "read"
          : a.command == ::tlm::TLM_WRITE_COMMAND ? "write"
                                                   : "ignore")
      << " @0x" << std::hex << a.address << std::dec << " length " << a.length << " streaming " << a.streaming_width
      << (a.byte_enables != nullptr ? " with byte enables" : "");
    return s.str();
  }

  void violate(const char* rule, const char* clause, const std::string& message) {
    violations_.push_back({rule, std::string("IEEE 1666-2011 ") + clause, name() + std::string(": ") + message});
  }

  // 14.9-14.15: what the target returned must carry the attributes the initiator set.
  void check_unchanged(const Attributes& a, const ::tlm::tlm_generic_payload& t, bool debug) {
    const std::string what = describe(a);
    if (t.get_command() != a.command)
      violate(debug ? "debug-unchanged" : "command-unchanged", debug ? "11.3" : "14.9", what + ": command changed");
    if (t.get_address() != a.address)
      violate(debug ? "debug-unchanged" : "address-unchanged", debug ? "11.3" : "14.10", what + ": address changed");
    if (t.get_data_ptr() != a.data)
      violate(debug ? "debug-unchanged" : "data-ptr-unchanged", debug ? "11.3" : "14.11", what + ": data pointer changed");
    if (t.get_data_length() != a.length)
      violate(debug ? "debug-unchanged" : "data-length-unchanged", debug ? "11.3" : "14.12",
              what + ": data length changed to " + std::to_string(t.get_data_length()));
    if (debug) return;  // debug transport ignores byte enables and streaming width (11.3)
    if (t.get_byte_enable_ptr() != a.byte_enables || t.get_byte_enable_length() != a.byte_enable_length)
      violate("byte-enable-unchanged", "14.13, 14.14", what + ": byte-enable pointer or length changed");
    if (t.get_streaming_width() != a.streaming_width)
      violate("streaming-width-unchanged", "14.15", what + ": streaming width changed");
  }

  bool enabled(const Attributes& a, unsigned i) const {
    return a.byte_enables == nullptr || a.byte_enables[i % a.byte_enable_length] != TLM_BYTE_DISABLED;  // a macro of tlm_gp.h
  }

  // The target's bytes [address, address + length) through debug transport, if it has one.
  bool debug_read(uint64_t address, unsigned length, std::vector<unsigned char>& bytes) {
    bytes.assign(length, 0);
    ::tlm::tlm_generic_payload d;
    d.set_command(::tlm::TLM_READ_COMMAND);
    d.set_address(address);
    d.set_data_ptr(bytes.data());
    d.set_data_length(length);
    return out->transport_dbg(d) == length;
  }

  void b_transport(::tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    ++transports_;
    const Attributes a(t);
    const std::string what = describe(a);
    if (t.get_response_status() != ::tlm::TLM_INCOMPLETE_RESPONSE)
      violate("response-status-entry", "14.17", what + ": the initiator did not pass TLM_INCOMPLETE_RESPONSE");
    if (a.byte_enables != nullptr && a.byte_enable_length == 0)
      violate("byte-enable-length", "14.14", what + ": byte-enable pointer with length 0");
    if (a.streaming_width == 0) violate("streaming-width-nonzero", "14.15", what + ": streaming width 0");
    // What byte enables must protect: the initiator's buffer (read) or the target's bytes (write).
    std::vector<unsigned char> before;
    const bool masked = a.byte_enables != nullptr && a.byte_enable_length > 0 && a.data != nullptr &&
                        a.streaming_width == a.length;
    bool target_before = false;
    if (masked && a.command == ::tlm::TLM_READ_COMMAND) before.assign(a.data, a.data + a.length);
    if (masked && a.command == ::tlm::TLM_WRITE_COMMAND) target_before = debug_read(a.address, a.length, before);

    out->b_transport(t, delay);

    check_unchanged(a, t, false);
    const ::tlm::tlm_response_status status = t.get_response_status();
    ++responses_[{a.command, status}];
    if (status == ::tlm::TLM_INCOMPLETE_RESPONSE)
      violate("response-status-set", "14.17", what + ": returned TLM_INCOMPLETE_RESPONSE");
    if (status == ::tlm::TLM_OK_RESPONSE && masked) {
      std::vector<unsigned char> after;
      const bool read = a.command == ::tlm::TLM_READ_COMMAND;
      const bool seen = read ? (after.assign(a.data, a.data + a.length), true)
                             : target_before && debug_read(a.address, a.length, after);
      for (unsigned i = 0; seen && i < a.length; ++i) {
        if (!enabled(a, i) && before[i] != after[i]) {
          violate("byte-enable-honoured", "14.13",
                  what + ": byte " + std::to_string(i) + " is disabled but was " + (read ? "read" : "written"));
          break;
        }
      }
    }
    if (t.is_dmi_allowed()) check_dmi_hint(a);
  }

  // 14.16: the hint promises that a DMI request for this address and command is granted.
  void check_dmi_hint(const Attributes& a) {
    ::tlm::tlm_generic_payload r;
    r.set_command(a.command);
    r.set_address(a.address);
    ::tlm::tlm_dmi dmi;
    const bool granted = out->get_direct_mem_ptr(r, dmi);
    if (!granted) {
      violate("dmi-hint", "14.16", describe(a) + ": DMI hint set but the DMI request was refused");
      return;
    }
    check_dmi_region(r.get_command(), a.address, dmi, true);
  }

  void check_dmi_region(::tlm::tlm_command command, uint64_t address, const ::tlm::tlm_dmi& dmi, bool granted) {
    std::ostringstream s;
    s << "DMI " << (granted ? "grant" : "refusal") << " for 0x" << std::hex << address << " covers [0x"
      << dmi.get_start_address() << ", 0x" << dmi.get_end_address() << "]";
    const std::string what = s.str();
    if (dmi.get_start_address() > dmi.get_end_address()) violate("dmi-range", "11.2", what + ": start after end");
    if (address < dmi.get_start_address() || address > dmi.get_end_address())
      violate("dmi-range", "11.2", what + ": the address lies outside");
    if (!granted) return;
    if (dmi.get_dmi_ptr() == nullptr) violate("dmi-range", "11.2", what + ": null pointer");
    if (command == ::tlm::TLM_READ_COMMAND && !dmi.is_read_allowed())
      violate("dmi-range", "11.2", what + ": read requested, read not granted");
    if (command == ::tlm::TLM_WRITE_COMMAND && !dmi.is_write_allowed())
      violate("dmi-range", "11.2", what + ": write requested, write not granted");
  }

  bool get_direct_mem_ptr(::tlm::tlm_generic_payload& t, ::tlm::tlm_dmi& dmi) {
    ++dmi_requests_;
    const ::tlm::tlm_command command = t.get_command();
    const uint64_t address = t.get_address();
    const bool granted = out->get_direct_mem_ptr(t, dmi);
    if (t.get_command() != command || t.get_address() != address)
      violate("dmi-request-unchanged", "11.2", "DMI request for 0x" + std::to_string(address) + " was modified");
    check_dmi_region(command, address, dmi, granted);
    return granted;
  }

  unsigned int transport_dbg(::tlm::tlm_generic_payload& t) {
    ++debug_calls_;
    const Attributes a(t);
    const unsigned n = out->transport_dbg(t);
    check_unchanged(a, t, true);
    if (n > a.length)
      violate("debug-count", "11.3",
              describe(a) + ": returned " + std::to_string(n) + " bytes, more than the data length");
    return n;
  }

  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    ++invalidations_;
    if (start > end)
      violate("invalidate-range", "11.2",
              "invalidation of [" + std::to_string(start) + ", " + std::to_string(end) + "]: start after end");
    in->invalidate_direct_mem_ptr(start, end);
  }

  std::vector<ProtocolViolation> violations_;
  uint64_t transports_ = 0;
  uint64_t debug_calls_ = 0;
  uint64_t dmi_requests_ = 0;
  uint64_t invalidations_ = 0;
  std::map<std::pair<::tlm::tlm_command, ::tlm::tlm_response_status>, uint64_t> responses_;
};

}  // namespace lrt::tlm::testing
