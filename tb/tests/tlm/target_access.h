#pragma once
// What the TLM target tests share: unique module names (SystemC refuses a second module of
// one name in a hierarchy) and a target's forward interface, which they call directly (the
// targets never wait, so no kernel is needed).

#include <string>
#include <systemc>
#include <tlm>

namespace lrt::tlm {

using Fw = ::tlm::tlm_fw_transport_if<>;

/// @brief base_0, base_1, ...: one counter for the whole test binary.
inline std::string unique_name(const char* base) {
  static int n = 0;
  return std::string(base) + "_" + std::to_string(n++);
}

/// @brief The forward interface behind a target's socket `in`.
template <class Target>
Fw& forward_path(Target& target) {
  return *static_cast<sc_core::sc_export<Fw>&>(target.in).operator->();
}

}  // namespace lrt::tlm
