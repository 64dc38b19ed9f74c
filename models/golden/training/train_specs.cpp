#include "golden/training/train_specs.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace lrt::golden {

Scheme parse_scheme(const std::string& text) {
  if (text == "inference") return Scheme::kInferenceOnly;
  if (text == "bias_only") return Scheme::kBiasOnly;
  if (text == "sgd") return Scheme::kOnlineSgd;
  if (text == "naive_batch") return Scheme::kNaiveBatch;
  if (text == "lrt") return Scheme::kLrt;
  if (text == "uoro") return Scheme::kUoro;
  if (text == "sgd_pixel") return Scheme::kPixelSgd;
  throw std::invalid_argument("unknown training scheme '" + text +
                              "' (expected inference, bias_only, sgd, naive_batch, lrt, uoro or sgd_pixel)");
}

const char* to_string(Scheme scheme) {
  switch (scheme) {
    case Scheme::kInferenceOnly:
      return "inference";
    case Scheme::kBiasOnly:
      return "bias_only";
    case Scheme::kOnlineSgd:
      return "sgd";
    case Scheme::kNaiveBatch:
      return "naive_batch";
    case Scheme::kLrt:
      return "lrt";
    case Scheme::kUoro:
      return "uoro";
    case Scheme::kPixelSgd:
      return "sgd_pixel";
  }
  return "?";
}

MaxNormPlacement parse_max_norm_placement(const std::string& text) {
  if (text == "update") return MaxNormPlacement::kUpdate;
  if (text == "gradient") return MaxNormPlacement::kGradient;
  throw std::invalid_argument("unknown max-norm placement '" + text + "' (expected update or gradient)");
}
const char* to_string(MaxNormPlacement p) { return p == MaxNormPlacement::kUpdate ? "update" : "gradient"; }

BatchedUpdate parse_batched_update(const std::string& text) {
  if (text == "sum") return BatchedUpdate::kSum;
  if (text == "mean") return BatchedUpdate::kMean;
  throw std::invalid_argument("unknown batched update '" + text + "' (expected sum or mean)");
}
const char* to_string(BatchedUpdate u) { return u == BatchedUpdate::kSum ? "sum" : "mean"; }

AlphaRule parse_alpha_rule(const std::string& text) {
  if (text == "authors") return AlphaRule::kAuthors;
  if (text == "nearest_he") return AlphaRule::kNearestHe;
  throw std::invalid_argument("unknown alpha rule '" + text + "' (expected authors or nearest_he)");
}
const char* to_string(AlphaRule r) { return r == AlphaRule::kAuthors ? "authors" : "nearest_he"; }

namespace {

[[noreturn]] void bad(const std::string& member, const std::string& why) { throw SpecError(member, why); }

// log2(range) when range is a power of two, else throws.
int range_exponent(const QuantSpec& q, const std::string& member) {
  if (!(q.range > 0.0) || !std::isfinite(q.range)) bad(member + ".range", "must be a positive power of two");
  int e = 0;
  const double m = std::frexp(q.range, &e);  // range = m * 2^e, m in [0.5, 1)
  if (m != 0.5) bad(member + ".range", "must be a power of two (got " + std::to_string(q.range) + ")");
  if (e - 1 < -64 || e - 1 > 64) bad(member + ".range", "exponent outside [-64, 64]");
  return e - 1;
}

fx::Format signed_format(const QuantSpec& q, const std::string& member, int max_bits) {
  // The paper quantizes 1- and 2-bit signed tensors mid-rise (Fig. 7); only the weights'
  // datapath implements mid-rise codes (weight_format), so other tensors refuse those widths.
  if (q.bits < 3 || q.bits > max_bits)
    bad(member + ".bits",
        "must be in [3, " + std::to_string(max_bits) +
            "] (1-2 bit mid-rise is implemented for weights only)");
  return fx::Format::signed_range(q.bits, range_exponent(q, member));
}

// Qw: 1- and 2-bit weights are mid-rise (levels +-LSB/2, +-3 LSB/2: no zero level, as in the
// paper's Fig. 7 sweep); wider ones are the usual two's complement codes.
fx::Format weight_format(const QuantSpec& q, const std::string& member, int max_bits) {
  if (q.bits < 1 || q.bits > max_bits)
    bad(member + ".bits", "must be in [1, " + std::to_string(max_bits) + "]");
  return fx::Format::signed_range(q.bits, range_exponent(q, member), q.bits <= 2);
}

fx::Format unsigned_format(const QuantSpec& q, const std::string& member, int max_bits) {
  if (q.bits < 1 || q.bits > max_bits)
    bad(member + ".bits", "must be in [1, " + std::to_string(max_bits) + "]");
  return fx::Format::unsigned_range(q.bits, range_exponent(q, member));
}

void validate_kind(const KindTrainSpec& k, const std::string& member) {
  if (k.batch < 1 || k.batch > 1'000'000) bad(member + ".batch", "must be in [1, 1e6]");
  if (k.scheme == Scheme::kLrt) {
    if (k.rank < 1 || k.rank > 31) bad(member + ".rank", "must be in [1, 31]");
    if (!(k.kappa_th >= 0.0)) bad(member + ".kappa_th", "must be >= 0");
    if (k.max_batch_multiple < 0 || k.max_batch_multiple > 1'000'000)
      bad(member + ".max_batch_multiple", "must be in [0, 1e6]");
  }
}

}  // namespace

