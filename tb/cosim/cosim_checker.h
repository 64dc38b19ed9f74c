#pragma once
// The comparison of lrtsim cosim: after every pair, every word of the state the RTL unit
// leaves in its SRAM (Q_L and Q_R codes, column exponents, c_x codes and exponent) and every
// field of its result (the pair trace, saturations) against the golden fixed-point model
// (docs/fixed_point_rank_reduce.md §6).

#include <cstdint>
#include <string>
#include <vector>

#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "sc/rank_reduce_rtl.h"

namespace lrt::cosim {

/// @brief The expected words of one pair, taken from the golden model (and possibly
/// perturbed, to prove that the checker sees a difference).
struct ExpectedState {
  std::vector<int16_t> q[2];
  int16_t exps[2][9] = {};
  uint32_t cx[9] = {};
  int16_t cx_exp = 0;
  golden::FixedPairTrace trace;
  uint64_t saturations = 0;  ///< of this pair
};

/// The field names a perturbation (and a mismatch report) uses.
const std::vector<std::string>& checked_fields();

/// @brief The golden model's state after a pair; `saturations_before` is its count before it.
ExpectedState expected_from(const golden::RankReduceFixed& model, uint64_t saturations_before);

/// @brief Adds one LSB to the first word of `field` (one of checked_fields(); flips a flag).
/// Throws std::invalid_argument for an unknown field.
void perturb(ExpectedState& e, const std::string& field);

/// @brief One differing word.
struct Mismatch {
  std::string field;  ///< e.g. "q_left[3][1]" (row, column), "cx_exp", "trace.kept"
  uint64_t dut = 0;   ///< raw bits as hex
  uint64_t expected = 0;
};

/// @brief Every mismatching word between the RTL (its SRAM and result) and `e`.
std::vector<Mismatch> compare(const ExpectedState& e, const rtl::RtlSram& sram, const rtl::RtlPairResult& res,
                              int rank, int n_o, int n_i);

}  // namespace lrt::cosim
