#pragma once
// The validated configuration as plain data. The nesting mirrors the module hierarchy
// and the YAML key paths exactly (Specs::accel.rram.endurance_writes is the key
// `accel.rram.endurance_writes`). No logic and no defaults here: the key table in
// config/schema.cpp is the single place that names each key's default, range, unit and
// source, so members are only zero-initialized. Obtain a Specs from default_specs() or
// load_specs() (config/loader.h), never by value-initializing one yourself.

#include <cstdint>
#include <string>
#include <vector>

#include "data/specs.h"          // data::Augmentation: names parsed by data::parse_augmentation()
#include "device/endurance.h"    // device::EnduranceDistribution: names from device::to_string()
#include "device/program_model.h"  // device::ProgramModel: names from device::to_string()
#include "device/sram_buffer.h"  // device::SramEnergyModel: names from device::to_string()
#include "device/weight_drift.h"  // device::FlipModel: names from device::to_string()
#include "golden/training/network.h"      // golden::LayerSpec: the items of network.layers
#include "golden/rank_reduce/rank_reduce.h"  // golden::RankReduceMode, RankReduceArith
#include "golden/training/train_specs.h"  // golden::Scheme

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

/// @brief Input image shape of the network.
struct NetworkInputSpecs {
  int h = 0;
  int w = 0;
  int c = 0;
};

/// @brief The network the engines train (golden/training/network.h).
struct NetworkSpecs {
  NetworkInputSpecs input;
  std::vector<golden::LayerSpec> layers;
};

/// @brief Source partitions of the training images and samples per stream (LRT paper App. F).
struct DataSplitSpecs {
  uint32_t offline_train_sources = 0;
  uint32_t validation_sources = 0;
  uint32_t online_sources = 0;
  uint64_t offline_train_samples = 0;
  uint64_t validation_samples = 0;
  uint64_t online_samples = 0;  ///< also the length of the distribution-shift stream
};

/// @brief Elastic distortion of every sample (Simard et al. 2003).
struct ElasticSpecs {
  double alpha = 0.0;
  double sigma = 0.0;
  double truncate = 0.0;
  data::ElasticMode mode = data::ElasticMode::kMixture;  ///< the authors' mixture or one fixed setting
};

/// @brief Class-distribution clustering (CD) of the shift stream.
struct ClusterSpecs {
  uint32_t block = 0;
  uint32_t classes_per_block = 0;
  double favour_probability = 0.0;
};

/// @brief Spatial transforms (ST) of the shift stream.
struct SpatialSpecs {
  double max_rotation_deg = 0.0;
  double min_scale = 0.0;
  double max_scale = 0.0;
  double max_shift_px = 0.0;
};

/// @brief Background gradient with contrast scaling (BG) of the shift stream.
struct BackgroundSpecs {
  double min_contrast = 0.0;
  double max_contrast = 0.0;
};

/// @brief White noise (WN) of the shift stream.
struct NoiseSpecs {
  double sigma = 0.0;
};

/// @brief The distribution-shift stream.
struct ShiftSpecs {
  uint64_t period = 0;
  std::vector<data::Augmentation> augmentations;  ///< eligible augmentations, distinct
  data::ShiftScheduleRule schedule = data::ShiftScheduleRule::kAuthors;  ///< combination per segment
  ClusterSpecs cluster;
  SpatialSpecs spatial;
  BackgroundSpecs background;
  NoiseSpecs noise;
};

/// @brief The data set (IDX files, raw or gzip) and the online streams built from it.
struct DataSpecs {
  std::string dir;
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
  int num_classes = 0;
  DataSplitSpecs split;
  ElasticSpecs elastic;
  ShiftSpecs shift;
};

/// @brief One uniform power-of-two quantizer: `bits` wide, values in [-range, range) (or [0, range)).
struct QuantizerSpecs {
  int bits = 0;
  double range = 0.0;
};

/// @brief The input pixels: 8-bit unsigned codes equal to the gray levels (the only width the
/// golden engine implements), standing for values gray * range / 256.
struct InputQuantSpecs {
  double range = 0.0;
};

