#pragma once
// TLM-2.0 rank-reduce unit: one rankReduce step per pair (docs/fixed_point_rank_reduce.md)
// behind a control socket, with its state (Q_L, Q_R, c_x) in the SRAM buffer, reached
// through the initiator socket `mem` on every pair so that the SRAM counts every access.
//
// One unit serves one or more *contexts*: an LRT layer's registers, its state region and its
// arithmetic (shape, rank). A unit shared by every LRT layer (accel.rank_reduce.units: shared)
// has one context per layer and one datapath: the contexts' pairs serialize on it. Context c's
// registers sit at c x 0x20 in the `in` window (a register bank per context, decoded by address,
// as a multi-context DMA engine banks its channels), so that no context-select register has to
// be kept consistent between callers.
//
// Control (socket `in`, per context at c x 0x20; 32-bit little-endian registers, exactly
// 4-byte aligned accesses):
//   0x00 DZ_ADDR  rw  mem byte address of the n_o int16 dz codes
//   0x04 A_ADDR   rw  mem byte address of the n_i int16 a codes
//   0x08 DZ_EXP   rw  dz block exponent (signed)
//   0x0C A_EXP    rw  a block exponent (signed)
//   0x10 CONTROL  w   1 = STEP (fold the pair described above), 2 = RESET (clear the state)
//   0x14 STATUS   r   last pair: bit 0 zero input, 1 vanished left, 2 vanished right,
//                     3 skipped by kappa, 4 input read error; bits 8..11 kept
//   0x18 PAIRS    r   pairs offered, low 32 bits
//   0x1C SIGN     r   sign word of the last pair
// Responses: TLM_ADDRESS_ERROR_RESPONSE (offset beyond the last context or not 4-aligned),
// TLM_BURST_ERROR_RESPONSE (length != 4), TLM_BYTE_ENABLE_ERROR_RESPONSE,
// TLM_COMMAND_ERROR_RESPONSE (write to a read-only or read of the write-only register, or an
// unknown CONTROL value), TLM_GENERIC_ERROR_RESPONSE (STEP whose dz or a read failed: nothing
// changed, STATUS bit 4 set). A failing access to the state region is a wiring error and
// throws lrt::RunError. No DMI; transport_dbg is not supported (returns 0).
//
// Timing and energy: one design (docs/rtl.md, "Cost table"). A STEP costs the cycles the RTL
// unit rtl/rr_unit.sv takes for that pair (its state traffic included, at a 64-bit SRAM port
// that takes one request per cycle), and the unit's own operations priced per operation, both
// read from the cost table (configs/rank_reduce_unit.yaml, built in) for the pair's outcome; the
// state words the RTL reads and writes are counted (stats) and charged at the SRAM's price. The state moves functionally by debug transport (no time, no energy: the
// table holds both); the pair's dz and a codes are read with timed transactions. The unit
// annotates the delay when called from outside a process; called from a thread process (the TLM
// engine's learning processes) a STEP blocks: the caller catches up with its local time, waits
// for the datapath, and the pair holds it for its cycles in simulated time (a clocked RTL
// implementation spends them itself). The contexts share one datapath: a STEP that arrives while
// another context's pair is being folded queues behind it (ResourceTimeline). Energy goes to
// the STEP's CostTag (cost_tag.h): the unit's operations, its state words at the SRAM's price,
// and (the tag travels on the unit's own reads) the pair's SRAM reads.
//
// SRAM traffic per pair and the state layout: docs/tlm.md ("rank_reduce_unit").

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "device/energy.h"
#include "golden/rank_reduce/rank_reduce.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "hw/rr_unit_costs.h"
#include "tlm/cost_tag.h"
#include "tlm/rank_reduce_impl.h"
#include "tlm/resource_timeline.h"

