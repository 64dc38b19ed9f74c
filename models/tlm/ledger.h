#pragma once
// What the TLM engine reports: energy by (phase, component), the same by (layer, component) —
// the payload's CostTag names both — and busy cycles by phase, as integers (energy in 0.1 fJ
// units, device/energy.h) so that every row and column sums to the total exactly. Energy no
// layer caused (the SRAM's leakage over the run) goes to layer -1. The modules write it through
// their payloads' tags, the controller its leakage and cycles; summary.json prints it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "device/energy.h"

namespace lrt::tlm {

/// The phases of one training sample, in the order the controller runs them.
enum class Phase { kForward, kBackward, kLrt, kUpdate, kDrift };
inline constexpr int kPhases = 5;
/// Where energy is spent. kSramLeakage: the SRAM's static power over each phase's stretch of the
/// critical path (it took the slot of a former, never-charged "other": checkpoints keep their layout).
enum class Component { kRramRead, kRramWrite, kSramRead, kSramWrite, kMac, kRankReduce, kSramLeakage };
inline constexpr int kComponents = 7;

/// summary.json names: "forward", ... / "rram_read", ...
const char* to_string(Phase p);
const char* to_string(Component c);

/// @brief Energy by phase and component, cycles by phase.
class Ledger {
 public:
  /// `layer`: the network layer that caused it, -1 for none.
  void add_energy(Phase p, Component c, device::EnergyUnits e, int layer = -1);
  void add_cycles(Phase p, uint64_t n) { cycles_[index(p)] += n; }

  device::EnergyUnits energy(Phase p, Component c) const { return energy_[index(p)][index(c)]; }
  device::EnergyUnits energy(Phase p) const;
  device::EnergyUnits energy(Component c) const;
  device::EnergyUnits total_energy() const;
  /// Energy caused by network layer `layer` (-1: by none), by component and in all.
  device::EnergyUnits energy(int layer, Component c) const;
  device::EnergyUnits layer_energy(int layer) const;
  /// One more than the highest layer charged: layers -1 .. layer_count() - 1 may have energy.
  int layer_count() const { return static_cast<int>(by_layer_.size()) - 1; }
  uint64_t cycles(Phase p) const { return cycles_[index(p)]; }
  uint64_t total_cycles() const;

  /// @brief Every counter in a fixed order (checkpoints): the phase x component matrix, the
  /// cycles, then a row of components per layer from -1 up; and back (std::invalid_argument on
  /// a size that is not that).
  std::vector<uint64_t> to_words() const;
  static Ledger from_words(const std::vector<uint64_t>& words);

 private:
  template <class E>
  static std::size_t index(E e) {
    return static_cast<size_t>(e);
  }
  std::array<std::array<device::EnergyUnits, kComponents>, kPhases> energy_{};
  std::array<uint64_t, kPhases> cycles_{};
  std::vector<std::array<device::EnergyUnits, kComponents>> by_layer_;  // [layer + 1]
};

}  // namespace lrt::tlm
