// The double reference layers' backward passes against central finite differences.
//
// Each test builds a scalar L = sum_j r_j y_j (r fixed random weights) of a layer's output
// y and compares every analytic dL/dparam with (L(p + h) - L(p - h)) / (2h), h = 1e-5.
// Bound: for a smooth L the central difference has truncation error h^2/6 |L'''| and
// rounding error about eps_mach |L| / h. Here |L| < 1e3 and the third derivatives are
// O(1e3) at most (BN: products of three 1/sigma factors with sigma >= 0.3), so the error
// is < 1e-10 * 1e3 / 6 + 2.2e-16 * 1e3 / 1e-5 < 1e-7 + 2.2e-8; the tests allow
// 1e-6 * (1 + |analytic|). Piecewise-linear layers (max-pool, ReLU) use inputs at least
// 1e-3 > h away from every kink, where L is exactly linear, so the same bound holds.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/rng.h"
#include "golden/precision/float_layers.h"

namespace lrt::golden {
namespace {

constexpr double kH = 1e-5;

double tol(double analytic) { return 1e-6 * (1.0 + std::fabs(analytic)); }

std::vector<double> randn(size_t n, uint64_t stream, double scale = 1.0) {
  CounterRng rng(42, stream);
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * rng.normal(i);
  return v;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Checks d loss / d x[i] for every i against analytic[i].
void check_fd(std::vector<double>& x, const std::function<double()>& loss,
              const std::vector<double>& analytic, const char* what) {
  ASSERT_EQ(x.size(), analytic.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + kH;
    const double up = loss();
    x[i] = keep - kH;
    const double down = loss();
    x[i] = keep;
    const double fd = (up - down) / (2 * kH);
    EXPECT_NEAR(analytic[i], fd, tol(analytic[i])) << what << "[" << i << "]";
  }
}

TEST(EngineFloatLayers, ConvBackwardMatchesFiniteDifferences) {
  const TensorShape in{6, 5, 3};
  const int c_out = 4;
  const TensorShape out{4, 3, c_out};
  const double alpha = 0.25;
  auto a = randn(static_cast<size_t>(in.size()), 1);
  auto w = randn(static_cast<size_t>(c_out * 9 * in.c), 2);
  auto b = randn(c_out, 3);
  const auto r = randn(static_cast<size_t>(out.size()), 4);
  std::vector<double> z(static_cast<size_t>(out.size()));
  auto loss = [&] {
    fref::conv3x3_forward(in, c_out, a.data(), w.data(), b.data(), alpha, z.data());
    return dot(r, z);
  };
  std::vector<double> da(a.size()), dw(w.size()), db(b.size());
  fref::conv3x3_backward(in, c_out, a.data(), w.data(), alpha, r.data(), da.data(), dw.data(), db.data());
  check_fd(a, loss, da, "da");
  check_fd(w, loss, dw, "dw");
  check_fd(b, loss, db, "db");
}

TEST(EngineFloatLayers, FcBackwardMatchesFiniteDifferences) {
  const int n_in = 7, n_out = 5;
  const double alpha = 0.125;
  auto a = randn(n_in, 5);
  auto w = randn(n_in * n_out, 6);
  auto b = randn(n_out, 7);
  const auto r = randn(n_out, 8);
  std::vector<double> z(n_out);
  auto loss = [&] {
    fref::fc_forward(n_in, n_out, a.data(), w.data(), b.data(), alpha, z.data());
    return dot(r, z);
  };
  std::vector<double> da(a.size()), dw(w.size()), db(b.size());
  fref::fc_backward(n_in, n_out, a.data(), w.data(), alpha, r.data(), da.data(), dw.data(), db.data());
  check_fd(a, loss, da, "da");
  check_fd(w, loss, dw, "dw");
  check_fd(b, loss, db, "db");
}

TEST(EngineFloatLayers, MaxPoolBackwardMatchesFiniteDifferences) {
  // Odd sizes exercise floor mode. Distinct values on a 0.01 grid plus a permutation keep
  // every window's maximum at least 0.01 > 2h above the runner-up.
  const TensorShape in{5, 7, 2};
  const TensorShape out{2, 3, 2};
  std::vector<double> x(static_cast<size_t>(in.size()));
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.01 * static_cast<double>((i * 37) % x.size());
  const auto r = randn(static_cast<size_t>(out.size()), 9);
  std::vector<double> y(static_cast<size_t>(out.size()));
  auto loss = [&] {
    fref::maxpool2_forward(in, x.data(), y.data());
    return dot(r, y);
  };
  std::vector<double> dx(x.size());
  fref::maxpool2_backward(in, x.data(), r.data(), dx.data());
  check_fd(x, loss, dx, "dx");
  // Floor mode: the last row and column receive no gradient.
  for (int c = 0; c < in.c; ++c) {
    for (int xx = 0; xx < in.w; ++xx) EXPECT_EQ(dx[static_cast<size_t>((4 * in.w + xx) * in.c + c)], 0.0);
    for (int yy = 0; yy < in.h; ++yy) EXPECT_EQ(dx[static_cast<size_t>((yy * in.w + 6) * in.c + c)], 0.0);
  }
}

TEST(EngineFloatLayers, ReluBackwardMatchesFiniteDifferences) {
  auto x = randn(40, 10);
  for (double& v : x)
    if (std::fabs(v) < 1e-3) v = 0.5;  // stay away from the kink
  const auto r = randn(40, 11);
  std::vector<double> y(x.size());
  auto loss = [&] {
    fref::relu_forward(static_cast<int64_t>(x.size()), x.data(), y.data());
    return dot(r, y);
  };
  std::vector<double> dx(x.size());
  fref::relu_backward(static_cast<int64_t>(x.size()), x.data(), r.data(), dx.data());
  check_fd(x, loss, dx, "dx");
}

// Streaming BN, with the statistics absorbing the sample (eta < 1): the gradient includes
// the path through the statistics. Also eta = 0 (plain batch norm over one sample) and
// eta = 1 (statistics frozen: dx = gamma / sigma * dy).
void check_batchnorm(double eta) {
  const TensorShape in{4, 3, 3};
  const double eps = 1e-5;
  auto x = randn(static_cast<size_t>(in.size()), 12);
  for (double& v : x) v = 0.6 + 0.4 * v;
  auto gamma = randn(3, 13);
  auto beta = randn(3, 14);
  fref::BnStats prev{{0.3, 0.5, 0.7}, {0.5, 0.6, 1.0}};  // sq > mu^2: variance > 0.25
  const auto r = randn(static_cast<size_t>(in.size()), 15);
  std::vector<double> y(x.size());
  auto loss = [&] {
    fref::batchnorm_forward(in, x.data(), gamma.data(), beta.data(), prev, eta, eps, y.data(), nullptr);
    return dot(r, y);
  };
  std::vector<double> dx(x.size()), dgamma(3), dbeta(3);
  fref::batchnorm_backward(in, x.data(), gamma.data(), prev, eta, eps, r.data(), dx.data(), dgamma.data(),
                           dbeta.data());
  check_fd(x, loss, dx, "dx");
  check_fd(gamma, loss, dgamma, "dgamma");
  check_fd(beta, loss, dbeta, "dbeta");
}

TEST(EngineFloatLayers, StreamingBatchNormBackwardMatchesFiniteDifferences) { check_batchnorm(0.75); }
TEST(EngineFloatLayers, BatchNormWithoutHistoryMatchesFiniteDifferences) { check_batchnorm(0.0); }
TEST(EngineFloatLayers, FrozenStatisticsBatchNormMatchesFiniteDifferences) { check_batchnorm(1.0); }

TEST(EngineFloatLayers, SoftmaxCrossEntropyGradientMatchesFiniteDifferences) {
  auto z = randn(10, 16, 2.0);
  const int label = 3;
  std::vector<double> dz(z.size()), scratch(z.size());
  auto loss = [&] { return fref::softmax_xent(10, z.data(), label, scratch.data()); };
  const double l = fref::softmax_xent(10, z.data(), label, dz.data());
  check_fd(z, loss, dz, "dz");
  // -log p_label from its definition.
  double sum = 0.0;
  for (double v : z) sum += std::exp(v);
  EXPECT_NEAR(l, -std::log(std::exp(z[label]) / sum), 1e-12);
}

}  // namespace
}  // namespace lrt::golden
