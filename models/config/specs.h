#pragma once
// The validated configuration. The nesting is the module hierarchy: where a module has its
// own specs, config::Specs holds them (accel is a hw::AccelSpecs, accel.rram a
// device::RramArraySpecs, accel.sram a device::SramSpecs, network a golden::NetworkSpec, train
// a golden::TrainSpecs), so a key of config/schema.cpp points at the member the module reads
// and bind.h only adds what several keys decide together. A key's path is its member's path
// unless the schema says otherwise (LRT_CONFIG_KEY_AT). Ranges, units and sources live in the
// key table; a module struct's defaults equal its keys' defaults (test_schema.cpp checks).
// Obtain a Specs from default_specs() or load_specs() (config/loader.h), never by
// value-initializing one yourself (members without a module struct are zero-initialized).

#include <cstdint>
#include <string>
#include <vector>

#include "data/specs.h"          // data::Augmentation: names parsed by data::parse_augmentation()
#include "device/endurance.h"    // device::EnduranceDistribution: names from device::to_string()
#include "device/program_model.h"  // device::ProgramModel: names from device::to_string()
#include "device/rram_specs.h"   // device::RramArraySpecs: accel.rram
#include "device/sram_buffer.h"  // device::SramSpecs: accel.sram
#include "device/weight_drift.h"  // device::FlipModel: names from device::to_string()
#include "golden/training/network.h"      // golden::NetworkSpec: network
#include "golden/rank_reduce/rank_reduce.h"  // golden::RankReduceMode, RankReduceArith
#include "golden/training/train_specs.h"  // golden::TrainSpecs: train
#include "hw/accel_specs.h"  // hw::AccelSpecs: accel (clock, bus, mac, controller, rank_reduce_impl)

namespace lrt::config {

/// @brief Which online stream `lrtsim run` trains on (docs/data.md).
enum class RunStream { kOnline, kShift };

/// @brief What the simulator does in one run.
struct RunSpecs {
  uint64_t seed = 0;      ///< seed of every counter-based random stream
  uint64_t samples = 0;   ///< online training samples to process
  bool progress = false;  ///< print progress while running
  std::string model;      ///< pretrained model checkpoint (`lrtsim pretrain` writes it)
  RunStream stream = RunStream::kOnline;
  uint64_t trace_every = 0;  ///< samples between rows of trace.csv
};

/// @brief Offline pre-training of the deployed model (`lrtsim pretrain`).
struct PretrainSpecs {
  uint64_t samples = 0;  ///< offline training samples (the offline stream repeats if shorter)
  golden::Scheme scheme = golden::Scheme::kOnlineSgd;  ///< for both layer kinds
  double learning_rate = 0.0;
  int batch = 0;  ///< B of batched schemes, both layer kinds
};

/// @brief The data set (IDX files, raw or gzip) and the online streams: the data area's own
/// specs, whose members the data.* keys point at, plus what bind.h derives them from: the
/// directory the file names are relative to, and the augmentations as a list (the module
/// holds them as a mask).
struct DataSpecs : data::DataSpecs {
  std::string dir;
  std::vector<data::Augmentation> shift_augmentations;  ///< data.shift.augmentations, distinct
};

/// @brief Per-tensor precision per conv3x3/fc layer (Sakr & Shanbhag; docs/precision.md). Each
/// list is empty (train.quant for every layer) or holds one entry per conv3x3/fc layer.
struct PrecisionSpecs {
  std::vector<int> weight_bits;
  std::vector<double> weight_range;
  std::vector<int> activation_bits;
  std::vector<int> gradient_bits;
  std::vector<double> gradient_range;
  std::vector<int> weight_gradient_bits;
  std::vector<int> accumulator_bits;
};

/// @brief The training algorithm: the golden engine's own specs, whose members the train.* keys
/// point at, and the per-layer precision lists that bind.h turns into
/// golden::TrainSpecs::layer_precision (they need the network). layer_precision, seed and
/// rank_reduce_arith are bind.h's to fill (from network, run.seed, accel.rank_reduce.arith).
struct TrainSpecs : golden::TrainSpecs {
  PrecisionSpecs precision;
};

/// @brief rankReduce variant: top-r (biased) or OK mixing (unbiased), LRT paper §4.2.5.
using RankReduceMode = golden::RankReduceMode;

/// @brief Arithmetic of the rank-reduce unit.
using Arithmetic = golden::RankReduceArith;

/// @brief The rank reduction's arithmetic, which bind.h hands to the golden engine
/// (golden::TrainSpecs::rank_reduce_arith). The unit's hardware choices are hw::AccelSpecs
/// members: accel.rank_reduce.impl is rank_reduce_impl, units and lr_bits are the
/// controller's. Rank, mode and kappa_th are per layer kind (train.conv.*, train.fc.*).
struct RankReduceSpecs {
  Arithmetic arith = Arithmetic::kFixed;
};

/// @brief Which weight drift of the LRT paper's Appendix F acts between samples: none (the
/// control environment), analog drift, digital bit flips, or both in every event.
enum class DriftModel { kNone, kAnalog, kDigital, kBoth };

/// @brief The RRAM weight array: the device's own specs plus the drift model, which decides
/// which of drift.analog_sigma0 and drift.flip_p0 the device receives (0 = off; bind.h).
/// cells, weight_bits and weight_range have no key: bind.h sets them from the network and
/// train.quant.weight (or a layer's precision).
struct RramSpecs : device::RramArraySpecs {
  DriftModel drift_model = DriftModel::kNone;
};

/// @brief Energies per arithmetic operation (accel.mac.*_pj). The MAC array's full-adder
/// energy is mult8_pj's (bind.h); the others are documented figures no model reads yet.
struct MacEnergySpecs {
  double add8_pj = 0.0;
  double mult8_pj = 0.0;
  double add32_pj = 0.0;
  double mult32_pj = 0.0;
};

/// @brief The accelerator: its hardware's own specs (clock, bus, MAC array, controller,
/// rank-reduce implementation: hw::AccelSpecs, as the TLM model takes them), the memories, and
/// what bind.h derives from.
struct AccelSpecs : hw::AccelSpecs {
  RankReduceSpecs rank_reduce;
  RramSpecs rram;
  device::SramSpecs sram;
  MacEnergySpecs mac_energy;
};

/// @brief The whole configuration.
struct Specs {
  RunSpecs run;
  DataSpecs data;
  golden::NetworkSpec network;  ///< network.input.{h,w,c} are its in_h, in_w, in_c
  TrainSpecs train;
  PretrainSpecs pretrain;
  AccelSpecs accel;
};

}  // namespace lrt::config
