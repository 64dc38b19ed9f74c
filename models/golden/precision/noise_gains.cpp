#include "golden/precision/noise_gains.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/fixed_point.h"
#include "golden/training/engine.h"
#include "golden/training/streaming_bn.h"

namespace lrt::golden {
namespace {

double sum_sq(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x * x;
  return s;
}

// Population variance of a tensor (spatial, all entries).
double variance(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  double m = 0.0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

// Round to the B-bit grid of [-r, r) (signed) or [0, r) (unsigned), saturating.
double quantize_value(double x, int bits, double range, bool is_signed) {
  const double lsb = is_signed ? std::ldexp(range, -(bits - 1)) : std::ldexp(range, -bits);
  const double lo = is_signed ? -range : 0.0;
  const double hi = range - lsb;
  return std::clamp(std::floor(x / lsb + 0.5) * lsb, lo, hi);
}

struct Pass {
  std::vector<std::vector<double>> acts;  // acts[i]: input of layer i; acts.back(): logits
  std::vector<std::vector<uint8_t>> clipped;  // per layer: output entries its clamp saturated
};

void clip_bounds(const fx::Format& f, FloatLayer& L) {
  const double lsb = std::ldexp(1.0, -f.frac_bits);
  L.clip_lo = f.is_signed ? -std::ldexp(lsb, f.bits - 1) : 0.0;
  L.clip_hi = (f.is_signed ? std::ldexp(lsb, f.bits - 1) : std::ldexp(lsb, f.bits)) - lsb;
}

Pass forward(const FloatNetwork& net, const uint8_t* image, const ForwardQuantization* q) {
  Pass p;
  const LayerShape& first = net.layers.front().shape;
  std::vector<double> x(static_cast<size_t>(first.in.size()));
  for (size_t i = 0; i < x.size(); ++i) x[i] = image[i] * net.input_lsb;
  int j = 0;  // trainable index
  for (const FloatLayer& L : net.layers) {
    const LayerShape& s = L.shape;
    if (q && s.trainable()) {
      const size_t u = static_cast<size_t>(j);
      for (double& v : x) v = quantize_value(v, q->activation_bits[u], q->activation_range[u], q->activation_signed[u]);
    }
    p.acts.push_back(x);
    std::vector<double> y(static_cast<size_t>(s.out.size()));
    switch (s.spec.kind) {
      case LayerKind::kConv3x3:
      case LayerKind::kFc: {
        const std::vector<double>* w = &L.w;
        std::vector<double> wq;
        if (q) {
          const size_t u = static_cast<size_t>(j);
          wq = L.w;
          for (double& v : wq) v = quantize_value(v, q->weight_bits[u], q->weight_range[u], true);
          w = &wq;
        }
        if (s.spec.kind == LayerKind::kConv3x3)
          fref::conv3x3_forward(s.in, s.out.c, x.data(), w->data(), L.b.data(), L.alpha, y.data());
        else
          fref::fc_forward(static_cast<int>(s.in.size()), s.out.c, x.data(), w->data(), L.b.data(), L.alpha,
                           y.data());
        ++j;
        break;
      }
      case LayerKind::kMaxPool2:
        fref::maxpool2_forward(s.in, x.data(), y.data());
        break;
      case LayerKind::kRelu:
        fref::relu_forward(static_cast<int64_t>(x.size()), x.data(), y.data());
        break;
      case LayerKind::kBatchNorm:
        fref::batchnorm_forward(s.in, x.data(), L.gamma.data(), L.beta.data(), L.stats, L.eta, L.eps, y.data(),
                                nullptr);
        break;
    }
    std::vector<uint8_t> mask;
    if (L.clip_lo <= L.clip_hi) {
      mask.resize(y.size());
      for (size_t e = 0; e < y.size(); ++e)
        if (y[e] < L.clip_lo || y[e] > L.clip_hi) {
          y[e] = std::clamp(y[e], L.clip_lo, L.clip_hi);
          mask[e] = 1;
        }
    }
    p.clipped.push_back(std::move(mask));
    x = std::move(y);
  }
  p.acts.push_back(std::move(x));
  return p;
}

// Backward from dL/dlogits. At every conv/fc layer j calls at(j, layer index, dz) first; it may
// rewrite dz (max-norm) before the weight and input gradients are formed; then done(j, i, dz,
// dw, da) with dw = alpha sum dz a^T (fref) and da the gradient of the layer's input.
template <typename At, typename Done>
void backward(const FloatNetwork& net, const Pass& p, std::vector<double> g, At at, Done done) {
  int j = static_cast<int>(net.trainable().size());
  for (size_t i = net.layers.size(); i-- > 0;) {
    const FloatLayer& L = net.layers[i];
    const LayerShape& s = L.shape;
    const std::vector<double>& x = p.acts[i];
    std::vector<double> dx(x.size());
    const std::vector<uint8_t>& mask = p.clipped[i];
    for (size_t e = 0; e < mask.size(); ++e)
      if (mask[e]) g[e] = 0.0;
    switch (s.spec.kind) {
      case LayerKind::kConv3x3:
      case LayerKind::kFc: {
        --j;
        at(j, static_cast<int>(i), g);
        std::vector<double> dw(L.w.size()), db(L.b.size());
        if (s.spec.kind == LayerKind::kConv3x3)
          fref::conv3x3_backward(s.in, s.out.c, x.data(), L.w.data(), L.alpha, g.data(), dx.data(), dw.data(),
                                 db.data());
        else
          fref::fc_backward(static_cast<int>(s.in.size()), s.out.c, x.data(), L.w.data(), L.alpha, g.data(),
                            dx.data(), dw.data(), db.data());
        done(j, static_cast<int>(i), g, dw, dx);
        break;
      }
      case LayerKind::kMaxPool2:
        fref::maxpool2_backward(s.in, x.data(), g.data(), dx.data());
        break;
      case LayerKind::kRelu:
        fref::relu_backward(static_cast<int64_t>(x.size()), x.data(), g.data(), dx.data());
        break;
      case LayerKind::kBatchNorm: {
        std::vector<double> dg(L.gamma.size()), dbeta(L.beta.size());
        fref::batchnorm_backward(s.in, x.data(), L.gamma.data(), L.stats, L.eta, L.eps, g.data(), dx.data(),
                                 dg.data(), dbeta.data());
        break;
      }
    }
    g = std::move(dx);
  }
}

int argmax(const std::vector<double>& z) {
  return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
}

}  // namespace

std::vector<int> FloatNetwork::trainable() const {
  std::vector<int> t;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].shape.trainable()) t.push_back(static_cast<int>(i));
  return t;
}

