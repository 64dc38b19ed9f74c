#pragma once
// The checkpoint of a co-simulation (lrtsim cosim --checkpoint / --resume, the soak of
// scripts/soak_cosim.sh): what the run is, how far it got, and the whole state of both sides —
// the golden model's, the environment's (SRAM image, pair-counter load, cycle count) and the
// Verilated model's (every register, Verilator --savable) — so a resumed run continues exactly
// as if it had not stopped. In the core container (core/checkpoint.h: a CRC per section,
// written atomically); its configuration hash is that of the run's text. Sections:
//   cosim.version u32[1]          kCosimCheckpointVersion
//   cosim.run                     the run's text (run_text(): options that decide the pairs)
//   cosim.rtl                     the RTL fingerprint (RankReduceRtlCpp::rtl_fingerprint())
//   cosim.progress u64[7]         next pair, cycles min / max, full-step cycles, full steps,
//                                 pairs checked against the closed form, segments run
//   cosim.time f64[2]             wall-clock and CPU seconds of all segments so far
//   golden.rr.*                   the golden model (golden/rank_reduce/fixed_state_io.h)
//   env.q_left, env.q_right i16   env.w_left, env.w_right i32   env.exps i16[18]   env.cx u32[9]
//   env.scalars u64[5]            cx_exp, reset done, pair load pending, pair value, total cycles
//   env.stall_rng                 the back-pressure generator's state (text)
//   rtl.model                     the Verilated model's state
#include <cstdint>
#include <string>
#include <vector>

#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "sc/rr_unit_env.h"

namespace lrt::cosim {

constexpr uint32_t kCosimCheckpointVersion = 1;

/// @brief How far a co-simulation got (all segments of a resumed run together).
struct CosimProgress {
  uint64_t next_pair = 0;  ///< pairs matched so far (directed ones included)
  uint64_t cycles_min = UINT64_MAX, cycles_max = 0, cycles_full = 0, n_full = 0;
  uint64_t closed_form_checked = 0;
  uint64_t segments = 0;   ///< runs that contributed (1 + resumes)
  double wall_s = 0.0, cpu_s = 0.0;
};

struct CosimCheckpoint {
  std::string run;  ///< run_text() of the run
  std::string rtl;  ///< RTL fingerprint
  CosimProgress progress;
  golden::RankReduceFixedState golden;
  rtl::RtlEnvState env;
  std::vector<uint8_t> model;
};

/// @brief Writes `c` to `path` atomically. Throws RunError.
void write_cosim_checkpoint(const std::string& path, const CosimCheckpoint& c);

/// @brief Reads a checkpoint of the run `run` on the RTL `rtl`; `golden_shape` and `env_shape`
/// are the states of a fresh model and environment of this run (the array sizes). Throws
/// InputError (the path, the section or option) for a damaged file, another run or another RTL.
CosimCheckpoint read_cosim_checkpoint(const std::string& path, const std::string& run, const std::string& rtl,
                                      const golden::RankReduceFixedState& golden_shape,
                                      const rtl::RtlEnvState& env_shape);

}  // namespace lrt::cosim