/// @brief The quantizers of the LRT paper's Appendix C (Qw, Qb, Qa, Qg) and the two formats
/// the golden engine adds (signed activations, input pixels; docs/golden_engine.md).
struct QuantSpecs {
  QuantizerSpecs weight;
  QuantizerSpecs bias;
  QuantizerSpecs activation;         ///< unsigned: clipped to [0, range)
  QuantizerSpecs activation_signed;  ///< signed 8-bit operands: BN outputs, conv/fc -> conv/fc
  QuantizerSpecs gradient;
  InputQuantSpecs input;
};

/// @brief Gradient max-norming constants (LRT paper Appendix D); on/off is per layer kind.
struct MaxNormSpecs {
  double beta = 0.0;
  double eps = 0.0;
  golden::MaxNormPlacement placement = golden::MaxNormPlacement::kUpdate;  ///< updates or dz
};

/// @brief Streaming batch normalization (LRT paper Appendix E).
struct BnSpecs {
  bool streaming = false;  ///< absorb training samples into the statistics (else frozen)
  int batch = 0;           ///< B of eta = 1 - 1/B
  double eps = 0.0;        ///< added to the variance
  bool bias_correction = false;      ///< EMAs divided by 1 - eta^k (the authors')
  bool backward_scale_only = false;  ///< dx = dy gamma / sigma (the authors')
};

/// @brief Dithered backprop (Wiedemann et al. 2020; docs/precision.md).
struct DitherSpecs {
  bool enabled = false;
  golden::DitherStepRule step = golden::DitherStepRule::kStd;
  double scale = 0.0;  ///< Delta = scale * the step rule's statistic of the dz tensor
};

