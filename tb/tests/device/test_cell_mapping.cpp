// CellMapping: how b-bit two's complement codes are cut into k-bit cells (cell_mapping.h).
#include <gtest/gtest.h>

#include <cstdint>

#include "core/error.h"
#include "device/cell_mapping.h"

namespace lrt::device {
namespace {

TEST(CellMapping, CellsPerWordAndWidths) {
  EXPECT_EQ(CellMapping(8, 1).cells_per_word(), 8u);
  EXPECT_EQ(CellMapping(8, 2).cells_per_word(), 4u);
  EXPECT_EQ(CellMapping(8, 8).cells_per_word(), 1u);
  const CellMapping m83(8, 3);  // widths 3, 3, 2
  ASSERT_EQ(m83.cells_per_word(), 3u);
  EXPECT_EQ(m83.cell_bits(0), 3u);
  EXPECT_EQ(m83.cell_bits(1), 3u);
  EXPECT_EQ(m83.cell_bits(2), 2u);
  EXPECT_EQ(m83.max_level(2), 3u);
  EXPECT_EQ(m83.cell_mask(2), 0xC0u);
  const CellMapping m163(16, 3);  // widths 3, 3, 3, 3, 3, 1
  ASSERT_EQ(m163.cells_per_word(), 6u);
  EXPECT_EQ(m163.cell_bits(5), 1u);
  EXPECT_EQ(m163.cell_mask(5), 0x8000u);
}

TEST(CellMapping, HandComputedLevels) {
  // -3 in 8 bits is 0b11111101: cells (LSB first) 101, 111, 11.
  const CellMapping m(8, 3);
  const uint32_t p = m.pattern_of(-3);
  EXPECT_EQ(p, 0xFDu);
  EXPECT_EQ(m.level(p, 0), 5u);
  EXPECT_EQ(m.level(p, 1), 7u);
  EXPECT_EQ(m.level(p, 2), 3u);
  // 0x1B = 0b00011011 in 2-bit cells: 3, 2, 1, 0.
  const CellMapping m2(8, 2);
  EXPECT_EQ(m2.level(0x1B, 0), 3u);
  EXPECT_EQ(m2.level(0x1B, 1), 2u);
  EXPECT_EQ(m2.level(0x1B, 2), 1u);
  EXPECT_EQ(m2.level(0x1B, 3), 0u);
}

TEST(CellMapping, EveryCodeRoundTripsThroughItsCells) {
  for (uint32_t bits : {1u, 2u, 5u, 8u, 12u}) {
    for (uint32_t k = 1; k <= bits && k <= 8; ++k) {
      const CellMapping m(bits, k);
      ASSERT_EQ(m.min_code(), -(1 << (bits - 1)));
      ASSERT_EQ(m.max_code(), (1 << (bits - 1)) - 1);
      for (int32_t code = m.min_code(); code <= m.max_code(); ++code) {
        const uint32_t p = m.pattern_of(code);
        ASSERT_LT(p, 1u << bits);
        uint32_t rebuilt = 0;
        for (uint32_t j = 0; j < m.cells_per_word(); ++j) {
          ASSERT_LE(m.level(p, j), m.max_level(j));
          rebuilt = m.with_level(rebuilt, j, m.level(p, j));
        }
        ASSERT_EQ(rebuilt, p) << "bits " << bits << " k " << k << " code " << code;
        ASSERT_EQ(m.code_of(p), code) << "bits " << bits << " k " << k;
      }
    }
  }
}

TEST(CellMapping, RejectsUnsupportedWidthsNamingTheMember) {
  auto member_of = [](uint32_t b, uint32_t k) {
    try {
      CellMapping m(b, k);
    } catch (const SpecError& e) {
      return e.member();
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(member_of(0, 1), "weight_bits");
  EXPECT_EQ(member_of(17, 1), "weight_bits");
  EXPECT_EQ(member_of(8, 0), "bits_per_cell");
  EXPECT_EQ(member_of(8, 9), "bits_per_cell");
  EXPECT_EQ(member_of(4, 5), "bits_per_cell");
}

}  // namespace
}  // namespace lrt::device
