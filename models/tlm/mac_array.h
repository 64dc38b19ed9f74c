#pragma once
// TLM-2.0 MAC array: N lanes of fixed-point multiply-accumulate that compute the layers' MAC
// jobs on operands in their own memory. A job (MacJob) arrives in the generic payload's data
// at address 0 of socket `in`: a compute job names a kernel (MacKernel), its dimensions and
// where its operands and result lie in the operand memory; the array runs the golden kernel
// (golden/training/kernels.h, the arithmetic specification) on that memory, on its thread pool
// (set_thread_pool: parallel arithmetic inside the module, bit-identical for any pool), and
// counts the MACs and (with zero skipping) the zero gradient operands itself. A count job
// (kernel kCount) only carries a count of MACs, for initiators that model their own arithmetic;
// the controller's layers send compute jobs only (every MAC the array charges, it computed).
// b_transport adds the job's busy time (cycles x clock period) to the delay and never waits;
// a job that arrives (now + delay) while an earlier one still runs queues behind it
// (ResourceTimeline), and its energy goes to the payload's CostTag (cost_tag.h).
//
// Cost model (sources and derivation: docs/tlm.md, "mac_array"):
//   cycles = ceil(macs / lanes) + pipeline_fill_cycles   (0 for an empty job)
//   energy per MAC = full_adder_energy x (B_w B_a + B_acc): an array multiplier has about
//   B_w B_a full adders, the accumulator adder B_acc; one full-adder energy of 3.125 fJ
//   reproduces Horowitz's 45 nm 8 b multiply (0.2 pJ) and 32 b add (0.1 pJ) exactly.
//   MACs with a zero operand are clock-gated: they cost no energy but keep their lane slot;
//   with MacArraySpecs::zero_skip they are skipped: no energy and no cycles.
//
// Address map: [0, sizeof(MacJob)) the job register (write only); [kMacMemoryOffset,
// kMacMemoryOffset + memory_bytes) the operand memory (read/write, DMI granted read/write,
// debug transport). Operand-memory accesses take no time and charge nothing: they stand for
// the operand fetches the initiator already paid for at the SRAM and RRAM.
// Responses: TLM_ADDRESS_ERROR_RESPONSE (elsewhere), TLM_BURST_ERROR_RESPONSE (a job of
// another length, streaming), TLM_BYTE_ENABLE_ERROR_RESPONSE, TLM_COMMAND_ERROR_RESPONSE (a
// job read), TLM_GENERIC_ERROR_RESPONSE (a job outside the model: widths, gated > macs,
// operands outside the memory); an error charges nothing and computes nothing.

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <systemc>
#include <tlm>
#include <tuple>
#include <vector>

#include "core/thread_pool.h"
#include "device/energy.h"
#include "golden/training/kernels.h"
#include "hw/accel_specs.h"
#include "tlm/cost_tag.h"
#include "tlm/resource_timeline.h"

