#include "golden/training/engine.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "golden/training/quant_flow.h"

namespace lrt::golden {

Engine::Engine(const NetworkSpec& net, const TrainSpecs& train) : net_(net), specs_(train) { build(); }

Engine::Engine(const NetworkSpec& net, const TrainSpecs& train, uint64_t seed) : net_(net), specs_(train) {
  specs_.seed = seed;
  build();
}

Engine::~Engine() = default;

namespace {

// Training of the conv3x3 / fc layer nearest before `layer` (else nearest after; null: none):
// a BN layer normalizes that layer's block and trains with it (scheme and max-norm).
const KindTrainSpec* block_kind(const std::vector<LayerShape>& shapes, const TrainSpecs& t, size_t layer) {
  auto kind_of = [&](const LayerShape& s) { return s.spec.kind == LayerKind::kConv3x3 ? &t.conv : &t.fc; };
  for (size_t i = layer; i-- > 0;)
    if (shapes[i].trainable()) return kind_of(shapes[i]);
  for (size_t i = layer + 1; i < shapes.size(); ++i)
    if (shapes[i].trainable()) return kind_of(shapes[i]);
  return nullptr;
}

}  // namespace

void Engine::build() {
  validate(specs_);
  formats_ = formats_of(specs_.quant);
  shapes_ = derive_shapes(net_);
  if (formats_.input.bits != 8 || formats_.input.is_signed)
    throw SpecError("quant.input", "only 8-bit unsigned inputs (code = pixel) are implemented");

  // Per-tensor precision: the formats of trainable layer j (train.quant with its overrides), and
  // for every network layer the trainable layer its output feeds next (-1: none).
  const size_t n_trainable = static_cast<size_t>(
      std::count_if(shapes_.begin(), shapes_.end(), [](const LayerShape& s) { return s.trainable(); }));
  if (!specs_.layer_precision.empty() && specs_.layer_precision.size() != n_trainable)
    throw SpecError("layer_precision", std::to_string(specs_.layer_precision.size()) + " entries for " +
                                           std::to_string(n_trainable) + " conv3x3/fc layers");
  std::vector<Formats> layer_formats(n_trainable, formats_);
  for (size_t j = 0; j < specs_.layer_precision.size(); ++j) {
    const LayerPrecisionSpec& p = specs_.layer_precision[j];
    QuantSpecs q = specs_.quant;
    if (p.weight.bits > 0) q.weight = p.weight;
    if (p.gradient.bits > 0) q.gradient = p.gradient;
    if (p.activation_bits > 0) q.activation.bits = q.activation_signed.bits = p.activation_bits;
    layer_formats[j] = formats_of(q);
  }
  std::vector<int> feeds(shapes_.size(), -1);  // the first trainable layer after network layer i
  int next = -1, index = static_cast<int>(n_trainable);
  for (size_t i = shapes_.size(); i-- > 0;) {
    feeds[i] = next;
    if (shapes_[i].trainable()) next = --index;
  }
  auto feeding = [&](size_t i) -> const Formats& {
    return feeds[i] >= 0 ? layer_formats[static_cast<size_t>(feeds[i])] : formats_;
  };
  size_t trainable_seen = 0;

  fx::Format cur = formats_.input;
  TensorShape cur_shape{net_.in_h, net_.in_w, net_.in_c};
  acts_.emplace_back(static_cast<size_t>(cur_shape.size()));
  auto push = [&](std::unique_ptr<Layer> op) {
    cur = op->out_format();
    cur_shape = op->out_shape();
    ops_.push_back(std::move(op));
    acts_.emplace_back(static_cast<size_t>(cur_shape.size()));
  };
  for (size_t i = 0; i < shapes_.size(); ++i) {
    const LayerShape& ls = shapes_[i];
    switch (ls.spec.kind) {
      case LayerKind::kConv3x3:
      case LayerKind::kFc: {
        // MAC operands are 8-bit: a wider input (a Qb layer output) is first requantized
        // to the signed activation format.
        const Formats& lf = layer_formats[trainable_seen];
        if (cur.bits > 8) push(std::make_unique<ActivationLayer>(cur_shape, cur, lf.act_signed, false));
        if (!specs_.layer_precision.empty()) {
          const int want = specs_.layer_precision[trainable_seen].activation_bits;
          if (want > 0 && cur.bits != want)
            throw SpecError("layer_precision.activation_bits",
                            "conv/fc layer " + std::to_string(trainable_seen + 1) + " (network layer " +
                                std::to_string(i) + ") reads a " + std::to_string(cur.bits) +
                                "-bit input (the 8-bit image or a layer without a ReLU, BN or Qas in "
                                "front) and cannot take " + std::to_string(want) + " bits; expected " +
                                std::to_string(cur.bits) + " or 0");
        }
        ++trainable_seen;
        const KindTrainSpec& kind = ls.spec.kind == LayerKind::kConv3x3 ? specs_.conv : specs_.fc;
        AffineSetup s;
        s.in = cur;
        s.weight = lf.weight;
        s.bias = formats_.bias;
        s.grad = lf.grad;
        if (specs_.alpha_rule == AlphaRule::kAuthors) {
          // The authors' nlvar: 2 for every conv ("assumes ReLU will follow at some point"),
          // for an fc layer 2 only when a ReLU follows it directly.
          const bool relu_follows = ls.spec.kind == LayerKind::kConv3x3 ||
                                    (i + 1 < shapes_.size() && shapes_[i + 1].spec.kind == LayerKind::kRelu);
          s.alpha_exp = alpha_exponent_authors(ls.fan_in(), relu_follows ? 2 : 1);
        } else {
          s.alpha_exp = alpha_exponent(ls.fan_in());
        }
        s.learning_rate = specs_.learning_rate;
        s.max_norm = kind.max_norm;
        s.max_norm_placement = specs_.max_norm_placement;
        s.updater.weight_gradient_alpha = specs_.weight_gradient_alpha;
        s.updater.batched_update = specs_.batched_update;
        s.train_bias = specs_.train_biases;
        s.max_norm_spec = specs_.max_norm;
        s.dither = specs_.dither;
        s.updater.kind = kind;
        s.updater.rho_min = specs_.rho_min;
        s.updater.batch_exponent = specs_.batch_scale_power;
        s.updater.arith = specs_.rank_reduce_arith;
        s.updater.seed = specs_.seed;
        s.updater.layer_index = static_cast<int>(i);
        s.updater.count_pair_updates = specs_.count_pair_updates;
        auto layer = std::make_unique<AffineLayer>(ls, s);
        layer->init_he(make_rng(specs_.seed, RngStream::kInit, i));
        trainable_.push_back(static_cast<int>(i));
        push(std::move(layer));
        break;
      }
      case LayerKind::kMaxPool2:
        push(std::make_unique<MaxPoolLayer>(ls, cur));
        break;
      case LayerKind::kRelu:
        push(std::make_unique<ActivationLayer>(cur_shape, cur, feeding(i).act, true));
        break;
      case LayerKind::kBatchNorm: {
        const KindTrainSpec* kind = block_kind(shapes_, specs_, i);
        const bool learning = kind != nullptr && trains_bias(kind->scheme);
        // Placement update: gamma and beta get their own max-norm (the authors' MN_dg, MN_db).
        std::optional<MaxNormSpec> affine_norm;
        if (kind != nullptr && kind->max_norm && specs_.max_norm_placement == MaxNormPlacement::kUpdate)
          affine_norm = specs_.max_norm;
        push(std::make_unique<BatchNormLayer>(cur_shape, cur, formats_.bias, feeding(i).act_signed, specs_.bn,
                                              learning, specs_.learning_rate, affine_norm));
        break;
      }
    }
    op_of_layer_.push_back(static_cast<int>(ops_.size()) - 1);
  }
  for (const auto& a : acts_) grads_.emplace_back(a.size());
  for (size_t i = 0; i < ops_.size(); ++i)
    if (ops_[i]->learns()) {
      lowest_learning_op_ = static_cast<int>(i);
      break;
    }
  probs_.assign(acts_.back().size(), 0.0);
  if (specs_.pfq.enabled) {
    pfq_.emplace(specs_.pfq);
    apply_pfq_stage();
  }
}

void Engine::apply_pfq_stage() {
  applied_stage_ = pfq_->state().stage;
  for (int l : trainable_) affine(l).set_operand_bits(pfq_->forward_bits(), pfq_->backward_bits());
}

void Engine::set_pfq_state(const PfqState& s) {
  if (!pfq_) throw std::logic_error("engine: PFQ is off");
  pfq_->set_state(s);
  apply_pfq_stage();
}

void Engine::load_input(const uint8_t* image) {
  std::vector<int16_t>& in = acts_.front();
  for (size_t i = 0; i < in.size(); ++i) in[i] = image[i];
}

void Engine::forward(bool train) {
  for (size_t i = 0; i < ops_.size(); ++i) ops_[i]->forward(acts_[i].data(), acts_[i + 1].data(), train);
}

namespace {

int arg_max(const std::vector<int16_t>& z) {
  return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());  // first maximum
}

}  // namespace

