// The LRT weight-update rule on hand-computed cases. With n_o = n_i = 2 and rank 2 the
// biased float reducer is exact (the sum has rank <= 2), so every update code below
// follows by hand from the authors' dW = -eta * B_eff^p * g * sum (with max-norm on the
// factors, App. D) or, in the tests of the former rule (tiny_params' mean = true),
// dW = -eta * B_eff^p * (sum / B_eff); all chosen values stay at least 0.005 LSB away from
// a rounding tie except where a tie is the point (and then the reducer's result is exact:
// single axis-aligned pairs give L = R = e_0 exactly).
#include <gtest/gtest.h>


#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "golden/training/lrt_accumulator.h"

namespace lrt::golden {
namespace {

using Codes = Matrix<int32_t>;

LrtAccumulatorParams tiny_params(int batch, double eta, double p, double rho_min, bool mean = true) {
  LrtAccumulatorParams prm;
  prm.sum_update = !mean;
  prm.reducer.n_o = 2;
  prm.reducer.n_i = 2;
  prm.reducer.rank = 2;
  prm.reducer.mode = RankReduceMode::kBiased;
  prm.reducer.kappa_th = 0.0;
  prm.batch = batch;
  prm.learning_rate = eta;
  prm.batch_exponent = p;
  prm.rho_min = rho_min;
  prm.weight_lsb = 0.125;  // 2^-3
  prm.code_min = -8;       // 4-bit codes
  prm.code_max = 7;
  return prm;
}

Codes codes(int32_t w00, int32_t w01, int32_t w10, int32_t w11) {
  Codes c(2, 2);
  c(0, 0) = w00;
  c(0, 1) = w01;
  c(1, 0) = w10;
  c(1, 1) = w11;
  return c;
}

void offer(LrtAccumulator& acc, double d0, double d1, double a0, double a1) {
  const double dz[2] = {d0, d1};
  const double a[2] = {a0, a1};
  acc.offer(dz, a);
}

TEST(RoundHalfUp, TiesGoTowardPlusInfinityAndSaturate) {
  EXPECT_EQ(round_half_up_saturating(0.5), 1);
  EXPECT_EQ(round_half_up_saturating(-0.5), 0);
  EXPECT_EQ(round_half_up_saturating(1.5), 2);
  EXPECT_EQ(round_half_up_saturating(-1.5), -1);
  EXPECT_EQ(round_half_up_saturating(-2.5000000000000004), -3);
  EXPECT_EQ(round_half_up_saturating(0.49999999999999994), 0);  // x + 0.5 would round to 1
  EXPECT_EQ(round_half_up_saturating(-0.49999999999999994), 0);
  EXPECT_EQ(round_half_up_saturating(0.0), 0);
  EXPECT_EQ(round_half_up_saturating(2147483646.5), 2147483647);
  EXPECT_EQ(round_half_up_saturating(2147483647.0), 2147483647);
  EXPECT_EQ(round_half_up_saturating(1e300), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(round_half_up_saturating(-2147483648.5), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(round_half_up_saturating(-1e300), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(round_half_up_saturating(std::numeric_limits<double>::infinity()), std::numeric_limits<int32_t>::max());
  EXPECT_THROW(round_half_up_saturating(std::nan("")), std::domain_error);
}

TEST(LrtAccumulator, SquareRootRuleAppliesAndSaturates) {
  // Sample 1: e0 (x) e0; sample 2: e1 (x) 2 e1. Sum = diag(1, 2), B_eff = 2.
  // dW = -0.5 * sqrt(2) * diag(1, 2) / 2 = diag(-0.35355, -0.70711) = diag(-2.83, -5.66) LSB
  // -> codes diag(-3, -6); density 2/4 = 0.5 >= rho_min = 0.5: applied.
  // W(0,0) = -8 is already at code_min: stays (not counted as changed);
  // W(1,1) = -5 - 6 = -11 saturates to -8 (changed). Off-diagonal codes are 0.
  LrtAccumulator acc(tiny_params(2, 0.5, 0.5, 0.5));
  Codes w = codes(-8, 7, 3, -5);
  offer(acc, 1, 0, 1, 0);
  LrtUpdateResult r = acc.end_sample(w);
  EXPECT_FALSE(r.attempted);
  EXPECT_TRUE(w == codes(-8, 7, 3, -5));
  offer(acc, 0, 1, 0, 2);
  r = acc.end_sample(w);
  EXPECT_TRUE(r.attempted);
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.batch_eff, 2);
  EXPECT_EQ(r.nonzero, 2);
  EXPECT_EQ(r.density, 0.5);
  EXPECT_EQ(r.changed, 1);
  EXPECT_TRUE(acc.last_update_codes() == codes(-3, 0, 0, -6));
  EXPECT_TRUE(w == codes(-8, 7, 3, -8));
  // Reset after the applied update.
  EXPECT_EQ(acc.samples_since_update(), 0);
  Matrix<double> L, R;
  acc.reducer().factors(L, R);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(L.data()[i], 0.0);
}

TEST(LrtAccumulator, SparseUpdatesKeepAccumulatingWithGrowingEffectiveBatch) {
  // Each sample offers two pairs (as a conv layer offers several): 0.04 e0 (x) e0 and
  // 0.04 e1 (x) e1 (dz = 0.2 e_i, a = 0.2 e_i). After B_eff samples the sum is
  // 0.04 B_eff I, so dW = -0.5 * sqrt(B_eff) * 0.04 I, in LSB -0.16 sqrt(B_eff):
  //   B_eff = 2, 4, 6, 8: -0.226, -0.320, -0.392, -0.453 -> code 0, density 0 < 0.5;
  //   B_eff = 10: -0.506 -> code -1 on the diagonal, density 0.5: applied.
  LrtAccumulator acc(tiny_params(2, 0.5, 0.5, 0.5));
  Codes w = codes(0, 0, 0, 0);
  for (int sample = 1; sample <= 10; ++sample) {
    offer(acc, 0.2, 0, 0.2, 0);
    offer(acc, 0, 0.2, 0, 0.2);
    const LrtUpdateResult r = acc.end_sample(w);
    EXPECT_EQ(r.attempted, sample % 2 == 0) << sample;
    if (!r.attempted) continue;
    EXPECT_EQ(r.batch_eff, sample);
    if (sample < 10) {
      EXPECT_FALSE(r.applied) << sample;
      EXPECT_EQ(r.density, 0.0);
      EXPECT_TRUE(w == codes(0, 0, 0, 0));
    } else {
      EXPECT_TRUE(r.applied);
      EXPECT_EQ(r.nonzero, 2);
      EXPECT_EQ(r.changed, 2);
      EXPECT_TRUE(w == codes(-1, 0, 0, -1));
    }
  }
  EXPECT_EQ(acc.reducer().stats().pairs, 20u);
}

TEST(LrtAccumulator, LinearRuleGivesMinusEtaTimesTheSum) {
  // p = 1: dW = -eta * sum = -0.5 diag(1, 2) = diag(-4, -8) LSB; -8 is code_min.
  LrtAccumulator acc(tiny_params(2, 0.5, 1.0, 0.0));
  Codes w = codes(0, 0, 0, 0);
  offer(acc, 1, 0, 1, 0);
  acc.end_sample(w);
  offer(acc, 0, 1, 0, 2);
  const LrtUpdateResult r = acc.end_sample(w);
  EXPECT_TRUE(r.applied);
  EXPECT_TRUE(w == codes(-4, 0, 0, -8));
}

TEST(LrtAccumulator, QuantizationTiesRoundTowardPlusInfinity) {
  // One exact pair e0 (x) e0, B = 1: dW = -eta, and eta = +-5/16 = +-2.5 LSB exactly.
  for (const auto& [eta, expected] : {std::pair{0.3125, -2}, {-0.3125, 3}}) {
    LrtAccumulator acc(tiny_params(1, eta, 0.5, 0.0));
    Codes w = codes(0, 0, 0, 0);
    offer(acc, 1, 0, 1, 0);
    EXPECT_TRUE(acc.end_sample(w).applied);
    EXPECT_EQ(w(0, 0), expected) << eta;
  }
}

TEST(LrtAccumulator, RhoZeroAppliesEvenAnEmptyUpdate) {
  LrtAccumulator acc(tiny_params(1, 0.5, 0.5, 0.0));
  Codes w = codes(1, 2, 3, 4);
  const LrtUpdateResult r = acc.end_sample(w);  // a sample with no pairs at all
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.nonzero, 0);
  EXPECT_EQ(r.changed, 0);
  EXPECT_TRUE(w == codes(1, 2, 3, 4));
}

TEST(LrtAccumulator, RejectsBadParamsAndShapes) {
  auto bad = [](auto mutate) {
    LrtAccumulatorParams p = tiny_params(1, 0.5, 0.5, 0.5);
    mutate(p);
    return p;
  };
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.batch = 0; })), std::invalid_argument);
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.rho_min = 1.5; })), std::invalid_argument);
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.rho_min = std::nan(""); })), std::invalid_argument);
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.weight_lsb = 0.0; })), std::invalid_argument);
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.learning_rate = HUGE_VAL; })), std::invalid_argument);
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.code_min = 8; })), std::invalid_argument);
  EXPECT_THROW(LrtAccumulator(bad([](auto& p) { p.reducer.rank = 0; })), std::invalid_argument);
  LrtAccumulator acc(tiny_params(1, 0.5, 0.5, 0.5));
  Codes wrong(3, 2);
  EXPECT_THROW(acc.end_sample(wrong), std::invalid_argument);
}

