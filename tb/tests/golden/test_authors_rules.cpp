// The authors' training rules (docs/fidelity.md) on hand-computable cases: the layer scale
// alpha, the bias-corrected streaming BN statistics, BN's scale-only backward, and the bias
// gradient's own max-norm.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "golden/training/layers.h"
#include "golden/training/quant_flow.h"
#include "golden/training/streaming_bn.h"

namespace lrt::golden {
namespace {

TEST(AuthorsAlpha, FloorOfLog2OfSqrtThreeNlvarOverFanIn) {
  // wmult = 2^floor(log2 sqrt(3 nlvar / fan_in)) (lr/layers.py), by hand:
  //   fan_in 9, nlvar 2: sqrt(6/9) = 0.816 -> 2^-1; He nearest: sqrt(2/9) = 0.471 -> 2^-1.
  //   fan_in 1152, nlvar 2: sqrt(6/1152) = 0.0722 -> 2^-4; He nearest: 0.0417 -> 2^-5.
  //   fan_in 2048, nlvar 2: 0.0541 -> 2^-5; fan_in 512, nlvar 1 (fc2, no ReLU): 0.0765 -> 2^-4.
  //   fan_in 6, nlvar 2: sqrt(1) = 1 -> 2^0 exactly (the boundary 4^e fan_in = 3 nlvar is inclusive);
  //   fan_in 1, nlvar 1: sqrt(3) = 1.73 -> 2^0; fan_in 24, nlvar 2: sqrt(1/4) = 2^-1 exactly.
  EXPECT_EQ(alpha_exponent_authors(9, 2), -1);
  EXPECT_EQ(alpha_exponent(9), -1);
  EXPECT_EQ(alpha_exponent_authors(1152, 2), -4);
  EXPECT_EQ(alpha_exponent(1152), -5);
  EXPECT_EQ(alpha_exponent_authors(2048, 2), -5);
  EXPECT_EQ(alpha_exponent_authors(512, 1), -4);
  EXPECT_EQ(alpha_exponent_authors(6, 2), 0);
  EXPECT_EQ(alpha_exponent_authors(1, 1), 0);
  EXPECT_EQ(alpha_exponent_authors(24, 2), -1);
  EXPECT_EQ(alpha_exponent_authors(25, 2), -2);
  EXPECT_THROW(alpha_exponent_authors(0, 2), std::invalid_argument);
  EXPECT_THROW(alpha_exponent_authors(9, 3), std::invalid_argument);
  // Against the float formula over a range of fan-ins (ties excluded by the exact test above).
  for (int fan_in = 1; fan_in <= 5000; ++fan_in)
    for (int nlvar : {1, 2}) {
      const double x = std::log2(std::sqrt(3.0 * nlvar / fan_in));
      if (std::fabs(x - std::round(x)) < 1e-9) continue;
      ASSERT_EQ(alpha_exponent_authors(fan_in, nlvar), static_cast<int>(std::floor(x))) << fan_in << " " << nlvar;
    }
}

// One channel, 1x1 map, 16-bit Qb with 12 fraction bits as input, parameters and output.
const fx::Format kQ = fx::Format::signed_range(16, 3);
constexpr double kStat = 16777216.0;  // 2^24

TEST(AuthorsStreamingBn, BiasCorrectedStatisticsAfterAFewSamples) {
  // eta = 1 - 1/B with B = 10 (momentum 0.9). The authors' EMA from zero, divided by 1 - eta^k:
  //   x = 1, 2, 4 (one pixel: per-sample mean x, mean square x^2)
  //   k=1: mu = 0.1*1 / 0.1 = 1; k=2: (0.09 + 0.2) / 0.19 = 1.526316; k=3: (0.261 + 0.4) / 0.271
  //   = 2.439114. Mean squares: 1; (0.09 + 0.4) / 0.19 = 2.578947; (0.441 + 1.6) / 0.271 = 7.531365.
  // Without the correction (former rule, from mu = 0, sq = 1): mu = 0.1, 0.29, 0.661.
  StreamingBnOptions corrected;
  corrected.bias_correction = true;
  StreamingBn bn({1, 1, 1}, kQ, kQ, kQ, 10, 1e-5, corrected);
  StreamingBn plain({1, 1, 1}, kQ, kQ, kQ, 10, 1e-5);
  const double mu_ref[3] = {1.0, 1.526316, 2.439114}, sq_ref[3] = {1.0, 2.578947, 7.531365};
  const double mu_plain[3] = {0.1, 0.29, 0.661};
  const int16_t xs[3] = {4096, 8192, 16384};  // 1, 2, 4 in Qb
  int16_t y = 0;
  for (int k = 0; k < 3; ++k) {
    bn.forward(&xs[k], true, &y);
    plain.forward(&xs[k], true, &y);
    // Each step rounds once to 2^-24 (and divides by a d_k held with 16 fraction bits): 1e-5 is
    // far above the accumulated error and far below the digits checked.
    EXPECT_NEAR(static_cast<double>(bn.state().mu[0]) / kStat, mu_ref[k], 1e-5) << k;
    EXPECT_NEAR(static_cast<double>(bn.state().sq[0]) / kStat, sq_ref[k], 1e-5) << k;
    EXPECT_NEAR(static_cast<double>(plain.state().mu[0]) / kStat, mu_plain[k], 1e-6) << k;
    EXPECT_EQ(bn.state().steps, static_cast<uint64_t>(k + 1));
  }
}

TEST(AuthorsStreamingBn, CorrectionVanishesIntoThePlainEmaBitForBit) {
  // Once eta^k is below the 2^-16 resolution of d_k, the corrected EMA steps exactly as the plain one.
  StreamingBnOptions corrected;
  corrected.bias_correction = true;
  StreamingBn a({1, 1, 1}, kQ, kQ, kQ, 10, 1e-5, corrected), b({1, 1, 1}, kQ, kQ, kQ, 10, 1e-5);
  BnState s = a.state();
  s.steps = 1000;  // 0.9^1000 ~ 2e-46
  a.set_state(s);
  b.set_state(s);
  int16_t y = 0;
  for (int16_t x : {int16_t{100}, int16_t{-3000}, int16_t{7000}}) {
    a.forward(&x, true, &y);
    b.forward(&x, true, &y);
    EXPECT_EQ(a.state().mu, b.state().mu);
    EXPECT_EQ(a.state().sq, b.state().sq);
  }
}

TEST(AuthorsStreamingBn, ScaleOnlyBackwardIsDyGammaOverSigma) {
  // Two pixels x = (1, -1) absorbed into fresh corrected statistics: mu = 0, var = 1, sigma =
  // sqrt(1 + 1e-5). gamma = 1. dy = (0.5, 0.25): scale-only dx = dy / sigma = (0.499998, 0.249999)
  // -> Qb (2048, 1024) (0.0082, 0.0041 LSB below: rounds to the code). The exact derivative
  // subtracts the sample's share of the statistics, (1 / (B n)) (sum dy + xhat sum dy xhat) with
  // B = 10, n = 2: dx = dy - (0.0375 + xhat * 0.0125) = (0.45, 0.225) -> (1843, 922).
  for (const bool scale_only : {true, false}) {
    StreamingBnOptions o;
    o.bias_correction = true;
    o.backward_scale_only = scale_only;
    StreamingBn bn({1, 2, 1}, kQ, kQ, kQ, 10, 1e-5, o);
    const int16_t x[2] = {4096, -4096};
    int16_t y[2];
    bn.forward(x, true, y);
    const int16_t dy[2] = {2048, 1024};
    int16_t dx[2];
    bn.backward(dy, dx);
    if (scale_only) {
      EXPECT_EQ(dx[0], 2048);
      EXPECT_EQ(dx[1], 1024);
    } else {
      EXPECT_EQ(dx[0], 1843);
      EXPECT_EQ(dx[1], 922);
    }
  }
}

// A bias-only fc 2 -> 2 layer (lr 0.25, Qg 8-bit in [-1, 1), Qb kQ) after one training sample whose
// dz codes are (64, -32) Qg LSBs = (0.5, -0.25).
std::unique_ptr<AffineLayer> bias_only_fc_after_one_sample(bool max_norm, MaxNormPlacement placement) {
  AffineSetup s;
  s.in = fx::Format::unsigned_range(8, 1);
  s.weight = fx::Format::signed_range(8, 0);
  s.bias = kQ;
  s.grad = fx::Format::signed_range(8, 0);
  s.learning_rate = 0.25;
  s.max_norm = max_norm;
  s.max_norm_placement = placement;
  s.updater.kind.scheme = Scheme::kBiasOnly;
  const LayerShape shape{{LayerKind::kFc, 2}, {1, 1, 2}, {1, 1, 2}};
  auto layer = std::make_unique<AffineLayer>(shape, s);
  const int16_t x[2] = {10, 20};
  int16_t z[2];
  layer->forward(x, z, true);
  const int16_t dout[2] = {64 * 32, -32 * 32};  // Qb codes on the Qg grid
  int16_t din[2];
  layer->backward(x, dout, din, true);
  return layer;
}

TEST(AuthorsBiasMaxNorm, BiasGradientIsDividedByItsOwnMaxNorm) {
  // fc 2 -> 2 with max-norm at placement update: db = dz (one pair), divided by
  // D = max(max|db| + eps, corrected EMA) = max|db| + eps + 0.0999 at the first sample (App. D:
  // the moving average starts at eps; (beta eps + (1 - beta) x) / (1 - beta) = x + beta eps / (1 - beta)).
  // dz codes (Qg, 2^-7) = (64, -32): db = (0.5, -0.25); D = 0.5 + 1e-4 + 0.0999 = 0.6;
  // lr = 0.25: bias moves by -0.25 * (0.5, -0.25) / 0.6 = (-0.208333, 0.104167) = Qb codes
  // (-853.33, 426.67) -> (-853, 427). Without max-norm: (-0.125, 0.0625) -> (-512, 256).
  for (const bool norm : {true, false}) {
    const auto layer = bias_only_fc_after_one_sample(norm, MaxNormPlacement::kUpdate);
    EXPECT_EQ(layer->last_dz()[0], 64);  // backprop sees the un-normalized dz
    if (norm) {
      EXPECT_EQ(layer->bias_codes(), (std::vector<int32_t>{-853, 427}));
      EXPECT_EQ(layer->norm_states().size(), 1u);
    } else {
      EXPECT_EQ(layer->bias_codes(), (std::vector<int32_t>{-512, 256}));
      EXPECT_TRUE(layer->norm_states().empty());
    }
  }
}

TEST(FormerMaxNormPlacement, GradientPlacementNormalizesDzForBackpropAndBias) {
  // train.max_norm.placement = gradient (lrtsim's former rule): the same layer and dz as above,
  // but dz itself is divided by D = 0.6 before Qg: (0.5, -0.25) / 0.6 = (0.8333, -0.4167) ->
  // Qg codes (107, -53) (106.67, -53.33), which then feed backprop and the bias:
  // -0.25 * (107, -53) / 128 = (-0.208984375, 0.103515625) = Qb codes (-856, 424) exactly.
  const auto layer = bias_only_fc_after_one_sample(true, MaxNormPlacement::kGradient);
  EXPECT_EQ(layer->last_dz(), (std::vector<int16_t>{107, -53}));
  EXPECT_EQ(layer->bias_codes(), (std::vector<int32_t>{-856, 424}));
  EXPECT_TRUE(layer->max_norm().has_value());
  EXPECT_EQ(layer->norm_states().size(), 1u);
}

}  // namespace
}  // namespace lrt::golden
