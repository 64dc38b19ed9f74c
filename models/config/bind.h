#pragma once
// From the validated configuration to what the modules run with. Specs already holds each
// module's own specs (config/specs.h), so what is left here are the rules that derive one
// value from several keys (the drift model switching strengths on, file names under data.dir,
// per-layer precision, an RRAM array's size and weight format) and the module's validate():
// its SpecError names a member of its own specs, and becomes an InputError at the key bound
// to that member (key_of_member), so that a rule spanning several keys (max_pulses against
// bits_per_cell, min_scale <= max_scale, ...) still points the user at a key of
// docs/configuration.md.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/specs.h"
#include "core/error.h"
#include "data/specs.h"
#include "data/stream.h"
#include "device/rram_specs.h"
#include "device/sram_buffer.h"
#include "golden/training/engine.h"
#include "golden/training/network.h"
#include "golden/training/train_specs.h"
#include "hw/accel_specs.h"

namespace lrt::config {

/// @brief One RRAM weight array of `cells` cells holding `weight_bits`-bit codes with range
/// `weight_range`: the network decides the size, and the weight format is train.quant.weight
/// unless a layer has its own. Throws InputError naming the key (errors in the weight format
/// name train.quant.weight.*; errors in `cells` name no key).
device::RramArraySpecs rram_specs(const Specs& specs, uint64_t cells, int weight_bits, double weight_range);

/// @brief rram_specs() with the weight format of train.quant.weight.
device::RramArraySpecs rram_specs(const Specs& specs, uint64_t cells);

/// @brief The SRAM buffer. Throws InputError naming the key.
device::SramSpecs sram_specs(const Specs& specs);

/// @brief The accelerator's hardware as the TLM model takes it: the accel.* members, with the
/// MAC array's full-adder energy from accel.mac.mult8_pj (an 8 x 8 b multiplier is 64 full
/// adders). Throws InputError naming the key.
hw::AccelSpecs accel_specs(const Specs& specs);

/// @brief A module's SpecError as an InputError at the key bound to the member it names: `at`
/// is where the module's specs sit in Specs (e.g. "accel"), so the member's path is at.member
/// and the key table says which key fills it. A member without a key (e.g. the network-given
/// `cells`) keeps its name in the message, after `module`.
[[noreturn]] void throw_at_key(const std::string& at, const char* module, const SpecError& e);

/// @brief The data set and its streams; the IDX file names are joined to data.dir unless
/// they are absolute. The data seed is run.seed, passed to the data area separately.
/// Throws InputError naming the key.
data::DataSpecs data_specs(const Specs& specs);

/// @brief The data set: `source(data_specs(specs), run.seed)`, by default the IDX files
/// (data::Dataset::load). What only the images can refuse (a label not below data.num_classes,
/// partitions larger than the training file, ...) becomes an InputError naming the key.
data::Dataset load_dataset(const Specs& specs,
                           const std::function<data::Dataset(const data::DataSpecs&, uint64_t)>& source = nullptr);

/// @brief The network of network.input and network.layers, with its shapes checked
/// (golden::derive_shapes) and its class count equal to data.num_classes. Throws InputError
/// naming network.layers (with the item) or network.input.*.
golden::NetworkSpec network_spec(const Specs& specs);

/// @brief The golden engine of this network and these training parameters. What the engine
/// refuses becomes an InputError naming the key: the train.* key its message starts with (e.g. a
/// per-tensor format, train.precision.*) or, otherwise, network.layers (e.g. a layer too wide for
/// the integer datapath).
std::unique_ptr<golden::Engine> make_engine(const golden::NetworkSpec& net, const golden::TrainSpecs& train);

/// @brief Refuses a network whose input is not the data set's image shape (rows x cols x 1).
/// Throws InputError naming network.input.
void check_input_shape(const golden::NetworkSpec& net, uint64_t image_rows, uint64_t image_cols);

/// @brief The golden engine's training parameters (train.*, accel.rank_reduce.arith, run.seed),
/// checked with golden::validate(). Throws InputError naming the key.
golden::TrainSpecs train_specs(const Specs& specs);

/// @brief train_specs() with pretrain.scheme, pretrain.learning_rate and pretrain.batch in place
/// of both layer kinds' scheme, learning rate and batch (what `lrtsim pretrain` trains with).
golden::TrainSpecs pretrain_specs(const Specs& specs);

/// @brief Checks every rule that involves several keys: the device and data bindings (with the
/// widest weight format the RRAM model supports), the network and the training parameters.
/// Throws InputError naming one key, without a file location; the loader adds the location.
void check_consistency(const Specs& specs);

}  // namespace lrt::config
