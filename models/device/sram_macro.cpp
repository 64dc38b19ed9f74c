#include "device/sram_macro.h"

#include <cmath>
#include <cstddef>
#include <iterator>

namespace lrt::device {
namespace {

enum class AboveTable { kExtendLaw, kLastValue };

// The per-bit value at `capacity_bits` from a table of n >= 2 points (sram_macro.h).
template <std::size_t n>
double per_bit(const SramMacroPoint (&table)[n], uint64_t capacity_bits, AboveTable above) {
  static_assert(n >= 2, "a power law needs two points");
  if (above == AboveTable::kLastValue && capacity_bits >= table[n - 1].capacity_bits)
    return table[n - 1].per_bit;
  // The segment whose power law applies: the one containing the capacity, else the end one.
  std::size_t i = 0;
  while (i + 2 < n && capacity_bits >= table[i + 1].capacity_bits) ++i;
  const SramMacroPoint& a = table[i];
  const SramMacroPoint& b = table[i + 1];
  const double exponent = std::log(b.per_bit / a.per_bit) / std::log(static_cast<double>(b.capacity_bits) /
                                                                     static_cast<double>(a.capacity_bits));
  if (capacity_bits == b.capacity_bits) return b.per_bit;  // exact at the segment's far end
  // a * (c / a_c)^exponent: exactly a at c = a_c (pow(1, x) == 1).
  return a.per_bit *
         std::pow(static_cast<double>(capacity_bits) / static_cast<double>(a.capacity_bits), exponent);
}

}  // namespace

double sram_pj_per_bit(uint64_t capacity_bits) {
  return per_bit(kHorowitzSram, capacity_bits, AboveTable::kExtendLaw);
}

double sram_area_um2_per_bit(uint64_t capacity_bits) {
  return per_bit(kOpenRamArea45nm, capacity_bits, AboveTable::kLastValue) * kArea45To40nm;
}

double sram_leakage_pw_per_bit(uint64_t capacity_bits) {
  return per_bit(kOpenRamLeakage45nm, capacity_bits, AboveTable::kLastValue);
}

}  // namespace lrt::device
