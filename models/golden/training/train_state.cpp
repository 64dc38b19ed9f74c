#include "golden/training/train_state.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "golden/training/model_io.h"
#include "golden/rank_reduce/fixed_state_io.h"
#include "golden/rank_reduce/rank_reduce_fixed.h"
#include "golden/rank_reduce/rank_reduce_float.h"

namespace lrt::golden {
namespace {

std::string section(int layer, const std::string& what) {
  return "layer." + std::to_string(layer) + "." + what;
}

template <class T>
std::vector<T> as_vector(const Matrix<T>& m) {
  return std::vector<T>(m.data(), m.data() + m.rows() * m.cols());
}

std::vector<uint64_t> stats_words(const RankReduceStats& s) {
  return {s.pairs, s.skipped_kappa, s.degenerate};
}

std::vector<uint64_t> work_words(const AffineWork& w) {
  return {w.dz_entries,       w.dz_zeros,         w.forward_macs, w.backward_data_macs,
          w.backward_data_skipped, w.weight_grad_macs, w.weight_grad_skipped, w.bias_adds,
          w.bias_skipped,     w.dither_tensors,   w.dither_step_exp_sum, w.mac_bit_ops, w.mac_bit_ops_8x8};
}

void save_reducer(const RankReducer& reducer, int l, CheckpointWriter& w) {
  if (const auto* f = dynamic_cast<const RankReduceFloat*>(&reducer)) {
    const RankReduceFloatState s = f->state();
    w.add_array(section(l, "rr.arith"), std::vector<int32_t>{static_cast<int32_t>(RankReduceArith::kFloat)});
    w.add_array(section(l, "rr.q_left"), as_vector(s.q_left));
    w.add_array(section(l, "rr.q_right"), as_vector(s.q_right));
    w.add_array(section(l, "rr.c_x"), s.c_x);
    w.add_array(section(l, "rr.stats"), stats_words(s.stats));
    w.add_array(section(l, "rr.counters"), std::vector<uint64_t>{s.reorthogonalizations, s.svd_unconverged});
  } else if (const RankReduceFixed* x = reducer.fixed_model()) {
    w.add_array(section(l, "rr.arith"), std::vector<int32_t>{static_cast<int32_t>(RankReduceArith::kFixed)});
    save_fixed_state(x->state(), section(l, "rr."), w);
  } else {
    throw std::logic_error("save_training_state: a rank reducer of unknown type");
  }
}

// Reads sections, remembering the last one named so that a size or value error can name it.
class Reader {
 public:
  explicit Reader(const Checkpoint& ck) : ck_(ck) {}
  template <class T>
  std::vector<T> get(const std::string& name, int64_t count = -1) {
    current_ = name;
    return ck_.template array<T>(name, count);
  }
  template <class T>
  T scalar(const std::string& name) {
    return get<T>(name, 1)[0];
  }
  template <class T>
  Matrix<T> matrix(const std::string& name, const Matrix<T>& shape) {
    const auto v = get<T>(name, static_cast<int64_t>(shape.rows() * shape.cols()));
    Matrix<T> m(shape.rows(), shape.cols());
    std::copy(v.begin(), v.end(), m.data());
    return m;
  }
  const Checkpoint& checkpoint() const { return ck_; }
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(InputLocation(ck_.path(), -1, -1, current_), problem);
  }
  void name(const std::string& s) { current_ = s; }

