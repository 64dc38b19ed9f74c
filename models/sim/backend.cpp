#include "sim/backend.h"

#include <cmath>
#include <stdexcept>

#include "config/bind.h"
#include "core/error.h"
#include "device/cell_mapping.h"
#include "device/rram_checkpoint.h"
#include "device/rram_weight_store.h"
#include "tlm/accel_top.h"
#include "tlm/rank_reduce_rtl_impl.h"

namespace lrt::sim {

namespace {

[[noreturn]] void bad_key(const std::string& key, const std::string& problem) {
  throw InputError(InputLocation({}, -1, -1, key), problem);
}

std::string array_prefix(const golden::Engine& e, size_t j) {
  return "rram." + std::to_string(e.trainable_layers()[j]);
}

class GoldenBackend final : public Backend {
 public:
  GoldenBackend(const config::Specs& specs, golden::Engine& net) : net_(net) {
    if (specs.accel.rank_reduce_impl == hw::RankReduceImplKind::kRtl)
      bad_key("accel.rank_reduce.impl",
              "rtl runs the Verilated rank-reduce unit inside the TLM engine's rank_reduce_unit; the golden "
              "engine has no unit: expected golden (or use --engine tlm)");
    const std::vector<device::RramArraySpecs> rram = layer_rram_specs(specs, net);
    for (size_t j = 0; j < rram.size(); ++j) {
      arrays_.push_back(std::make_unique<device::RramArray>(rram[j], specs.run.seed,
                                                            static_cast<uint32_t>(net.trainable_layers()[j])));
      stores_.push_back(std::make_unique<device::RramWeightStore>(*arrays_.back()));
    }
  }
  ~GoldenBackend() override { net_.attach_weight_stores({}, false); }
  const char* name() const override { return "golden"; }
  golden::StepResult train(const uint8_t* image, int label) override { return net_.train_step(image, label); }
  void save(CheckpointWriter& w) const override {
    for (size_t j = 0; j < arrays_.size(); ++j) device::save_rram_state(w, array_prefix(net_, j), *arrays_[j]);
  }
  void load(const Checkpoint& ck) override {
    for (size_t j = 0; j < arrays_.size(); ++j) device::load_rram_state(ck, array_prefix(net_, j), *arrays_[j]);
  }
  void attach(bool deploy) override {
    std::vector<WeightStore*> s;
    for (auto& x : stores_) s.push_back(x.get());
    net_.attach_weight_stores(s, deploy);
  }
  void set_thread_pool(ThreadPool* pool) override {
    for (auto& a : arrays_) a->set_thread_pool(pool);
  }
  size_t arrays() const override { return arrays_.size(); }
  const device::RramArray& array(size_t j) const override { return *arrays_.at(j); }
  void add_summary(nlohmann::ordered_json&) const override {}

