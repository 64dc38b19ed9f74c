#pragma once
// rr_unit Verilated in plain C++ mode (prefix Vrr_unit_cpp): the same RTL and environment
// (sc/rr_unit_env.h) as the SystemC wrapper RankReduceRtl, clocked by direct eval() calls with
// no SystemC kernel in between, one eval() per clock where the Verilator version allows.
// lrtsim cosim uses it for speed; the TLM model's impl: rtl and VCD traces use the SystemC
// wrapper.

#include <memory>

#include "sc/rr_unit_env.h"

class Vrr_unit_cpp;
class VerilatedContext;

namespace lrt::rtl {

class RankReduceRtlCpp : public RtlUnitEnv {
 public:
  /// Throws std::invalid_argument for a configuration outside the unit's range.
  explicit RankReduceRtlCpp(const RtlUnitConfig& cfg);
  ~RankReduceRtlCpp() override;
  /// eval() calls per clock cycle: 1 (the rising edge only), or 2 (low and high phase) with a
  /// Verilator whose edge detection this class does not know.
  static int evals_per_clock();

 protected:
  void edge() override;

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vrr_unit_cpp> dut_;
};

}  // namespace lrt::rtl
