#include "config/network_key.h"

#include <sstream>
#include <stdexcept>
#include <vector>

#include "config/scalar.h"

namespace lrt::config {

namespace {

constexpr int kMaxWidth = 65536;
constexpr const char* kExpected =
    "a non-empty list of layers, each one of: \"conv3x3 N\", \"maxpool2\", \"relu\", \"batchnorm\", "
    "\"fc N\" (N = output channels or units in [1, 65536])";

bool has_width(golden::LayerKind kind) {
  return kind == golden::LayerKind::kConv3x3 || kind == golden::LayerKind::kFc;
}

std::vector<golden::LayerSpec> parse_items(const std::vector<ListItem>& items, const InputLocation& where) {
  if (items.empty()) throw InputError(where, std::string("the list is empty; expected ") + kExpected);
  std::vector<golden::LayerSpec> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const InputLocation at{where.file, items[i].line >= 0 ? items[i].line : where.line, where.byte_offset,
                           where.key};
    const std::string label = "item " + std::to_string(i + 1);
    if (items[i].value.null) throw InputError(at, label + ": no value given; expected " + kExpected);
    try {
      out.push_back(parse_layer(items[i].value.text));
    } catch (const std::invalid_argument& e) {
      throw InputError(at, label + " (" + quote_yaml(items[i].value.text) + "): " + e.what() + "; expected " +
                               kExpected);
    }
  }
  return out;
}

std::string format_layers(const std::vector<golden::LayerSpec>& layers) {
  std::string out = "[";
  for (std::size_t i = 0; i < layers.size(); ++i) out += (i ? ", " : "") + layer_text(layers[i]);
  return out + "]";
}

}  // namespace

golden::LayerSpec parse_layer(const std::string& text) {
  std::istringstream in(text);
  std::string name, width, extra;
  in >> name >> width >> extra;
  if (name.empty()) throw std::invalid_argument("is empty");
  golden::LayerSpec layer;
  try {
    layer.kind = golden::parse_layer_kind(name);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("unknown layer kind '" + name + "'");
  }
  if (!extra.empty()) throw std::invalid_argument("has more than a kind and a width");
  if (!has_width(layer.kind)) {
    if (!width.empty()) throw std::invalid_argument(name + " takes no width, got '" + width + "'");
    return layer;
  }
  if (width.empty()) throw std::invalid_argument(name + " needs its output width");
  DecimalInteger d;
  if (parse_integer(width, d) != NumberParse::kOk || d.negative || d.magnitude < 1 || d.magnitude > kMaxWidth)
    throw std::invalid_argument("width '" + width + "' is not an integer in [1, 65536]");
  layer.out = static_cast<int>(d.magnitude);
  return layer;
}

std::string layer_text(const golden::LayerSpec& layer) {
  std::string text = golden::to_string(layer.kind);
  if (has_width(layer.kind)) text += " " + std::to_string(layer.out);
  return text;
}

KeySpec network_layers_key() {
  KeySpec k;
  k.member_path = "network.layers";
  k.path = "network.layers";
  k.type = "list of string";
  k.list = true;
  k.unit = "-";
  k.default_text = format_layers(golden::default_network().layers);
  k.allowed = "non-empty list of: conv3x3 N, maxpool2, relu, batchnorm, fc N";
  k.expected = kExpected;
  k.source =
      "assumption: a small version of the paper network (LRT paper §7.1) that trains the default run in "
      "about a minute (docs/golden_engine.md, Networks); configs/paper_cnn.yaml has the paper's";
  k.description =
      "layers in order on network.input; the last (conv3x3 or fc) gives the logits, its width = "
      "data.num_classes";
  k.assign = [](const Scalar& value, const InputLocation& where, Specs&) {
    if (value.null) throw InputError(where, std::string("no value given; expected ") + kExpected);
    throw InputError(where, "value " + quote_yaml(value.text) + " is a single value, not a list; expected " +
                                kExpected);
  };
  k.assign_list = [](const std::vector<ListItem>& items, const InputLocation& where, Specs& specs) {
    specs.network.layers = parse_items(items, where);
  };
  k.format = [](const Specs& specs) { return format_layers(specs.network.layers); };
  k.same = [](const Specs& a, const Specs& b) {
    if (a.network.layers.size() != b.network.layers.size()) return false;
    for (std::size_t i = 0; i < a.network.layers.size(); ++i) {
      if (a.network.layers[i].kind != b.network.layers[i].kind || a.network.layers[i].out != b.network.layers[i].out)
        return false;
    }
    return true;
  };
  k.member = [](const Specs& specs) -> const void* { return &specs.network.layers; };
  return k;
}

}  // namespace lrt::config
