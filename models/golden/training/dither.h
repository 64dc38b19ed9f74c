#pragma once
// Dithered backprop (Wiedemann et al. 2020): non-subtractive dithered (NSD) quantization of the
// pre-activation gradients dz of every trainable layer, per sample and per tensor. It replaces
// the nearest rounding of Qg (docs/golden_engine.md, B2) when train.dither.enabled is on.
//
// Integer form (docs/precision.md, "Dithered backprop"): the value to quantize is v * 2^-shift
// Qg LSBs (v an exact integer: a Qb code, or a Qb code times the max-norm multiplier M). The
// step is Delta = 2^k Qg LSBs, k chosen per tensor from its statistics (DitherStepRule). With
// a uniform integer dither u in [0, 2^(k + shift)) from the counter-based RNG,
//   n = floor((v + u) / 2^(k + shift)),   code = sat_Qg(n * 2^k).
// Adding a uniform dither on [-Delta/2, Delta/2) and rounding to nearest is the same map as
// flooring after a dither on [0, Delta); either way E[code] = v * 2^-shift exactly whenever the
// result does not saturate (x = m Delta + r rounds up with probability r / Delta), and
// P(code = 0) = max(0, 1 - |x| / Delta) for |x| < Delta: small gradients become zeros
// (sparsity), large ones keep their expectation.

#include <cstdint>

#include "core/fixed_point.h"
#include "core/rng.h"

namespace lrt::golden {

/// @brief How the step Delta of one dz tensor is chosen (docs/precision.md).
enum class DitherStepRule {
  kStd,     ///< Delta = scale * standard deviation of the tensor
  kMaxAbs,  ///< Delta = scale * max |dz| of the tensor
};

/// "std", "max_abs"; throws std::invalid_argument.
DitherStepRule parse_dither_step_rule(const char* text);
const char* to_string(DitherStepRule rule);

/// @brief train.dither.*
struct DitherSpec {
  bool enabled = false;
  DitherStepRule rule = DitherStepRule::kStd;
  double scale = 1.0;  ///< Delta = scale * statistic, then rounded to a power of two of Qg LSBs
};

/// @brief The step exponent k (Delta = 2^k Qg LSBs) for n values v * 2^-shift Qg LSBs:
/// k = round(log2(scale * statistic)) clamped to [0, g.bits - 1]; 0 for an all-zero tensor.
/// Double arithmetic in a fixed order (deterministic).
int dither_step_exponent(const int64_t* v, int64_t n, int shift, const fx::Format& g, const DitherSpec& spec);

/// @brief NSD quantization of n values (see the file comment) into Qg codes, step 2^k LSBs;
/// element i draws rng.bits64(first_index + i). Requires |v| < 2^61, 0 <= shift and
/// k + shift <= 62 (std::invalid_argument otherwise).
void dither_quantize(const int64_t* v, int64_t n, int shift, int k, const fx::Format& g, const CounterRng& rng,
                     uint64_t first_index, int16_t* out);

/// @brief The RNG index of element 0 of one layer's dz tensor in one sample: sample * 2^24
/// (tensors hold at most 2^24 values, golden/training/network.h), so every (sample, element) draws once.
inline uint64_t dither_first_index(uint64_t sample) { return sample << 24; }

}  // namespace lrt::golden
