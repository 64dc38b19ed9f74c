#pragma once
// The golden training engine: a pure C++ (no SystemC) online trainer of a quantized CNN
// with the integer signal flow of Appendix C and the training schemes of schemes.h.
// Deterministic: the same network, specs, seed and sample sequence give identical weight
// codes, on any thread count (set_thread_pool: the GEMMs split rows, the layers' weight updates
// run in parallel, each result independent of the split; all MAC sums are integer). Double
// arithmetic occurs only in softmax, the max-norm scalar state, parameter-update scaling,
// the LRT/UORO estimators, and He initialization, each in a fixed order
// (docs/golden_engine.md, "Determinism").

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/matrix.h"
#include "golden/training/layers.h"
#include "golden/training/network.h"
#include "golden/training/train_specs.h"
#include "golden/training/write_counter.h"

namespace lrt::golden {

/// @brief Outcome of one online training sample.
struct StepResult {
  int prediction = -1;   ///< arg-max of the logits of this step's forward pass
  bool correct = false;  ///< prediction == label
  double loss = 0.0;     ///< softmax cross-entropy of the quantized logits
};

/// @brief Online trainer; see the file comment.
class Engine {
 public:
  /// Builds the layers and He-initializes the weights from train.seed. Throws SpecError
  /// (naming the TrainSpecs member) for invalid specs, std::invalid_argument for an invalid
  /// network.
  Engine(const NetworkSpec& net, const TrainSpecs& train);
  /// Same with the seed given explicitly (overrides train.seed).
  Engine(const NetworkSpec& net, const TrainSpecs& train, uint64_t seed);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// @brief Class prediction of an in_h x in_w x in_c uint8 image (HWC); changes no state.
  int predict(const uint8_t* image);
  /// @brief Forward, loss, backward and updates for one labelled sample.
  StepResult train_step(const uint8_t* image, int label);

  // ---- One training step in parts, for a hardware sequencer (tlm::controller) ----------
  // train_step(image, label) is exactly: begin_step(image, label); forward_op(i) for i in
  // [0, ops()); r = finish_forward(label); backward_op(i) for i from ops() - 1 down to
  // lowest_learning_op(); with deferred weight learning, learn_layer(l) for every trainable l;
  // end_step(r). A layer's deferred update reads only its own saved pairs and writes only its
  // own weights, so learn_layer(l) may run as soon as backward_op(op_of_layer(l)) returned, in
  // any order with the other layers' updates and the backward ops below it: same result.

  /// Ops executed in order (the network's layers and implicit quantizers).
  size_t ops() const { return ops_.size(); }
  /// The op that runs network layer `layer`, and the network layer op i runs (-1: implicit).
  int op_of_layer(int layer) const { return op_of_layer_.at(static_cast<size_t>(layer)); }
  int layer_of_op(size_t i) const;
  /// The lowest op that learns (-1: none learns; no backward pass).
  int lowest_learning_op() const { return lowest_learning_op_; }
  void begin_step(const uint8_t* image, int label);
  void forward_op(size_t i);
  StepResult finish_forward(int label);
  void backward_op(size_t i);
  void learn_layer(int layer) { affine(layer).learn_weights(); }
  /// A hint that learn_layer(layer) comes (AffineLayer::prepare_learning).
  void prepare_learning(int layer) { affine(layer).prepare_learning(); }
  void end_step(const StepResult& r);
  /// @brief Defers every layer's weight update to learn_layer() (a sequencer runs them); off:
  /// only a thread pool defers (set_thread_pool).
  void set_sequenced_learning(bool on);
  bool deferred_learning() const { return pool_ != nullptr || sequenced_; }

  /// The input of op i (its codes from the last forward), and dL/d of it (the last backward).
  const std::vector<int16_t>& activation(size_t i) const { return acts_.at(i); }
  const std::vector<int16_t>& gradient(size_t i) const { return grads_.at(i); }

  /// Logits (Qb codes) of the last forward.
  const std::vector<int16_t>& logits() const;

  // ---- Parameters and statistics -------------------------------------------------------
  const NetworkSpec& network() const { return net_; }
  const TrainSpecs& specs() const { return specs_; }
  const Formats& formats() const { return formats_; }
  uint64_t samples_trained() const { return samples_; }
  /// Restores the sample count (checkpoints: golden/training/train_state.h).
  void set_samples_trained(uint64_t n) { samples_ = n; }

