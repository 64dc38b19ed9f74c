#pragma once
// The accelerator's controller: per training sample it runs the phases forward, backward,
// LRT, weight update (with the bias update) and drift, and charges each its time and energy.
//
// Division of labour (docs/tlm.md, "accel_top"): the values come from the golden datapath
// (golden::Engine, the arithmetic specification), which the controller drives one sample at
// a time; the weights that datapath uses live in the rram_array targets and reach it through
// TLM-2.0 transactions (tlm_weight_store.h), so wear-out, faults, drift and read effects act
// on it exactly as in the device model. What a phase costs comes from the modules: MAC jobs
// are transactions to the mac_array; RRAM reads and writes are counted by the rram_arrays;
// SRAM traffic is charged at the sram_buffer's energy per bit and latency per word from the
// traffic model in docs/tlm.md. LRT layers are different: their pairs run on the
// rank_reduce_units (unit_rank_reducer.h), whose cycles, operation energy and state words come
// from the RTL unit's cost table (hw/rr_unit_costs.h); the LRT phase lasts the units' cycles
// added up when one unit serves every LRT layer (the default), their maximum with one unit per
// layer (ControllerSpecs::shared_rank_reduce_unit). Then simulated time advances by
// each phase's cycles (temporal decoupling with a quantum of one phase), so that a VCD trace
// shows the phases on a time axis.

#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <cstdint>
#include <systemc>
#include <vector>

#include "device/sram_buffer.h"
#include "golden/training/engine.h"
#include "tlm/ledger.h"
#include "tlm/mac_array.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/rram_array.h"

namespace lrt::tlm {

/// @brief Cost parameters the controller needs besides the modules it reaches.
struct ControllerSpecs {
  RankReduceUnitSpecs rank_reduce;  ///< the rank-reduce unit's cost table and register timing
  /// One rank-reduce unit time-multiplexed over the LRT layers (their pairs serialize) or one
  /// per layer (they run in parallel): accel.rank_reduce.units.
  bool shared_rank_reduce_unit = true;
  uint32_t activation_word_bits = 16;  ///< SRAM word of an activation or gradient code (int16)
  uint32_t lr_bits = 16;               ///< SRAM word of the rank-reduce state (Q_L, Q_R)
};

/// @brief Controller module (see the file comment). `mem` reaches the mac_array through the bus.
class controller : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<controller> mem;

  /// Refuses (std::invalid_argument) what it cannot cost: UORO layers, float rank reduction.
  /// units[j]: trainable layer j's rank-reduce unit, null unless it trains with LRT.
  controller(const sc_core::sc_module_name& name, golden::Engine& engine, std::vector<rram_array*> arrays,
             std::vector<const rank_reduce_unit*> units, const mac_array& macs, const device::SramBuffer& sram,
             const ControllerSpecs& specs, const sc_core::sc_time& clock_period);

  /// @brief Trains one sample and charges its phases to the ledger; advances simulated time
  /// phase by phase (call from sc_main, not from a process: it calls sc_start).
  golden::StepResult train_sample(const uint8_t* image, int label);

  /// The latency the LRT phase's transactions of trainable layer j annotate (the reducer
  /// driving the layer's unit adds to it). One per layer: the layers' weight updates may run
  /// on different threads (Engine::set_thread_pool).
  sc_core::sc_time& lrt_delay(size_t j) { return lrt_delays_.at(j); }

  const Ledger& ledger() const { return ledger_; }
  void set_ledger(const Ledger& l) { ledger_ = l; }
  /// The phase running now (kPhases when idle): for tracing.
  const sc_core::sc_signal<uint32_t>& phase_signal() const { return phase_; }
  const sc_core::sc_signal<uint64_t>& sample_signal() const { return sample_; }

 private:
  void issue_mac(Phase phase, uint64_t macs, uint32_t bw, uint32_t ba, uint32_t bacc, uint64_t zero_operand = 0,
                 bool bit_scalable = false);
  void charge_sram(Phase phase, uint64_t read_bits, uint64_t write_bits);
  void charge_layers();
  void advance_time();
  uint64_t& phase_cycles(Phase p) { return sample_cycles_[static_cast<size_t>(p)]; }

  golden::Engine& engine_;
  std::vector<rram_array*> arrays_;
  std::vector<const rank_reduce_unit*> units_;
  const mac_array& macs_;
  const device::SramBuffer& sram_;
  ControllerSpecs specs_;
  sc_core::sc_time clock_period_;
  Ledger ledger_;
  std::array<uint64_t, kPhases> sample_cycles_{};
  sc_core::sc_signal<uint32_t> phase_;
  sc_core::sc_signal<uint64_t> sample_;
  // Counters at the start of the sample, to charge what the sample did: per trainable layer,
  // and the SRAM's (all of its transactions are the LRT phase's).
  struct LayerCounters {
    device::RramEnergy rram;
    uint64_t rram_write_cycles = 0;
    RankReduceUnitStats unit;  // zero unless the layer has a unit
    uint64_t update_attempts = 0;
  };
  std::vector<LayerCounters> before_;
  device::SramEnergy sram_before_;
  std::vector<golden::LayerShape> shapes_;  // the network's, derived once
  std::vector<sc_core::sc_time> lrt_delays_;  // one per trainable layer, sized once
  ::tlm::tlm_generic_payload mac_trans_;
};

}  // namespace lrt::tlm
