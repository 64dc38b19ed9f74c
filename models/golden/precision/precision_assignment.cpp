#include "golden/precision/precision_assignment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace lrt::golden {
namespace {

void require_positive(double v, size_t layer, const char* what) {
  if (!(v > 0.0) || !std::isfinite(v))
    throw std::invalid_argument("precision assignment: layer " + std::to_string(layer + 1) + ": " + what +
                                " is " + std::to_string(v) + "; expected a positive finite value");
}

}  // namespace

double pow2_at_least(double x) {
  int e = 0;
  const double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1)
  return m == 0.5 ? std::ldexp(1.0, e - 1) : std::ldexp(1.0, e);
}

double pow2_below(double x) {
  int e = 0;
  const double m = std::frexp(x, &e);
  return m == 0.5 ? std::ldexp(1.0, e - 2) : std::ldexp(1.0, e - 1);
}

int bits_for(double range, double delta) {
  int er = 0, ed = 0;
  std::frexp(range, &er);
  std::frexp(delta, &ed);
  return er - ed + 1;
}

int eq1_offset(double e, double e_min) {
  return static_cast<int>(std::lround(0.5 * std::log2(e / e_min)));
}

std::vector<LayerAssignment> assign_precision(const std::vector<LayerNoiseStats>& layers,
                                              const AssignmentParams& params) {
  if (layers.empty()) throw std::invalid_argument("precision assignment: no conv3x3/fc layer");
  if (!(params.gamma_min > 0.0)) throw std::invalid_argument("precision assignment: gamma_min must be > 0");
  double e_min = 0.0;
  for (size_t l = 0; l < layers.size(); ++l) {
    const LayerNoiseStats& s = layers[l];
    require_positive(s.e_w, l, "E_W");
    require_positive(s.e_a, l, "E_A");
    require_positive(s.sigma_gw_max, l, "sigma_GW(max)");
    require_positive(s.sigma_gw_min, l, "sigma_GW(min)");
    require_positive(s.sigma_ga_max, l, "sigma_GA(max)");
    require_positive(s.lambda_max, l, "lambda(max)");
    require_positive(static_cast<double>(s.gw_count), l, "|G_W|");
    require_positive(static_cast<double>(s.ga_count), l, "|G_A|");
    require_positive(s.weight_range, l, "r_W");
    const double m = std::min(s.e_w, s.e_a);
    e_min = l == 0 ? m : std::min(e_min, m);
  }
  std::vector<LayerAssignment> out(layers.size());
  for (size_t l = 0; l < layers.size(); ++l) {
    const LayerNoiseStats& s = layers[l];
    LayerAssignment& a = out[l];
    // Eq. 1: equal reflected feedforward noise.
    a.b_w = eq1_offset(s.e_w, e_min) + params.b_min;
    a.b_a = eq1_offset(s.e_a, e_min) + params.b_min;
    a.r_w = pow2_at_least(s.weight_range);
    // Eq. 2: clipping rates below 5 % (power-of-two PDRs).
    a.r_gw = pow2_at_least(2.0 * s.sigma_gw_max);
    a.r_ga = pow2_at_least(4.0 * s.sigma_ga_max);
    // Eq. 3: relative bias of G_W below 1 %, back-propagated noise below G_W's own.
    a.delta_gw = pow2_below(s.sigma_gw_min / 4.0);
    const double bound = a.delta_gw / std::sqrt(s.lambda_max) *
                         std::pow(static_cast<double>(s.gw_count) / static_cast<double>(s.ga_count), 0.25);
    a.delta_ga = pow2_below(bound);
    // Eq. 4: the accumulator starts where the weight's LSB ends and resolves gamma_min delta_gw.
    a.r_acc = std::ldexp(a.r_w, -a.b_w);
    a.delta_acc = pow2_below(params.gamma_min * a.delta_gw);
    a.b_gw = bits_for(a.r_gw, a.delta_gw);
    a.b_ga = bits_for(a.r_ga, a.delta_ga);
    a.b_acc = bits_for(a.r_acc, a.delta_acc);
  }
  return out;
}

}  // namespace lrt::golden
