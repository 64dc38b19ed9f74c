#pragma once
// The accelerator's hardware besides its memories, as plain structs without SystemC: the MAC
// array, the bus, the controller and the choice of rank-reduce units. The TLM modules
// (models/tlm) take them as their specs and config::Specs holds them, so each accel.* key points
// at the member a module reads (config/schema.cpp). Defaults are the accel.* keys' defaults,
// whose sources docs/configuration.md cites (a test keeps the two equal). validate() throws
// lrt::SpecError naming the member, relative to the struct it checks.

#include <cstdint>

namespace lrt::hw {

/// @brief What computes a rank-reduce unit's steps: the golden C++ model or the Verilated RTL
/// (docs/rtl.md); both are bit-exact.
enum class RankReduceImplKind { kGolden, kRtl };

/// @brief One rank-reduce unit time-multiplexed over every LRT layer, or one unit per layer.
enum class RankReduceUnits { kShared, kPerLayer };

/// @brief Size and technology of the MAC array (cost model: tlm/mac_array.h, docs/tlm.md).
struct MacArraySpecs {
  uint32_t lanes = 16;  ///< assumption: the papers give no datapath width; a small edge datapath
  uint32_t pipeline_fill_cycles = 3;  ///< multiplier + adder tree + accumulator stages
  /// Horowitz, ISSCC 2014 (45 nm): an 8 b multiply (0.2 pJ) is 64 full adders (docs/tlm.md).
  double full_adder_energy_pj = 0.003125;
  /// Zero skipping (docs/precision.md): a scheduler issues only the MACs without a zero
  /// operand, so cycles = ceil(active / lanes) + fill; off: zero operands are clock-gated
  /// (no energy) but keep their lane slot.
  bool zero_skip = false;
};

/// @brief The interconnect (tlm/bus.h). The papers describe none: the defaults are direct ports.
struct BusSpecs {
  uint32_t width_bits = 0;      ///< 0: unlimited (no contention)
  uint32_t latency_cycles = 0;  ///< added to every transaction
};

/// @brief What the controller (tlm/controller.h) needs besides the modules it reaches.
struct ControllerSpecs {
  /// One rank-reduce unit time-multiplexed over the LRT layers (their pairs serialize) or one
  /// per layer (they run in parallel).
  RankReduceUnits rank_reduce_units = RankReduceUnits::kShared;
  uint32_t activation_word_bits = 16;  ///< SRAM word of an activation or gradient code (int16)
  uint32_t lr_bits = 16;               ///< SRAM word of the rank-reduce state (LRT paper, App. C: 16-bit L/R)
  /// The processes' global quantum (tlm_quantumkeeper), clock cycles: how far a process may
  /// run ahead of the kernel before it synchronizes. The controller also synchronizes before it
  /// starts a learning process and at the end of each sample.
  uint64_t quantum_cycles = 1000;
};

/// @brief The accelerator's hardware besides its memories (tlm::AccelSpecs adds those).
struct AccelSpecs {
  double clock_mhz = 100.0;  ///< assumption: the papers give no clock; only converts cycles to time
  BusSpecs bus;
  MacArraySpecs mac;
  ControllerSpecs controller;
  RankReduceImplKind rank_reduce_impl = RankReduceImplKind::kGolden;
};

/// @brief Each throws SpecError naming the first member out of range (AccelSpecs: "mac.lanes",
/// "controller.quantum_cycles", ...).
void validate(const MacArraySpecs& specs);
void validate(const BusSpecs& specs);
void validate(const ControllerSpecs& specs);
void validate(const AccelSpecs& specs);

}  // namespace lrt::hw
