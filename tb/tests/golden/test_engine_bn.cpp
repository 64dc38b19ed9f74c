// Streaming batch norm (Appendix E) in integer arithmetic: the integer square root, the
// exponential-moving-average statistics on constructed streams with closed-form expected
// values, and forward / backward / affine update against the double reference.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/fixed_point.h"
#include "core/rng.h"
#include "golden/precision/float_layers.h"
#include "golden/training/streaming_bn.h"

namespace lrt::golden {
namespace {

const fx::Format kQa = fx::Format::unsigned_range(8, 1);  // 2^-7
const fx::Format kQb = fx::Format::signed_range(16, 3);   // 2^-12
const fx::Format kQs = fx::Format::signed_range(8, 1);    // 2^-6
constexpr double kStat = 16777216.0;                      // 2^kStatFrac

TEST(EngineBn, IntegerSquareRoot) {
  for (uint64_t v = 0; v < 100000; ++v) {
    const uint64_t r = isqrt_floor(v);
    ASSERT_TRUE(r * r <= v && (r + 1) * (r + 1) > v) << v;
    const uint64_t n = isqrt_round(v);
    ASSERT_LE(std::fabs(static_cast<double>(n) - std::sqrt(static_cast<double>(v))), 0.5) << v;
  }
  CounterRng rng(5, 0);
  for (uint64_t i = 0; i < 100000; ++i) {
    const uint64_t v = rng.bits64(i) >> (i % 20);
    const uint64_t r = isqrt_floor(v);  // r < 2^32: r^2 and (r + 1)^2 - 1 fit in 64 bits
    ASSERT_TRUE(r * r <= v && (r + 1) * (r + 1) - 1 >= v) << v;
  }
  EXPECT_EQ(isqrt_floor(UINT64_MAX), 4294967295u);
}

// A 2x2 single-channel map with every pixel = code.
std::vector<int16_t> flat(int16_t code) { return std::vector<int16_t>(4, code); }

TEST(EngineBn, StatisticsAreTheExponentialMovingAverage) {
  // B = 4 (eta = 3/4), from the initial state mu = 0, sq = 1. Sample t (t = 1..N) has every
  // pixel equal to v_t, so mu_t = v_t and sq_t = v_t^2 exactly. Closed form:
  //   mu_N = sum_t (1 - eta) eta^(N-t) v_t,   sq_N = eta^N + sum_t (1 - eta) eta^(N-t) v_t^2.
  // Each step rounds once (the division by B, to 2^-24; the per-sample means are exact), so
  // the error obeys |e_t| <= eta |e_(t-1)| + 1/2 code, hence |e| <= B / 2 = 2 codes.
  const int b = 4;
  const double eta = 0.75;
  StreamingBn bn({2, 2, 1}, kQa, kQb, kQs, b, 1e-5);
  std::vector<int16_t> y(4);
  double mu = 0.0, sq = 1.0;
  for (int t = 1; t <= 40; ++t) {
    const auto v = static_cast<int16_t>((t * 37) % 256);
    bn.forward(flat(v).data(), true, y.data());
    const double val = v / 128.0;
    mu = eta * mu + (1 - eta) * val;
    sq = eta * sq + (1 - eta) * val * val;
    ASSERT_LE(std::fabs(static_cast<double>(bn.state().mu[0]) - mu * kStat), b / 2.0) << t;
    ASSERT_LE(std::fabs(static_cast<double>(bn.state().sq[0]) - sq * kStat), b / 2.0) << t;
  }
  // A forward that does not absorb leaves the statistics alone.
  const BnState before = bn.state();
  bn.forward(flat(255).data(), false, y.data());
  EXPECT_EQ(bn.state().mu, before.mu);
  EXPECT_EQ(bn.state().sq, before.sq);
}

TEST(EngineBn, AlternatingStreamNormalizesToPlusMinusSqrtEta) {
  // Samples alternate between all pixels = lo and all = hi. In steady state (eta^N -> 0),
  // after a lo sample mu = (lo + eta hi) / (1 + eta) and sq = (lo^2 + eta hi^2) / (1 + eta), so
  // lo - mu = -eta (hi - lo) / (1 + eta) and var = sq - mu^2 = eta (hi - lo)^2 / (1 + eta)^2:
  // the batch-formula variance of the EMA-weighted stream. The lo sample then normalizes to
  // -eta d / sqrt(eta d^2 + eps (1 + eta)^2) with d = hi - lo, i.e. about -sqrt(eta), and the
  // hi sample symmetrically to about +sqrt(eta).
  const int b = 4;
  const double eta = 0.75, eps = 1e-5;
  const int16_t lo = 64, hi = 192;  // 0.5, 1.5
  StreamingBn bn({2, 2, 1}, kQa, kQb, kQs, b, eps);
  std::vector<int16_t> y(4);
  for (int t = 0; t < 200; ++t) bn.forward(flat(t % 2 == 0 ? lo : hi).data(), true, y.data());
  // t = 199 was a hi sample; one more lo sample:
  bn.forward(flat(lo).data(), true, y.data());
  const double d = 1.0;
  const double expect_lo = -eta * d / std::sqrt(eta * d * d + eps * (1 + eta) * (1 + eta));
  const double mu = (0.5 + eta * 1.5) / (1 + eta);
  EXPECT_NEAR(static_cast<double>(bn.state().mu[0]) / kStat, mu, 1e-6);
  // Output in Qs codes (2^-6): within half an LSB plus the 2^-12 bound on the integer
  // normalizer's error (sigma, 1/sigma and xhat each carry <= 2^-17 rounding).
  for (int16_t v : y) EXPECT_LE(std::fabs(v - expect_lo * 64.0), 0.5 + 1.0 / 64) << expect_lo * 64.0;
  bn.forward(flat(hi).data(), true, y.data());
  for (int16_t v : y) EXPECT_LE(std::fabs(v + expect_lo * 64.0), 0.5 + 1.0 / 64);
}

TEST(EngineBn, ForwardBackwardAndUpdateMatchTheDoubleReference) {
  // Random Qa input, three channels, gamma/beta off their defaults, B = 4. The test checks
  // its own preconditions: sigma >= 0.5, |x - mu| <= 2, |xhat| <= 4, |gamma| <= 1.5, |dy| <= 1.
  // Error budget of the integer path (values; 2^-17 = half a 2^-16 LSB):
  //  * sigma = isqrt_round(...): |d sigma| <= 2^-17, so |d(1/sigma)| <= 2^-17 / sigma^2 + 2^-17
  //    (reciprocal rounding) <= 5 * 2^-17;
  //  * xhat = (x - mu) / sigma: |d xhat| <= 2 * 5 * 2^-17 + 2^-17 = 11 * 2^-17 (mu's error,
  //    <= 2^-24 B / 2, is negligible);
  //  * y = gamma xhat + beta: |dy| <= 1.5 * 11 * 2^-17 < 2^-12.9, i.e. < 1/64 of a Qs LSB;
  //  * dx = A t with A = gamma / sigma (|A| <= 3, |dA| <= 1.5 * 5 * 2^-17) and
  //    t = g - m1 - xhat m2 (|t| <= 1 + 1/4 + 4 * 1, |m2| <= max|g| max|xhat| / B = 1,
  //    |dt| <= 11 * 2^-17 + 2^-27): |d dx| <= 7.5 * 5.25 * 2^-17 + 3 * 11.1 * 2^-17 < 73 * 2^-17,
  //    i.e. < 2.3 Qb codes.
  // On top of those the final rounding adds half an LSB: bounds 0.5 + 1/64 (y, Qs codes) and
  // 0.5 + 2.3 (dx, Qb codes). A wrong term of the gradient is off by hundreds of codes.
  const TensorShape shape{5, 4, 3};
  const int b = 4;
  const double eta = 0.75, eps = 1e-5, lr = 0.125;
  StreamingBn bn(shape, kQa, kQb, kQs, b, eps);
  BnState st = bn.state();
  st.gamma = {4096 + 1000, 4096 - 2000, 6000};
  st.beta = {300, -700, 0};
  st.mu = {static_cast<int64_t>(0.9 * kStat), static_cast<int64_t>(1.1 * kStat),
           static_cast<int64_t>(0.8 * kStat)};
  st.sq = {static_cast<int64_t>(1.2 * kStat), static_cast<int64_t>(1.6 * kStat),
           static_cast<int64_t>(1.0 * kStat)};
  bn.set_state(st);
  CounterRng rng(9, 0);
  std::vector<int16_t> x(static_cast<size_t>(shape.size())), dy(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int16_t>(rng.bits32(i) % 256);
  for (size_t i = 0; i < x.size(); ++i)
    dy[i] = static_cast<int16_t>(static_cast<int>(rng.bits32(1000 + i) % 8193) - 4096);
  std::vector<int16_t> y(x.size()), dx(x.size());
  bn.forward(x.data(), true, y.data());
  // The integer layer passes no gradient where Qs clipped y (STE); the float reference has no
  // quantizer, so the test gives those outputs zero gradient in both.
  int clipped = 0;
  for (size_t i = 0; i < x.size(); ++i)
    if (y[i] == 127 || y[i] == -128) {
      dy[i] = 0;
      ++clipped;
    }
  EXPECT_LT(clipped, static_cast<int>(x.size()) / 4);
  bn.backward(dy.data(), dx.data());
  bn.update_affine(lr);

  std::vector<double> xf(x.size()), dyf(x.size()), yf(x.size()), dxf(x.size()), gamma(3), beta(3), dg(3),
      db(3);
  for (size_t i = 0; i < x.size(); ++i) xf[i] = fx::to_double(x[i], kQa);
  for (size_t i = 0; i < x.size(); ++i) dyf[i] = fx::to_double(dy[i], kQb);
  fref::BnStats prev;
  for (int c = 0; c < 3; ++c) {
    gamma[c] = fx::to_double(st.gamma[c], kQb);
    beta[c] = fx::to_double(st.beta[c], kQb);
    prev.mu.push_back(static_cast<double>(st.mu[c]) / kStat);
    prev.sq.push_back(static_cast<double>(st.sq[c]) / kStat);
  }
  fref::BnStats next;
  fref::batchnorm_forward(shape, xf.data(), gamma.data(), beta.data(), prev, eta, eps, yf.data(), &next);
  fref::batchnorm_backward(shape, xf.data(), gamma.data(), prev, eta, eps, dyf.data(), dxf.data(), dg.data(),
                           db.data());
  for (int c = 0; c < 3; ++c) {
    const double sigma = std::sqrt(next.sq[c] - next.mu[c] * next.mu[c] + eps);
    ASSERT_GE(sigma, 0.5);
    for (int64_t p = 0; p < shape.h * shape.w; ++p) {
      const double centered = xf[static_cast<size_t>(p * 3 + c)] - next.mu[c];
      ASSERT_LE(std::fabs(centered), 2.0);
      ASSERT_LE(std::fabs(centered / sigma), 4.0);
    }
    ASSERT_LE(std::fabs(gamma[c]), 1.5);
    // One EMA step from exact values: the integer statistics are within one rounding.
    EXPECT_LE(std::fabs(static_cast<double>(bn.state().mu[c]) - next.mu[c] * kStat), 1.0);
    EXPECT_LE(std::fabs(static_cast<double>(bn.state().sq[c]) - next.sq[c] * kStat), 1.0);
  }
  int nonzero_dx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (dy[i] != 0 || (y[i] != 127 && y[i] != -128)) {
      EXPECT_LE(std::fabs(y[i] - yf[i] * 64.0), 0.5 + 1.0 / 64) << i;
      EXPECT_LE(std::fabs(dx[i] - dxf[i] * 4096.0), 0.5 + 2.3) << i;
      nonzero_dx += dx[i] != 0;
    }
  }
  EXPECT_GT(nonzero_dx, static_cast<int>(x.size()) / 2);
  // Affine update: round(-lr dgamma / 2^-12), round(-lr dbeta / 2^-12). dbeta is exact in
  // both; dgamma differs by at most n * |dy| * 2^-13 = 20 * 2^-13, i.e. < 0.04 codes after
  // the lr * 4096 scaling, so the rounded codes agree or differ by one at a near-tie.
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(bn.state().beta[c], st.beta[c] + static_cast<int32_t>(std::floor(-lr * db[c] * 4096.0 + 0.5)));
    EXPECT_LE(std::abs(bn.state().gamma[c] - (st.gamma[c] + std::floor(-lr * dg[c] * 4096.0 + 0.5))), 1.0);
  }
}

}  // namespace
}  // namespace lrt::golden
