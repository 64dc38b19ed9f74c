// Sakr & Shanbhag §2.2 metrics (golden/precision/precision_costs.h) on a network small enough to count by
// hand: 4x4x1 input -> conv3x3 2 (2x2x2 outputs) -> fc 3 (the engine puts a Qas quantizer in
// front of fc, so its input is 8 bits).
#include <gtest/gtest.h>

#include <stdexcept>

#include "golden/precision/precision_costs.h"

namespace lrt::golden {
namespace {

NetworkSpec tiny() {
  NetworkSpec n;
  n.in_h = n.in_w = 4;
  n.in_c = 1;
  n.layers = {{LayerKind::kConv3x3, 2}, {LayerKind::kFc, 3}};
  return n;
}

TEST(PrecisionCosts, DefaultFormatsByHand) {
  // conv: |W| = 2 x 9 = 18, |A_l| = 16, |A_l+1| = 8, D = 9; fc: |W| = 3 x 8 = 24, |A_l| = 8,
  // |A_l+1| = 3, D = 8. All widths 8 except B_G(W) = 32 (LRT trains weights), B_acc = 0.
  //   conv: C_W = 18 (8 + 32) = 720, C_A = 16 (8 + 8) = 256, C_M = 8 x 9 x 3 x 64 = 13824, C_C = 18 x 32 = 576
  //   fc:   C_W = 24 x 40 = 960,     C_A = 8 x 16 = 128,     C_M = 3 x 8 x 192 = 4608,     C_C = 24 x 32 = 768
  const Engine e(tiny(), TrainSpecs{});
  const std::vector<LayerPrecision> lp = layer_precisions(e);
  ASSERT_EQ(lp.size(), 2u);
  EXPECT_EQ(lp[0].layer, 0);
  EXPECT_EQ(lp[1].layer, 1);
  EXPECT_EQ(lp[0].weights, 18u);
  EXPECT_EQ(lp[0].inputs, 16u);
  EXPECT_EQ(lp[0].outputs, 8u);
  EXPECT_EQ(lp[0].dot_length, 9u);
  EXPECT_EQ(lp[1].weights, 24u);
  EXPECT_EQ(lp[1].inputs, 8u);
  EXPECT_EQ(lp[1].outputs, 3u);
  EXPECT_EQ(lp[1].dot_length, 8u);
  EXPECT_EQ(lp[1].b_a, 8);  // Qas in front of fc
  const PrecisionCosts c0 = precision_costs(lp[0]), c1 = precision_costs(lp[1]), all = precision_costs(lp);
  EXPECT_EQ(c0.c_w, 720u);
  EXPECT_EQ(c0.c_a, 256u);
  EXPECT_EQ(c0.c_m, 13824u);
  EXPECT_EQ(c0.c_c, 576u);
  EXPECT_EQ(c1.c_w, 960u);
  EXPECT_EQ(c1.c_a, 128u);
  EXPECT_EQ(c1.c_m, 4608u);
  EXPECT_EQ(c1.c_c, 768u);
  EXPECT_EQ(all.c_w, 1680u);
  EXPECT_EQ(all.c_a, 384u);
  EXPECT_EQ(all.c_m, 18432u);
  EXPECT_EQ(all.c_c, 1344u);
}

TEST(PrecisionCosts, WidthsAndSchemesChangeTheTermsTheyEnter) {
  // 4-bit weights, 6-bit gradients, naive batch (int64 accumulator, B_acc = 64):
  //   conv: C_W = 18 (4 + 32 + 64) = 1800, C_A = 16 (8 + 6) = 224,
  //         C_M = 72 (4 x 8 + 4 x 6 + 8 x 6 = 104) = 7488, C_C = 576
  //   fc:   C_W = 24 x 100 = 2400, C_A = 8 x 14 = 112, C_M = 24 x 104 = 2496, C_C = 768
  TrainSpecs t;
  t.quant.weight.bits = 4;
  t.quant.gradient.bits = 6;
  t.conv.scheme = t.fc.scheme = Scheme::kNaiveBatch;
  const PrecisionCosts all = precision_costs(layer_precisions(Engine(tiny(), t)));
  EXPECT_EQ(all.c_w, 1800u + 2400u);
  EXPECT_EQ(all.c_a, 224u + 112u);
  EXPECT_EQ(all.c_m, 7488u + 2496u);
  EXPECT_EQ(all.c_c, 576u + 768u);
  // bias_only forms no weight gradient: B_G(W) = 0, so C_C = 0 and C_W holds the weights only.
  t.conv.scheme = t.fc.scheme = Scheme::kBiasOnly;
  const PrecisionCosts frozen = precision_costs(layer_precisions(Engine(tiny(), t)));
  EXPECT_EQ(frozen.c_c, 0u);
  EXPECT_EQ(frozen.c_w, (18u + 24u) * 4u);
  EXPECT_EQ(frozen.c_m, all.c_m);  // the metric counts one back-prop iteration's products
}

}  // namespace
}  // namespace lrt::golden

