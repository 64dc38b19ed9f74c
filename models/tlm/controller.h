#pragma once
// The accelerator's controller: a SystemC process that sequences each training sample through
// the modules with b_transport calls, so that simulated time is what the modules annotate and
// the concurrency the hardware has.
//
// Division of labour (docs/tlm.md, "accel_top"): the values come from the golden datapath
// (golden::Engine, the arithmetic specification), which the controller runs one op at a time
// (Engine::forward_op, backward_op, learn_layer); the weights live in the rram_array targets
// and reach the datapath through transactions (tlm_weight_store.h), the LRT pairs run on the
// rank-reduce unit (unit_rank_reducer.h), and the layers' GEMMs (forward, input and weight
// gradients) are computed by the mac_array on operands moved into its memory
// (tlm_mac_kernels.h). What each step costs comes from the targets it touches: the MAC jobs
// (GEMMs and batch norm's element-wise work, inside the ops), and after each op the activation /
// gradient traffic to the sram_buffer (the maps' real codes); every target
// annotates its latency and charges its energy to the payload's CostTag (phase, layer). Time:
// a tlm_quantumkeeper per process (global quantum: ControllerSpecs::quantum_cycles).
//
// Concurrency: a trainable layer's weight learning (its LRT pairs on the rank-reduce unit,
// the update's MACs and RRAM writes) runs in its own process, started as soon as the layer's
// backward op returned, while the controller goes on with the backward pass below it; a sample
// ends when every learning process has finished (the next forward reads the new weights).
// Shared resources serialize (ResourceTimeline): one rank-reduce unit for every LRT layer, the
// MAC array, each RRAM array, the bus when it has a width. A phase's cycles are its stretch of
// the sample's critical path: forward and backward the controller's, lrt from the end of the
// backward pass to the last pair folded, update from there to the last learning process's end;
// the phases add up to the sample's simulated time.
//
// train_sample() is called from sc_main (not from a process): it hands the sample to the
// process, runs the kernel until the process pauses it at the sample's end (sc_pause), and
// rethrows what the process threw.

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <array>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "device/sram_buffer.h"
#include "golden/training/engine.h"
#include "hw/accel_specs.h"
#include "tlm/cost_tag.h"
#include "tlm/ledger.h"
#include "tlm/mac_array.h"
#include "tlm/rank_reduce_unit.h"
#include "tlm/rram_array.h"

namespace lrt::tlm {

class TlmMacKernels;
class TlmWeightStore;
class UnitRankReducer;

/// @brief Cost parameters the controller needs besides the modules it reaches.
using ControllerSpecs = hw::ControllerSpecs;

/// @brief Controller module (see the file comment). `mem` reaches every target through the bus.
class controller : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<controller> mem;

  /// Refuses (std::invalid_argument) what it cannot cost: UORO layers, float rank reduction;
  /// SpecError for specs out of range.
  /// units[j]: trainable layer j's context on a rank-reduce unit, empty unless it trains with
  /// LRT. The SRAM and the MAC array sit at the bus addresses of bus.h.
  controller(const sc_core::sc_module_name& name, golden::Engine& engine, std::vector<rram_array*> arrays,
             std::vector<RankReduceContextRef> units, const device::SramBuffer& sram,
             const ControllerSpecs& specs, const sc_core::sc_time& clock_period);

  /// @brief The layers' weight stores, (LRT layers; else null) rank reducers and MAC kernels,
  /// one per trainable layer, that the engine now uses: the controller sets their CostTags.
  /// Call after Engine::attach_weight_stores, install_rank_reducer and install_mac_kernels.
  void attach(const std::vector<TlmWeightStore*>& stores, const std::vector<UnitRankReducer*>& reducers,
              const std::vector<TlmMacKernels*>& kernels, TlmMacKernels* bn_kernels = nullptr);

  /// @brief Trains one sample (see the file comment). Call from sc_main, not from a process.
  golden::StepResult train_sample(const uint8_t* image, int label);

