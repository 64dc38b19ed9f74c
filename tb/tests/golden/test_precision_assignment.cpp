// Claim 1 of Sakr & Shanbhag (precision_assignment.h) on a hand-computed two-layer case, and
// the noise-gain estimator (noise_gains.h) against closed forms: a single fc layer, whose eq. 6
// gains, gradient statistics and square-Jacobian are analytic, and the square-Jacobian of a
// conv layer with a constant input (rank one).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "golden/precision/noise_gains.h"
#include "golden/precision/precision_assignment.h"

namespace lrt::golden {
namespace {

TEST(PrecisionAssignment, PowerOfTwoHelpers) {
  EXPECT_EQ(pow2_at_least(1.0), 1.0);
  EXPECT_EQ(pow2_at_least(0.6), 1.0);
  EXPECT_EQ(pow2_at_least(3.0), 4.0);
  EXPECT_EQ(pow2_at_least(0.2), 0.25);
  EXPECT_EQ(pow2_below(1.0), 0.5);  // strictly below
  EXPECT_EQ(pow2_below(0.7), 0.5);
  EXPECT_EQ(pow2_below(0.025), 0.015625);
  EXPECT_EQ(bits_for(1.0, 0.015625), 7);
  EXPECT_EQ(bits_for(0.25, 0.0078125), 6);
  EXPECT_EQ(eq1_offset(64.0, 1.0), 3);
  EXPECT_EQ(eq1_offset(2.0, 1.0), 1);   // rnd(0.5) = 1: halves away from zero
  EXPECT_EQ(eq1_offset(2.9, 1.0), 1);   // rnd(0.768)
  EXPECT_EQ(eq1_offset(1.9, 1.0), 0);   // rnd(0.463)
}

// Hand computation (B_min = 4, gamma_min = 0.01):
// E_min = 1 (layer 2's E_A). Layer 1: B_W = rnd(log2 sqrt 64) + 4 = 7, B_A = rnd(log2 sqrt 4) + 4 = 5;
//   r_GW = 2^ceil(log2 0.6) = 1; Delta_GW = largest 2^k < 0.1/4 = 0.025 -> 2^-6; B_GW = 6 + 1 = 7;
//   r_GA = 2^ceil(log2 0.2) = 0.25; Delta_GA < 2^-6 / sqrt(16) * (1296/16)^(1/4) = 2^-6 * 3/4 =
//   0.01171875 -> 2^-7; B_GA = log2(0.25 / 2^-7) + 1 = 6;
//   r_acc = 1 * 2^-7; Delta_acc < 0.01 * 2^-6 = 1.5625e-4 -> 2^-13; B_acc = 6 + 1 = 7.
// Layer 2 (every bound met with equality, so the strict ones step down): E_W = 2 -> rnd(0.5) = 1,
//   B_W = 5, B_A = 4; r_GW = 2 * 0.5 = 1 exactly; Delta_GW < 0.25/4 = 2^-4 -> 2^-5, B_GW = 6;
//   r_GA = 4 * 0.125 = 0.5; Delta_GA < 2^-5 / 1 * 1 -> 2^-6, B_GA = 6; r_W = 0.5: r_acc = 0.5 * 2^-5
//   = 2^-6, Delta_acc < 0.01 * 2^-5 = 3.125e-4 -> 2^-12, B_acc = 7.
TEST(PrecisionAssignment, HandComputedTwoLayerCase) {
  std::vector<LayerNoiseStats> s(2);
  s[0].e_w = 64.0;
  s[0].e_a = 4.0;
  s[0].sigma_gw_max = 0.3;
  s[0].sigma_gw_min = 0.1;
  s[0].sigma_ga_max = 0.05;
  s[0].lambda_max = 16.0;
  s[0].gw_count = 1296;
  s[0].ga_count = 16;
  s[0].weight_range = 1.0;
  s[1].e_w = 2.0;
  s[1].e_a = 1.0;
  s[1].sigma_gw_max = 0.5;
  s[1].sigma_gw_min = 0.25;
  s[1].sigma_ga_max = 0.125;
  s[1].lambda_max = 1.0;
  s[1].gw_count = 10;
  s[1].ga_count = 10;
  s[1].weight_range = 0.5;
  AssignmentParams p;
  p.b_min = 4;
  p.gamma_min = 0.01;
  const std::vector<LayerAssignment> a = assign_precision(s, p);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].b_w, 7);
  EXPECT_EQ(a[0].b_a, 5);
  EXPECT_EQ(a[0].r_gw, 1.0);
  EXPECT_EQ(a[0].delta_gw, std::ldexp(1.0, -6));
  EXPECT_EQ(a[0].b_gw, 7);
  EXPECT_EQ(a[0].r_ga, 0.25);
  EXPECT_EQ(a[0].delta_ga, std::ldexp(1.0, -7));
  EXPECT_EQ(a[0].b_ga, 6);
  EXPECT_EQ(a[0].r_acc, std::ldexp(1.0, -7));
  EXPECT_EQ(a[0].delta_acc, std::ldexp(1.0, -13));
  EXPECT_EQ(a[0].b_acc, 7);
  EXPECT_EQ(a[1].b_w, 5);
  EXPECT_EQ(a[1].b_a, 4);
  EXPECT_EQ(a[1].r_gw, 1.0);
  EXPECT_EQ(a[1].delta_gw, std::ldexp(1.0, -5));
  EXPECT_EQ(a[1].b_gw, 6);
  EXPECT_EQ(a[1].r_ga, 0.5);
  EXPECT_EQ(a[1].delta_ga, std::ldexp(1.0, -6));
  EXPECT_EQ(a[1].b_ga, 6);
  EXPECT_EQ(a[1].r_w, 0.5);
  EXPECT_EQ(a[1].r_acc, std::ldexp(1.0, -6));
  EXPECT_EQ(a[1].delta_acc, std::ldexp(1.0, -12));
  EXPECT_EQ(a[1].b_acc, 7);
  // B_min shifts every feedforward width and nothing else.
  p.b_min = 6;
  const std::vector<LayerAssignment> b = assign_precision(s, p);
  EXPECT_EQ(b[0].b_w, 9);
  EXPECT_EQ(b[1].b_a, 6);
  EXPECT_EQ(b[0].b_ga, 6);
  EXPECT_EQ(b[0].b_acc, 5);  // r_acc = 2^-9 follows B_W: log2(2^-9 / 2^-13) + 1
}

