// lrtsim unit-costs: writes the rank-reduce unit's cost table (configs/rank_reduce_unit.yaml,
// models/hw/rr_unit_costs.h) from the closed form of the RTL's cycles and operations and the
// synthesized areas, or checks that a table file equals what this binary would write.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "hw/rr_unit_costs.h"
#include "core/text_file.h"

namespace lrt::cli {

namespace {

struct UnitCostsOptions {
  std::string area = "configs/rank_reduce_area.yaml";
  std::string out;
  std::string check;
};

int run_unit_costs(const UnitCostsOptions& o) {
  const std::string text = hw::to_yaml(hw::generate_rr_unit_costs(hw::parse_rr_unit_areas(read_text_file(o.area, "the area file"), o.area)));
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
  cmd->add_option("--check", o->check, "compare this table file with the regenerated one: exit 0 equal, 1 different")
      ->excludes(out);
  cmd->callback([&action, o] { action = [o] { return run_unit_costs(*o); }; });
}

}  // namespace lrt::cli
