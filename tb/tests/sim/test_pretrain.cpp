// sim::pretrain as a library: N samples on in-memory data give a model whose digest does not
// depend on the GEMM threads and equals a golden engine trained by hand on the same stream;
// 0 samples give the untrained model (no validation pass); a stop ends the run without a
// model; no offline samples is refused at its key.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "config/config.h"
#include "core/error.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"
#include "sim/pretrain.h"
#include "tiny_run.h"

namespace lrt::sim {
namespace {

uint64_t digest_of(const CheckpointWriter& model, const config::Specs& specs) {
  auto engine = config::make_engine(config::network_spec(specs), config::pretrain_specs(specs));
  golden::load_model(Checkpoint::parse(model.serialize(), "model"), *engine);
  return engine->weights_digest();
}

TEST(Pretrain, TrainsTheOfflineStreamAsTheEngineDoesByHand) {
  const config::Specs specs = tiny_specs(1);
  uint64_t progress_calls = 0;
  PretrainHooks hooks;
  hooks.progress = [&](uint64_t done, double recent) {
    ++progress_calls;
    EXPECT_EQ(done % 1000, 0u);
    EXPECT_GE(recent, 0.0);
    EXPECT_LE(recent, 1.0);
  };
  const PretrainResult one = pretrain(specs, 2500, 1, hooks, tiny_data());
  EXPECT_EQ(one.samples, 2500u);
  EXPECT_FALSE(one.interrupted);
  EXPECT_EQ(progress_calls, 2u);
  ASSERT_TRUE(one.model.has_value());
  ASSERT_TRUE(one.validation.has_value());
  EXPECT_EQ(one.validation_samples, 200u);
  EXPECT_GT(*one.validation, 0.25);  // better than chance on 4 classes

  const PretrainResult two = pretrain(specs, 2500, 2, {}, tiny_data());
  EXPECT_EQ(digest_of(*two.model, specs), digest_of(*one.model, specs));

  // By hand: the same engine on the offline stream, sample i % size.
  golden::TrainSpecs train = config::pretrain_specs(specs);
  train.count_pair_updates = false;
  auto engine = config::make_engine(config::network_spec(specs), train);
  const data::Dataset dataset = config::load_dataset(specs, tiny_data());
  const data::SampleStream offline = dataset.stream(data::Split::kOfflineTrain);
  for (uint64_t i = 0; i < 2500; ++i) {
    const data::Sample s = offline.at(i % offline.size());
    engine->train_step(s.pixels.data(), s.label);
  }
  EXPECT_EQ(digest_of(*one.model, specs), engine->weights_digest());
}

TEST(Pretrain, ZeroSamplesIsTheUntrainedModel) {
  const config::Specs specs = tiny_specs(1);
  const PretrainResult r = pretrain(specs, 0, 1, {}, tiny_data());
  EXPECT_EQ(r.samples, 0u);
  EXPECT_FALSE(r.validation.has_value());
  ASSERT_TRUE(r.model.has_value());
  const auto untrained = config::make_engine(config::network_spec(specs), config::pretrain_specs(specs));
  EXPECT_EQ(digest_of(*r.model, specs), untrained->weights_digest());
}

TEST(Pretrain, AStopEndsTheRunWithoutAModel) {
  uint64_t asked = 0;
  PretrainHooks hooks;
  hooks.stop = [&] { return ++asked > 7; };
  const PretrainResult r = pretrain(tiny_specs(1), 100, 1, hooks, tiny_data());
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.samples, 7u);
  EXPECT_FALSE(r.model.has_value());
}

TEST(Pretrain, NoOfflineSamplesIsRefusedAtItsKey) {
  const std::string what =
      refusal([] { pretrain(tiny_specs(1, {"data.split.offline_train_samples=0"}), 10, 1, {}, tiny_data()); });
  EXPECT_NE(what.find("data.split.offline_train_samples"), std::string::npos) << what;
}

}  // namespace
}  // namespace lrt::sim