/// @brief FracTrain progressive fractional quantization (Fu et al. 2020; docs/precision.md).
struct PfqSpecs {
  bool enabled = false;
  std::vector<int> forward_bits;
  std::vector<int> backward_bits;
  golden::PfqSwitch mode = golden::PfqSwitch::kManual;
  std::vector<uint64_t> switch_samples;
  uint64_t window = 0;
  double min_improvement = 0.0;
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

/// @brief How one layer kind (conv3x3 or fc) learns.
struct KindSpecs {
  golden::Scheme scheme = golden::Scheme::kLrt;
  bool max_norm = false;
  int batch = 0;  ///< B in samples (naive_batch, lrt, uoro)
  int rank = 0;   ///< LRT rank r
  golden::RankReduceMode mode = golden::RankReduceMode::kBiased;
  double kappa_th = 0.0;  ///< condition-number threshold; 0 disables the test
  int max_batch_multiple = 0;  ///< LRT restart at B_eff = this * batch; 0 never
};

/// @brief The training algorithm.
struct TrainSpecs {
  double learning_rate = 0.0;
  KindSpecs conv;
  KindSpecs fc;
  MaxNormSpecs max_norm;
  DitherSpecs dither;
  PfqSpecs pfq;
  PrecisionSpecs precision;
  BnSpecs bn;
  bool biases = true;              ///< conv/fc biases train (Table 3 ablation when false)
  double rho_min = 0.0;            ///< minimum density of a batched weight update
  double batch_scale_power = 0.0;  ///< learning rate scales with (effective B)^power
  golden::BatchedUpdate batched_update = golden::BatchedUpdate::kSum;  ///< sum or mean of B_eff samples
  golden::AlphaRule alpha_rule = golden::AlphaRule::kAuthors;          ///< layer scale alpha
  bool weight_gradient_alpha = true;  ///< the weight gradient is (alpha dz) a^T
  QuantSpecs quant;
};

/// @brief rankReduce variant: top-r (biased) or OK mixing (unbiased), LRT paper §4.2.5.
using RankReduceMode = golden::RankReduceMode;

/// @brief Arithmetic of the rank-reduce unit.
using Arithmetic = golden::RankReduceArith;

/// @brief Which implementation computes the TLM rank_reduce_unit's steps.
enum class RankReduceImplChoice { kGolden, kRtl };

/// @brief The rank-reduce unit's hardware. Rank, mode and kappa_th are per layer kind
/// (train.conv.*, train.fc.*): the unit holds q = max rank + 1 columns.

/// @brief One rank-reduce unit time-multiplexed over every LRT layer, or one unit per layer.
enum class RankReduceUnits { kShared, kPerLayer };

struct RankReduceSpecs {
  Arithmetic arith = Arithmetic::kFixed;
  RankReduceImplChoice impl = RankReduceImplChoice::kGolden;  ///< golden C++ model or Verilated RTL
  RankReduceUnits units = RankReduceUnits::kShared;           ///< sharing of the unit's hardware
  int lr_bits = 0;  ///< width of the stored L/R factors
};

/// @brief Which weight drift of the LRT paper's Appendix F acts between samples: none (the
/// control environment), analog drift, digital bit flips, or both in every event.
enum class DriftModel { kNone, kAnalog, kDigital, kBoth };

/// @brief RRAM weight drift on the sample clock (LRT paper App. F).
struct RramDriftSpecs {
  DriftModel model = DriftModel::kNone;
  uint64_t interval_samples = 0;  ///< d
  uint64_t horizon_samples = 0;   ///< H, the paper's "1M"
  double analog_sigma0 = 0.0;     ///< used by analog and both
  double flip_p0 = 0.0;           ///< used by digital and both
  device::FlipModel flip_model = device::FlipModel::kBinomial2;  ///< how an event's flips act on a word
};

/// @brief RRAM program-verify (device/program_model.h).
struct RramProgramSpecs {
  device::ProgramModel model = device::ProgramModel::kStochastic;
  double verify_pass_probability = 0.0;
  double wear_growth = 0.0;
  double reset_energy_ratio = 0.0;
  uint32_t reset_pulse_cycles = 0;
};

/// @brief RRAM weight array technology. The weight format (bits, range) is train.quant.weight
/// and the size comes from the network, so neither is here.
struct RramSpecs {
  double cell_area_um2 = 0.0;
  uint32_t bits_per_cell = 0;
  double read_energy_pj_per_bit = 0.0;
  double write_energy_pj_per_bit = 0.0;
  uint32_t read_latency_cycles = 0;
  uint32_t pulse_cycles = 0;
  uint32_t verify_cycles = 0;
  uint32_t levels_per_pulse = 0;
  uint32_t max_pulses = 0;
  bool read_before_write = false;
  uint64_t endurance_writes = 0;
  device::EnduranceDistribution endurance_distribution = device::EnduranceDistribution::kFixed;
  double endurance_spread = 0.0;
  double stuck_at_fault_rate = 0.0;
  double stuck_at_high_fraction = 0.0;
  double read_noise_sigma_levels = 0.0;
  double power_law_nu = 0.0;
  double power_law_t0_samples = 0.0;
  RramDriftSpecs drift;
  RramProgramSpecs program;
};

/// @brief SRAM buffer technology and size.
struct SramSpecs {
  double cell_area_um2 = 0.0;
  uint64_t capacity_bits = 0;
  uint32_t word_bits = 0;
  double read_energy_pj_per_bit = 0.0;
  double write_energy_pj_per_bit = 0.0;
  uint32_t read_latency_cycles = 0;
  uint32_t write_latency_cycles = 0;
  device::SramEnergyModel energy_model = device::SramEnergyModel::kCapacity;
  double array_efficiency = 0.0;
  double leakage_pw_per_bit = 0.0;
};

/// @brief MAC array: parallelism and energy per arithmetic operation.
struct MacSpecs {
  int lanes = 0;
  bool zero_skip = false;  ///< MACs with a zero gradient operand are skipped (cycles and energy)
  double add8_pj = 0.0;
  double mult8_pj = 0.0;
  double add32_pj = 0.0;
  double mult32_pj = 0.0;
};

/// @brief The accelerator hardware.
/// @brief The interconnect between the controller, the units and the memories.
struct BusSpecs {
  int width_bits = 0;      ///< 0: unlimited (no contention)
  int latency_cycles = 0;  ///< per transaction
};

struct AccelSpecs {
  double clock_mhz = 0.0;
  int quantum_cycles = 0;  ///< the TLM processes' global quantum
  BusSpecs bus;
  RankReduceSpecs rank_reduce;
  RramSpecs rram;
  SramSpecs sram;
  MacSpecs mac;
};

/// @brief The whole configuration.
struct Specs {
  RunSpecs run;
  DataSpecs data;
  NetworkSpecs network;
  TrainSpecs train;
  PretrainSpecs pretrain;
  AccelSpecs accel;
};

}  // namespace lrt::config
