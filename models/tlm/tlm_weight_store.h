#pragma once
// A layer's weight store (core/weight_store.h) reached through TLM-2.0: the TLM engine's
// datapath keeps its weights in a tlm::rram_array behind the bus. Writes are write bursts
// over runs of consecutive changed words, reads with read effects one read burst over the
// array, deployment debug transport (free, like loading a model over JTAG), and peeks (what a
// cell holds after a write or a drift event) a backdoor read of the target's device model. Every
// b_transport's latency goes to the caller's `delay` (its process's local time offset); the
// payload carries the store's CostTag, whose phase the sequencer sets (forward / backward reads,
// update writes), so the array charges what it spends there.
//
// The device calls this makes are exactly those of device::RramWeightStore for the same
// requests (a write burst writes its words in address order; a read burst reads them in
// address order), which is what makes the golden and the TLM engine agree bit for bit.
// Reads without read effects go through DMI (the datapath streams the weights it holds a
// copy of): their count is reported to the array, their energy charged to the tag and their
// time (the array's read latency per word, the initiator's duty under DMI) added to `delay`.

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "core/weight_store.h"
#include "tlm/cost_tag.h"
#include "tlm/read_deviations.h"
#include "tlm/rram_array.h"

namespace lrt::tlm {

/// @brief WeightStore of one layer on a tlm::rram_array mapped at `base` on the bus that
/// `port` reaches. `delay` accumulates the annotated latency of every transport (the
/// caller's quantum).
class TlmWeightStore final : public WeightStore {
 public:
  TlmWeightStore(::tlm::tlm_fw_transport_if<>& port, uint64_t base, rram_array& array, sc_core::sc_time& delay);

  uint64_t words() const override { return array_.array().words(); }
  void deploy(int32_t* codes) override;
  int32_t peek(int64_t word) const override;
  void write(const std::vector<int64_t>& cells, int32_t* codes) override;
  bool read_effects() const override { return !array_.dmi_allowed(); }
  void read_all(int32_t* codes) override;
  /// One read burst over the array carrying a ReadDeviations request (read_deviations.h).
  bool read_deviations(std::vector<WordCode>& out) override;
  void account_reads(uint64_t n) override;
  bool end_sample(std::vector<int64_t>& changed) override;
  void peek_all(int32_t* codes) const override;
  /// The tag every transaction of this store carries (its phase is the sequencer's to set).
  CostTag& tag() { return *tag_; }

 private:
  // One transport of `words` words at word `first`; throws lrt::RunError on an error response.
  void transport(::tlm::tlm_command cmd, uint64_t first, uint64_t words, bool debug) const;
  void encode(const int32_t* codes, uint64_t words) const;
  void decode(int32_t* codes, uint64_t words) const;

  ::tlm::tlm_fw_transport_if<>& port_;
  uint64_t base_;
  rram_array& array_;
  sc_core::sc_time& delay_;
  unsigned word_bytes_;
  mutable std::vector<unsigned char> buffer_;
  mutable ::tlm::tlm_generic_payload trans_;  // owns tag_ (a payload frees its extensions)
  CostTag* tag_;
  ReadDeviations deviations_;  // set on trans_ for one read only (the payload does not own it)
  std::vector<uint64_t> changed_;
};

}  // namespace lrt::tlm