namespace lrt::tlm {

/// @brief Where the state lives, relative to the region's base (little endian):
/// Q_L column j at 2 n_o j, Q_R column j at 2 n_o q + 2 n_i j, then the metadata block:
/// q int16 Q_L exponents, q int16 Q_R exponents, q uint32 c_x codes, int16 c_x exponent.
struct RankReduceStateLayout {
  uint64_t n_o = 0, n_i = 0, q = 0;
  explicit RankReduceStateLayout(const golden::RankReduceParams& params);
  uint64_t column_bytes(bool left) const { return 2 * (left ? n_o : n_i); }
  uint64_t column(bool left, uint64_t j) const { return left ? 2 * n_o * j : 2 * n_o * q + 2 * n_i * j; }
  uint64_t metadata() const { return 2 * (n_o + n_i) * q; }
  uint64_t metadata_bytes() const { return 8 * q + 2; }
  uint64_t total_bytes() const { return metadata() + metadata_bytes(); }
};

/// @brief The unit's timing and energy source.
struct RankReduceUnitSpecs {
  /// Cycles, operations and prices per pair; null: hw::builtin_rr_unit_costs().
  const hw::RrUnitCostTable* costs = nullptr;
  uint32_t register_access_cycles = 1;  ///< a control-register access on the `in` socket
  /// The SRAM's price of the 64-bit state words the cost table counts (charged to the STEP's
  /// CostTag; the SRAM that holds the state: accel_top sets them from it).
  device::EnergyUnits sram_read_energy_per_bit = 0;
  device::EnergyUnits sram_write_energy_per_bit = 0;
};

/// @brief Running counters of the unit (the arithmetic's own counters: impl().stats()).
struct RankReduceUnitStats {
  uint64_t steps = 0;           ///< STEP commands that ran (pairs folded or counted)
  uint64_t zero_input = 0;
  uint64_t skipped_kappa = 0;
  uint64_t updated = 0;
  uint64_t resets = 0;
  uint64_t input_errors = 0;    ///< STEP commands refused because dz or a could not be read
  uint64_t busy_cycles = 0;     ///< the RTL's cycles of the pairs (cost table)
  uint64_t register_accesses = 0;
  uint64_t sram_read_words = 0;   ///< 64-bit state words the RTL reads (cost table)
  uint64_t sram_write_words = 0;  ///< and writes
  device::EnergyUnits energy = 0;  ///< the unit's own operations (cost table prices), SRAM words excluded
};

/// @brief One context: the arithmetic of an LRT layer (its params give the shape) and where
/// its state lives (byte `state_addr` of `mem`'s address space, RankReduceStateLayout long,
/// holding the zero state at the start).
struct RankReduceContextSpec {
  std::unique_ptr<RankReduceImpl> impl;
  uint64_t state_addr = 0;
  /// Reset value of DZ_ADDR (A_ADDR: + 2 n_o): the context's pair buffer in the memory map, so
  /// that its driver need not program them (the registers stay writable).
  uint32_t pair_addr = 0;
};

/// @brief Loosely-timed rank-reduce unit (see the file comment).
class rank_reduce_unit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<rank_reduce_unit> in;
  tlm_utils::simple_initiator_socket<rank_reduce_unit> mem;

  enum Register : uint32_t {
    kDzAddr = 0x00,
    kAAddr = 0x04,
    kDzExp = 0x08,
    kAExp = 0x0C,
    kControl = 0x10,
    kStatus = 0x14,
    kPairs = 0x18,
    kSign = 0x1C,
    kRegisterBytes = 0x20,  ///< one context's bank
  };
  enum Command : uint32_t { kStep = 1, kReset = 2 };
  enum StatusBit : uint32_t {
    kStatusZeroInput = 1u << 0,
    kStatusVanishedLeft = 1u << 1,
    kStatusVanishedRight = 1u << 2,
    kStatusSkippedKappa = 1u << 3,
    kStatusInputError = 1u << 4,
    kStatusKeptShift = 8,
  };

  /// @brief A unit with the given contexts (at least one). Throws std::invalid_argument for
  /// no context, a null impl, a zero clock period, a zero register access time or a rank the
  /// cost table lacks.
  rank_reduce_unit(const sc_core::sc_module_name& name, const RankReduceUnitSpecs& specs,
                   std::vector<RankReduceContextSpec> contexts, const sc_core::sc_time& clock_period);
  /// @brief A unit with one context.
  rank_reduce_unit(const sc_core::sc_module_name& name, const RankReduceUnitSpecs& specs,
                   std::unique_ptr<RankReduceImpl> impl, uint64_t state_addr,
                   const sc_core::sc_time& clock_period);

  /// @brief Bytes of SRAM the state of a context of this shape needs.
  static uint64_t state_bytes(const golden::RankReduceParams& params) {
    return RankReduceStateLayout(params).total_bytes();
  }

  /// @brief Replaces context c's state (resuming a run): its implementation takes `s`, and
  /// the SRAM state region gets the matching words by debug transport (free, like a scan
  /// load). Throws lrt::RunError if the region cannot be written. Call after elaboration.
  void load_state(const golden::RankReduceFixedState& s, size_t c = 0);

