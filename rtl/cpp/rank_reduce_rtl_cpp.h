#pragma once
// rr_unit Verilated in plain C++ mode (prefix Vrr_unit_cpp): the same RTL and environment
// (sc/rr_unit_env.h) as the SystemC wrapper RankReduceRtl, clocked by direct eval() calls with
// no SystemC kernel in between, one eval() per clock where the Verilator version allows.
// lrtsim cosim uses it for speed; the TLM model's impl: rtl and VCD traces use the SystemC
// wrapper.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
  /// @brief The Verilated model's whole state (Verilator --savable: every register, memory and
  /// port), with Verilator's own layout check inside; restore_model() takes it back between
  /// pairs (the environment's side is env_state()). A state of another RTL build is refused by
  /// rtl_fingerprint() before it reaches Verilator, whose check ends the process.
  std::vector<uint8_t> save_model();
  void restore_model(const std::vector<uint8_t>& bytes);
  /// @brief The SHA-256 (16 hex digits) of the RTL sources this model was Verilated from.
  static std::string rtl_fingerprint();

 protected:
  void edge() override;

 private:
  void read_outputs();
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vrr_unit_cpp> dut_;
};

}  // namespace lrt::rtl
