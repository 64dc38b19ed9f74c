#pragma once
// The network the golden engine trains: a plain list of layers on a fixed-size input, as
// config::Specs holds it (keys `network.input.{h,w,c}` fill in_h, in_w, in_c; `network.layers`).
// Shapes are derived here once; every other module takes the derived `LayerShape`s.

#include <cstdint>
#include <string>
#include <vector>

namespace lrt::golden {

enum class LayerKind {
  kConv3x3,    ///< 3x3 convolution, stride 1, valid padding, bias; `out` = output channels
  kMaxPool2,   ///< 2x2 max-pool, stride 2, floor mode (an odd last row/column is dropped)
  kRelu,       ///< ReLU followed by the unsigned activation quantizer Qa
  kBatchNorm,  ///< streaming batch norm (Appendix E), per channel
  kFc,         ///< fully connected with bias; `out` = output units
};

/// Parses "conv3x3" / "maxpool2" / "relu" / "batchnorm" / "fc"; throws std::invalid_argument.
LayerKind parse_layer_kind(const std::string& text);
const char* to_string(LayerKind kind);

/// @brief One entry of the layer list: a kind and, for conv3x3 / fc, its output width.
struct LayerSpec {
  LayerKind kind = LayerKind::kRelu;
  int out = 0;  ///< output channels (conv3x3) or units (fc); must be 0 for the other kinds
};

/// @brief Input size and layer list. The last layer's output width is the class count.
struct NetworkSpec {
  int in_h = 28;
  int in_w = 28;
  int in_c = 1;
  std::vector<LayerSpec> layers;
};

/// @brief A feature-map shape, stored height x width x channels, channels fastest (HWC).
struct TensorShape {
  int h = 0;
  int w = 0;
  int c = 0;
  int64_t size() const { return static_cast<int64_t>(h) * w * c; }
  bool operator==(const TensorShape& o) const { return h == o.h && w == o.w && c == o.c; }
};

/// @brief A layer with its derived input and output shapes.
struct LayerShape {
  LayerSpec spec;
  TensorShape in;
  TensorShape out;
  /// Inputs per output for conv3x3 (9 * in.c) or fc (in.size()); 0 otherwise.
  int fan_in() const;
  /// Weight cells: out.c * fan_in() for conv3x3 / fc; 0 otherwise.
  int64_t weight_count() const;
  bool trainable() const { return spec.kind == LayerKind::kConv3x3 || spec.kind == LayerKind::kFc; }
};

/// Derives every layer's shapes; throws SpecError naming the member ("in_h", "layers",
/// "layers[i]" with i the 0-based index) when the input is empty or too large, the list is
/// empty, a width is missing or spurious, a map shrinks below its kernel, or the last layer is
/// not conv3x3 / fc.
std::vector<LayerShape> derive_shapes(const NetworkSpec& net);

/// Number of classes = output width of the last layer (validates like derive_shapes).
int num_classes(const NetworkSpec& net);

/// @brief The paper's network (Section 7.1 / DESIGN.md): conv3x3 128 -> conv3x3 128 ->
/// maxpool2 -> ReLU -> BN -> conv3x3 128 -> conv3x3 128 -> maxpool2 -> ReLU -> BN ->
/// FC 2048->512 -> FC 512->10 on 28x28x1.
NetworkSpec paper_network();

/// @brief The default (small) network: conv3x3 16 -> maxpool2 -> ReLU -> BN -> conv3x3 32 ->
/// maxpool2 -> ReLU -> BN -> FC 800->10. Why this one: docs/golden_engine.md "Networks".
NetworkSpec default_network();

}  // namespace lrt::golden
