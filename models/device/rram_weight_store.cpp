#include "device/rram_weight_store.h"

namespace lrt::device {

void RramWeightStore::deploy(int32_t* codes) {
  for (uint64_t w = 0; w < array_.words(); ++w) codes[w] = array_.poke_word(w, codes[w]);
}

void RramWeightStore::write(const std::vector<int64_t>& cells, int32_t* codes) {
  constexpr size_t kAhead = 8;  // words whose state is fetched while earlier ones are written
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i + kAhead < cells.size()) array_.prefetch_word(static_cast<uint64_t>(cells[i + kAhead]));
    const auto c = static_cast<uint64_t>(cells[i]);
    codes[c] = array_.write_word(c, codes[c]).stored_code;
  }
}

void RramWeightStore::read_all(int32_t* codes) {
  array_.read_words(0, array_.words(), codes);
}

bool RramWeightStore::read_deviations(std::vector<WordCode>& out) {
  if (!array_.sparse_reads()) return false;
  array_.read_deviations(0, array_.words(), out);
  return true;
}

bool RramWeightStore::end_sample(std::vector<int64_t>& changed) {
  return advance_one_sample(array_, changed_, changed);
}

}  // namespace lrt::device
