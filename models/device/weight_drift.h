#pragma once
// Weight drift between samples: the analog and digital models of the LRT paper, Appendix F.
//
// Drift happens in events on the sample clock, one every d = interval_samples samples:
// event k (k = 1, 2, ...) happens when the sample counter reaches k * d.
//  - analog: every stored weight gets N(0, sigma^2) with sigma = sigma0 / sqrt(H / d) in
//    weight units (H = horizon_samples = 1e6: sigma0 is the sd accumulated over H samples),
//    is clipped to the weight range and re-quantized. We compute this in code units:
//    x = c + (sigma / LSB) * z, code = nearest integer to x (ties toward +inf, exact integer
//    rounding from core/fixed_point.h), saturated to the code range. For a power-of-two LSB
//    this is the paper's "add noise, clip to [-1, 1]" followed by the nearest-rounding weight
//    quantizer; clipping at +1 lands on the largest code, 1 - LSB.
//  - digital: every event flips stored bits with p = p0 / (H / d), by one of two models
//    (FlipModel, accel.rram.drift.flip_model):
//     binomial2 (the authors' lr/layers.py, WeightModule.drift, 'digital'): bit b of a word
//       gets a flip count c_b ~ Binomial(2, p); the counts are summed as an integer,
//       F = sum_b c_b 2^b (a count of 2 carries into bit b + 1), and XORed into the word's
//       offset-binary code o = c + 2^(b-1); the result is clipped to the code range, which
//       only ever clips at the top (o XOR F < 2^(b+1)): new code = min(o XOR F, 2^b - 1) -
//       2^(b-1). F is the sum X + Y of two words whose bits are independent Bernoulli(p)
//       trials, so bit b of F is x_b XOR y_b XOR k_b with the carry k_b into bit b:
//       P(bit b of F) = 2p(1-p)(1 - q_b) + (1 - 2p(1-p)) q_b, q_0 = 0,
//       q_(b+1) = p^2 + 2p(1-p) q_b (docs/device.md).
//     bernoulli (lrtsim's former rule): every stored bit flips independently with
//       probability p.

#include <cmath>
#include <cstdint>

#include "core/fixed_point.h"
#include "core/rng.h"

namespace lrt::device {

/// @brief How digital drift flips the bits of a stored word in one event (file comment).
enum class FlipModel : uint32_t {
  kBinomial2 = 0,  ///< the authors': per-bit counts ~ Binomial(2, p), summed, XORed, clipped
  kBernoulli = 1,  ///< lrtsim's former rule: each bit flips with probability p
};
const char* to_string(FlipModel model);

/// @brief Appendix F drift parameters. sigma0 = 0 / p0 = 0 turn a model off.
struct DriftSpecs {
  uint64_t interval_samples = 10;  ///< d: samples between drift events
  uint64_t horizon_samples = 1'000'000;  ///< H: the "1M" over which sigma0 and p0 accumulate
  double analog_sigma0 = 0.0;      ///< sigma0 in weight units; the paper uses 10
  double flip_p0 = 0.0;            ///< p0, expected flips per bit over H samples; the paper uses 10
  FlipModel flip_model = FlipModel::kBinomial2;  ///< how the flips of one event act on a word
};

/// @brief Throws SpecError("drift.*"): d >= 1, H >= d, sigma0 in [0, 1e6], p0 >= 0 with p <= 1,
/// a known flip model.
void validate(const DriftSpecs& specs);

/// sigma of one analog event in weight units: sigma0 / sqrt(H / d).
inline double analog_sigma_per_event(const DriftSpecs& s) {
  return s.analog_sigma0 /
         std::sqrt(static_cast<double>(s.horizon_samples) / static_cast<double>(s.interval_samples));
}
/// Flip probability of one bit in one event: p0 / (H / d).
inline double flip_probability_per_event(const DriftSpecs& s) {
  return s.flip_p0 / (static_cast<double>(s.horizon_samples) / static_cast<double>(s.interval_samples));
}

/// @brief One analog drift step of one code: nearest code to code + sigma_codes * z (ties
/// toward +inf), saturated to code_format's range. code_format: signed, frac_bits 0.
/// The rounding is done in doubles (fx::round_half_up, exact), not by fx::quantize's integer
/// path (a drift event rounds every word of every array: issue 23). The test
/// DriftKernel.RoundsAsTheFixedPointQuantizer checks it against fx::quantize.
inline int32_t drift_code(int32_t code, double sigma_codes, double z, const fx::Format& code_format) {
  const double x = static_cast<double>(code) + sigma_codes * z;
  if (std::isnan(x))
    return static_cast<int32_t>(fx::quantize(x, code_format, fx::Rounding::kNearest, 0, nullptr));
  const auto lo = static_cast<double>(code_format.min_code()),
             hi = static_cast<double>(code_format.max_code());
  if (x <= lo) return static_cast<int32_t>(code_format.min_code());  // rounds to lo or below: saturates
  if (x >= hi) return static_cast<int32_t>(code_format.max_code());
  return static_cast<int32_t>(fx::round_half_up(x));
}

/// @brief One binomial2 flip of a `bits`-wide two's complement pattern: the offset-binary
/// code o = pattern XOR 2^(bits-1) is XORed with the summed flip counts `flips` (< 2^(bits+1)),
/// clipped to 2^bits - 1 (the largest code), and turned back into a pattern.
inline uint32_t binomial2_flip(uint32_t pattern, uint32_t flips, uint32_t bits) {
  const uint32_t offset_bit = 1u << (bits - 1), top = (1u << bits) - 1u;
  const uint32_t o = (pattern & top) ^ offset_bit;
  uint32_t flipped = o ^ flips;
  if (flipped > top) flipped = top;
  return flipped ^ offset_bit;
}

/// @brief Visits, in increasing order, the successes among trials 0..n-1 of independent
/// Bernoulli(p) trials. The gap before the next success is floor(ln U / ln(1 - p)) with
/// U = 1 - rng.uniform() in (0, 1], which is Geometric(p) on {0, 1, ...}; so the cost is one
/// draw per success plus one, not one per trial.
template <class Visit>
void for_each_bernoulli_success(uint64_t n, double p, RngCursor& rng, Visit&& visit) {
  if (n == 0 || !(p > 0.0)) return;
  const double inv_log_q = 1.0 / std::log1p(-p);  // -0.0 for p = 1: every gap is 0
  uint64_t pos = 0;
  while (pos < n) {
    const double u = 1.0 - rng.uniform();
    const double gap = std::floor(std::log(u) * inv_log_q);
    // Compare as doubles first: a gap beyond the remaining trials must never reach the cast.
    if (!(gap < static_cast<double>(n - pos))) return;
    pos += static_cast<uint64_t>(gap);
    visit(pos);
    ++pos;
  }
}

}  // namespace lrt::device