 private:
  golden::Engine& net_;
  std::vector<std::unique_ptr<device::RramArray>> arrays_;
  std::vector<std::unique_ptr<device::RramWeightStore>> stores_;
};

double to_pj(device::EnergyUnits e) { return device::to_picojoules(e); }

const char* const kNoUoro = "uoro has no hardware cost model in the TLM engine; use --engine golden";

class TlmBackend final : public Backend {
 public:
  TlmBackend(const config::Specs& specs, golden::Engine& net, const std::string& vcd) : net_(net) {
    if (specs.accel.rank_reduce.arith != golden::RankReduceArith::kFixed &&
        (specs.train.conv.scheme == golden::Scheme::kLrt || specs.train.fc.scheme == golden::Scheme::kLrt))
      bad_key("accel.rank_reduce.arith",
              "float is the golden engine's double-precision reference; the TLM engine models the "
              "fixed-point rank-reduce unit: expected fixed (or use --engine golden)");
    if (specs.train.conv.scheme == golden::Scheme::kUoro) bad_key("train.conv.scheme", kNoUoro);
    if (specs.train.fc.scheme == golden::Scheme::kUoro) bad_key("train.fc.scheme", kNoUoro);
    tlm::AccelSpecs a;
    static_cast<hw::AccelSpecs&>(a) = config::accel_specs(specs);  // clock, bus, MAC array, controller
    a.rram = layer_rram_specs(specs, net);
    a.seed = specs.run.seed;
    a.sram = config::sram_specs(specs);
    clock_mhz_ = a.clock_mhz;
    a.vcd_path = vcd;
    if (a.vcd_path.size() > 4 && a.vcd_path.compare(a.vcd_path.size() - 4, 4, ".vcd") == 0)
      a.vcd_path.resize(a.vcd_path.size() - 4);  // SystemC appends ".vcd"
    try {
      top_ = std::make_unique<tlm::accel_top>("accel", net, a);
    } catch (const SpecError& e) {  // a member of tlm::AccelSpecs, which config::Specs holds at accel
      config::throw_at_key("accel", "accelerator", e);
    } catch (const std::invalid_argument& e) {
      bad_key("train", e.what());
    }
  }
  ~TlmBackend() override {
    if (sc_core::sc_get_status() == sc_core::SC_PAUSED) top_->finish();
  }
  const char* name() const override { return "tlm"; }
  golden::StepResult train(const uint8_t* image, int label) override { return top_->train_sample(image, label); }
  void save(CheckpointWriter& w) const override {
    for (size_t j = 0; j < top_->rram().size(); ++j)
      device::save_rram_state(w, array_prefix(net_, j), top_->rram()[j]->array());
    w.add_array("tlm.ledger", top_->ctrl().ledger().to_words());
    w.add_array("tlm.mac_stats", top_->mac().stats_words());
    for (const auto& u : top_->units()) w.add_array(std::string("tlm.") + u->basename(), u->stats_words());
  }
  void load(const Checkpoint& ck) override {
    for (size_t j = 0; j < top_->rram().size(); ++j)
      top_->rram()[j]->restore_state(
          [&](device::RramArray& a) { device::load_rram_state(ck, array_prefix(net_, j), a); });
    try {
      top_->ctrl().set_ledger(tlm::Ledger::from_words(ck.array<uint64_t>("tlm.ledger")));
    } catch (const std::invalid_argument& e) {
      throw InputError(InputLocation(ck.path(), -1, -1, "tlm.ledger"), e.what());
    }
    try {
      top_->mac().set_stats_words(ck.array<uint64_t>("tlm.mac_stats"));
    } catch (const std::invalid_argument& e) {
      throw InputError(InputLocation(ck.path(), -1, -1, "tlm.mac_stats"), e.what());
    }
    for (const auto& u : top_->units()) {
      const std::string key = std::string("tlm.") + u->basename();
      try {
        u->set_stats_words(ck.array<uint64_t>(key));
      } catch (const std::invalid_argument& e) {
        throw InputError(InputLocation(ck.path(), -1, -1, key), e.what());
      }
    }
  }
  void attach(bool deploy) override { top_->attach_weights(deploy); }
  void set_thread_pool(ThreadPool* pool) override { top_->set_thread_pool(pool); }
  size_t arrays() const override { return top_->rram().size(); }
  const device::RramArray& array(size_t j) const override { return top_->rram().at(j)->array(); }
  void add_summary(nlohmann::ordered_json& j) const override {
    const tlm::Ledger& l = top_->ctrl().ledger();
    j["energy_pj"]["total"] = to_pj(l.total_energy());
    for (int c = 0; c < tlm::kComponents; ++c)
      j["energy_pj"]["by_component"][tlm::to_string(static_cast<tlm::Component>(c))] =
          to_pj(l.energy(static_cast<tlm::Component>(c)));
    for (int p = 0; p < tlm::kPhases; ++p)
      j["energy_pj"]["by_phase"][tlm::to_string(static_cast<tlm::Phase>(p))] =
          to_pj(l.energy(static_cast<tlm::Phase>(p)));
    // The full phase x component matrix, for `lrtsim report`'s stacked bars.
    for (int p = 0; p < tlm::kPhases; ++p)
      for (int c = 0; c < tlm::kComponents; ++c)
        j["energy_pj"]["by_phase_component"][tlm::to_string(static_cast<tlm::Phase>(p))]
         [tlm::to_string(static_cast<tlm::Component>(c))] =
             to_pj(l.energy(static_cast<tlm::Phase>(p), static_cast<tlm::Component>(c)));
    // By the network layer that caused it (the payloads' CostTag), "none": the SRAM's leakage.
    const auto layer_key = [](int layer) { return layer < 0 ? std::string("none") : std::to_string(layer); };
    for (int layer = -1; layer < l.layer_count(); ++layer)
      j["energy_pj"]["by_layer"][layer_key(layer)] = to_pj(l.layer_energy(layer));
    // The same in exact integer units of 0.1 fJ: rows and columns sum to the total exactly.
    j["energy_0p1fj"]["total"] = l.total_energy();
    for (int c = 0; c < tlm::kComponents; ++c)
      j["energy_0p1fj"]["by_component"][tlm::to_string(static_cast<tlm::Component>(c))] =
          l.energy(static_cast<tlm::Component>(c));
    for (int p = 0; p < tlm::kPhases; ++p)
      j["energy_0p1fj"]["by_phase"][tlm::to_string(static_cast<tlm::Phase>(p))] = l.energy(static_cast<tlm::Phase>(p));
    for (int layer = -1; layer < l.layer_count(); ++layer)
      j["energy_0p1fj"]["by_layer"][layer_key(layer)] = l.layer_energy(layer);
    j["cycles"] = l.total_cycles();
    for (int p = 0; p < tlm::kPhases; ++p)
      j["cycles_by_phase"][tlm::to_string(static_cast<tlm::Phase>(p))] = l.cycles(static_cast<tlm::Phase>(p));
    j["seconds"] = static_cast<double>(l.total_cycles()) / (clock_mhz_ * 1e6);
    const tlm::MacArrayStats& m = top_->mac().stats();
    j["mac_array"]["zero_skip"] = top_->mac().specs().zero_skip;
    j["mac_array"]["macs"] = m.macs;
    j["mac_array"]["zero_operand_macs"] = m.gated_macs;
    j["mac_array"]["active_macs"] = m.macs - m.gated_macs;
    j["mac_array"]["busy_cycles"] = m.busy_cycles;
    j["mac_array"]["energy_pj"] = to_pj(top_->mac().energy());
    j["sram"]["mapped_bits"] = top_->sram_mapped_bits();
    j["sram"]["capacity_bits"] = top_->sram().buffer().specs().capacity_bits;
    // Which implementation computed the rank-reduce units' steps, and (rtl) their RTL cycles.
    std::string impl = "none";
    uint64_t rtl_cycles = 0, pairs = 0, busy = 0;
    nlohmann::ordered_json by_module = nlohmann::ordered_json::array();
    for (const auto& u : top_->units()) {
      const uint64_t b = u->total_stats().busy_cycles;
      busy += b;
      by_module.push_back(b);
    }
    for (size_t u = 0; u < net_.trainable_layers().size(); ++u) {
      const tlm::RankReduceContextRef unit = top_->unit(u);
      if (!unit) continue;
      impl = unit.impl().name();
      pairs += unit.impl().stats().pairs;
      if (const auto* r = dynamic_cast<const tlm::RtlRankReduceImpl*>(&unit.impl())) rtl_cycles += r->cycles();
    }
    j["rank_reduce_units"]["impl"] = impl;
    j["rank_reduce_units"]["pairs"] = pairs;
    j["rank_reduce_units"]["modules"] = top_->units().size();
    j["rank_reduce_units"]["busy_cycles"] = busy;  // the datapaths' time, overlapping other phases
    j["rank_reduce_units"]["busy_cycles_by_module"] = by_module;
    if (impl == "rtl") j["rank_reduce_units"]["rtl_cycles"] = rtl_cycles;
  }

