#pragma once
// An SRAM macro's cost as a function of its capacity, periphery included (docs/device.md,
// "SRAM buffer"). Every table gives whole-macro figures (decoders, word and bit lines, sense
// amplifiers, I/O) at a few sizes; per bit, a value between two table points is interpolated as
// a power law (linear in log value over log capacity: a macro's bit lines and wires grow as a
// power of its size), and below the first point the first segment's law is extended.
//  * Access energy: Horowitz, ISSCC 2014 (45 nm), one 64-bit access of an 8 KB, 32 KB and 1 MB
//    SRAM: 10, 20 and 100 pJ. Above 1 MB the last segment's law is extended (a larger memory's
//    wires keep growing).
//  * Area: OpenRAM's FreePDK45 macros of 64-bit words (Guthaus et al., ICCAD 2016, the data of
//    its area figure: VLSIDA/OpenRAM, ICCAD16_openram_paper/figs/Results2.m, 64-bit column),
//    scaled to the model's 40 nm by (40/45)^2 as the rank-reduce unit's cells are (docs/rtl.md).
//  * Leakage: the same compiler's characterized FreePDK45 macros (VLSIDA/OpenRAM,
//    lib/freepdk45/lib/sram_1rw_*_freepdk45_TT_1p0V_25C.lib, `leakage_power` with the macro
//    deselected), typical corner, 1.0 V, 25 C; not scaled (no cited law).
//  Area and leakage stop at 128 Kbit: a larger buffer is built of 128 Kbit banks, so above it
//  the value per bit stays the largest macro's.

#include <cstdint>

namespace lrt::device {

/// @brief One point of a per-bit cost table: a macro's capacity and its cost per bit.
struct SramMacroPoint {
  uint64_t capacity_bits;
  double per_bit;
};

/// Horowitz's three points: pJ per 64-bit access / 64, capacities in binary kilobytes.
inline constexpr SramMacroPoint kHorowitzSram[] = {
    {uint64_t{8} * 1024 * 8, 10.0 / 64.0},
    {uint64_t{32} * 1024 * 8, 20.0 / 64.0},
    {uint64_t{1024} * 1024 * 8, 100.0 / 64.0},
};

/// OpenRAM FreePDK45, 64-bit words: macro area in um^2 / capacity (2, 8, 32, 128 Kbit).
inline constexpr SramMacroPoint kOpenRamArea45nm[] = {
    {2048, 4777.5306625 / 2048},
    {8192, 12928.9229375 / 8192},
    {32768, 41990.3161125 / 32768},
    {131072, 156997.489175 / 131072},
};

/// OpenRAM FreePDK45 .lib leakage in mW x 1e9 = pW, / capacity: 8b x 256, 32b x 1024,
/// 64b x 1024 and 128b x 1024 words.
inline constexpr SramMacroPoint kOpenRamLeakage45nm[] = {
    {2048, 0.011168618e9 / 2048},
    {32768, 0.15279765e9 / 32768},
    {65536, 0.30184115e9 / 65536},
    {131072, 0.56084648e9 / 131072},
};

/// Area scale from OpenRAM's 45 nm to the model's 40 nm: (40 / 45)^2.
inline constexpr double kArea45To40nm = (40.0 / 45.0) * (40.0 / 45.0);

/// @brief Energy per bit accessed (pJ) of a macro of `capacity_bits` (>= 1); exact at a table point.
double sram_pj_per_bit(uint64_t capacity_bits);

/// @brief Macro area per bit (um^2, 40 nm, periphery included) of a buffer of `capacity_bits`.
double sram_area_um2_per_bit(uint64_t capacity_bits);

/// @brief Leakage per stored bit (pW, whole macro) of a buffer of `capacity_bits`.
double sram_leakage_pw_per_bit(uint64_t capacity_bits);

}  // namespace lrt::device
