// The engine's contract: network shapes, spec validation, determinism, predict() without side
// effects, what each scheme may change, batch boundaries, and the weight digest.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "golden/training/engine.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"

namespace lrt::golden {
namespace {

std::vector<uint8_t> image(uint64_t i, size_t n = 28 * 28) {
  std::vector<uint8_t> img(n);
  for (size_t p = 0; p < n; ++p) img[p] = static_cast<uint8_t>((p * 131 + i * 977 + (p * p) % 61) % 256);
  return img;
}

TEST(EngineApi, PaperAndDefaultNetworkShapes) {
  // Paper: 28 -> conv 26 -> conv 24 -> pool 12 -> conv 10 -> conv 8 -> pool 4: 4 * 4 * 128 = 2048.
  const auto paper = derive_shapes(paper_network());
  // (With the authors' ReLUs after conv1, conv3 and fc1: 15 layers.)
  ASSERT_EQ(paper.size(), 15u);
  EXPECT_EQ(paper[2].out, (TensorShape{24, 24, 128}));
  EXPECT_EQ(paper[2].fan_in(), 1152);
  EXPECT_EQ(paper[12].fan_in(), 2048);
  EXPECT_EQ(paper[12].out.c, 512);
  EXPECT_EQ(paper[14].weight_count(), 5120);
  EXPECT_EQ(num_classes(paper_network()), 10);
  // Default: 28 -> conv 26 -> pool 13 -> conv 11 -> pool 5 (floor): 5 * 5 * 32 = 800.
  const auto def = derive_shapes(default_network());
  EXPECT_EQ(def[4].out, (TensorShape{11, 11, 32}));
  EXPECT_EQ(def[5].out, (TensorShape{5, 5, 32}));
  EXPECT_EQ(def[8].fan_in(), 800);
}

TEST(EngineApi, InvalidNetworksAndSpecsAreRejected) {
  NetworkSpec n = default_network();
  n.layers.push_back({LayerKind::kRelu, 0});  // last layer must produce logits
  EXPECT_THROW(derive_shapes(n), std::invalid_argument);
  n = default_network();
  n.layers[1].out = 3;  // maxpool takes no width
  EXPECT_THROW(derive_shapes(n), std::invalid_argument);
  n = default_network();
  n.in_h = 4;  // conv -> pool -> conv on 4x4 shrinks below 3x3
  EXPECT_THROW(derive_shapes(n), std::invalid_argument);
  EXPECT_THROW(parse_layer_kind("conv5x5"), std::invalid_argument);
  EXPECT_THROW(parse_scheme("adam"), std::invalid_argument);

  TrainSpecs t;
  t.quant.weight.range = 1.5;  // not a power of two
  EXPECT_THROW(validate(t), std::invalid_argument);
  t = TrainSpecs{};
  t.quant.activation.bits = 12;  // MAC operands are at most 8 bits
  EXPECT_THROW(Engine(default_network(), t), std::invalid_argument);
  t = TrainSpecs{};
  t.quant.gradient.bits = 2;  // 1-2 bit mid-rise codes are implemented for weights only
  EXPECT_THROW(validate(t), std::invalid_argument);
  t = TrainSpecs{};
  t.quant.weight.bits = 0;
  EXPECT_THROW(validate(t), std::invalid_argument);
  t = TrainSpecs{};
  t.bn.eps = 1e-7;
  EXPECT_THROW(validate(t), std::invalid_argument);
  t = TrainSpecs{};
  t.fc.batch = 0;
  EXPECT_THROW(validate(t), std::invalid_argument);
  t = TrainSpecs{};
  t.quant.input.bits = 7;  // only code = pixel inputs are implemented
  EXPECT_THROW(Engine(default_network(), t), std::invalid_argument);
  Engine e(default_network(), TrainSpecs{});
  EXPECT_THROW(e.affine(1), std::out_of_range);  // maxpool
  EXPECT_THROW(e.batch_norm(0), std::out_of_range);
  EXPECT_THROW(e.train_step(image(0).data(), 10), std::invalid_argument);
  Matrix<int32_t> bad = e.affine(0).weight_codes();
  bad(0, 0) = 128;  // outside s8
  EXPECT_THROW(e.affine(0).set_weight_codes(bad), std::invalid_argument);
}

TEST(EngineApi, SameSeedAndSamplesGiveIdenticalWeights) {
  TrainSpecs t;
  t.conv.batch = 2;
  t.fc.batch = 3;
  for (Scheme s : {Scheme::kOnlineSgd, Scheme::kLrt, Scheme::kUoro, Scheme::kNaiveBatch}) {
    t.conv.scheme = t.fc.scheme = s;
    t.fc.mode = RankReduceMode::kUnbiased;  // exercises the random signs too
    Engine a(default_network(), t, 7), b(default_network(), t, 7), c(default_network(), t, 8);
    EXPECT_EQ(a.weights_digest(), b.weights_digest());
    EXPECT_NE(a.weights_digest(), c.weights_digest());  // He init depends on the seed
    for (uint64_t i = 0; i < 12; ++i) {
      const auto img = image(i);
      const StepResult ra = a.train_step(img.data(), static_cast<int>(i % 10));
      const StepResult rb = b.train_step(img.data(), static_cast<int>(i % 10));
      ASSERT_EQ(ra.prediction, rb.prediction);
      ASSERT_EQ(ra.loss, rb.loss);
    }
    EXPECT_EQ(a.weights_digest(), b.weights_digest()) << to_string(s);
    EXPECT_EQ(a.write_stats().total, b.write_stats().total);
    EXPECT_GT(a.write_stats().total, 0u) << to_string(s);
  }
}

TEST(EngineApi, PredictChangesNoState) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kOnlineSgd;
  Engine a(default_network(), t, 1), b(default_network(), t, 1);
  for (uint64_t i = 0; i < 5; ++i) {
    const auto img = image(i), other = image(100 + i);
    a.predict(other.data());  // a sees extra predictions; b does not
    a.predict(img.data());
    a.train_step(img.data(), static_cast<int>(i));
    b.train_step(img.data(), static_cast<int>(i));
    ASSERT_EQ(a.logits(), b.logits());
  }
  EXPECT_EQ(a.weights_digest(), b.weights_digest());
  EXPECT_EQ(a.batch_norm(3).bn().state().mu, b.batch_norm(3).bn().state().mu);
  EXPECT_EQ(a.affine(8).bias_codes(), b.affine(8).bias_codes());
}

TEST(EngineApi, InferenceOnlyChangesNothingAndBiasOnlyChangesNoWeight) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kInferenceOnly;
  Engine inf(default_network(), t, 1);
  t.conv.scheme = t.fc.scheme = Scheme::kBiasOnly;
  Engine bias(default_network(), t, 1);
  const uint64_t digest = inf.weights_digest();
  const auto b0 = inf.affine(0).bias_codes();
  const BnState bn0 = inf.batch_norm(3).bn().state();
  for (uint64_t i = 0; i < 5; ++i) {
    const auto img = image(i);
    inf.train_step(img.data(), 3);
    bias.train_step(img.data(), 3);
  }
  EXPECT_EQ(inf.weights_digest(), digest);
  EXPECT_EQ(inf.affine(0).bias_codes(), b0);
  EXPECT_EQ(inf.batch_norm(3).bn().state().mu, bn0.mu);
  EXPECT_EQ(inf.batch_norm(3).bn().state().gamma, bn0.gamma);
  EXPECT_EQ(bias.weights_digest(), digest);
  EXPECT_EQ(bias.write_stats().total, 0u);
  EXPECT_NE(bias.affine(0).bias_codes(), b0);
  EXPECT_NE(bias.batch_norm(3).bn().state().gamma, bn0.gamma);
  EXPECT_NE(bias.batch_norm(3).bn().state().mu, bn0.mu);
}

