#include "cosim/cosim_checkpoint.h"

#include "config/effective.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "golden/rank_reduce/fixed_state_io.h"

namespace lrt::cosim {

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }
std::string text_of(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

}  // namespace

void write_cosim_checkpoint(const std::string& path, const CosimCheckpoint& c) {
  CheckpointWriter w(config::fnv1a64(c.run));
  w.add_array("cosim.version", std::vector<uint32_t>{kCosimCheckpointVersion});
  w.add_bytes("cosim.run", bytes_of(c.run));
  w.add_bytes("cosim.rtl", bytes_of(c.rtl));
  const CosimProgress& p = c.progress;
  w.add_array("cosim.progress", std::vector<uint64_t>{p.next_pair, p.cycles_min, p.cycles_max, p.cycles_full,
                                                      p.n_full, p.closed_form_checked, p.segments});
  w.add_array("cosim.time", std::vector<double>{p.wall_s, p.cpu_s});
  golden::save_fixed_state(c.golden, "golden.rr.", w);
  const rtl::RtlSram& s = c.env.sram;
  w.add_array("env.q_left", s.q[0]);
  w.add_array("env.q_right", s.q[1]);
  w.add_array("env.w_left", s.w[0]);
  w.add_array("env.w_right", s.w[1]);
  std::vector<int16_t> exps(std::begin(s.exps[0]), std::end(s.exps[0]));
  exps.insert(exps.end(), std::begin(s.exps[1]), std::end(s.exps[1]));
  w.add_array("env.exps", exps);
  w.add_array("env.cx", std::vector<uint32_t>(std::begin(s.cx), std::end(s.cx)));
  w.add_array("env.scalars",
              std::vector<uint64_t>{static_cast<uint64_t>(static_cast<int64_t>(s.cx_exp)), c.env.reset_done,
                                    c.env.load_pair, c.env.pair_value, c.env.total_cycles});
  w.add_bytes("env.stall_rng", bytes_of(c.env.stall_rng));
  w.add_bytes("rtl.model", c.model);
  w.write(path);
}

CosimCheckpoint read_cosim_checkpoint(const std::string& path, const std::string& run, const std::string& rtl,
                                      const golden::RankReduceFixedState& golden_shape,
                                      const rtl::RtlEnvState& env_shape) {
  const Checkpoint ck = Checkpoint::read(path);
  auto fail = [&path](const std::string& key, const std::string& problem) -> void {
    throw InputError(InputLocation(path, -1, -1, key), problem);
  };
  const uint32_t version = ck.array<uint32_t>("cosim.version", 1)[0];
  if (version != kCosimCheckpointVersion)
    fail("cosim.version", "format version " + std::to_string(version) + "; this lrtsim reads version " +
                              std::to_string(kCosimCheckpointVersion));
  CosimCheckpoint c;
  c.run = text_of(ck.bytes("cosim.run"));
  if (c.run != run || ck.config_hash() != config::fnv1a64(run))
    fail("cosim.run", "saved by the run '" + c.run + "'; this command is the run '" + run +
                          "' (resume with the options of the saved run; --samples may differ)");
  c.rtl = text_of(ck.bytes("cosim.rtl"));
  if (c.rtl != rtl)
    fail("cosim.rtl", "saved from the RTL " + c.rtl + ", this lrtsim holds the RTL " + rtl +
                          " (the unit changed since; start the run afresh)");
  const auto p = ck.array<uint64_t>("cosim.progress", 7);
  c.progress = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], 0.0, 0.0};
  const auto t = ck.array<double>("cosim.time", 2);
  c.progress.wall_s = t[0];
  c.progress.cpu_s = t[1];
  c.golden = golden::load_fixed_state(ck, "golden.rr.", golden_shape);
  rtl::RtlSram& s = c.env.sram;
  const rtl::RtlSram& shape = env_shape.sram;
  auto count = [](const auto& v) { return static_cast<int64_t>(v.size()); };
  s.q[0] = ck.array<int16_t>("env.q_left", count(shape.q[0]));
  s.q[1] = ck.array<int16_t>("env.q_right", count(shape.q[1]));
  s.w[0] = ck.array<int32_t>("env.w_left", count(shape.w[0]));
  s.w[1] = ck.array<int32_t>("env.w_right", count(shape.w[1]));
  const auto exps = ck.array<int16_t>("env.exps", 18);
  for (int j = 0; j < 9; ++j) {
    s.exps[0][j] = exps[static_cast<size_t>(j)];
    s.exps[1][j] = exps[static_cast<size_t>(9 + j)];
  }
  const auto cx = ck.array<uint32_t>("env.cx", 9);
  for (int j = 0; j < 9; ++j) s.cx[j] = cx[static_cast<size_t>(j)];
  const auto sc = ck.array<uint64_t>("env.scalars", 5);
  s.cx_exp = static_cast<int16_t>(static_cast<int64_t>(sc[0]));
  c.env.reset_done = sc[1] != 0;
  c.env.load_pair = sc[2] != 0;
  c.env.pair_value = static_cast<uint32_t>(sc[3]);
  c.env.total_cycles = sc[4];
  c.env.stall_rng = text_of(ck.bytes("env.stall_rng"));
  c.model = ck.bytes("rtl.model");
  return c;
}

}  // namespace lrt::cosim
