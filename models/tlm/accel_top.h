#pragma once
// The accelerator top: one rram_array per trainable layer, one rank_reduce_unit per LRT layer,
// the SRAM buffer, the MAC array and the controller, joined by the bus (address map in bus.h). Elaborating it maps the SRAM
// regions the network and its training schemes need (so a design whose auxiliary memory does
// not fit stops with an InputError naming both sizes), and optionally opens a VCD trace of
// the top-level activity. docs/tlm.md, "accel_top".

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "device/rram_specs.h"
#include "device/sram_buffer.h"
#include "golden/training/engine.h"
#include "tlm/bus.h"
#include "tlm/controller.h"
#include "tlm/mac_array.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/rram_array.h"
#include "tlm/sram_buffer.h"
#include "tlm/tlm_weight_store.h"
#include "tlm/unit_rank_reducer.h"

namespace lrt::tlm {

/// @brief Everything accel_top needs besides the engine.
struct AccelSpecs {
  std::vector<device::RramArraySpecs> rram;  ///< one per trainable layer, in layer order
  uint64_t seed = 0;                         ///< device random streams; array j uses instance = its layer index
  device::SramSpecs sram;
  MacArraySpecs mac;
  ControllerSpecs controller;
  sc_core::sc_time clock_period{10, sc_core::SC_NS};
  std::string vcd_path;  ///< empty: no trace (".vcd" is appended by SystemC)
  RankReduceImplKind rank_reduce_impl = RankReduceImplKind::kGolden;  ///< per unit: C++ model or RTL
};

/// @brief The SRAM regions the engine's network and schemes need, as (name, bits): activations
/// kept for backward, the gradient double buffer, biases, batch-norm parameters, and per
/// trainable layer its training state (LRT: Q_L, Q_R, exponents, c_x, the pair; naive batch:
/// the full accumulator). aux marks the training-state regions (memory.aux_bits).
struct SramRegionSpec {
  std::string name;
  uint64_t bits = 0;
  bool aux = false;
};
std::vector<SramRegionSpec> sram_regions(const golden::Engine& engine, const ControllerSpecs& specs);

/// @brief The accelerator (see the file comment).
class accel_top : public sc_core::sc_module {
 public:
  /// Throws lrt::InputError when the SRAM regions do not fit, device::SpecError for bad specs,
  /// std::invalid_argument for what the controller cannot cost.
  accel_top(const sc_core::sc_module_name& name, golden::Engine& engine, const AccelSpecs& specs);
  ~accel_top() override;

  /// @brief Finishes elaboration (sc_start of zero time), attaches the RRAM arrays to the
  /// engine's layers as their weight stores (deploy = place the engine's codes, a new run;
  /// else the arrays already hold them, restored from a checkpoint), and hands every LRT
  /// layer's rank reduction to its rank_reduce_unit, which takes over the reducer's state.
  void attach_weights(bool deploy);
  /// @brief One training sample (controller::train_sample).
  golden::StepResult train_sample(const uint8_t* image, int label) { return ctrl_->train_sample(image, label); }

  /// @brief Ends the run: one idle clock cycle, so that a trace shows the idle state at the
  /// end of the last sample (VCD writers record a time step once it is complete).
  void finish() { sc_core::sc_start(clock_period_); }

  const controller& ctrl() const { return *ctrl_; }
  controller& ctrl() { return *ctrl_; }
  const std::vector<std::unique_ptr<rram_array>>& rram() const { return rram_; }
  std::vector<std::unique_ptr<rram_array>>& rram() { return rram_; }
  const sram_buffer& sram() const { return *sram_; }
  /// The rank-reduce unit of trainable layer j (null unless it trains with LRT).
  const rank_reduce_unit* unit(size_t j) const { return units_.at(j).get(); }
  const mac_array& mac() const { return *mac_; }
  mac_array& mac() { return *mac_; }
  /// Bits of the regions marked aux (training state) and of all regions.
  uint64_t aux_bits() const { return aux_bits_; }
  uint64_t sram_mapped_bits() const;

 private:
  golden::Engine& engine_;
  std::unique_ptr<bus> bus_;
  std::vector<std::unique_ptr<rram_array>> rram_;
  std::unique_ptr<sram_buffer> sram_;
  std::unique_ptr<mac_array> mac_;
  std::unique_ptr<controller> ctrl_;
  std::vector<std::unique_ptr<rank_reduce_unit>> units_;  // per trainable layer, null if not LRT
  std::vector<uint64_t> pair_addr_;                        // bus address of each unit's pair buffer
  std::vector<std::unique_ptr<TlmWeightStore>> stores_;
  std::vector<sc_core::sc_time> store_delays_;  // sized before the stores take references
  sc_core::sc_time clock_period_;
  uint64_t aux_bits_ = 0;
  sc_core::sc_trace_file* vcd_ = nullptr;
};

}  // namespace lrt::tlm