FloatNetwork float_network(const Engine& engine) {
  FloatNetwork net;
  const std::vector<LayerShape> shapes = derive_shapes(engine.network());
  const Formats& f = engine.formats();
  const TrainSpecs& specs = engine.specs();
  net.input_lsb = std::ldexp(1.0, -f.input.frac_bits);
  net.max_norm_beta = specs.max_norm.beta;
  net.max_norm_eps = specs.max_norm.eps;
  for (size_t i = 0; i < shapes.size(); ++i) {
    FloatLayer L;
    L.shape = shapes[i];
    if (L.shape.trainable()) {
      const AffineLayer& a = engine.affine(static_cast<int>(i));
      const int n_o = a.n_out(), k = a.fan_in();
      L.w.resize(static_cast<size_t>(n_o) * k);
      for (int o = 0; o < n_o; ++o)
        for (int t = 0; t < k; ++t)
          L.w[static_cast<size_t>(o) * k + t] =
              fx::to_double(a.weight_codes()(static_cast<size_t>(o), static_cast<size_t>(t)), a.weight_format());
      for (int32_t c : a.bias_codes()) L.b.push_back(fx::to_double(c, f.bias));
      L.alpha = std::ldexp(1.0, a.alpha_exp());
      L.max_norm = a.max_norm().has_value();
      clip_bounds(f.bias, L);
    } else if (L.shape.spec.kind == LayerKind::kRelu) {
      clip_bounds(f.act, L);
    } else if (L.shape.spec.kind == LayerKind::kBatchNorm) {
      const BnState& st = engine.batch_norm(static_cast<int>(i)).bn().state();
      for (int32_t c : st.gamma) L.gamma.push_back(fx::to_double(c, f.bias));
      for (int32_t c : st.beta) L.beta.push_back(fx::to_double(c, f.bias));
      for (int64_t c : st.mu) L.stats.mu.push_back(std::ldexp(static_cast<double>(c), -StreamingBn::kStatFrac));
      for (int64_t c : st.sq) L.stats.sq.push_back(std::ldexp(static_cast<double>(c), -StreamingBn::kStatFrac));
      L.eta = specs.bn.streaming ? 1.0 - 1.0 / specs.bn.batch : 1.0;
      L.eps = specs.bn.eps;
      clip_bounds(f.act_signed, L);
    }
    net.layers.push_back(std::move(L));
  }
  return net;
}

