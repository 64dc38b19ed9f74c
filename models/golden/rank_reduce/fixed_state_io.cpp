#include "golden/rank_reduce/fixed_state_io.h"

#include <cstdint>
#include <vector>

namespace lrt::golden {

void save_fixed_state(const RankReduceFixedState& s, const std::string& prefix, CheckpointWriter& w) {
  w.add_array(prefix + "left_codes", s.left_codes);
  w.add_array(prefix + "right_codes", s.right_codes);
  w.add_array(prefix + "left_exps", s.left_exps);
  w.add_array(prefix + "right_exps", s.right_exps);
  w.add_array(prefix + "left_max", s.left_max);
  w.add_array(prefix + "right_max", s.right_max);
  w.add_array(prefix + "cx_codes", s.cx_codes);
  w.add_array(prefix + "cx_exp", std::vector<int32_t>{s.cx_exponent});
  w.add_array(prefix + "stats", std::vector<uint64_t>{s.stats.pairs, s.stats.skipped_kappa, s.stats.degenerate});
  w.add_array(prefix + "saturations", std::vector<uint64_t>{s.saturations});
  const FixedPairTrace& t = s.last_pair;
  w.add_array(prefix + "last_pair",
              std::vector<int64_t>{static_cast<int64_t>(t.pair_index), t.zero_input, t.vanished_left,
                                   t.vanished_right, t.skipped_kappa, t.kept, static_cast<int64_t>(t.sign_word),
                                   t.c_exponent});
  w.add_array(prefix + "last_pair_ops",
              std::vector<int64_t>{t.gs_coefficients, t.jacobi_rotations, t.mix_dry, t.max_updates});
}

RankReduceFixedState load_fixed_state(const Checkpoint& ck, const std::string& prefix,
                                      const RankReduceFixedState& shape) {
  auto count = [](const auto& v) { return static_cast<int64_t>(v.size()); };
  const int64_t q = count(shape.cx_codes);
  RankReduceFixedState s;
  s.left_codes = ck.array<int16_t>(prefix + "left_codes", count(shape.left_codes));
  s.right_codes = ck.array<int16_t>(prefix + "right_codes", count(shape.right_codes));
  s.left_exps = ck.array<int32_t>(prefix + "left_exps", q);
  s.right_exps = ck.array<int32_t>(prefix + "right_exps", q);
  s.left_max = ck.array<uint16_t>(prefix + "left_max", q);
  s.right_max = ck.array<uint16_t>(prefix + "right_max", q);
  s.cx_codes = ck.array<uint32_t>(prefix + "cx_codes", q);
  s.cx_exponent = ck.array<int32_t>(prefix + "cx_exp", 1)[0];
  const auto st = ck.array<uint64_t>(prefix + "stats", 3);
  s.stats = {st[0], st[1], st[2]};
  s.saturations = ck.array<uint64_t>(prefix + "saturations", 1)[0];
  const auto t = ck.array<int64_t>(prefix + "last_pair", 8);
  s.last_pair.pair_index = static_cast<uint64_t>(t[0]);
  s.last_pair.zero_input = t[1] != 0;
  s.last_pair.vanished_left = t[2] != 0;
  s.last_pair.vanished_right = t[3] != 0;
  s.last_pair.skipped_kappa = t[4] != 0;
  s.last_pair.kept = static_cast<int>(t[5]);
  s.last_pair.sign_word = static_cast<uint32_t>(t[6]);
  s.last_pair.c_exponent = static_cast<int>(t[7]);
  if (ck.has(prefix + "last_pair_ops")) {  // (absent from checkpoints saved before it existed)
    const auto ops = ck.array<int64_t>(prefix + "last_pair_ops", 4);
    s.last_pair.gs_coefficients = static_cast<int>(ops[0]);
    s.last_pair.jacobi_rotations = static_cast<int>(ops[1]);
    s.last_pair.mix_dry = ops[2] != 0;
    s.last_pair.max_updates = ops[3];
  }
  return s;
}

}  // namespace lrt::golden
