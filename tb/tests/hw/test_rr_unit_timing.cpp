// The closed form of the RTL rank-reduce unit's cycles and operations per pair
// (models/hw/rr_unit_timing.h). Equality with the measured RTL cycles, SRAM reads and writes
// of every pair is asserted by lrtsim cosim (tb/tests/cli/test_cmd_cosim.cpp); here the form's
// own structure: the terms it is built from, restated independently.
#include <gtest/gtest.h>

#include <stdexcept>

#include "hw/rr_unit_timing.h"

namespace lrt::hw {
namespace {

RrPairOutcome full(int kept) {
  RrPairOutcome o;
  o.kept = kept;
  return o;
}

TEST(RrUnitTiming, ZeroInputIsTheInputStreamOnly) {
  RrPairOutcome z;
  z.zero_input = true;
  for (int r : {1, 4, 8}) {
    const RrUnitPairCost c = rr_unit_pair_cost(r, false, 13, 7, z);
    EXPECT_EQ(c.cycles, 3u * 20u + 2u);
    EXPECT_EQ(c.sram_writes, 20u);
    EXPECT_EQ(c.sram_reads, 0u);
    EXPECT_EQ(c.cordic_ops + c.div_ops + c.isqrt_ops + c.rf_reads + c.rf_writes, 0u);
  }
}

// Per element of the longer side the unit spends 2 passes x r columns x (7 + 9) cycles of
// Gram-Schmidt, 8 + 10 of the new column and 2 x (4 q) + r (2 q + 3) of the basis update:
// one more element of n_o adds exactly that (plus 3 for the input).
TEST(RrUnitTiming, CyclesPerElementOfAFullStep) {
  for (int r : {1, 2, 4, 8}) {
    const uint64_t q = static_cast<uint64_t>(r) + 1, ur = static_cast<uint64_t>(r);
    const uint64_t per = 3 + 2 * ur * 16 + 18 + 8 * q + ur * (2 * q + 3);
    for (bool unbiased : {false, true}) {
      const int kept = unbiased ? 0 : r;
      EXPECT_EQ(rr_unit_pair_cycles(r, unbiased, 101, 7, full(kept)) -
                    rr_unit_pair_cycles(r, unbiased, 100, 7, full(kept)),
                per)
          << r;
    }
  }
}

// Jacobi: 8 sweeps x q (q - 1) / 2 pairs, each 4 register-file reads of its entries (one per
// cycle), 4 CORDIC waits of 35, 16 q rotation cycles and 1 of bookkeeping, whether or not the
// pair rotates (fixed latency).
TEST(RrUnitTiming, JacobiAndMixingTerms) {
  for (int r : {1, 2, 4, 8}) {
    const uint64_t q = static_cast<uint64_t>(r) + 1, ur = static_cast<uint64_t>(r);
    RrPairOutcome skip;
    skip.skipped_kappa = true;
    const RrUnitPairCost f = rr_unit_pair_cost(r, false, 9, 9, full(r));
    const RrUnitPairCost s = rr_unit_pair_cost(r, false, 9, 9, skip);
    const uint64_t jacobi = 4 * q * (q - 1) * (145 + 16 * q);
    EXPECT_EQ(f.cordic_ops, 16 * q * (q - 1));
    EXPECT_EQ(s.cordic_ops, 0u);
    // full - skipped = E_C, C, Jacobi, sigma (one diagonal entry per cycle), sort (q x q), start,
    // mixing, c_x (1 + r), basis update (per side: e_ref, r exponents, the side switch and 2
    // passes over the rows)
    const uint64_t update = 2 * (2 + ur + 9 * (8 * q + ur * (2 * q + 3)));
    EXPECT_EQ(f.cycles - s.cycles, 1 + q * q + jacobi + q + q * q + 1 + 2 * ur * q * q + 1 + ur + update);
    // Unbiased, k = q - 1 - kept mixed values: m0 and s1 (one sorted sigma per cycle, q),
    // k + 1 radicands (divide 127 + root 34 + 1), 1/|v_0| (1 + 127), s1/k (67), k Householder
    // columns of 1 + (k + 1) cycles.
    for (int kept = 0; kept < r; ++kept) {
      const uint64_t k = q - 1 - static_cast<uint64_t>(kept);
      EXPECT_EQ(rr_unit_pair_cycles(r, true, 9, 9, full(kept)) - f.cycles,
                q + (k + 1) * 162 + 1 + 127 + 67 + k * (k + 2))
          << r << " " << kept;
    }
  }
}

TEST(RrUnitTiming, VanishedSideWritesZerosInsteadOfTheColumn) {
  RrPairOutcome v = full(4);
  v.vanished_left = true;
  const RrUnitPairCost f = rr_unit_pair_cost(4, false, 20, 9, full(4));
  const RrUnitPairCost c = rr_unit_pair_cost(4, false, 20, 9, v);
  // kept side: isqrt 34 + reciprocal 131 + 4 n + 1 + 6 n + 1; vanished: 3 n
  EXPECT_EQ(f.cycles - c.cycles, 34u + 131u + 10u * 20u + 2u - 3u * 20u);
  EXPECT_EQ(f.div_ops - c.div_ops, 1u);
  EXPECT_EQ(f.isqrt_ops - c.isqrt_ops, 1u);
  EXPECT_EQ(f.sram_reads - c.sram_reads, 2u * 20u);
}

TEST(RrUnitTiming, MaxIsTheLongestOutcomeAndArgumentsAreChecked) {
  for (int r : {1, 8}) {
    uint64_t most = 0;
    for (int kept = 0; kept <= r; ++kept) most = std::max(most, rr_unit_pair_cycles(r, true, 5, 6, full(kept)));
    EXPECT_EQ(rr_unit_pair_cycles_max(r, true, 5, 6), most);
    EXPECT_EQ(rr_unit_pair_cycles_max(r, false, 5, 6), rr_unit_pair_cycles(r, false, 5, 6, full(r)));
  }
  EXPECT_THROW(rr_unit_pair_cost(0, false, 5, 5, full(0)), std::invalid_argument);
  EXPECT_THROW(rr_unit_pair_cost(9, false, 5, 5, full(0)), std::invalid_argument);
  EXPECT_THROW(rr_unit_pair_cost(2, false, 0, 5, full(2)), std::invalid_argument);
  EXPECT_THROW(rr_unit_pair_cost(2, true, 5, 5, full(3)), std::invalid_argument);
}

}  // namespace
}  // namespace lrt::hw