  /// The time offset trainable layer j's store and reducer annotate (the calling process's
  /// local time while it runs that layer's work). Referenced by them: sized once.
  sc_core::sc_time& layer_time(size_t j) { return layer_time_.at(j); }
  /// The same for the op of a layer that does not train (batch norm's MAC jobs annotate it).
  sc_core::sc_time& op_time() { return op_time_; }

  const Ledger& ledger() const { return ledger_; }
  void set_ledger(const Ledger& l) { ledger_ = l; }
  /// The phase running now (kPhases when idle): for tracing.
  const sc_core::sc_signal<uint32_t>& phase_signal() const { return phase_; }
  const sc_core::sc_signal<uint64_t>& sample_signal() const { return sample_; }
  /// The network layer the controller works on (-1: none), and how many layers are learning.
  const sc_core::sc_signal<int32_t>& layer_signal() const { return layer_; }
  const sc_core::sc_signal<uint32_t>& learning_signal() const { return learning_; }
  /// The ledger's energy so far, µJ (updated at every phase change).
  const sc_core::sc_signal<double>& energy_signal() const { return energy_uj_; }

 private:
  // One initiator context: a process's payload with its tag and scratch data.
  struct Port {
    ::tlm::tlm_generic_payload trans;  // owns tag
    CostTag* tag;
    std::vector<unsigned char> data;
    Port();
  };

  void run();                      // the controller process
  void learn(size_t j);            // trainable layer j's learning process
  golden::StepResult sequence(const uint8_t* image, int label);
  void forward_costs(int layer, sc_core::sc_time& t);
  void backward_costs(int layer, sc_core::sc_time& t);
  void learn_costs(size_t j, uint64_t attempts, sc_core::sc_time& t);
  void transport(Port& p, Phase phase, int layer, ::tlm::tlm_command cmd, uint64_t addr, uint64_t bytes,
                 sc_core::sc_time& t);
  void sram_read(Port& p, Phase phase, int layer, uint64_t addr, uint64_t bits, sc_core::sc_time& t);
  void sram_write_codes(Port& p, Phase phase, int layer, uint64_t addr, const std::vector<int16_t>& codes,
                        sc_core::sc_time& t);
  void set_phase(Phase p, int layer);
  uint64_t cycles(const sc_core::sc_time& t) const;
  uint64_t sram_address(const std::string& region) const;

  golden::Engine& engine_;
  std::vector<rram_array*> arrays_;
  std::vector<RankReduceContextRef> units_;
  const device::SramBuffer& sram_;
  ControllerSpecs specs_;
  sc_core::sc_time clock_period_;
  Ledger ledger_;
  std::vector<golden::LayerShape> shapes_;  // the network's, derived once
  std::vector<int> trainable_index_;        // network layer -> trainable index, -1
  std::vector<uint64_t> act_offset_;        // bus address of each network layer's input map
  uint64_t grad_addr_ = 0;
  std::vector<uint64_t> state_addr_;        // network layer -> bus address of its lrt./batch. region
  std::vector<TlmWeightStore*> stores_;
  std::vector<sc_core::sc_time> layer_time_;
  sc_core::sc_time op_time_;
  TlmMacKernels* bn_kernels_ = nullptr;

  // The controller process and the sample it works on.
  tlm_utils::tlm_quantumkeeper qk_;
  Port port_;
  sc_core::sc_event start_;
  const uint8_t* image_ = nullptr;
  int label_ = 0;
  golden::StepResult result_;
  bool done_ = false;
  std::exception_ptr error_;

  // The learning processes, one per trainable layer.
  struct Learner {
    sc_core::sc_event start, folded_event, done_event;
    bool busy = false;    // started and not finished
    bool folded = true;   // its pairs of this sample are folded (or it has none)
    std::exception_ptr error;
    std::unique_ptr<Port> port;
  };
  std::vector<std::unique_ptr<Learner>> learners_;

  sc_core::sc_signal<uint32_t> phase_;
  sc_core::sc_signal<uint64_t> sample_;
  sc_core::sc_signal<int32_t> layer_;
  sc_core::sc_signal<uint32_t> learning_;
  sc_core::sc_signal<double> energy_uj_;
};

}  // namespace lrt::tlm
