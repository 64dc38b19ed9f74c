#pragma once
// The streaming rankReduce of Low-Rank Training (Gural et al., Algorithm 1): keeps a
// rank-r estimate L~ R~^T of sum_i dz_i a_i^T using state Q_L (n_o x q), Q_R (n_i x q)
// and c_x (q), q = r + 1. Two implementations share this interface:
//   RankReduceFloat  (rank_reduce_float.h): double precision reference;
//   RankReduceFixed  (rank_reduce_fixed.h): the bit-accurate integer arithmetic that the
//                    hardware (and the RTL in rtl/) performs.

#include <cstdint>
#include <vector>
#include <memory>
#include <string>

#include "core/matrix.h"

namespace lrt::golden {

enum class RankReduceMode { kBiased, kUnbiased };

/// Parses "biased" / "unbiased"; throws std::invalid_argument otherwise.
RankReduceMode parse_rank_reduce_mode(const std::string& text);
const char* to_string(RankReduceMode mode);

/// @brief Shape and behaviour of one rank-reduce instance (one per trained layer).
struct RankReduceParams {
  int n_o = 0;                  ///< length of dz (output neurons / channels)
  int n_i = 0;                  ///< length of a (inputs / im2col patch)
  int rank = 4;                 ///< r; the state holds q = r + 1 columns
  RankReduceMode mode = RankReduceMode::kBiased;
  double kappa_th = 100.0;      ///< skip a pair when C_11 / C_qq > kappa_th; 0 disables
  uint64_t seed = 0;            ///< seed of the sign generator (unbiased mode)
};

/// @brief Counters of what the rank reducer did; all are counts of pairs.
struct RankReduceStats {
  uint64_t pairs = 0;           ///< pairs offered to step()
  uint64_t skipped_kappa = 0;   ///< pairs skipped by the kappa_th test
  uint64_t degenerate = 0;      ///< pairs with a zero dz or a, or a vanishing residual
};

class RankReduceFixed;

/// @brief Common interface of the float and fixed-point rank reducers.
class RankReducer {
 public:
  virtual ~RankReducer() = default;
  /// Folds one pair (dz: n_o values, a: n_i values) into the estimate.
  virtual void step(const double* dz, const double* a) = 0;
  /// @brief The same pair given as int16 codes with power-of-two LSBs (dz_i = dz[i] 2^-dz_frac,
  /// a_i = a[i] 2^-a_frac): an implementation that can take codes without the round trip
  /// through double folds it exactly as step() would and returns true; otherwise it returns
  /// false and the caller uses step().
  virtual bool step_integer(const int16_t* /*dz*/, int /*dz_frac*/, const int16_t* /*a*/, int /*a_frac*/) {
    return false;
  }
  /// @brief A hint before a sample's pairs: the next step_integer calls will offer rows
  /// `rows` of dz (n_o codes per row) and a (n_i codes per row), in that order, at these LSBs.
  /// An implementation may start on them early (tlm/rank_reduce_impl.h computes them ahead on
  /// another core); what it folds must not depend on whether it did. Default: nothing.
  virtual void prepare_integer(const int16_t* /*dz*/, int /*dz_frac*/, const int16_t* /*a*/, int /*a_frac*/,
                               const std::vector<int>& /*rows*/) {}
  /// The current factors: L (n_o x r) and R (n_i x r), with L R^T the estimate.
  virtual void factors(Matrix<double>& L, Matrix<double>& R) const = 0;
  /// Clears the estimate (after an applied weight update).
  virtual void reset() = 0;
  virtual const RankReduceStats& stats() const = 0;
  virtual const RankReduceParams& params() const = 0;
  /// The fixed-point model holding this reducer's state (itself, or the one inside a hardware
  /// unit the reducer drives, tlm/unit_rank_reducer.h); null for the float reference.
  virtual const RankReduceFixed* fixed_model() const { return nullptr; }
};

// ---- Factory (definitions: rank_reduce.cpp) --------------------------------------------

enum class RankReduceArith { kFloat, kFixed };

/// Parses "float" / "fixed"; throws std::invalid_argument otherwise.
RankReduceArith parse_rank_reduce_arith(const std::string& text);
const char* to_string(RankReduceArith arith);

/// @brief A rank reducer of the given arithmetic (the constructor validates params).
std::unique_ptr<RankReducer> make_rank_reducer(const RankReduceParams& params, RankReduceArith arith);

}  // namespace lrt::golden
