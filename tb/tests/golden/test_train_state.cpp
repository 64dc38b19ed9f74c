// Training-state checkpoints are complete: train N samples, checkpoint, train M more; a
// FRESH engine that loads the checkpoint and trains the same M samples must end with the
// same weight digest and byte-identical serialized state, for every scheme. A field that
// save/load forgot would either differ in the serialized state directly or, if it is not
// serialized at all, change later updates (N and M are chosen so that the checkpoint falls
// inside a batch and later batches apply updates).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/checkpoint.h"
#include "core/error.h"
#include "core/rng.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"
#include "golden/training/train_state.h"

namespace lrt::golden {
namespace {

constexpr int kSide = 12;
constexpr uint64_t kBefore = 23;  // N: not a multiple of either batch (3, 5)
constexpr uint64_t kAfter = 37;   // M: several batch boundaries after the checkpoint

NetworkSpec tiny_network() {
  NetworkSpec n;
  n.in_h = kSide;
  n.in_w = kSide;
  n.in_c = 1;
  n.layers = {{LayerKind::kConv3x3, 4},
              {LayerKind::kMaxPool2, 0},
              {LayerKind::kRelu, 0},
              {LayerKind::kBatchNorm, 0},
              {LayerKind::kFc, 4}};
  return n;
}

// Sample i: label i % 4, a bright 4x4 square in quadrant `label`, plus seeded noise.
int sample(uint64_t i, std::vector<uint8_t>& img) {
  const int label = static_cast<int>(i % 4);
  const CounterRng noise(91, i);
  for (int r = 0; r < kSide; ++r)
    for (int c = 0; c < kSide; ++c) {
      const bool on = r / 6 == label / 2 && c / 6 == label % 2 && r % 6 < 4 && c % 6 < 4;
      img[static_cast<size_t>(r * kSide + c)] =
          static_cast<uint8_t>(on ? 200 : noise.bits32(static_cast<uint64_t>(r * kSide + c)) % 80);
    }
  return label;
}

void train(Engine& e, uint64_t from, uint64_t count) {
  std::vector<uint8_t> img(kSide * kSide);
  for (uint64_t i = from; i < from + count; ++i) {
    const int label = sample(i, img);
    e.train_step(img.data(), label);
  }
}

std::vector<uint8_t> state_bytes(const Engine& e) {
  CheckpointWriter w(0x5eed);
  save_training_state(e, w);
  return w.serialize();
}

struct Variant {
  std::string name;
  Scheme scheme;
  RankReduceMode mode = RankReduceMode::kBiased;
  RankReduceArith arith = RankReduceArith::kFloat;
};

TrainSpecs specs_of(const Variant& v) {
  TrainSpecs t;
  for (KindTrainSpec* k : {&t.conv, &t.fc}) {
    k->scheme = v.scheme;
    k->mode = v.mode;
  }
  t.conv.batch = 3;
  t.fc.batch = 5;
  t.rank_reduce_arith = v.arith;
  t.learning_rate = 0.05;  // large enough that updates pass rho_min within a few batches
  t.seed = 17;
  return t;
}

class TrainState : public ::testing::TestWithParam<Variant> {};

TEST_P(TrainState, ResumedEngineMatchesUninterruptedBitForBit) {
  const TrainSpecs specs = specs_of(GetParam());
  Engine a(tiny_network(), specs);
  train(a, 0, kBefore);
  const std::vector<uint8_t> at_n = state_bytes(a);
  train(a, kBefore, kAfter);
  const uint64_t d1 = a.weights_digest();
  const std::vector<uint8_t> s1 = state_bytes(a);

  Engine b(tiny_network(), specs);
  const Checkpoint ck = Checkpoint::parse(at_n, "at_n.ckpt");
  load_training_state(b, ck);
  EXPECT_TRUE(state_bytes(b) == at_n) << "load then save is not the identity";
  EXPECT_EQ(b.samples_trained(), kBefore);
  train(b, kBefore, kAfter);
  EXPECT_EQ(b.weights_digest(), d1);
  EXPECT_TRUE(state_bytes(b) == s1) << "the serialized states differ";
  EXPECT_EQ(b.write_stats().total, a.write_stats().total);

  // The test can fail: an engine that restores only the deployed model (no training state)
  // must end in another state, or save/load of the training state would be untested.
  Engine c(tiny_network(), specs);
  load_model(ck, c);
  train(c, kBefore, kAfter);
  EXPECT_FALSE(state_bytes(c) == s1);
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, TrainState,
    ::testing::Values(
        Variant{"sgd", Scheme::kOnlineSgd}, Variant{"naive_batch", Scheme::kNaiveBatch},
        Variant{"lrt_biased_float", Scheme::kLrt, RankReduceMode::kBiased, RankReduceArith::kFloat},
        Variant{"lrt_unbiased_float", Scheme::kLrt, RankReduceMode::kUnbiased, RankReduceArith::kFloat},
        Variant{"lrt_biased_fixed", Scheme::kLrt, RankReduceMode::kBiased, RankReduceArith::kFixed},
        Variant{"lrt_unbiased_fixed", Scheme::kLrt, RankReduceMode::kUnbiased, RankReduceArith::kFixed},
        Variant{"uoro", Scheme::kUoro}, Variant{"bias_only", Scheme::kBiasOnly}),
    [](const ::testing::TestParamInfo<Variant>& p) { return p.param.name; });

TEST(TrainStateErrors, UpdatesHappenAroundTheCheckpointForLrt) {
  // Guards the premise of the completeness test: with these N, M and batches, LRT applies
  // updates after the checkpoint (else the reducer state would never reach the weights).
  const TrainSpecs specs = specs_of({"lrt", Scheme::kLrt});
  Engine a(tiny_network(), specs);
  train(a, 0, kBefore);
  const uint64_t before = a.write_stats().total;
  train(a, kBefore, kAfter);
  EXPECT_GT(a.write_stats().total, before);
}

void expect_input_error(const Engine& source, const TrainSpecs& target_specs, const std::string& key_part) {
  const Checkpoint ck = Checkpoint::parse(state_bytes(source), "other.ckpt");
  Engine target(tiny_network(), target_specs);
  try {
    load_training_state(target, ck);
    FAIL() << "no error; expected one naming " << key_part;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(key_part), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("other.ckpt"), std::string::npos) << e.what();
  }
}

TEST(TrainStateErrors, AnotherSchemeIsAnInputErrorNamingTheSection) {
  Engine sgd(tiny_network(), specs_of({"sgd", Scheme::kOnlineSgd}));
  expect_input_error(sgd, specs_of({"lrt", Scheme::kLrt}), "updater.scheme");
}

TEST(TrainStateErrors, AnotherReducerArithmeticIsAnInputError) {
  Engine flt(tiny_network(), specs_of({"f", Scheme::kLrt, RankReduceMode::kBiased, RankReduceArith::kFloat}));
  expect_input_error(flt, specs_of({"x", Scheme::kLrt, RankReduceMode::kBiased, RankReduceArith::kFixed}),
                     "rr.arith");
}

TEST(TrainStateErrors, MaxNormOnInOneAndOffInTheOtherIsAnInputError) {
  Engine on(tiny_network(), specs_of({"sgd", Scheme::kOnlineSgd}));
  TrainSpecs off = specs_of({"sgd", Scheme::kOnlineSgd});
  off.fc.max_norm = false;
  expect_input_error(on, off, "max_norm");
}

TEST(TrainStateErrors, AModelOnlyCheckpointLacksTheTrainingState) {
  Engine a(tiny_network(), specs_of({"lrt", Scheme::kLrt}));
  const Checkpoint model = Checkpoint::parse(model_checkpoint(a, 0, 0).serialize(), "model.ckpt");
  Engine b(tiny_network(), specs_of({"lrt", Scheme::kLrt}));
  EXPECT_THROW(load_training_state(b, model), InputError);
}

}  // namespace
}  // namespace lrt::golden
