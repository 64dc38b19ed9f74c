#pragma once
// The integer layers of the golden engine. Each layer reads int16 codes of its input
// format and writes int16 codes of its output format; backward signals between layers are
// Qb codes. A layer's backward computes its input gradient with the parameters the forward
// used, and only then changes its own parameters. The signal flow of every layer
// (formats, rounding, saturation, STE) is specified in docs/golden_engine.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/fixed_point.h"
#include "core/matrix.h"
#include "core/rng.h"
#include "core/weight_store.h"
#include "golden/training/dither.h"
#include "golden/training/kernels.h"
#include "golden/training/mac_kernels.h"
#include "golden/training/max_norm.h"
#include "golden/training/network.h"
#include "golden/training/schemes.h"
#include "golden/training/streaming_bn.h"
#include "golden/training/write_counter.h"

namespace lrt::golden {

/// @brief Common interface of the layers (one virtual call per layer per sample).
class Layer {
 public:
  Layer(const TensorShape& in, const TensorShape& out, const fx::Format& in_fmt, const fx::Format& out_fmt)
      : in_(in), out_(out), in_fmt_(in_fmt), out_fmt_(out_fmt) {}
  virtual ~Layer() = default;

  /// @brief out = f(in). train: the forward of a training step (BN may absorb the sample).
  virtual void forward(const int16_t* in, int16_t* out, bool train) = 0;
  /// @brief Given dout (Qb codes of dL/d out) for the last forward (whose input was in):
  /// writes din (Qb codes of dL/d in) unless null, then, if learn, updates parameters.
  virtual void backward(const int16_t* in, const int16_t* dout, int16_t* din, bool learn) = 0;
  /// Whether backward(..., learn = true) changes any parameter.
  virtual bool learns() const { return false; }

  const TensorShape& in_shape() const { return in_; }
  const TensorShape& out_shape() const { return out_; }
  const fx::Format& in_format() const { return in_fmt_; }
  const fx::Format& out_format() const { return out_fmt_; }

 private:
  TensorShape in_, out_;
  fx::Format in_fmt_, out_fmt_;
};

/// @brief Everything an affine (conv3x3 or fc) layer needs besides its shape.
struct AffineSetup {
  fx::Format in;      ///< input activation format (<= 8 bits)
  fx::Format weight;  ///< Qw
  fx::Format bias;    ///< Qb: biases, outputs z, backward signals
  fx::Format grad;    ///< Qg: dz used for updates and backprop
  int alpha_exp = 0;  ///< alpha = 2^alpha_exp
  double learning_rate = 0.01;
  bool max_norm = false;
  /// where max_norm acts: on the updates (dz untouched; the bias gradient has its own state)
  /// or on dz itself (train_specs.h)
  MaxNormPlacement max_norm_placement = MaxNormPlacement::kUpdate;
  bool train_bias = true;  ///< false: the bias stays as loaded (Table 3, "no bias training")
  MaxNormSpec max_norm_spec;
  DitherSpec dither;      ///< dithered backprop: NSD quantization of dz instead of Qg rounding (dither.h)
  UpdaterParams updater;  ///< n_o, n_i, weight, learning rate, alpha and max-norm are filled in by the layer
                          ///< (its seed and layer_index also key the dither stream)
};

/// @brief What an affine layer's datapath did, counted as a zero-skipping MAC array does it
/// (docs/precision.md, "Zero skipping"): every non-zero dz entry costs fan_in MACs in the
/// input gradient and in the weight gradient (sgd, sgd_pixel, naive_batch) and one bias add; a
/// zero entry skips them. Forward MACs are dense (pairs x n_out x fan_in per training forward).
struct AffineWork {
  uint64_t dz_entries = 0;           ///< Qg dz entries the backward passes produced
  uint64_t dz_zeros = 0;             ///< of those, zero
  uint64_t forward_macs = 0;
  uint64_t backward_data_macs = 0;   ///< input gradient, performed
  uint64_t backward_data_skipped = 0;
  uint64_t weight_grad_macs = 0;     ///< weight gradient formed in the backward phase, performed
  uint64_t weight_grad_skipped = 0;
  uint64_t bias_adds = 0;            ///< bias-gradient additions, performed
  uint64_t bias_skipped = 0;
  uint64_t dither_tensors = 0;       ///< dz tensors quantized with dither
  uint64_t dither_step_exp_sum = 0;  ///< sum of their step exponents k (Delta = 2^k Qg LSBs)
  uint64_t mac_bit_ops = 0;      ///< performed conv/fc MACs x their operand widths (B_w B_a, B_w B_g, B_g B_a)
  uint64_t mac_bit_ops_8x8 = 0;  ///< the same MACs at a static FW8/BW8 (x 64)
  static constexpr int kWords = 13;

