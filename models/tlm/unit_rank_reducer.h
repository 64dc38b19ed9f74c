#pragma once
// The golden engine's rank reducer for one LRT layer, replaced by a driver of the
// accelerator's rank_reduce_unit: each pair goes the way the hardware takes it. The pair's
// codes are written into the layer's SRAM pair buffer, the unit's exponent registers set and
// STEP written; the unit then loads the state from SRAM, steps, and stores it back. The
// estimate the weight update reads (factors) and the counters come from the unit's
// implementation, so the layer's LRT accumulator cannot tell this reducer from
// golden::RankReduceFixed, and trains bit-identically.

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "golden/rank_reduce/rank_reduce.h"
#include "tlm/cost_tag.h"
#include "tlm/rank_reduce_unit.h"

namespace lrt::tlm {

/// @brief golden::RankReducer that runs each step on a rank_reduce_unit (see the file comment).
class UnitRankReducer final : public golden::RankReducer {
 public:
  /// `port` reaches, on one address map, the registers of the unit's context `context` at
  /// `registers` and the pair
  /// buffer at `pair_addr` (n_o then n_i int16 codes), which the unit reads through its own
  /// mem socket at the same addresses. Every transport's latency is added to `delay`. The
  /// context's DZ_ADDR and A_ADDR must hold the buffer from reset (RankReduceContextSpec::
  /// pair_addr; std::logic_error otherwise): the driver calls no socket before its first step.
  UnitRankReducer(::tlm::tlm_fw_transport_if<>& port, rank_reduce_unit& unit, size_t context,
                  uint64_t registers, uint64_t pair_addr, sc_core::sc_time& delay);

  void step(const double* dz, const double* a) override;
  bool step_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac) override;
  /// Hands the sample's pairs, block-quantized as step_integer will, to the unit's
  /// implementation to compute ahead, when it does (RankReduceImpl::speculative).
  void prepare_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac,
                       const std::vector<int>& rows) override;
  void factors(Matrix<double>& L, Matrix<double>& R) const override { unit_.impl(context_).factors(L, R); }
  void reset() override;
  const golden::RankReduceStats& stats() const override { return unit_.impl(context_).stats(); }
  const golden::RankReduceParams& params() const override { return unit_.impl(context_).params(); }
  const golden::RankReduceFixed* fixed_model() const override { return unit_.impl(context_).golden_model(); }
  /// The tag every transaction of this reducer carries (the sequencer sets its phase).
  CostTag& tag() { return *tag_; }

 private:
  void write_register(uint32_t offset, uint32_t value);
  void send(int dz_exp, int a_exp);  // codes_ to the pair buffer, exponents, STEP
  void transport(::tlm::tlm_generic_payload& t, const char* what);

  ::tlm::tlm_fw_transport_if<>& port_;
  rank_reduce_unit& unit_;
  size_t context_;
  uint64_t registers_;
  uint64_t pair_addr_;
  sc_core::sc_time& delay_;
  std::vector<int16_t> codes_;       // dz then a
  std::vector<unsigned char> bytes_;    // the same in bus format (a big-endian host only)
  std::vector<SpeculativePair> ahead_;  // prepare_integer's pairs (storage reused)
  ::tlm::tlm_generic_payload trans_;  // reused: constructing a payload allocates; owns tag_
  CostTag* tag_;
};

}  // namespace lrt::tlm
