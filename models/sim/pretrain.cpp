#include "sim/pretrain.h"

#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "data/stream.h"
#include "golden/training/engine.h"
#include "golden/training/model_io.h"

namespace lrt::sim {

namespace {

// Fraction of the stream's samples the engine classifies correctly (predict: no state change).
double accuracy_on(golden::Engine& engine, const data::SampleStream& stream) {
  uint64_t correct = 0;
  for (uint64_t i = 0; i < stream.size(); ++i) {
    const data::Sample s = stream.at(i);
    correct += engine.predict(s.pixels.data()) == s.label ? 1 : 0;
  }
  return stream.size() ? static_cast<double>(correct) / static_cast<double>(stream.size()) : 0.0;
}

}  // namespace

PretrainResult pretrain(const config::Specs& specs, uint64_t samples, int jobs, const PretrainHooks& hooks,
                        const DatasetSource& data) {
  const golden::NetworkSpec net = config::network_spec(specs);
  golden::TrainSpecs train = config::pretrain_specs(specs);
  train.count_pair_updates = false;  // pre-training reports no writes
  const data::Dataset dataset = config::load_dataset(specs, data);
  const data::SampleStream offline = dataset.stream(data::Split::kOfflineTrain);
  const data::SampleStream validation = dataset.stream(data::Split::kValidation);
  if (offline.size() == 0)
    throw InputError(InputLocation({}, -1, -1, "data.split.offline_train_samples"),
                     "is 0; pre-training needs offline training samples");
  const data::Sample first = offline.at(0);
  config::check_input_shape(net, first.rows, first.cols);
  std::unique_ptr<golden::Engine> engine = config::make_engine(net, train);
  ThreadPool pool(jobs);
  engine->set_thread_pool(&pool);

  PretrainResult r;
  uint64_t recent_correct = 0;  // over the current window of 1000 samples
  for (; r.samples < samples; ++r.samples) {
    if (hooks.stop && hooks.stop()) {
      r.interrupted = true;
      return r;
    }
    const data::Sample s = offline.at(r.samples % offline.size());
    recent_correct += engine->train_step(s.pixels.data(), s.label).correct ? 1 : 0;
    if (r.samples % 1000 == 999) {
      if (hooks.progress) hooks.progress(r.samples + 1, static_cast<double>(recent_correct) / 1000.0);
      recent_correct = 0;
    }
  }
  // The effective configuration travels inside the model, so the result carries what made it.
  r.model.emplace(golden::model_checkpoint(*engine, config::config_hash(specs), r.samples));
  const std::string effective = config::effective_yaml(specs);
  r.model->add_bytes("config.yaml", std::vector<uint8_t>(effective.begin(), effective.end()));
  if (samples > 0) {  // nothing learned: a validation pass would only measure chance
    r.validation = accuracy_on(*engine, validation);
    r.validation_samples = validation.size();
  }
  return r;
}

}  // namespace lrt::sim
