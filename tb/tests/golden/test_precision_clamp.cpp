// golden::datapath_limits and clamp_to_datapath: what a conv/fc layer can take, and Claim 1's
// widths clamped to it with the reason (lrtsim precision writes the reasons as comments).
#include <gtest/gtest.h>

#include "golden/precision/precision_clamp.h"

namespace lrt::golden {
namespace {

NetworkSpec small_net() {
  NetworkSpec net;
  net.in_h = net.in_w = 12;
  net.layers = {{LayerKind::kConv3x3, 4}, {LayerKind::kMaxPool2, 0}, {LayerKind::kRelu, 0},
                {LayerKind::kBatchNorm, 0}, {LayerKind::kFc, 4}};
  return net;
}

TEST(PrecisionClamp, LimitsFollowTheLayersInputAndScheme) {
  TrainSpecs t;
  t.conv.scheme = Scheme::kNaiveBatch;
  t.fc.scheme = Scheme::kBiasOnly;
  const std::vector<DatapathLimits> lim = datapath_limits(small_net(), t);
  ASSERT_EQ(lim.size(), 2u);
  EXPECT_TRUE(lim[0].input_fed);  // conv reads the image
  EXPECT_EQ(lim[0].act_range, t.quant.input.range);
  EXPECT_EQ(lim[0].gw_bits, 32);
  EXPECT_EQ(lim[0].acc_bits, 64);  // naive_batch's int64 accumulator
  EXPECT_FALSE(lim[1].input_fed);  // fc after batchnorm: signed activations
  EXPECT_TRUE(lim[1].act_signed);
  EXPECT_EQ(lim[1].act_range, t.quant.activation_signed.range);
  EXPECT_EQ(lim[1].gw_bits, 0);  // bias_only forms no weight gradient
  EXPECT_EQ(lim[1].acc_bits, 0);
}

TEST(PrecisionClamp, ClampsWithTheReason) {
  LayerAssignment a;
  a.b_w = 10;  // above the MAC operands' 8 bits
  a.b_a = 5;   // the image is 8 bits: pinned
  a.b_ga = 6;
  a.r_ga = 0.5;
  a.b_gw = 20;  // pinned to the int32 words
  a.b_acc = 30;
  DatapathLimits l;
  l.input_fed = true;
  l.gw_bits = 32;
  l.acc_bits = 0;
  const ClampedPrecision c = clamp_to_datapath({a}, {l}, 0);
  EXPECT_EQ(c.wb[0].value, 8);
  EXPECT_NE(c.wb[0].note.find("Claim 1 gives 10 bits"), std::string::npos);
  EXPECT_EQ(c.ab[0].value, 8);
  EXPECT_NE(c.ab[0].note.find("8-bit image"), std::string::npos);
  EXPECT_EQ(c.gb[0].value, 6);
  EXPECT_TRUE(c.gb[0].note.empty());  // within 3..8: not clamped
  EXPECT_EQ(c.grange[0], 0.5);
  EXPECT_EQ(c.gwb[0].value, 32);
  EXPECT_EQ(c.accb[0].value, 0);
  // C-1: every width one less before clamping.
  const ClampedPrecision m = clamp_to_datapath({a}, {l}, -1);
  EXPECT_EQ(m.wb[0].value, 8);
  EXPECT_EQ(m.gb[0].value, 5);
}

}  // namespace
}  // namespace lrt::golden
