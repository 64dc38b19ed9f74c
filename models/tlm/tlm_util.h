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

/// On a little-endian host int16 codes already sit in memory in the bus's byte order, so they can
/// move between buffers and the bus with no staging copy (issue 23: two passes over about 2.5 KB
/// a pair, and over 20 KB of basis columns at conv2's shape).
constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

/// @brief n codes (int16 or int32 values that fit 16 bits) as consecutive two-byte
/// little-endian words, and back: plain loops the compiler vectorizes (the rank-reduce unit
/// moves its basis columns this way on every pair; a read burst of 16-bit weights as well).
template <class Code>
inline void store_le16(const Code* src, uint64_t n, unsigned char* dst) {
  for (uint64_t i = 0; i < n; ++i) {
    const auto u = static_cast<uint16_t>(src[i]);
    dst[2 * i] = static_cast<unsigned char>(u);
    dst[2 * i + 1] = static_cast<unsigned char>(u >> 8);
  }
}
template <class Code>
inline void load_le16(const unsigned char* src, uint64_t n, Code* dst) {
  for (uint64_t i = 0; i < n; ++i)
    dst[i] = static_cast<Code>(static_cast<int16_t>(static_cast<uint16_t>(src[2 * i] | (src[2 * i + 1] << 8))));
}

/// @brief store_code_le of n codes at consecutive `bytes`-byte words. The one- and two-byte
/// cases (the usual weight widths) are plain loops the compiler vectorizes: a read burst over a
/// whole array moves millions of words per sample.
template <class Code>
inline void store_codes_le(const Code* codes, uint64_t n, unsigned char* dst, unsigned bytes) {
  if (bytes == 1) {
    for (uint64_t i = 0; i < n; ++i) dst[i] = static_cast<unsigned char>(codes[i]);
  } else if (bytes == 2) {
    store_le16(codes, n, dst);
  } else {
    for (uint64_t i = 0; i < n; ++i) store_code_le(codes[i], dst + i * bytes, bytes);
  }
}

/// @brief load_code_le of n consecutive `bytes`-byte words (the one- and two-byte cases vectorize).
inline void load_codes_le(const unsigned char* src, uint64_t n, int32_t* codes, unsigned bytes) {
  if (bytes == 1) {
    for (uint64_t i = 0; i < n; ++i) codes[i] = static_cast<int8_t>(src[i]);
  } else if (bytes == 2) {
    load_le16(src, n, codes);
  } else {
    for (uint64_t i = 0; i < n; ++i) codes[i] = static_cast<int32_t>(load_code_le(src + i * bytes, bytes));
  }
}

}  // namespace lrt::tlm
