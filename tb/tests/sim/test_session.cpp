// sim::Session as a library: a run of N samples on in-memory data and an untrained model, its
// results against the engine's state, determinism, checkpoint/resume against an uninterrupted
// run, and the refusals that name their configuration key. The golden engine only: a process
// elaborates one TLM design, and the TLM engine's runs are tested through lrtsim (tb/tests/cli).
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"
#include "data/synthetic_data.h"
#include "golden/training/model_io.h"
#include "sim/session.h"
#include "tiny_run.h"

namespace lrt::sim {
namespace {

// The untrained model of the configuration (as `lrtsim pretrain --samples 0` writes it).
CheckpointSource untrained_model(const config::Specs& specs) {
  return [specs] {
    const auto engine = config::make_engine(config::network_spec(specs), config::pretrain_specs(specs));
    return Checkpoint::parse(golden::model_checkpoint(*engine, config::config_hash(specs), 0).serialize(), "model");
  };
}

std::unique_ptr<Session> deploy(const config::Specs& specs, const SessionOptions& options = {}) {
  return Session::deploy(specs, options, untrained_model(specs), tiny_data());
}

size_t lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

TEST(Session, RunOfNSamplesReportsThem) {
  const auto session = deploy(tiny_specs(90));
  const RunResult r = session->run();
  EXPECT_EQ(r.first_sample, 0u);
  EXPECT_EQ(r.done, 90u);
  EXPECT_FALSE(r.interrupted);
  const auto j = nlohmann::json::parse(r.summary_json);
  EXPECT_EQ(j["engine"], "golden");
  EXPECT_EQ(j["samples"], 90);
  EXPECT_EQ(j["interrupted"], false);
  EXPECT_EQ(j["seed"], 3);
  EXPECT_GT(j["writes"]["total"].get<uint64_t>(), 0u);  // conv and fc updates happened
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(session->engine().weights_digest()));
  EXPECT_EQ(j["weights_digest"], digest);
  // Header, the rows at 20, 40, 60, 80 and the final row at 90.
  EXPECT_EQ(lines(r.trace_csv), 6u);
  EXPECT_EQ(r.trace_csv.rfind("\n90,", r.trace_csv.size() - 2) != std::string::npos, true);
  EXPECT_EQ(nlohmann::json::parse(r.cell_writes_json)["layers"].size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(r.host_json).count("wall_seconds"), 1u);
}

TEST(Session, SameConfigurationSameResults) {
  const RunResult a = deploy(tiny_specs(70))->run();
  const RunResult b = deploy(tiny_specs(70), SessionOptions{"golden", false, "", 2, 0, false})->run();
  EXPECT_EQ(a.summary_json, b.summary_json);  // also on two threads
  EXPECT_EQ(a.trace_csv, b.trace_csv);
  EXPECT_EQ(a.cell_writes_json, b.cell_writes_json);
  const RunResult c = deploy(tiny_specs(70, {"run.seed=4"}))->run();
  EXPECT_NE(a.trace_csv, c.trace_csv);
}

TEST(Session, StoppedAndResumedEqualsUninterrupted) {
  const config::Specs specs = tiny_specs(110);
  const RunResult whole = deploy(specs)->run();

  // Stopped after 47 samples: a checkpoint at the stop, then continued from it.
  std::vector<std::vector<uint8_t>> saved;
  uint64_t asked = 0;
  RunHooks hooks;
  hooks.stop = [&asked] { return asked++ == 47; };
  hooks.checkpoint = [&saved](const CheckpointWriter& w) { saved.push_back(w.serialize()); };
  const RunResult first = deploy(specs)->run(hooks);
  EXPECT_TRUE(first.interrupted);
  EXPECT_EQ(first.done, 47u);
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(first.summary_json)["interrupted"], true);