 private:
  const Checkpoint& ck_;
  std::string current_ = "train.version";
};

RankReduceStats stats_of(const std::vector<uint64_t>& v) { return {v[0], v[1], v[2]}; }

AffineWork work_of(const std::vector<uint64_t>& v) {
  AffineWork w;
  w.dz_entries = v[0];
  w.dz_zeros = v[1];
  w.forward_macs = v[2];
  w.backward_data_macs = v[3];
  w.backward_data_skipped = v[4];
  w.weight_grad_macs = v[5];
  w.weight_grad_skipped = v[6];
  w.bias_adds = v[7];
  w.bias_skipped = v[8];
  w.dither_tensors = v[9];
  w.dither_step_exp_sum = v[10];
  w.mac_bit_ops = v[11];
  w.mac_bit_ops_8x8 = v[12];
  return w;
}

void load_reducer(RankReducer& reducer, int l, Reader& r) {
  const auto arith = r.scalar<int32_t>(section(l, "rr.arith"));
  if (auto* f = dynamic_cast<RankReduceFloat*>(&reducer)) {
    if (arith != static_cast<int32_t>(RankReduceArith::kFloat))
      r.fail("holds a fixed-point rank reducer; the configuration (train.rank_reduce_arith) asks for float");
    const RankReduceFloatState cur = f->state();
    RankReduceFloatState s;
    s.q_left = r.matrix<double>(section(l, "rr.q_left"), cur.q_left);
    s.q_right = r.matrix<double>(section(l, "rr.q_right"), cur.q_right);
    s.c_x = r.get<double>(section(l, "rr.c_x"), static_cast<int64_t>(cur.c_x.size()));
    s.stats = stats_of(r.get<uint64_t>(section(l, "rr.stats"), 3));
    const auto counters = r.get<uint64_t>(section(l, "rr.counters"), 2);
    s.reorthogonalizations = counters[0];
    s.svd_unconverged = counters[1];
    f->set_state(s);
  } else if (auto* x = dynamic_cast<RankReduceFixed*>(&reducer)) {
    if (arith != static_cast<int32_t>(RankReduceArith::kFixed))
      r.fail("holds a float rank reducer; the configuration (train.rank_reduce_arith) asks for fixed");
    x->set_state(load_fixed_state(r.checkpoint(), section(l, "rr."), x->state()));
  } else {
    throw std::logic_error("load_training_state: a rank reducer of unknown type");
  }
}

// Max-norm states as NAME.k (u64[n]) and NAME.values (f64[2n]: x_mv, beta^k each); nothing for n = 0.
void save_norms(const std::vector<MaxNormState>& norms, const std::string& name, CheckpointWriter& w) {
  if (norms.empty()) return;
  std::vector<uint64_t> k;
  std::vector<double> v;
  for (const MaxNormState& m : norms) {
    k.push_back(m.k);
    v.push_back(m.x_mv);
    v.push_back(m.beta_pow_k);
  }
  w.add_array(name + ".k", k);
  w.add_array(name + ".values", v);
}

std::vector<MaxNormState> load_norms(Reader& r, const Checkpoint& ck, const std::string& name, size_t expected) {
  r.name(name + ".k");
  if ((expected > 0) != ck.has(name + ".k"))
    r.fail(expected > 0 ? "is missing, but the configuration turns max-norm on here"
                        : "is present, but the configuration turns max-norm off here");
  std::vector<MaxNormState> out(expected);
  if (expected == 0) return out;
  const auto k = r.get<uint64_t>(name + ".k", static_cast<int64_t>(expected));
  const auto v = r.get<double>(name + ".values", static_cast<int64_t>(2 * expected));
  for (size_t i = 0; i < expected; ++i) out[i] = {k[i], v[2 * i], v[2 * i + 1]};
  return out;
}

}  // namespace

void save_training_state(const Engine& engine, CheckpointWriter& w) {
  add_model_sections(engine, engine.samples_trained(), w);
  w.add_array("train.version", std::vector<uint32_t>{kTrainStateVersion});
  w.add_array("train.samples", std::vector<uint64_t>{engine.samples_trained()});
  if (const PfqSchedule* p = engine.pfq()) {
    const PfqState& st = p->state();
    w.add_array("train.pfq.state", std::vector<uint64_t>{st.stage, st.window_count, st.has_best ? 1u : 0u});
    w.add_array("train.pfq.values", std::vector<double>{st.window_sum, st.best});
    w.add_array("train.pfq.switched_at", st.switched_at);
  }
  for (int l : engine.trainable_layers()) {
    const AffineLayer& a = engine.affine(l);
    w.add_array(section(l, "writes.counts"), a.writes().counts());
    w.add_array(section(l, "writes.total"), std::vector<uint64_t>{a.writes().stats().total});
    w.add_array(section(l, "z_clips"), std::vector<uint64_t>{a.z_clips().clipped, a.z_clips().total});
    w.add_array(section(l, "work"), work_words(a.work()));
    save_norms(a.norm_states(), section(l, "max_norm"), w);
    const WeightUpdater& u = a.updater();
    const UpdaterState s = u.state();
    save_norms(s.norms, section(l, "updater.max_norm"), w);
    w.add_array(section(l, "updater.scheme"), std::vector<int32_t>{static_cast<int32_t>(u.scheme())});
    w.add_array(section(l, "updater.stats"),
                std::vector<uint64_t>{s.stats.samples, s.stats.attempts, s.stats.applied});
    w.add_array(section(l, "updater.density"), std::vector<double>{s.stats.last_density});
    w.add_array(section(l, "updater.batch"), std::vector<int64_t>{s.samples_since_update});
    w.add_array(section(l, "updater.sum"), s.sum);
    w.add_array(section(l, "updater.uoro_left"), s.uoro_left);
    w.add_array(section(l, "updater.uoro_right"), s.uoro_right);
    w.add_array(section(l, "updater.sign_index"), std::vector<uint64_t>{s.sign_index});
    w.add_array(section(l, "updater.pair_updates"), s.pair_updates);
    if (const LrtAccumulator* acc = u.lrt_accumulator()) {
      w.add_array(section(l, "lrt.batch"), std::vector<int64_t>{acc->samples_since_update()});
      w.add_array(section(l, "lrt.last_update"), as_vector(acc->last_update_codes()));
      save_reducer(acc->reducer(), l, w);
    }
  }
  for (int l = 0; l < static_cast<int>(engine.network().layers.size()); ++l)
    if (engine.network().layers[static_cast<size_t>(l)].kind == LayerKind::kBatchNorm)
      save_norms(engine.batch_norm(l).bn().norm_states(), section(l, "bn.max_norm"), w);
}

