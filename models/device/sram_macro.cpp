#include "device/sram_macro.h"

#include <cmath>
#include <iterator>

namespace lrt::device {

double sram_pj_per_bit(uint64_t capacity_bits) {
  constexpr std::size_t n = std::size(kHorowitzSram);
  // The segment whose power law applies: the one containing the capacity, else the end one.
  std::size_t i = 0;
  while (i + 2 < n && capacity_bits >= kHorowitzSram[i + 1].capacity_bits) ++i;
  const SramEnergyPoint& a = kHorowitzSram[i];
  const SramEnergyPoint& b = kHorowitzSram[i + 1];
  const double exponent = std::log(b.pj_per_bit / a.pj_per_bit) /
                          std::log(static_cast<double>(b.capacity_bits) / static_cast<double>(a.capacity_bits));
  if (capacity_bits == b.capacity_bits) return b.pj_per_bit;  // exact at the segment's far end
  // a * (c / a_c)^exponent: exactly a at c = a_c (pow(1, x) == 1).
  return a.pj_per_bit *
         std::pow(static_cast<double>(capacity_bits) / static_cast<double>(a.capacity_bits), exponent);
}

}  // namespace lrt::device
