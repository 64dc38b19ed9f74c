// network.* and the training keys: parsing of the layer list with item and line in errors,
// the shipped networks, binding to golden::NetworkSpec / TrainSpecs member by member, and
// golden::validate() errors reported at the configuration key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/bind.h"
#include "config/loader.h"
#include "config/network_key.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using golden::LayerKind;
using test::contains;
using test::input_error;
using test::write_temp;

std::vector<std::pair<int, int>> kinds_and_widths(const std::vector<golden::LayerSpec>& layers) {
  std::vector<std::pair<int, int>> out;
  for (const auto& l : layers) out.emplace_back(static_cast<int>(l.kind), l.out);
  return out;
}

TEST(NetworkKeys, LayerStringsParseAndPrintBack) {
  EXPECT_EQ(parse_layer("conv3x3 16").kind, LayerKind::kConv3x3);
  EXPECT_EQ(parse_layer("conv3x3 16").out, 16);
  EXPECT_EQ(parse_layer("  fc   10 ").out, 10);  // blanks around words are ignored
  EXPECT_EQ(parse_layer("fc 65536").out, 65536);
  EXPECT_EQ(parse_layer("relu").kind, LayerKind::kRelu);
  EXPECT_EQ(parse_layer("batchnorm").out, 0);
  for (const char* text : {"conv3x3 16", "maxpool2", "relu", "batchnorm", "fc 10"})
    EXPECT_EQ(layer_text(parse_layer(text)), text);
  for (const char* bad : {"", "conv3x3", "conv3x3 0", "fc -1", "fc 65537", "fc 1.5", "fc ten", "relu 3",
                          "maxpool 2", "fc 10 extra", "Conv3x3 16"})
    EXPECT_THROW(parse_layer(bad), std::invalid_argument) << bad;
}

TEST(NetworkKeys, DefaultIsTheSmallNetworkAndPaperConfigIsThePaperNetwork) {
  // The small network of docs/golden_engine.md, typed from there.
  const std::vector<std::pair<int, int>> small = {
      {0, 16}, {1, 0}, {2, 0}, {3, 0}, {0, 32}, {1, 0}, {2, 0}, {3, 0}, {4, 10}};
  EXPECT_EQ(kinds_and_widths(default_specs().network.layers), small);
  const Specs file = load_specs(std::string(LRTSIM_SOURCE_DIR) + "/configs/default.yaml");
  EXPECT_EQ(kinds_and_widths(file.network.layers), small);
  // LRT paper §7.1 with the authors' lr/net.py ReLUs: conv 128, ReLU, conv 128, pool, ReLU, BN,
  // conv 128, ReLU, conv 128, pool, ReLU, BN, FC 512, ReLU, FC 10.
  const Specs paper = load_specs(std::string(LRTSIM_SOURCE_DIR) + "/configs/paper_cnn.yaml");
  EXPECT_EQ(kinds_and_widths(paper.network.layers),
            (std::vector<std::pair<int, int>>{{0, 128}, {2, 0}, {0, 128}, {1, 0}, {2, 0}, {3, 0}, {0, 128}, {2, 0},
                                              {0, 128}, {1, 0}, {2, 0}, {3, 0}, {4, 512}, {2, 0}, {4, 10}}));
  const golden::NetworkSpec net = network_spec(paper);
  EXPECT_EQ(kinds_and_widths(net.layers), kinds_and_widths(golden::paper_network().layers));
  EXPECT_EQ(golden::derive_shapes(net)[12].in.size(), 2048);  // 4 x 4 x 128 into FC 512
}