namespace lrt::tlm {

/// Width of the MAC accumulators (docs/golden_engine.md "Widths").
inline constexpr uint32_t kMacAccumulatorBits = 32;
/// Byte offset of the operand memory in the array's address space.
inline constexpr uint64_t kMacMemoryOffset = 0x1000;

/// @brief What a job computes. The operands are int16 codes, the result int32 sums (int64 for
/// kGemmNtWide), at byte offsets a, b, c of the operand memory (each aligned to its element).
enum class MacKernel : uint32_t {
  kCount = 0,   ///< nothing: a count of MACs (macs, zero_operand as given)
  kGemmNt = 1,  ///< C[m][n] = sum_k A[m][k] B[n][k] (forward; fc input gradient with m = 1)
  kConvBackwardData =
      2,                ///< 3x3 conv input gradient: A = dz (pixels x n), B = W^T (9 c x n), C the input map
  kWeightGradient = 3,  ///< C[n][k] = sum_p A[p][n] B[p][k] over m pairs (A = dz, B = a)
  kColumnSum = 4,       ///< C[n] = sum_p A[p][n] over m rows, no B (a bias gradient: MACs by 1)
  kGemmNtWide = 5,      ///< kGemmNt into int64 sums (an LRT update's L R^T over full-range codes)
  kBnNormalize = 6,     ///< batch norm forward, element-wise (golden::bn_normalize; layout: bn_offsets)
  kBnBackward = 7,      ///< batch norm backward (golden::bn_backward; layout: bn_offsets)
  kVectorMatrix = 8,    ///< C[n] = sum_k A[k] B[k][n], m = 1 (an fc forward on the weights in cell order)
};

/// @brief One job for the MAC array: the payload's data (trivially copyable).
struct MacJob {
  uint64_t macs = 0;          ///< multiply-accumulates (a compute job: 0, the array counts them)
  uint64_t zero_operand = 0;  ///< of those, how many have a zero operand (gated; a compute job: 0)
  uint32_t weight_bits = 8;       ///< B_w, 1..32
  uint32_t activation_bits = 8;   ///< B_a, 1..32
  uint32_t accumulator_bits = 24; ///< B_acc, 1..64
  /// 1: a precision-scalable (bit-fusion) job: each 8 x 8 b lane retires 64 / (B_w B_a)
  /// products per cycle, cycles = ceil(n B_w B_a / (64 lanes)) + fill (B_w, B_a <= 8; PFQ)
  uint32_t bit_scalable = 0;
  uint32_t kernel = 0;  ///< MacKernel
  /// Compute jobs: kGemmNt and kGemmNtWide m x n x k; kVectorMatrix 1 x n x k; kWeightGradient m pairs, n
  /// outputs, k inputs; kColumnSum m rows of n (k unused, 0); kConvBackwardData n output channels of a conv
  /// whose input map is in_h x in_w x in_c; kBnNormalize and kBnBackward the map (m, n, k 0).
  int32_t m = 0, n = 0, k = 0;
  int32_t in_h = 0, in_w = 0, in_c = 0;
  /// Batch norm: kBnNormalize shifts x by `shift` and quantizes with (frac, lo, hi) as
  /// ShiftQuantizer (shift, lo, hi); kBnBackward: the parameters' fractional bits `frac`, the
  /// EMA's `batch`, `through_stats`, and dx's code range [lo, hi].
  int32_t shift = 0, frac = 0;
  int64_t lo = 0, hi = 0;
  int64_t batch = 0;
  uint32_t through_stats = 0;
  /// A gradient job (kConvBackwardData, kWeightGradient, kColumnSum: A; kGemmNt with m = 1 and
  /// gradient_a = 1: A) counts A's zero entries x the MACs each feeds as zero operands under
  /// zero skipping.
  uint32_t gradient_a = 0;
  uint64_t a = 0, b = 0, c = 0;  ///< operand-memory byte offsets of A, B (int16) and C
};

/// @brief Bytes of A, B and C a compute job reads and writes (0 for kCount), and the alignment
/// each needs (A: int16 codes).
struct MacOperands {
  uint64_t a_bytes = 0, b_bytes = 0, c_bytes = 0;
  unsigned b_align = 2, c_align = 4;
};
MacOperands mac_operands(const MacJob& job);

/// @brief Where a batch-norm job's pieces lie, in bytes from the start of their region.
/// kBnNormalize: A = x (int16), B = the channels' golden::BnNormalizeChannel, C = xhat (int32) |
/// y (int16) | clip flags (uint8). kBnBackward: A = dy (int16), B = the channels'
/// golden::BnBackwardChannel | xhat | clip flags, C = dgamma (int64) | dbeta (int64) | dx (int16).
struct BnOffsets {
  uint64_t elements = 0, channels = 0;
  uint64_t b_xhat = 0, b_clipped = 0;                // kBnBackward
  uint64_t c_y = 0, c_clipped = 0;                   // kBnNormalize (xhat at 0)
  uint64_t c_dbeta = 0, c_dx = 0;                    // kBnBackward (dgamma at 0)
};
BnOffsets bn_offsets(const MacJob& job);

/// @brief Operand widths of a MAC: the key of the energy table.
struct MacWidths {
  uint32_t weight_bits = 0, activation_bits = 0, accumulator_bits = 0;
  bool operator<(const MacWidths& o) const {
    return std::tie(weight_bits, activation_bits, accumulator_bits) <
           std::tie(o.weight_bits, o.activation_bits, o.accumulator_bits);
  }
};

/// @brief Size and technology of the array; validate() throws SpecError naming the member.
using MacArraySpecs = hw::MacArraySpecs;

/// @brief What one job costs.
struct MacJobCost {
  uint64_t cycles = 0;
  uint64_t active_macs = 0;                ///< macs - zero_operand
  device::EnergyUnits energy_per_mac = 0;  ///< at the job's widths
  device::EnergyUnits energy = 0;          ///< active_macs x energy_per_mac
};

/// @brief Running counters; energy is derived from them (mac_array::energy()).
struct MacArrayStats {
  uint64_t jobs = 0;
  uint64_t macs = 0;
  uint64_t gated_macs = 0;  ///< zero-operand MACs: clock-gated, or skipped with zero_skip
  uint64_t busy_cycles = 0;
  std::map<MacWidths, uint64_t> active_macs;  ///< by operand widths
};

/// @brief Loosely-timed MAC array target (see the file comment).
class mac_array : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<mac_array> in;

