#pragma once
// Bit-accurate fixed-point rankReduce: the integer arithmetic the hardware performs, and
// the reference the RTL rank-reduce unit is co-simulated against after every pair.
// docs/fixed_point_rank_reduce.md is the specification; in short:
//  * inputs: 16-bit codes with a power-of-two exponent per vector (block floating point);
//  * state: Q_L, Q_R columns as 16-bit codes with one exponent per column, c_x as unsigned
//    31-bit codes with one shared exponent;
//  * two modified Gram-Schmidt passes in int32 words / int64 accumulators, an exact
//    digit-by-digit square root and a restoring-division reciprocal for the new column;
//  * the q x q core C in 27-bit codes, its SVD by CORDIC two-sided Jacobi (jacobi_fixed.h);
//  * biased top-r selection or the unbiased OK mixing with signs from sign_generator.h;
//  * basis update in int64 with half-up rounding, requantized per column.
// Semantics (zero inputs, vanishing residuals, kappa test, stats across reset()) follow
// RankReduceFloat; the differences are listed in the docs (§7).

#include <cstdint>
#include <vector>

#include "core/matrix.h"
#include "golden/rank_reduce/rank_reduce.h"

namespace lrt::golden {

enum class RankReduceSide { kLeft, kRight };

/// @brief What the unit did with the last pair offered (for co-simulation and tests).
struct FixedPairTrace {
  uint64_t pair_index = 0;      ///< 0-based index of the pair (stats().pairs - 1)
  bool zero_input = false;      ///< dz or a was all zero: nothing else was computed
  bool vanished_left = false;   ///< the dz residual counted as zero (its basis column cleared)
  bool vanished_right = false;  ///< the a residual counted as zero
  bool skipped_kappa = false;   ///< C_11 > kappa_th C_qq: the state kept its previous value
  int kept = 0;  ///< leading singular values kept unmixed (r biased, m - 1 unbiased; 0 if no SVD ran)
  uint32_t sign_word = 0;  ///< sign-generator word of this pair (used in unbiased mode)
  int c_exponent = 0;      ///< exponent of the core matrix codes C (0 if no SVD ran)
  // What the RTL writes into its register files depends on the data through these four counts
  // (energy only: its cycles do not; models/hw/rr_unit_timing.h).
  int gs_coefficients = 0;   ///< Gram-Schmidt coefficients formed, both sides (nonzero dot products)
  int jacobi_rotations = 0;  ///< Jacobi (p, k) visits that rotated (JacobiFixedResult::rotations)
  bool mix_dry = false;      ///< unbiased: s1 = 0, nothing to mix (the Householder columns not formed)
  int64_t max_updates = 0;   ///< basis update, both sides: per column, 1 + the rows whose |sum| exceeds
                             ///< every earlier row's (the running maximum the RTL keeps per column)
};

/// @brief A factor L or R as the hardware holds it: 16-bit codes, one power-of-two scale.
struct FixedFactor {
  int rows = 0;
  int cols = 0;
  std::vector<int16_t> codes;  ///< column-major rows x cols, |code| <= 32767
  int exponent = 0;            ///< value = code * 2^exponent
};

/// @brief The values code * 2^exponent of `f` (exact) into `m` (rows x cols, resized if not).
/// Throws RunError when the scale leaves the range of double.
void factor_values(const FixedFactor& f, Matrix<double>& m);

/// @brief The rank-r split of diag(sigma) in integers (docs §5), the fixed-point twin of
/// reduce_spectrum() in rank_reduce_float.h. sigma: q codes, descending, >= 0, < 2^30.
/// qx: q x r column-major, Q2.30; cx: r weights in sigma's scale. Biased: Q_x = [I_r; 0],
/// cx = sigma_1..r. Unbiased: keep sigma_1..sigma_{m-1}, mix sigma_m..sigma_q into k = q - m
/// columns of weight round(s_1 / k) with the Householder basis X, row i of the mixed block
/// negated when bit i of sign_word is set. Returns the number kept unmixed (r or m - 1).
int reduce_spectrum_fixed(RankReduceMode mode, int q, const int64_t* sigma, uint32_t sign_word, int64_t* qx,
                          int64_t* cx);

/// @brief Everything of a RankReduceFixed that influences later steps and what it reports
/// (plain, for checkpoints); the per-step scratch is not state.
struct RankReduceFixedState {
  std::vector<int16_t> left_codes, right_codes;    ///< n x q basis codes, column-major
  std::vector<int32_t> left_exps, right_exps;      ///< q column exponents
  std::vector<uint16_t> left_max, right_max;       ///< q: max |code| per column
  std::vector<uint32_t> cx_codes;                  ///< q
  int32_t cx_exponent = 0;
  RankReduceStats stats;  ///< pairs is also the sign generator's index
  FixedPairTrace last_pair;
  uint64_t saturations = 0;
};

/// @brief Integer (hardware) implementation of rankReduce; see docs/fixed_point_rank_reduce.md.
class RankReduceFixed final : public RankReducer {
 public:
  static constexpr int kMaxRank = 8;              ///< q = r + 1 <= 9 (the RTL's range, rank 1..8)
  static constexpr int kMaxLength = 1 << 14;      ///< n_o, n_i <= 16384 (sets accumulator widths)
  static constexpr int kMaxInputExponent = 2047;  ///< |dz_exp|, |a_exp| (12-bit signed register)
  static constexpr int kResidualGuardBits = 8;    ///< Gram-Schmidt works on code * 2^8 in int32
  static constexpr int kGramSchmidtPasses = 2;
  static constexpr int kKappaFracBits = 8;  ///< kappa_th is held as round(kappa_th * 2^8)
  /// A residual with |res|^2 <= 2^-22 |x|^2 counts as zero (docs §3.4): the 16-bit basis
  /// represents a vector of its span only to about 2^-15 |x|.
  static constexpr int kVanishingLog2Ratio = -22;

