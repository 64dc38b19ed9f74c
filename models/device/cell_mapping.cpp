#include "device/cell_mapping.h"

#include <string>

#include "core/error.h"

namespace lrt::device {

CellMapping::CellMapping(uint32_t weight_bits, uint32_t bits_per_cell) {
  if (weight_bits < 1 || weight_bits > kMaxWeightBits) {
    throw SpecError("weight_bits",
                    std::to_string(weight_bits) + " is outside [1, " + std::to_string(kMaxWeightBits) + "]");
  }
  if (bits_per_cell < 1 || bits_per_cell > kMaxBitsPerCell || bits_per_cell > weight_bits) {
    throw SpecError("bits_per_cell", std::to_string(bits_per_cell) + " is outside [1, min(" +
                                         std::to_string(kMaxBitsPerCell) +
                                         ", weight_bits = " + std::to_string(weight_bits) + ")]");
  }
  weight_bits_ = weight_bits;
  bits_per_cell_ = bits_per_cell;
  cells_per_word_ = (weight_bits + bits_per_cell - 1) / bits_per_cell;
  sign_bit_ = 1u << (weight_bits - 1);
  word_mask_ = (1u << weight_bits) - 1u;
}

}  // namespace lrt::device