// Appendix D as the authors' MaxNorm class computes it (lr/layers.py), in plain doubles: the
// independent reference for the accumulator's factor max-norm.
struct ReferenceMaxNorm {
  double beta = 0.999, eps = 1e-4, mv = 1e-4, beta_k = 1.0;
  double divisor(double max_abs) {
    beta_k *= beta;
    const double x = max_abs + eps;
    mv = beta * mv + (1.0 - beta) * x;
    return std::max(x, mv / (1.0 - beta_k));
  }
};

// A rank-1 stream: every sample offers dz = e0, a = 0.1 e0, so after B_eff samples the
// estimate is S e0 e0^T with S = 0.1 B_eff, and the factors are L = R = sqrt(S) e0 (up to a
// common sign). B = 10; g = alpha = 0.5; LSB 1/8; rho_min 0.25 (one non-zero cell of four).
// The authors' update (layers.py update_W_SKS_B with lr_pb_pow 0.5, lr_pb_pow_post 0):
//   no-norm:  dW00 = -eta sqrt(B_eff) g S
//   max-norm: dW00 = -eta sqrt(B_eff) (g sqrt(S) / D_L) (sqrt(S) / D_R), D from App. D.
// eta = 0.01 (no-norm): -0.126, -0.358, -0.657 LSB at B_eff = 10, 20, 30;
// eta = 0.012 (max-norm): -0.230, -0.429, -0.526 LSB. Both round to 0, 0, -1: the gate keeps
// accumulating (discount 1.0: no restart) and the update lands at B_eff = 30.
void expect_authors_rank1_stream(bool max_norm, double eta) {
  LrtAccumulatorParams prm = tiny_params(10, eta, 0.5, 0.25, /*mean=*/false);
  prm.gradient_scale = 0.5;
  prm.max_norm = max_norm;
  LrtAccumulator acc(prm);
  ReferenceMaxNorm ref_l, ref_r;
  Codes w = codes(0, 0, 0, 0);
  for (int sample = 1; sample <= 30; ++sample) {
    offer(acc, 1.0, 0, 0.1, 0);
    const LrtUpdateResult r = acc.end_sample(w);
    ASSERT_EQ(r.attempted, sample % 10 == 0) << sample;
    if (!r.attempted) continue;
    const double b_eff = sample, s = 0.1 * b_eff;
    double dw = -eta * std::sqrt(b_eff) * 0.5 * s;
    if (max_norm) dw /= ref_l.divisor(0.5 * std::sqrt(s)) * ref_r.divisor(std::sqrt(s));
    const int32_t expected = round_half_up_saturating(dw / 0.125);
    EXPECT_EQ(r.batch_eff, sample);
    EXPECT_EQ(acc.last_update_codes()(0, 0), expected) << "B_eff " << sample << ", dW " << dw / 0.125 << " LSB";
    EXPECT_EQ(r.applied, sample == 30) << sample;
    EXPECT_FALSE(r.restarted);
  }
  EXPECT_TRUE(w == codes(-1, 0, 0, 0));
  EXPECT_EQ(acc.factor_norms().size(), max_norm ? 2u : 0u);
}