TEST(NetworkKeys, ABadItemIsNamedWithItsIndexAndLine) {
  const std::string path =
      write_temp("layers_bad", "network:\n  layers:\n    - conv3x3 8\n    - relu\n    - fc\n");
  const auto e = input_error([&] { load_specs(path); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().line, 5);
  EXPECT_EQ(e->where().key, "network.layers");
  EXPECT_TRUE(contains(e->what(), "item 3 (\"fc\"): fc needs its output width")) << e->what();

  const auto scalar = input_error([] { specs_from_overrides({"network.layers=relu"}); });
  ASSERT_TRUE(scalar.has_value());
  EXPECT_TRUE(contains(scalar->what(), "is a single value, not a list")) << scalar->what();
  const auto empty = input_error([] { specs_from_overrides({"network.layers=[]"}); });
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(contains(empty->what(), "the list is empty")) << empty->what();
}

TEST(NetworkKeys, ShapeErrorsNameTheItem) {
  // 28 -> 26 -> 13 -> 6 -> 3 -> 1: the sixth layer (a max-pool) gets a 1x1 map.
  const auto e = input_error([] {
    specs_from_overrides({"network.layers=[conv3x3 2, maxpool2, maxpool2, maxpool2, maxpool2, maxpool2, fc 10]"});
  });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->where().key, "network.layers");
  EXPECT_TRUE(contains(e->what(), "item 6 (maxpool2)")) << e->what();

  const auto classes = input_error([] { specs_from_overrides({"network.layers=[fc 9]"}); });
  ASSERT_TRUE(classes.has_value());
  EXPECT_TRUE(contains(classes->what(), "has 9 outputs but data.num_classes is 10")) << classes->what();
  // Consistent once both keys agree.
  EXPECT_EQ(specs_from_overrides({"network.layers=[fc 9]", "data.num_classes=9"}).network.layers.size(), 1u);

  const auto tiny = input_error([] { specs_from_overrides({"network.input.h=2"}); });
  ASSERT_TRUE(tiny.has_value());
  EXPECT_EQ(tiny->where().key, "network.layers");
  EXPECT_TRUE(contains(tiny->what(), "item 1 (conv3x3 16)")) << tiny->what();
}

TEST(TrainKeys, EveryKeyReachesItsGoldenMember) {
  const Specs s = specs_from_overrides({
      "train.learning_rate=0.5", "train.conv.scheme=sgd", "train.conv.max_norm=false", "train.conv.batch=7",
      "train.conv.rank=3", "train.conv.mode=unbiased", "train.conv.kappa_th=50", "train.fc.scheme=uoro",
      "train.fc.batch=9", "train.fc.rank=2", "train.fc.kappa_th=0", "train.max_norm.beta=0.5",
      "train.max_norm.eps=0.25", "train.bn.streaming=false", "train.bn.batch=33", "train.bn.eps=0.125",
      "train.rho_min=0.5", "train.batch_scale_power=1", "train.max_norm.placement=gradient",
      "train.batched_update=mean", "train.alpha_rule=nearest_he", "train.weight_gradient_alpha=false",
      "train.bn.bias_correction=false", "train.bn.backward_scale_only=false", "train.quant.weight.bits=6",
      "train.quant.weight.range=0.5", "train.quant.bias.bits=12", "train.quant.bias.range=4",
      "train.quant.activation.bits=7", "train.quant.activation.range=4", "train.quant.activation_signed.bits=5",
      "train.quant.activation_signed.range=1", "train.quant.gradient.bits=4", "train.quant.gradient.range=2",
      "train.quant.input.range=2", "accel.rank_reduce.arith=float", "run.seed=42"});
  const golden::TrainSpecs t = train_specs(s);
  EXPECT_EQ(t.learning_rate, 0.5);
  EXPECT_EQ(t.conv.scheme, golden::Scheme::kOnlineSgd);
  EXPECT_FALSE(t.conv.max_norm);
  EXPECT_EQ(t.conv.batch, 7);
  EXPECT_EQ(t.conv.rank, 3);
  EXPECT_EQ(t.conv.mode, golden::RankReduceMode::kUnbiased);
  EXPECT_EQ(t.conv.kappa_th, 50.0);
  EXPECT_EQ(t.fc.scheme, golden::Scheme::kUoro);
  EXPECT_TRUE(t.fc.max_norm);
  EXPECT_EQ(t.fc.batch, 9);
  EXPECT_EQ(t.fc.rank, 2);
  EXPECT_EQ(t.fc.mode, golden::RankReduceMode::kUnbiased);  // the default: the authors'
  EXPECT_EQ(t.max_norm_placement, golden::MaxNormPlacement::kGradient);
  EXPECT_EQ(t.batched_update, golden::BatchedUpdate::kMean);
  EXPECT_EQ(t.alpha_rule, golden::AlphaRule::kNearestHe);
  EXPECT_FALSE(t.weight_gradient_alpha);
  EXPECT_FALSE(t.bn.bias_correction);
  EXPECT_FALSE(t.bn.backward_scale_only);
  EXPECT_EQ(t.fc.kappa_th, 0.0);
  EXPECT_EQ(t.max_norm.beta, 0.5);
  EXPECT_EQ(t.max_norm.eps, 0.25);
  EXPECT_FALSE(t.bn.streaming);
  EXPECT_EQ(t.bn.batch, 33);
  EXPECT_EQ(t.bn.eps, 0.125);
  EXPECT_EQ(t.rho_min, 0.5);
  EXPECT_EQ(t.batch_scale_power, 1.0);
  EXPECT_EQ(t.quant.weight.bits, 6);
  EXPECT_EQ(t.quant.weight.range, 0.5);
  EXPECT_EQ(t.quant.bias.bits, 12);
  EXPECT_EQ(t.quant.bias.range, 4.0);
  EXPECT_EQ(t.quant.activation.bits, 7);
  EXPECT_EQ(t.quant.activation.range, 4.0);
  EXPECT_EQ(t.quant.activation_signed.bits, 5);
  EXPECT_EQ(t.quant.activation_signed.range, 1.0);
  EXPECT_EQ(t.quant.gradient.bits, 4);
  EXPECT_EQ(t.quant.gradient.range, 2.0);
  EXPECT_EQ(t.quant.input.bits, 8);
  EXPECT_EQ(t.quant.input.range, 2.0);
  EXPECT_EQ(t.rank_reduce_arith, golden::RankReduceArith::kFloat);
  EXPECT_EQ(t.seed, 42u);

  // pretrain_specs: the pretrain scheme, rate and batch on both kinds; the rest as train.
  const golden::TrainSpecs p = pretrain_specs(specs_from_overrides(
      {"pretrain.scheme=naive_batch", "pretrain.learning_rate=0.125", "pretrain.batch=3", "train.bn.batch=33"}));
  EXPECT_EQ(p.conv.scheme, golden::Scheme::kNaiveBatch);
  EXPECT_EQ(p.fc.scheme, golden::Scheme::kNaiveBatch);
  EXPECT_EQ(p.learning_rate, 0.125);
  EXPECT_EQ(p.conv.batch, 3);
  EXPECT_EQ(p.fc.batch, 3);
  EXPECT_EQ(p.bn.batch, 33);
}

