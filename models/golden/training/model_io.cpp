#include "golden/training/model_io.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/error.h"

namespace lrt::golden {

namespace {

std::string layer_section(int layer, const char* what) { return "layer." + std::to_string(layer) + "." + what; }

std::vector<int32_t> network_layers(const NetworkSpec& net) {
  std::vector<int32_t> out;
  for (const LayerSpec& l : net.layers) {
    out.push_back(static_cast<int32_t>(l.kind));
    out.push_back(l.out);
  }
  return out;
}

std::vector<int32_t> format_codes(const Formats& f) {
  return {f.weight.bits, f.weight.frac_bits, f.bias.bits, f.bias.frac_bits, f.input.bits, f.input.frac_bits};
}

// Per-tensor precision (train.precision): per conv3x3/fc layer its weight, input and gradient
// formats (bits, fractional bits). Written only when the specs override a layer, so that models
// without overrides keep their layout.
std::vector<int32_t> layer_format_codes(const Engine& engine) {
  std::vector<int32_t> out;
  for (int l : engine.trainable_layers()) {
    const AffineLayer& a = engine.affine(l);
    for (const fx::Format* f : {&a.weight_format(), &a.in_format(), &a.grad_format()}) {
      out.push_back(f->bits);
      out.push_back(f->frac_bits);
    }
  }
  return out;
}

std::string network_text(const std::vector<int32_t>& layers) {
  std::string out;
  for (std::size_t i = 0; i + 1 < layers.size(); i += 2) {
    const auto kind = static_cast<LayerKind>(layers[i]);
    const bool known = layers[i] >= 0 && layers[i] <= static_cast<int32_t>(LayerKind::kFc);
    out += (i ? ", " : "") + std::string(known ? to_string(kind) : "?");
    if (known && (kind == LayerKind::kConv3x3 || kind == LayerKind::kFc)) out += " " + std::to_string(layers[i + 1]);
  }
  return "[" + out + "]";
}

[[noreturn]] void mismatch(const Checkpoint& ck, const std::string& section, const std::string& problem) {
  throw InputError(InputLocation(ck.path(), -1, -1, section), problem);
}

void check_header(const Checkpoint& ck, const Engine& engine) {
  const auto version = ck.array<uint32_t>("model.version", 1);
  if (version[0] != kModelVersion)
    mismatch(ck, "model.version",
             "model layout version " + std::to_string(version[0]) + "; this lrtsim reads version " +
                 std::to_string(kModelVersion));
  const NetworkSpec& net = engine.network();
  const auto input = ck.array<int32_t>("network.input", 3);
  if (input[0] != net.in_h || input[1] != net.in_w || input[2] != net.in_c)
    mismatch(ck, "network.input",
             "the checkpoint's input is " + std::to_string(input[0]) + "x" + std::to_string(input[1]) + "x" +
                 std::to_string(input[2]) + ", the configured network's (network.input) " +
                 std::to_string(net.in_h) + "x" + std::to_string(net.in_w) + "x" + std::to_string(net.in_c));
  const auto layers = ck.array<int32_t>("network.layers");
  const auto expected = network_layers(net);
  if (layers != expected)
    mismatch(ck, "network.layers",
             "the checkpoint holds " + std::to_string(layers.size() / 2) + " layers " + network_text(layers) +
                 ", the configured network (network.layers) has " + std::to_string(expected.size() / 2) +
                 " layers " + network_text(expected));
  const auto formats = ck.array<int32_t>("formats", 6);
  const auto want = format_codes(engine.formats());
  static const char* const kNames[] = {"weight bits", "weight fractional bits", "bias bits",
                                       "bias fractional bits", "input bits", "input fractional bits"};
  for (std::size_t i = 0; i < want.size(); ++i)
    if (formats[i] != want[i])
      mismatch(ck, "formats",
               std::string("the checkpoint's ") + kNames[i] + " are " + std::to_string(formats[i]) +
                   ", the configuration's (train.quant) " + std::to_string(want[i]));
  const bool per_layer = !engine.specs().layer_precision.empty();
  if (per_layer != ck.has("formats.layers"))
    mismatch(ck, "formats.layers",
             per_layer ? "is missing: the model was trained without train.precision, the configuration sets it"
                       : "is present: the model was trained with train.precision, the configuration sets none");
  if (per_layer && ck.array<int32_t>("formats.layers") != layer_format_codes(engine))
    mismatch(ck, "formats.layers",
             "the model's per-layer weight/activation/gradient formats differ from train.precision's");
}

}  // namespace

CheckpointWriter model_checkpoint(const Engine& engine, uint64_t config_hash, uint64_t trained_samples) {
  CheckpointWriter w(config_hash);
  add_model_sections(engine, trained_samples, w);
  return w;
}

void add_model_sections(const Engine& engine, uint64_t trained_samples, CheckpointWriter& w) {
  const NetworkSpec& net = engine.network();
  w.add_array("model.version", std::vector<uint32_t>{kModelVersion});
  w.add_array("network.input", std::vector<int32_t>{net.in_h, net.in_w, net.in_c});
  w.add_array("network.layers", network_layers(net));
  w.add_array("formats", format_codes(engine.formats()));
  if (!engine.specs().layer_precision.empty()) w.add_array("formats.layers", layer_format_codes(engine));
  w.add_array("pretrain.samples", std::vector<uint64_t>{trained_samples});
  for (int i = 0; i < static_cast<int>(net.layers.size()); ++i) {
    const LayerKind kind = net.layers[i].kind;
    if (kind == LayerKind::kConv3x3 || kind == LayerKind::kFc) {
      const AffineLayer& a = engine.affine(i);
      const Matrix<int32_t>& w_codes = a.weight_codes();
      w.add_array(layer_section(i, "weights"),
                  std::vector<int32_t>(w_codes.data(), w_codes.data() + w_codes.rows() * w_codes.cols()));
      w.add_array(layer_section(i, "bias"), a.bias_codes());
    } else if (kind == LayerKind::kBatchNorm) {
      const BnState& s = engine.batch_norm(i).bn().state();
      w.add_array(layer_section(i, "bn.gamma"), s.gamma);
      w.add_array(layer_section(i, "bn.beta"), s.beta);
      w.add_array(layer_section(i, "bn.mu"), s.mu);
      w.add_array(layer_section(i, "bn.sq"), s.sq);
      w.add_array(layer_section(i, "bn.steps"), std::vector<uint64_t>{s.steps});
    }
  }
}

void save_model(const Engine& engine, const std::string& path, uint64_t config_hash, uint64_t trained_samples) {
  model_checkpoint(engine, config_hash, trained_samples).write(path);
}

void load_model(const Checkpoint& ck, Engine& engine) {
  check_header(ck, engine);
  const NetworkSpec& net = engine.network();
  for (int i = 0; i < static_cast<int>(net.layers.size()); ++i) {
    const LayerKind kind = net.layers[i].kind;
    std::string section;
    try {
      if (kind == LayerKind::kConv3x3 || kind == LayerKind::kFc) {
        AffineLayer& a = engine.affine(i);
        Matrix<int32_t> codes(a.weight_codes().rows(), a.weight_codes().cols());
        section = layer_section(i, "weights");
        const auto w = ck.array<int32_t>(section, static_cast<int64_t>(codes.rows() * codes.cols()));
        std::copy(w.begin(), w.end(), codes.data());
        a.set_weight_codes(codes);
        section = layer_section(i, "bias");
        a.set_bias_codes(ck.array<int32_t>(section, a.n_out()));
      } else if (kind == LayerKind::kBatchNorm) {
        const int64_t c = engine.batch_norm(i).bn().shape().c;
        BnState s;
        section = layer_section(i, "bn.gamma");
        s.gamma = ck.array<int32_t>(section, c);
        section = layer_section(i, "bn.beta");
        s.beta = ck.array<int32_t>(section, c);
        section = layer_section(i, "bn.mu");
        s.mu = ck.array<int64_t>(section, c);
        section = layer_section(i, "bn.sq");
        s.sq = ck.array<int64_t>(section, c);
        // Models written before bn.steps: statistics of a long history, whose bias correction
        // 1 - eta^k is 1 (2^40 samples).
        section = layer_section(i, "bn.steps");
        s.steps = ck.has(section) ? ck.array<uint64_t>(section, 1)[0] : uint64_t{1} << 40;
        section = layer_section(i, "bn");
        engine.batch_norm(i).bn().set_state(s);
      }
    } catch (const std::invalid_argument& e) {  // a code outside its format
      mismatch(ck, section, e.what());
    }
  }
}

void load_model(const std::string& path, Engine& engine) { load_model(Checkpoint::read(path), engine); }

uint64_t trained_samples(const Checkpoint& ck) {
  return ck.has("pretrain.samples") ? ck.array<uint64_t>("pretrain.samples", 1)[0] : 0;
}

}  // namespace lrt::golden