TEST(LrtAccumulatorAuthorsRule, SumUpdateOfARankOneStreamAtBeff10To30WithoutMaxNorm) {
  expect_authors_rank1_stream(false, 0.01);
}

TEST(LrtAccumulatorAuthorsRule, SumUpdateOfARankOneStreamAtBeff10To30WithMaxNormOnTheFactors) {
  expect_authors_rank1_stream(true, 0.012);
}

TEST(LrtAccumulatorAuthorsRule, SumIsMeanTimesBeff) {
  // The same two samples under both rules: the sum rule's update is B_eff = 2 times the mean
  // rule's. Sum diag(1, 2), eta 0.25, p 0.5: mean -0.25 sqrt(2) diag(1, 2) / 2 = diag(-1.41,
  // -2.83) LSB -> (-1, -3); sum: diag(-2.83, -5.66) -> (-3, -6).
  for (const bool mean : {true, false}) {
    LrtAccumulator acc(tiny_params(2, 0.25, 0.5, 0.0, mean));
    Codes w = codes(0, 0, 0, 0);
    offer(acc, 1, 0, 1, 0);
    acc.end_sample(w);
    offer(acc, 0, 1, 0, 2);
    ASSERT_TRUE(acc.end_sample(w).applied);
    EXPECT_TRUE(w == (mean ? codes(-1, 0, 0, -3) : codes(-3, 0, 0, -6))) << mean;
  }
}

}  // namespace
}  // namespace lrt::golden

