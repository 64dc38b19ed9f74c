#pragma once
// The deployed model of an Engine in a checkpoint (core/checkpoint.h): what `lrtsim
// pretrain` writes and `lrtsim run` loads. It holds the network shape, the formats of the
// stored codes, every weight and bias code, and every BN layer's parameters and statistics
// — not training state (max-norm averages, LRT accumulators, write counts): a deployed
// model starts training afresh. Loading checks the checkpoint against the engine's network
// and formats; a mismatch is an InputError naming the section and both sizes.
//
// Sections (little-endian arrays; L = index of the layer in network.layers):
//   model.version        u32[1]   kModelVersion
//   network.input        i32[3]   h, w, c
//   network.layers       i32[2n]  (LayerKind, out) per layer
//   formats              i32[6]   Qw bits, frac; Qb bits, frac; Qin bits, frac
//   layer.L.weights      i32[n_out * fan_in]  weight codes, column-major (k * n_out + o)
//   layer.L.bias         i32[n_out]           bias codes
//   layer.L.bn.gamma     i32[c]   / layer.L.bn.beta i32[c]    Qb codes
//   layer.L.bn.mu        i64[c]   / layer.L.bn.sq   i64[c]    24 fractional bits
//   pretrain.samples     u64[1]   samples the model was trained on (information)

#include <cstdint>
#include <string>

#include "core/checkpoint.h"
#include "golden/training/engine.h"

namespace lrt::golden {

/// @brief Version of the section layout above (independent of the container's version).
constexpr uint32_t kModelVersion = 1;

/// @brief Adds the model sections of `engine` (all of the above) to `writer`.
void add_model_sections(const Engine& engine, uint64_t trained_samples, CheckpointWriter& writer);

/// @brief The model sections of `engine`, ready to write. `config_hash` identifies the
/// configuration that trained it (stored in the container, informational).
CheckpointWriter model_checkpoint(const Engine& engine, uint64_t config_hash, uint64_t trained_samples);

/// @brief model_checkpoint() written atomically to `path`. Throws RunError.
void save_model(const Engine& engine, const std::string& path, uint64_t config_hash, uint64_t trained_samples);

/// @brief Replaces the engine's weight, bias and BN codes by the checkpoint's, after checking
/// its version, network and formats against the engine. Write counters are not touched.
/// Throws InputError (file = checkpoint path, key = section) on any mismatch.
void load_model(const Checkpoint& checkpoint, Engine& engine);

/// @brief Checkpoint::read(path), then load_model().
void load_model(const std::string& path, Engine& engine);

/// @brief Samples the model was pre-trained on, as stored (0 if the section is absent).
uint64_t trained_samples(const Checkpoint& checkpoint);

}  // namespace lrt::golden