  /// Throws std::invalid_argument unless 1 <= n_o, n_i <= 2^14, 1 <= rank <= 8 and kappa_th is
  /// 0 or in [2^-8, 2^27].
  explicit RankReduceFixed(const RankReduceParams& params);

  /// Quantizes dz and a with quantize_input() and runs step_codes(). Non-finite values throw
  /// lrt::RunError before the state changes.
  void step(const double* dz, const double* a) override;
  /// @brief The hardware entry point: dz = dz_codes * 2^dz_exp (n_o codes, any int16 value),
  /// a likewise. |exponents| <= kMaxInputExponent (std::invalid_argument otherwise).
  void step_codes(const int16_t* dz, int dz_exp, const int16_t* a, int a_exp);
  /// L = Q_L diag(sqrt(c_x)) and R likewise as the hardware's 16-bit codes (factor_codes()),
  /// converted exactly to double.
  void factors(Matrix<double>& L, Matrix<double>& R) const override;
  /// Clears Q_L, Q_R and c_x (codes and exponents to 0); stats and the pair counter survive.
  void reset() override;
  const RankReduceStats& stats() const override { return stats_; }
  const RankReduceParams& params() const override { return params_; }

  /// @brief The factor of one side: code(i, j) = round(Q code(i, j) * sqrt-code(j) * 2^shift),
  /// one exponent for the whole matrix, the smallest for which every |code| <= 32767 (docs §6).
  FixedFactor factor_codes(RankReduceSide side) const;

  // ---- Hardware-visible state (compared word by word in co-simulation) ----
  /// Basis codes, column-major n x q (n = n_o left, n_i right); column q-1 holds the last
  /// normalized residual (scratch), even when that pair was skipped by the kappa test.
  const int16_t* q_codes(RankReduceSide side) const;
  /// Exponent of basis column j: value = code * 2^exponent. All-zero columns have exponent 0.
  int q_exponent(RankReduceSide side, int j) const;
  /// Weights c_x (q codes, the last always 0): value = code * 2^cx_exponent().
  const std::vector<uint32_t>& cx_codes() const { return cx_codes_; }
  int cx_exponent() const { return cx_exp_; }
  const FixedPairTrace& last_pair() const { return trace_; }
  /// int32 Gram-Schmidt words that were clipped (docs §3.2; 0 unless the basis lost its norm).
  uint64_t saturations() const { return saturations_; }
  /// kappa_th as the integer the comparator uses: round(kappa_th * 2^8).
  uint64_t kappa_code() const { return kappa_code_; }

  RankReduceFixedState state() const;
  const RankReduceFixed* fixed_model() const override { return this; }
  /// Replaces the state; throws std::invalid_argument when a size differs from this reducer's.
  void set_state(const RankReduceFixedState& s);

  /// @brief Block quantization of one input vector: the smallest exponent E with every
  /// |round_half_up(x_i 2^-E)| <= 32767; codes written to `codes`. An all-zero vector gives
  /// E = 0. Throws lrt::RunError on a non-finite value.
  static int quantize_input(const double* x, int n, int16_t* codes);
  /// @brief quantize_input() of the values c[i] 2^-frac, computed on the integers: the same
  /// codes and exponent, bit for bit (tested), with no double arithmetic.
  static int normalize_codes(const int16_t* c, int n, int frac, int16_t* codes);
  /// step() of the values dz[i] 2^-dz_frac and a[i] 2^-a_frac, through normalize_codes().
  bool step_integer(const int16_t* dz, int dz_frac, const int16_t* a, int a_frac) override;

 private:
  struct Basis {
    int n = 0;
    std::vector<int16_t> codes;     // n x q, column-major
    std::vector<int> exps;          // q
    std::vector<uint16_t> max_abs;  // q: max |code| per column (0: a dead column)
  };
  /// A coefficient m * 2^e of Gram-Schmidt (|m| <= 2^31).
  struct Coeff {
    int64_t m = 0;
    int e = 0;
  };

  Basis& basis(RankReduceSide side) { return side == RankReduceSide::kLeft ? left_ : right_; }
  const Basis& basis(RankReduceSide side) const { return side == RankReduceSide::kLeft ? left_ : right_; }
  /// Two MGS passes of x against columns 0..r-1; the normalized residual goes to column r.
  /// Returns true when the residual vanished (column r cleared, coefficient r = 0).
  bool orthogonalize(Basis& b, const int16_t* x, int x_exp, Coeff* coeff);
  /// Columns 0..r-1 <- Q * mix (mix: q x r, Q2.30); columns whose new weight is 0 are cleared.
  void update_basis(Basis& b, const int64_t* mix, const uint32_t* new_cx);

  RankReduceParams params_;
  RankReduceStats stats_;
  int r_ = 0;
  int q_ = 0;
  uint64_t kappa_code_ = 0;
  Basis left_;
  Basis right_;
  std::vector<uint32_t> cx_codes_;
  int cx_exp_ = 0;
  FixedPairTrace trace_;
  uint64_t saturations_ = 0;
  // Scratch, allocated once: Gram-Schmidt words, wide column values.
  std::vector<int32_t> work_;
  std::vector<int64_t> wide_;
  std::vector<int16_t> dz_codes_, a_codes_;
};

}  // namespace lrt::golden
