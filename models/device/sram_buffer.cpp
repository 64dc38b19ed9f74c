#include "device/sram_buffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/error.h"
#include "device/sram_macro.h"

namespace lrt::device {

const char* to_string(SramCostModel model) {
  switch (model) {
    case SramCostModel::kCapacity:
      return "capacity";
    case SramCostModel::kFixed:
      return "fixed";
  }
  throw std::invalid_argument("unknown SramCostModel");
}

namespace {
double read_pj(const SramSpecs& s) {
  return s.energy_model == SramCostModel::kCapacity ? sram_pj_per_bit(s.capacity_bits)
                                                    : s.read_energy_pj_per_bit;
}
// Horowitz gives one figure per access: a write costs what a read costs (assumption).
double write_pj(const SramSpecs& s) {
  return s.energy_model == SramCostModel::kCapacity ? sram_pj_per_bit(s.capacity_bits)
                                                    : s.write_energy_pj_per_bit;
}
}  // namespace

void validate(const SramSpecs& s) {
  if (s.capacity_bits < 1 || s.capacity_bits > (uint64_t{1} << 40)) {
    throw SpecError("capacity_bits", std::to_string(s.capacity_bits) + " is outside [1, 2^40]");
  }
  if (s.word_bits < 8 || s.word_bits > 4096 || s.word_bits % 8 != 0) {
    throw SpecError("word_bits", std::to_string(s.word_bits) + " is not a multiple of 8 in [8, 4096]");
  }
  (void)to_energy_units(s.read_energy_pj_per_bit, "read_energy_pj_per_bit");
  (void)to_energy_units(s.write_energy_pj_per_bit, "write_energy_pj_per_bit");
  if (s.read_latency_cycles > 1'000'000) throw SpecError("read_latency_cycles", "exceeds 1e6");
  if (s.write_latency_cycles > 1'000'000) throw SpecError("write_latency_cycles", "exceeds 1e6");
  if (!(s.cell_area_um2 >= 0.0 && s.cell_area_um2 <= 1e6)) {
    throw SpecError("cell_area_um2", std::to_string(s.cell_area_um2) + " is outside [0, 1e6]");
  }
  (void)to_string(s.energy_model);  // each throws on a value outside the enum
  (void)to_string(s.area_model);
  (void)to_string(s.leakage_model);
  if (!(s.array_efficiency > 0.0 && s.array_efficiency <= 1.0)) {
    throw SpecError("array_efficiency", std::to_string(s.array_efficiency) + " is outside (0, 1]");
  }
  if (!(s.leakage_pw_per_bit >= 0.0 && s.leakage_pw_per_bit <= 1e6)) {
    throw SpecError("leakage_pw_per_bit", std::to_string(s.leakage_pw_per_bit) + " is outside [0, 1e6]");
  }
  (void)to_energy_units(read_pj(s), "capacity_bits");
}

SramBuffer::SramBuffer(const SramSpecs& specs)
    : specs_(specs), read_per_bit_(0), write_per_bit_(0), leakage_pw_per_bit_(0.0) {
  validate(specs_);
  read_per_bit_ = to_energy_units(read_pj(specs_), "read_energy_pj_per_bit");
  write_per_bit_ = to_energy_units(write_pj(specs_), "write_energy_pj_per_bit");
  leakage_pw_per_bit_ = leakage_pw_per_bit(specs_);
}

double macro_area_um2(const SramSpecs& s) {
  const auto bits = static_cast<double>(s.capacity_bits);
  return s.area_model == SramCostModel::kCapacity ? bits * sram_area_um2_per_bit(s.capacity_bits)
                                                  : bits * s.cell_area_um2 / s.array_efficiency;
}

double leakage_pw_per_bit(const SramSpecs& s) {
  return s.leakage_model == SramCostModel::kCapacity ? sram_leakage_pw_per_bit(s.capacity_bits)
                                                     : s.leakage_pw_per_bit;
}

EnergyUnits SramBuffer::leakage_energy(double seconds) const {
  if (!(seconds >= 0.0 && seconds <= 1e9)) {
    throw std::invalid_argument("sram leakage over " + std::to_string(seconds) + " s: expected [0, 1e9] s");
  }
  // pW x s = 1e-12 J = 1e4 units of 0.1 fJ.
  const double units = static_cast<double>(specs_.capacity_bits) * leakage_pw_per_bit_ * seconds * 1e4;
  if (!(units < 1.8e19)) throw RunError("sram leakage energy exceeds 2^64 units of 0.1 fJ");
  return static_cast<EnergyUnits>(std::floor(units + 0.5));
}

const SramRegion& SramBuffer::map(const std::string& name, uint64_t bits) {
  if (name.empty()) throw std::invalid_argument("sram map: empty region name");
  if (bits == 0) throw std::invalid_argument("sram map: region '" + name + "' of 0 bits");
  for (const SramRegion& r : regions_) {
    if (r.name == name) throw std::invalid_argument("sram map: region '" + name + "' is already mapped");
  }
  const uint64_t word = specs_.word_bits;
  const uint64_t free_bits = specs_.capacity_bits - mapped_bits_;
  // Compare before rounding up, so that no request can overflow the arithmetic.
  const uint64_t occupied = bits > free_bits ? bits : (bits + word - 1) / word * word;
  if (occupied > free_bits) {
    std::string need = std::to_string(bits) + " bits";
    if (occupied != bits && bits <= free_bits) {
      need += " (" + std::to_string(occupied) + " bits in whole " + std::to_string(word) + "-bit words)";
    }
    throw SpecError("capacity_bits",
                    "SRAM buffer over capacity: region '" + name + "' needs " + need +
                        " but the capacity is " + std::to_string(specs_.capacity_bits) + " bits, of which " +
                        std::to_string(mapped_bits_) + " are already mapped (" + std::to_string(free_bits) +
                        " free)");
  }
  SramRegion r;
  r.name = name;
  r.offset_bytes = mapped_bits_ / 8;
  r.bits = bits;
  r.occupied_bits = occupied;
  mapped_bits_ += occupied;
  data_.resize(mapped_bits_ / 8, 0);
  regions_.push_back(r);
  return regions_.back();
}

const SramRegion& SramBuffer::region(const std::string& name) const {
  for (const SramRegion& r : regions_) {
    if (r.name == name) return r;
  }
  throw std::out_of_range("sram: no region named '" + name + "'");
}

void SramBuffer::check_range(uint64_t addr, uint64_t bytes) const {
  if (bytes == 0 || addr > mapped_bytes() || bytes > mapped_bytes() - addr) {
    throw std::out_of_range("sram access [" + std::to_string(addr) + ", +" + std::to_string(bytes) +
                            ") is outside the mapped bytes [0, " + std::to_string(mapped_bytes()) + ")");
  }
}

uint64_t SramBuffer::words_touched(uint64_t addr, uint64_t bytes) const {
  const uint64_t word_bytes = specs_.word_bits / 8;
  return (addr + bytes - 1) / word_bytes - addr / word_bytes + 1;
}

SramAccessResult SramBuffer::read(uint64_t addr, uint8_t* dst, uint64_t bytes) {
  check_range(addr, bytes);
  std::memcpy(dst, data_.data() + addr, bytes);
  SramAccessResult r;
  r.latency_cycles = words_touched(addr, bytes) * specs_.read_latency_cycles;
  r.energy.read = energy_of(bytes * 8, read_per_bit_);
  ++stats_.reads;
  stats_.bits_read += bytes * 8;
  stats_.read_cycles += r.latency_cycles;
  return r;
}

SramAccessResult SramBuffer::write(uint64_t addr, const uint8_t* src, uint64_t bytes) {
  check_range(addr, bytes);
  std::memcpy(data_.data() + addr, src, bytes);
  SramAccessResult r;
  r.latency_cycles = words_touched(addr, bytes) * specs_.write_latency_cycles;
  r.energy.write = energy_of(bytes * 8, write_per_bit_);
  ++stats_.writes;
  stats_.bits_written += bytes * 8;
  stats_.write_cycles += r.latency_cycles;
  return r;
}

void SramBuffer::peek(uint64_t addr, uint8_t* dst, uint64_t bytes) const {
  check_range(addr, bytes);
  std::memcpy(dst, data_.data() + addr, bytes);
}

void SramBuffer::poke(uint64_t addr, const uint8_t* src, uint64_t bytes) {
  check_range(addr, bytes);
  std::memcpy(data_.data() + addr, src, bytes);
}

SramEnergy SramBuffer::energy() const {
  SramEnergy e;
  e.read = energy_of(stats_.bits_read, read_per_bit_);
  e.write = energy_of(stats_.bits_written, write_per_bit_);
  return e;
}

}  // namespace lrt::device
