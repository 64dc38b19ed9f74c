#include "tlm/controller.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "golden/training/schemes.h"
#include "tlm/bus.h"
#include "tlm/tlm_util.h"

namespace lrt::tlm {

namespace {

constexpr uint32_t kAccumulatorBits = 32;  // MAC accumulators (docs/golden_engine.md "Widths")

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

int64_t pairs_of(const golden::LayerShape& s) {
  return s.spec.kind == golden::LayerKind::kConv3x3 ? int64_t{s.out.h} * s.out.w : 1;
}

}  // namespace

controller::controller(const sc_core::sc_module_name& name, golden::Engine& engine, std::vector<rram_array*> arrays,
                       std::vector<const rank_reduce_unit*> units, const mac_array& macs,
                       const device::SramBuffer& sram, const ControllerSpecs& specs,
                       const sc_core::sc_time& clock_period)
    : sc_module(name),
      mem("mem"),
      engine_(engine),
      arrays_(std::move(arrays)),
      units_(std::move(units)),
      macs_(macs),
      sram_(sram),
      specs_(specs),
      clock_period_(clock_period),
      phase_("phase", kPhases),
      sample_("sample", 0) {
  shapes_ = golden::derive_shapes(engine_.network());
  lrt_delays_.assign(engine_.trainable_layers().size(), sc_core::SC_ZERO_TIME);
  if (arrays_.size() != engine_.trainable_layers().size())
    throw std::invalid_argument("controller: " + std::to_string(arrays_.size()) + " RRAM arrays for " +
                                std::to_string(engine_.trainable_layers().size()) + " trainable layers");
  if (units_.size() != arrays_.size())
    throw std::invalid_argument("controller: " + std::to_string(units_.size()) + " unit slots for " +
                                std::to_string(arrays_.size()) + " trainable layers");
  for (size_t j = 0; j < arrays_.size(); ++j) {
    const int l = engine_.trainable_layers()[j];
    const golden::Scheme s = engine_.affine(l).updater().scheme();
    if ((s == golden::Scheme::kLrt) != (units_[j] != nullptr))
      throw std::invalid_argument("controller: layer " + std::to_string(l) +
                                  " needs a rank-reduce unit exactly when it trains with LRT");
    if (s == golden::Scheme::kUoro)
      throw std::invalid_argument("the TLM engine has no cost model for the uoro scheme (layer " +
                                  std::to_string(l) + "); use the golden engine");
    if (s == golden::Scheme::kLrt && engine_.specs().rank_reduce_arith != golden::RankReduceArith::kFixed)
      throw std::invalid_argument(
          "the TLM engine models the fixed-point rank-reduce unit; float rank reduction is the golden "
          "engine's double-precision reference (set accel.rank_reduce.arith: fixed)");
  }
}

void controller::issue_mac(Phase phase, uint64_t n, uint32_t bw, uint32_t ba, uint32_t bacc, uint64_t zero_operand,
                           bool bit_scalable) {
  if (n == 0) return;
  MacJob job;
  job.macs = n;
  job.zero_operand = zero_operand;
  job.bit_scalable = bit_scalable ? 1 : 0;
  job.weight_bits = bw;
  job.activation_bits = ba;
  job.accumulator_bits = bacc;
  ::tlm::tlm_generic_payload& t = mac_trans_;  // reused: constructing a payload allocates
  t.set_command(::tlm::TLM_WRITE_COMMAND);
  t.set_address(kBusMacBase);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&job));
  t.set_data_length(sizeof job);
  t.set_streaming_width(sizeof job);
  t.set_byte_enable_ptr(nullptr);
  t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  mem->b_transport(t, delay);
  if (t.is_response_error()) throw std::logic_error("controller: MAC job refused: " + t.get_response_string());
  const MacJobCost c = macs_.cost(job);
  ledger_.add_energy(phase, Component::kMac, c.energy);
  phase_cycles(phase) += c.cycles;
}

void controller::charge_sram(Phase phase, uint64_t read_bits, uint64_t write_bits) {
  const device::SramSpecs& s = sram_.specs();
  ledger_.add_energy(phase, Component::kSramRead, device::energy_of(read_bits, sram_.read_energy_per_bit()));
  ledger_.add_energy(phase, Component::kSramWrite, device::energy_of(write_bits, sram_.write_energy_per_bit()));
  phase_cycles(phase) += ceil_div(read_bits, s.word_bits) * s.read_latency_cycles +
                                                ceil_div(write_bits, s.word_bits) * s.write_latency_cycles;
}

