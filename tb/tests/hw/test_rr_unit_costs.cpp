// The rank-reduce unit's cost table (models/hw/rr_unit_costs.h): the committed, built-in table
// is what this source generates; it reproduces the closed form exactly on shapes the
// generator did not check; the prices by hand; malformed files name file, line and key.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "core/error.h"
#include "hw/rr_unit_costs.h"
#include "hw/rr_unit_timing.h"

namespace lrt::hw {
namespace {

std::string read_source_file(const std::string& rel) {
  std::ifstream in(std::string(LRTSIM_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(RrUnitCosts, CommittedTableIsWhatThisSourceGenerates) {
  // configs/rank_reduce_unit.yaml is generated; a change of the RTL's closed form, the areas
  // or the prices must regenerate it (lrtsim unit-costs --out configs/rank_reduce_unit.yaml).
  const std::string committed = read_source_file("configs/rank_reduce_unit.yaml");
  const std::string areas = read_source_file("configs/rank_reduce_area.yaml");
  ASSERT_FALSE(committed.empty());
  const std::string regenerated =
      to_yaml(generate_rr_unit_costs(parse_rr_unit_areas(areas, "configs/rank_reduce_area.yaml")));
  EXPECT_EQ(committed, regenerated) << "regenerate: lrtsim unit-costs --out configs/rank_reduce_unit.yaml";
  EXPECT_EQ(builtin_rr_unit_costs_text(), committed) << "the build embeds an older table: re-run cmake";
}

TEST(RrUnitCosts, BuiltInTableEqualsTheClosedFormOnRandomPairs) {
  const RrUnitCostTable& t = builtin_rr_unit_costs();
  std::mt19937_64 gen(2024);
  for (int k = 0; k < 20000; ++k) {
    const int rank = 1 + static_cast<int>(gen() % 8);
    const bool unbiased = gen() % 2 != 0;
    const int n_o = 1 + static_cast<int>(gen() % (k % 10 == 0 ? 16384 : 300));
    const int n_i = 1 + static_cast<int>(gen() % (k % 7 == 0 ? 16384 : 300));
    RrPairOutcome o;
    switch (gen() % 3) {
      case 0: o.zero_input = true; break;
      case 1: o.skipped_kappa = true; break;
      default: break;
    }
    o.vanished_left = gen() % 4 == 0;
    o.vanished_right = gen() % 4 == 0;
    o.kept = unbiased ? static_cast<int>(gen() % static_cast<uint64_t>(rank + 1)) : rank;
    if (!o.zero_input) o.gs_coefficients = static_cast<int>(gen() % static_cast<uint64_t>(4 * rank + 1));
    if (!o.zero_input && !o.skipped_kappa) {  // the register-file counts of a full step
      o.jacobi_rotations = static_cast<int>(gen() % static_cast<uint64_t>(4 * rank * (rank + 1) + 1));
      o.max_updates =
          2 * rank + static_cast<int64_t>(gen() % static_cast<uint64_t>(rank * (n_o + n_i) - rank + 1));
      o.mix_dry = unbiased && gen() % 3 == 0;
    }
    RrUnitPairCost want = rr_unit_pair_cost(rank, unbiased, n_o, n_i, o);
    RrUnitPairCost got = t.pair_cost(rank, unbiased, n_o, n_i, o);
    for (int q = 0; q < kQuantities; ++q)
      ASSERT_EQ(quantity_of(got, q), quantity_of(want, q))
          << quantity_name(q) << " rank " << rank << (unbiased ? " unbiased" : " biased") << " n_o " << n_o
          << " n_i " << n_i << " class " << pair_class_name(pair_class_of(o)) << " kept " << o.kept;
  }
}

TEST(RrUnitCosts, PricesByHandAndEnergyIsTheirSum) {
  // One full adder = 0.2 pJ / 64 = 3.125 fJ (Horowitz 2014, 8-bit multiply).
  const RrUnitCostTable& t = builtin_rr_unit_costs();
  EXPECT_DOUBLE_EQ(t.price_pj[kMulStream], 1322 * 0.003125);  // 37 x 34 + 64 full adders
  EXPECT_DOUBLE_EQ(t.price_pj[kMulCore], 1322 * 0.003125);
  EXPECT_DOUBLE_EQ(t.price_pj[kDivOps], 8192 * 0.003125);    // 128 x 64
  EXPECT_DOUBLE_EQ(t.price_pj[kIsqrtOps], 1088 * 0.003125);  // 32 x 34
  EXPECT_DOUBLE_EQ(t.price_pj[kCordicOps], 3680 * 0.003125); // 32 x 115
  EXPECT_DOUBLE_EQ(t.price_pj[kSignOps], 1584 * 0.003125);   // 3 x 528
  EXPECT_DOUBLE_EQ(t.price_pj[kRfReads], 5.0);               // 32 bits x 10 / 64 pJ
  EXPECT_DOUBLE_EQ(t.price_pj[kRfWriteBits], 10.0 / 64);     // a bit of it
  EXPECT_DOUBLE_EQ(t.price_pj[kSramReads], 0.0);              // priced by the SRAM
  RrUnitPairCost c;
  c.cycles = 1000;
  c.sram_reads = c.sram_writes = 7;  // not the unit's energy
  c.mul_stream = 2;
  c.mul_core = 3;
  c.div_ops = 1;
  c.isqrt_ops = 1;
  c.cordic_ops = 4;
  c.sign_ops = 1;
  c.rf_reads = 10;
  c.rf_write_bits = 6 * 32;
  EXPECT_NEAR(t.compute_energy_pj(c), (5 * 1322 + 8192 + 1088 + 4 * 3680 + 1584) * 0.003125 + 16 * 5.0, 1e-9);
}

TEST(RrUnitCosts, AreaOnlyWhereSynthesized) {
  const RrUnitCostTable& t = builtin_rr_unit_costs();
  const auto areas = parse_rr_unit_areas(read_source_file("configs/rank_reduce_area.yaml"), "area");
  for (int r = 1; r <= 8; ++r) {
    if (areas.count(r)) {
      EXPECT_DOUBLE_EQ(t.area(r).logic_area_um2, areas.at(r).logic_area_um2);
      EXPECT_EQ(t.area(r).cells, areas.at(r).cells);
    } else {
      EXPECT_THROW(t.area(r), std::invalid_argument);
    }
  }
}

void expect_input_error(const std::string& text, int line, const std::string& key, const std::string& what) {
  try {
    parse_rr_unit_costs(text, "t.yaml");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "t.yaml");
    EXPECT_EQ(e.where().line, line) << e.what();
    EXPECT_EQ(e.where().key, key) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

// The synthesis file's optional register-file keys: read when present, 0 when absent, and the
// macro area must lie within the total it is included in.
TEST(RrUnitCosts, AreaFileRegisterFileKeys) {
  const auto with = parse_rr_unit_areas(
      "ranks:\n  4: {logic_area_um2: 100.5, cells: 10, flip_flops: 2, regfile_bits: 3680, regfile_area_um2: 40.25}\n",
      "a.yaml");
  EXPECT_DOUBLE_EQ(with.at(4).logic_area_um2, 100.5);
  EXPECT_EQ(with.at(4).regfile_bits, 3680u);
  EXPECT_DOUBLE_EQ(with.at(4).regfile_area_um2, 40.25);
  const auto without = parse_rr_unit_areas("ranks:\n  1: {logic_area_um2: 7, cells: 3, flip_flops: 1}\n", "a.yaml");
  EXPECT_EQ(without.at(1).regfile_bits, 0u);
  EXPECT_DOUBLE_EQ(without.at(1).regfile_area_um2, 0.0);
  try {
    parse_rr_unit_areas("ranks:\n  2: {logic_area_um2: 7, cells: 3, flip_flops: 1, regfile_area_um2: 8}\n", "a.yaml");
    ADD_FAILURE() << "regfile_area_um2 above logic_area_um2 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().key, "ranks.2.regfile_area_um2");
    EXPECT_NE(std::string(e.what()).find("included"), std::string::npos) << e.what();
  }
  // the committed file carries them for every synthesized rank
  for (const auto& [rank, a] : parse_rr_unit_areas(read_source_file("configs/rank_reduce_area.yaml"), "area")) {
    EXPECT_GT(a.regfile_bits, 0u) << rank;
    EXPECT_GT(a.regfile_area_um2, 0.0) << rank;
    EXPECT_LT(a.regfile_area_um2, a.logic_area_um2) << rank;
  }
}

TEST(RrUnitCosts, MalformedTablesNameFileLineAndKey) {
  // A valid file to break: the built-in one.
  const std::string good = builtin_rr_unit_costs_text();
  EXPECT_NO_THROW(parse_rr_unit_costs(good, "t.yaml"));
  expect_input_error("prices_pj: {}\nranks: {}\nextra: 1\n", 3, "extra", "unknown key");
  expect_input_error("ranks: {}\n", 1, "prices_pj", "missing");
  std::string bad_price = good;
  const size_t p = bad_price.find("  div_ops: ");
  ASSERT_NE(p, std::string::npos);
  bad_price.replace(p, 11, "  div_ops: -");
  const int price_line = 1 + static_cast<int>(std::count(good.begin(), good.begin() + static_cast<long>(p), '\n'));
  expect_input_error(bad_price, price_line, "prices_pj.div_ops", "expected a finite number >= 0");
  std::string bad_rank = good;
  const size_t r = bad_rank.find("\n  1:\n");
  ASSERT_NE(r, std::string::npos);
  bad_rank.replace(r, 6, "\n  9:\n");
  expect_input_error(bad_rank, 1 + static_cast<int>(std::count(good.begin(), good.begin() + static_cast<long>(r) + 1, '\n')),
                     "ranks.9", "expected a rank 1..8");
  std::string bad_feature = good;
  const size_t f = bad_feature.find("cycles: {1: ");
  ASSERT_NE(f, std::string::npos);
  bad_feature.replace(f, 12, "cycles: {x: ");
  expect_input_error(bad_feature, 1 + static_cast<int>(std::count(good.begin(), good.begin() + static_cast<long>(f), '\n')),
                     "ranks.1.biased.zero_input.cycles.x", "unknown feature");
  expect_input_error("prices_pj: [\n", 2, "", "YAML syntax");
}

TEST(RrUnitCosts, OutOfRangeQueriesThrow) {
  const RrUnitCostTable& t = builtin_rr_unit_costs();
  RrPairOutcome o;
  o.kept = 1;
  EXPECT_THROW(t.pair_cost(9, false, 4, 4, o), std::invalid_argument);
  EXPECT_THROW(t.pair_cost(1, false, 0, 4, o), std::invalid_argument);
  EXPECT_THROW(t.pair_cost(1, false, 4, 16385, o), std::invalid_argument);
  o.kept = 2;
  EXPECT_THROW(t.pair_cost(1, true, 4, 4, o), std::invalid_argument);
}

}  // namespace
}  // namespace lrt::hw