 private:
  golden::Engine& net_;
  std::unique_ptr<tlm::accel_top> top_;
  double clock_mhz_ = 100.0;
};

}  // namespace

std::vector<device::RramArraySpecs> layer_rram_specs(const config::Specs& specs, const golden::Engine& engine) {
  std::vector<device::RramArraySpecs> out;
  for (int l : engine.trainable_layers()) {
    // Each layer's own weight format (train.precision.weight_bits / weight_range, else train.quant).
    const golden::AffineLayer& a = engine.affine(l);
    const fx::Format& w = a.weight_format();
    const uint64_t cells_per_word = device::CellMapping(static_cast<uint32_t>(w.bits),
                                                        static_cast<uint32_t>(specs.accel.rram.bits_per_cell))
                                        .cells_per_word();
    const double range = std::ldexp(1.0, w.bits - 1 - w.frac_bits);
    out.push_back(config::rram_specs(specs, static_cast<uint64_t>(a.n_out()) * a.fan_in() * cells_per_word, w.bits,
                                     range));
  }
  return out;
}

std::unique_ptr<Backend> make_backend(const std::string& engine, const config::Specs& specs, golden::Engine& net,
                                      const std::string& vcd) {
  if (engine == "golden") {
    if (!vcd.empty()) bad_key("--vcd", "traces the TLM model's activity; add --engine tlm");
    return std::make_unique<GoldenBackend>(specs, net);
  }
  if (engine == "tlm") return std::make_unique<TlmBackend>(specs, net, vcd);
  bad_key("--engine", "'" + engine + "'; expected golden or tlm");
}

}  // namespace lrt::sim
