#pragma once
// Training schemes: one WeightUpdater per trainable layer decides when and how that
// layer's stored weight codes change. Every scheme sees the same per-sample input, the
// (dz, a) pairs of the sample (one for an fc layer, one per output pixel for a conv
// layer), as integer codes. Biases are not the updaters' business: the layer updates them
// every sample unless the scheme is InferenceOnly (trains_bias()).
//
// Update arithmetic shared by every scheme (docs/golden_engine.md, "Schemes"): a weight
// update in weight-LSB units is round_half_up(scale * g), one IEEE double multiply of an
// exact integer (or double) gradient g by a double scale, ties toward +inf, then added to
// the code with saturation. A cell is written when its code changes.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/fixed_point.h"
#include "core/matrix.h"
#include "golden/training/lrt_accumulator.h"
#include "golden/training/mac_kernels.h"
#include "golden/training/max_norm.h"
#include "golden/training/train_specs.h"
#include "golden/training/write_counter.h"

namespace lrt::golden {

/// @brief Receives the cells a scheme has changed so far within a sample (the layer writes
/// them to its weight store and adopts what the store holds). Schemes that write once per
/// sample never call it: the layer flushes after on_sample().
class WriteFlusher {
 public:
  virtual ~WriteFlusher() = default;
  virtual void flush() = 0;
};

/// @brief One sample's gradient pairs of a layer, as codes: row p of dz (n_o values,
/// 2^-dz_frac LSB) and row p of a (n_i values, 2^-a_frac LSB) form pair p. Every scheme
/// estimates sum_p dz_p a_p^T and moves the weights by -lr times (its estimate of) the weight
/// gradient sum_p (alpha dz_p) a_p^T (Sec. 4; alpha as in the authors' layers.py, or left out
/// with UpdaterParams::weight_gradient_alpha = false, our former rule).
struct SamplePairs {
  int pairs = 0;
  int n_o = 0;
  int n_i = 0;
  const int16_t* dz = nullptr;
  const int16_t* a = nullptr;
  int dz_frac = 0;
  int a_frac = 0;
  WriteFlusher* flusher = nullptr;  ///< null: no store behind the codes (nothing to flush)
  MacKernels* kernels = nullptr;     ///< computes the weight gradient (null: the golden kernel here)
  MacOperandBits kernel_bits;        ///< the weight-gradient job's operand widths (dz x a)
};

/// @brief What every updater of a layer needs to know.
struct UpdaterParams {
  int n_o = 0;
  int n_i = 0;
  fx::Format weight;                                ///< Qw: LSB and saturation range of the codes
  double learning_rate = 0.01;                      ///< eta
  KindTrainSpec kind;                               ///< scheme, batch, rank, mode, kappa_th
  double rho_min = 0.01;                            ///< batched schemes: minimum update density
  double batch_exponent = 0.5;                      ///< batched schemes: lr scales with B_eff^p
  RankReduceArith arith = RankReduceArith::kFloat;  ///< LRT rank reducer arithmetic
  uint64_t seed = 0;                                ///< random signs (LRT unbiased, UORO) ...
  int layer_index = 0;                              ///< ... from a sub-stream per layer
  bool count_pair_updates = true;                   ///< SGD schemes: keep pair_updates()
  int alpha_exp = 0;                                ///< the layer scale alpha = 2^alpha_exp
  bool weight_gradient_alpha = true;                ///< the gradient is (alpha dz) a^T, not dz a^T
  BatchedUpdate batched_update = BatchedUpdate::kSum;  ///< batched schemes: sum or mean of B_eff samples
  /// Max-norm of the weight update (TrainSpecs::max_norm_placement = update; the layer fills it
  /// in from AffineSetup): SGD normalizes a and dz, naive batch the summed gradient, LRT and
  /// UORO their two factors.
  bool max_norm = false;
  MaxNormSpec max_norm_spec;
};

/// @brief Counters of an updater's batched attempts.
struct UpdaterStats {
  uint64_t samples = 0;   ///< samples seen
  uint64_t attempts = 0;  ///< updates formed (batch boundaries)
  uint64_t applied = 0;   ///< updates dense enough to be written
  double last_density = 0.0;
};

/// @brief An updater's running state apart from an LRT accumulator (plain, for checkpoints).
/// Fields a scheme does not use stay empty / zero.
struct UpdaterState {
  UpdaterStats stats;
  int64_t samples_since_update = 0;  ///< naive batch, UORO: samples since the last applied update
  std::vector<int64_t> sum;          ///< naive batch: exact sum of dz a^T since then (n_o x n_i, row-major)
  std::vector<double> uoro_left;     ///< UORO: L (n_o)
  std::vector<double> uoro_right;    ///< UORO: R (n_i)
  uint64_t sign_index = 0;           ///< UORO: signs drawn so far (index into the layer's stream)
  std::vector<uint32_t> pair_updates;  ///< sgd, sgd_pixel: WeightUpdater::pair_updates() (n_o x n_i)
  std::vector<MaxNormState> norms;     ///< the update's max-norm states (WeightUpdater::norm_count())
};

/// @brief Strategy deciding how a layer's weight codes change (one job: the weights).
class WeightUpdater {
 public:
  virtual ~WeightUpdater() = default;
  /// @brief Folds in one sample; returns true when any weight code changed. codes is the
  /// layer's n_o x n_i column-major code matrix; changed cells are counted in writes.
  virtual bool on_sample(const SamplePairs& g, Matrix<int32_t>& codes, WriteCounter& writes) = 0;
  /// @brief A hint that on_sample(g) comes next (e.g. LRT announces its pairs to the rank
  /// reducer, which may start on them: RankReducer::prepare_integer). Default: nothing.
  virtual void prepare_sample(const SamplePairs& /*g*/) {}
  virtual Scheme scheme() const = 0;
  virtual const UpdaterStats& stats() const = 0;
  /// The LRT accumulator of an Lrt updater (reducer statistics), else null.
  virtual const LrtAccumulator* lrt_accumulator() const { return nullptr; }
  virtual LrtAccumulator* lrt_accumulator() { return nullptr; }
  /// @brief SGD schemes (sgd, sgd_pixel): per cell (column-major, like the codes), the pairs
  /// whose term dz_o a_k was non-zero, saturating at 2^32 - 1. That is how many writes an SGD
  /// would make that writes every pair's update unrounded, the count the LRT paper's Figure 6
  /// uses for convolutions (docs/golden_engine.md, "Write counting"). Null for other schemes.
  virtual const std::vector<uint32_t>* pair_updates() const { return nullptr; }
  /// @brief How many max-norm states the update keeps (0 without UpdaterParams::max_norm; 2 for
  /// sgd, sgd_pixel (a, dz), lrt and uoro (the dz-side and a-side factors), 1 for naive batch).
  virtual size_t norm_count() const { return 0; }
  /// @brief The running state (an Lrt updater's accumulator is reached via lrt_accumulator()).
  virtual UpdaterState state() const = 0;
  /// @brief Replaces the running state. Throws std::invalid_argument when a field the scheme
  /// uses has another size, or one it does not use is not empty / zero.
  virtual void set_state(const UpdaterState& s) = 0;
};

/// @brief The updater for params.kind.scheme (validates params; throws std::invalid_argument).
std::unique_ptr<WeightUpdater> make_updater(const UpdaterParams& params);

/// @brief Whether biases (and BN affine parameters) train under this scheme.
inline bool trains_bias(Scheme s) { return s != Scheme::kInferenceOnly; }
/// Whether a scheme ever changes weights.
inline bool trains_weights(Scheme s) { return s != Scheme::kInferenceOnly && s != Scheme::kBiasOnly; }

/// @brief The rank-1 UORO estimate of sum_p dz_p a_p^T (Tallec & Ollivier): for each pair,
/// with a random sign s, L <- rho0 L + s rho1 dz, R <- R / rho0 + s a / rho1, where
/// rho0 = sqrt(|R| / |L|) (1 while L or R is zero) and rho1 = sqrt(|a| / |dz|); pairs with
/// a zero dz or a are skipped (they add nothing). E[L R^T] = sum dz a^T over the signs.
class UoroEstimator {
 public:
  UoroEstimator(int n_o, int n_i);
  void step(const double* dz, const double* a, int sign);
  void reset();
  /// Replaces L and R (checkpoints); throws std::invalid_argument on a size mismatch.
  void set(const std::vector<double>& left, const std::vector<double>& right);
  const std::vector<double>& left() const { return left_; }
  const std::vector<double>& right() const { return right_; }

 private:
  std::vector<double> left_;
  std::vector<double> right_;
};

}  // namespace lrt::golden