namespace lrt::golden {
namespace {

// With the fixed-point reducer the update's L R^T is one integer MAC job on the factor codes
// (LrtAccumulator::integer_product): its codes equal, bit for bit, the double loop over
// factors() that the float reference uses, round(-eta B_eff^p g sum_k L_ik R_jk / lsb), at a
// shape (23 x 31, rank 4, unbiased) whose factor codes span the full int16 range.
// The golden kernels, counting the factor-product jobs.
class CountingKernels final : public MacKernels {
 public:
  int factor_jobs = 0;
  void forward(const MacOperandBits& b, int m, int n, int k, const int16_t* a, const int16_t* w, int32_t* c) override {
    local_.forward(b, m, n, k, a, w, c);
  }
  void fc_forward(const MacOperandBits& b, int n_i, int n_o, const int16_t* x, const int16_t* wt,
                  int32_t* out) override {
    local_.fc_forward(b, n_i, n_o, x, wt, out);
  }
  void fc_backward_data(const MacOperandBits& b, int n_i, int n_o, const int16_t* dz, const int16_t* wt,
                        int32_t* dx) override {
    local_.fc_backward_data(b, n_i, n_o, dz, wt, dx);
  }
  void conv_backward_data(const MacOperandBits& b, const TensorShape& in, int c_out, const int16_t* dz,
                          const int16_t* wt, int32_t* dx) override {
    local_.conv_backward_data(b, in, c_out, dz, wt, dx);
  }
  void weight_gradient(const MacOperandBits& b, int pairs, int n_o, int k, const int16_t* dz, const int16_t* a,
                       int32_t* g) override {
    local_.weight_gradient(b, pairs, n_o, k, dz, a, g);
  }
  void bias_gradient(const MacOperandBits& b, int pairs, int n_o, const int16_t* dz, int32_t* db) override {
    local_.bias_gradient(b, pairs, n_o, dz, db);
  }
  void factor_product(const MacOperandBits& b, int n_o, int n_i, int rank, const int16_t* l, const int16_t* r,
                      int64_t* c) override {
    ++factor_jobs;
    local_.factor_product(b, n_o, n_i, rank, l, r, c);
  }
  void bn_forward(const TensorShape& shape, const int16_t* x, int shift_in, const BnNormalizeChannel* channels,
                  const ShiftQuantizer& yq, int32_t* xhat, int16_t* y, uint8_t* clipped) override {
    local_.bn_forward(shape, x, shift_in, channels, yq, xhat, y, clipped);
  }
  void bn_backward(const TensorShape& shape, const int16_t* dy, const uint8_t* clipped, const int32_t* xhat,
                   const BnBackwardChannel* channels, const BnBackwardSpec& spec, int16_t* dx, int64_t* dgamma,
                   int64_t* dbeta) override {
    local_.bn_backward(shape, dy, clipped, xhat, channels, spec, dx, dgamma, dbeta);
  }