golden::StepResult controller::train_sample(const uint8_t* image, int label) {
  const std::vector<int>& trainable = engine_.trainable_layers();
  before_.assign(trainable.size(), {});
  for (size_t j = 0; j < trainable.size(); ++j) {
    LayerCounters& b = before_[j];
    b.rram = arrays_[j]->energy();
    b.rram_write_cycles = arrays_[j]->stats().write_cycles;
    if (units_[j] != nullptr) b.unit = units_[j]->stats();
    b.update_attempts = engine_.affine(trainable[j]).updater().stats().attempts;
  }
  sram_before_ = sram_.energy();
  std::fill(lrt_delays_.begin(), lrt_delays_.end(), sc_core::SC_ZERO_TIME);
  sample_cycles_.fill(0);
  const golden::StepResult r = engine_.train_step(image, label);
  charge_layers();
  advance_time();
  return r;
}

void controller::charge_layers() {
  const std::vector<golden::LayerShape>& shapes = shapes_;
  const uint64_t act = specs_.activation_word_bits;
  const bool skip = macs_.specs().zero_skip;
  size_t j = 0;  // trainable layer number
  for (size_t l = 0; l < shapes.size(); ++l) {
    const golden::LayerShape& s = shapes[l];
    const auto li = static_cast<int>(l);
    const bool backward = engine_.runs_backward(li);
    const bool input_grad = engine_.computes_input_gradient(li);
    const auto in = static_cast<uint64_t>(s.in.size()), out = static_cast<uint64_t>(s.out.size());
    // Every layer reads its input map and writes its output map; backward the reverse.
    charge_sram(Phase::kForward, in * act, out * act);
    if (backward) charge_sram(Phase::kBackward, out * act, input_grad ? in * act : 0);
    if (s.spec.kind == golden::LayerKind::kBatchNorm) {
      issue_mac(Phase::kForward, out, 16, 16, kAccumulatorBits);  // scale and shift
      if (backward) issue_mac(Phase::kBackward, 2 * out, 16, 16, kAccumulatorBits);
    }
    if (!s.trainable()) continue;

    const golden::AffineLayer& layer = engine_.affine(li);
    const rram_array& rram = *arrays_[j];
    const uint64_t pairs = static_cast<uint64_t>(pairs_of(s));
    const auto n_o = static_cast<uint64_t>(layer.n_out()), k = static_cast<uint64_t>(layer.fan_in());
    // Zero skipping: this sample's zero dz entries each skip k MACs of the input and weight
    // gradients and one bias add (the golden engine's AffineWork counts the same).
    const uint64_t dz_zeros = skip && backward ? layer.last_dz_zeros() : 0;
    // PFQ: the GEMMs run at the stage's operand widths on a precision-scalable array.
    const bool pfq = engine_.pfq() != nullptr;
    // Per-tensor precision: the layer's own formats (train.precision), rounded further by PFQ.
    const auto w_op = static_cast<uint32_t>(layer.weight_operand_bits());
    const auto a_op = static_cast<uint32_t>(layer.activation_operand_bits());
    const auto g_op = static_cast<uint32_t>(layer.grad_operand_bits());
    const uint64_t words = rram.array().words();
    const uint32_t read_latency = rram.array().specs().read_latency_cycles;
    const device::EnergyUnits array_read = device::energy_of(words, rram.array().read_energy_per_word());
    // Forward: one read of the weights, pairs x n_o x k MACs.
    ledger_.add_energy(Phase::kForward, Component::kRramRead, array_read);
    phase_cycles(Phase::kForward) += words * read_latency;
    issue_mac(Phase::kForward, pairs * n_o * k, w_op, a_op, kAccumulatorBits, 0, pfq);
    // Backward: the input gradient reads the weights again; SGD-like schemes form dW here.
    device::EnergyUnits expected_reads = array_read;
    if (input_grad) {
      ledger_.add_energy(Phase::kBackward, Component::kRramRead, array_read);
      phase_cycles(Phase::kBackward) += words * read_latency;
      expected_reads += array_read;
      issue_mac(Phase::kBackward, pairs * n_o * k, w_op, g_op, kAccumulatorBits, dz_zeros * k, pfq);
    }
    const golden::WeightUpdater& u = layer.updater();
    const golden::Scheme scheme = u.scheme();
    if (golden::trains_bias(scheme))
      charge_sram(Phase::kBackward, in * act, 0);  // the saved input, for dW / the LRT pairs
    if (layer.updates_bias())
      issue_mac(Phase::kUpdate, pairs * n_o, 1, static_cast<uint32_t>(layer.grad_format().bits), kAccumulatorBits,
                dz_zeros);  // adds of dz
    if (layer.forms_weight_gradient())
      issue_mac(Phase::kBackward, pairs * n_o * k, g_op, a_op, kAccumulatorBits, dz_zeros * k, pfq);
    const uint64_t attempts = u.stats().attempts - before_[j].update_attempts;
    if (scheme == golden::Scheme::kNaiveBatch) {
      charge_sram(Phase::kBackward, n_o * k * kAccumulatorBits, n_o * k * kAccumulatorBits);  // accumulate
      charge_sram(Phase::kUpdate, attempts * n_o * k * kAccumulatorBits, 0);
    }
    if (const golden::LrtAccumulator* acc = u.lrt_accumulator()) {
      // The pairs ran on the unit: its operations' energy and the state words it moved, as
      // the cost table gives them (its time is in lrt_delays_, charged below).
      const golden::RankReduceParams& p = acc->params().reducer;
      const RankReduceUnitStats& now = units_[j]->stats();
      const RankReduceUnitStats& was = before_[j].unit;
      ledger_.add_energy(Phase::kLrt, Component::kRankReduce, now.energy - was.energy);
      ledger_.add_energy(Phase::kLrt, Component::kSramRead,
                         device::energy_of((now.sram_read_words - was.sram_read_words) * 64, sram_.read_energy_per_bit()));
      ledger_.add_energy(Phase::kLrt, Component::kSramWrite,
                         device::energy_of((now.sram_write_words - was.sram_write_words) * 64, sram_.write_energy_per_bit()));
      // An update attempt forms L R^T: n_o k r MACs over the stored factors.
      const auto r = static_cast<uint64_t>(p.rank);
      issue_mac(Phase::kUpdate, attempts * n_o * k * r, specs_.lr_bits, specs_.lr_bits, kAccumulatorBits);
      charge_sram(Phase::kUpdate, attempts * r * (n_o + k) * specs_.lr_bits, 0);
    }
    // RRAM: reads as charged above (checked against the array), writes with write-verify.
    const device::RramEnergy now = rram.energy();
    const device::RramEnergy& was = before_[j].rram;
    if (now.read - was.read != expected_reads)
      throw std::logic_error("controller: layer " + std::to_string(l) + " RRAM read energy " +
                             std::to_string(now.read - was.read) + " differs from the " +
                             std::to_string(expected_reads) + " the datapath's reads account for");
    ledger_.add_energy(Phase::kUpdate, Component::kRramWrite,
                       (now.write - was.write) + (now.compare_read - was.compare_read));
    phase_cycles(Phase::kUpdate) += rram.stats().write_cycles - before_[j].rram_write_cycles;
    ++j;
  }
  // Every transaction the SRAM target saw this sample came from the pair writes and the units'
  // pair reads (the rest of the traffic is charged by charge_sram or above): the LRT phase. Its
  // time: what the layers' LRT transactions annotated (pair traffic, registers, the units'
  // cycles), added up on one shared unit, the longest layer with one unit per layer.
  const device::SramEnergy sram_now = sram_.energy();
  ledger_.add_energy(Phase::kLrt, Component::kSramRead, sram_now.read - sram_before_.read);
  ledger_.add_energy(Phase::kLrt, Component::kSramWrite, sram_now.write - sram_before_.write);
  uint64_t lrt = 0;
  for (const sc_core::sc_time& d : lrt_delays_) {
    const uint64_t c = d.value() / clock_period_.value();
    lrt = specs_.shared_rank_reduce_unit ? lrt + c : std::max(lrt, c);
  }
  phase_cycles(Phase::kLrt) += lrt;
}

void controller::advance_time() {
  for (int p = 0; p < kPhases; ++p) {
    const uint64_t c = sample_cycles_[static_cast<size_t>(p)];
    ledger_.add_cycles(static_cast<Phase>(p), c);
    if (c == 0) continue;
    phase_.write(static_cast<uint32_t>(p));
    sc_core::sc_start(clock_cycles(c, clock_period_));
  }
  phase_.write(kPhases);
  sample_.write(engine_.samples_trained());
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

}  // namespace lrt::tlm
