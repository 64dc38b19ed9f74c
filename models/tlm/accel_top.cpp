#include "tlm/accel_top.h"

#include <algorithm>
#include <string>

#include "golden/training/schemes.h"

namespace lrt::tlm {

namespace {

std::string lrt_region(int layer) { return "lrt." + std::to_string(layer); }

// Bus addresses of trainable layer j's RRAM window and rank-reduce unit registers (bus.h).
uint64_t rram_window(size_t j) { return kBusRramBase + j * kBusRramLayerStride; }
uint64_t unit_registers(size_t j) { return kBusRankReduceBase + j * kBusRankReduceStride; }

}  // namespace

std::vector<SramRegionSpec> sram_regions(const golden::Engine& engine, const ControllerSpecs& specs) {
  const std::vector<golden::LayerShape> shapes = golden::derive_shapes(engine.network());
  const uint64_t act = specs.activation_word_bits;
  uint64_t activations = static_cast<uint64_t>(shapes.front().in.size());
  uint64_t widest = 0, biases = 0, bn = 0, scratch = 0;
  std::vector<SramRegionSpec> state;
  for (size_t l = 0; l < shapes.size(); ++l) {
    const golden::LayerShape& s = shapes[l];
    const auto in = static_cast<uint64_t>(s.in.size()), out = static_cast<uint64_t>(s.out.size());
    activations += out;
    widest = std::max(widest, in + out);
    if (s.spec.kind == golden::LayerKind::kBatchNorm) bn += static_cast<uint64_t>(s.out.c) * 4;  // mean, var, gamma, beta
    if (!s.trainable()) continue;
    const golden::AffineLayer& layer = engine.affine(static_cast<int>(l));
    const auto n_o = static_cast<uint64_t>(layer.n_out()), k = static_cast<uint64_t>(layer.fan_in());
    biases += n_o;
    const std::string tag = std::to_string(l);
    if (const golden::LrtAccumulator* acc = layer.updater().lrt_accumulator()) {
      // The unit's state as the RTL stores it (hw::rr_unit_memory: the basis codes and the
      // metadata words; the TLM unit's own byte layout fits inside), then the pair buffer; the
      // Gram-Schmidt scratch is one region for a shared unit, the largest layer's.
      const hw::RrUnitMemory m = hw::rr_unit_memory(acc->params().reducer.rank, n_o, k);
      state.push_back({lrt_region(static_cast<int>(l)), 64 * m.state_words() + (n_o + k) * act, true});
      if (specs.shared_rank_reduce_unit)
        scratch = std::max(scratch, m.scratch_words);
      else
        state.push_back({"lrt_scratch." + tag, 64 * m.scratch_words, true});
    } else if (layer.updater().scheme() == golden::Scheme::kNaiveBatch) {
      state.push_back({"batch." + tag, n_o * k * 32, true});
    }
  }
  std::vector<SramRegionSpec> regions{{"activations", activations * act, false},
                                      {"gradients", widest * act, false},
                                      {"biases", biases * 16, false}};
  if (bn > 0) regions.push_back({"batchnorm", bn * 16, false});
  regions.insert(regions.end(), state.begin(), state.end());
  if (scratch > 0) regions.push_back({"lrt_scratch", 64 * scratch, true});
  return regions;
}

accel_top::accel_top(const sc_core::sc_module_name& name, golden::Engine& engine, const AccelSpecs& specs)
    : sc_module(name), engine_(engine), clock_period_(specs.clock_period) {
  const std::vector<int>& trainable = engine.trainable_layers();
  if (specs.rram.size() != trainable.size())
    throw std::invalid_argument("accel_top: " + std::to_string(specs.rram.size()) + " RRAM specs for " +
                                std::to_string(trainable.size()) + " trainable layers");
  bus_ = std::make_unique<bus>("bus", 0, specs.clock_period);
  for (size_t j = 0; j < trainable.size(); ++j)
    rram_.push_back(std::make_unique<rram_array>(("rram_" + std::to_string(trainable[j])).c_str(), specs.rram[j],
                                                 specs.seed, static_cast<uint32_t>(trainable[j]), specs.clock_period));
  sram_ = std::make_unique<sram_buffer>("sram", specs.sram, specs.clock_period);
  for (const SramRegionSpec& r : sram_regions(engine, specs.controller)) {
    sram_->map(r.name, r.bits);
    if (r.aux) aux_bits_ += r.bits;
  }
  mac_ = std::make_unique<mac_array>("mac", specs.mac, specs.clock_period);
  for (size_t j = 0; j < trainable.size(); ++j) {
    const golden::LrtAccumulator* acc = engine.affine(trainable[j]).updater().lrt_accumulator();
    pair_addr_.push_back(0);
    if (acc == nullptr) {
      units_.push_back(nullptr);
      continue;
    }
    if (specs.controller.lr_bits != 16)
      throw std::invalid_argument("the rank-reduce unit stores 16-bit Q_L / Q_R codes; lr_bits is " +
                                  std::to_string(specs.controller.lr_bits));
    const golden::RankReduceParams& p = acc->params().reducer;
    const device::SramRegion& region = sram_->buffer().region(lrt_region(trainable[j]));
    const uint64_t state_addr = kBusSramBase + region.offset_bytes;
    pair_addr_.back() = state_addr + rank_reduce_unit::state_bytes(p);
    units_.push_back(std::make_unique<rank_reduce_unit>(("rank_reduce_" + std::to_string(trainable[j])).c_str(),
                                                        specs.controller.rank_reduce,
                                                        make_rank_reduce_impl(specs.rank_reduce_impl, p),
                                                        state_addr, specs.clock_period));
  }
  std::vector<rram_array*> arrays;
  for (auto& a : rram_) arrays.push_back(a.get());
  std::vector<const rank_reduce_unit*> units;
  for (auto& u : units_) units.push_back(u.get());
  ctrl_ = std::make_unique<controller>("controller", engine, arrays, units, *mac_, sram_->buffer(), specs.controller,
                                       specs.clock_period);

  // Bus: initiators = the controller and the units; targets in binding order: arrays, SRAM,
  // MAC array, units.
  ctrl_->mem.bind(bus_->in);
  for (auto& u : units_)
    if (u) u->mem.bind(bus_->in);
  unsigned target = 0;
  for (size_t j = 0; j < rram_.size(); ++j) {
    bus_->out.bind(rram_[j]->in);
    bus_->map(rram_[j]->name(), rram_window(j), rram_[j]->size_bytes(), target++);
  }
  bus_->out.bind(sram_->in);
  bus_->map("sram", kBusSramBase, sram_->buffer().mapped_bytes(), target++);
  bus_->out.bind(mac_->in);
  bus_->map("mac", kBusMacBase, sizeof(MacJob), target++);
  for (size_t j = 0; j < units_.size(); ++j) {
    if (!units_[j]) continue;
    bus_->out.bind(units_[j]->in);
    bus_->map(units_[j]->name(), unit_registers(j), rank_reduce_unit::kRegisterBytes, target++);
  }

  if (!specs.vcd_path.empty()) {
    vcd_ = sc_core::sc_create_vcd_trace_file(specs.vcd_path.c_str());
    sc_core::sc_trace(vcd_, ctrl_->phase_signal(), "phase");
    sc_core::sc_trace(vcd_, ctrl_->sample_signal(), "sample");
  }
}

accel_top::~accel_top() {
  engine_.attach_weight_stores({}, false);  // the stores die with this module
  if (vcd_ != nullptr) sc_core::sc_close_vcd_trace_file(vcd_);
}

uint64_t accel_top::sram_mapped_bits() const { return sram_->buffer().mapped_bits(); }

void accel_top::attach_weights(bool deploy) {
  if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) sc_core::sc_start(sc_core::SC_ZERO_TIME);
  stores_.clear();
  store_delays_.assign(rram_.size(), sc_core::SC_ZERO_TIME);  // one per store: they may run on different threads
  std::vector<WeightStore*> stores;
  for (size_t j = 0; j < rram_.size(); ++j) {
    stores_.push_back(std::make_unique<TlmWeightStore>(*ctrl_->mem.operator->(), rram_window(j), *rram_[j],
                                                       store_delays_[j]));
    stores.push_back(stores_.back().get());
  }
  engine_.attach_weight_stores(stores, deploy);
  const std::vector<int>& trainable = engine_.trainable_layers();
  for (size_t j = 0; j < units_.size(); ++j) {
    if (!units_[j]) continue;
    units_[j]->load_state(engine_.lrt_reducer_model(trainable[j]).state());
    engine_.install_rank_reducer(trainable[j],
                                 std::make_unique<UnitRankReducer>(*ctrl_->mem.operator->(), *units_[j],
                                                                   unit_registers(j), pair_addr_[j], ctrl_->lrt_delay(j)));
  }
}

}  // namespace lrt::tlm