  size_t contexts() const { return contexts_.size(); }
  /// Bytes of the `in` window: one register bank per context.
  uint64_t register_bytes() const { return kRegisterBytes * contexts_.size(); }
  const RankReduceUnitSpecs& specs() const { return specs_; }
  const hw::RrUnitCostTable& costs() const { return *costs_; }
  const RankReduceImpl& impl(size_t c = 0) const { return *contexts_.at(c)->impl; }
  /// @brief Context c's next pairs, for its implementation to compute ahead (RankReduceImpl::
  /// speculate; a host-side hint: what each STEP then folds, costs and stores is the same).
  void speculate(size_t c, std::vector<SpeculativePair>& pairs) { contexts_.at(c)->impl->speculate(pairs); }
  /// @brief Lets every context's implementation compute announced pairs ahead on its own thread.
  void set_speculative(bool on) {
    for (auto& x : contexts_) x->impl->set_speculative(on);
  }
  /// Context c's counters, and all contexts' added up (the datapath's).
  const RankReduceUnitStats& stats(size_t c = 0) const { return contexts_.at(c)->stats; }
  RankReduceUnitStats total_stats() const;
  /// @brief Every context's counters as words (checkpoints) and back; std::invalid_argument on
  /// a wrong size.
  std::vector<uint64_t> stats_words() const;
  void set_stats_words(const std::vector<uint64_t>& words);
  const sc_core::sc_time& clock_period() const { return clock_period_; }
  uint64_t state_addr(size_t c = 0) const { return contexts_.at(c)->state_addr; }
  /// DZ_ADDR and A_ADDR of context c as they stand (a backdoor look, no transaction).
  std::pair<uint64_t, uint64_t> pair_addresses(size_t c) const {
    return {contexts_.at(c)->dz_addr, contexts_.at(c)->a_addr};
  }

  /// @brief Shows when the datapath is busy on `s` (a VCD wire; null: none).
  void trace_busy(BusySignal* s) { datapath_.set_trace(s); }

 private:
  // Everything a context owns. The staging buffers are per context too: the LRT layers of one
  // sample may step their contexts from different threads (Engine::set_thread_pool).
  struct Context {
    std::unique_ptr<RankReduceImpl> impl;
    RankReduceStateLayout layout;
    uint64_t state_addr = 0;
    uint32_t dz_addr = 0, a_addr = 0;
    int32_t dz_exp = 0, a_exp = 0;
    uint32_t status = 0;
    RankReduceState state;              // words in flight between load and store
    std::vector<int16_t> dz, a;         // the pair's input buffers
    std::vector<unsigned char> bytes;   // bus-format staging
    ::tlm::tlm_generic_payload mem_trans;  // owns tag
    CostTag* tag;                          // the current STEP's, on the unit's own reads
    RankReduceUnitStats stats;
    uint64_t measured_before = 0;  // the implementation's measured cycles at the previous pair
    Context(std::unique_ptr<RankReduceImpl> i, uint64_t addr, uint32_t pair_addr);
  };

  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(::tlm::tlm_generic_payload&) { return 0; }
  ::tlm::tlm_response_status write_register(Context& x, uint32_t offset, uint32_t value, sc_core::sc_time& delay,
                                            const CostTag* tag);
  ::tlm::tlm_response_status read_register(const Context& x, uint32_t offset, uint32_t& value) const;
  ::tlm::tlm_response_status step(Context& x, sc_core::sc_time& delay, const CostTag* tag);
  void reset_state(Context& x);

  ::tlm::tlm_generic_payload& payload(Context& x, ::tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes);
  ::tlm::tlm_response_status mem_access(Context& x, ::tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes,
                                        sc_core::sc_time& delay);
  // The cost table's cycles and energy: annotated, waited (blocking), or checked against what a
  // clocked implementation spent.
  void charge_pair(Context& x, sc_core::sc_time& delay, bool blocking, const sc_core::sc_time& spent);
  void state_access(Context& x, ::tlm::tlm_command cmd, uint64_t offset, void* data, uint64_t bytes, const char* what);
  /// The first `size` bytes of x.bytes (zeroed if asked), grown but never shrunk.
  static unsigned char* staging(Context& x, uint64_t size, bool zero);
  void load_metadata(Context& x);
  void store_metadata(Context& x);
  static void encode_metadata(const Context& x, unsigned char* p);  // metadata_bytes() at p
  // Columns first .. first + count - 1 of a side (contiguous in the layout) in one burst.
  void read_columns(Context& x, bool left, uint64_t first, uint64_t count);
  void write_columns(Context& x, bool left, uint64_t first, uint64_t count);
  // The pair's codes at `addr` (codes.size() of them) by a timed read; false (codes all 0) if
  // the read was refused.
  bool read_codes(Context& x, uint64_t addr, std::vector<int16_t>& codes, sc_core::sc_time& delay);

  RankReduceUnitSpecs specs_;
  const hw::RrUnitCostTable* costs_;
  sc_core::sc_time clock_period_;
  std::vector<std::unique_ptr<Context>> contexts_;  // stable addresses
  ResourceTimeline datapath_;                       // the one datapath the contexts share
};

/// @brief One LRT layer's place on a unit: the unit and the layer's context on it.
struct RankReduceContextRef {
  const rank_reduce_unit* unit = nullptr;  ///< null: the layer does not train with LRT
  size_t context = 0;
  explicit operator bool() const { return unit != nullptr; }
  const RankReduceImpl& impl() const { return unit->impl(context); }
  const RankReduceUnitStats& stats() const { return unit->stats(context); }
};

}  // namespace lrt::tlm