  /// Field by field (a network's total of its layers' work).
  AffineWork& operator+=(const AffineWork& o) {
    dz_entries += o.dz_entries;
    dz_zeros += o.dz_zeros;
    forward_macs += o.forward_macs;
    backward_data_macs += o.backward_data_macs;
    backward_data_skipped += o.backward_data_skipped;
    weight_grad_macs += o.weight_grad_macs;
    weight_grad_skipped += o.weight_grad_skipped;
    bias_adds += o.bias_adds;
    bias_skipped += o.bias_skipped;
    dither_tensors += o.dither_tensors;
    dither_step_exp_sum += o.dither_step_exp_sum;
    mac_bit_ops += o.mac_bit_ops;
    mac_bit_ops_8x8 += o.mac_bit_ops_8x8;
    return *this;
  }
};

/// @brief conv3x3 (im2col + integer GEMM) or fc layer: z = Qb(alpha W a + b).
class AffineLayer final : public Layer, private WriteFlusher {
 public:
  /// Weights start at code zero; the engine initializes them (init_he) or loads codes.
  AffineLayer(const LayerShape& shape, const AffineSetup& setup);

  void forward(const int16_t* in, int16_t* out, bool train) override;
  void backward(const int16_t* in, const int16_t* dout, int16_t* din, bool learn) override;
  bool learns() const override { return trains_bias(updater_->scheme()); }
  /// @brief Whether backward(learn = true) updates the biases (scheme and AffineSetup::train_bias).
  bool updates_bias() const { return train_bias_ && trains_bias(updater_->scheme()); }

  /// @brief Truncated-normal He initialization: w ~ N(0, (sqrt(2/fan_in)/alpha)^2), draws
  /// outside the weight range redrawn, then Qw. Cell i (column-major) uses draws
  /// 64 i .. 64 i + 63 of the given stream.
  void init_he(const CounterRng& rng);

  bool is_conv() const { return conv_; }
  int n_out() const { return n_o_; }
  int fan_in() const { return k_; }
  /// Output pixels (conv) or 1 (fc): the GEMM rows, one LRT pair each.
  int pairs() const { return pairs_; }
  int alpha_exp() const { return alpha_exp_; }
  const fx::Format& weight_format() const { return w_fmt_; }
  const fx::Format& grad_format() const { return g_fmt_; }
  /// Weight codes, n_out x fan_in, column-major (cell index = k * n_out + o).
  const Matrix<int32_t>& weight_codes() const { return w_; }
  void set_weight_codes(const Matrix<int32_t>& codes);
  const std::vector<int32_t>& bias_codes() const { return b_; }
  void set_bias_codes(const std::vector<int32_t>& codes);
  const WriteCounter& writes() const { return writes_; }
  WriteCounter& writes() { return writes_; }
  const WeightUpdater& updater() const { return *updater_; }
  WeightUpdater& updater() { return *updater_; }
  /// The max-norm of dz (placement gradient), else empty.
  const std::optional<MaxNorm>& max_norm() const { return max_norm_; }
  /// @brief The layer's own max-norm states (checkpoints): dz's (placement gradient) or the bias
  /// gradient's (placement update); empty with max-norm off. The updater keeps its own.
  std::vector<MaxNormState> norm_states() const;
  /// Restores them; std::invalid_argument for another count.
  void set_norm_states(const std::vector<MaxNormState>& states);
  /// Qb saturations of z in all forwards so far.
  const fx::ClipCounter& z_clips() const { return z_clips_; }
  void set_z_clips(const fx::ClipCounter& c) { z_clips_ = c; }
  /// The last backward's dz after max-norm and Qg (pairs x n_out).
  const std::vector<int16_t>& last_dz() const { return dzq_; }
  /// Zeros in last_dz().
  uint64_t last_dz_zeros() const { return last_zeros_; }
  /// @brief The sample the next backward belongs to (keys the dither stream: results do not
  /// depend on threads or on a resume).
  void set_sample_index(uint64_t sample) { sample_index_ = sample; }
  const DitherSpec& dither() const { return dither_; }
  const AffineWork& work() const { return work_; }
  void set_work(const AffineWork& w) { work_ = w; }
  /// Whether the scheme forms the weight gradient G = sum dz a^T in the backward phase.
  bool forms_weight_gradient() const;
  /// @brief FracTrain PFQ (pfq.h): from now on the MAC operands are rounded (nearest, ties up,
  /// saturating) to `forward_bits` for weights and activations and `backward_bits` for dz; the
  /// codes keep their formats (a b-bit operand is a multiple of 2^(bits - b) LSBs). Widths equal
  /// to the formats' restore full precision. std::invalid_argument for a width above a format's
  /// or below 2, or mid-rise weights.
  void set_operand_bits(int forward_bits, int backward_bits);
  int weight_operand_bits() const { return w_fmt_.bits - w_drop_; }
  int activation_operand_bits() const { return in_fmt_.bits - a_drop_; }
  int grad_operand_bits() const { return g_fmt_.bits - g_drop_; }
  /// The operand widths of the layer's MAC jobs as a MAC array runs them (MacJob's
  /// weight_bits x activation_bits): forward W x a, input gradient W x dz, weight gradient dz x a.
  MacOperandBits forward_bits() const { return bits_of(weight_operand_bits(), activation_operand_bits()); }
  MacOperandBits backward_data_bits() const { return bits_of(weight_operand_bits(), grad_operand_bits()); }
  MacOperandBits weight_gradient_bits() const { return bits_of(grad_operand_bits(), activation_operand_bits()); }
  /// The bias gradient's adds: dz times 1.
  MacOperandBits bias_gradient_bits() const { return bits_of(1, grad_operand_bits()); }

