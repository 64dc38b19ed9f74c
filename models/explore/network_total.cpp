#include "explore/network_total.h"

#include <algorithm>
#include <limits>

namespace lrt::explore {

PointResult network_total(const std::vector<PointResult>& all, const std::vector<std::size_t>& parts,
                          bool shared_unit, const Technology& tech) {
  PointResult t;
  t.inv_write_density = t.worst_cell_inv_write_density = t.lifetime_samples = std::numeric_limits<double>::infinity();
  double scratch_max = 0, logic_max = 0;
  for (std::size_t k : parts) {
    const PointResult& q = all[k];
    t.aux_sram_bits += q.aux_sram_bits;
    t.aux_rram_bits += q.aux_rram_bits;
    t.aux_bits += q.aux_bits;
    t.aux_rram_cells += q.aux_rram_cells;
    t.aux_sram_area_um2 += q.aux_sram_area_um2;
    t.aux_rram_area_um2 += q.aux_rram_area_um2;
    t.logic_area_um2 += q.logic_area_um2;
    t.scratch_sram_bits += q.scratch_sram_bits;
    t.aux_area_um2 += q.aux_area_um2;
    scratch_max = std::max(scratch_max, q.scratch_sram_bits);
    logic_max = std::max(logic_max, q.logic_area_um2);
    t.rank_reduce_cycles = shared_unit ? t.rank_reduce_cycles + q.rank_reduce_cycles
                                       : std::max(t.rank_reduce_cycles, q.rank_reduce_cycles);
    t.weight_rram_cells += q.weight_rram_cells;
    t.rram_area_um2 += q.rram_area_um2;
    t.inv_write_density = std::min(t.inv_write_density, q.inv_write_density);
    t.worst_cell_inv_write_density = std::min(t.worst_cell_inv_write_density, q.worst_cell_inv_write_density);
    t.lifetime_samples = std::min(t.lifetime_samples, q.lifetime_samples);
    t.energy_read_pj += q.energy_read_pj;
    t.energy_write_pj += q.energy_write_pj;
    t.energy_compute_pj += q.energy_compute_pj;
    t.energy_leakage_pj += q.energy_leakage_pj;
    t.energy_per_sample_pj += q.energy_per_sample_pj;
  }
  if (shared_unit) {
    const double saved_bits = t.scratch_sram_bits - scratch_max, saved_logic = t.logic_area_um2 - logic_max;
    t.scratch_sram_bits = scratch_max;
    t.aux_sram_bits -= saved_bits;
    t.aux_bits -= saved_bits;
    t.aux_sram_area_um2 -= saved_bits * tech.sram_cell_area_um2;
    t.logic_area_um2 = logic_max;
    t.aux_area_um2 -= saved_bits * tech.sram_cell_area_um2 + saved_logic;
  }
  return t;
}

}  // namespace lrt::explore