int Engine::predict(const uint8_t* image) {
  load_input(image);
  forward(false);
  return arg_max(acts_.back());
}

StepResult Engine::train_step(const uint8_t* image, int label) {
  begin_step(image, label);
  for (size_t i = 0; i < ops_.size(); ++i) forward_op(i);
  const StepResult r = finish_forward(label);
  for (int i = static_cast<int>(ops_.size()) - 1; i >= lowest_learning_op_ && lowest_learning_op_ >= 0; --i)
    backward_op(static_cast<size_t>(i));
  if (pool_ != nullptr)  // the layers' deferred weight updates are independent of each other
    pool_->parallel_for(static_cast<int64_t>(trainable_.size()),
                        [this](int64_t j) { affine(trainable_[static_cast<size_t>(j)]).learn_weights(); });
  else if (sequenced_)
    for (int l : trainable_) learn_layer(l);
  end_step(r);
  return r;
}

int Engine::layer_of_op(size_t i) const {
  for (size_t l = 0; l < op_of_layer_.size(); ++l)
    if (op_of_layer_[l] == static_cast<int>(i)) return static_cast<int>(l);
  return -1;
}

void Engine::begin_step(const uint8_t* image, int label) {
  const std::vector<int16_t>& z = acts_.back();
  if (label < 0 || static_cast<size_t>(label) >= z.size())
    throw std::invalid_argument("train_step: label " + std::to_string(label) + " outside [0, " +
                                std::to_string(z.size()) + ")");
  if (pfq_ && applied_stage_ != pfq_->state().stage) apply_pfq_stage();
  load_input(image);
}

