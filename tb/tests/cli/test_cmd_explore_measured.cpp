// lrtsim explore with measured points (`simulate:`): the closed form and the measured runs
// agree where the model says they must (exactly, or as the bound the model states), --jobs
// changes nothing, a crashed point loses no other point, and a rerun runs only what is left.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "run_fixture.h"
#include "tlm/rank_reduce_unit.h"

namespace lrt::cli {
namespace {

using run_testing::contains;
using run_testing::read_file;

// Rows of points.csv as column -> value maps.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& path) {
  std::stringstream in(read_file(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::stringstream h(line); std::getline(h, line, ',');) header.push_back(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::map<std::string, std::string> row;
    std::stringstream f(line);
    std::string cell;
    for (const auto& name : header) {
      std::getline(f, cell, ',');
      row[name] = cell;
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::string> simulated_lines(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(read_file(path));
  for (std::string line; std::getline(in, line);)
    if (contains(line, ",simulated,")) out.push_back(line);
  return out;
}

double d(const std::map<std::string, std::string>& row, const std::string& key) { return std::stod(row.at(key)); }

class CmdExploreMeasured : public run_testing::PretrainedSuite<CmdExploreMeasured> {
 public:
  static constexpr const char* kName = "explore_measured";

 protected:
  // A network of one fc layer 144 -> 4 on the tiny data set, pretrained once.
  static std::string fc_config() {
    const std::string path = s().dir + "/fc_only.yaml";
    if (!std::ifstream(path).good()) {
      std::string text = run_testing::config_text(s().dir, s().dir + "/fc_only.ckpt");
      const std::string from = "[conv3x3 4, maxpool2, relu, batchnorm, fc 4]", to = "[fc 4]";
      text.replace(text.find(from), from.size(), to);
      std::ofstream(path, std::ios::binary) << text;
      const auto r = run_testing::run({"pretrain", path, "--out", s().dir + "/fc_only.ckpt", "--force"});
      EXPECT_EQ(r.code, 0) << r.err;
    }
    return path;
  }
  static std::string sweep(const std::string& name, const std::string& extra = {}) {
    const std::string path = s().dir + "/" + name + ".yaml";
    std::ofstream(path, std::ios::binary) << "layer: {name: fc, n_o: 4, n_i: 144}\n"
                                             "algorithms: [online, naive_batch, batch_sram, lrt]\n"
                                             "batches: [10, 30]\nranks: [2]\nacc_bits: 32\n"
                                             "technology: {rank_reduce_logic_area_um2: 1000}\n"
                                             "simulate: {config: " + fc_config() + ", samples: 300}\n" + extra;
    return path;
  }
  static testing::CliResult explore(const std::vector<std::string>& args) {
    std::vector<std::string> all{"explore"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--lrtsim", LRTSIM_BINARY});
    return run_testing::run(all);
  }
};

TEST_F(CmdExploreMeasured, MeasuredRunsAgreeWithTheClosedFormWhereItIsExactAndRespectItsBounds) {
  const auto out = this->out("agree");
  const auto r = explore({sweep("agree"), "--out", out, "--force", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "7 points, 5/5 measured")) << r.out;  // batch_sram has no measured counterpart
  std::map<std::string, std::map<std::string, std::string>> closed, measured;
  for (const auto& row : csv_rows(out + "/points.csv"))
    (row.at("source") == "closed_form" ? closed : measured)[row.at("point")] = row;
  ASSERT_EQ(measured.size(), 5u);
  for (const auto& [point, m] : measured) {
    const auto& c = closed.at(point);
    SCOPED_TRACE(c.at("algorithm") + " B=" + c.at("batch"));
    EXPECT_EQ(m.at("samples"), "300");
    // The weights' RRAM: both N b_w A_R with binary cells (the run's accel defaults).
    EXPECT_EQ(m.at("rram_area_um2"), c.at("rram_area_um2"));
    // Auxiliary memory. Online: none in either. Naive batch: the n_o x n_i accumulator of
    // 32-bit words (acc_bits: 32 is the TLM model's width): exact. LRT: both count the unit's
    // SRAM (hw::rr_unit_memory: basis, metadata, scratch); the accelerator also holds the pair
    // buffer dz, a (int16 codes): exactly that much more.
    const double extra = c.at("algorithm") == "lrt" ? (4 + 144) * 16.0 : 0.0;
    EXPECT_EQ(d(m, "aux_bits"), d(c, "aux_bits") + extra);
    // Write density: the closed form is the worst case (every cell reprogrammed at every
    // update, one update per B samples). A measured cell is programmed at most once per
    // update and updates are at least B samples apart (the density gate only delays them),
    // so the measured rho^-1, worst cell and mean, can only be larger.
    EXPECT_GE(d(m, "worst_cell_inv_write_density"), d(c, "worst_cell_inv_write_density"));
    EXPECT_GE(d(m, "inv_write_density"), d(m, "worst_cell_inv_write_density"));
    EXPECT_GT(d(m, "energy_per_sample_pj"), 0.0);
    EXPECT_GT(d(m, "energy_leakage_pj"), 0.0);  // the TLM run's SRAM leaks over its simulated time
    EXPECT_EQ(c.at("energy_leakage_pj"), "");   // the closed form has no time
    EXPECT_NEAR(d(m, "energy_per_sample_pj"),
                d(m, "energy_read_pj") + d(m, "energy_write_pj") + d(m, "energy_compute_pj") +
                    d(m, "energy_leakage_pj"),
                1e-9 * d(m, "energy_per_sample_pj"));
    EXPECT_GE(d(m, "accuracy_online_ema"), 0.0);
    EXPECT_LE(d(m, "accuracy_online_ema"), 1.0);
  }
  EXPECT_TRUE(contains(read_file(out + "/summary.json"), "\"finished\": 5")) << read_file(out + "/summary.json");
}

TEST_F(CmdExploreMeasured, JobsDoNotChangeAnyResult) {
  const auto one = this->out("jobs1"), two = this->out("jobs2");
  ASSERT_EQ(explore({sweep("jobs"), "--out", one, "--force", "--jobs", "1"}).code, 0);
  ASSERT_EQ(explore({sweep("jobs"), "--out", two, "--force", "--jobs", "3"}).code, 0);
  EXPECT_EQ(read_file(one + "/points.csv"), read_file(two + "/points.csv"));
}

TEST_F(CmdExploreMeasured, ACrashedPointLosesNoOtherPointAndARerunRunsOnlyIt) {
  const auto clean = this->out("crash_clean"), out = this->out("crash");
  ASSERT_EQ(explore({sweep("crash"), "--out", clean, "--force", "--jobs", "2"}).code, 0);
  // A stand-in executable that dies by SIGSEGV for point 5 and runs lrtsim for the others.
  const std::string wrapper = s().dir + "/crash_point_5.sh";
  std::ofstream(wrapper) << "#!/bin/sh\ncase \"$*\" in *crash/points/5/*) kill -SEGV $$;; esac\nexec " << LRTSIM_BINARY
                         << " \"$@\"\n";
  ASSERT_EQ(::chmod(wrapper.c_str(), 0755), 0);
  auto r = run_testing::run({"explore", sweep("crash"), "--out", out, "--force", "--jobs", "2", "--lrtsim", wrapper});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "point 5 failed: killed by signal 11")) << r.err;
  EXPECT_TRUE(contains(read_file(out + "/summary.json"), "\"problem\": \"killed by signal 11")) << read_file(out + "/summary.json");
  auto lines = simulated_lines(out + "/points.csv");
  auto expected = simulated_lines(clean + "/points.csv");
  ASSERT_EQ(expected.size(), 5u);
  ASSERT_EQ(lines.size(), 4u);
  for (const auto& line : lines) EXPECT_NE(std::find(expected.begin(), expected.end(), line), expected.end()) << line;
  // The rerun (no --force) keeps the four finished runs and runs point 5 only.
  r = explore({sweep("crash"), "--out", out, "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "4 finished before, 1 to run")) << r.err;
  EXPECT_EQ(simulated_lines(out + "/points.csv"), expected);
  // A third run has nothing left to do.
  r = explore({sweep("crash"), "--out", out});
  EXPECT_TRUE(contains(r.err, "5 finished before, 0 to run")) << r.err;
}

TEST_F(CmdExploreMeasured, ADifferentSweepInTheSameDirectoryIsRefusedUnlessForced) {
  const auto out = this->out("changed");
  ASSERT_EQ(explore({sweep("changed_a"), "--out", out, "--force"}).code, 0);
  const auto r = explore({sweep("changed_b", "ranks: [3]\n"), "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "different sweep")) << r.err;
  EXPECT_EQ(explore({sweep("changed_b", "ranks: [3]\n"), "--out", out, "--force"}).code, 0);
}

TEST_F(CmdExploreMeasured, WhatARunCannotMeasureIsRefusedUpFrontWithFileAndLine) {
  const auto check = [&](const std::string& name, const std::string& sim, const std::string& where,
                         const std::string& why) {
    const std::string path = s().dir + "/" + name + ".yaml";
    std::ofstream(path, std::ios::binary) << "layer: {name: fc, n_o: 4, n_i: 144}\nalgorithms: [online, lrt]\n"
                                             "batches: [10]\n" + sim;
    const auto r = explore({path, "--out", s().dir + "/" + name + "_out", "--force"});
    EXPECT_EQ(r.code, 2) << name;
    EXPECT_TRUE(contains(r.err, path + where)) << name << ": " << r.err;
    EXPECT_TRUE(contains(r.err, why)) << name << ": " << r.err;
  };
  const std::string cfg = fc_config();
  check("sim_sample_store", "simulate: {config: " + cfg + ", algorithms: [batch_sram]}\n", ":4: simulate.algorithms",
        "no measured counterpart");
  check("sim_wrong_network", "simulate: {config: " + s().config + "}\n", ":4: simulate.config", "same layers");
  check("sim_bits", "weight_bits: [4]\nsimulate: {config: " + cfg + "}\n", ":5: simulate", "whose weights are 8 bits");
  check("sim_engine", "simulate: {config: " + cfg + ", engine: rtl}\n", ":4: simulate.engine", "tlm or golden");
  check("sim_tech_axis", "technology: {mac_pj: [1, 2]}\nsimulate: {config: " + cfg + "}\n", ":5: simulate",
        "technology axis");
}

TEST_F(CmdExploreMeasured, ANetworkSweepAddsATotalPerCombinationAndMeasuresIt) {
  // The tiny conv + fc network: conv 4 x 9 with 100 pairs per sample (10 x 10 pixels), fc 4 x 100.
  const std::string path = s().dir + "/network.yaml";
  std::ofstream(path, std::ios::binary) << "network: " << s().config
                                        << "\nalgorithms: [naive_batch, lrt]\nbatches: [10]\nranks: [2]\n"
                                           "acc_bits: 32\ntechnology: {rank_reduce_logic_area_um2: 1000}\n"
                                           "simulate: {samples: 200}\n";
  const auto out = this->out("network");
  const auto r = explore({path, "--out", out, "--force", "--jobs", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = csv_rows(out + "/points.csv");
  ASSERT_EQ(rows.size(), 3u * 2u + 2u);  // (conv, fc, total) per algorithm + the two measured totals
  const auto& conv = rows[3], &fc = rows[4], &total = rows[5];
  EXPECT_EQ(conv.at("layer"), "conv0");
  EXPECT_EQ(conv.at("pairs_per_sample"), "100");
  EXPECT_EQ(fc.at("layer"), "fc4");
  EXPECT_EQ(total.at("layer"), "total");
  // One shared rank-reduce unit (the default): its logic and its scratch once (the larger
  // layer's), its cycles added; scratch words ceil(n_o/2) + ceil(n_i/2): conv 2 + 5, fc 2 + 50.
  const double conv_scratch = 64.0 * (2 + 5);
  EXPECT_EQ(d(total, "aux_bits"), d(conv, "aux_bits") + d(fc, "aux_bits") - conv_scratch);  // fc's 52 words stay
  EXPECT_EQ(d(total, "logic_area_um2"), d(fc, "logic_area_um2"));
  EXPECT_EQ(d(total, "rank_reduce_cycles"), d(conv, "rank_reduce_cycles") + d(fc, "rank_reduce_cycles"));
  EXPECT_EQ(d(total, "rram_area_um2"), d(conv, "rram_area_um2") + d(fc, "rram_area_um2"));
  EXPECT_EQ(d(total, "energy_per_sample_pj"), d(conv, "energy_per_sample_pj") + d(fc, "energy_per_sample_pj"));
  EXPECT_EQ(d(total, "lifetime_samples"), std::min(d(conv, "lifetime_samples"), d(fc, "lifetime_samples")));
  // The measured totals: same weights' RRAM; naive batch's accumulators exactly.
  const auto& m_naive = rows[6], &m_lrt = rows[7];
  EXPECT_EQ(m_naive.at("source"), "simulated");
  EXPECT_EQ(m_naive.at("rram_area_um2"), rows[2].at("rram_area_um2"));
  EXPECT_EQ(d(m_naive, "aux_bits"), d(rows[2], "aux_bits"));
  EXPECT_EQ(m_lrt.at("rram_area_um2"), total.at("rram_area_um2"));
  EXPECT_GE(d(m_lrt, "worst_cell_inv_write_density"), 10.0);
  // The accelerator holds the same unit SRAM (one shared scratch) plus the two pair buffers.
  EXPECT_EQ(d(m_lrt, "aux_bits"), d(total, "aux_bits") + (4 + 9) * 16.0 + (4 + 100) * 16.0);
  EXPECT_GT(d(m_lrt, "rank_reduce_cycles"), 0.0);

  // One unit per layer: everything adds, the slower layer's unit sets the cycles.
  const std::string per_layer = s().dir + "/network_per_layer.yaml";
  std::ofstream(per_layer, std::ios::binary) << "network: " << s().config
                                             << "\nalgorithms: [lrt]\nbatches: [10]\nranks: [2]\n"
                                                "technology: {rank_reduce_logic_area_um2: 1000}\n"
                                                "rank_reduce: {units: per_layer}\n";
  const auto out2 = this->out("network_per_layer");
  ASSERT_EQ(explore({per_layer, "--out", out2, "--force"}).code, 0);
  const auto rows2 = csv_rows(out2 + "/points.csv");
  ASSERT_EQ(rows2.size(), 3u);
  const auto &c2 = rows2[0], &f2 = rows2[1], &t2 = rows2[2];
  EXPECT_EQ(d(c2, "aux_bits"), d(conv, "aux_bits"));  // a layer's own row does not depend on sharing
  EXPECT_EQ(d(t2, "aux_bits"), d(c2, "aux_bits") + d(f2, "aux_bits"));
  EXPECT_EQ(d(t2, "logic_area_um2"), d(c2, "logic_area_um2") + d(f2, "logic_area_um2"));
  EXPECT_EQ(d(t2, "rank_reduce_cycles"), std::max(d(c2, "rank_reduce_cycles"), d(f2, "rank_reduce_cycles")));
  EXPECT_NEAR(d(t2, "aux_area_um2") - d(total, "aux_area_um2"), conv_scratch * 0.242 + d(c2, "logic_area_um2"),
              1e-9 * d(t2, "aux_area_um2"));
}

}  // namespace
}  // namespace lrt::cli
