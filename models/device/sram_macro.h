#pragma once
// An SRAM macro's cost as a function of its capacity, periphery included (docs/device.md,
// "SRAM buffer"). Access energy: Horowitz, ISSCC 2014 (45 nm), energy of one 64-bit access of
// an SRAM of 8 KB, 32 KB and 1 MB: 10, 20 and 100 pJ, i.e. whole-macro figures with decoders,
// word lines, bit lines and sense amplifiers. Between two table points the energy per bit is
// interpolated as a power law (linear in log energy over log capacity: a macro's bit lines and
// wires grow as a power of its size); below the first and above the last point the nearest
// segment's power law is extended. Area: cells / array efficiency (the cells' share of the
// macro). Leakage: a power per stored bit, charged over simulated time.

#include <cstdint>

namespace lrt::device {

/// @brief One point of the access-energy table: capacity and energy per bit accessed.
struct SramEnergyPoint {
  uint64_t capacity_bits;
  double pj_per_bit;
};

/// Horowitz's three points (pJ per 64-bit access / 64), capacities in binary kilobytes.
inline constexpr SramEnergyPoint kHorowitzSram[] = {
    {uint64_t{8} * 1024 * 8, 10.0 / 64.0},
    {uint64_t{32} * 1024 * 8, 20.0 / 64.0},
    {uint64_t{1024} * 1024 * 8, 100.0 / 64.0},
};

/// @brief Energy per bit accessed of a macro of `capacity_bits` (>= 1), by the power-law
/// interpolation above; equals the table's value exactly at a table point.
double sram_pj_per_bit(uint64_t capacity_bits);

}  // namespace lrt::device
