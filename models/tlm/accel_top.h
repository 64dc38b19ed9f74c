#pragma once
// The accelerator top: one rram_array per trainable layer, the rank_reduce_unit (one shared by
// every LRT layer, a context each, or one per LRT layer: accel.rank_reduce.units), the SRAM buffer, the MAC array and the controller, joined by the bus (address map in bus.h). Elaborating it maps the SRAM
// regions the network and its training schemes need (so a design whose auxiliary memory does
// not fit stops with a SpecError at sram.capacity_bits naming both sizes), and optionally opens
// a VCD trace of the top-level activity. docs/tlm.md, "accel_top".

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "device/rram_specs.h"
#include "device/sram_buffer.h"
#include "golden/training/engine.h"
#include "hw/accel_specs.h"
#include "tlm/bus.h"
#include "tlm/controller.h"
#include "tlm/mac_array.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/resource_timeline.h"
#include "tlm/rram_array.h"
#include "tlm/sram_buffer.h"
#include "tlm/tlm_mac_kernels.h"
#include "tlm/tlm_weight_store.h"
#include "tlm/unit_rank_reducer.h"

namespace lrt::tlm {

/// @brief Everything accel_top needs besides the engine: the hardware of hw/accel_specs.h
/// (clock, bus, MAC array, controller, rank-reduce implementation) and the memories.
struct AccelSpecs : hw::AccelSpecs {
  std::vector<device::RramArraySpecs> rram;  ///< one per trainable layer, in layer order
  uint64_t seed = 0;                         ///< device random streams; array j uses instance = its layer index
  device::SramSpecs sram;
  RankReduceUnitSpecs rank_reduce_unit;  ///< the units' cost table and register timing (SRAM price: sram's)
  std::string vcd_path;  ///< empty: no trace (".vcd" is appended by SystemC)
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
  /// Throws SpecError for bad specs, naming the member of AccelSpecs (sram.capacity_bits when
  /// the SRAM regions do not fit), std::invalid_argument for what the controller cannot cost.
  accel_top(const sc_core::sc_module_name& name, golden::Engine& engine, const AccelSpecs& specs);
  ~accel_top() override;

  /// @brief Finishes elaboration (sc_start of zero time), attaches the RRAM arrays to the
  /// engine's layers as their weight stores (deploy = place the engine's codes, a new run;
  /// else the arrays already hold them, restored from a checkpoint), and hands every LRT
  /// layer's rank reduction to its context of a rank_reduce_unit, which takes over the
  /// reducer's state.
  void attach_weights(bool deploy);
  /// @brief One training sample (controller::train_sample).
  /// Throws std::logic_error if any socket of the bus was called from outside a SystemC process
  /// (another thread, or sc_main) so far: issue 21's rule, checked in every run.
  golden::StepResult train_sample(const uint8_t* image, int label);

  /// @brief Ends the run: one idle clock cycle, so that a trace shows the idle state at the
  /// end of the last sample (VCD writers record a time step once it is complete).
  void finish() { sc_core::sc_start(clock_period_); }
  /// The clock period of accel.clock_mhz.
  const sc_core::sc_time& clock_period() const { return clock_period_; }

  const controller& ctrl() const { return *ctrl_; }
  controller& ctrl() { return *ctrl_; }
  const std::vector<std::unique_ptr<rram_array>>& rram() const { return rram_; }
  std::vector<std::unique_ptr<rram_array>>& rram() { return rram_; }
  const sram_buffer& sram() const { return *sram_; }
  /// Trainable layer j's context on a rank-reduce unit (empty unless it trains with LRT).
  RankReduceContextRef unit(size_t j) const { return {slots_.at(j).unit, slots_.at(j).context}; }
  /// The rank-reduce unit modules: one when shared (or no LRT layer: none), else one per LRT layer.
  const std::vector<std::unique_ptr<rank_reduce_unit>>& units() const { return units_; }
  /// @brief Spreads the modules' host work over `pool` (null or one thread: none): the RRAM
  /// arrays' drift, the MAC array's kernels, and the golden rank-reduce contexts' pairs, which
  /// they compute ahead on their own threads (RankReduceImpl::speculate). Bit-identical.
  void set_thread_pool(ThreadPool* pool);
  const mac_array& mac() const { return *mac_; }
  const bus& interconnect() const { return *bus_; }
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
  std::vector<std::unique_ptr<rank_reduce_unit>> units_;
  struct Slot {
    rank_reduce_unit* unit = nullptr;  // null unless the layer trains with LRT
    size_t context = 0;
    uint64_t registers = 0;    // bus address of its context's register bank
    uint64_t pair_addr = 0;    // bus address of its pair buffer
  };
  std::vector<Slot> slots_;  // per trainable layer
  void build_units(const golden::Engine& engine, const AccelSpecs& specs);
  std::vector<std::unique_ptr<TlmWeightStore>> stores_;
  std::vector<std::unique_ptr<TlmMacKernels>> mac_kernels_;  // one per trainable layer
  std::unique_ptr<TlmMacKernels> bn_kernels_;                 // the batch-norm layers' (null: none)
  std::vector<int> batch_norm_layers() const;
  std::vector<UnitRankReducer*> reducers_;  // per trainable layer, owned by the engine; null if not LRT
  sc_core::sc_time clock_period_;
  uint64_t aux_bits_ = 0;
  sc_core::sc_trace_file* vcd_ = nullptr;
  std::vector<std::unique_ptr<BusySignal>> busy_;  // the modules' busy wires (traced runs only)
};

}  // namespace lrt::tlm