  /// @brief Keeps the weights in `store` from now on (null: in the layer only). deploy: the
  /// layer's codes are placed into the store (a stuck cell keeps its level, and the layer
  /// adopts what was stored); otherwise the store already holds them (a resumed run) and
  /// std::runtime_error is thrown if any word differs from the layer's code. Then every
  /// forward reads the weights from the store, every update writes the changed cells to it,
  /// and end_sample() applies its drift. std::invalid_argument if its size differs.
  void attach_store(WeightStore* store, bool deploy);
  /// @brief Spreads the layer's GEMMs over `pool` (null: this thread only); bit-exact either way.
  void set_thread_pool(ThreadPool* pool) {
    pool_ = pool;
    local_kernels_.set_thread_pool(pool);
  }
  /// @brief Hands the layer's MAC jobs (forward, input gradient, weight and bias gradients, the
  /// updater's products) to `kernels`
  /// from now on (null: the golden kernels on the layer's pool). Not owned; bit-exact either way.
  void install_mac_kernels(MacKernels* kernels) { kernels_ = kernels != nullptr ? kernels : &local_kernels_; }
  WeightStore* store() const { return store_; }
  /// @brief The end of a training sample: advances the store's sample clock (drift) and
  /// adopts the codes drift changed. Nothing without a store.
  void end_sample();
  /// @brief With deferral on, backward(learn = true) updates the biases but leaves the
  /// weight update (the updater's sample, e.g. the LRT pairs, and the writes it causes) for
  /// learn_weights(), so that an engine can run the layers' weight updates in parallel after
  /// the backward pass. Bit-identical: backward reads the weights before they change either
  /// way, and no other layer reads them until the next forward.
  void set_defer_weight_learning(bool defer) { defer_learning_ = defer; }
  /// @brief Runs the weight update a deferred backward(learn = true) left; nothing otherwise.
  void learn_weights();
  /// @brief Tells the updater that learn_weights() comes (WeightUpdater::prepare_sample): a
  /// host-side hint, nothing changes. Nothing unless a deferred update is pending.
  void prepare_learning();

 private:
  int16_t weight_operand(int32_t code) const;
  static MacOperandBits bits_of(int a, int b) { return {static_cast<uint32_t>(a), static_cast<uint32_t>(b)}; }
  void flush() override { write_changed_cells(); }  // WriteFlusher: a scheme writing per pair
  void refresh_mirrors();
  // The mirrors back to w_ everywhere: no read's deviations held any more.
  void mirrors_to_stored_codes();
  void load_mirrors(const int32_t* codes);
  void set_mirror(uint64_t cell, int16_t operand);
  // Puts the mirrors from one sparse read to the next: the words of `was` back to w_, those of
  // `now` to their read codes (both ascending).
  void move_deviations(const std::vector<WordCode>& was, const std::vector<WordCode>& now);
  // The cell-order copy, and the transposed one if `transposed`, in cell ranges over the pool.
  void move_deviations_spread(const std::vector<WordCode>& was, const std::vector<WordCode>& now,
                              bool transposed);
  // The same for list pieces that hold the deviations of one cell range starting at `lo`.
  void move_deviations_range(const WordCode* was, size_t was_n, const WordCode* now, size_t now_n,
                             uint64_t lo, bool transposed);
  void read_weights();
  void write_changed_cells();
  SamplePairs sample_pairs();  // the pending update's pairs (learn_weights, prepare_learning)
  bool defer_learning_ = false;
  bool learning_pending_ = false;

