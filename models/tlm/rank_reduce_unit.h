#pragma once
// TLM-2.0 rank-reduce unit: one rankReduce step per pair (docs/fixed_point_rank_reduce.md)
// behind a control socket, with its state (Q_L, Q_R, c_x) in the SRAM buffer, reached
// through the initiator socket `mem` on every pair so that the SRAM counts every access.
//
// Control (socket `in`, 32-bit little-endian registers, exactly 4-byte aligned accesses):
//   0x00 DZ_ADDR  rw  mem byte address of the n_o int16 dz codes
//   0x04 A_ADDR   rw  mem byte address of the n_i int16 a codes
//   0x08 DZ_EXP   rw  dz block exponent (signed)
//   0x0C A_EXP    rw  a block exponent (signed)
//   0x10 CONTROL  w   1 = STEP (fold the pair described above), 2 = RESET (clear the state)
//   0x14 STATUS   r   last pair: bit 0 zero input, 1 vanished left, 2 vanished right,
//                     3 skipped by kappa, 4 input read error; bits 8..11 kept
//   0x18 PAIRS    r   pairs offered, low 32 bits
//   0x1C SIGN     r   sign word of the last pair
// Responses: TLM_ADDRESS_ERROR_RESPONSE (offset beyond 0x1F or not 4-aligned),
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
// state words the RTL reads and writes are counted (stats) and charged by the controller at the
// SRAM's price. The state moves functionally by debug transport (no time, no energy: the
// table holds both); the pair's dz and a codes are read with timed transactions. The unit never
// waits and needs no quantum keeper: its caller's keeper sees the whole delay.
//
// SRAM traffic per pair and the state layout: docs/tlm.md ("rank_reduce_unit").

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "golden/rank_reduce/rank_reduce.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "device/energy.h"
#include "hw/rr_unit_costs.h"
#include "tlm/rank_reduce_impl.h"

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
    kRegisterBytes = 0x20,
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

  /// @brief `impl` does the arithmetic (its params give the shape); the state lives at byte
  /// `state_addr` of `mem`'s address space, RankReduceStateLayout(params).total_bytes() long,
  /// and must hold the zero state at the start. Throws std::invalid_argument for a null impl,
  /// a zero clock period, a zero register access time or a rank the cost table lacks.
  rank_reduce_unit(const sc_core::sc_module_name& name, const RankReduceUnitSpecs& specs,
                   std::unique_ptr<RankReduceImpl> impl, uint64_t state_addr,
                   const sc_core::sc_time& clock_period);

  /// @brief Bytes of SRAM the state of a unit of this shape needs.
  static uint64_t state_bytes(const golden::RankReduceParams& params) {
    return RankReduceStateLayout(params).total_bytes();
  }

  /// @brief Replaces the state (resuming a run): the implementation takes `s`, and the SRAM
  /// state region gets the matching words by debug transport (free, like a scan load).
  /// Throws lrt::RunError if the region cannot be written. Call after elaboration.
  void load_state(const golden::RankReduceFixedState& s);

  const RankReduceUnitSpecs& specs() const { return specs_; }
  const hw::RrUnitCostTable& costs() const { return *costs_; }
  const RankReduceImpl& impl() const { return *impl_; }
  const RankReduceUnitStats& stats() const { return stats_; }
  const sc_core::sc_time& clock_period() const { return clock_period_; }
  uint64_t state_addr() const { return state_addr_; }

 private:
  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(::tlm::tlm_generic_payload&) { return 0; }
  ::tlm::tlm_response_status write_register(uint32_t offset, uint32_t value, sc_core::sc_time& delay);
  ::tlm::tlm_response_status read_register(uint32_t offset, uint32_t& value) const;
  ::tlm::tlm_response_status step(sc_core::sc_time& delay);
  void reset_state();

  ::tlm::tlm_generic_payload& payload(::tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes);
  ::tlm::tlm_response_status mem_access(::tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes, sc_core::sc_time& delay);
  void charge_pair(const golden::FixedPairTrace& t, sc_core::sc_time& delay);  // the cost table's cycles and energy
  void state_access(::tlm::tlm_command cmd, uint64_t offset, void* data, uint64_t bytes, const char* what);
  void load_metadata(RankReduceState& s);
  void store_metadata(const RankReduceState& s);
  void encode_metadata(const RankReduceState& s, unsigned char* p) const;  // metadata_bytes() at p
  // Columns first .. first + count - 1 of a side (contiguous in the layout) in one burst.
  void read_columns(bool left, uint64_t first, uint64_t count, RankReduceState& into);
  void write_columns(bool left, uint64_t first, uint64_t count, const RankReduceState& s);

  RankReduceUnitSpecs specs_;
  const hw::RrUnitCostTable* costs_;
  std::unique_ptr<RankReduceImpl> impl_;
  RankReduceStateLayout layout_;
  uint64_t state_addr_;
  sc_core::sc_time clock_period_;
  uint32_t dz_addr_ = 0, a_addr_ = 0;
  int32_t dz_exp_ = 0, a_exp_ = 0;
  uint32_t status_ = 0;
  RankReduceState state_;           // words in flight between load and store
  std::vector<int16_t> dz_, a_;     // the pair's input buffers
  std::vector<unsigned char> bytes_;  // bus-format staging
  ::tlm::tlm_generic_payload mem_trans_;
  RankReduceUnitStats stats_;
  uint64_t measured_before_ = 0;  // the implementation's measured cycles at the previous pair
};

}  // namespace lrt::tlm
