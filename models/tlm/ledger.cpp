#include "tlm/ledger.h"

#include <stdexcept>
#include <string>

namespace lrt::tlm {

const char* to_string(Phase p) {
  switch (p) {
    case Phase::kForward: return "forward";
    case Phase::kBackward: return "backward";
    case Phase::kLrt: return "lrt";
    case Phase::kUpdate: return "update";
    case Phase::kDrift: return "drift";
  }
  return "?";
}

const char* to_string(Component c) {
  switch (c) {
    case Component::kRramRead: return "rram_read";
    case Component::kRramWrite: return "rram_write";
    case Component::kSramRead: return "sram_read";
    case Component::kSramWrite: return "sram_write";
    case Component::kMac: return "mac";
    case Component::kRankReduce: return "rank_reduce";
    case Component::kSramLeakage: return "sram_leakage";
  }
  return "?";
}

void Ledger::add_energy(Phase p, Component c, device::EnergyUnits e, int layer) {
  if (layer < -1) throw std::invalid_argument("ledger: layer " + std::to_string(layer));
  energy_[index(p)][index(c)] += e;
  const auto row = static_cast<size_t>(layer + 1);
  if (by_layer_.size() <= row) by_layer_.resize(row + 1, std::array<device::EnergyUnits, kComponents>{});
  by_layer_[row][index(c)] += e;
}

device::EnergyUnits Ledger::energy(int layer, Component c) const {
  const auto row = static_cast<size_t>(layer + 1);
  return layer < -1 || row >= by_layer_.size() ? 0 : by_layer_[row][index(c)];
}

device::EnergyUnits Ledger::layer_energy(int layer) const {
  device::EnergyUnits s = 0;
  for (int c = 0; c < kComponents; ++c) s += energy(layer, static_cast<Component>(c));
  return s;
}

device::EnergyUnits Ledger::energy(Phase p) const {
  device::EnergyUnits s = 0;
  for (device::EnergyUnits e : energy_[index(p)]) s += e;
  return s;
}

device::EnergyUnits Ledger::energy(Component c) const {
  device::EnergyUnits s = 0;
  for (const auto& row : energy_) s += row[index(c)];
  return s;
}

device::EnergyUnits Ledger::total_energy() const {
  device::EnergyUnits s = 0;
  for (const auto& row : energy_)
    for (device::EnergyUnits e : row) s += e;
  return s;
}

uint64_t Ledger::total_cycles() const {
  uint64_t s = 0;
  for (uint64_t c : cycles_) s += c;
  return s;
}

std::vector<uint64_t> Ledger::to_words() const {
  std::vector<uint64_t> w;
  for (const auto& row : energy_) w.insert(w.end(), row.begin(), row.end());
  w.insert(w.end(), cycles_.begin(), cycles_.end());
  for (const auto& row : by_layer_) w.insert(w.end(), row.begin(), row.end());
  return w;
}

Ledger Ledger::from_words(const std::vector<uint64_t>& words) {
  constexpr size_t kWords = kPhases * kComponents + kPhases;
  if (words.size() < kWords || (words.size() - kWords) % kComponents != 0)
    throw std::invalid_argument("ledger: " + std::to_string(words.size()) + " words, expected " +
                                std::to_string(kWords) + " + " + std::to_string(kComponents) + " per layer");
  Ledger l;
  size_t i = 0;
  for (auto& row : l.energy_)
    for (auto& e : row) e = words[i++];
  for (auto& c : l.cycles_) c = words[i++];
  l.by_layer_.resize((words.size() - kWords) / kComponents);
  for (auto& row : l.by_layer_)
    for (auto& e : row) e = words[i++];
  return l;
}

}  // namespace lrt::tlm
