#include "golden/precision/float_layers.h"

#include <algorithm>
#include <cmath>

namespace lrt::golden::fref {
namespace {

int64_t hwc(const TensorShape& s, int y, int x, int c) {
  return (static_cast<int64_t>(y) * s.w + x) * s.c + c;
}

// Index of the window maximum of a 2x2 pool window (first in raster order on ties).
int64_t pool_argmax(const TensorShape& in, const double* x, int oy, int ox, int c) {
  int64_t best = hwc(in, 2 * oy, 2 * ox, c);
  for (int dy = 0; dy < 2; ++dy)
    for (int dx = 0; dx < 2; ++dx) {
      const int64_t i = hwc(in, 2 * oy + dy, 2 * ox + dx, c);
      if (x[i] > x[best]) best = i;
    }
  return best;
}

}  // namespace

void conv3x3_forward(const TensorShape& in, int c_out, const double* a, const double* w, const double* b,
                     double alpha, double* z) {
  const TensorShape out{in.h - 2, in.w - 2, c_out};
  const int k = 9 * in.c;
  for (int y = 0; y < out.h; ++y)
    for (int x = 0; x < out.w; ++x)
      for (int co = 0; co < c_out; ++co) {
        double acc = 0.0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            for (int ci = 0; ci < in.c; ++ci)
              acc += w[static_cast<int64_t>(co) * k + (ky * 3 + kx) * in.c + ci] *
                     a[hwc(in, y + ky, x + kx, ci)];
        z[hwc(out, y, x, co)] = alpha * acc + b[co];
      }
}

void conv3x3_backward(const TensorShape& in, int c_out, const double* a, const double* w, double alpha,
                      const double* dz, double* da, double* dw, double* db) {
  const TensorShape out{in.h - 2, in.w - 2, c_out};
  const int k = 9 * in.c;
  if (da) std::fill(da, da + in.size(), 0.0);
  std::fill(dw, dw + static_cast<int64_t>(c_out) * k, 0.0);
  std::fill(db, db + c_out, 0.0);
  for (int y = 0; y < out.h; ++y)
    for (int x = 0; x < out.w; ++x)
      for (int co = 0; co < c_out; ++co) {
        const double g = dz[hwc(out, y, x, co)];
        db[co] += g;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            for (int ci = 0; ci < in.c; ++ci) {
              const int64_t wi = static_cast<int64_t>(co) * k + (ky * 3 + kx) * in.c + ci;
              const int64_t ai = hwc(in, y + ky, x + kx, ci);
              dw[wi] += alpha * g * a[ai];
              if (da) da[ai] += alpha * g * w[wi];
            }
      }
}

void fc_forward(int n_in, int n_out, const double* a, const double* w, const double* b, double alpha,
                double* z) {
  for (int o = 0; o < n_out; ++o) {
    double acc = 0.0;
    for (int i = 0; i < n_in; ++i) acc += w[static_cast<int64_t>(o) * n_in + i] * a[i];
    z[o] = alpha * acc + b[o];
  }
}

void fc_backward(int n_in, int n_out, const double* a, const double* w, double alpha, const double* dz,
                 double* da, double* dw, double* db) {
  if (da) std::fill(da, da + n_in, 0.0);
  for (int o = 0; o < n_out; ++o) {
    db[o] = dz[o];
    for (int i = 0; i < n_in; ++i) {
      const int64_t wi = static_cast<int64_t>(o) * n_in + i;
      dw[wi] = alpha * dz[o] * a[i];
      if (da) da[i] += alpha * dz[o] * w[wi];
    }
  }
}

void maxpool2_forward(const TensorShape& in, const double* x, double* y) {
  const TensorShape out{in.h / 2, in.w / 2, in.c};
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox)
      for (int c = 0; c < in.c; ++c) y[hwc(out, oy, ox, c)] = x[pool_argmax(in, x, oy, ox, c)];
}

void maxpool2_backward(const TensorShape& in, const double* x, const double* dy, double* dx) {
  const TensorShape out{in.h / 2, in.w / 2, in.c};
  std::fill(dx, dx + in.size(), 0.0);
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox)
      for (int c = 0; c < in.c; ++c) dx[pool_argmax(in, x, oy, ox, c)] += dy[hwc(out, oy, ox, c)];
}