// Table 3's "no bias training": conv/fc biases stay, weights and BN gamma still train, and
// with biases on the same run does change them (so the switch is what froze them).
TEST(EngineApi, FrozenBiasesStayWhileWeightsAndBatchNormTrain) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kOnlineSgd;
  Engine on(default_network(), t, 1);
  t.train_biases = false;
  Engine off(default_network(), t, 1);
  const uint64_t digest = off.weights_digest();
  const BnState bn0 = off.batch_norm(3).bn().state();
  std::vector<std::vector<int32_t>> b0;
  for (int l : off.trainable_layers()) b0.push_back(off.affine(l).bias_codes());
  for (uint64_t i = 0; i < 5; ++i) {
    const auto img = image(i);
    on.train_step(img.data(), static_cast<int>(i % 10));
    off.train_step(img.data(), static_cast<int>(i % 10));
  }
  bool on_changed = false;
  for (size_t j = 0; j < b0.size(); ++j) {
    const int l = off.trainable_layers()[j];
    EXPECT_EQ(off.affine(l).bias_codes(), b0[j]) << "layer " << l;
    EXPECT_FALSE(off.affine(l).updates_bias());
    on_changed = on_changed || on.affine(l).bias_codes() != b0[j];
  }
  EXPECT_TRUE(on_changed);
  EXPECT_NE(off.weights_digest(), digest);
  EXPECT_NE(off.batch_norm(3).bn().state().gamma, bn0.gamma);
}