  bool conv_;
  int n_o_, k_, pairs_;
  int alpha_exp_;
  fx::Format in_fmt_, w_fmt_, b_fmt_, g_fmt_;
  double lr_;
  bool train_bias_;
  DitherSpec dither_;
  CounterRng dither_rng_;
  uint64_t sample_index_ = 0;
  uint64_t last_zeros_ = 0;
  AffineWork work_;
  std::vector<int64_t> dzv_;  // dither: the values before quantization
  int w_drop_ = 0, a_drop_ = 0, g_drop_ = 0;  // PFQ: operand LSBs rounded away
  std::vector<int16_t> ain_;                  // PFQ: the fc input at reduced precision
  int z_shift_;   // acc -> Qb
  int dx_shift_;  // backward acc -> Qb
  Matrix<int32_t> w_;
  std::vector<int32_t> b_;
  std::vector<int16_t> w16_;   // [o][k] MAC operands (weight_operand of the codes); conv layers only
  std::vector<int16_t> wt16_;  // [k][o], the cells' order
  std::unique_ptr<WeightUpdater> updater_;
  std::optional<MaxNorm> max_norm_;   // placement gradient: dz
  std::optional<MaxNorm> bias_norm_;  // placement update: the bias gradient (the authors' MN_db)
  WriteCounter writes_;
  fx::ClipCounter z_clips_;
  // Scratch, sized once.
  std::vector<int16_t> cols_;        // pairs x k (conv)
  const int16_t* a_rows_ = nullptr;  // the last forward's pair rows (cols_ or the input)
  std::vector<int32_t> acc_;         // pairs x n_o
  std::vector<uint8_t> zclip_;       // pairs x n_o
  std::vector<int16_t> dz_;          // pairs x n_o, Qb
  std::vector<int16_t> dzq_;         // pairs x n_o, Qg
  std::vector<int32_t> db_;          // n_o: the bias gradient in Qg LSBs
  std::vector<int32_t> dx32_;        // in size
  LocalMacKernels local_kernels_;
  MacKernels* kernels_ = &local_kernels_;  // who computes the MAC jobs
  // Weight store (optional): cells an update changed, codes a read returned, drift changes.
  WeightStore* store_ = nullptr;
  std::vector<int64_t> journal_;
  std::vector<int32_t> read_codes_;
  std::vector<int64_t> drifted_;
  // Sparse reads: the last sample's words that read differently, whose mirrors hold that read
  // (elsewhere the mirrors hold the stored codes, unless a full read put a noisy code anywhere).
  std::vector<WordCode> deviations_;       // the last sparse read's, held by the mirrors
  std::vector<WordCode> read_deviations_;  // scratch of read_weights
  ThreadPool* pool_ = nullptr;             // large mirror moves (move_deviations) spread over it
  bool mirrors_hold_full_read_ = false;
};

/// @brief 2x2 max-pool; the format passes through.
class MaxPoolLayer final : public Layer {
 public:
  MaxPoolLayer(const LayerShape& shape, const fx::Format& fmt);
  void forward(const int16_t* in, int16_t* out, bool train) override;
  void backward(const int16_t* in, const int16_t* dout, int16_t* din, bool learn) override;

 private:
  std::vector<int32_t> argmax_;
};

/// @brief Requantizes to another format with the clipped STE: ReLU + Qa (relu = true) or
/// the signed activation quantizer in front of a conv/fc layer (relu = false).
class ActivationLayer final : public Layer {
 public:
  ActivationLayer(const TensorShape& shape, const fx::Format& in, const fx::Format& out, bool relu);
  void forward(const int16_t* in, int16_t* out, bool train) override;
  void backward(const int16_t* in, const int16_t* dout, int16_t* din, bool learn) override;

 private:
  bool relu_;
  std::vector<uint8_t> pass_;  // 1 where the gradient passes
};

/// @brief Streaming batch norm layer (statistics and affine follow `learning`).
class BatchNormLayer final : public Layer {
 public:
  /// streaming: absorb training samples into the statistics; learning: the block's
  /// scheme trains (statistics and gamma/beta change only then).
  /// affine_norm: max-norm gamma's and beta's gradients (the authors' MN_dg, MN_db).
  BatchNormLayer(const TensorShape& shape, const fx::Format& in, const fx::Format& param,
                 const fx::Format& out, const StreamingBnSpec& spec, bool learning, double learning_rate,
                 const std::optional<MaxNormSpec>& affine_norm = std::nullopt);
  void forward(const int16_t* in, int16_t* out, bool train) override;
  void backward(const int16_t* in, const int16_t* dout, int16_t* din, bool learn) override;
  bool learns() const override { return learning_; }

  const StreamingBn& bn() const { return bn_; }
  StreamingBn& bn() { return bn_; }

 private:
  StreamingBn bn_;
  bool streaming_;
  bool learning_;
  double lr_;
};

}  // namespace lrt::golden
