// The closed-form Figure 3 model: every formula on hand-computed points (exact: the
// technology numbers are binary fractions, so every product and sum below is exact in
// double), scaling properties, and rejected inputs. Formulas: docs/exploration.md.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "explore/closed_form.h"
#include "hw/rr_unit_costs.h"
#include "hw/rr_unit_timing.h"

namespace lrt::explore {
namespace {

// A 3 x 5 layer (15 weights, 8-bit, binary cells: 120 weight cells) with round technology.
DesignPoint small_point(Algorithm algorithm, uint64_t batch) {
  DesignPoint p;
  p.algorithm = algorithm;
  p.n_o = 3;
  p.n_i = 5;
  p.batch = batch;
  p.rank = 2;
  p.tech.rram_cell_area_um2 = 0.5;
  p.tech.sram_cell_area_um2 = 0.25;
  p.tech.rram_read_pj_per_bit = 1.0;
  p.tech.rram_write_pj_per_cell = 2.0;
  p.tech.sram_read_pj_per_bit = 0.5;
  p.tech.sram_write_pj_per_bit = 0.25;
  p.tech.mac_pj = 0.125;
  p.tech.endurance_writes = 1000.0;
  p.tech.rank_reduce_logic_area_um2 = 10.0;
  return p;
}

TEST(ClosedForm, OnlineWritesEveryCellEverySample) {
  const PointResult q = evaluate(small_point(Algorithm::kOnline, 1));
  EXPECT_EQ(q.aux_bits, 0.0);
  EXPECT_EQ(q.aux_area_um2, 0.0);
  EXPECT_EQ(q.rram_area_um2, 60.0);  // 120 cells x 0.5
  EXPECT_EQ(q.inv_write_density, 1.0);
  EXPECT_EQ(q.worst_cell_inv_write_density, 1.0);
  EXPECT_EQ(q.lifetime_samples, 1000.0);
  EXPECT_EQ(q.rram_read_bits, 120.0);    // compare read of 15 x 8 bits
  EXPECT_EQ(q.rram_cell_writes, 120.0);  // all 120 cells
  EXPECT_EQ(q.macs, 30.0);               // 15 outer product + 15 update
  EXPECT_EQ(q.energy_read_pj, 120.0);
  EXPECT_EQ(q.energy_write_pj, 240.0);
  EXPECT_EQ(q.energy_compute_pj, 3.75);
  EXPECT_EQ(q.energy_per_sample_pj, 363.75);
}

TEST(ClosedForm, NaiveBatchKeepsAFullAccumulatorInSram) {
  const PointResult q = evaluate(small_point(Algorithm::kNaiveBatch, 4));
  EXPECT_EQ(q.aux_sram_bits, 240.0);  // 15 x 16
  EXPECT_EQ(q.aux_rram_bits, 0.0);
  EXPECT_EQ(q.aux_area_um2, 60.0);    // 240 x 0.25
  EXPECT_EQ(q.inv_write_density, 4.0);
  EXPECT_EQ(q.lifetime_samples, 4000.0);
  EXPECT_EQ(q.rram_read_bits, 30.0);    // 120 / 4
  EXPECT_EQ(q.rram_cell_writes, 30.0);  // 120 / 4
  EXPECT_EQ(q.sram_read_bits, 300.0);   // 240 read-modify-write + 240 / 4 read-out
  EXPECT_EQ(q.sram_write_bits, 240.0);
  EXPECT_EQ(q.macs, 18.75);             // 15 + 15 / 4
  EXPECT_EQ(q.energy_read_pj, 180.0);   // 30 x 1 + 300 x 0.5
  EXPECT_EQ(q.energy_write_pj, 120.0);  // 30 x 2 + 240 x 0.25
  EXPECT_EQ(q.energy_compute_pj, 2.34375);
  EXPECT_EQ(q.energy_per_sample_pj, 302.34375);
}

TEST(ClosedForm, BatchSramStoresTheBSamples) {
  const PointResult q = evaluate(small_point(Algorithm::kBatchSram, 4));
  EXPECT_EQ(q.aux_sram_bits, 256.0);  // 4 x (3 x 8 + 5 x 8)
  EXPECT_EQ(q.aux_area_um2, 64.0);
  EXPECT_EQ(q.inv_write_density, 4.0);
  EXPECT_EQ(q.sram_write_bits, 64.0);
  EXPECT_EQ(q.sram_read_bits, 64.0);
  EXPECT_EQ(q.macs, 18.75);
  EXPECT_EQ(q.energy_read_pj, 62.0);   // 30 + 64 x 0.5
  EXPECT_EQ(q.energy_write_pj, 76.0);  // 30 x 2 + 64 x 0.25
}

TEST(ClosedForm, BatchRramStoresTheBSamplesInRramAndCountsTheirWrites) {
  DesignPoint p = small_point(Algorithm::kBatchRram, 4);
  PointResult q = evaluate(p);
  EXPECT_EQ(q.aux_sram_bits, 0.0);
  EXPECT_EQ(q.aux_rram_bits, 256.0);
  EXPECT_EQ(q.aux_rram_cells, 256.0);
  EXPECT_EQ(q.aux_area_um2, 128.0);     // 256 x 0.5
  EXPECT_EQ(q.rram_cell_writes, 94.0);  // 30 weight cells + 64 sample cells
  EXPECT_EQ(q.rram_read_bits, 94.0);    // 30 + 64
  EXPECT_EQ(q.energy_read_pj, 94.0);
  EXPECT_EQ(q.energy_write_pj, 188.0);
  EXPECT_EQ(q.worst_cell_inv_write_density, 4.0);  // each sample slot is written once per batch
  // 3-bit cells: a weight takes ceil(8/3) = 3 cells, a stored 8-bit word also 3.
  p.tech.rram_bits_per_cell = 3;
  q = evaluate(p);
  EXPECT_EQ(q.weight_rram_cells, 45.0);
  EXPECT_EQ(q.rram_area_um2, 22.5);
  EXPECT_EQ(q.aux_rram_cells, 96.0);  // 4 x 8 words x 3 cells
  EXPECT_EQ(q.aux_rram_bits, 256.0);
}

TEST(ClosedForm, LrtPaysTheRankReduceUnitsMemoryWordsCyclesAndOperations) {
  // 3 x 5, r = 2 (q = 3), unbiased. The unit's SRAM (docs/rtl.md memory map, 64-bit words:
  // four codes or two scratch values per word, metadata one value per word): basis
  // q (ceil(3/4) + ceil(5/4)) = 9 words, metadata 3q + 1 = 10, scratch ceil(3/2) + ceil(5/2) =
  // 5: 24 words = 1536 bits. Per pair the RTL's closed form of a full unbiased step (kept 0).
  const PointResult q = evaluate(small_point(Algorithm::kLrt, 4));
  EXPECT_EQ(q.aux_sram_bits, 1536.0);
  EXPECT_EQ(q.scratch_sram_bits, 320.0);
  EXPECT_EQ(q.logic_area_um2, 10.0);
  EXPECT_EQ(q.aux_area_um2, 394.0);  // 1536 x 0.25 + 10
  EXPECT_EQ(q.inv_write_density, 4.0);
  hw::RrPairOutcome full;
  full.kept = 0;
  // every register-file write the data could cause: 4r coefficients, all 8 q(q-1)/2 Jacobi
  // visits rotated, a new running maximum on each of the r (n_o + n_i) rows
  full.gs_coefficients = 8;
  full.jacobi_rotations = 24;
  full.max_updates = 16;
  const hw::RrUnitPairCost c = hw::rr_unit_pair_cost(2, true, 3, 5, full);
  EXPECT_EQ(q.rank_reduce_cycles, static_cast<double>(c.cycles));
  EXPECT_EQ(q.sram_write_bits, 64.0 * static_cast<double>(c.sram_writes));
  EXPECT_EQ(q.sram_read_bits, 64.0 * static_cast<double>(c.sram_reads) + 64.0);  // + L, R: 2 x 8 x 16 / 4
  EXPECT_EQ(q.macs, 11.25);  // the update: apply 15 / 4 + L R^T 15 x 2 / 4
  EXPECT_DOUBLE_EQ(q.energy_compute_pj, 11.25 * 0.125 + hw::builtin_rr_unit_costs().compute_energy_pj(c));
  // Biased: its own (shorter) step; the memory is the same.
  DesignPoint b = small_point(Algorithm::kLrt, 4);
  b.unbiased = false;
  full.kept = 2;
  EXPECT_EQ(evaluate(b).rank_reduce_cycles, static_cast<double>(hw::rr_unit_pair_cost(2, false, 3, 5, full).cycles));
  EXPECT_EQ(evaluate(b).aux_sram_bits, 1536.0);
  // Without an explicit logic area the cost table's synthesized one (or an error naming the rank).
  DesignPoint t = small_point(Algorithm::kLrt, 4);
  t.tech.rank_reduce_logic_area_um2.reset();
  t.rank = 1;
  EXPECT_EQ(evaluate(t).logic_area_um2, hw::builtin_rr_unit_costs().area(1).logic_area_um2);
}

TEST(ClosedForm, PaperLayerLrtNeedsATenthOfNaiveBatchsAuxiliaryBits) {
  // 512 x 2048, r = 4: basis 5 x (128 + 512) = 3200 words (four codes each), scratch 256 +
  // 1024 = 1280 (two values each), metadata 16: 4496 words;
  // naive batch with 16-bit accumulators needs 2x the weight bits, more area than the 8-bit
  // RRAM weights themselves.
  DesignPoint p;  // defaults: 512 x 2048, paper technology
  p.algorithm = Algorithm::kNaiveBatch;
  const PointResult naive = evaluate(p);
  EXPECT_GT(naive.aux_area_um2, naive.rram_area_um2);
  p.algorithm = Algorithm::kLrt;
  p.tech.rank_reduce_logic_area_um2 = 0.0;
  const PointResult lrt = evaluate(p);
  EXPECT_EQ(lrt.aux_sram_bits, 4496.0 * 64.0);
  EXPECT_LT(lrt.aux_sram_bits, 0.1 * naive.aux_sram_bits);
}

TEST(ClosedForm, BatchAuxGrowsLinearlyInBWhileLrtAuxDoesNot) {
  for (uint64_t b : {1u, 2u, 7u, 100u, 10000u}) {
    for (Algorithm a : {Algorithm::kBatchSram, Algorithm::kBatchRram}) {
      const double one = evaluate(small_point(a, 1)).aux_area_um2;
      EXPECT_EQ(evaluate(small_point(a, b)).aux_area_um2, static_cast<double>(b) * one) << to_string(a);
    }
    EXPECT_EQ(evaluate(small_point(Algorithm::kLrt, b)).aux_area_um2,
              evaluate(small_point(Algorithm::kLrt, 1)).aux_area_um2);
    EXPECT_EQ(evaluate(small_point(Algorithm::kNaiveBatch, b)).aux_area_um2,
              evaluate(small_point(Algorithm::kNaiveBatch, 1)).aux_area_um2);
    for (Algorithm a : {Algorithm::kNaiveBatch, Algorithm::kBatchSram, Algorithm::kBatchRram, Algorithm::kLrt}) {
      const PointResult q = evaluate(small_point(a, b));
      EXPECT_EQ(q.inv_write_density, static_cast<double>(b)) << to_string(a);
      EXPECT_EQ(q.lifetime_samples, 1000.0 * static_cast<double>(b)) << to_string(a);
    }
  }
}

TEST(ClosedForm, AConvLayerPaysItsPerPairWorkPerOutputPixelAndStoresItsMaps) {
  // The same 3 x 5 layer as a conv layer with P = 4 output pixels per sample, storing a
  // 7-word input map and a 12-word gradient map per sample (8-bit words).
  for (Algorithm a : {Algorithm::kOnline, Algorithm::kNaiveBatch, Algorithm::kBatchSram, Algorithm::kBatchRram,
                      Algorithm::kLrt}) {
    SCOPED_TRACE(to_string(a));
    const uint64_t batch = a == Algorithm::kOnline ? 1 : 4;
    const PointResult fc = evaluate(small_point(a, batch));
    DesignPoint p = small_point(a, batch);
    p.pairs_per_sample = 4;
    p.stored_act_words = 7;
    p.stored_grad_words = 12;
    const PointResult conv = evaluate(p);
    // Per-pair work: the outer product (N MACs) of every non-LRT algorithm; LRT's step runs on
    // the rank-reduce unit (its energy and SRAM words per pair, 3 more pairs).
    // The update (N / B MACs, N b_w / B RRAM bits, N / B L R^T products) is per sample.
    EXPECT_EQ(conv.macs - fc.macs, a == Algorithm::kLrt ? 0.0 : 3.0 * 15.0);
    if (a == Algorithm::kLrt) {
      EXPECT_DOUBLE_EQ(conv.energy_compute_pj - fc.energy_compute_pj, 3.0 * (fc.energy_compute_pj - 11.25 * 0.125));
      EXPECT_EQ(conv.rank_reduce_cycles, 4.0 * fc.rank_reduce_cycles);
    }
    EXPECT_EQ(conv.rram_cell_writes - fc.rram_cell_writes,
              a == Algorithm::kBatchRram ? (12.0 + 7.0) * 8.0 - (3.0 + 5.0) * 8.0 : 0.0);
    const double sample_bits = (12.0 + 7.0) * 8.0, fc_sample_bits = (3.0 + 5.0) * 8.0;
    if (a == Algorithm::kBatchSram) {
      EXPECT_EQ(conv.aux_sram_bits, 4.0 * sample_bits);
      EXPECT_EQ(conv.sram_write_bits - fc.sram_write_bits, sample_bits - fc_sample_bits);
    } else if (a == Algorithm::kLrt) {
      EXPECT_EQ(conv.aux_bits, fc.aux_bits);  // the factors do not grow with pixels
      EXPECT_EQ(conv.sram_write_bits, 4.0 * fc.sram_write_bits);  // every SRAM write is a pair's
    } else if (a == Algorithm::kBatchRram) {
      EXPECT_EQ(conv.aux_rram_bits, 4.0 * sample_bits);
    } else {
      EXPECT_EQ(conv.aux_bits, fc.aux_bits);
    }
    EXPECT_EQ(conv.inv_write_density, fc.inv_write_density);  // still one update per B samples
    EXPECT_EQ(conv.lifetime_samples, fc.lifetime_samples);
  }
  DesignPoint bad = small_point(Algorithm::kLrt, 4);
  bad.pairs_per_sample = 0;
  EXPECT_THROW(evaluate(bad), std::invalid_argument);
}

TEST(ClosedForm, NamesRoundTrip) {
  for (Algorithm a : {Algorithm::kOnline, Algorithm::kNaiveBatch, Algorithm::kBatchSram, Algorithm::kBatchRram,
                      Algorithm::kLrt})
    EXPECT_EQ(algorithm_from_string(to_string(a)), a);
  EXPECT_THROW(algorithm_from_string("sgd"), std::invalid_argument);
}

TEST(ClosedForm, BadInputsThrow) {
  const auto throws = [](auto mutate) {
    DesignPoint p = small_point(Algorithm::kLrt, 4);
    mutate(p);
    EXPECT_THROW(evaluate(p), std::invalid_argument);
  };
  throws([](DesignPoint& p) { p.n_o = 0; });
  throws([](DesignPoint& p) { p.n_i = 0; });
  throws([](DesignPoint& p) { p.batch = 0; });
  throws([](DesignPoint& p) { p.algorithm = Algorithm::kOnline; });  // batch 4
  throws([](DesignPoint& p) { p.rank = 0; });
  throws([](DesignPoint& p) { p.rank = 4; });  // > min(3, 5)
  throws([](DesignPoint& p) { p.weight_bits = 0; });
  throws([](DesignPoint& p) { p.lr_bits = 65; });
  throws([](DesignPoint& p) { p.tech.rram_bits_per_cell = 0; });
  throws([](DesignPoint& p) { p.tech.sram_cell_area_um2 = 0.0; });
  throws([](DesignPoint& p) { p.tech.rram_write_pj_per_cell = -1.0; });
  throws([](DesignPoint& p) { p.tech.mac_pj = std::numeric_limits<double>::quiet_NaN(); });
  throws([](DesignPoint& p) { p.tech.endurance_writes = 0.0; });
  throws([](DesignPoint& p) { p.tech.rank_reduce_logic_area_um2 = -1.0; });
  throws([](DesignPoint& p) { p.rank = 9; });          // beyond the unit (rank <= 8)
  throws([](DesignPoint& p) { p.n_i = 16385; });       // and n <= 16384
  // rank is not checked for algorithms that do not use it
  DesignPoint p = small_point(Algorithm::kBatchSram, 4);
  p.rank = 0;
  EXPECT_NO_THROW(evaluate(p));
}

}  // namespace
}  // namespace lrt::explore