void Engine::forward_op(size_t i) { ops_.at(i)->forward(acts_[i].data(), acts_[i + 1].data(), true); }

StepResult Engine::finish_forward(int label) {
  const std::vector<int16_t>& z = acts_.back();
  for (int l : trainable_) affine(l).set_sample_index(samples_);
  StepResult r;
  r.prediction = arg_max(z);
  r.correct = r.prediction == label;
  // Softmax cross-entropy in double (fixed order), on the exact values of the logit codes.
  const fx::Format& qb = formats_.bias;
  const double zmax = fx::to_double(z[static_cast<size_t>(r.prediction)], qb);
  double sum = 0.0;
  for (size_t i = 0; i < z.size(); ++i) {
    probs_[i] = std::exp(fx::to_double(z[i], qb) - zmax);
    sum += probs_[i];
  }
  r.loss = -(fx::to_double(z[static_cast<size_t>(label)], qb) - zmax - std::log(sum));
  // dL/dz = p - onehot, quantized to Qb: the backward signal entering the last layer.
  std::vector<int16_t>& dz = grads_.back();
  for (size_t i = 0; i < z.size(); ++i) {
    const double g = probs_[i] / sum - (static_cast<int>(i) == label ? 1.0 : 0.0);
    dz[i] = static_cast<int16_t>(fx::quantize(g, qb, fx::Rounding::kNearest, 0, nullptr));
  }
  return r;
}

void Engine::backward_op(size_t i) {
  const auto op = static_cast<int>(i);
  if (lowest_learning_op_ < 0 || op < lowest_learning_op_)
    throw std::logic_error("engine: op " + std::to_string(i) + " does not run backward");
  int16_t* din = op > lowest_learning_op_ ? grads_[i].data() : nullptr;
  ops_.at(i)->backward(acts_[i].data(), grads_[i + 1].data(), din, true);
}

void Engine::end_step(const StepResult& r) {
  for (int l : trainable_) affine(l).end_sample();  // drift acts between samples
  ++samples_;
  // A stage change takes effect at the next sample (whose layers then run at its widths), so
  // that what a sample cost can still be read at the widths it ran with.
  if (pfq_) pfq_->observe(samples_, r.loss);
}

void Engine::set_sequenced_learning(bool on) {
  sequenced_ = on;
  for (int l : trainable_) affine(l).set_defer_weight_learning(deferred_learning());
}

void Engine::attach_weight_stores(const std::vector<WeightStore*>& stores, bool deploy) {
  if (!stores.empty() && stores.size() != trainable_.size())
    throw std::invalid_argument("engine: " + std::to_string(stores.size()) + " weight stores for " +
                                std::to_string(trainable_.size()) + " trainable layers");
  for (size_t j = 0; j < stores.size(); ++j) {  // sizes first: a mismatch attaches nothing
    const Matrix<int32_t>& w = affine(trainable_[j]).weight_codes();
    if (stores[j] != nullptr && stores[j]->words() != w.rows() * w.cols())
      throw std::invalid_argument("engine: weight store " + std::to_string(j) + " holds " +
                                  std::to_string(stores[j]->words()) + " words for " +
                                  std::to_string(w.rows() * w.cols()) + " weight cells");
  }
  for (size_t j = 0; j < trainable_.size(); ++j)
    affine(trainable_[j]).attach_store(stores.empty() ? nullptr : stores[j], deploy);
}

const std::vector<int16_t>& Engine::logits() const { return acts_.back(); }