void load_training_state(Engine& engine, const Checkpoint& ck) {
  load_model(ck, engine);  // checks the network and formats first
  Reader r(ck);
  try {
    const auto version = r.scalar<uint32_t>("train.version");
    if (version != kTrainStateVersion)
      r.fail("training-state layout version " + std::to_string(version) + "; this lrtsim reads version " +
             std::to_string(kTrainStateVersion));
    const auto samples = r.scalar<uint64_t>("train.samples");
    r.name("train.pfq.state");
    if ((engine.pfq() != nullptr) != ck.has("train.pfq.state"))
      r.fail(engine.pfq() ? "is missing, but the configuration turns train.pfq on"
                          : "is present, but the configuration turns train.pfq off");
    if (engine.pfq()) {
      const auto st = r.get<uint64_t>("train.pfq.state", 3);
      const auto values = r.get<double>("train.pfq.values", 2);
      PfqState p;
      p.stage = st[0];
      p.window_count = st[1];
      p.has_best = st[2] != 0;
      p.window_sum = values[0];
      p.best = values[1];
      p.switched_at = r.get<uint64_t>("train.pfq.switched_at", static_cast<int64_t>(p.stage));
      try {
        engine.set_pfq_state(p);
      } catch (const std::invalid_argument& e) {
        r.fail(e.what());
      }
    }
    for (int l : engine.trainable_layers()) {
      AffineLayer& a = engine.affine(l);
      const auto counts =
          r.get<uint32_t>(section(l, "writes.counts"), static_cast<int64_t>(a.writes().counts().size()));
      a.writes().set_counts(counts, r.scalar<uint64_t>(section(l, "writes.total")));
      const auto clips = r.get<uint64_t>(section(l, "z_clips"), 2);
      a.set_z_clips(fx::ClipCounter{clips[0], clips[1]});
      a.set_work(work_of(r.get<uint64_t>(section(l, "work"), AffineWork::kWords)));
      a.set_norm_states(load_norms(r, ck, section(l, "max_norm"), a.norm_states().size()));
      WeightUpdater& u = a.updater();
      const auto scheme = r.scalar<int32_t>(section(l, "updater.scheme"));
      if (scheme != static_cast<int32_t>(u.scheme()))
        r.fail("holds the state of scheme " + std::to_string(scheme) +
               ", the configuration trains this layer with " + std::string(to_string(u.scheme())));
      UpdaterState s;
      const auto st = r.get<uint64_t>(section(l, "updater.stats"), 3);
      s.stats.samples = st[0];
      s.stats.attempts = st[1];
      s.stats.applied = st[2];
      s.stats.last_density = r.scalar<double>(section(l, "updater.density"));
      s.samples_since_update = r.scalar<int64_t>(section(l, "updater.batch"));
      s.sum = r.get<int64_t>(section(l, "updater.sum"));
      s.uoro_left = r.get<double>(section(l, "updater.uoro_left"));
      s.uoro_right = r.get<double>(section(l, "updater.uoro_right"));
      s.sign_index = r.scalar<uint64_t>(section(l, "updater.sign_index"));
      s.pair_updates = r.get<uint32_t>(section(l, "updater.pair_updates"));
      s.norms = load_norms(r, ck, section(l, "updater.max_norm"), u.norm_count());
      r.name(section(l, "updater"));
      u.set_state(s);
      if (LrtAccumulator* acc = u.lrt_accumulator()) {
        const auto batch = r.scalar<int64_t>(section(l, "lrt.batch"));
        const Matrix<int32_t> last =
            r.matrix<int32_t>(section(l, "lrt.last_update"), acc->last_update_codes());
        r.name(section(l, "lrt"));
        acc->set_progress(batch, last);
        load_reducer(acc->reducer(), l, r);
      }
    }
    for (int l = 0; l < static_cast<int>(engine.network().layers.size()); ++l)
      if (engine.network().layers[static_cast<size_t>(l)].kind == LayerKind::kBatchNorm) {
        StreamingBn& bn = engine.batch_norm(l).bn();
        bn.set_norm_states(load_norms(r, ck, section(l, "bn.max_norm"), bn.norm_states().size()));
      }
    engine.set_samples_trained(samples);
  } catch (const std::invalid_argument& e) {  // a state of another size or scheme
    r.fail(e.what());
  }
}

}  // namespace lrt::golden