TEST(TrainKeys, GoldenRulesAreReportedAtTheKey) {
  // All formats' LSBs must lie in [2^-24, 2^8]: a 16-bit bias with range 2^-10 has LSB 2^-25.
  const auto lsb = input_error([] { specs_from_overrides({"train.quant.bias.range=0.0009765625"}); });
  ASSERT_TRUE(lsb.has_value());
  EXPECT_EQ(lsb->where().key, "train.quant.weight.range");
  EXPECT_TRUE(contains(lsb->what(), "outside [2^-24, 2^8]")) << lsb->what();
  // The fixed-point rank reducer holds 16-bit factors only; float ignores the width.
  const auto bits = input_error([] { specs_from_overrides({"accel.rank_reduce.lr_bits=12"}); });
  ASSERT_TRUE(bits.has_value());
  EXPECT_EQ(bits->where().key, "accel.rank_reduce.lr_bits");
  EXPECT_EQ(specs_from_overrides({"accel.rank_reduce.lr_bits=12", "accel.rank_reduce.arith=float"})
                .accel.controller.lr_bits,
            12u);
  // Key ranges follow the integer datapath: 8-bit MAC operands, >= 3 signed bits.
  const auto wide = input_error([] { specs_from_overrides({"train.quant.gradient.bits=9"}); });
  ASSERT_TRUE(wide.has_value());
  EXPECT_TRUE(contains(wide->what(), "expected an integer in [3, 8]")) << wide->what();
  const auto inference = input_error([] { specs_from_overrides({"pretrain.scheme=bias_only"}); });
  ASSERT_TRUE(inference.has_value());
  EXPECT_TRUE(contains(inference->what(), "expected one of: sgd, naive_batch, lrt, uoro")) << inference->what();
}

}  // namespace
}  // namespace lrt::config
