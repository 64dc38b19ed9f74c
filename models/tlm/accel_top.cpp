#include "tlm/accel_top.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "golden/training/schemes.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

namespace {

std::string lrt_region(int layer) { return "lrt." + std::to_string(layer); }

// Bus addresses of trainable layer j's RRAM window and of rank-reduce unit u's registers (bus.h).
uint64_t rram_window(size_t j) { return kBusRramBase + j * kBusRramLayerStride; }
uint64_t unit_window(size_t u) { return kBusRankReduceBase + u * kBusRankReduceStride; }

// The clock period of the validated specs (validated first: the period divides by clock_mhz).
sc_core::sc_time clock_period_of(const hw::AccelSpecs& specs) {
  hw::validate(specs);
  return sc_core::sc_time(1e6 / specs.clock_mhz, sc_core::SC_PS);
}

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
      if (specs.rank_reduce_units == hw::RankReduceUnits::kShared)
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
    : sc_module(name), engine_(engine), clock_period_(clock_period_of(specs)) {
  const std::vector<int>& trainable = engine.trainable_layers();
  if (specs.rram.size() != trainable.size())
    throw std::invalid_argument("accel_top: " + std::to_string(specs.rram.size()) + " RRAM specs for " +
                                std::to_string(trainable.size()) + " trainable layers");
  bus_ = std::make_unique<bus>("bus", specs.bus.latency_cycles, clock_period_);
  bus_->set_width_bits(specs.bus.width_bits);
  for (size_t j = 0; j < trainable.size(); ++j)
    rram_.push_back(std::make_unique<rram_array>(("rram_" + std::to_string(trainable[j])).c_str(), specs.rram[j],
                                                 specs.seed, static_cast<uint32_t>(trainable[j]),
                                                 clock_period_));
  sram_ = std::make_unique<sram_buffer>("sram", specs.sram, clock_period_);
  try {
    for (const SramRegionSpec& r : sram_regions(engine, specs.controller)) {
      sram_->map(r.name, r.bits);
      if (r.aux) aux_bits_ += r.bits;
    }
  } catch (const SpecError& e) {  // the buffer names its own member
    throw SpecError("sram." + e.member(), e.problem());
  }
  mac_ = std::make_unique<mac_array>("mac", specs.mac, clock_period_, mac_memory_bytes(engine));
  mac_->set_thread_pool(engine.thread_pool());  // the GEMMs' rows over the run's --jobs threads
  build_units(engine, specs);
  std::vector<rram_array*> arrays;
  for (auto& a : rram_) arrays.push_back(a.get());
  std::vector<RankReduceContextRef> contexts;
  for (size_t j = 0; j < slots_.size(); ++j) contexts.push_back(unit(j));
  ctrl_ = std::make_unique<controller>("controller", engine, arrays, contexts, sram_->buffer(),
                                       specs.controller, clock_period_);

  // Bus: initiators = the controller and the units; targets in binding order: arrays, SRAM,
  // MAC array, units (a shared unit's window holds one register bank per context).
  ctrl_->mem.bind(bus_->in);
  for (auto& u : units_) u->mem.bind(bus_->in);
  unsigned target = 0;
  for (size_t j = 0; j < rram_.size(); ++j) {
    bus_->out.bind(rram_[j]->in);
    bus_->map(rram_[j]->name(), rram_window(j), rram_[j]->size_bytes(), target++);
  }
  bus_->out.bind(sram_->in);
  bus_->map("sram", kBusSramBase, sram_->buffer().mapped_bytes(), target++);
  bus_->out.bind(mac_->in);
  bus_->map("mac", kBusMacBase, mac_->address_bytes(), target++);
  for (size_t u = 0; u < units_.size(); ++u) {
    bus_->out.bind(units_[u]->in);
    bus_->map(units_[u]->name(), unit_window(u), units_[u]->register_bytes(), target++);
  }

  if (!specs.vcd_path.empty()) {
    vcd_ = sc_core::sc_create_vcd_trace_file(specs.vcd_path.c_str());
    sc_core::sc_trace(vcd_, ctrl_->phase_signal(), "phase");
    sc_core::sc_trace(vcd_, ctrl_->sample_signal(), "sample");
    sc_core::sc_trace(vcd_, ctrl_->layer_signal(), "controller.layer");
    sc_core::sc_trace(vcd_, ctrl_->learning_signal(), "controller.learning");
    sc_core::sc_trace(vcd_, ctrl_->energy_signal(), "controller.energy_uj");
    // A busy/idle wire per module that serves one request at a time.
    auto busy_wire = [this](const std::string& module) {
      busy_.push_back(std::make_unique<BusySignal>((module + "_busy").c_str()));
      sc_core::sc_trace(vcd_, busy_.back()->busy(), module + ".busy");
      return busy_.back().get();
    };
    mac_->trace_busy(busy_wire("mac"));
    sram_->trace_busy(busy_wire("sram"));
    for (auto& r : rram_) r->trace_busy(busy_wire(r->basename()));
    for (auto& u : units_) u->trace_busy(busy_wire(u->basename()));
    if (specs.bus.width_bits > 0) bus_->trace_busy(busy_wire("bus"));
    bus_->trace_transactions(true);
    sc_core::sc_trace(vcd_, bus_->transactions_signal(), "bus.transactions");
  }
}

void accel_top::build_units(const golden::Engine& engine, const AccelSpecs& specs) {
  const std::vector<int>& trainable = engine.trainable_layers();
  const bool shared = specs.controller.rank_reduce_units == hw::RankReduceUnits::kShared;
  RankReduceUnitSpecs unit_specs = specs.rank_reduce_unit;  // its state words at this SRAM's price
  unit_specs.sram_read_energy_per_bit = sram_->buffer().read_energy_per_bit();
  unit_specs.sram_write_energy_per_bit = sram_->buffer().write_energy_per_bit();
  std::vector<RankReduceContextSpec> contexts;  // the shared unit's
  std::vector<size_t> lrt_layers;               // trainable index of each context
  slots_.assign(trainable.size(), Slot{});
  for (size_t j = 0; j < trainable.size(); ++j) {
    const golden::LrtAccumulator* acc = engine.affine(trainable[j]).updater().lrt_accumulator();
    if (acc == nullptr) continue;
    if (specs.controller.lr_bits != 16)
      throw SpecError("controller.lr_bits",
                      std::to_string(specs.controller.lr_bits) +
                          " but the rank-reduce unit stores 16-bit Q_L / Q_R codes; expected 16");
    const golden::RankReduceParams& p = acc->params().reducer;
    const device::SramRegion& region = sram_->buffer().region(lrt_region(trainable[j]));
    const uint64_t state_addr = kBusSramBase + region.offset_bytes;
    slots_[j].pair_addr = state_addr + rank_reduce_unit::state_bytes(p);
    // The RTL runs on the accelerator's clock (its STEPs come from the learning processes).
    RankReduceContextSpec context{make_rank_reduce_impl(specs.rank_reduce_impl, p, clock_period_), state_addr,
                                  static_cast<uint32_t>(slots_[j].pair_addr)};
    if (shared) {
      slots_[j].registers = unit_window(0) + contexts.size() * rank_reduce_unit::kRegisterBytes;
      slots_[j].context = contexts.size();
      contexts.push_back(std::move(context));
      lrt_layers.push_back(j);
      continue;
    }
    std::vector<RankReduceContextSpec> one;
    one.push_back(std::move(context));
    slots_[j].registers = unit_window(units_.size());
    units_.push_back(std::make_unique<rank_reduce_unit>(("rank_reduce_" + std::to_string(trainable[j])).c_str(),
                                                        unit_specs, std::move(one), clock_period_));
    slots_[j].unit = units_.back().get();
  }
  if (!contexts.empty()) {
    units_.push_back(std::make_unique<rank_reduce_unit>("rank_reduce", unit_specs,
                                                        std::move(contexts), clock_period_));
    for (size_t j : lrt_layers) slots_[j].unit = units_.back().get();
  }
}

accel_top::~accel_top() {
  engine_.attach_weight_stores({}, false);  // the stores and kernels die with this module
  for (int l : engine_.trainable_layers()) engine_.install_mac_kernels(l, nullptr);
  for (int l : batch_norm_layers()) engine_.install_mac_kernels(l, nullptr);
  if (vcd_ != nullptr) sc_core::sc_close_vcd_trace_file(vcd_);
}

void accel_top::set_thread_pool(ThreadPool* pool) {
  for (auto& a : rram_) a->set_thread_pool(pool);
  mac_->set_thread_pool(pool);
  const bool parallel = pool != nullptr && pool->threads() > 1;
  for (auto& u : units_) u->set_speculative(parallel);
}

std::vector<int> accel_top::batch_norm_layers() const {
  std::vector<int> layers;
  const std::vector<golden::LayerShape> shapes = golden::derive_shapes(engine_.network());
  for (size_t l = 0; l < shapes.size(); ++l)
    if (shapes[l].spec.kind == golden::LayerKind::kBatchNorm) layers.push_back(static_cast<int>(l));
  return layers;
}

uint64_t accel_top::sram_mapped_bits() const { return sram_->buffer().mapped_bits(); }

void accel_top::attach_weights(bool deploy) {
  if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) sc_core::sc_start(sc_core::SC_ZERO_TIME);
  stores_.clear();
  reducers_.assign(rram_.size(), nullptr);
  std::vector<WeightStore*> stores;
  std::vector<TlmWeightStore*> tlm_stores;
  for (size_t j = 0; j < rram_.size(); ++j) {
    stores_.push_back(std::make_unique<TlmWeightStore>(*ctrl_->mem.operator->(), rram_window(j), *rram_[j],
                                                       ctrl_->layer_time(j)));
    stores.push_back(stores_.back().get());
    tlm_stores.push_back(stores_.back().get());
  }
  engine_.attach_weight_stores(stores, deploy);
  const std::vector<int>& trainable = engine_.trainable_layers();
  mac_kernels_.clear();
  std::vector<TlmMacKernels*> kernels;
  for (size_t j = 0; j < rram_.size(); ++j) {
    mac_kernels_.push_back(std::make_unique<TlmMacKernels>(*ctrl_->mem.operator->(), kBusMacBase, mac_->memory_bytes(),
                                                           engine_.pfq() != nullptr, ctrl_->layer_time(j)));
    kernels.push_back(mac_kernels_.back().get());
    engine_.install_mac_kernels(trainable[j], kernels.back());
  }
  // One set for the batch-norm layers, in the time of the op that runs them.
  bn_kernels_.reset();
  const std::vector<int> bn_layers = batch_norm_layers();
  if (!bn_layers.empty())
    bn_kernels_ = std::make_unique<TlmMacKernels>(*ctrl_->mem.operator->(), kBusMacBase, mac_->memory_bytes(), false,
                                                  ctrl_->op_time());
  for (int l : bn_layers) engine_.install_mac_kernels(l, bn_kernels_.get());
  for (size_t j = 0; j < slots_.size(); ++j) {
    const Slot& s = slots_[j];
    if (s.unit == nullptr) continue;
    s.unit->load_state(engine_.lrt_reducer_model(trainable[j]).state(), s.context);
    auto reducer = std::make_unique<UnitRankReducer>(*ctrl_->mem.operator->(), *s.unit, s.context, s.registers,
                                                     s.pair_addr, ctrl_->layer_time(j));
    reducers_[j] = reducer.get();
    engine_.install_rank_reducer(trainable[j], std::move(reducer));
  }
  ctrl_->attach(tlm_stores, reducers_, kernels, bn_kernels_.get());
  // A resumed run goes on at the simulated time it stopped at (the ledger's cycles), so that the
  // processes' quantum boundaries, and with them the order in which they reach shared
  // resources, are those of the uninterrupted run.
  const sc_core::sc_time resume_at = clock_cycles(ctrl_->ledger().total_cycles(), clock_period_);
  if (!deploy && sc_core::sc_time_stamp() < resume_at) sc_core::sc_start(resume_at - sc_core::sc_time_stamp());
}

golden::StepResult accel_top::train_sample(const uint8_t* image, int label) {
  const golden::StepResult r = ctrl_->train_sample(image, label);
  const BusStats s = bus_->stats();
  if (s.foreign_thread_calls != 0 || s.outside_process_calls != 0)
    throw std::logic_error("accel_top: the bus was called from outside a SystemC process (" +
                           std::to_string(s.foreign_thread_calls) + " calls from other threads, " +
                           std::to_string(s.outside_process_calls) + " from sc_main)");
  return r;
}

}  // namespace lrt::tlm
