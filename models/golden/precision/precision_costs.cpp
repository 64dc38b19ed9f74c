#include "golden/precision/precision_costs.h"

namespace lrt::golden {

std::vector<LayerPrecision> layer_precisions(const Engine& engine) {
  std::vector<LayerPrecision> out;
  for (int l : engine.trainable_layers()) {
    const AffineLayer& a = engine.affine(l);
    const Scheme s = a.updater().scheme();
    LayerPrecision p;
    p.layer = l;
    p.weights = static_cast<uint64_t>(a.n_out()) * static_cast<uint64_t>(a.fan_in());
    p.inputs = static_cast<uint64_t>(a.in_shape().size());
    p.outputs = static_cast<uint64_t>(a.out_shape().size());
    p.dot_length = static_cast<uint64_t>(a.fan_in());
    p.b_w = a.weight_format().bits;
    p.b_a = a.in_format().bits;
    p.b_ga = a.grad_format().bits;
    p.b_gw = trains_weights(s) ? kWeightGradientBits : 0;
    p.b_acc = s == Scheme::kNaiveBatch ? 64 : 0;
    out.push_back(p);
  }
  return out;
}

PrecisionCosts precision_costs(const LayerPrecision& l) {
  const auto u = [](int b) { return static_cast<uint64_t>(b); };
  PrecisionCosts c;
  c.c_w = l.weights * (u(l.b_w) + u(l.b_gw) + u(l.b_acc));
  c.c_a = l.inputs * (u(l.b_a) + u(l.b_ga));
  c.c_m = l.outputs * l.dot_length * (u(l.b_w) * u(l.b_a) + u(l.b_w) * u(l.b_ga) + u(l.b_a) * u(l.b_ga));
  c.c_c = l.weights * u(l.b_gw);
  return c;
}

PrecisionCosts precision_costs(const std::vector<LayerPrecision>& layers) {
  PrecisionCosts sum;
  for (const LayerPrecision& l : layers) {
    const PrecisionCosts c = precision_costs(l);
    sum.c_w += c.c_w;
    sum.c_a += c.c_a;
    sum.c_m += c.c_m;
    sum.c_c += c.c_c;
  }
  return sum;
}

}  // namespace lrt::golden
