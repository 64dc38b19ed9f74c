#pragma once
// TLM-2.0 interconnect: routes each transaction from any initiator bound to `in` to the
// target bound to `out[k]` whose region holds the address, translating the address into
// the target's own space, and adds a fixed bus latency (cycles x clock period). Loosely
// timed: it never waits. With a data width set (set_width_bits), a transaction holds the bus
// for ceil(bytes / width) beats, and one that arrives (now + delay) while another holds it
// waits until the bus is free: contention between initiators that overlap in simulated time.
// The beats themselves overlap the target's own access time (a pipelined bus streams the data
// while the target serves it), so only the wait and the fixed latency add to the delay.
//
// Address map: regions added with map() while the design is built, each a [base, base + size)
// window onto target k starting at the target's address target_offset; regions never overlap
// and a transaction must lie inside one region. The accelerator's map (docs/tlm.md):
//   0x1000_0000 + l * 0x0100_0000  RRAM weights of layer l (16 MiB windows)
//   0x2000_0000                    SRAM: activations, LR state, biases (one window per region)
//   0x3000_0000                    rank-reduce unit registers (0x20 bytes per unit, 0x100 apart)
// Decode failures (no region, or one that ends inside the transaction) answer
// TLM_ADDRESS_ERROR_RESPONSE with no latency and nothing forwarded.
//
// DMI: requests are decoded and forwarded; a granted range is translated back into bus
// addresses, clipped to the region, and the bus latency is added to its read/write latency.
// Invalidations from target k are translated for every region of k they touch and sent to
// every initiator. Debug transport is decoded and forwarded (free).

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <systemc>
#include <tlm>
#include <vector>

#include "tlm/cost_tag.h"
#include "tlm/resource_timeline.h"

namespace lrt::tlm {

/// @brief One window of the address map.
struct BusRegion {
  std::string name;
  uint64_t base = 0;           ///< first bus address
  uint64_t size = 0;           ///< bytes
  unsigned target = 0;         ///< index of the out socket binding (order of binding)
  uint64_t target_offset = 0;  ///< target address of `base`
  uint64_t last() const { return base + (size - 1); }
};

/// @brief Base addresses of the accelerator's map (see the file comment).
inline constexpr uint64_t kBusRramBase = 0x1000'0000;
inline constexpr uint64_t kBusRramLayerStride = 0x0100'0000;
inline constexpr uint64_t kBusSramBase = 0x2000'0000;
inline constexpr uint64_t kBusRankReduceBase = 0x3000'0000;
inline constexpr uint64_t kBusRankReduceStride = 0x100;
inline constexpr uint64_t kBusMacBase = 0x4000'0000;

/// @brief Counters of the bus.
struct BusStats {
  uint64_t transactions = 0;   ///< forwarded b_transport calls
  uint64_t decode_errors = 0;  ///< b_transport calls answered with an address error
  uint64_t dmi_grants = 0;     ///< DMI requests the target granted
  uint64_t invalidations = 0;  ///< translated ranges sent back to the initiators
  /// b_transport calls from a thread other than the one that built the bus (the kernel's):
  /// a socket called from outside the SystemC processes (it must stay 0).
  uint64_t foreign_thread_calls = 0;
  /// b_transport calls on the kernel's thread but outside any process (from sc_main; must stay
  /// 0 in a training run: accel_top checks after every sample).
  uint64_t outside_process_calls = 0;
};

/// @brief Loosely-timed address-decoding router (see the file comment).
class bus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<bus> in;
  tlm_utils::multi_passthrough_initiator_socket<bus> out;

  /// @brief std::invalid_argument for a zero clock period.
  bus(const sc_core::sc_module_name& name, uint32_t latency_cycles, const sc_core::sc_time& clock_period);

  /// @brief Adds a region. Throws std::invalid_argument for an empty name or size, a window
  /// that wraps the 64-bit space or overlaps another region; std::logic_error after
  /// elaboration. A target index without a binding is reported at end of elaboration.
  const BusRegion& map(const std::string& name, uint64_t base, uint64_t size, unsigned target,
                       uint64_t target_offset = 0);
  /// @brief The region holding all of [addr, addr + length), or nullptr.
  const BusRegion* decode(uint64_t addr, uint64_t length) const;

  const std::vector<BusRegion>& regions() const { return regions_; }
  uint32_t latency_cycles() const { return latency_cycles_; }
  /// @brief Data width in bits (0: unlimited, no contention; the default). Call before use.
  void set_width_bits(uint32_t bits) { width_bits_ = bits; }
  uint32_t width_bits() const { return width_bits_; }
  /// Time transactions spent waiting for the bus, in all.
  const sc_core::sc_time& contention() const { return contention_; }
  /// A snapshot. The counters are atomic so that a call from a foreign thread (a bug, counted)
  /// cannot corrupt them.
  BusStats stats() const {
    return {transactions_.load(),  decode_errors_.load(),        dmi_grants_.load(),
            invalidations_.load(), foreign_thread_calls_.load(), outside_process_calls_.load()};
  }

  /// @brief Shows when the bus (with a width) is busy on `s` (a VCD wire; null: none).
  void trace_busy(BusySignal* s) { timeline_.set_trace(s); }
  /// @brief Counts the forwarded transactions on a signal (for traces; off by default: a
  /// signal write per transaction costs time).
  void trace_transactions(bool on) { trace_transactions_ = on; }
  const sc_core::sc_signal<uint64_t, sc_core::SC_MANY_WRITERS>& transactions_signal() const { return transactions_sig_; }

 private:
  void end_of_elaboration() override;
  void b_transport(int id, ::tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, ::tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(int id, ::tlm::tlm_generic_payload& trans, ::tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);

  uint32_t latency_cycles_;
  sc_core::sc_time clock_period_;
  sc_core::sc_time latency_;
  uint32_t width_bits_ = 0;
  ResourceTimeline timeline_;
  sc_core::sc_time contention_ = sc_core::SC_ZERO_TIME;
  std::vector<BusRegion> regions_;
  bool elaborated_ = false;
  std::atomic<uint64_t> transactions_{0};
  std::atomic<uint64_t> foreign_thread_calls_{0};
  std::atomic<uint64_t> outside_process_calls_{0};
  bool trace_transactions_ = false;
  sc_core::sc_signal<uint64_t, sc_core::SC_MANY_WRITERS> transactions_sig_{"transactions", 0};
  std::thread::id kernel_thread_ = std::this_thread::get_id();
  std::atomic<uint64_t> decode_errors_{0};
  std::atomic<uint64_t> dmi_grants_{0};
  std::atomic<uint64_t> invalidations_{0};
};

}  // namespace lrt::tlm
