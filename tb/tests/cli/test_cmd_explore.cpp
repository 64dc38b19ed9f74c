// lrtsim explore end to end: exit codes, the CSV header, a hand-checked row, refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <tuple>
#include <vector>

#include "cli_runner.h"
#include "hw/rr_unit_costs.h"
#include "hw/rr_unit_timing.h"

namespace lrt::cli {
namespace {

using testing::contains;
using testing::run_lrtsim;

std::string temp(const std::string& name) { return ::testing::TempDir() + "lrtsim_explore_" + name; }

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  return lines;
}

// A 3 x 5 layer with round technology numbers (binary fractions: every value is exact).
const std::string kSmallSweep =
    "layer: {name: tiny, n_o: 3, n_i: 5}\n"
    "algorithms: [online, batch_sram, lrt]\n"
    "batches: [1, 4]\n"
    "ranks: [2]\n"
    "technology:\n"
    "  rram_cell_area_um2: 0.5\n"
    "  sram_cell_area_um2: 0.25\n"
    "  rram_read_pj_per_bit: 1\n"
    "  rram_write_pj_per_cell: 2\n"
    "  sram_read_pj_per_bit: 0.5\n"
    "  sram_write_pj_per_bit: 0.25\n"
    "  mac_pj: 0.125\n"
    "  endurance_writes: 1000\n"
    "  rank_reduce_logic_area_um2: 10\n";

TEST(CmdExplore, WritesOneRowPerPointWithTheDocumentedColumns) {
  const auto sweep = write_text("small.yaml", kSmallSweep);
  const auto out = temp("small_out");
  const auto r = run_lrtsim({"explore", sweep, "--out", out, "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(read_text(out + "/points.csv"));
  // online: B = 1 only; batch_sram: B = 1, 4; lrt: B = 1, 4 (one rank) -> 5 points.
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "point,source,layer,algorithm,n_o,n_i,batch,rank,weight_bits,lr_bits,aux_memory,aux_bits,aux_sram_bits,"
            "aux_rram_bits,aux_area_um2,aux_sram_area_um2,aux_rram_area_um2,logic_area_um2,rram_area_um2,"
            "inv_write_density,worst_cell_inv_write_density,energy_read_pj,energy_write_pj,energy_compute_pj,"
            "energy_per_sample_pj,lifetime_samples,technology,pairs_per_sample,samples,accuracy_online_ema,"
            "accuracy_last_500,rank_reduce_cycles,energy_leakage_pj");
  // LRT at B = 4, rank 2 (unbiased), hand-computed (docs/exploration.md): the unit's SRAM is
  // 24 words = 1536 bits (packed: basis 9, metadata 10, scratch 5) -> 384 um2 + 10 logic; weights 120 cells x 0.5 = 60 um2; per pair the
  // RTL's full unbiased step c: reads 30 x 1 + (64 c.sram_reads + 64) x 0.5, writes 30 x 2 +
  // 64 c.sram_writes x 0.25, compute 11.25 x 0.125 + the unit's energy; lifetime 1000 x 4.
  hw::RrPairOutcome full;
  full.kept = 0;
  // every register-file write the data could cause: 4r coefficients, all 8 q(q-1)/2 Jacobi
  // visits rotated, a new running maximum on each of the r (n_o + n_i) rows
  full.gs_coefficients = 8;
  full.jacobi_rotations = 24;
  full.max_updates = 16;
  const hw::RrUnitPairCost c = hw::rr_unit_pair_cost(2, true, 3, 5, full);
  const double reads = 30 + (64.0 * static_cast<double>(c.sram_reads) + 64) * 0.5;
  const double writes = 60 + 64.0 * static_cast<double>(c.sram_writes) * 0.25;
  const double compute = 11.25 * 0.125 + hw::builtin_rr_unit_costs().compute_energy_pj(c);
  std::vector<std::string> f;
  std::stringstream row(lines[5]);
  for (std::string x; std::getline(row, x, ',');) f.push_back(x);
  ASSERT_EQ(f.size(), 32u) << lines[5];
  EXPECT_EQ(lines[5].substr(0, lines[5].find(",sram,")), "4,closed_form,tiny,lrt,3,5,4,2,8,16");
  EXPECT_EQ(std::vector<std::string>(f.begin() + 10, f.begin() + 21),
            (std::vector<std::string>{"sram", "1536", "1536", "0", "394", "384", "0", "10", "60", "4", "4"}));
  EXPECT_DOUBLE_EQ(std::stod(f[21]), reads);
  EXPECT_DOUBLE_EQ(std::stod(f[22]), writes);
  EXPECT_NEAR(std::stod(f[23]), compute, 1e-9 * compute);
  EXPECT_NEAR(std::stod(f[24]), reads + writes + compute, 1e-9 * compute);
  EXPECT_EQ(f[25], "4000");
  EXPECT_EQ(std::stod(f[31]), static_cast<double>(c.cycles));
  // online row: no aux, every cell every sample.
  EXPECT_EQ(lines[1], "0,closed_form,tiny,online,3,5,1,,8,,none,0,0,0,0,0,0,0,60,1,1,120,240,3.75,363.75,1000,0,1,,,,,");
  const std::string summary = read_text(out + "/summary.json");
  EXPECT_TRUE(contains(summary, "\"points\": 5")) << summary;
  EXPECT_TRUE(contains(summary, "\"8\": 60")) << summary;  // chip-area line for 8-bit weights
  EXPECT_EQ(read_text(out + "/sweep.yaml"), kSmallSweep);
}

TEST(CmdExplore, RefusesAnOccupiedDirectoryUnlessForced) {
  const auto sweep = write_text("occupied.yaml", kSmallSweep);
  const auto out = temp("occupied_out");
  ASSERT_EQ(run_lrtsim({"explore", sweep, "--out", out, "--force"}).code, 0);
  const std::string first = read_text(out + "/points.csv");
  // The same sweep again continues the directory (nothing to measure: the same points).
  ASSERT_EQ(run_lrtsim({"explore", sweep, "--out", out}).code, 0);
  EXPECT_EQ(read_text(out + "/points.csv"), first);
  // Results of something else (a run's summary, no sweep.yaml) are refused unless --force.
  const auto other = temp("occupied_other");
  std::filesystem::create_directories(other);
  std::ofstream(other + "/summary.json") << "{}\n";
  const auto r = run_lrtsim({"explore", sweep, "--out", other});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--force")) << r.err;
  EXPECT_EQ(run_lrtsim({"explore", sweep, "--out", other, "--force"}).code, 0);
}

TEST(CmdExplore, SimulateTrueOnALayerNeedsARunConfigurationAndExitsTwo) {
  const auto sweep = write_text("simulate.yaml", kSmallSweep + "simulate: true\n");
  const auto out = temp("simulate_out");
  const auto r = run_lrtsim({"explore", sweep, "--out", out, "--force"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, sweep + ":15: simulate")) << r.err;
  EXPECT_TRUE(contains(r.err, "needs a run configuration")) << r.err;
  EXPECT_FALSE(std::ifstream(out + "/points.csv").good());
}

TEST(CmdExplore, TechnologyListsAndLayerListsAreAxes) {
  // Two SRAM cell areas x two layers: the product, in order, with the technology index column.
  const auto sweep = write_text("axes.yaml",
                                "layers: [{name: a, n_o: 3, n_i: 5}, {name: b, n_o: 6, n_i: 10}]\n"
                                "algorithms: [lrt]\nbatches: [4]\nranks: [2]\n"
                                "technology: {sram_cell_area_um2: [0.25, 0.5], rank_reduce_logic_area_um2: 0}\n");
  const auto out = temp("axes_out");
  const auto r = run_lrtsim({"explore", sweep, "--out", out, "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(read_text(out + "/points.csv"));
  ASSERT_EQ(lines.size(), 5u);
  // The unit's SRAM (q = 3; four codes, two scratch values per word): a: basis 3 x (1 + 2) +
  // metadata 10 + scratch 2 + 3 = 24 words = 1536 bits; b: 3 x (2 + 3) + 10 + 3 + 5 = 33 words =
  // 2112 bits; area at 0.25 and 0.5 um2 per bit.
  EXPECT_TRUE(contains(lines[1], "0,closed_form,a,lrt,3,5,4,2,8,16,sram,1536,1536,0,384,")) << lines[1];
  EXPECT_TRUE(contains(lines[2], "1,closed_form,b,lrt,6,10,4,2,8,16,sram,2112,2112,0,528,")) << lines[2];
  EXPECT_TRUE(contains(lines[3], "2,closed_form,a,lrt,3,5,4,2,8,16,sram,1536,1536,0,768,")) << lines[3];
  EXPECT_TRUE(contains(lines[4], "3,closed_form,b,lrt,6,10,4,2,8,16,sram,2112,2112,0,1056,")) << lines[4];
  EXPECT_TRUE(contains(lines[4], ",1,1,,,,")) << lines[4];  // technology 1, one pair per sample
  const std::string summary = read_text(out + "/summary.json");
  EXPECT_TRUE(contains(summary, "\"sram_cell_area_um2\": 0.5")) << summary;
}

TEST(CmdExplore, LrtPointsTakeTheSynthesisedLogicAreaOfTheirRank) {
  const auto area = write_text("area.yaml", "ranks:\n  1: {logic_area_um2: 100, cells: 10, flip_flops: 2}\n"
                                            "  2: {logic_area_um2: 250.5, cells: 20, flip_flops: 4}\n");
  const auto sweep = write_text("with_area.yaml", "layer: {n_o: 3, n_i: 5}\nalgorithms: [batch_sram, lrt]\n"
                                                  "batches: [4]\nranks: [1, 2]\nlogic_area: " + area + "\n");
  const auto out = temp("with_area_out");
  const auto r = run_lrtsim({"explore", sweep, "--out", out, "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(read_text(out + "/points.csv"));
  ASSERT_EQ(lines.size(), 4u);
  // batch_sram has no rank-reduce logic; LRT: the unit's SRAM (r = 1: 18 words, r = 2: 24) x 64 bits x
  // 0.242 um2 + the logic area of the rank from the file.
  EXPECT_TRUE(contains(lines[1], ",batch_sram,3,5,4,,8,,sram,256,256,0,61.952,61.952,0,0,")) << lines[1];
  // (aux area = SRAM + logic, compared as numbers: 1152 x 0.242 + 100 is not exact in binary)
  for (const auto& [line, bits, sram, logic] :
       {std::tuple{lines[2], std::string("1152"), 278.784, 100.0}, std::tuple{lines[3], std::string("1536"), 371.712, 250.5}}) {
    std::vector<std::string> f;
    std::stringstream row(line);
    for (std::string x; std::getline(row, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 18u) << line;
    EXPECT_EQ(f[11], bits) << line;
    EXPECT_NEAR(std::stod(f[14]), sram + logic, 1e-9) << line;
    EXPECT_NEAR(std::stod(f[15]), sram, 1e-9) << line;
    EXPECT_EQ(std::stod(f[17]), logic) << line;
  }
  EXPECT_TRUE(contains(read_text(out + "/summary.json"), "\"2\": 250.5"));
  // A rank the file lacks, and both sources of the area at once, are refused.
  const auto missing = write_text("area_missing.yaml", "layer: {n_o: 3, n_i: 5}\nalgorithms: [lrt]\n"
                                                       "batches: [4]\nranks: [3]\nlogic_area: " + area + "\n");
  auto bad = run_lrtsim({"explore", missing, "--out", temp("area_missing_out"), "--force"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, missing + ":5: logic_area")) << bad.err;
  EXPECT_TRUE(contains(bad.err, "no synthesis result for rank 3 (it has ranks 1, 2)")) << bad.err;
  const auto both = write_text("area_both.yaml", "layer: {n_o: 3, n_i: 5}\nalgorithms: [lrt]\nbatches: [4]\n"
                                                 "ranks: [1]\ntechnology: {rank_reduce_logic_area_um2: 5}\n"
                                                 "logic_area: " + area + "\n");
  bad = run_lrtsim({"explore", both, "--out", temp("area_both_out"), "--force"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, "either logic_area or")) << bad.err;
}

TEST(CmdExplore, BadSweepFilesExitTwoWithFileLineAndKey) {
  const auto check = [](const std::string& name, const std::string& text, const std::string& where) {
    const auto path = write_text(name, text);
    const auto r = run_lrtsim({"explore", path, "--out", temp(name + "_out"), "--force"});
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_TRUE(contains(r.err, path + where)) << name << ": " << r.err;
  };
  const std::string head = "layer: {n_o: 3, n_i: 5}\nalgorithms: [lrt]\n";
  check("unknown_key.yaml", head + "batches: [4]\nbogus: 1\n", ":4: bogus");
  check("bad_algorithm.yaml", "layer: {n_o: 3, n_i: 5}\nalgorithms: [lrt, sgd]\nbatches: [4]\n", ":2: algorithms");
  check("zero_batch.yaml", head + "batches: [4, 0]\n", ":3: batches");
  check("negative_n.yaml", "layer: {n_o: -3, n_i: 5}\nalgorithms: [lrt]\nbatches: [4]\n", ":1: layer.n_o");
  check("bad_tech.yaml", head + "batches: [4]\ntechnology:\n  mac_pj: fast\n", ":5: technology.mac_pj");
  check("missing.yaml", head, ":1: batches");  // the line of the map that lacks it
  check("syntax.yaml", head + "batches: [4\n", ":");
  check("two_shapes.yaml", head + "batches: [4]\nlayers: [{n_o: 3, n_i: 5}]\n", ":1: layer");
  check("bad_tech_list.yaml", head + "batches: [4]\ntechnology: {mac_pj: [1, x]}\n", ":4: technology.mac_pj");
  check("no_network.yaml", "network: /nonexistent.yaml\nalgorithms: [lrt]\nbatches: [4]\n", ":1: network");
  check("sim_no_config.yaml", head + "batches: [4]\nsimulate: {samples: 10}\n", ":4: simulate.config");
  // A rank the model rejects (rank > min(n_o, n_i)) is bad input too.
  const auto path = write_text("big_rank.yaml", head + "batches: [4]\nranks: [9]\n");
  const auto r = run_lrtsim({"explore", path, "--out", temp("big_rank_out"), "--force"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "rank")) << r.err;
  EXPECT_EQ(run_lrtsim({"explore", "/nonexistent/sweep.yaml", "--out", temp("none_out")}).code, 2);
}

TEST(CmdExplore, TheFigure3ConfigCoversAllFiveAlgorithmsFromBOneToTenThousand) {
  const auto out = temp("fig3_out");
  const auto r = run_lrtsim({"explore", std::string(LRTSIM_SOURCE_DIR) + "/configs/explore_fig3.yaml", "--out",
                             out, "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(read_text(out + "/points.csv"));
  // 4 per decade over 4 decades = 17 batch sizes; online has 1 point; four others have 17 each.
  EXPECT_EQ(lines.size(), 1u + 1u + 4u * 17u);
  EXPECT_TRUE(contains(lines.back(), ",lrt,512,2048,10000,4,8,16,")) << lines.back();
}

// lrtsim unit-costs --pair-table prints the table explore reads, per rank and mode, for the
// costliest pair at one shape: every row's cycles, words and unit energy are the table's.
TEST(CmdUnitCosts, PairTableRowsAreTheCostTablesCostliestPair) {
  const std::string area = std::string(LRTSIM_SOURCE_DIR) + "/configs/rank_reduce_area.yaml";
  const auto r = run_lrtsim({"unit-costs", "--area", area, "--pair-table", "128", "1152"});
  ASSERT_EQ(r.code, 0) << r.err;
  const hw::RrUnitCostTable& t = hw::builtin_rr_unit_costs();
  int rows = 0;
  for (const auto& [rank, rc] : t.ranks)
    for (const bool unbiased : {false, true}) {
      const hw::RrUnitPairCost c =
          t.pair_cost(rank, unbiased, 128, 1152, hw::rr_full_step_outcome(rank, unbiased, 128, 1152));
      std::ostringstream unit;
      unit << std::fixed << std::setprecision(1) << t.compute_energy_pj(c) / 1000.0;
      const std::string row = "| " + std::to_string(rank) + " | " + (unbiased ? "unbiased" : "biased") + " | " +
                              std::to_string(c.cycles) + " | " + std::to_string(c.sram_reads) + " / " +
                              std::to_string(c.sram_writes) + " | ";
      EXPECT_TRUE(contains(r.out, row)) << row;
      EXPECT_TRUE(contains(r.out, " | " + unit.str() + " |\n")) << unit.str();
      ++rows;
    }
  EXPECT_EQ(rows, 16);
  // The costliest pair bounds every quantity: a pair with fewer writes costs less.
  hw::RrPairOutcome fewer = hw::rr_full_step_outcome(4, false, 128, 1152);
  fewer.jacobi_rotations = 3;
  EXPECT_LT(t.pair_cost(4, false, 128, 1152, fewer).rf_write_bits,
            t.pair_cost(4, false, 128, 1152, hw::rr_full_step_outcome(4, false, 128, 1152)).rf_write_bits);
  const auto bad = run_lrtsim({"unit-costs", "--area", area, "--pair-table", "0", "5"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.err, "--pair-table")) << bad.err;
}

}  // namespace
}  // namespace lrt::cli
