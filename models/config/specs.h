#pragma once
// The validated configuration as plain data. The nesting mirrors the module hierarchy
// and the YAML key paths exactly (Specs::accel.rram.endurance_writes is the key
// `accel.rram.endurance_writes`). No logic and no defaults here: the key table in
// config/schema.cpp is the single place that names each key's default, range, unit and
// source, so members are only zero-initialized. Obtain a Specs from default_specs() or
// load_specs() (config/loader.h), never by value-initializing one yourself.

#include <cstdint>
#include <string>

namespace lrt::config {

/// @brief What the simulator does in one run.
struct RunSpecs {
  uint64_t seed = 0;      ///< seed of every counter-based random stream
  uint64_t samples = 0;   ///< online training samples to process
  bool progress = false;  ///< print progress while running
};

/// @brief Where the data set lives (IDX files, raw or gzip).
struct DataSpecs {
  std::string dir;
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
};

/// @brief One uniform power-of-two quantizer: `bits` wide, values in [-range, range) (or [0, range)).
struct QuantizerSpecs {
  int bits = 0;
  double range = 0.0;
};

/// @brief The four quantizers of the LRT paper's Appendix C (Qw, Qb, Qa, Qg).
struct QuantSpecs {
  QuantizerSpecs weight;
  QuantizerSpecs bias;
  QuantizerSpecs activation;  ///< unsigned: clipped to [0, range]
  QuantizerSpecs gradient;
};

/// @brief Gradient max-norming (LRT paper Appendix D).
struct MaxNormSpecs {
  bool enabled = false;
  double beta = 0.0;
  double eps = 0.0;
};

/// @brief Streaming batch normalization (LRT paper Appendix E).
struct StreamingBnSpecs {
  bool enabled = false;
};

/// @brief Low-rank training accumulation and update policy (LRT paper Appendices C, G).
struct LrtSpecs {
  int batch_conv = 0;              ///< B for convolution layers, in (dz, a) pairs
  int batch_fc = 0;                ///< B for fully-connected layers, in (dz, a) pairs
  double rho_min = 0.0;            ///< minimum density of a weight update
  double batch_scale_power = 0.0;  ///< learning rate scales with (effective B)^power
};

/// @brief The training algorithm.
struct TrainSpecs {
  double learning_rate = 0.0;
  MaxNormSpecs max_norm;
  StreamingBnSpecs streaming_bn;
  LrtSpecs lrt;
  QuantSpecs quant;
};

/// @brief rankReduce variant: top-r (biased) or OK mixing (unbiased), LRT paper §4.2.5.
enum class RankReduceMode { kBiased, kUnbiased };

/// @brief Arithmetic of the rank-reduce unit.
enum class Arithmetic { kFloat, kFixed };

/// @brief The rank-reduce unit.
struct RankReduceSpecs {
  int rank = 0;
  RankReduceMode mode = RankReduceMode::kBiased;
  double kappa_th = 0.0;  ///< condition-number threshold; 0 disables the test
  Arithmetic arith = Arithmetic::kFixed;
  int lr_bits = 0;  ///< width of the stored L/R factors
};

/// @brief RRAM weight array technology.
struct RramSpecs {
  double cell_area_um2 = 0.0;
  double read_energy_pj_per_bit = 0.0;
  double write_energy_pj_per_bit = 0.0;
  uint64_t endurance_writes = 0;
  int bits_per_cell = 0;
};

/// @brief SRAM buffer technology and size.
struct SramSpecs {
  double cell_area_um2 = 0.0;
  double read_energy_pj_per_bit = 0.0;
  double write_energy_pj_per_bit = 0.0;
  uint64_t capacity_bits = 0;
};

/// @brief MAC array: parallelism and energy per arithmetic operation.
struct MacSpecs {
  int lanes = 0;
  double add8_pj = 0.0;
  double mult8_pj = 0.0;
  double add32_pj = 0.0;
  double mult32_pj = 0.0;
};

/// @brief The accelerator hardware.
struct AccelSpecs {
  double clock_mhz = 0.0;
  RankReduceSpecs rank_reduce;
  RramSpecs rram;
  SramSpecs sram;
  MacSpecs mac;
};

/// @brief The whole configuration.
struct Specs {
  RunSpecs run;
  DataSpecs data;
  TrainSpecs train;
  AccelSpecs accel;
};

}  // namespace lrt::config
