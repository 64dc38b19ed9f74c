#pragma once
// The fixed-point rank reducer's state (RankReduceFixedState) as checkpoint sections, shared by
// the training checkpoint (training/train_state.h: prefix "layer.L.rr.") and the co-simulation
// soak's checkpoint (tb/cosim/cosim_checkpoint.h). Sections under `prefix`:
//   left_codes, right_codes (i16), left_exps, right_exps (i32), left_max, right_max (u16),
//   cx_codes (u32), cx_exp i32[1], stats u64[3] (pairs, kappa-skipped, degenerate),
//   saturations u64[1], last_pair i64[8] (FixedPairTrace).
#include <string>

#include "core/checkpoint.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"

namespace lrt::golden {

/// @brief Adds the sections of `s` under `prefix`.
void save_fixed_state(const RankReduceFixedState& s, const std::string& prefix, CheckpointWriter& w);

/// @brief Reads the sections under `prefix`; every array must have the size it has in `shape`
/// (the state of a reducer built with the same parameters). Throws InputError (the checkpoint's
/// path, the section) on a missing or mis-sized section.
RankReduceFixedState load_fixed_state(const Checkpoint& ck, const std::string& prefix,
                                      const RankReduceFixedState& shape);

}  // namespace lrt::golden