 private:
  LocalMacKernels local_;
};

// Both LSB paths: a power of two (the product with its reciprocal) and not one (the division).
TEST(LrtAccumulatorFixed, IntegerFactorProductEqualsTheDoubleLoopOverTheFactors) {
  for (const double lsb : {1.0 / 1024, 0.0031}) {
    SCOPED_TRACE(lsb);
    LrtAccumulatorParams prm;
    prm.reducer.n_o = 23;
    prm.reducer.n_i = 31;
    prm.reducer.rank = 4;
    prm.reducer.mode = RankReduceMode::kUnbiased;
    prm.arith = RankReduceArith::kFixed;
    prm.batch = 3;
    prm.learning_rate = 0.7;
    prm.batch_exponent = 0.5;
    prm.rho_min = 0.0;
    prm.weight_lsb = lsb;
    prm.code_min = -30000;
    prm.code_max = 30000;
    LrtAccumulator acc(prm);
    CountingKernels kernels;
    Codes w(23, 31);
    std::mt19937_64 gen(3);
    std::vector<int16_t> dz(23), a(31);
    int attempts = 0;
    for (int sample = 1; sample <= 9; ++sample) {
      for (int pair = 0; pair < 5; ++pair) {
        for (int16_t& v : dz) v = static_cast<int16_t>(static_cast<int>(gen() % 255) - 127);
        for (int16_t& v : a) v = static_cast<int16_t>(gen() % 256);
        acc.offer_codes(dz.data(), 6, a.data(), 8);
      }
      Matrix<double> L, R;
      acc.reducer().factors(L, R);  // before end_sample resets them
      const LrtUpdateResult r = acc.end_sample(w, &kernels);
      if (!r.attempted) continue;
      ++attempts;
      EXPECT_EQ(kernels.factor_jobs, attempts);  // the integer path ran
      const double scale = -prm.learning_rate * std::sqrt(static_cast<double>(r.batch_eff));
      int32_t largest = 0;
      for (std::size_t i = 0; i < 23; ++i)
        for (std::size_t j = 0; j < 31; ++j) {
          double s = 0.0;
          for (std::size_t k = 0; k < 4; ++k) s += L(i, k) * R(j, k);
          const int32_t want = round_half_up_saturating(scale * s / prm.weight_lsb);
          ASSERT_EQ(acc.last_update_codes()(i, j), want) << sample << " " << i << " " << j;
          largest = std::max(largest, std::abs(want));
        }
      EXPECT_GT(largest, 100) << sample;  // the update is not trivially zero
    }
    EXPECT_EQ(attempts, 3);
  }
}

}  // namespace
}  // namespace lrt::golden