Formats formats_of(const QuantSpecs& q) {
  // MAC operands are held in int16 and multiplied pairwise into int32 (docs/golden_engine.md,
  // "Widths"), so every operand format is at most 8 bits wide (unsigned 8-bit fits int16 too);
  // Qb values are stored in int16.
  Formats f;
  f.weight = weight_format(q.weight, "quant.weight", 8);
  f.bias = signed_format(q.bias, "quant.bias", 16);
  f.act = unsigned_format(q.activation, "quant.activation", 8);
  f.act_signed = signed_format(q.activation_signed, "quant.activation_signed", 8);
  f.grad = signed_format(q.gradient, "quant.gradient", 8);
  f.input = unsigned_format(q.input, "quant.input", 8);
  // Every shift the datapath performs stays within [0, 62] when the LSB exponents do.
  for (const fx::Format* fmt : {&f.weight, &f.bias, &f.act, &f.act_signed, &f.grad, &f.input})
    if (fmt->frac_bits < -8 || fmt->frac_bits > 24)
      bad("quant", "LSB 2^-" + std::to_string(fmt->frac_bits) + " outside [2^-24, 2^8]");
  return f;
}

void validate(const TrainSpecs& s) {
  (void)formats_of(s.quant);
  if (!(s.learning_rate >= 0.0) || s.learning_rate > 2.0) bad("learning_rate", "must be in [0, 2]");
  validate_kind(s.conv, "conv");
  validate_kind(s.fc, "fc");
  if (!(s.max_norm.beta >= 0.0 && s.max_norm.beta < 1.0)) bad("max_norm.beta", "must be in [0, 1)");
  // >= 1e-6 keeps the integer reciprocal of max_norm.h below 2^44.
  if (!(s.max_norm.eps >= 1e-6 && s.max_norm.eps <= 1.0)) bad("max_norm.eps", "must be in [1e-6, 1]");
  if (!(s.dither.scale > 0.0 && s.dither.scale <= 1e6)) bad("dither.scale", "must be in (0, 1e6]");
  if (s.pfq.enabled) {
    // The stages round the MAC operands of the configured formats: never wider than them.
    const QuantSpecs& q = s.quant;
    const int forward_max = std::min({q.weight.bits, q.activation.bits, q.activation_signed.bits, q.input.bits});
    try {
      validate(s.pfq, 8);
    } catch (const SpecError& e) {
      bad("pfq." + e.member(), e.problem());
    }
    for (int b : s.pfq.forward_bits)
      if (b > forward_max)
        bad("pfq.forward_bits", "width " + std::to_string(b) + " above the narrowest weight/activation format (" +
                                    std::to_string(forward_max) + " bits): the datapath cannot widen an operand");
    for (int b : s.pfq.backward_bits)
      if (b > q.gradient.bits)
        bad("pfq.backward_bits", "width " + std::to_string(b) + " above train.quant.gradient.bits = " +
                                     std::to_string(q.gradient.bits));
    if (q.weight.bits < 3) bad("pfq.enabled", "mid-rise (1-2 bit) weights cannot be rounded to fewer bits");
  }
  if (s.bn.batch < 1 || s.bn.batch > 1'000'000) bad("bn.batch", "must be in [1, 1e6]");
  // >= 1e-6 keeps the integer 1/sigma of streaming_bn.h below 2^26.
  if (!(s.bn.eps >= 1e-6 && s.bn.eps <= 1.0)) bad("bn.eps", "must be in [1e-6, 1]");
  if (!(s.rho_min >= 0.0 && s.rho_min <= 1.0)) bad("rho_min", "must be in [0, 1]");
  if (!(s.batch_scale_power >= 0.0 && s.batch_scale_power <= 1.0))
    bad("batch_scale_power", "must be in [0, 1]");
}

}  // namespace lrt::golden
