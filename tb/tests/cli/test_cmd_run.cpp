// lrtsim run end to end on a generated data set: the result files and the consistency of
// their fields, determinism, learning above chance, interruption, and exit code 2 for each
// class of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/csv.h"
#include "core/interrupt.h"
#include "run_fixture.h"

namespace lrt::cli {
namespace {

using namespace run_testing;
using nlohmann::json;

class CmdRun : public PretrainedSuite<CmdRun> {
 public:
  static constexpr const char* kName = "run";
};

TEST_F(CmdRun, WritesConsistentResults) {
  const std::string dir = out("results");
  const CliResult r = run({"run", s().config, "--out", dir, "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json sum = json::parse(read_file(dir + "/summary.json"));
  EXPECT_EQ(sum["engine"], "golden");
  EXPECT_EQ(sum["samples"], 600);
  EXPECT_EQ(sum["interrupted"], false);
  // writes.density is total / cells / samples, computed in that order.
  const uint64_t total = sum["writes"]["total"], cells = sum["writes"]["cells"];
  EXPECT_EQ(cells, 4u * 9u + 4u * 100u);  // conv 4 x (3*3*1) + fc 4 x (5*5*4)
  EXPECT_EQ(sum["writes"]["density"].get<double>(),
            static_cast<double>(total) / static_cast<double>(cells) / 600.0);
  EXPECT_EQ(sum["writes"]["mean_per_cell"].get<double>(), static_cast<double>(total) / static_cast<double>(cells));
  EXPECT_GT(total, 0u);  // LRT applied updates
  EXPECT_LE(sum["writes"]["max_per_cell"].get<uint64_t>(), 600u / 10u);  // at most one write per batch of 10
  EXPECT_EQ(sum["weights_digest"].get<std::string>().size(), 16u);
  for (const char* k : {"online_ema", "last_500"}) {
    const double a = sum["accuracy"][k];
    EXPECT_TRUE(a >= 0.0 && a <= 1.0) << k;
  }

  // trace.csv: header + one row per 100 samples; the last row is the summary's state.
  const auto rows = csv_rows(read_file(dir + "/trace.csv"));
  ASSERT_EQ(rows.size(), 7u);
  // The run's columns, then per trainable layer (conv 0, fc 4) its own (golden: no energy).
  EXPECT_EQ(rows[0], (std::vector<std::string>{"sample", "accuracy_online_ema", "accuracy_last_500",
                                               "writes_max_per_cell", "writes_mean_per_cell", "writes_total",
                                               "writes_max_per_cell_layer0", "writes_total_layer0",
                                               "writes_max_per_cell_layer4", "writes_total_layer4"}));
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][0], std::to_string(100 * i));
  const auto& last = rows.back();
  EXPECT_EQ(std::stod(last[1]), sum["accuracy"]["online_ema"].get<double>());
  EXPECT_EQ(std::stod(last[2]), sum["accuracy"]["last_500"].get<double>());
  EXPECT_EQ(std::stoull(last[3]), sum["writes"]["max_per_cell"].get<uint64_t>());
  EXPECT_EQ(std::stoull(last[5]), total);
  // last_500 over 500 samples is a multiple of 1/500.
  EXPECT_EQ(std::fmod(std::stod(last[2]) * 500.0, 1.0), 0.0);

  // config.yaml is the effective configuration: it loads to the same hash.
  EXPECT_EQ(config::config_hash(config::load_specs(dir + "/config.yaml")),
            config::config_hash(config::load_specs(s().config)));
  EXPECT_EQ(sum["config_hash"], config::hash_hex(config::config_hash(config::load_specs(s().config))));
  const json host = json::parse(read_file(dir + "/host.json"));
  EXPECT_TRUE(host.contains("wall_seconds") && host.contains("samples_per_second"));
}

TEST_F(CmdRun, SameSeedGivesIdenticalFilesAndAnotherSeedDoesNot) {
  for (const char* name : {"det_a", "det_b"})
    ASSERT_EQ(run({"run", s().config, "--out", out(name), "--force", "--samples", "300"}).code, 0);
  ASSERT_EQ(run({"run", s().config, "--out", out("det_c"), "--force", "--samples", "300", "--seed", "9"}).code, 0);
  for (const char* file : {"/summary.json", "/trace.csv", "/config.yaml"})
    EXPECT_EQ(read_file(out("det_a") + file), read_file(out("det_b") + file)) << file;
  const json a = json::parse(read_file(out("det_a") + "/summary.json"));
  const json c = json::parse(read_file(out("det_c") + "/summary.json"));
  EXPECT_NE(a["weights_digest"], c["weights_digest"]);  // other samples, other updates
}

TEST_F(CmdRun, OnlineTrainingLearnsFromAnUntrainedModel) {
  // A model pretrained on one sample knows nothing; 1,500 online LRT samples must teach it.
  // 4 classes: chance is 0.25. Hoeffding over the last 500 samples: a learner stuck at
  // chance reaches >= 0.5 with probability <= exp(-2 * 500 * 0.25^2) = e^-62.5.
  const std::string model = out("untrained.ckpt");
  ASSERT_EQ(run({"pretrain", s().config, "--out", model, "--force", "--samples", "1"}).code, 0);
  const std::string dir = out("learn");
  const CliResult r =
      run({"run", s().config, "--out", dir, "--force", "--samples", "1500", "--set", "run.model=" + model});
  ASSERT_EQ(r.code, 0) << r.err;
  const json sum = json::parse(read_file(dir + "/summary.json"));
  const auto rows = csv_rows(read_file(dir + "/trace.csv"));
  EXPECT_GE(sum["accuracy"]["last_500"].get<double>(), 0.5) << read_file(dir + "/trace.csv");
  // ... and it started near chance: the first 100 samples' EMA is below the final window.
  EXPECT_LT(std::stod(rows[1][1]), sum["accuracy"]["last_500"].get<double>());
}

TEST_F(CmdRun, InterruptedRunWritesAPartialSummary) {
  request_stop();  // as SIGINT would, before the first sample boundary
  const CliResult r = run({"run", s().config, "--out", out("stopped"), "--force"});
  clear_stop_request();
  EXPECT_EQ(r.code, 1);  // no signal number: 1 (after SIGINT it is 130)
  const json sum = json::parse(read_file(out("stopped") + "/summary.json"));
  EXPECT_EQ(sum["interrupted"], true);
  EXPECT_EQ(sum["samples"], 0);
  EXPECT_TRUE(contains(r.err, "interrupted")) << r.err;
}

TEST_F(CmdRun, BadInputsExitWith2) {
  const auto expect_bad = [&](std::vector<std::string> args, std::initializer_list<const char*> parts) {
    args.insert(args.begin(), {"run", s().config});
    const CliResult r = run(args);
    EXPECT_EQ(r.code, 2) << r.err;
    for (const char* p : parts) EXPECT_TRUE(contains(r.err, p)) << "missing '" << p << "' in: " << r.err;
  };
  expect_bad({"--out", out("bad"), "--set", "run.model=" + s().dir + "/none.ckpt"},
             {"run.model", "does not exist", "lrtsim pretrain"});
  expect_bad({"--out", out("bad"), "--set", "run.trace_every=0"}, {"run.trace_every", "out of range"});
  // What the TLM engine cannot cost is refused before anything is elaborated.
  expect_bad({"--out", out("bad"), "--engine", "tlm", "--set", "accel.rank_reduce.arith=float"},
             {"accel.rank_reduce.arith", "expected fixed"});
  expect_bad({"--out", out("bad"), "--engine", "tlm", "--set", "train.fc.scheme=uoro"},
             {"train.fc.scheme", "uoro"});
  expect_bad({"--out", out("bad"), "--vcd", out("trace.vcd")}, {"--vcd", "--engine tlm"});
  expect_bad({"--out", out("bad"), "--samples", "5000"}, {"run.samples", "data.split.online_samples"});

  // A checkpoint of another network: the section and both sizes.
  const std::string other = out("other.ckpt");
  ASSERT_EQ(run({"pretrain", s().config, "--out", other, "--force", "--samples", "1", "--set",
                 "network.layers=[conv3x3 2, maxpool2, fc 4]"})
                .code,
            0);
  expect_bad({"--out", out("bad"), "--set", "run.model=" + other},
             {"network.layers", "holds 3 layers", "has 5 layers"});
  EXPECT_FALSE(std::filesystem::exists(out("bad")));  // refused before any result was written

  // An occupied --out is refused without --force and reused with it.
  ASSERT_EQ(run({"run", s().config, "--out", out("occupied"), "--force", "--samples", "10"}).code, 0);
  expect_bad({"--out", out("occupied"), "--samples", "10"}, {"already holds results", "--force"});
  EXPECT_EQ(run({"run", s().config, "--out", out("occupied"), "--samples", "10", "--force"}).code, 0);
}

}  // namespace
}  // namespace lrt::cli
