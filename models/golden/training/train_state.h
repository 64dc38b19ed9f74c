#pragma once
// The complete training state of an Engine in a checkpoint (core/checkpoint.h): what
// `lrtsim run --checkpoint-every` saves so that a resumed run continues bit-exactly. It is
// the deployed model (model_io.h: weights, biases, BN parameters and statistics) plus every
// piece of running state that influences later samples or is reported:
//   train.version                    u32[1]  kTrainStateVersion
//   train.samples                    u64[1]  Engine::samples_trained()
//   train.pfq.state / .values / .switched_at   u64[3] (stage, window count, has best) / f64[2]
//                                    (window sum, best) / u64[stage]   only when train.pfq is on
//   layer.L.writes.counts / .total   u32[cells] / u64[1]   per-cell write counts, total
//   layer.L.z_clips                  u64[2]  clipped, total
//   layer.L.work                     u64[11] AffineWork (dz zeros, MAC counts, dither steps)
//   layer.L.max_norm.k / .values     u64[n] / f64[2n] (x_mv, beta^k each): AffineLayer::norm_states()
//   layer.L.updater.max_norm.k / .values    the same for the updater's (UpdaterState::norms)
//   layer.L.bn.max_norm.k / .values  the same for a BN layer's gamma / beta gradients
//                                    (each pair only when it holds states)
//   layer.L.updater.scheme           i32[1]  Scheme (checked against the engine's)
//   layer.L.updater.stats / .density u64[3] (samples, attempts, applied) / f64[1]
//   layer.L.updater.batch / .sum / .uoro_left / .uoro_right / .sign_index   (UpdaterState)
//   layer.L.lrt.batch / .last_update i64[1] / i32[n_o n_i]     LRT only, then the reducer:
//   layer.L.rr.arith                 i32[1]  RankReduceArith
//   float: layer.L.rr.q_left, .q_right, .c_x (f64), .stats u64[3], .counters u64[2]
//   fixed: layer.L.rr.left_codes, .right_codes (i16), .left_exps, .right_exps (i32),
//          .left_max, .right_max (u16), .cx_codes (u32), .cx_exp i32[1], .stats u64[3],
//          .saturations u64[1], .last_pair i64[8]
// Per-step scratch (activations, gradients, the last forward's masks) is not state: every
// training step rewrites it before reading it. The RNG streams are counter based, so their
// positions are the counters above (reducer stats.pairs, UORO sign_index).

#include <cstdint>

#include "core/checkpoint.h"
#include "golden/training/engine.h"

namespace lrt::golden {

/// @brief Version of the training-state section layout above.
constexpr uint32_t kTrainStateVersion = 4;  // 2: updater.pair_updates; 3: layer.L.work; 4: max-norm lists

/// @brief Adds the engine's model and training-state sections to `writer`.
void save_training_state(const Engine& engine, CheckpointWriter& writer);

/// @brief Restores everything save_training_state() wrote into `engine`, which must have been
/// built from the same network and training specs (the caller checks the configuration
/// hash). Throws InputError (file = checkpoint path, key = section) on any mismatch.
void load_training_state(Engine& engine, const Checkpoint& checkpoint);

}  // namespace lrt::golden