  /// @brief Validates specs (SpecError); std::invalid_argument for a zero period.
  /// memory_bytes: the operand memory (0: count jobs only).
  mac_array(const sc_core::sc_module_name& name, const MacArraySpecs& specs, const sc_core::sc_time& clock_period,
            uint64_t memory_bytes = 0);

  /// @brief Splits the kernels over `pool` (null: the simulation thread); bit-identical.
  void set_thread_pool(ThreadPool* pool) { pool_ = pool; }
  uint64_t memory_bytes() const { return memory_.size(); }
  /// @brief Bytes of the address space: the job register and the operand memory.
  uint64_t address_bytes() const { return memory_.empty() ? sizeof(MacJob) : kMacMemoryOffset + memory_.size(); }
  /// @brief Operand-memory bytes of A, B, C back to back, each 8-byte aligned; and the byte
  /// offsets of B and C in that layout (A at 0).
  static uint64_t footprint(const MacOperands& o);
  static uint64_t offset_of_b(const MacOperands& o);
  static uint64_t offset_of_c(const MacOperands& o);
  /// @brief The cost model, without side effects. Throws std::invalid_argument for a job
  /// outside the model (check_job).
  MacJobCost cost(const MacJob& job) const;
  /// @brief Energy of one MAC at these widths (full adders x full_adder_energy, rounded once).
  device::EnergyUnits energy_per_mac(const MacWidths& w) const;
  /// @brief Empty if the job is inside the model, else what is wrong (a compute job: also
  /// its operands inside memory_bytes).
  static const char* check_job(const MacJob& job, uint64_t memory_bytes = 0);

  const MacArraySpecs& specs() const { return specs_; }
  const MacArrayStats& stats() const { return stats_; }
  /// @brief The counters as words (checkpoints: jobs, macs, gated, busy, then per width
  /// B_w, B_a, B_acc, count) and back; std::invalid_argument on a malformed list.
  std::vector<uint64_t> stats_words() const;
  void set_stats_words(const std::vector<uint64_t>& words);
  /// @brief Sum over widths of active MACs x energy per MAC.
  device::EnergyUnits energy() const;
  const sc_core::sc_time& clock_period() const { return clock_period_; }

  /// @brief Shows when the array is busy on `s` (a VCD wire; null: none).
  void trace_busy(BusySignal* s) { timeline_.set_trace(s); }

 private:
  void b_transport(::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(::tlm::tlm_generic_payload& trans, ::tlm::tlm_dmi& dmi);
  unsigned int transport_dbg(::tlm::tlm_generic_payload& trans);
  // Whether [address, + length) lies in the operand memory (no streaming, no byte enables).
  bool in_memory(const ::tlm::tlm_generic_payload& trans) const;
  // Reads or writes the operand memory a payload that in_memory() accepted names.
  void access_memory(::tlm::tlm_generic_payload& trans);
  // Runs a compute job on the memory and fills in its macs and zero_operand.
  void compute(MacJob& job);

  MacArraySpecs specs_;
  sc_core::sc_time clock_period_;
  MacArrayStats stats_;
  ResourceTimeline timeline_;
  std::vector<unsigned char> memory_;
  ThreadPool* pool_ = nullptr;
  std::vector<int> channels_;                  // kVectorMatrix's non-zero inputs (grown, then reused)
  golden::kern::ConvBackwardScratch scratch_;  // grown to the largest job
};

}  // namespace lrt::tlm
