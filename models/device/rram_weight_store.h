#pragma once
// A layer's weight store (core/weight_store.h) on a device::RramArray called directly: what the
// golden engine uses when the RRAM is modelled. tlm::TlmWeightStore does the same through
// TLM-2.0 transactions; for one call sequence both make identical RramArray calls.

#include <cstdint>
#include <vector>

#include "core/weight_store.h"
#include "device/rram_array.h"

namespace lrt::device {

/// @brief WeightStore over an RramArray it does not own (the array must outlive it).
class RramWeightStore final : public WeightStore {
 public:
  explicit RramWeightStore(RramArray& array) : array_(array) {}

  uint64_t words() const override { return array_.words(); }
  void deploy(int32_t* codes) override;
  int32_t peek(int64_t word) const override { return array_.peek_word(static_cast<uint64_t>(word)); }
  void write(const std::vector<int64_t>& cells, int32_t* codes) override;
  bool read_effects() const override { return array_.read_effects().any(); }
  void read_all(int32_t* codes) override;
  bool read_deviations(std::vector<WordCode>& out) override;
  void account_reads(uint64_t n) override { array_.account_reads(n * array_.words()); }
  bool end_sample(std::vector<int64_t>& changed) override;
  void peek_all(int32_t* codes) const override { array_.peek_words(0, array_.words(), codes); }

 private:
  RramArray& array_;
  std::vector<uint64_t> changed_;
};

}  // namespace lrt::device
