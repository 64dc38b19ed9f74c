#pragma once
// Small helpers shared by the TLM memory targets: exact cycle -> time conversion and the bus
// format of weight codes.

#include <cstdint>
#include <stdexcept>
#include <systemc>

namespace lrt::tlm {

/// @brief n clock cycles as an sc_time, exactly: an integer multiple of the period in the
/// kernel's time resolution (sc_time * double would round through a double).
inline sc_core::sc_time clock_cycles(uint64_t n, const sc_core::sc_time& period) {
  sc_dt::uint64 v;
  if (__builtin_mul_overflow(period.value(), n, &v)) throw std::overflow_error("clock_cycles: time overflow");
  return sc_core::sc_time::from_value(v);
}

/// @brief Bytes a code of `bits` bits occupies on the bus.
constexpr unsigned bus_bytes(unsigned bits) { return (bits + 7) / 8; }

/// @brief Stores `code` little endian in `bytes` (1..4) bytes, two's complement, sign-extended.
inline void store_code_le(int32_t code, unsigned char* dst, unsigned bytes) {
  const auto u = static_cast<uint32_t>(code);
  for (unsigned i = 0; i < bytes; ++i) dst[i] = static_cast<unsigned char>(u >> (8 * i));
}

/// @brief Loads a little-endian two's complement number of `bytes` (1..4) bytes, sign-extended.
inline int64_t load_code_le(const unsigned char* src, unsigned bytes) {
  uint64_t u = 0;
  for (unsigned i = 0; i < bytes; ++i) u |= uint64_t{src[i]} << (8 * i);
  const uint64_t sign = uint64_t{1} << (8 * bytes - 1);
  return static_cast<int64_t>(u ^ sign) - static_cast<int64_t>(sign);
}

}  // namespace lrt::tlm