const AffineLayer& Engine::affine(int layer) const {
  if (layer < 0 || static_cast<size_t>(layer) >= shapes_.size() ||
      !shapes_[static_cast<size_t>(layer)].trainable())
    throw std::out_of_range("engine: layer " + std::to_string(layer) + " is not a conv3x3 or fc layer");
  return static_cast<const AffineLayer&>(
      *ops_[static_cast<size_t>(op_of_layer_[static_cast<size_t>(layer)])]);
}

AffineLayer& Engine::affine(int layer) {
  return const_cast<AffineLayer&>(static_cast<const Engine&>(*this).affine(layer));
}

namespace {

LrtAccumulator& lrt_accumulator_of(AffineLayer& layer, int index) {
  LrtAccumulator* acc = layer.updater().lrt_accumulator();
  if (acc == nullptr) throw std::invalid_argument("engine: layer " + std::to_string(index) + " does not train with LRT");
  return *acc;
}

}  // namespace

const RankReduceFixed& Engine::lrt_reducer_model(int layer) const {
  const RankReduceFixed* model =
      lrt_accumulator_of(const_cast<Engine&>(*this).affine(layer), layer).reducer().fixed_model();
  if (model == nullptr)
    throw std::invalid_argument("engine: layer " + std::to_string(layer) + " reduces in float, not in fixed point");
  return *model;
}

void Engine::install_rank_reducer(int layer, std::unique_ptr<RankReducer> reducer) {
  lrt_reducer_model(layer);  // the same refusals
  lrt_accumulator_of(affine(layer), layer).replace_reducer(std::move(reducer));
}

void Engine::install_mac_kernels(int layer, MacKernels* kernels) {
  if (layer >= 0 && static_cast<size_t>(layer) < shapes_.size() &&
      shapes_[static_cast<size_t>(layer)].spec.kind == LayerKind::kBatchNorm) {
    batch_norm(layer).bn().install_mac_kernels(kernels);
    return;
  }
  if (layer < 0 || static_cast<size_t>(layer) >= shapes_.size() || !shapes_[static_cast<size_t>(layer)].trainable())
    throw std::invalid_argument("engine: layer " + std::to_string(layer) +
                                " is not a conv3x3, fc or batch-norm layer");
  affine(layer).install_mac_kernels(kernels);
}

const BatchNormLayer& Engine::batch_norm(int layer) const {
  if (layer < 0 || static_cast<size_t>(layer) >= shapes_.size() ||
      shapes_[static_cast<size_t>(layer)].spec.kind != LayerKind::kBatchNorm)
    throw std::out_of_range("engine: layer " + std::to_string(layer) + " is not a batch-norm layer");
  return static_cast<const BatchNormLayer&>(
      *ops_[static_cast<size_t>(op_of_layer_[static_cast<size_t>(layer)])]);
}

BatchNormLayer& Engine::batch_norm(int layer) {
  return const_cast<BatchNormLayer&>(static_cast<const Engine&>(*this).batch_norm(layer));
}

void Engine::set_thread_pool(ThreadPool* pool) {
  pool_ = pool != nullptr && pool->threads() > 1 ? pool : nullptr;
  for (int l : trainable_) {
    affine(l).set_thread_pool(pool);
    affine(l).set_defer_weight_learning(deferred_learning());
  }
}

bool Engine::runs_backward(int layer) const {
  return lowest_learning_op_ >= 0 && op_of_layer_.at(static_cast<size_t>(layer)) >= lowest_learning_op_;
}

bool Engine::computes_input_gradient(int layer) const {
  return lowest_learning_op_ >= 0 && op_of_layer_.at(static_cast<size_t>(layer)) > lowest_learning_op_;
}

WriteStats Engine::write_stats(int layer) const { return affine(layer).writes().stats(); }

WriteStats Engine::pair_update_stats() const {
  WriteStats s;
  for (int l : trainable_)
    if (const std::vector<uint32_t>* counts = affine(l).updater().pair_updates()) {
      s.cells += counts->size();
      for (uint32_t c : *counts) {
        s.total += c;
        s.max = std::max(s.max, c);
      }
    }
  return s;
}

WriteStats Engine::write_stats() const {
  std::vector<WriteStats> parts;
  for (int l : trainable_) parts.push_back(write_stats(l));
  return combine(parts);
}

uint64_t Engine::weights_digest() const {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  for (int l : trainable_) {
    const Matrix<int32_t>& w = affine(l).weight_codes();
    for (size_t i = 0; i < w.rows() * w.cols(); ++i) {
      const auto u = static_cast<uint32_t>(w.data()[i]);
      for (int b = 0; b < 4; ++b) {
        h ^= (u >> (8 * b)) & 0xFFu;
        h *= 0x100000001b3ull;  // FNV prime
      }
    }
  }
  return h;
}

}  // namespace lrt::golden
