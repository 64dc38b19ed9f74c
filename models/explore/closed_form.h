#pragma once
// The closed-form design-space model behind Figure 3 of the LRT paper (§3): for one weight
// layer (n_o x n_i) trained by one algorithm, the auxiliary memory and its area, the RRAM
// write density, the energy per training sample and the lifetime. Pure arithmetic, no
// simulation; every formula, count and assumption is written down in docs/exploration.md.

#include <cstdint>
#include <optional>
#include <string>

#include "hw/rr_unit_costs.h"

namespace lrt::explore {

/// @brief The five training algorithms of Figure 3.
enum class Algorithm {
  kOnline,      ///< online SGD: write the weights after every sample (batch 1)
  kNaiveBatch,  ///< a full n_o x n_i gradient accumulator in SRAM
  kBatchSram,   ///< the B samples (dz, a) stored in SRAM
  kBatchRram,   ///< the B samples (dz, a) stored in RRAM
  kLrt,         ///< low-rank training: rank-r factors L, R (+1 column) in SRAM
};

/// "online", "naive_batch", "batch_sram", "batch_rram", "lrt".
const char* to_string(Algorithm algorithm);
/// @brief Inverse of to_string; throws std::invalid_argument listing the valid names.
Algorithm algorithm_from_string(const std::string& name);

/// @brief The SRAM price per bit accessed of the configured buffer (accel.sram defaults: its
/// energy by capacity, device/sram_macro.h), so that explore and the TLM engine price an SRAM
/// bit alike.
double default_sram_pj_per_bit();

/// @brief Technology parameters (defaults: 40 nm RRAM/SRAM of the paper §3, Horowitz 45 nm).
struct Technology {
  double rram_cell_area_um2 = 0.085;  ///< 1T1R cell (Chou et al. 2018)
  double sram_cell_area_um2 = 0.242;  ///< 6T cell, one bit (TSMC 2019)
  uint32_t rram_bits_per_cell = 1;    ///< a b-bit word takes ceil(b / bits_per_cell) cells
  double rram_read_pj_per_bit = 1.76;
  /// One cell (re)programmed, verify included: Wu 2019's 10.9 pJ per bit written, which the
  /// device's program model reproduces on average for a fresh 1-bit cell (docs/device.md).
  double rram_write_pj_per_cell = 10.9;
  double sram_read_pj_per_bit = default_sram_pj_per_bit();
  double sram_write_pj_per_bit = default_sram_pj_per_bit();
  double mac_pj = 0.23;                  ///< one multiply (0.2) + one add (0.03), 8 bit
  double endurance_writes = 1e6;         ///< writes until a cell fails
  /// LRT only: the rank-reduce unit's logic; empty: its synthesized area from the cost table
  /// (hw/rr_unit_costs.h; an error where the rank was not synthesized).
  std::optional<double> rank_reduce_logic_area_um2;
};

/// @brief One point of the design space.
struct DesignPoint {
  Algorithm algorithm = Algorithm::kLrt;
  uint64_t n_o = 512;     ///< layer outputs
  uint64_t n_i = 2048;    ///< layer inputs
  uint64_t batch = 100;   ///< samples per weight update (must be 1 for online)
  uint32_t rank = 4;      ///< LRT only
  uint32_t weight_bits = 8;
  uint32_t lr_bits = 16;  ///< LRT factor word
  uint32_t act_bits = 8;  ///< a stored sample's activation word
  uint32_t grad_bits = 8; ///< a stored sample's dz word
  uint32_t acc_bits = 16; ///< naive batch accumulator word
  /// (dz, a) pairs one sample gives this layer: 1 for fc, the output pixels for a conv
  /// layer (each pixel is one outer product of the gradient and one LRT step).
  uint64_t pairs_per_sample = 1;
  /// Words of one stored sample (batch_sram / batch_rram); 0 means the fc case, a = n_i and
  /// dz = n_o words. A conv layer stores its input map and its output-gradient map.
  uint64_t stored_act_words = 0;
  uint64_t stored_grad_words = 0;
  Technology tech;
  /// LRT: the rank-reduce unit's cycles, operations and area (null: hw::builtin_rr_unit_costs()).
  const hw::RrUnitCostTable* unit_costs = nullptr;
  bool unbiased = true;  ///< LRT variant (its mixing step costs cycles and operations)
};

/// @brief Per-sample event counts (averaged over a batch) and the derived quantities.
struct PointResult {
  // auxiliary memory
  double aux_sram_bits = 0, aux_rram_bits = 0, aux_bits = 0;
  double aux_rram_cells = 0;
  double aux_sram_area_um2 = 0, aux_rram_area_um2 = 0, logic_area_um2 = 0, aux_area_um2 = 0;
  double scratch_sram_bits = 0;  ///< LRT: the unit's transient scratch (one serves a shared unit's layers)
  // the weights themselves: the chip-area line of Figure 3
  double weight_rram_cells = 0, rram_area_um2 = 0;
  // write density: writes per cell per sample, and its inverse
  double weight_writes_per_cell_per_sample = 0, inv_write_density = 0;
  double worst_cell_writes_per_sample = 0, worst_cell_inv_write_density = 0;
  // counts per sample
  double rram_read_bits = 0, rram_cell_writes = 0, sram_read_bits = 0, sram_write_bits = 0, macs = 0;
  // energy per sample, pJ
  double energy_read_pj = 0, energy_write_pj = 0, energy_compute_pj = 0, energy_per_sample_pj = 0;
  /// The SRAM's leakage per sample: measured rows only (a TLM run charges it over simulated
  /// time; the closed form has no time model), part of energy_per_sample_pj there.
  double energy_leakage_pj = 0;
  double rank_reduce_cycles = 0;  ///< LRT: the unit's cycles per sample (cost table)
  double lifetime_samples = 0;  ///< samples until the most-written cell reaches endurance
};

/// @brief Evaluates one point. Throws std::invalid_argument naming the first bad field.
PointResult evaluate(const DesignPoint& point);

}  // namespace lrt::explore
