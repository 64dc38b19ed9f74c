#pragma once
// Behaviour of the SRAM buffer (pure C++, no SystemC): a byte-addressed store whose space is
// handed out by name at elaboration (map()), with energy per bit, latency per access word
// and area per bit. It holds the LRT factors L/R, biases and activations; unlike the RRAM it
// has no endurance or drift. The TLM target tlm/sram_buffer.h wraps one of these.

#include <cstdint>
#include <string>
#include <vector>

#include "device/energy.h"

namespace lrt::device {

/// @brief Where a cost (energy per bit accessed, area, leakage) comes from: the capacity, by the
/// cited tables of sram_macro.h (periphery included), or the fixed per-bit keys (the former rule).
enum class SramCostModel : uint32_t { kCapacity = 0, kFixed = 1 };
/// "capacity", "fixed".
const char* to_string(SramCostModel model);

/// @brief SRAM technology and size. Defaults and sources: docs/device.md.
struct SramSpecs {
  uint64_t capacity_bits = 2097152;  ///< usable storage
  uint32_t word_bits = 64;           ///< access width: latency is counted per word touched
  SramCostModel energy_model = SramCostModel::kCapacity;
  double read_energy_pj_per_bit = 0.3125;   ///< energy_model fixed only
  double write_energy_pj_per_bit = 0.3125;  ///< energy_model fixed only
  uint32_t read_latency_cycles = 1;   ///< per word touched
  uint32_t write_latency_cycles = 1;  ///< per word touched
  double cell_area_um2 = 0.242;       ///< one 6T cell (one bit)
  SramCostModel area_model = SramCostModel::kCapacity;
  double array_efficiency = 0.7;  ///< area_model fixed only: cells' share of the macro area
  SramCostModel leakage_model = SramCostModel::kCapacity;
  double leakage_pw_per_bit = 10.0;  ///< leakage_model fixed only: static power per stored bit
};

/// @brief Macro area in um^2, periphery included: capacity x sram_area_um2_per_bit (capacity
/// model) or capacity x cell_area_um2 / array_efficiency (fixed).
double macro_area_um2(const SramSpecs& specs);
/// @brief Leakage per stored bit in pW: sram_leakage_pw_per_bit(capacity) or leakage_pw_per_bit.
double leakage_pw_per_bit(const SramSpecs& specs);

/// @brief Throws SpecError naming the first member out of range.
void validate(const SramSpecs& specs);

/// @brief A named piece of the buffer. Regions start on word boundaries and occupy whole words.
struct SramRegion {
  std::string name;
  uint64_t offset_bytes = 0;
  uint64_t bits = 0;           ///< as requested
  uint64_t occupied_bits = 0;  ///< bits rounded up to whole words: what counts against capacity
};

struct SramEnergy {
  EnergyUnits read = 0;
  EnergyUnits write = 0;
  EnergyUnits total() const { return read + write; }
  bool operator==(const SramEnergy& o) const { return read == o.read && write == o.write; }
};

/// @brief Running counters; energy is derived from them (SramBuffer::energy()).
struct SramStats {
  uint64_t reads = 0;   ///< read accesses
  uint64_t writes = 0;  ///< write accesses
  uint64_t bits_read = 0;
  uint64_t bits_written = 0;
  uint64_t read_cycles = 0;
  uint64_t write_cycles = 0;
};

/// @brief What one access cost.
struct SramAccessResult {
  uint64_t latency_cycles = 0;
  SramEnergy energy;
};

/// @brief The SRAM buffer: named regions, byte-addressed accesses with energy and latency.
class SramBuffer {
 public:
  /// @brief Validates specs (SpecError). Nothing is mapped yet.
  explicit SramBuffer(const SramSpecs& specs);

  const SramSpecs& specs() const { return specs_; }
  /// @brief Reserves `bits` (rounded up to whole words) under a unique name. Throws
  /// SpecError (member capacity_bits) naming the request, what is already
  /// mapped and the capacity when it does not fit; std::invalid_argument for an empty or
  /// duplicate name or zero bits.
  const SramRegion& map(const std::string& name, uint64_t bits);
  /// @brief The region called `name`; throws std::out_of_range if there is none.
  const SramRegion& region(const std::string& name) const;
  const std::vector<SramRegion>& regions() const { return regions_; }
  uint64_t mapped_bits() const { return mapped_bits_; }
  /// Bytes from 0 to the end of the last region: the addressable range.
  uint64_t mapped_bytes() const { return mapped_bits_ / 8; }

  /// @brief Copies `bytes` bytes at byte address `addr` into dst, charging energy and latency.
  /// Throws std::out_of_range unless [addr, addr + bytes) lies in mapped space.
  SramAccessResult read(uint64_t addr, uint8_t* dst, uint64_t bytes);
  /// @brief Stores `bytes` bytes from src at `addr`, charging energy and latency.
  SramAccessResult write(uint64_t addr, const uint8_t* src, uint64_t bytes);
  /// @brief Debug access: no energy, latency or counters.
  void peek(uint64_t addr, uint8_t* dst, uint64_t bytes) const;
  void poke(uint64_t addr, const uint8_t* src, uint64_t bytes);

  const SramStats& stats() const { return stats_; }
  SramEnergy energy() const;
  /// Area of the macro, periphery included (macro_area_um2).
  double area_um2() const { return macro_area_um2(specs_); }
  /// @brief Leakage of the whole capacity over `seconds` of simulated time (>= 0, finite):
  /// capacity_bits x leakage_pw_per_bit(specs) x seconds, to the nearest 0.1 fJ. A pure
  /// function of the time, so the ledger can charge it once for a run's simulated span.
  EnergyUnits leakage_energy(double seconds) const;
  EnergyUnits read_energy_per_bit() const { return read_per_bit_; }
  EnergyUnits write_energy_per_bit() const { return write_per_bit_; }

 private:
  void check_range(uint64_t addr, uint64_t bytes) const;
  uint64_t words_touched(uint64_t addr, uint64_t bytes) const;

  SramSpecs specs_;
  EnergyUnits read_per_bit_;
  EnergyUnits write_per_bit_;
  double leakage_pw_per_bit_;  // leakage_pw_per_bit(specs_), once: leakage_energy runs every phase
  std::vector<SramRegion> regions_;
  uint64_t mapped_bits_ = 0;
  std::vector<uint8_t> data_;  // grows with map(), so an unused capacity costs no host memory
  SramStats stats_;
};

}  // namespace lrt::device
