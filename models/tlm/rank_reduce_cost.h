#pragma once
// Cycle model of the rank_reduce_unit's datapath: how many clock cycles one pair keeps the
// unit busy, derived from the step sequence of docs/fixed_point_rank_reduce.md §4 (derivation
// and table in docs/tlm.md). Memory time is not in here: the SRAM annotates its own latency on
// the unit's mem socket.

#include <cstdint>

#include "golden/rank_reduce.h"

namespace lrt::tlm {

/// @brief Throughput of the rank-reduce datapath. The iteration counts (2 Gram-Schmidt passes,
/// 8 Jacobi sweeps, 32 CORDIC iterations, 32 square-root digits, 65 + f division steps) are
/// fixed by the arithmetic specification, so they are constants of the model, not knobs:
/// another count would be another arithmetic. What hardware can choose is how fast it retires
/// them.
struct RankReduceUnitSpecs {
  uint32_t mac_lanes = 16;                  ///< multiply-accumulates per cycle in every vector loop
  uint32_t pipeline_fill_cycles = 4;        ///< paid once per vector loop
  uint32_t cordic_iterations_per_cycle = 1; ///< CORDIC unrolling (1..32)
  uint32_t digits_per_cycle = 1;            ///< square-root digits / quotient bits per cycle (1..64)
  uint32_t register_access_cycles = 1;      ///< a control-register access on the `in` socket
  /// Zero skipping (docs/precision.md): the loops that read dz itself (the input scan and the
  /// first Gram-Schmidt pass's dot products Q_L^T dz) stream only its non-zero entries.
  bool zero_skip = false;
};

/// @brief Throws device::SpecError naming the first member out of range.
void validate(const RankReduceUnitSpecs& specs);

/// @brief How far a pair went (docs/fixed_point_rank_reduce.md §4.1, §4.6).
enum class PairOutcome {
  kZeroInput,     ///< every dz or every a code was 0: only the input was scanned
  kSkippedKappa,  ///< Gram-Schmidt and the core sums ran, the kappa test skipped the rest
  kUpdated,       ///< the full step (also for degenerate pairs, which skip only the kappa test)
};

/// @brief Busy cycles of one pair by phase (docs/tlm.md, "rank_reduce_unit cycle model").
struct RankReduceCycles {
  uint64_t input = 0;         ///< scan of dz and a (zero test, |x|^2)
  uint64_t gram_schmidt = 0;  ///< 2 passes x r columns x (dot product, subtraction), both sides
  uint64_t new_column = 0;    ///< residual max, normalization, sqrt, reciprocal, scaling, requantization
  uint64_t core = 0;          ///< q x q sums and the kappa comparison
  uint64_t svd = 0;           ///< CORDIC Jacobi
  uint64_t spectrum = 0;      ///< unbiased mixing (square roots, divisions); 0 when biased
  uint64_t mixing = 0;        ///< M_L = U Q_x, M_R = V Q_x
  uint64_t update = 0;        ///< basis update of both sides and its requantization
  uint64_t total() const {
    return input + gram_schmidt + new_column + core + svd + spectrum + mixing + update;
  }
};

/// @brief The cycle model. Throws std::invalid_argument for params outside RankReduceFixed's
/// range (so that every product below stays far inside 64 bits).
/// dz_nonzero: the pair's non-zero dz entries, used only with specs.zero_skip (negative: dense).
RankReduceCycles rank_reduce_cycles(const RankReduceUnitSpecs& specs, const golden::RankReduceParams& params,
                                    PairOutcome outcome, int64_t dz_nonzero = -1);

/// @brief Operations one pair performs, by kind: the input of the unit's energy model
/// (docs/tlm.md, "rank_reduce_unit energy model"). Counts follow the same step sequence as
/// rank_reduce_cycles().
struct RankReduceWork {
  uint64_t macs = 0;               ///< 16 x 16 b multiply-accumulates of the vector loops and the rotations
  uint64_t cordic_iterations = 0;  ///< each three 32 b additions (x, y, angle)
  uint64_t digit_steps = 0;        ///< square-root digits and quotient bits: one 64 b subtraction each
};

/// @brief The operation counts (same parameter checks as rank_reduce_cycles).
/// dz_nonzero >= 0: the zero-skipping datapath's counts for a dz with that many non-zero entries.
RankReduceWork rank_reduce_work(const golden::RankReduceParams& params, PairOutcome outcome,
                                int64_t dz_nonzero = -1);

/// @brief Cycles of one streamed vector loop of `work` multiply-accumulates:
/// ceil(work / mac_lanes) + pipeline_fill_cycles.
uint64_t vector_loop_cycles(const RankReduceUnitSpecs& specs, uint64_t work);

}  // namespace lrt::tlm