void relu_forward(int64_t n, const double* x, double* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0 ? x[i] : 0.0;
}

void relu_backward(int64_t n, const double* x, const double* dy, double* dx) {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0 ? dy[i] : 0.0;
}

namespace {

// Per-channel statistics after absorbing the sample, and the normalizer.
struct BnChannel {
  double mu = 0.0;
  double sq = 0.0;
  double var = 0.0;  // max(sq - mu^2, 0)
  double sigma = 0.0;
  bool clamped = false;
};

BnChannel bn_channel(const TensorShape& in, const double* x, const BnStats& prev, double eta, double eps,
                     int c) {
  const int64_t n = static_cast<int64_t>(in.h) * in.w;
  double s1 = 0.0, s2 = 0.0;
  for (int64_t p = 0; p < n; ++p) {
    const double v = x[p * in.c + c];
    s1 += v;
    s2 += v * v;
  }
  BnChannel ch;
  ch.mu = eta * prev.mu[c] + (1.0 - eta) * (s1 / static_cast<double>(n));
  ch.sq = eta * prev.sq[c] + (1.0 - eta) * (s2 / static_cast<double>(n));
  const double v = ch.sq - ch.mu * ch.mu;
  ch.clamped = v <= 0.0;
  ch.var = ch.clamped ? 0.0 : v;
  ch.sigma = std::sqrt(ch.var + eps);
  return ch;
}

}  // namespace

void batchnorm_forward(const TensorShape& in, const double* x, const double* gamma, const double* beta,
                       const BnStats& prev, double eta, double eps, double* y, BnStats* next) {
  const int64_t n = static_cast<int64_t>(in.h) * in.w;
  if (next) {
    next->mu.resize(in.c);
    next->sq.resize(in.c);
  }
  for (int c = 0; c < in.c; ++c) {
    const BnChannel ch = bn_channel(in, x, prev, eta, eps, c);
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = p * in.c + c;
      y[i] = gamma[c] * (x[i] - ch.mu) / ch.sigma + beta[c];
    }
    if (next) {
      next->mu[c] = ch.mu;
      next->sq[c] = ch.sq;
    }
  }
}

void batchnorm_backward(const TensorShape& in, const double* x, const double* gamma, const BnStats& prev,
                        double eta, double eps, const double* dy, double* dx, double* dgamma, double* dbeta) {
  // With c = (1 - eta) / n: dmu/dx_k = c, dvar/dx_k = 2c (x_k - mu), so
  // dxhat_j/dx_k = (delta_jk - c - c xhat_j xhat_k) / sigma and
  // dL/dx_k = gamma / sigma (g_k - c sum_j g_j - c xhat_k sum_j g_j xhat_j).
  // Where the variance was clamped at 0 the variance path carries no gradient.
  const int64_t n = static_cast<int64_t>(in.h) * in.w;
  const double cw = (1.0 - eta) / static_cast<double>(n);
  for (int c = 0; c < in.c; ++c) {
    const BnChannel ch = bn_channel(in, x, prev, eta, eps, c);
    double s1 = 0.0, s2 = 0.0;
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = p * in.c + c;
      const double xhat = (x[i] - ch.mu) / ch.sigma;
      s1 += dy[i];
      s2 += dy[i] * xhat;
    }
    dgamma[c] = s2;
    dbeta[c] = s1;
    const double var_path = ch.clamped ? 0.0 : 1.0;
    for (int64_t p = 0; p < n; ++p) {
      const int64_t i = p * in.c + c;
      const double xhat = (x[i] - ch.mu) / ch.sigma;
      dx[i] = gamma[c] / ch.sigma * (dy[i] - cw * s1 - var_path * cw * xhat * s2);
    }
  }
}

double softmax_xent(int n, const double* z, int label, double* dz) {
  double zmax = z[0];
  for (int i = 1; i < n; ++i) zmax = std::max(zmax, z[i]);
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += std::exp(z[i] - zmax);
  for (int i = 0; i < n; ++i) dz[i] = std::exp(z[i] - zmax) / sum - (i == label ? 1.0 : 0.0);
  return -(z[label] - zmax - std::log(sum));
}

}  // namespace lrt::golden::fref
