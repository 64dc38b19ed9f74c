#pragma once
// The tiny run of the sim library's tests: a network on 12x12 images of 4 classes, in-memory
// synthetic data, every other key at its default.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"
#include "data/synthetic_data.h"
#include "sim/session.h"

namespace lrt::sim {

// A tiny network on 12x12 images of 4 classes; every other key at its default.
inline config::Specs tiny_specs(uint64_t samples, const std::vector<std::string>& sets = {}) {
  const std::string yaml =
      "run: {seed: 3, samples: " + std::to_string(samples) + ", trace_every: 20}\n"
      "data:\n"
      "  num_classes: 4\n"
      "  split: {offline_train_sources: 100, validation_sources: 50, online_sources: 150,\n"
      "          offline_train_samples: 400, validation_samples: 200, online_samples: 3000}\n"
      "  elastic: {alpha: 2, sigma: 1}\n"
      "network:\n"
      "  input: {h: 12, w: 12, c: 1}\n"
      "  layers: [conv3x3 4, maxpool2, relu, batchnorm, fc 4]\n"
      "train:\n"
      "  conv: {batch: 5}\n"
      "  fc: {batch: 10}\n";
  return config::parse_specs(yaml, "tiny.yaml", sets);
}

inline DatasetSource tiny_data() {
  return [](const data::DataSpecs& specs, uint64_t seed) {
    return data::Dataset(data::testing::synthetic_images(300, 0, 12, 12, 4),
                         data::testing::synthetic_images(40, 1, 12, 12, 4), specs, seed);
  };
}

// The message of the InputError `f` throws ("file:line: key: problem"), which names the key.
template <class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace lrt::sim