TEST(PrecisionAssignment, RefusesMissingStatistics) {
  std::vector<LayerNoiseStats> s(1);
  s[0] = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1, 1, 1.0};
  EXPECT_NO_THROW(assign_precision(s, {}));
  s[0].sigma_gw_min = 0.0;  // e.g. no gradient ever seen
  EXPECT_THROW(assign_precision(s, {}), std::invalid_argument);
  EXPECT_THROW(assign_precision({}, {}), std::invalid_argument);
}

// One fc layer z = alpha W a + b (4 inputs, 3 classes), no clamps, no max-norm. Closed forms:
// d(Z_i - Z_y)/dw_{o,t} = alpha a_t (delta_oi - delta_oy), so sum_w |.|^2 = 2 alpha^2 |a|^2 and
// E_W = mean_samples sum_{i != y} alpha^2 |a|^2 / (Z_i - Z_y)^2; d(Z_i - Z_y)/da_t = alpha (W_it - W_yt),
// E_A = mean sum_{i != y} alpha^2 |W_i - W_y|^2 / (2 (Z_i - Z_y)^2). dz = softmax - onehot, G_W = dz a^T;
// the square-Jacobian of G_W w.r.t. dz is I_3 (x) (a o a) column-wise: lambda = |a o a|_2.
// Tolerance 1e-12 relative: a dozen double operations per term.
TEST(NoiseGains, SingleFcLayerMatchesClosedForm) {
  FloatNetwork net;
  net.input_lsb = 1.0 / 16.0;
  FloatLayer L;
  L.shape.spec = {LayerKind::kFc, 3};
  L.shape.in = {2, 2, 1};
  L.shape.out = {1, 1, 3};
  L.alpha = 0.5;
  L.w = {0.3, -0.2, 0.5, 0.1, -0.4, 0.25, 0.05, -0.3, 0.2, 0.2, -0.1, 0.6};
  L.b = {0.1, -0.05, 0.0};
  net.layers.push_back(L);
  const std::vector<std::vector<uint8_t>> images = {{3, 7, 1, 12}, {9, 2, 5, 4}};
  const std::vector<int> labels = {2, 0};
  const double theta = 0.1;
  NoiseGainEstimator est(net, theta);
  double ew = 0.0, ea = 0.0;
  std::vector<double> var_gw, var_ga, lam;
  for (size_t n = 0; n < images.size(); ++n) {
    std::vector<double> a(4), z(3);
    for (int t = 0; t < 4; ++t) a[static_cast<size_t>(t)] = images[n][static_cast<size_t>(t)] / 16.0;
    for (int o = 0; o < 3; ++o) {
      double s = 0.0;
      for (int t = 0; t < 4; ++t) s += L.w[static_cast<size_t>(o * 4 + t)] * a[static_cast<size_t>(t)];
      z[static_cast<size_t>(o)] = L.alpha * s + L.b[static_cast<size_t>(o)];
    }
    int y = 0;
    for (int o = 1; o < 3; ++o)
      if (z[static_cast<size_t>(o)] > z[static_cast<size_t>(y)]) y = o;
    double a2 = 0.0, a4 = 0.0;
    for (double v : a) {
      a2 += v * v;
      a4 += v * v * v * v;
    }
    for (int i = 0; i < 3; ++i) {
      if (i == y) continue;
      const double d = z[static_cast<size_t>(i)] - z[static_cast<size_t>(y)];
      double wd = 0.0;
      for (int t = 0; t < 4; ++t) {
        const double e = L.w[static_cast<size_t>(i * 4 + t)] - L.w[static_cast<size_t>(y * 4 + t)];
        wd += e * e;
      }
      ew += L.alpha * L.alpha * a2 / (d * d);
      ea += L.alpha * L.alpha * wd / (2.0 * d * d);
    }
    // Softmax cross-entropy gradient and the tensor variances.
    double zmax = std::max({z[0], z[1], z[2]}), sum = 0.0;
    for (double v : z) sum += std::exp(v - zmax);
    std::vector<double> dz(3), gw;
    for (int o = 0; o < 3; ++o)
      dz[static_cast<size_t>(o)] = std::exp(z[static_cast<size_t>(o)] - zmax) / sum - (o == labels[n] ? 1.0 : 0.0);
    for (int o = 0; o < 3; ++o)
      for (int t = 0; t < 4; ++t) gw.push_back(dz[static_cast<size_t>(o)] * a[static_cast<size_t>(t)]);
    auto var = [](const std::vector<double>& v) {
      double m = 0.0, s = 0.0;
      for (double x : v) m += x;
      m /= static_cast<double>(v.size());
      for (double x : v) s += (x - m) * (x - m);
      return s / static_cast<double>(v.size());
    };
    var_gw.push_back(var(gw));
    var_ga.push_back(var(dz));
    lam.push_back(std::sqrt(a4));
    est.add(images[n].data(), labels[n]);
    EXPECT_NEAR(square_jacobian_lambda(L.shape, a.data()), std::sqrt(a4), 1e-12 * std::sqrt(a4));
  }
  const std::vector<LayerNoiseStats> s = est.stats();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(est.samples(), 2u);
  EXPECT_NEAR(s[0].e_w, ew / 2.0, 1e-12 * ew);
  EXPECT_NEAR(s[0].e_a, ea / 2.0, 1e-12 * ea);
  // Moving averages after two samples: s1, then (1 - theta) s1 + theta s2.
  const double gw2 = (1 - theta) * var_gw[0] + theta * var_gw[1];
  const double ga2 = (1 - theta) * var_ga[0] + theta * var_ga[1];
  const double l2 = (1 - theta) * lam[0] + theta * lam[1];
  EXPECT_NEAR(s[0].sigma_gw_max, std::sqrt(std::max(var_gw[0], gw2)), 1e-12);
  EXPECT_NEAR(s[0].sigma_gw_min, std::sqrt(std::min(var_gw[0], gw2)), 1e-12);
  EXPECT_NEAR(s[0].sigma_ga_max, std::sqrt(std::max(var_ga[0], ga2)), 1e-12);
  EXPECT_NEAR(s[0].lambda_max, std::max(lam[0], l2), 1e-12 * lam[0]);
  EXPECT_EQ(s[0].gw_count, 12);
  EXPECT_EQ(s[0].ga_count, 3);
}

// A conv layer on a constant input c: every im2col entry squared is c^2, S = c^2 1 1^T
// (P x k), whose largest singular value is c^2 sqrt(P k).
TEST(NoiseGains, ConvSquareJacobianOfConstantInput) {
  LayerShape s;
  s.spec = {LayerKind::kConv3x3, 4};
  s.in = {6, 5, 3};
  s.out = {4, 3, 4};
  const double c = 0.75;
  std::vector<double> a(static_cast<size_t>(s.in.size()), c);
  const double want = c * c * std::sqrt(12.0 * 27.0);
  EXPECT_NEAR(square_jacobian_lambda(s, a.data()), want, 1e-12 * want);
}

}  // namespace
}  // namespace lrt::golden