std::vector<double> float_logits(const FloatNetwork& net, const uint8_t* image, const ForwardQuantization* quant) {
  return forward(net, image, quant).acts.back();
}

double square_jacobian_lambda(const LayerShape& shape, const double* a) {
  const bool conv = shape.spec.kind == LayerKind::kConv3x3;
  const int k = shape.fan_in();
  const int pixels = conv ? shape.out.h * shape.out.w : 1;
  // S: pixels x k, S[p][t] = a_p[t]^2 (im2col rows of the input, HWC, t = (ky 3 + kx) c_in + ci).
  std::vector<double> S(static_cast<size_t>(pixels) * k);
  for (int p = 0; p < pixels; ++p)
    for (int t = 0; t < k; ++t) {
      double v;
      if (conv) {
        const int y = p / shape.out.w, x = p % shape.out.w;
        const int ci = t % shape.in.c, kk = t / shape.in.c, ky = kk / 3, kx = kk % 3;
        v = a[(static_cast<int64_t>(y + ky) * shape.in.w + (x + kx)) * shape.in.c + ci];
      } else {
        v = a[t];
      }
      S[static_cast<size_t>(p) * k + t] = v * v;
    }
  // Power iteration on S^T S (non-negative: the Perron vector is reached from all ones).
  std::vector<double> v(static_cast<size_t>(k), 1.0), u(static_cast<size_t>(pixels)), w(static_cast<size_t>(k));
  double mu = 0.0;
  for (int it = 0; it < 1000; ++it) {
    for (int p = 0; p < pixels; ++p) {
      double s = 0.0;
      for (int t = 0; t < k; ++t) s += S[static_cast<size_t>(p) * k + t] * v[static_cast<size_t>(t)];
      u[static_cast<size_t>(p)] = s;
    }
    std::fill(w.begin(), w.end(), 0.0);
    for (int p = 0; p < pixels; ++p)
      for (int t = 0; t < k; ++t) w[static_cast<size_t>(t)] += S[static_cast<size_t>(p) * k + t] * u[static_cast<size_t>(p)];
    const double norm = std::sqrt(sum_sq(w));
    if (norm == 0.0) return 0.0;
    const double prev = mu;
    mu = norm / std::sqrt(sum_sq(v));  // Rayleigh-like ratio ||S^T S v|| / ||v||
    for (int t = 0; t < k; ++t) v[static_cast<size_t>(t)] = w[static_cast<size_t>(t)] / norm;
    if (it > 0 && std::fabs(mu - prev) <= 1e-13 * mu) break;
  }
  return std::sqrt(mu);
}

NoiseGainEstimator::NoiseGainEstimator(const FloatNetwork& net, double theta)
    : net_(net), theta_(theta), trainable_(net.trainable()) {
  if (trainable_.empty()) throw std::invalid_argument("noise gains: the network has no conv3x3/fc layer");
  if (!(theta > 0.0 && theta <= 1.0)) throw std::invalid_argument("noise gains: theta must be in (0, 1]");
  run_.resize(trainable_.size());
  for (size_t j = 0; j < trainable_.size(); ++j) max_norm_.emplace_back(net.max_norm_beta, net.max_norm_eps);
}

