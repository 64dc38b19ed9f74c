#include "golden/precision/precision_clamp.h"

#include <algorithm>
#include <cmath>

#include "golden/precision/precision_costs.h"  // kWeightGradientBits
#include "golden/training/schemes.h"

namespace lrt::golden {

namespace {

ClampedWidth clamp_to(int want, int lo, int hi, const std::string& why) {
  ClampedWidth e;
  e.value = std::clamp(want, lo, hi);
  if (e.value != want)
    e.note = "Claim 1 gives " + std::to_string(want) + " bits; " + why + " -> " + std::to_string(e.value);
  return e;
}

ClampedWidth pinned(int want, int only, const std::string& why) {
  ClampedWidth e;
  e.value = only;
  if (want != only) e.note = "Claim 1 gives " + std::to_string(want) + " bits; " + why + " -> " + std::to_string(only);
  return e;
}

}  // namespace

std::vector<DatapathLimits> datapath_limits(const NetworkSpec& net, const TrainSpecs& train) {
  const std::vector<LayerShape> shapes = derive_shapes(net);
  std::vector<DatapathLimits> lim;
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (!shapes[i].trainable()) continue;
    DatapathLimits l;
    l.weight_range = train.quant.weight.range;
    const Scheme s = shapes[i].spec.kind == LayerKind::kConv3x3 ? train.conv.scheme : train.fc.scheme;
    l.gw_bits = trains_weights(s) ? kWeightGradientBits : 0;
    l.acc_bits = s == Scheme::kNaiveBatch ? 64 : 0;
    // The input's format: walk back over max-pools to what produced it.
    size_t k = i;
    while (k > 0 && shapes[k - 1].spec.kind == LayerKind::kMaxPool2) --k;
    if (k == 0) {
      l.input_fed = true;
      l.act_range = train.quant.input.range;
      l.act_signed = false;
    } else if (shapes[k - 1].spec.kind == LayerKind::kRelu) {
      l.act_range = train.quant.activation.range;
      l.act_signed = false;
    } else {  // BN output or an implicit Qas after a conv/fc
      l.act_range = train.quant.activation_signed.range;
      l.act_signed = true;
    }
    lim.push_back(l);
  }
  return lim;
}

ClampedPrecision clamp_to_datapath(const std::vector<LayerAssignment>& a, const std::vector<DatapathLimits>& lim,
                                   int delta) {
  ClampedPrecision e;
  for (size_t j = 0; j < a.size(); ++j) {
    const DatapathLimits& l = lim[j];
    e.wb.push_back(clamp_to(a[j].b_w + delta, 1, 8, "the MAC operands (Qw) are 1..8 bits"));
    if (l.input_fed)
      e.ab.push_back(pinned(a[j].b_a + delta, 8, "this layer reads the 8-bit image directly"));
    else
      e.ab.push_back(clamp_to(a[j].b_a + delta, 3, 8, "activation formats are 3..8 bits"));
    // Qg: 3..8 bits and an LSB r 2^-(B-1) of at least 2^-24.
    int ga_hi = 8;
    int r_exp = 0;
    std::frexp(a[j].r_ga, &r_exp);
    --r_exp;  // r_ga = 2^r_exp
    while (ga_hi > 3 && r_exp - (ga_hi - 1) < -24) --ga_hi;
    e.gb.push_back(clamp_to(a[j].b_ga + delta, 3, ga_hi,
                            "Qg is 3.." + std::to_string(ga_hi) + " bits at this range (LSB >= 2^-24)"));
    double gr = a[j].r_ga;
    std::string grn;
    if (r_exp > 8 || r_exp - (e.gb.back().value - 1) < -24) {  // cannot happen with the clamp above unless r is huge
      gr = 1.0;
      grn = "range outside the datapath's LSB window";
    }
    e.grange.push_back(gr);
    e.grange_note.push_back(grn);
    e.gwb.push_back(pinned(a[j].b_gw + delta, l.gw_bits,
                           l.gw_bits ? "the datapath forms weight gradients in int32 words only"
                                     : "this scheme forms no weight gradient"));
    e.accb.push_back(pinned(a[j].b_acc + delta, l.acc_bits,
                            l.acc_bits ? "naive_batch keeps an int64 accumulator only"
                                       : "this scheme keeps no weight accumulator (updates round to the weight LSB)"));
  }
  return e;
}

}  // namespace lrt::golden