namespace lrt::golden {
namespace {

TEST(PerTensorPrecision, EachLayerRunsAtItsOwnFormats) {
  // default network: conv1 (6-bit weights, 7-bit dz), conv2 (5-bit input from BN, 6-bit dz),
  // fc (4-bit weights over range 1/2, 5-bit input).
  TrainSpecs t;
  t.layer_precision.resize(3);
  t.layer_precision[0].weight = {6, 1.0};
  t.layer_precision[0].gradient = {7, 1.0};
  t.layer_precision[1].activation_bits = 5;
  t.layer_precision[1].gradient = {6, 0.5};
  t.layer_precision[2].weight = {4, 0.5};
  t.layer_precision[2].activation_bits = 5;
  Engine e(default_network(), t, 4);
  const std::vector<int>& tl = e.trainable_layers();
  EXPECT_EQ(e.affine(tl[0]).weight_format().bits, 6);
  EXPECT_EQ(e.affine(tl[0]).grad_format().bits, 7);
  EXPECT_EQ(e.affine(tl[0]).in_format().bits, 8);  // the image
  EXPECT_EQ(e.affine(tl[1]).in_format().bits, 5);  // the BN output feeding conv2
  EXPECT_EQ(e.affine(tl[1]).weight_format().bits, 8);
  EXPECT_EQ(e.affine(tl[1]).grad_format().frac_bits, 6);  // 6 bits over [-1/2, 1/2): LSB 2^-6
  EXPECT_EQ(e.affine(tl[2]).weight_format().frac_bits, 4);  // 4 bits over [-1/2, 1/2): LSB 2^-4
  EXPECT_EQ(e.affine(tl[2]).in_format().bits, 5);
  for (size_t j = 0; j < 3; ++j) {  // He init lands inside each layer's own code range
    const AffineLayer& a = e.affine(tl[j]);
    const Matrix<int32_t>& w = a.weight_codes();
    for (size_t i = 0; i < w.rows() * w.cols(); ++i) {
      ASSERT_GE(w.data()[i], a.weight_format().min_code());
      ASSERT_LE(w.data()[i], a.weight_format().max_code());
    }
  }
  const std::vector<LayerPrecision> lp = layer_precisions(e);
  EXPECT_EQ(lp[0].b_w, 6);
  EXPECT_EQ(lp[1].b_a, 5);
  EXPECT_EQ(lp[1].b_ga, 6);
  EXPECT_EQ(lp[2].b_w, 4);
  // The first layer reads the 8-bit image: another B_A is refused, as is a wrong entry count.
  t.layer_precision[0].activation_bits = 6;
  EXPECT_THROW(Engine(default_network(), t, 4), std::invalid_argument);
  t.layer_precision.resize(2);
  EXPECT_THROW(Engine(default_network(), t, 4), std::invalid_argument);
}

}  // namespace
}  // namespace lrt::golden
