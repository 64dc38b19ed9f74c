#pragma once
// One word of a memory and a code read from it: what a sparse read reports (a word whose read
// differs from the code it stores, core/weight_store.h).

#include <cstdint>

namespace lrt {

struct WordCode {
  uint64_t word = 0;
  int32_t code = 0;
};

}  // namespace lrt
