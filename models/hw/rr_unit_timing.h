#pragma once
// Cycles and operation counts of one pair through the RTL rank-reduce unit (rtl/rr_unit.sv,
// docs/rtl.md "Cycles per pair"), in closed form. The unit's schedule has a fixed latency per
// outcome: data-dependent waits are padded (the residual reciprocal's divider, a CORDIC atan2
// of (0, 0)), a zero Gram-Schmidt coefficient runs its update (w unchanged), and exactly-zero
// Jacobi pairs and the unbiased s1 = 0 case run their steps with the writes suppressed. So a
// pair's cost depends only on the shape, the mode and what golden::RankReduceFixed reports per
// pair (FixedPairTrace): zero input, vanished left / right, kappa skip, kept.
// Memory model assumed: every request accepted at once, a read answered in the next cycle
// (the environment of rtl/sc/rr_unit_env.h); stalls add cycles, never operations.
// Pure C++: no Verilator, no SystemC.

#include <array>
#include <cstdint>

#include "golden/rank_reduce/rank_reduce_fixed.h"

namespace lrt::hw {

/// @brief What a pair did, as the golden model's trace reports it.
struct RrPairOutcome {
  bool zero_input = false;      ///< dz or a all zero: only the input stream runs
  bool vanished_left = false;   ///< the dz residual vanished (its column is written as zeros)
  bool vanished_right = false;  ///< the a residual vanished
  bool skipped_kappa = false;   ///< ends after the kappa test
  int kept = 0;                 ///< leading singular values kept (r biased, m0 unbiased)
  // Register-file writes only (the cycles do not depend on these; FixedPairTrace's counts):
  int gs_coefficients = 0;   ///< Gram-Schmidt coefficients written, both sides (0..4r)
  int jacobi_rotations = 0;  ///< Jacobi visits that rotated (0..8 q(q-1)/2)
  bool mix_dry = false;      ///< unbiased: s1 = 0 (the Householder writes suppressed)
  int64_t max_updates = 0;   ///< running-maximum updates of the basis update, both sides (>= 0)
};

RrPairOutcome rr_pair_outcome(const golden::FixedPairTrace& trace);

/// @brief rtl/rr_unit.sv's register files (rr_regfile instances): the q x q matrices (Jacobi A / C,
/// U, V; the mixing matrices M_L, M_R) and the q-vectors (Gram-Schmidt coefficients, c_L / c_R
/// blocks, the basis update's Q words, its running maxima, c_x, the column exponents, sigma and
/// the sort's keys).
enum RrRegfile : int {
  kRfJa,
  kRfJu,
  kRfJv,
  kRfMx,
  kRfCf,
  kRfCb0,
  kRfCb1,
  kRfQr,
  kRfBc,
  kRfCx,
  kRfEq,
  kRfEc,
  kRfSg,
  kRfHs,
  kRrRegfiles
};
/// Their instance names (u_ja, ...) and entry widths in bits (the WIDTH parameters in rr_unit.sv).
const char* rr_regfile_name(int f);
int rr_regfile_width_bits(int f);

/// @brief Cycles and operations of one pair (from the edge after the accepted start to the
/// accepted result). Energy is priced from the operation counts.
struct RrUnitPairCost {
  uint64_t cycles = 0;
  uint64_t sram_reads = 0;   ///< 64-bit SRAM word reads (four codes or two scratch values per word)
  uint64_t sram_writes = 0;  ///< 64-bit SRAM word writes
  /// Products of the shared 37 x 34-bit multiplier, by use:
  uint64_t mul_stream = 0;  ///< long loops: |x|^2 (16x16), GS dots (16x32: four per beat of
                            ///< four rows, three with one scratch word), GS update (32x16), n2
                            ///< (25x25), v R (25x32), basis update (16x32, q per row and column)
  uint64_t mul_core = 0;    ///< q x q work: core sums (31x31, twice), kappa (37x27, 3),
                            ///< rotations (32x32), k sigma, Householder (31x34), mixing (32x32)
  uint64_t div_ops = 0;     ///< rr_divider (64-bit restoring, 66 + frac cycles)
  uint64_t isqrt_ops = 0;   ///< rr_isqrt (64-bit, 33 cycles)
  uint64_t cordic_ops = 0;  ///< rr_cordic (33 iterations)
  uint64_t sign_ops = 0;    ///< sign words (three products of the shared multiplier each)
  /// 32-bit entries of the q x q matrices (C, U, V, Q_x, M_L, M_R) read, as the schedule
  /// reads them (a flip-flop file's read is a multiplexer: not counted in the RTL).
  uint64_t rf_reads = 0;
  /// Bits written into the register files: sum over files of writes x entry width. Exact: the
  /// writes the RTL's write enables perform (test_rtl RrUnitRegfiles counts them).
  uint64_t rf_write_bits = 0;
  /// The writes per file (RrRegfile order).
  std::array<uint64_t, kRrRegfiles> regfile_writes{};
};

/// @brief The SRAM the unit uses for one LRT layer, in 64-bit words, as rtl/rr_unit.sv's memory
/// map lays it out (docs/rtl.md): the basis codes Q_L, Q_R (q columns of ceil(n/4) words, four
/// int16 codes per word), the Gram-Schmidt scratch of both sides (ceil(n/2) words, two int32
/// values per word: transient, so one scratch serves every layer of a shared unit) and the
/// metadata (q + q column exponents, q c_x codes, the c_x exponent, one per word).
struct RrUnitMemory {
  uint64_t basis_words = 0, scratch_words = 0, metadata_words = 0;
  uint64_t state_words() const { return basis_words + metadata_words; }  ///< kept between pairs
};
RrUnitMemory rr_unit_memory(int rank, uint64_t n_o, uint64_t n_i);

/// @brief The closed form. rank 1..8, n_o, n_i 1..16384; `outcome.kept` is read in unbiased
/// mode only (0..r). Throws std::invalid_argument outside the range.
RrUnitPairCost rr_unit_pair_cost(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& outcome);

/// @brief The costliest pair at this shape: a full step (both residuals kept, no kappa skip;
/// unbiased: kept = 0, the longest mixing) with every register-file write the data could cause
/// (4r Gram-Schmidt coefficients, every Jacobi visit rotated, a new running maximum on each of
/// the r (n_o + n_i) rows). Every quantity of rr_unit_pair_cost is at its largest for it.
RrPairOutcome rr_full_step_outcome(int rank, bool unbiased, int n_o, int n_i);

/// @brief rr_unit_pair_cost(...).cycles.
uint64_t rr_unit_pair_cycles(int rank, bool unbiased, int n_o, int n_i, const RrPairOutcome& outcome);

/// @brief The largest cycles of any pair at this shape (both residuals kept, no kappa skip;
/// unbiased: kept = 0, the longest mixing).
uint64_t rr_unit_pair_cycles_max(int rank, bool unbiased, int n_o, int n_i);

}  // namespace lrt::hw
