#include "tlm/controller.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "golden/training/schemes.h"
#include "tlm/bus.h"
#include "tlm/tlm_mac_kernels.h"
#include "tlm/tlm_util.h"
#include "tlm/tlm_weight_store.h"
#include "tlm/unit_rank_reducer.h"

namespace lrt::tlm {

controller::Port::Port() : tag(new CostTag) { trans.set_extension(tag); }

controller::controller(const sc_core::sc_module_name& name, golden::Engine& engine,
                       std::vector<rram_array*> arrays, std::vector<RankReduceContextRef> units,
                       const device::SramBuffer& sram, const ControllerSpecs& specs,
                       const sc_core::sc_time& clock_period)
    : sc_module(name),
      mem("mem"),
      engine_(engine),
      arrays_(std::move(arrays)),
      units_(std::move(units)),
      sram_(sram),
      specs_(specs),
      clock_period_(clock_period),
      phase_("phase", kPhases),
      sample_("sample", 0),
      layer_("layer", -1),
      learning_("learning", 0),
      energy_uj_("energy_uj", 0.0) {
  shapes_ = golden::derive_shapes(engine_.network());
  const std::vector<int>& trainable = engine_.trainable_layers();
  if (arrays_.size() != trainable.size())
    throw std::invalid_argument("controller: " + std::to_string(arrays_.size()) + " RRAM arrays for " +
                                std::to_string(trainable.size()) + " trainable layers");
  if (units_.size() != arrays_.size())
    throw std::invalid_argument("controller: " + std::to_string(units_.size()) + " unit slots for " +
                                std::to_string(arrays_.size()) + " trainable layers");
  validate(specs_);
  trainable_index_.assign(shapes_.size(), -1);
  for (size_t j = 0; j < trainable.size(); ++j) {
    const int l = trainable[j];
    trainable_index_[static_cast<size_t>(l)] = static_cast<int>(j);
    const golden::Scheme s = engine_.affine(l).updater().scheme();
    if ((s == golden::Scheme::kLrt) != static_cast<bool>(units_[j]))
      throw std::invalid_argument("controller: layer " + std::to_string(l) +
                                  " needs a rank-reduce unit exactly when it trains with LRT");
    if (s == golden::Scheme::kUoro)
      throw std::invalid_argument("the TLM engine has no cost model for the uoro scheme (layer " +
                                  std::to_string(l) + "); use the golden engine");
    if (s == golden::Scheme::kLrt && engine_.specs().rank_reduce_arith != golden::RankReduceArith::kFixed)
      throw std::invalid_argument(
          "the TLM engine models the fixed-point rank-reduce unit; float rank reduction is the golden "
          "engine's double-precision reference");
  }
  // The activations region holds the input map, then each layer's output map (sram_regions).
  const uint64_t code_bytes = specs_.activation_word_bits / 8;
  act_offset_.push_back(sram_address("activations"));
  act_offset_.push_back(act_offset_.back() + code_bytes * static_cast<uint64_t>(shapes_.front().in.size()));
  for (const golden::LayerShape& s : shapes_)
    act_offset_.push_back(act_offset_.back() + code_bytes * static_cast<uint64_t>(s.out.size()));
  act_offset_.erase(act_offset_.begin());  // act_offset_[l]: layer l's input map
  grad_addr_ = sram_address("gradients");
  state_addr_.assign(shapes_.size(), 0);  // each learning layer's training-state region, looked up once
  for (int l : trainable) {
    const golden::WeightUpdater& u = engine_.affine(l).updater();
    if (u.lrt_accumulator() != nullptr) state_addr_[static_cast<size_t>(l)] = sram_address("lrt." + std::to_string(l));
    if (u.scheme() == golden::Scheme::kNaiveBatch)
      state_addr_[static_cast<size_t>(l)] = sram_address("batch." + std::to_string(l));
  }

  layer_time_.assign(trainable.size(), sc_core::SC_ZERO_TIME);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(clock_cycles(specs_.quantum_cycles, clock_period_));
  qk_.reset();
  engine_.set_sequenced_learning(true);
  SC_HAS_PROCESS(controller);
  SC_THREAD(run);
  for (size_t j = 0; j < trainable.size(); ++j) {
    learners_.push_back(std::make_unique<Learner>());
    learners_.back()->port = std::make_unique<Port>();
    sc_core::sc_spawn([this, j] { learn(j); }, sc_core::sc_gen_unique_name("learn"));
  }
}

uint64_t controller::sram_address(const std::string& region) const {
  return kBusSramBase + sram_.region(region).offset_bytes;
}

void controller::attach(const std::vector<TlmWeightStore*>& stores, const std::vector<UnitRankReducer*>& reducers,
                        const std::vector<TlmMacKernels*>& kernels, TlmMacKernels* bn_kernels) {
  if (stores.size() != arrays_.size() || reducers.size() != arrays_.size() || kernels.size() != arrays_.size())
    throw std::invalid_argument("controller: one store, reducer slot and MAC kernels per trainable layer");
  stores_ = stores;
  bn_kernels_ = bn_kernels;
  if (bn_kernels_ != nullptr) bn_kernels_->tag().ledger = &ledger_;
  for (size_t j = 0; j < stores_.size(); ++j) {
    const int l = engine_.trainable_layers()[j];
    stores_[j]->tag().ledger = &ledger_;
    stores_[j]->tag().layer = l;
    kernels[j]->tag().ledger = &ledger_;
    kernels[j]->tag().layer = l;
    if (reducers[j] != nullptr) {
      reducers[j]->tag().ledger = &ledger_;
      reducers[j]->tag().layer = l;
      reducers[j]->tag().phase = Phase::kLrt;
    }
  }
}

golden::StepResult controller::train_sample(const uint8_t* image, int label) {
  if (stores_.empty() && !arrays_.empty())
    throw std::logic_error("controller: train_sample before attach (accel_top::attach_weights)");
  image_ = image;
  label_ = label;
  done_ = false;
  error_ = nullptr;
  start_.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();  // until the process pauses the kernel at the sample's end
  if (error_) std::rethrow_exception(error_);
  if (!done_) throw std::logic_error("controller: the kernel ran out of events before the sample ended");
  return result_;
}

void controller::run() {
  for (;;) {
    sc_core::wait(start_);
    try {
      result_ = sequence(image_, label_);
    } catch (...) {
      error_ = std::current_exception();
    }
    done_ = true;
    sc_core::sc_pause();
  }
}

uint64_t controller::cycles(const sc_core::sc_time& t) const {
  if (t.value() % clock_period_.value() != 0)
    throw std::logic_error("controller: " + t.to_string() + " is not a whole number of clock cycles");
  return t.value() / clock_period_.value();
}

void controller::set_phase(Phase p, int layer) {
  phase_.write(static_cast<uint32_t>(p));
  layer_.write(layer);
  energy_uj_.write(device::to_picojoules(ledger_.total_energy()) * 1e-6);
}

golden::StepResult controller::sequence(const uint8_t* image, int label) {
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  sc_core::sc_time t = qk_.get_local_time();
  // Runs the engine's op i with layer l's store annotating into the controller's local time.
  auto run_op = [&](size_t i, Phase phase, auto&& op) {
    const int l = engine_.layer_of_op(i);
    const int j = l >= 0 ? trainable_index_[static_cast<size_t>(l)] : -1;
    if (l >= 0) layer_.write(l);  // shown at the controller's next synchronization
    if (j >= 0) {
      stores_[static_cast<size_t>(j)]->tag().phase = phase;
      layer_time_[static_cast<size_t>(j)] = t;
    } else {
      op_time_ = t;
      if (bn_kernels_ != nullptr) bn_kernels_->tag().layer = l;
    }
    op(i);
    t = j >= 0 ? layer_time_[static_cast<size_t>(j)] : op_time_;
    return l;
  };
  auto sync_if_needed = [&] {
    qk_.set(t);
    if (qk_.need_sync()) qk_.sync();
    t = qk_.get_local_time();
  };
  auto sync_now = [&] {
    qk_.set(t);
    qk_.sync();
    t = sc_core::SC_ZERO_TIME;
  };

  set_phase(Phase::kForward, -1);
  engine_.begin_step(image, label);
  for (size_t i = 0; i < engine_.ops(); ++i) {
    const int l = run_op(i, Phase::kForward, [&](size_t k) { engine_.forward_op(k); });
    if (l >= 0) forward_costs(l, t);
    sync_if_needed();
  }
  const golden::StepResult r = engine_.finish_forward(label);
  sync_now();
  const sc_core::sc_time forward_end = sc_core::sc_time_stamp();

  set_phase(Phase::kBackward, -1);
  uint32_t learning = 0;
  for (int i = static_cast<int>(engine_.ops()) - 1;
       engine_.lowest_learning_op() >= 0 && i >= engine_.lowest_learning_op(); --i) {
    const auto op = static_cast<size_t>(i);
    const int l = run_op(op, Phase::kBackward, [&](size_t k) { engine_.backward_op(k); });
    if (l < 0) continue;
    backward_costs(l, t);
    const int j = trainable_index_[static_cast<size_t>(l)];
    if (j >= 0) {
      // The layer's learning starts now, beside the rest of the backward pass. Its pairs are
      // announced at once, so that a unit computing ahead starts on them now (host side only).
      engine_.prepare_learning(l);
      sync_now();
      Learner& L = *learners_[static_cast<size_t>(j)];
      L.busy = true;
      L.folded = false;
      L.error = nullptr;
      L.start.notify(sc_core::SC_ZERO_TIME);
      learning_.write(++learning);
    } else {
      sync_if_needed();
    }
  }
  sync_now();
  const sc_core::sc_time backward_end = sc_core::sc_time_stamp();

  // Join: the next sample's forward reads the weights the learning wrote. First every layer's
  // last pair (the LRT phase's end), then every update.
  set_phase(Phase::kLrt, -1);
  for (const auto& L : learners_)
    while (!L->folded) sc_core::wait(L->folded_event);
  const sc_core::sc_time lrt_end = sc_core::sc_time_stamp();
  set_phase(Phase::kUpdate, -1);
  for (const auto& L : learners_) {
    while (L->busy) sc_core::wait(L->done_event);
    if (L->error) std::rethrow_exception(L->error);
  }
  learning_.write(0);
  const sc_core::sc_time end = sc_core::sc_time_stamp();

  set_phase(Phase::kDrift, -1);
  engine_.end_step(r);  // drift: the device's own clock, no controller time
  // Each phase's stretch of the critical path, and the SRAM's leakage over it.
  auto account = [this](Phase p, const sc_core::sc_time& span) {
    ledger_.add_cycles(p, cycles(span));
    ledger_.add_energy(p, Component::kSramLeakage, sram_.leakage_energy(span.to_seconds()));
  };
  account(Phase::kForward, forward_end - t0);
  account(Phase::kBackward, backward_end - forward_end);
  account(Phase::kLrt, lrt_end - backward_end);
  account(Phase::kUpdate, end - lrt_end);
  phase_.write(kPhases);
  layer_.write(-1);
  energy_uj_.write(device::to_picojoules(ledger_.total_energy()) * 1e-6);
  sample_.write(engine_.samples_trained());
  return r;
}

void controller::learn(size_t j) {
  Learner& L = *learners_[j];
  const int l = engine_.trainable_layers()[j];
  for (;;) {
    sc_core::wait(L.start);
    try {
      golden::AffineLayer& layer = engine_.affine(l);
      const uint64_t attempts = layer.updater().stats().attempts;
      stores_[j]->tag().phase = Phase::kUpdate;
      // The rank-reduce unit blocks this process for each pair, so when learn_layer returns its
      // last pair has just been folded (the LRT phase's end for this layer); the store's writes
      // after it annotate into this process's local time, up to the end of the update.
      layer_time_[j] = sc_core::SC_ZERO_TIME;
      engine_.learn_layer(l);
      sc_core::sc_time t = layer_time_[j];
      L.folded = true;
      L.folded_event.notify();
      learn_costs(j, layer.updater().stats().attempts - attempts, t);
      sc_core::wait(t);
    } catch (...) {
      L.error = std::current_exception();
    }
    L.folded = true;
    L.busy = false;
    L.folded_event.notify();
    L.done_event.notify();
  }
}

void controller::transport(Port& p, Phase phase, int layer, ::tlm::tlm_command cmd, uint64_t addr, uint64_t bytes,
                           sc_core::sc_time& t) {
  ::tlm::tlm_generic_payload& tr = p.trans;  // reused: constructing a payload allocates
  if (p.data.size() < bytes) p.data.resize(bytes);
  p.tag->ledger = &ledger_;
  p.tag->phase = phase;
  p.tag->layer = layer;
  tr.set_command(cmd);
  tr.set_address(addr);
  tr.set_data_ptr(p.data.data());
  tr.set_data_length(static_cast<unsigned>(bytes));
  tr.set_streaming_width(static_cast<unsigned>(bytes));
  tr.set_byte_enable_ptr(nullptr);
  tr.set_dmi_allowed(false);
  tr.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  mem->b_transport(tr, t);
  if (tr.is_response_error())
    throw std::logic_error("controller: " + tr.get_response_string() + " for " + std::to_string(bytes) +
                           " bytes at bus address " + std::to_string(addr));
}

void controller::sram_read(Port& p, Phase phase, int layer, uint64_t addr, uint64_t bits, sc_core::sc_time& t) {
  if (bits > 0) transport(p, phase, layer, ::tlm::TLM_READ_COMMAND, addr, (bits + 7) / 8, t);
}

void controller::sram_write_codes(Port& p, Phase phase, int layer, uint64_t addr, const std::vector<int16_t>& codes,
                                  sc_core::sc_time& t) {
  const unsigned code_bytes = specs_.activation_word_bits / 8;
  const uint64_t bytes = codes.size() * code_bytes;
  if (bytes == 0) return;
  if (p.data.size() < bytes) p.data.resize(bytes);
  store_codes_le(codes.data(), codes.size(), p.data.data(), code_bytes);  // vectorized for 1 and 2 bytes
  transport(p, phase, layer, ::tlm::TLM_WRITE_COMMAND, addr, bytes, t);
}

void controller::forward_costs(int l, sc_core::sc_time& t) {
  const golden::LayerShape& s = shapes_[static_cast<size_t>(l)];
  const uint64_t act = specs_.activation_word_bits;
  const auto in = static_cast<uint64_t>(s.in.size());
  // The layer reads its input map and writes its output map (the codes the datapath computed).
  sram_read(port_, Phase::kForward, l, act_offset_[static_cast<size_t>(l)], in * act, t);
  sram_write_codes(port_, Phase::kForward, l, act_offset_[static_cast<size_t>(l) + 1],
                   engine_.activation(static_cast<size_t>(engine_.op_of_layer(l)) + 1), t);
  // A trainable layer's GEMM and batch norm's element-wise work ran on the MAC array inside
  // the op (tlm_mac_kernels.h).
}

void controller::backward_costs(int l, sc_core::sc_time& t) {
  if (!engine_.runs_backward(l)) return;
  const golden::LayerShape& s = shapes_[static_cast<size_t>(l)];
  const uint64_t act = specs_.activation_word_bits;
  const auto in = static_cast<uint64_t>(s.in.size()), out = static_cast<uint64_t>(s.out.size());
  const bool input_grad = engine_.computes_input_gradient(l);
  // The layer reads its output gradient and writes its input gradient (the datapath's codes).
  sram_read(port_, Phase::kBackward, l, grad_addr_, out * act, t);
  if (input_grad)
    sram_write_codes(port_, Phase::kBackward, l, grad_addr_ + out * act / 8,
                     engine_.gradient(static_cast<size_t>(engine_.op_of_layer(l))), t);
  if (!s.trainable()) return;

  const golden::AffineLayer& layer = engine_.affine(l);
  const auto n_o = static_cast<uint64_t>(layer.n_out()), k = static_cast<uint64_t>(layer.fan_in());
  // The input gradient, the bias gradient, and (in the layer's learning) the weight gradient
  // or per-pixel SGD's products ran on the MAC array (tlm_mac_kernels.h).
  const golden::Scheme scheme = layer.updater().scheme();
  if (golden::trains_bias(scheme))
    sram_read(port_, Phase::kBackward, l, act_offset_[static_cast<size_t>(l)], in * act, t);  // the saved input
  if (scheme == golden::Scheme::kNaiveBatch) {  // accumulate into the SRAM accumulator
    const uint64_t addr = state_addr_[static_cast<size_t>(l)], bits = n_o * k * kMacAccumulatorBits;
    sram_read(port_, Phase::kBackward, l, addr, bits, t);
    transport(port_, Phase::kBackward, l, ::tlm::TLM_WRITE_COMMAND, addr, bits / 8, t);
  }
}

void controller::learn_costs(size_t j, uint64_t attempts, sc_core::sc_time& t) {
  if (attempts == 0) return;
  const int l = engine_.trainable_layers()[j];
  const golden::AffineLayer& layer = engine_.affine(l);
  Port& p = *learners_[j]->port;
  const auto n_o = static_cast<uint64_t>(layer.n_out()), k = static_cast<uint64_t>(layer.fan_in());
  const golden::Scheme scheme = layer.updater().scheme();
  if (scheme == golden::Scheme::kNaiveBatch)
    sram_read(p, Phase::kUpdate, l, state_addr_[static_cast<size_t>(l)], attempts * n_o * k * kMacAccumulatorBits, t);
  if (const golden::LrtAccumulator* acc = layer.updater().lrt_accumulator()) {
    // An update attempt forms L R^T on the MAC array (in the layer's learning) from the
    // factors, read from SRAM.
    const auto r = static_cast<uint64_t>(acc->params().reducer.rank);
    sram_read(p, Phase::kUpdate, l, state_addr_[static_cast<size_t>(l)], attempts * r * (n_o + k) * specs_.lr_bits, t);
  }
}

}  // namespace lrt::tlm
