#pragma once
// How a b-bit two's complement weight code is spread over RRAM cells of k bits each.
//
// The code's b-bit pattern (per-tensor-fixed-point-backprop §2.1: a signed fixed-point
// number is its two's complement bit string) is cut LSB first: cell j of a word holds
// pattern bits [j*k, min(j*k + k, b)), so a word needs ceil(b / k) cells and only the top
// cell may be narrower. A cell's level is its bits read as an unsigned number (natural
// binary), so level 0 is the all-zeros state.

#include <cstdint>

namespace lrt::device {

class CellMapping {
 public:
  /// Largest supported code width (the bus carries at most two bytes per word).
  static constexpr uint32_t kMaxWeightBits = 16;
  /// Largest supported cell: 256 levels.
  static constexpr uint32_t kMaxBitsPerCell = 8;

  /// @brief Throws SpecError unless 1 <= weight_bits <= 16 and 1 <= bits_per_cell <= min(8, weight_bits).
  CellMapping(uint32_t weight_bits, uint32_t bits_per_cell);

  uint32_t weight_bits() const { return weight_bits_; }
  uint32_t bits_per_cell() const { return bits_per_cell_; }
  uint32_t cells_per_word() const { return cells_per_word_; }

  /// Width in bits of cell j (bits_per_cell except possibly for the top cell).
  uint32_t cell_bits(uint32_t j) const {
    const uint32_t lo = j * bits_per_cell_;
    return weight_bits_ - lo < bits_per_cell_ ? weight_bits_ - lo : bits_per_cell_;
  }
  uint32_t max_level(uint32_t j) const { return (1u << cell_bits(j)) - 1u; }
  /// The pattern bits that cell j holds.
  uint32_t cell_mask(uint32_t j) const { return max_level(j) << (j * bits_per_cell_); }
  uint32_t level(uint32_t pattern, uint32_t j) const {
    return (pattern >> (j * bits_per_cell_)) & max_level(j);
  }
  uint32_t with_level(uint32_t pattern, uint32_t j, uint32_t level) const {
    return (pattern & ~cell_mask(j)) | ((level & max_level(j)) << (j * bits_per_cell_));
  }

  int32_t min_code() const { return -static_cast<int32_t>(sign_bit_); }
  int32_t max_code() const { return static_cast<int32_t>(sign_bit_ - 1u); }
  bool holds(int64_t code) const { return code >= min_code() && code <= max_code(); }
  /// The b-bit two's complement pattern of a code in [min_code, max_code].
  uint32_t pattern_of(int32_t code) const { return static_cast<uint32_t>(code) & word_mask_; }
  /// The code a b-bit pattern stands for (sign extension of bit b-1).
  int32_t code_of(uint32_t pattern) const {
    return static_cast<int32_t>((pattern & word_mask_) ^ sign_bit_) - static_cast<int32_t>(sign_bit_);
  }
  uint32_t word_mask() const { return word_mask_; }

 private:
  uint32_t weight_bits_;
  uint32_t bits_per_cell_;
  uint32_t cells_per_word_;
  uint32_t sign_bit_;
  uint32_t word_mask_;
};

}  // namespace lrt::device
