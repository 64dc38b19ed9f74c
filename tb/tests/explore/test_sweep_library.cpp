// The explore library beside the closed form: network totals (shared vs per-layer rank-reduce
// unit), a measured point's `lrtsim run` arguments and the reading of its summary.json.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "explore/measured.h"
#include "explore/network_total.h"

namespace lrt::explore {
namespace {

PointResult layer(double scratch, double logic, double cycles, double lifetime) {
  PointResult q;
  q.scratch_sram_bits = q.aux_sram_bits = q.aux_bits = scratch;
  q.logic_area_um2 = logic;
  q.aux_area_um2 = logic + scratch * 0.5;
  q.aux_sram_area_um2 = scratch * 0.5;
  q.rank_reduce_cycles = cycles;
  q.lifetime_samples = q.inv_write_density = q.worst_cell_inv_write_density = lifetime;
  q.energy_per_sample_pj = 2.0;
  return q;
}

TEST(NetworkTotal, SharedUnitCountsItsLogicAndScratchOnce) {
  Technology tech;
  tech.sram_cell_area_um2 = 0.5;
  const std::vector<PointResult> all{layer(100, 10, 7, 1e6), layer(40, 10, 5, 3e5)};
  const PointResult shared = network_total(all, {0, 1}, true, tech);
  EXPECT_EQ(shared.scratch_sram_bits, 100);
  EXPECT_EQ(shared.aux_sram_bits, 100);
  EXPECT_EQ(shared.logic_area_um2, 10);
  EXPECT_EQ(shared.rank_reduce_cycles, 12);  // the layers take turns
  EXPECT_EQ(shared.aux_area_um2, 10 + 100 * 0.5);
  const PointResult per_layer = network_total(all, {0, 1}, false, tech);
  EXPECT_EQ(per_layer.scratch_sram_bits, 140);
  EXPECT_EQ(per_layer.logic_area_um2, 20);
  EXPECT_EQ(per_layer.rank_reduce_cycles, 7);  // the slowest layer's unit
  for (const PointResult& t : {shared, per_layer}) {
    EXPECT_EQ(t.lifetime_samples, 3e5);  // the worst layer
    EXPECT_EQ(t.energy_per_sample_pj, 4.0);
  }
}

TEST(Measured, RunArgumentsCarryThePoint) {
  Sweep s;
  s.simulate.config_path = "c.yaml";
  s.simulate.samples = 300;
  s.simulate.engine = "tlm";
  PlannedPoint p;
  p.point.algorithm = Algorithm::kLrt;
  p.point.batch = 10;
  p.point.rank = 2;
  const std::vector<std::string> a = run_args(s, p, "D");
  const std::vector<std::string> head{"run", "c.yaml", "--out", "D/run", "--force", "--engine", "tlm", "--samples", "300"};
  ASSERT_GE(a.size(), head.size());
  EXPECT_EQ(std::vector<std::string>(a.begin(), a.begin() + static_cast<long>(head.size())), head);
  for (const char* kv : {"train.conv.scheme=lrt", "train.fc.batch=10", "train.fc.rank=2"})
    EXPECT_NE(std::find(a.begin(), a.end(), kv), a.end()) << kv;
}

TEST(Measured, OnlyAFinishedRunIsRead) {
  const std::string dir = ::testing::TempDir() + "explore_measured";
  std::filesystem::create_directories(dir + "/run");
  EXPECT_FALSE(read_measured(dir, 100, 0.0));  // no summary
  const auto write = [&](const std::string& text) { std::ofstream(dir + "/run/summary.json") << text; };
  write(R"({"samples": 100, "interrupted": true})");
  EXPECT_FALSE(read_measured(dir, 100, 0.0));
  write(R"({"samples": 50, "interrupted": false})");
  EXPECT_FALSE(read_measured(dir, 100, 0.0));  // short
  write(R"({"samples": 100, "interrupted": false, "accuracy": {"online_ema": 0.5, "last_500": 0.25},
            "writes": {"cells": 10, "total": 20, "max_per_cell": 4},
            "energy_pj": {"total": 300, "by_component": {"rram_read": 100}}, "cycles_by_phase": {"lrt": 50},
            "rank_reduce_units": {"busy_cycles_by_module": [30, 70]}})");
  const auto m = read_measured(dir, 100, 7.0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->accuracy_ema, 0.5);
  EXPECT_EQ(m->q.inv_write_density, 100.0 * 10 / 20);
  EXPECT_EQ(m->q.worst_cell_inv_write_density, 25.0);
  EXPECT_EQ(m->q.energy_per_sample_pj, 3.0);
  EXPECT_EQ(m->q.rank_reduce_cycles, 0.7);  // the busiest unit's cycles per sample, not the LRT phase
  EXPECT_EQ(m->q.logic_area_um2, 7.0);
}

}  // namespace
}  // namespace lrt::explore
