#pragma once
// Where a layer's weight codes live when a memory model holds them. The golden engine computes
// with its own copy of the codes; a WeightStore attached to a layer decides what is actually
// stored (a stuck or worn-out cell keeps its level), what a read returns (read noise,
// conductance drift) and how stored codes change between samples (weight drift). Two
// implementations exist: device::RramWeightStore calls a device::RramArray directly (the golden
// engine), tlm::TlmWeightStore reaches a tlm::rram_array through TLM-2.0 transactions (the TLM
// engine). Both end in the same device calls in the same order, which is why the two engines
// agree bit for bit (docs/tlm.md, "Equivalence").
//
// Cells are indexed like the layer's column-major code matrix (cell k * n_out + o); cell i is
// word i of the store.

#include <cstdint>
#include <vector>

#include "core/word_code.h"

namespace lrt {

/// @brief Storage of one layer's weight codes (see the file comment).
class WeightStore {
 public:
  virtual ~WeightStore() = default;

  /// Words held; the layer's cell count must equal it.
  virtual uint64_t words() const = 0;
  /// @brief Places every code without write cost or counters (deploying a trained model):
  /// codes[i] goes to word i; afterwards codes[i] is what word i holds.
  virtual void deploy(int32_t* codes) = 0;
  /// @brief The code word `word` holds, without read effects, cost or counters.
  virtual int32_t peek(int64_t word) const = 0;
  /// @brief Writes codes[c] into word c for each c of `cells` (ascending, no repeats), with
  /// write-verify, energy and counters; afterwards codes[c] is what word c holds.
  virtual void write(const std::vector<int64_t>& cells, int32_t* codes) = 0;
  /// @brief Whether reads differ from the stored codes (read noise, power-law drift).
  virtual bool read_effects() const = 0;
  /// @brief Reads every word through the read effects into codes[0 .. words()), charging
  /// energy (one read of the whole array per call).
  virtual void read_all(int32_t* codes) = 0;
  /// @brief read_all() told as a difference from the stored codes, at a cost proportional to
  /// what differs: charges the same read of the whole array and appends to `out`, ascending,
  /// every word whose read differs from peek(). Returns false, having read and charged
  /// nothing, when the store cannot tell it so (read effects other than sparse read noise);
  /// read_all() is then the way.
  virtual bool read_deviations(std::vector<WordCode>& out) = 0;
  /// @brief Charges `n` reads of the whole array whose values the datapath already holds: the
  /// stored codes while read_effects() is false, else this sample's read_all() (read noise is
  /// frozen per sample and nothing is written between the reads of one sample's forward and
  /// backward, so a second read returns the same codes).
  virtual void account_reads(uint64_t n) = 0;
  /// @brief Ends a sample: advances the memory's sample clock by one, applying any drift event
  /// reached. Returns false having appended to `changed` every word whose stored code the
  /// drift changed; or true when the drift may have changed any word (analog drift moves
  /// nearly every weight), leaving `changed` as it was: the caller then re-reads every word
  /// with peek_all(), one sequential pass instead of a list of nearly all of them.
  virtual bool end_sample(std::vector<int64_t>& changed) = 0;
  /// @brief peek() of every word into codes[0 .. words()).
  virtual void peek_all(int32_t* codes) const = 0;
};

/// @brief WeightStore::end_sample of a store over a memory with advance_samples(n, list, dense)
/// (the device array and its TLM target): one sample; the changed words, listed into `scratch`,
/// are appended to `changed` unless the drift was dense (returned).
template <class Memory>
bool advance_one_sample(Memory& memory, std::vector<uint64_t>& scratch, std::vector<int64_t>& changed) {
  scratch.clear();
  bool dense = false;
  memory.advance_samples(1, &scratch, &dense);
  if (dense) return true;
  for (uint64_t w : scratch) changed.push_back(static_cast<int64_t>(w));
  return false;
}

}  // namespace lrt
