#include "sim/precision.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "config/config.h"
#include "core/error.h"
#include "data/stream.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"

namespace lrt::sim {

namespace {

[[noreturn]] void bad_key(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

// p_m: the fraction of the set whose float top-1 class changes under the assignment's
// feedforward widths.
double mismatch_of(const golden::FloatNetwork& fnet, const std::vector<data::Sample>& set,
                   const std::vector<golden::LayerAssignment>& a, const std::vector<golden::DatapathLimits>& lim) {
  golden::ForwardQuantization q;
  for (size_t j = 0; j < a.size(); ++j) {
    q.weight_bits.push_back(a[j].b_w);
    q.weight_range.push_back(lim[j].weight_range);
    q.activation_bits.push_back(a[j].b_a);
    q.activation_range.push_back(lim[j].act_range);
    q.activation_signed.push_back(lim[j].act_signed);
  }
  uint64_t differ = 0;
  for (const data::Sample& s : set) {
    const std::vector<double> zf = golden::float_logits(fnet, s.pixels.data());
    const std::vector<double> zq = golden::float_logits(fnet, s.pixels.data(), &q);
    differ += std::max_element(zf.begin(), zf.end()) - zf.begin() !=
                      std::max_element(zq.begin(), zq.end()) - zq.begin()
                  ? 1
                  : 0;
  }
  return set.empty() ? 0.0 : static_cast<double>(differ) / static_cast<double>(set.size());
}

}  // namespace

PrecisionResult precision_assignment(const config::Specs& specs, const CheckpointSource& model,
                                     const PrecisionRequest& request, const PrecisionHooks& hooks,
                                     const DatasetSource& data) {
  if (!(request.mismatch > 0.0 && request.mismatch < 1.0)) bad_key("--mismatch", "must be in (0, 1)");
  if (!specs.train.precision.weight_bits.empty() || !specs.train.precision.activation_bits.empty() ||
      !specs.train.precision.gradient_bits.empty() || !specs.train.precision.weight_range.empty() ||
      !specs.train.precision.gradient_range.empty())
    bad_key("train.precision", "is set; the assignment starts from the uniform train.quant formats (remove the "
                               "per-layer widths)");
  const golden::NetworkSpec net = config::network_spec(specs);
  std::unique_ptr<golden::Engine> engine = config::make_engine(net, config::train_specs(specs));
  golden::load_model(model(), *engine);

  const data::Dataset dataset = config::load_dataset(specs, data);
  const data::SampleStream val = dataset.stream(data::Split::kValidation);
  if (request.samples > val.size())
    bad_key("--samples", std::to_string(request.samples) + " exceeds the " + std::to_string(val.size()) +
                             " validation samples (data.split.validation_samples)");

  const golden::FloatNetwork fnet = golden::float_network(*engine);
  golden::NoiseGainEstimator est(fnet);
  std::vector<data::Sample> set;
  for (uint64_t i = 0; i < request.samples; ++i) {
    set.push_back(val.at(i));
    est.add(set.back().pixels.data(), set.back().label);
    if (hooks.estimation) hooks.estimation(i + 1);
  }
  PrecisionResult r;
  r.estimation_samples = est.samples();
  r.estimation_correct = est.correct();
  r.stats = est.stats();
  // What each layer's datapath can honour.
  r.limits = golden::datapath_limits(net, engine->specs());
  for (size_t j = 0; j < r.stats.size(); ++j) r.stats[j].weight_range = r.limits[j].weight_range;

  r.params.gamma_min = specs.train.learning_rate;
  try {
    if (request.b_min > 0) {
      r.params.b_min = request.b_min;
      r.assignment = golden::assign_precision(r.stats, r.params);
      r.mismatch = mismatch_of(fnet, set, r.assignment, r.limits);
    } else {
      // The paper's App. E: the smallest B^(min) whose feedforward widths keep p_m below target.
      for (int b = 1; b <= 16; ++b) {
        r.params.b_min = b;
        r.assignment = golden::assign_precision(r.stats, r.params);
        r.mismatch = mismatch_of(fnet, set, r.assignment, r.limits);
        if (hooks.search_step) hooks.search_step(b, r.mismatch);
        if (r.mismatch < request.mismatch) break;
      }
    }
  } catch (const std::invalid_argument& e) {
    throw RunError(std::string(e.what()) + " (measured on " + std::to_string(est.samples()) +
                   " estimation samples; try more --samples)");
  }
  return r;
}

}  // namespace lrt::sim
