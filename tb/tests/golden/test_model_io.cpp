// The deployed-model checkpoint: a save/load round trip reproduces every code and every
// prediction; a checkpoint of another network or format is refused naming the section.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"

namespace lrt::golden {
namespace {

NetworkSpec small_net() {
  NetworkSpec n;
  n.in_h = n.in_w = 10;
  n.layers = {{LayerKind::kConv3x3, 3}, {LayerKind::kMaxPool2, 0}, {LayerKind::kRelu, 0},
              {LayerKind::kBatchNorm, 0}, {LayerKind::kFc, 5}};
  return n;
}

TrainSpecs sgd_specs() {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kOnlineSgd;
  return t;
}

std::vector<uint8_t> image(uint64_t i) {
  const CounterRng rng(77, 1);
  std::vector<uint8_t> px(100);
  for (std::size_t k = 0; k < px.size(); ++k) px[k] = static_cast<uint8_t>(rng.bits32(i * 100 + k) & 0xff);
  return px;
}

// An engine whose weights, biases and BN statistics have moved away from initialization.
void train(Engine& e, int samples) {
  for (int i = 0; i < samples; ++i) e.train_step(image(static_cast<uint64_t>(i)).data(), i % 5);
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "lrtsim_model_io_" + name; }

TEST(ModelIo, RoundTripGivesIdenticalCodesAndPredictions) {
  Engine a(small_net(), sgd_specs(), 5);
  train(a, 200);
  save_model(a, temp("rt.ckpt"), 0x1234, 200);

  Engine b(small_net(), sgd_specs(), 6);  // other initial weights, then overwritten
  ASSERT_NE(a.weights_digest(), b.weights_digest());
  const Checkpoint ck = Checkpoint::read(temp("rt.ckpt"));
  load_model(ck, b);
  EXPECT_EQ(ck.config_hash(), 0x1234u);
  EXPECT_EQ(trained_samples(ck), 200u);
  EXPECT_EQ(a.weights_digest(), b.weights_digest());
  for (int layer : a.trainable_layers()) {
    EXPECT_EQ(a.affine(layer).bias_codes(), b.affine(layer).bias_codes()) << layer;
    EXPECT_EQ(b.write_stats(layer).total, 0u);  // loading is deployment, not a write
  }
  const BnState& sa = a.batch_norm(3).bn().state();
  const BnState& sb = b.batch_norm(3).bn().state();
  EXPECT_EQ(sa.gamma, sb.gamma);
  EXPECT_EQ(sa.beta, sb.beta);
  EXPECT_EQ(sa.mu, sb.mu);
  EXPECT_EQ(sa.sq, sb.sq);
  EXPECT_NE(sa.mu, std::vector<int64_t>(sa.mu.size(), 0));  // the statistics did move
  for (uint64_t i = 1000; i < 1100; ++i) {
    EXPECT_EQ(a.predict(image(i).data()), b.predict(image(i).data())) << i;
    EXPECT_EQ(a.logits(), b.logits()) << i;
  }
  // Saving the loaded model gives the same bytes: nothing is lost or reordered.
  EXPECT_EQ(model_checkpoint(a, 0x1234, 200).serialize(), model_checkpoint(b, 0x1234, 200).serialize());
}

InputError load_error(const std::string& path, Engine& e) {
  try {
    load_model(path, e);
  } catch (const InputError& err) {
    return err;
  }
  ADD_FAILURE() << "expected an InputError";
  return InputError({}, "none");
}

TEST(ModelIo, AnotherNetworkIsRefusedNamingSectionAndSizes) {
  Engine a(small_net(), sgd_specs(), 5);
  save_model(a, temp("net.ckpt"), 0, 0);

  NetworkSpec wider = small_net();
  wider.layers[0].out = 4;
  Engine b(wider, sgd_specs(), 5);
  const InputError e = load_error(temp("net.ckpt"), b);
  EXPECT_EQ(e.where().key, "network.layers");
  EXPECT_EQ(e.where().file, temp("net.ckpt"));
  EXPECT_NE(std::string(e.what()).find("[conv3x3 3, maxpool2, relu, batchnorm, fc 5]"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("[conv3x3 4, maxpool2, relu, batchnorm, fc 5]"), std::string::npos) << e.what();

  NetworkSpec taller = small_net();
  taller.in_h = 12;
  Engine c(taller, sgd_specs(), 5);
  const InputError f = load_error(temp("net.ckpt"), c);
  EXPECT_EQ(f.where().key, "network.input");
  EXPECT_NE(std::string(f.what()).find("10x10x1"), std::string::npos) << f.what();
  EXPECT_NE(std::string(f.what()).find("12x10x1"), std::string::npos) << f.what();
}

TEST(ModelIo, AnotherWeightFormatIsRefused) {
  Engine a(small_net(), sgd_specs(), 5);
  save_model(a, temp("fmt.ckpt"), 0, 0);
  TrainSpecs seven = sgd_specs();
  seven.quant.weight.bits = 7;
  Engine b(small_net(), seven, 5);
  const InputError e = load_error(temp("fmt.ckpt"), b);
  EXPECT_EQ(e.where().key, "formats");
  EXPECT_NE(std::string(e.what()).find("weight bits are 8, the configuration's (train.quant) 7"), std::string::npos)
      << e.what();
}

TEST(ModelIo, AMissingOrResizedSectionIsRefused) {
  Engine a(small_net(), sgd_specs(), 5);
  CheckpointWriter w(0);
  const Checkpoint full = Checkpoint::parse(model_checkpoint(a, 0, 0).serialize(), "full");
  for (const std::string& name : full.section_names()) {
    if (name == "layer.4.bias") {
      w.add_array(name, std::vector<int32_t>(4, 0));  // one bias short
    } else if (name != "layer.3.bn.sq") {           // dropped
      w.add_bytes(name, full.bytes(name));
    }
  }
  w.write(temp("cut.ckpt"));
  Engine b(small_net(), sgd_specs(), 5);
  const InputError e = load_error(temp("cut.ckpt"), b);
  EXPECT_EQ(e.where().key, "layer.3.bn.sq");  // layers load in order: the BN layer first
  CheckpointWriter v(0);
  for (const std::string& name : full.section_names())
    v.add_bytes(name, name == "layer.4.bias" ? std::vector<uint8_t>(16, 0) : full.bytes(name));
  v.write(temp("short.ckpt"));
  const InputError f = load_error(temp("short.ckpt"), b);
  EXPECT_EQ(f.where().key, "layer.4.bias");
  EXPECT_NE(std::string(f.what()).find("holds 4 values; this configuration expects 5"), std::string::npos) << f.what();
}

}  // namespace
}  // namespace lrt::golden
