// SramBuffer: mapping by name with an over-capacity error naming both sizes, round trips,
// latency per word touched, energy that closes exactly, area.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "device/sram_buffer.h"

namespace lrt::device {
namespace {

SramSpecs specs_with_capacity(uint64_t bits) {
  SramSpecs s;
  s.capacity_bits = bits;
  s.word_bits = 64;
  s.energy_model = SramCostModel::kFixed;  // the per-bit energies below, not the capacity table
  s.read_energy_pj_per_bit = 0.3125;  // 3125 units of 0.1 fJ
  s.write_energy_pj_per_bit = 0.5;    // 5000 units
  s.read_latency_cycles = 1;
  s.write_latency_cycles = 2;
  s.cell_area_um2 = 0.242;
  return s;
}

std::string over_capacity_message(SramBuffer& b, const std::string& name, uint64_t bits) {
  try {
    b.map(name, bits);
  } catch (const SpecError& e) {
    EXPECT_EQ(e.member(), "capacity_bits");  // the config layer names the key (sim tests)
    return e.what();
  }
  return "(no error)";
}

TEST(SramMap, OverCapacityNamesBothSizes) {
  SramBuffer b(specs_with_capacity(4096));
  EXPECT_EQ(b.map("L_fc1", 3000).occupied_bits, 3008u);  // 47 words of 64 bits
  const std::string msg = over_capacity_message(b, "R_fc1", 1200);
  EXPECT_NE(msg.find("'R_fc1' needs 1200 bits"), std::string::npos) << msg;
  EXPECT_NE(msg.find("capacity is 4096 bits"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3008 are already mapped"), std::string::npos) << msg;
  EXPECT_NE(msg.find("capacity_bits: SRAM buffer over capacity"), std::string::npos) << msg;
  // Nothing was mapped by the failed request; a fitting one still works.
  EXPECT_EQ(b.mapped_bits(), 3008u);
  EXPECT_EQ(b.map("bias", 1088).offset_bytes, 376u);
  EXPECT_EQ(b.mapped_bits(), 4096u);
}

TEST(SramMap, RoundingToWholeWordsIsNamedWhenItIsWhatOverflows) {
  SramBuffer b(specs_with_capacity(1000));  // 15 whole words + 40 bits
  const std::string msg = over_capacity_message(b, "x", 990);
  EXPECT_NE(msg.find("needs 990 bits (1024 bits in whole 64-bit words)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("capacity is 1000 bits"), std::string::npos) << msg;
  // A request near 2^64 cannot overflow the check.
  const std::string huge = over_capacity_message(b, "y", UINT64_MAX);
  EXPECT_NE(huge.find("needs 18446744073709551615 bits"), std::string::npos) << huge;
}

TEST(SramMap, ExactFitAndOffsets) {
  SramBuffer b(specs_with_capacity(2048));
  EXPECT_EQ(b.map("a", 1024).offset_bytes, 0u);
  EXPECT_EQ(b.map("b", 1024).offset_bytes, 128u);
  EXPECT_EQ(b.mapped_bytes(), 256u);
  EXPECT_EQ(b.region("b").bits, 1024u);
  EXPECT_THROW(b.region("c"), std::out_of_range);
  EXPECT_THROW(b.map("c", 1), SpecError);
}

TEST(SramMap, RejectsBadRequests) {
  SramBuffer b(specs_with_capacity(2048));
  b.map("a", 8);
  EXPECT_THROW(b.map("a", 8), std::invalid_argument);
  EXPECT_THROW(b.map("", 8), std::invalid_argument);
  EXPECT_THROW(b.map("z", 0), std::invalid_argument);
}

TEST(SramAccess, RoundTripLatencyAndEnergy) {
  SramBuffer b(specs_with_capacity(4096));
  b.map("r", 4096);
  std::vector<uint8_t> in(10), out(10, 0);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(0xA0 + i);
  // Bytes 4..13 touch 64-bit words 0 and 1.
  const SramAccessResult w = b.write(4, in.data(), in.size());
  EXPECT_EQ(w.latency_cycles, 2u * 2u);
  EXPECT_EQ(w.energy.write, 80u * 5000u);
  const SramAccessResult r = b.read(4, out.data(), out.size());
  EXPECT_EQ(out, in);
  EXPECT_EQ(r.latency_cycles, 2u * 1u);
  EXPECT_EQ(r.energy.read, 80u * 3125u);
  // Bytes 8..15: exactly word 1.
  EXPECT_EQ(b.read(8, out.data(), 8).latency_cycles, 1u);
  EXPECT_THROW(b.read(510, out.data(), 3), std::out_of_range);
  EXPECT_THROW(b.write(512, in.data(), 1), std::out_of_range);
  EXPECT_THROW(b.read(0, out.data(), 0), std::out_of_range);
  // Energy closes: components are bits x energy per bit and add up to the total.
  const SramEnergy e = b.energy();
  EXPECT_EQ(e.read, (80u + 64u) * 3125u);
  EXPECT_EQ(e.write, 80u * 5000u);
  EXPECT_EQ(e.total(), e.read + e.write);
  EXPECT_EQ(e.read, r.energy.read + 64u * 3125u);
  EXPECT_EQ(b.stats().reads, 2u);
  EXPECT_EQ(b.stats().writes, 1u);
  EXPECT_EQ(b.stats().read_cycles, 3u);
  EXPECT_EQ(b.stats().write_cycles, 4u);
  // Debug access is free.
  uint8_t x = 0x5A;
  b.poke(100, &x, 1);
  uint8_t y = 0;
  b.peek(100, &y, 1);
  EXPECT_EQ(y, 0x5A);
  EXPECT_EQ(b.energy(), e);
}

TEST(SramSpecs, AreaAndValidation) {
  SramSpecs fixed = specs_with_capacity(2097152);
  fixed.area_model = SramCostModel::kFixed;
  const SramBuffer b(fixed);
  EXPECT_DOUBLE_EQ(b.area_um2(), 2097152 * 0.242 / 0.7);  // cells / array efficiency
  // The capacity model: 16 banks of OpenRAM's 128 Kbit macro, 156 997.5 um^2 at 45 nm, to 40 nm.
  EXPECT_DOUBLE_EQ(SramBuffer(specs_with_capacity(2097152)).area_um2(),
                   2097152 * (156997.489175 / 131072) * (40.0 / 45.0) * (40.0 / 45.0));
  SramSpecs s = specs_with_capacity(1024);
  s.word_bits = 12;
  EXPECT_THROW(SramBuffer{s}, SpecError);
  s = specs_with_capacity(0);
  EXPECT_THROW(SramBuffer{s}, SpecError);
  s = specs_with_capacity(1024);
  s.read_energy_pj_per_bit = -1;
  EXPECT_THROW(SramBuffer{s}, SpecError);
}

}  // namespace
}  // namespace lrt::device
