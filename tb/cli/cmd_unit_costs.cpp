// lrtsim unit-costs: writes the rank-reduce unit's cost table (configs/rank_reduce_unit.yaml,
// models/hw/rr_unit_costs.h) from the closed form of the RTL's cycles and operations and the
// synthesized areas, or checks that a table file equals what this binary would write.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iomanip>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "hw/rr_unit_costs.h"
#include "hw/rr_unit_timing.h"
#include "core/text_file.h"

namespace lrt::cli {

namespace {

struct UnitCostsOptions {
  std::string area = "configs/rank_reduce_area.yaml";
  std::string out;
  std::string check;
  std::vector<int> pair_table;  // n_o, n_i
};

// Per rank and mode, the costliest pair at one shape (hw::rr_full_step_outcome): its cycles,
// SRAM words and the unit's own energy by operation, as a Markdown table (docs/rtl.md).
void print_pair_table(const hw::RrUnitCostTable& t, int n_o, int n_i) {
  auto nj = [&t](const hw::RrUnitPairCost& c, std::initializer_list<int> qs) {
    double pj = 0;
    for (int q : qs) pj += t.energy_pj(c, q);
    return pj / 1000.0;
  };
  std::cout << "Costliest pair at n_o " << n_o << ", n_i " << n_i
            << " (a full step, every register-file write the data could cause; energy in nJ, the unit's "
               "own operations at the table's prices; SRAM words priced by the SRAM that serves them)\n\n"
            << "| rank | mode | cycles | SRAM words read / written | multiplier nJ | divider, square root, CORDIC, "
               "sign nJ | register files nJ (read / written) | unit nJ |\n"
            << "|---|---|---|---|---|---|---|---|\n";
  std::cout << std::fixed << std::setprecision(1);
  for (const auto& [rank, rc] : t.ranks) {
    for (const bool unbiased : {false, true}) {
      const hw::RrUnitPairCost c =
          t.pair_cost(rank, unbiased, n_o, n_i, hw::rr_full_step_outcome(rank, unbiased, n_o, n_i));
      std::cout << "| " << rank << " | " << (unbiased ? "unbiased" : "biased") << " | " << c.cycles << " | "
                << c.sram_reads << " / " << c.sram_writes << " | " << nj(c, {hw::kMulStream, hw::kMulCore})
                << " | " << nj(c, {hw::kDivOps, hw::kIsqrtOps, hw::kCordicOps, hw::kSignOps}) << " | "
                << nj(c, {hw::kRfReads}) << " / " << nj(c, {hw::kRfWriteBits}) << " | " << t.compute_energy_pj(c) / 1000.0
                << " |\n";
    }
  }
}

int run_unit_costs(const UnitCostsOptions& o) {
  const hw::RrUnitCostTable table =
      hw::generate_rr_unit_costs(hw::parse_rr_unit_areas(read_text_file(o.area, "the area file"), o.area));
  if (!o.pair_table.empty()) {
    print_pair_table(table, o.pair_table[0], o.pair_table[1]);
    return 0;
  }
  const std::string text = hw::to_yaml(table);
  if (!o.check.empty()) {
    const std::string have = read_text_file(o.check, "the cost table");
    hw::parse_rr_unit_costs(have, o.check);  // a malformed file is an input error, not a difference
    if (have != text) {
      std::cerr << "lrtsim unit-costs: " << o.check << " differs from the table this binary generates from " << o.area
                << "; regenerate: lrtsim unit-costs --area " << o.area << " --out " << o.check << "\n";
      return 1;
    }
    std::cout << o.check << ": current\n";
    return 0;
  }
  if (o.out.empty()) {
    std::cout << text;
  } else {
    write_file_atomically(o.out, text);
    std::cout << "wrote " << o.out << "\n";
  }
  return 0;
}

}  // namespace

void add_unit_costs_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<UnitCostsOptions>();
  auto* cmd = app.add_subcommand("unit-costs",
                                 "Write the rank-reduce unit's cost table (cycles, operations, area per rank) "
                                 "that the TLM model and explore read");
  cmd->add_option("--area", o->area, "synthesis results (scripts/synth_rank_reduce.sh)")->capture_default_str();
  auto* out = cmd->add_option("--out", o->out, "write the table here (default: standard output)");
  auto* check = cmd->add_option("--check", o->check,
                                 "compare this table file with the regenerated one: exit 0 equal, 1 different")
                    ->excludes(out);
  cmd->add_option("--pair-table", o->pair_table,
                  "N_O N_I: print per rank and mode the costliest pair's cycles, SRAM words and energy (Markdown)")
      ->expected(2)
      ->check(CLI::Range(1, 16384))
      ->excludes(out)
      ->excludes(check);
  cmd->callback([&action, o] { action = [o] { return run_unit_costs(*o); }; });
}

}  // namespace lrt::cli