  /// Indices (into network().layers) of the conv3x3 / fc layers, in order.
  const std::vector<int>& trainable_layers() const { return trainable_; }
  /// The conv3x3 / fc layer at network layer index `layer` (throws std::out_of_range).
  const AffineLayer& affine(int layer) const;
  AffineLayer& affine(int layer);
  /// The fixed-point rank reducer of the LRT layer at network layer index `layer` (its state is
  /// what a hardware unit loads). Throws std::invalid_argument for a layer that does not train
  /// with LRT or reduces in float.
  const RankReduceFixed& lrt_reducer_model(int layer) const;
  /// Lets the LRT layer `layer` fold its pairs with `reducer` from now on (e.g. a driver of a
  /// hardware unit that holds the same state). Throws as lrt_reducer_model().
  void install_rank_reducer(int layer, std::unique_ptr<RankReducer> reducer);
  /// Lets the trainable or batch-norm layer `layer` hand its MAC jobs to `kernels` (not owned;
  /// null: the golden kernels on the engine's pool). std::invalid_argument for another layer.
  void install_mac_kernels(int layer, MacKernels* kernels);
  /// The batch-norm layer at network layer index `layer` (throws std::out_of_range).
  const BatchNormLayer& batch_norm(int layer) const;
  BatchNormLayer& batch_norm(int layer);

  /// Whether a training step runs network layer `layer` backward (some layer at or below it
  /// learns), and whether it then also computes its input gradient (one below it learns).
  bool runs_backward(int layer) const;
  bool computes_input_gradient(int layer) const;

  /// Write statistics of one conv3x3 / fc layer and of all of them together.
  WriteStats write_stats(int layer) const;
  WriteStats write_stats() const;
  /// @brief WeightUpdater::pair_updates() over the layers whose scheme keeps them (cells = 0
  /// when none does): the authors' write count of SGD on convolutions.
  WriteStats pair_update_stats() const;

  /// @brief Keeps trainable layer j's weights (trainable_layers()[j]) in stores[j] from now
  /// on (AffineLayer::attach_store; deploy as there). Every train_step then ends with each
  /// store's end_sample() (drift). The stores must outlive the engine or be detached with an
  /// empty vector. std::invalid_argument for a count or size mismatch (nothing is attached
  /// then); a code mismatch with deploy = false throws from the layer that has it.
  void attach_weight_stores(const std::vector<WeightStore*>& stores, bool deploy);

  /// @brief Runs the conv3x3 / fc GEMMs on `pool` (null: one thread) and, with more than one
  /// thread, the layers' weight updates (LRT pairs, writes) side by side after the backward
  /// pass (AffineLayer::set_defer_weight_learning). The results are bit-identical for every
  /// thread count; the pool must outlive the engine or be reset. With a pool, the weight
  /// stores must take writes to different layers from different threads at once.
  void set_thread_pool(ThreadPool* pool);
  /// The pool the GEMMs use (null: none, or one thread).
  ThreadPool* thread_pool() const { return pool_; }

  /// @brief The PFQ schedule (null when train.pfq is off).
  const PfqSchedule* pfq() const { return pfq_ ? &*pfq_ : nullptr; }
  /// Restores the schedule's state (checkpoints); std::logic_error when PFQ is off.
  void set_pfq_state(const PfqState& s);

  /// @brief FNV-1a 64 over every weight code (as int32 little-endian), layers in network
  /// order, each layer's codes column-major (cell k * n_out + o).
  uint64_t weights_digest() const;

 private:
  void build();
  void load_input(const uint8_t* image);
  void forward(bool train);

  NetworkSpec net_;
  TrainSpecs specs_;
  Formats formats_;
  std::vector<LayerShape> shapes_;
  std::vector<std::unique_ptr<Layer>> ops_;  // executed in order (may include implicit quantizers)
  std::vector<int> op_of_layer_;             // network layer index -> op index
  std::vector<int> trainable_;
  ThreadPool* pool_ = nullptr;  // more than one thread: weight updates run in parallel
  bool sequenced_ = false;      // a sequencer calls learn_layer()
  // acts_[i] is the input of op i; acts_.back() the logits. grads_[i] is dL/d acts_[i].
  std::vector<std::vector<int16_t>> acts_;
  std::vector<std::vector<int16_t>> grads_;
  int lowest_learning_op_ = -1;
  std::vector<double> probs_;
  uint64_t samples_ = 0;
  std::optional<PfqSchedule> pfq_;
  uint64_t applied_stage_ = 0;  // the stage whose widths the layers hold
  void apply_pfq_stage();
};

}  // namespace lrt::golden
