#include "golden/training/network.h"

#include "core/error.h"

#include <stdexcept>

namespace lrt::golden {

LayerKind parse_layer_kind(const std::string& text) {
  if (text == "conv3x3") return LayerKind::kConv3x3;
  if (text == "maxpool2") return LayerKind::kMaxPool2;
  if (text == "relu") return LayerKind::kRelu;
  if (text == "batchnorm") return LayerKind::kBatchNorm;
  if (text == "fc") return LayerKind::kFc;
  throw std::invalid_argument("unknown layer kind '" + text +
                              "' (expected conv3x3, maxpool2, relu, batchnorm or fc)");
}

const char* to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv3x3:
      return "conv3x3";
    case LayerKind::kMaxPool2:
      return "maxpool2";
    case LayerKind::kRelu:
      return "relu";
    case LayerKind::kBatchNorm:
      return "batchnorm";
    case LayerKind::kFc:
      return "fc";
  }
  return "?";
}

int LayerShape::fan_in() const {
  switch (spec.kind) {
    case LayerKind::kConv3x3:
      return 9 * in.c;
    case LayerKind::kFc:
      return static_cast<int>(in.size());
    default:
      return 0;
  }
}

int64_t LayerShape::weight_count() const { return trainable() ? static_cast<int64_t>(out.c) * fan_in() : 0; }

std::vector<LayerShape> derive_shapes(const NetworkSpec& net) {
  auto fail = [](size_t i, const std::string& why) { throw SpecError("layers[" + std::to_string(i) + "]", why); };
  if (net.in_h <= 0) throw SpecError("in_h", "must be positive");
  if (net.in_w <= 0) throw SpecError("in_w", "must be positive");
  if (net.in_c <= 0) throw SpecError("in_c", "must be positive");
  if (net.layers.empty()) throw SpecError("layers", "the layer list is empty");
  // Bounds keep every int32 accumulator and index in range (docs/golden_engine.md, "Widths").
  constexpr int64_t kMaxTensor = int64_t{1} << 24;
  constexpr int kMaxFanIn = 1 << 16;
  std::vector<LayerShape> shapes;
  TensorShape cur{net.in_h, net.in_w, net.in_c};
  if (cur.size() > kMaxTensor) throw SpecError("in_c", "the input h x w x c has more than 2^24 values");
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const LayerSpec& spec = net.layers[i];
    LayerShape s{spec, cur, cur};
    const bool wide = spec.kind == LayerKind::kConv3x3 || spec.kind == LayerKind::kFc;
    if (wide && spec.out <= 0) fail(i, std::string(to_string(spec.kind)) + " needs a positive width");
    if (!wide && spec.out != 0) fail(i, std::string(to_string(spec.kind)) + " takes no width");
    switch (spec.kind) {
      case LayerKind::kConv3x3:
        if (cur.h < 3 || cur.w < 3) fail(i, "conv3x3 input smaller than 3x3");
        s.out = {cur.h - 2, cur.w - 2, spec.out};
        break;
      case LayerKind::kMaxPool2:
        if (cur.h < 2 || cur.w < 2) fail(i, "maxpool2 input smaller than 2x2");
        s.out = {cur.h / 2, cur.w / 2, cur.c};
        break;
      case LayerKind::kFc:
        s.out = {1, 1, spec.out};
        break;
      case LayerKind::kRelu:
      case LayerKind::kBatchNorm:
        break;
    }
    if (s.fan_in() > kMaxFanIn) fail(i, "fan-in above 2^16");
    if (s.out.size() > kMaxTensor) fail(i, "more than 2^24 output values");
    shapes.push_back(s);
    cur = s.out;
  }
  if (!shapes.back().trainable())
    fail(net.layers.size() - 1, "the last layer must be conv3x3 or fc (its outputs are the logits)");
  if (shapes.back().out.size() < 2) fail(net.layers.size() - 1, "fewer than 2 classes");
  return shapes;
}

int num_classes(const NetworkSpec& net) { return static_cast<int>(derive_shapes(net).back().out.size()); }

NetworkSpec paper_network() {
  using K = LayerKind;
  NetworkSpec n;
  // As the authors' lr/net.py: a ReLU after conv1, conv3 and fc1 too.
  n.layers = {{K::kConv3x3, 128}, {K::kRelu, 0},      {K::kConv3x3, 128}, {K::kMaxPool2, 0}, {K::kRelu, 0},
              {K::kBatchNorm, 0}, {K::kConv3x3, 128}, {K::kRelu, 0},      {K::kConv3x3, 128}, {K::kMaxPool2, 0},
              {K::kRelu, 0},      {K::kBatchNorm, 0}, {K::kFc, 512},      {K::kRelu, 0},      {K::kFc, 10}};
  return n;
}

NetworkSpec default_network() {
  using K = LayerKind;
  NetworkSpec n;
  n.layers = {{K::kConv3x3, 16}, {K::kMaxPool2, 0}, {K::kRelu, 0},      {K::kBatchNorm, 0}, {K::kConv3x3, 32},
              {K::kMaxPool2, 0}, {K::kRelu, 0},     {K::kBatchNorm, 0}, {K::kFc, 10}};
  return n;
}

}  // namespace lrt::golden
