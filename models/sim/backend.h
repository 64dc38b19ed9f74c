#pragma once
// The datapath a run trains on (docs/run.md, "Engines"):
//   golden: golden::Engine with its weights in device::RramArrays called directly;
//   tlm:    the same engine inside tlm::accel_top, its weights in tlm::rram_arrays behind the
//           bus, every phase costed in cycles and energy.
// Both keep one RRAM array per trainable layer with the same specs, seed and instance (the
// layer index), so that for one configuration and seed they train to identical weights.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/checkpoint.h"
#include "core/thread_pool.h"
#include "device/rram_array.h"
#include "golden/training/engine.h"

namespace lrt::sim {

/// @brief One engine of a run (see the file comment).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  virtual golden::StepResult train(const uint8_t* image, int label) = 0;
  /// The device state (and the TLM ledger) into / out of a checkpoint.
  virtual void save(CheckpointWriter& w) const = 0;
  virtual void load(const Checkpoint& ck) = 0;
  /// @brief Places the engine's codes into the arrays (deploy, a new run) or checks that the
  /// arrays restored by load() hold them (a resumed run).
  virtual void attach(bool deploy) = 0;
  /// Lets the RRAM arrays spread their drift over `pool` (bit-identical for any thread count).
  virtual void set_thread_pool(ThreadPool* pool) = 0;
  virtual size_t arrays() const = 0;
  virtual const device::RramArray& array(size_t j) const = 0;
  /// Adds what only this engine knows (cycles, energy) to summary.json.
  virtual void add_summary(nlohmann::ordered_json& j) const = 0;
};

/// @brief The backend for `engine` ("golden" or "tlm"); vcd only with tlm (empty: none).
/// Throws InputError naming the key for what the engine cannot model.
std::unique_ptr<Backend> make_backend(const std::string& engine, const config::Specs& specs, golden::Engine& net,
                                      const std::string& vcd);

/// @brief The RRAM array specs of each trainable layer (cells for its weights, the weight format).
std::vector<device::RramArraySpecs> layer_rram_specs(const config::Specs& specs, const golden::Engine& engine);

}  // namespace lrt::sim