void NoiseGainEstimator::add(const uint8_t* image, int label) {
  const Pass p = forward(net_, image, nullptr);
  const std::vector<double>& z = p.acts.back();
  const int n = static_cast<int>(z.size());
  const int y = argmax(z);
  correct_ += y == label ? 1 : 0;
  const size_t L = trainable_.size();

  // Eq. 6: one backward pass of Z_i - Z_y per class i != y.
  std::vector<double> ew(L, 0.0), ea(L, 0.0);
  for (int i = 0; i < n; ++i) {
    if (i == y) continue;
    const double diff = z[static_cast<size_t>(i)] - z[static_cast<size_t>(y)];
    if (diff == 0.0) {
      ++ties_;
      continue;
    }
    std::vector<double> g(static_cast<size_t>(n), 0.0);
    g[static_cast<size_t>(i)] = 1.0;
    g[static_cast<size_t>(y)] = -1.0;
    const double denom = 2.0 * diff * diff;
    backward(
        net_, p, g, [](int, int, std::vector<double>&) {},
        [&](int j, int, const std::vector<double>&, const std::vector<double>& dw, const std::vector<double>& da) {
          ew[static_cast<size_t>(j)] += sum_sq(dw) / denom;
          ea[static_cast<size_t>(j)] += sum_sq(da) / denom;
        });
  }

  // The training backward pass (softmax cross-entropy) with the datapath's max-norm.
  std::vector<double> dlogits(static_cast<size_t>(n));
  fref::softmax_xent(n, z.data(), label, dlogits.data());
  std::vector<double> var_gw(L), var_ga(L), lambda(L);
  backward(
      net_, p, dlogits,
      [&](int j, int i, std::vector<double>& dz) {
        if (!net_.layers[static_cast<size_t>(i)].max_norm) return;
        double m = 0.0;
        for (double v : dz) m = std::max(m, std::fabs(v));
        const double d = max_norm_[static_cast<size_t>(j)].observe(m);
        for (double& v : dz) v /= d;
      },
      [&](int j, int i, const std::vector<double>& dz, const std::vector<double>& dw, const std::vector<double>&) {
        const FloatLayer& layer = net_.layers[static_cast<size_t>(i)];
        std::vector<double> gw(dw);
        for (double& v : gw) v /= layer.alpha;  // the datapath's update gradient sum dz a^T
        var_gw[static_cast<size_t>(j)] = variance(gw);
        var_ga[static_cast<size_t>(j)] = variance(dz);
        lambda[static_cast<size_t>(j)] = square_jacobian_lambda(layer.shape, p.acts[static_cast<size_t>(i)].data());
      });

  for (size_t j = 0; j < L; ++j) {
    Running& r = run_[j];
    r.e_w += ew[j];
    r.e_a += ea[j];
    if (samples_ == 0) {
      r.var_gw = var_gw[j];
      r.var_ga = var_ga[j];
      r.lambda = lambda[j];
    } else {
      r.var_gw = (1.0 - theta_) * r.var_gw + theta_ * var_gw[j];
      r.var_ga = (1.0 - theta_) * r.var_ga + theta_ * var_ga[j];
      r.lambda = (1.0 - theta_) * r.lambda + theta_ * lambda[j];
    }
    const double sgw = std::sqrt(r.var_gw), sga = std::sqrt(r.var_ga);
    r.gw_max = samples_ == 0 ? sgw : std::max(r.gw_max, sgw);
    r.gw_min = samples_ == 0 ? sgw : std::min(r.gw_min, sgw);
    r.ga_max = samples_ == 0 ? sga : std::max(r.ga_max, sga);
    r.lambda_max = samples_ == 0 ? r.lambda : std::max(r.lambda_max, r.lambda);
  }
  ++samples_;
}

std::vector<LayerNoiseStats> NoiseGainEstimator::stats() const {
  std::vector<LayerNoiseStats> out(trainable_.size());
  const double n = samples_ ? static_cast<double>(samples_) : 1.0;
  for (size_t j = 0; j < trainable_.size(); ++j) {
    const Running& r = run_[j];
    const LayerShape& s = net_.layers[static_cast<size_t>(trainable_[j])].shape;
    LayerNoiseStats& o = out[j];
    o.e_w = r.e_w / n;
    o.e_a = r.e_a / n;
    o.sigma_gw_max = r.gw_max;
    o.sigma_gw_min = r.gw_min;
    o.sigma_ga_max = r.ga_max;
    o.lambda_max = r.lambda_max;
    o.gw_count = s.weight_count();
    o.ga_count = s.out.size();
    o.weight_range = 1.0;
  }
  return out;
}

}  // namespace lrt::golden