  const auto resumed =
      Session::resume(specs, {}, [&saved] { return Checkpoint::parse(saved.back(), "ck"); }, {}, tiny_data());
  EXPECT_EQ(resumed->samples_done(), 47u);
  const RunResult rest = resumed->run();
  EXPECT_EQ(rest.first_sample, 47u);
  EXPECT_EQ(rest.done, 110u);
  EXPECT_EQ(rest.summary_json, whole.summary_json);
  EXPECT_EQ(rest.trace_csv, whole.trace_csv);
  EXPECT_EQ(rest.cell_writes_json, whole.cell_writes_json);
}

TEST(Session, CheckpointsEveryNAndAtAnUnevenEnd) {
  SessionOptions options;
  options.checkpoint_every = 30;
  std::vector<uint64_t> at;
  RunHooks hooks;
  const auto session = deploy(tiny_specs(100), options);
  hooks.checkpoint = [&](const CheckpointWriter&) { at.push_back(session->samples_done()); };
  session->run(hooks);
  EXPECT_EQ(at, (std::vector<uint64_t>{30, 60, 90, 100}));
}

TEST(Session, ProgressAfterEverySample) {
  uint64_t calls = 0, last = 0;
  RunHooks hooks;
  hooks.progress = [&](uint64_t done, double ema) {
    ++calls;
    last = done;
    EXPECT_GE(ema, 0.0);
    EXPECT_LE(ema, 1.0);
  };
  deploy(tiny_specs(25))->run(hooks);
  EXPECT_EQ(calls, 25u);
  EXPECT_EQ(last, 25u);
}

TEST(Session, RefusalsNameTheirKey) {
  EXPECT_NE(refusal([] { deploy(tiny_specs(4000)); }).find("run.samples"), std::string::npos);
  EXPECT_NE(refusal([] { deploy(tiny_specs(10, {"network.input.h=14"})); }).find("network.input"),
            std::string::npos);
  EXPECT_NE(refusal([] { deploy(tiny_specs(10, {"accel.rank_reduce.impl=rtl"})); }).find("accel.rank_reduce.impl"),
            std::string::npos);
  // What only the images can refuse (100 + 50 + 200 sources of 300 images) names its key too.
  EXPECT_NE(refusal([] { deploy(tiny_specs(10, {"data.split.online_sources=200"})); })
                .find("data.split.online_sources: offline_train_sources + validation_sources + online_sources"),
            std::string::npos);
  SessionOptions vcd;
  vcd.vcd = "x.vcd";
  EXPECT_NE(refusal([&] { deploy(tiny_specs(10), vcd); }).find("--vcd"), std::string::npos);
  config::Specs no_model = tiny_specs(10);
  no_model.run.model = ::testing::TempDir() + "no_such_model.ckpt";
  const std::string missing =
      refusal([&] { Session::deploy(no_model, {}, model_file(no_model, "tiny.yaml"), tiny_data()); });
  EXPECT_NE(missing.find("run.model"), std::string::npos);
  EXPECT_NE(missing.find("lrtsim pretrain tiny.yaml"), std::string::npos);
}

TEST(Session, ResumeRefusesAnotherEngineAndAShorterRun) {
  const config::Specs specs = tiny_specs(40);
  std::vector<uint8_t> bytes;
  RunHooks hooks;
  hooks.stop = [n = 0]() mutable { return n++ == 30; };
  hooks.checkpoint = [&bytes](const CheckpointWriter& w) { bytes = w.serialize(); };
  deploy(specs)->run(hooks);
  const CheckpointSource ck = [&bytes] { return Checkpoint::parse(bytes, "ck"); };
  SessionOptions tlm;
  tlm.engine = "tlm";
  tlm.engine_given = true;
  EXPECT_NE(refusal([&] { Session::resume(specs, tlm, ck, {}, tiny_data()); }).find("--engine"), std::string::npos);
  EXPECT_NE(refusal([&] { Session::resume(tiny_specs(20), {}, ck, {}, tiny_data()); }).find("run.samples"),
            std::string::npos);
}

}  // namespace
}  // namespace lrt::sim
