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
    // two cycles per code, a scratch word (two values) written per two codes: 7 + 4 words
    EXPECT_EQ(c.cycles, 2u * 20u + 11u + 2u);
    EXPECT_EQ(c.sram_writes, 11u);
    EXPECT_EQ(c.sram_reads, 0u);
    EXPECT_EQ(c.cordic_ops + c.div_ops + c.isqrt_ops + c.rf_reads + c.rf_write_bits, 0u);  // no register file
  }
}

// Per block of four rows (one Q word, two scratch words) of the longer side: input 4 x 2 + 2
// scratch writes; Gram-Schmidt 2 passes x r columns x (dot: 3 reads of 3 + the beat 1 = 10;
// update: 3 reads of 3 (the second scratch read issued by the first word's loop state) + 4
// rows + 2 writes of 1 + the second word's loop 1 = 16); max |w| and n2
// 2 x (2 reads of 3 + 4 rows); max |v R| 2 x 3 + 4 and the codes 2 x 3 + 4 + a word write and
// its loop 2; basis update 2 passes x (q reads of 4 + r columns x (4 rows x (q products + the
// row's cycle) + the loop)) + r word writes (second pass).
TEST(RrUnitTiming, CyclesPerBlockOfFourRowsOfAFullStep) {
  for (int r : {1, 2, 4, 8}) {
    const uint64_t q = static_cast<uint64_t>(r) + 1, ur = static_cast<uint64_t>(r);
    const uint64_t per = (8 + 2) + 2 * ur * (10 + 16) + 2 * (6 + 4) + (10 + 12) +
                         2 * (4 * q + ur * (4 * q + 4 + 1)) + ur;
    for (bool unbiased : {false, true}) {
      const int kept = unbiased ? 0 : r;
      EXPECT_EQ(rr_unit_pair_cycles(r, unbiased, 104, 7, full(kept)) -
                    rr_unit_pair_cycles(r, unbiased, 100, 7, full(kept)),
                per)
          << r;
    }
  }
  // r = 4: 504 cycles per four rows, 126 per row (one value per word: 241; four lanes: 96)
  EXPECT_EQ(rr_unit_pair_cycles(4, false, 104, 7, full(4)) - rr_unit_pair_cycles(4, false, 100, 7, full(4)), 504u);
}

// Every product on the shared multiplier: per side and column pass of the Gram-Schmidt four
// dot products per beat of four rows (three when the beat has one scratch word) and one update
// product per row; per side the update's q products per row, column and pass.
TEST(RrUnitTiming, StreamingProductsAreTheOnesPerformed) {
  const RrUnitPairCost f = rr_unit_pair_cost(2, false, 9, 6, full(2));
  RrPairOutcome skip;
  skip.skipped_kappa = true;
  const RrUnitPairCost s = rr_unit_pair_cost(2, false, 9, 6, skip);
  // n 9: beats of 4, 4, 1 rows (the last with one scratch word): 4 + 4 + 3; n 6: 4 + 3
  const uint64_t gs = 2 * 2 * ((11 + 9) + (7 + 6));
  const uint64_t input = 15, n2 = 15, new_column = 2 * 15;
  EXPECT_EQ(s.mul_stream, input + gs + n2 + new_column);
  EXPECT_EQ(f.mul_stream - s.mul_stream, 2u * 2u * 3u * 15u);  // update: 2 passes x r x q x n
  // one more row: 2 passes x r x q more products, each reading its M^_kt
  const RrUnitPairCost g = rr_unit_pair_cost(2, false, 9, 7, full(2));
  EXPECT_EQ(g.mul_stream - f.mul_stream, 2u * 2u * (1u + 1u) + 1u + 2u + 1u + 2u * 2u * 3u);
  EXPECT_EQ(g.rf_reads - f.rf_reads, 2u * 2u * 3u);
}

TEST(RrUnitTiming, MemoryIsPacked) {
  // Q codes four per word (a column of 9 rows: 3 words), the scratch two per word, metadata
  // one value per word.
  const RrUnitMemory m = rr_unit_memory(4, 9, 4);
  EXPECT_EQ(m.basis_words, 5u * (3u + 1u));
  EXPECT_EQ(m.scratch_words, 5u + 2u);
  EXPECT_EQ(m.metadata_words, 16u);
  EXPECT_EQ(m.state_words(), 36u);
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
    // n = 9: W = 3 Q words per column
    const uint64_t update = 2 * (2 + ur + 2 * (4 * q * 3 + ur * (q * 9 + 9 + 3)) + ur * 3);
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
  // n = 20 (W = 5 Q words, H = 10 scratch words). Kept side: isqrt 34 + reciprocal 131 +
  // max |v R| (3 H + n) + 1 + codes (3 H + n + 2 W) + 1; vanished: 3 W (a zero word per 4 rows)
  EXPECT_EQ(f.cycles - c.cycles, 34u + 131u + 50u + 1u + 60u + 1u - 15u);
  EXPECT_EQ(f.div_ops - c.div_ops, 1u);
  EXPECT_EQ(f.isqrt_ops - c.isqrt_ops, 1u);
  EXPECT_EQ(f.sram_reads - c.sram_reads, 2u * 10u);
  EXPECT_EQ(f.sram_writes, c.sram_writes);  // 5 words of codes or of zeros
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