TEST(EngineApi, BatchedSchemesWriteOnlyAtBatchBoundaries) {
  TrainSpecs t;
  t.conv.scheme = Scheme::kBiasOnly;
  t.fc.scheme = Scheme::kLrt;
  t.fc.batch = 4;
  t.rho_min = 0.0;
  t.learning_rate = 0.5;
  Engine e(default_network(), t, 2);
  uint64_t last_total = 0;
  for (uint64_t i = 1; i <= 12; ++i) {
    const auto img = image(i);
    e.train_step(img.data(), static_cast<int>(i % 10));
    const uint64_t total = e.write_stats().total;
    if (i % 4 != 0) {
      EXPECT_EQ(total, last_total) << "sample " << i;
    }
    last_total = total;
  }
  EXPECT_EQ(e.affine(8).updater().stats().attempts, 3u);
  EXPECT_EQ(e.affine(8).updater().stats().applied, 3u);
  EXPECT_GT(last_total, 0u);
}

// A reducer that forwards to a copy of the layer's fixed-point model and counts its steps: what
// a hardware driver (tlm::UnitRankReducer) does, without the hardware.
class CountingReducer final : public RankReducer {
 public:
  explicit CountingReducer(const RankReduceFixed& model) : model_(model) {}
  void step(const double* dz, const double* a) override {
    ++steps;
    model_.step(dz, a);
  }
  bool step_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac) override {
    ++steps;
    return model_.step_integer(dz, dz_frac, a, a_frac);
  }
  void factors(Matrix<double>& L, Matrix<double>& R) const override { model_.factors(L, R); }
  void reset() override { model_.reset(); }
  const RankReduceStats& stats() const override { return model_.stats(); }
  const RankReduceParams& params() const override { return model_.params(); }
  const RankReduceFixed* fixed_model() const override { return &model_; }
  int steps = 0;

 private:
  RankReduceFixed model_;
};

TEST(EngineApi, AnInstalledRankReducerFoldsTheLayersPairsAndTrainsIdentically) {
  TrainSpecs t;
  t.conv.scheme = Scheme::kBiasOnly;
  t.fc.scheme = Scheme::kLrt;
  t.fc.batch = 4;
  t.rank_reduce_arith = RankReduceArith::kFixed;
  Engine plain(default_network(), t, 2), driven(default_network(), t, 2);
  EXPECT_THROW(driven.lrt_reducer_model(0), std::invalid_argument);  // bias only: no LRT
  EXPECT_THROW(driven.lrt_reducer_model(1), std::out_of_range);      // not a conv/fc layer
  auto reducer = std::make_unique<CountingReducer>(driven.lrt_reducer_model(8));
  CountingReducer* counting = reducer.get();
  driven.install_rank_reducer(8, std::move(reducer));
  EXPECT_EQ(&driven.lrt_reducer_model(8), counting->fixed_model());
  for (uint64_t i = 1; i <= 9; ++i) {
    const auto img = image(i);
    plain.train_step(img.data(), static_cast<int>(i % 10));
    driven.train_step(img.data(), static_cast<int>(i % 10));
  }
  EXPECT_EQ(counting->steps, 9);  // one fc pair per sample
  EXPECT_EQ(driven.weights_digest(), plain.weights_digest());
  EXPECT_THROW(driven.install_rank_reducer(0, nullptr), std::invalid_argument);
  t.rank_reduce_arith = RankReduceArith::kFloat;
  Engine floating(default_network(), t, 2);
  EXPECT_THROW(floating.lrt_reducer_model(8), std::invalid_argument);  // no fixed-point state
}

TEST(EngineApi, WeightsDigestIsFnv1aOverCodes) {
  NetworkSpec n;
  n.in_h = n.in_w = 1;
  n.in_c = 2;
  n.layers = {{LayerKind::kFc, 2}};
  Engine e(n, TrainSpecs{});
  Matrix<int32_t> w(2, 2);
  w(0, 0) = 1;
  w(1, 0) = -1;
  w(0, 1) = 127;
  w(1, 1) = -128;
  e.affine(0).set_weight_codes(w);
  // FNV-1a 64 over the little-endian bytes of 1, -1, 127, -128 (column-major order).
  const uint8_t bytes[] = {1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 127, 0, 0, 0, 0x80, 0xFF, 0xFF, 0xFF};
  uint64_t h = 14695981039346656037ull;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 1099511628211ull;
  }
  EXPECT_EQ(e.weights_digest(), h);
}

}  // namespace
}  // namespace lrt::golden
