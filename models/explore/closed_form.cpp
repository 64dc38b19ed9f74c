#include "explore/closed_form.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "config/loader.h"
#include "device/sram_macro.h"

namespace lrt::explore {

double default_sram_pj_per_bit() {
  static const double pj = device::sram_pj_per_bit(config::default_specs().accel.sram.capacity_bits);
  return pj;
}

namespace {

constexpr const char* kNames[] = {"online", "naive_batch", "batch_sram", "batch_rram", "lrt"};

[[noreturn]] void bad(const std::string& field, const std::string& value, const std::string& expected) {
  throw std::invalid_argument(field + ": " + value + "; expected " + expected);
}

void check_bits(const char* field, uint32_t bits) {
  if (bits < 1 || bits > 64) bad(field, std::to_string(bits), "1..64");
}

void check_positive(const char* field, double v) {
  if (!std::isfinite(v) || !(v > 0.0)) bad(field, std::to_string(v), "a finite value > 0");
}

void check_non_negative(const char* field, double v) {
  if (!std::isfinite(v) || v < 0.0) bad(field, std::to_string(v), "a finite value >= 0");
}

void validate(const DesignPoint& p) {
  if (p.n_o < 1) bad("n_o", "0", ">= 1");
  if (p.n_i < 1) bad("n_i", "0", ">= 1");
  if (p.batch < 1) bad("batch", "0", ">= 1");
  if (p.pairs_per_sample < 1) bad("pairs_per_sample", "0", ">= 1");
  if (p.algorithm == Algorithm::kOnline && p.batch != 1)
    bad("batch", std::to_string(p.batch), "1 for online SGD (online is batch 1 by definition)");
  if (p.algorithm == Algorithm::kLrt && (p.rank < 1 || p.rank > std::min(p.n_o, p.n_i)))
    bad("rank", std::to_string(p.rank), "1..min(n_o, n_i) for LRT");
  check_bits("weight_bits", p.weight_bits);
  check_bits("lr_bits", p.lr_bits);
  check_bits("act_bits", p.act_bits);
  check_bits("grad_bits", p.grad_bits);
  check_bits("acc_bits", p.acc_bits);
  const Technology& t = p.tech;
  check_positive("rram_cell_area_um2", t.rram_cell_area_um2);
  check_positive("sram_cell_area_um2", t.sram_cell_area_um2);
  if (t.rram_bits_per_cell < 1 || t.rram_bits_per_cell > 8)
    bad("rram_bits_per_cell", std::to_string(t.rram_bits_per_cell), "1..8");
  check_non_negative("rram_read_pj_per_bit", t.rram_read_pj_per_bit);
  check_non_negative("rram_write_pj_per_cell", t.rram_write_pj_per_cell);
  check_non_negative("sram_read_pj_per_bit", t.sram_read_pj_per_bit);
  check_non_negative("sram_write_pj_per_bit", t.sram_write_pj_per_bit);
  check_non_negative("mac_pj", t.mac_pj);
  check_positive("endurance_writes", t.endurance_writes);
  if (t.rank_reduce_logic_area_um2) check_non_negative("rank_reduce_logic_area_um2", *t.rank_reduce_logic_area_um2);
  if (p.algorithm == Algorithm::kLrt && (p.rank > 8 || p.n_o > 16384 || p.n_i > 16384))
    bad("rank", std::to_string(p.rank) + " at " + std::to_string(p.n_o) + " x " + std::to_string(p.n_i),
        "rank <= 8 and n_o, n_i <= 16384 for LRT: the rank-reduce unit's range (docs/rtl.md)");
}

double cells_per_word(uint32_t bits, uint32_t bits_per_cell) {
  return static_cast<double>((bits + bits_per_cell - 1) / bits_per_cell);
}

}  // namespace

const char* to_string(Algorithm algorithm) { return kNames[static_cast<int>(algorithm)]; }

Algorithm algorithm_from_string(const std::string& name) {
  for (int i = 0; i < 5; ++i)
    if (name == kNames[i]) return static_cast<Algorithm>(i);
  throw std::invalid_argument("unknown algorithm '" + name +
                              "'; expected one of online, naive_batch, batch_sram, batch_rram, lrt");
}

PointResult evaluate(const DesignPoint& p) {
  validate(p);
  const Technology& t = p.tech;
  const double n_o = static_cast<double>(p.n_o), n_i = static_cast<double>(p.n_i);
  const double weights = n_o * n_i;
  const double batch = static_cast<double>(p.batch);
  const double r = static_cast<double>(p.rank);
  const double pairs = static_cast<double>(p.pairs_per_sample);
  // One stored sample: dz (n_o words) and a (n_i words) for fc; a conv layer's maps.
  const double act_words = p.stored_act_words ? static_cast<double>(p.stored_act_words) : n_i;
  const double grad_words = p.stored_grad_words ? static_cast<double>(p.stored_grad_words) : n_o;
  const double sample_bits = grad_words * p.grad_bits + act_words * p.act_bits;
  const double sample_cells = grad_words * cells_per_word(p.grad_bits, t.rram_bits_per_cell) +
                              act_words * cells_per_word(p.act_bits, t.rram_bits_per_cell);

  PointResult q;
  double unit_pj = 0;  // the rank-reduce unit's own operations (LRT)
  q.weight_rram_cells = weights * cells_per_word(p.weight_bits, t.rram_bits_per_cell);
  q.rram_area_um2 = q.weight_rram_cells * t.rram_cell_area_um2;

  // Worst case: every cell of every weight is reprogrammed at each update, once per batch.
  q.weight_writes_per_cell_per_sample = 1.0 / batch;
  q.inv_write_density = batch;
  // Applying one update: compare-read every weight, one MAC (w - eta*g) per weight,
  // reprogram every weight cell.
  q.rram_read_bits += weights * p.weight_bits / batch;
  q.rram_cell_writes += q.weight_rram_cells / batch;
  q.macs += weights / batch;

  switch (p.algorithm) {
    case Algorithm::kOnline:
      q.macs += weights * pairs;  // the outer product dz a^T, per pair
      break;
    case Algorithm::kNaiveBatch: {
      const double acc_bits = weights * p.acc_bits;
      q.aux_sram_bits = acc_bits;
      q.sram_read_bits += acc_bits + acc_bits / batch;  // read-modify-write per sample; read-out per batch
      q.sram_write_bits += acc_bits;
      q.macs += weights * pairs;
      break;
    }
    case Algorithm::kBatchSram:
      q.aux_sram_bits = batch * sample_bits;
      q.sram_write_bits += sample_bits;  // store the sample
      q.sram_read_bits += sample_bits;   // B samples read back once per batch
      q.macs += weights * pairs;         // B samples' outer products per batch
      break;
    case Algorithm::kBatchRram:
      q.aux_rram_bits = batch * sample_bits;
      q.aux_rram_cells = batch * sample_cells;
      q.rram_cell_writes += sample_cells;  // store the sample
      q.rram_read_bits += sample_bits;     // read back once per batch
      q.macs += weights * pairs;
      break;
    case Algorithm::kLrt: {
      // The rank-reduce unit (docs/rtl.md, "Cost table"): its SRAM (basis, metadata, scratch),
      // its logic, and per pair the cycles, 64-bit words and operations of the costliest pair
      // (hw::rr_full_step_outcome): an upper bound per pair.
      const hw::RrUnitCostTable& costs = p.unit_costs != nullptr ? *p.unit_costs : hw::builtin_rr_unit_costs();
      const int rank = static_cast<int>(p.rank);
      const hw::RrUnitMemory mem = hw::rr_unit_memory(rank, p.n_o, p.n_i);
      q.scratch_sram_bits = 64.0 * static_cast<double>(mem.scratch_words);
      q.aux_sram_bits = 64.0 * static_cast<double>(mem.state_words()) + q.scratch_sram_bits;
      q.logic_area_um2 = t.rank_reduce_logic_area_um2 ? *t.rank_reduce_logic_area_um2 : costs.area(rank).logic_area_um2;
      const hw::RrPairOutcome full = hw::rr_full_step_outcome(rank, p.unbiased, static_cast<int>(p.n_o),
                                                              static_cast<int>(p.n_i));
      const hw::RrUnitPairCost c =
          costs.pair_cost(rank, p.unbiased, static_cast<int>(p.n_o), static_cast<int>(p.n_i), full);
      q.sram_read_bits += 64.0 * static_cast<double>(c.sram_reads) * pairs;
      q.sram_write_bits += 64.0 * static_cast<double>(c.sram_writes) * pairs;
      q.rank_reduce_cycles = static_cast<double>(c.cycles) * pairs;
      unit_pj = costs.compute_energy_pj(c) * pairs;
      // The update: L R^T over the stored factors, once per batch.
      q.sram_read_bits += r * (n_o + n_i) * p.lr_bits / batch;
      q.macs += weights * r / batch;
      break;
    }
  }

  q.aux_rram_area_um2 = q.aux_rram_cells * t.rram_cell_area_um2;
  q.aux_sram_area_um2 = q.aux_sram_bits * t.sram_cell_area_um2;
  q.aux_bits = q.aux_sram_bits + q.aux_rram_bits;
  q.aux_area_um2 = q.aux_sram_area_um2 + q.aux_rram_area_um2 + q.logic_area_um2;

  // Sample-storage cells (batch RRAM) are each written once per batch too: same worst rate.
  q.worst_cell_writes_per_sample = q.weight_writes_per_cell_per_sample;
  q.worst_cell_inv_write_density = 1.0 / q.worst_cell_writes_per_sample;
  q.lifetime_samples = t.endurance_writes * q.worst_cell_inv_write_density;

  q.energy_read_pj = q.rram_read_bits * t.rram_read_pj_per_bit + q.sram_read_bits * t.sram_read_pj_per_bit;
  q.energy_write_pj = q.rram_cell_writes * t.rram_write_pj_per_cell + q.sram_write_bits * t.sram_write_pj_per_bit;
  q.energy_compute_pj = q.macs * t.mac_pj + unit_pj;
  q.energy_per_sample_pj = q.energy_read_pj + q.energy_write_pj + q.energy_compute_pj;
  return q;
}

}  // namespace lrt::explore
