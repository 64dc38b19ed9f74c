// The golden layers keep their weights in a WeightStore (core/weight_store.h): what they ask
// of the store, and that they compute with what it holds and returns.
//
// Method: an engine with stores attached ("stored") trains in lockstep with a store-less engine
// of the same network, specs and seed ("plain") on one generated stream. With ideal memory the
// two must agree bit for bit. With a store that refuses cells, drifts or perturbs reads, plain
// is given, before each sample, the weights the stored engine's datapath should use (what the
// store holds, or what its reads return); every StepResult, the logits, biases and BN state
// must then still agree bit for bit; a datapath that used any other weights would change
// some logit or gradient (checked by breaking the layer on purpose: each such break fails).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "core/thread_pool.h"
#include "core/weight_store.h"
#include "device/rram_array.h"
#include "device/rram_weight_store.h"
#include "golden/training/engine.h"

namespace lrt::golden {
namespace {

// 8x8x1 -> conv3x3 4 -> maxpool -> relu -> BN -> fc 8 -> relu -> fc 3. Three trainable
// layers: the conv (first op) computes no input gradient, the two fc layers do.
NetworkSpec small_net() {
  NetworkSpec n;
  n.in_h = 8;
  n.in_w = 8;
  n.in_c = 1;
  n.layers = {{LayerKind::kConv3x3, 4},   {LayerKind::kMaxPool2, 0}, {LayerKind::kRelu, 0},
              {LayerKind::kBatchNorm, 0}, {LayerKind::kFc, 8},       {LayerKind::kRelu, 0},
              {LayerKind::kFc, 3}};
  return n;
}

// Paper defaults (max-norm, LRT rank 4) except B = 10 for both kinds, so that a few hundred
// samples hold many batch boundaries, and a learning rate large enough that updates change codes.
TrainSpecs specs_for(Scheme s) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = s;
  t.conv.batch = t.fc.batch = 10;
  t.learning_rate = 0.1;
  return t;
}

constexpr uint64_t kSeed = 11;
constexpr uint64_t kSamples = 300;
constexpr int32_t kMinCode = -128, kMaxCode = 127;  // Qw: 8 bits

// Sample i of a 3-class stream: class c brightens rows 3c .. 3c + 2, plus uniform noise.
int make_sample(uint64_t i, std::vector<uint8_t>& img) {
  const CounterRng r(99, 7);
  const uint64_t base = i * 65;
  const int label = static_cast<int>(r.bits32(base) % 3);
  for (size_t p = 0; p < img.size(); ++p) {
    const int level = static_cast<int>(p / 8) / 3 == label ? 190 : 40;
    const int noise = static_cast<int>(r.bits32(base + 1 + p) % 61) - 30;
    img[p] = static_cast<uint8_t>(level + noise);
  }
  return label;
}

std::vector<int32_t> codes_of(const AffineLayer& l) {
  const Matrix<int32_t>& w = l.weight_codes();
  return std::vector<int32_t>(w.data(), w.data() + w.rows() * w.cols());
}

Matrix<int32_t> as_matrix(const AffineLayer& l, const std::vector<int32_t>& codes) {
  Matrix<int32_t> m(l.weight_codes().rows(), l.weight_codes().cols());
  std::copy(codes.begin(), codes.end(), m.data());
  return m;
}

// ---- A recording, optionally misbehaving, in-memory store ------------------------------

struct StoreCall {
  enum Kind { kAccountReads, kReadAll, kWrite, kEndSample };
  Kind kind;
  uint64_t reads = 0;          // kAccountReads: n
  std::vector<int64_t> cells;  // kWrite: the cells, as passed
};

std::string describe(const std::vector<StoreCall>& calls) {
  std::ostringstream s;
  for (const StoreCall& c : calls) {
    switch (c.kind) {
      case StoreCall::kAccountReads:
        s << "account_reads(" << c.reads << ") ";
        break;
      case StoreCall::kReadAll:
        s << "read_all ";
        break;
      case StoreCall::kEndSample:
        s << "end_sample ";
        break;
      case StoreCall::kWrite:
        s << "write(";
        for (int64_t x : c.cells) s << x << ' ';
        s << ") ";
        break;
    }
  }
  return s.str();
}

class FakeStore final : public WeightStore {
 public:
  /// The code a word keeps when `requested` is stored into it (identity: ideal memory).
  std::function<int32_t(int64_t word, int32_t requested)> store_rule = [](int64_t, int32_t c) { return c; };
  /// Drift at the end of sample `clock` (0, 1, ...): changes words of mem, lists each once.
  std::function<void(uint64_t clock, std::vector<int32_t>& mem, std::vector<int64_t>& changed)> drift;
  /// What a read of a word returns in sample `clock`; unset: no read effects.
  std::function<int32_t(int64_t word, int32_t stored, uint64_t clock)> read_rule;

  explicit FakeStore(uint64_t words) : mem_(words, 0) {}

  uint64_t words() const override { return mem_.size(); }
  void deploy(int32_t* codes) override {
    ++deploys_;
    deployed_.assign(codes, codes + mem_.size());
    for (size_t i = 0; i < mem_.size(); ++i) codes[i] = mem_[i] = keep(static_cast<int64_t>(i), codes[i]);
  }
  int32_t peek(int64_t word) const override { return mem_.at(static_cast<size_t>(word)); }
  void write(const std::vector<int64_t>& cells, int32_t* codes) override {
    calls_.push_back({StoreCall::kWrite, 0, cells});
    for (int64_t c : cells) codes[c] = mem_.at(static_cast<size_t>(c)) = keep(c, codes[c]);
  }
  bool read_effects() const override { return static_cast<bool>(read_rule); }
  void read_all(int32_t* codes) override {
    calls_.push_back({StoreCall::kReadAll, 0, {}});
    for (size_t i = 0; i < mem_.size(); ++i) codes[i] = read(static_cast<int64_t>(i));
  }
  /// Whether read_deviations() serves (a store that tells reads as differences), else refuses.
  bool sparse = false;
  bool read_deviations(std::vector<WordCode>& out) override {
    if (!sparse || !read_rule) return false;
    calls_.push_back({StoreCall::kReadAll, 0, {}});  // the same read of the whole array
    for (size_t i = 0; i < mem_.size(); ++i) {
      const int32_t code = read(static_cast<int64_t>(i));
      if (code != mem_[i]) out.push_back({i, code});
    }
    return true;
  }
  void account_reads(uint64_t n) override { calls_.push_back({StoreCall::kAccountReads, n, {}}); }
  /// Whether end_sample() reports a drift that changed words as dense (re-read every word)
  /// instead of listing them.
  bool dense_drift = false;
  bool end_sample(std::vector<int64_t>& changed) override {
    calls_.push_back({StoreCall::kEndSample, 0, {}});
    bool dense = false;
    if (drift) {
      const size_t first = changed.size();
      drift(clock_, mem_, changed);
      drifted_ += changed.size() - first;
      dense = dense_drift && changed.size() > first;
      if (dense) changed.resize(first);
    }
    ++clock_;
    return dense;
  }
  void peek_all(int32_t* codes) const override { std::copy(mem_.begin(), mem_.end(), codes); }

  /// Places codes without any call being recorded (a store that already holds a model).
  void preload(const std::vector<int32_t>& codes) { mem_ = codes; }
  /// What a read returns now (the read rule in the current sample, else the stored code).
  int32_t read(int64_t word) const {
    const int32_t stored = mem_.at(static_cast<size_t>(word));
    return read_rule ? read_rule(word, stored, clock_) : stored;
  }
  const std::vector<int32_t>& mem() const { return mem_; }
  int deploys() const { return deploys_; }
  const std::vector<int32_t>& deployed() const { return deployed_; }
  uint64_t refused() const { return refused_; }
  uint64_t drifted() const { return drifted_; }
  std::vector<StoreCall> take_calls() { return std::exchange(calls_, {}); }

 private:
  int32_t keep(int64_t word, int32_t requested) {
    const int32_t kept = store_rule(word, requested);
    refused_ += kept != requested;
    return kept;
  }

  std::vector<int32_t> mem_;
  std::vector<StoreCall> calls_;
  std::vector<int32_t> deployed_;
  int deploys_ = 0;
  uint64_t refused_ = 0;
  uint64_t drifted_ = 0;
  uint64_t clock_ = 0;
};

// One FakeStore per trainable layer of `e`, sized to it.
struct Fakes {
  explicit Fakes(const Engine& e) {
    for (int l : e.trainable_layers())
      stores.push_back(std::make_unique<FakeStore>(codes_of(e.affine(l)).size()));
  }
  std::vector<WeightStore*> pointers() const {
    std::vector<WeightStore*> p;
    for (const auto& s : stores) p.push_back(s.get());
    return p;
  }
  FakeStore& operator[](size_t j) { return *stores[j]; }
  size_t size() const { return stores.size(); }
  std::vector<std::unique_ptr<FakeStore>> stores;
};

// ---- Comparisons ---------------------------------------------------------------------

std::vector<int> bn_layers(const Engine& e) {
  std::vector<int> out;
  for (size_t i = 0; i < e.network().layers.size(); ++i)
    if (e.network().layers[i].kind == LayerKind::kBatchNorm) out.push_back(static_cast<int>(i));
  return out;
}

// Same step outcome, logits, biases and BN state (everything but the weights).
::testing::AssertionResult same_step(const StepResult& a, const StepResult& b, const Engine& ea,
                                     const Engine& eb, uint64_t sample) {
  auto fail = [&](const char* what) {
    return ::testing::AssertionFailure() << what << " differs after sample " << sample;
  };
  if (a.prediction != b.prediction || a.correct != b.correct) return fail("prediction");
  if (a.loss != b.loss) return fail("loss");  // same double operations in the same order
  if (ea.logits() != eb.logits()) return fail("logits");
  for (int l : ea.trainable_layers())
    if (ea.affine(l).bias_codes() != eb.affine(l).bias_codes()) return fail("bias codes");
  for (int l : bn_layers(ea)) {
    const BnState &x = ea.batch_norm(l).bn().state(), &y = eb.batch_norm(l).bn().state();
    if (x.gamma != y.gamma || x.beta != y.beta || x.mu != y.mu || x.sq != y.sq) return fail("BN state");
  }
  return ::testing::AssertionSuccess();
}

std::vector<int64_t> changed_cells(const std::vector<int32_t>& before, const std::vector<int32_t>& after) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < before.size(); ++i)
    if (before[i] != after[i]) out.push_back(static_cast<int64_t>(i));
  return out;
}

// The calls one training sample must make, in order: the forward's read (read_all with read
// effects, else account_reads(1)); account_reads(1) for the backward's input gradient; one
// write of exactly the cells the update changed, ascending, once each (none if none changed);
// end_sample.
::testing::AssertionResult sample_calls(const std::vector<StoreCall>& calls, bool read_effects,
                                        bool input_gradient, const std::vector<int64_t>& changed) {
  std::vector<StoreCall> want;
  want.push_back(read_effects ? StoreCall{StoreCall::kReadAll, 0, {}}
                              : StoreCall{StoreCall::kAccountReads, 1, {}});
  if (input_gradient) want.push_back({StoreCall::kAccountReads, 1, {}});
  if (!changed.empty()) want.push_back({StoreCall::kWrite, 0, changed});
  want.push_back({StoreCall::kEndSample, 0, {}});
  bool same = calls.size() == want.size();
  for (size_t i = 0; same && i < calls.size(); ++i)
    same =
        calls[i].kind == want[i].kind && calls[i].reads == want[i].reads && calls[i].cells == want[i].cells;
  if (same) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "calls: " << describe(calls) << "\nexpected: " << describe(want);
}

void copy_weights(const Engine& from, Engine& to) {
  for (int l : from.trainable_layers()) to.affine(l).set_weight_codes(from.affine(l).weight_codes());
}

// Trains `expected` and `actual` on the same kSamples samples: equal steps and weights after each.
void train_in_lockstep(Engine& expected, Engine& actual) {
  std::vector<uint8_t> img(64);
  for (uint64_t i = 0; i < kSamples; ++i) {
    const int label = make_sample(i, img);
    const StepResult a = expected.train_step(img.data(), label);
    const StepResult b = actual.train_step(img.data(), label);
    ASSERT_TRUE(same_step(a, b, expected, actual, i));
    ASSERT_EQ(actual.weights_digest(), expected.weights_digest()) << "sample " << i;
  }
}

class WeightStoreScheme : public ::testing::TestWithParam<Scheme> {};

std::string scheme_name(const ::testing::TestParamInfo<Scheme>& info) { return to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Schemes, WeightStoreScheme,
                         ::testing::Values(Scheme::kOnlineSgd, Scheme::kNaiveBatch, Scheme::kLrt),
                         scheme_name);

// ---- 1. ideal memory ------------------------------------------------------------------

TEST_P(WeightStoreScheme, IdealStoreTrainsBitIdenticallyAndSeesExactlyTheChangedCells) {
  const TrainSpecs specs = specs_for(GetParam());
  Engine plain(small_net(), specs, kSeed), stored(small_net(), specs, kSeed);
  Fakes fakes(stored);
  stored.attach_weight_stores(fakes.pointers(), true);
  const std::vector<int>& layers = stored.trainable_layers();
  ASSERT_EQ(layers.size(), 3u);
  // The call pattern covers both kinds of layer.
  ASSERT_FALSE(stored.computes_input_gradient(layers[0]));
  ASSERT_TRUE(stored.computes_input_gradient(layers[1]));
  for (size_t j = 0; j < fakes.size(); ++j) {
    SCOPED_TRACE(j);
    ASSERT_TRUE(stored.runs_backward(layers[j]));
    EXPECT_EQ(fakes[j].deploys(), 1);
    EXPECT_EQ(fakes[j].deployed(), codes_of(plain.affine(layers[j])));  // the He-initialized codes
    EXPECT_EQ(fakes[j].mem(), codes_of(stored.affine(layers[j])));
    EXPECT_TRUE(fakes[j].take_calls().empty());  // deploying reads and writes nothing
  }
  ASSERT_EQ(stored.weights_digest(), plain.weights_digest());

  std::vector<uint8_t> img(64);
  std::vector<uint64_t> samples_written(layers.size(), 0);
  for (uint64_t i = 0; i < kSamples; ++i) {
    const int label = make_sample(i, img);
    std::vector<std::vector<int32_t>> before;
    for (int l : layers) before.push_back(codes_of(stored.affine(l)));
    const StepResult a = plain.train_step(img.data(), label);
    const StepResult b = stored.train_step(img.data(), label);
    ASSERT_TRUE(same_step(a, b, plain, stored, i));
    ASSERT_EQ(stored.weights_digest(), plain.weights_digest()) << "sample " << i;
    for (size_t j = 0; j < layers.size(); ++j) {
      const std::vector<int32_t> after = codes_of(stored.affine(layers[j]));
      const std::vector<int64_t> changed = changed_cells(before[j], after);
      samples_written[j] += !changed.empty();
      ASSERT_TRUE(
          sample_calls(fakes[j].take_calls(), false, stored.computes_input_gradient(layers[j]), changed))
          << "layer " << layers[j] << ", sample " << i;
      ASSERT_EQ(fakes[j].mem(), after) << "layer " << layers[j] << ", sample " << i;
    }
  }
  for (size_t j = 0; j < layers.size(); ++j) {
    EXPECT_EQ(stored.write_stats(layers[j]).total, plain.write_stats(layers[j]).total);
    // The stream exercised writes; batched schemes also samples without one (B = 10).
    EXPECT_GT(samples_written[j], 0u) << layers[j];
    if (GetParam() != Scheme::kOnlineSgd) {
      EXPECT_LE(samples_written[j], kSamples / 10) << layers[j];
    }
  }
}

// ---- 2. refused cells ------------------------------------------------------------------

TEST_P(WeightStoreScheme, LayerAdoptsCodesTheStoreRefusedAndComputesWithThem) {
  const TrainSpecs specs = specs_for(GetParam());
  Engine plain(small_net(), specs, kSeed), stored(small_net(), specs, kSeed);
  Fakes fakes(stored);
  // Every 7th word is stuck at its own code in [-30, 30], like a cell that keeps its level.
  for (auto& f : fakes.stores)
    f->store_rule = [](int64_t w, int32_t c) {
      return w % 7 == 3 ? static_cast<int32_t>((w * 37) % 61) - 30 : c;
    };
  stored.attach_weight_stores(fakes.pointers(), true);
  uint64_t refused_at_deploy = 0;
  for (size_t j = 0; j < fakes.size(); ++j) {
    const int l = stored.trainable_layers()[j];
    EXPECT_EQ(codes_of(stored.affine(l)), fakes[j].mem()) << l;
    refused_at_deploy += fakes[j].refused();
  }
  ASSERT_GT(refused_at_deploy, 0u);  // some He codes differed from the stuck ones
  copy_weights(stored, plain);

  std::vector<uint8_t> img(64);
  for (uint64_t i = 0; i < kSamples; ++i) {
    const int label = make_sample(i, img);
    const StepResult a = plain.train_step(img.data(), label);
    const StepResult b = stored.train_step(img.data(), label);
    ASSERT_TRUE(same_step(a, b, plain, stored, i));
    for (size_t j = 0; j < fakes.size(); ++j)
      ASSERT_EQ(codes_of(stored.affine(stored.trainable_layers()[j])), fakes[j].mem())
          << "layer " << stored.trainable_layers()[j] << ", sample " << i;
    copy_weights(stored, plain);  // the stored codes are the next sample's weights
  }
  uint64_t refused = 0;
  for (size_t j = 0; j < fakes.size(); ++j) refused += fakes[j].refused();
  EXPECT_GT(refused, refused_at_deploy);  // writes were refused too, not only the deploy
}

// ---- 3. drift between samples ------------------------------------------------------------

TEST_P(WeightStoreScheme, LayerFollowsDriftAtTheEndOfEachSample) {
  const TrainSpecs specs = specs_for(GetParam());
  Engine plain(small_net(), specs, kSeed), stored(small_net(), specs, kSeed);
  Fakes fakes(stored);
  // Every 5th sample, words with (7 w + clock) % 13 == 0 move by -3 if positive, else by +3:
  // always a change, and always within Qw.
  for (auto& f : fakes.stores)
    f->drift = [](uint64_t clock, std::vector<int32_t>& mem, std::vector<int64_t>& changed) {
      if (clock % 5 != 4) return;
      for (size_t w = 0; w < mem.size(); ++w) {
        if ((7 * w + clock) % 13 != 0) continue;
        mem[w] += mem[w] > 0 ? -3 : 3;
        changed.push_back(static_cast<int64_t>(w));
      }
    };
  stored.attach_weight_stores(fakes.pointers(), true);

  std::vector<uint8_t> img(64);
  for (uint64_t i = 0; i < kSamples; ++i) {
    const int label = make_sample(i, img);
    const StepResult a = plain.train_step(img.data(), label);
    const StepResult b = stored.train_step(img.data(), label);
    ASSERT_TRUE(same_step(a, b, plain, stored, i));
    for (size_t j = 0; j < fakes.size(); ++j)
      ASSERT_EQ(codes_of(stored.affine(stored.trainable_layers()[j])), fakes[j].mem())
          << "layer " << stored.trainable_layers()[j] << ", sample " << i;
    copy_weights(stored, plain);  // the drifted codes are the next sample's weights
  }
  for (size_t j = 0; j < fakes.size(); ++j) EXPECT_GT(fakes[j].drifted(), 0u) << j;
}

// ---- 4. read effects ---------------------------------------------------------------------

// Reads of words w % 5 == 1 return the stored code +-4 (sign alternating with w + clock),
// clipped to Qw; other words read back as stored.
int32_t noisy_read(int64_t w, int32_t stored, uint64_t clock) {
  if (w % 5 != 1) return stored;
  const int32_t delta = (static_cast<uint64_t>(w) + clock) % 2 == 0 ? 4 : -4;
  return std::clamp(stored + delta, kMinCode, kMaxCode);
}
// One word in 128, another set each sample: few enough that a sparse read moves the layer's
// transposed mirror word by word (noisy_read's one in five rebuilds it whole).
int32_t rarely_noisy_read(int64_t w, int32_t stored, uint64_t clock) {
  if ((static_cast<uint64_t>(w) + 3 * clock) % 128 != 0) return stored;
  return std::clamp(stored + (clock % 2 == 0 ? 3 : -3), kMinCode, kMaxCode);
}

TEST_P(WeightStoreScheme, ForwardComputesWithTheReadCodesAndReadsLeaveStoredCodesAlone) {
  const TrainSpecs specs = specs_for(GetParam());
  Engine plain(small_net(), specs, kSeed), stored(small_net(), specs, kSeed);
  Fakes fakes(stored);
  for (auto& f : fakes.stores) f->read_rule = noisy_read;
  stored.attach_weight_stores(fakes.pointers(), true);
  const std::vector<int>& layers = stored.trainable_layers();
  // plain computes with what this sample's reads return.
  auto give_plain_the_read_codes = [&] {
    uint64_t differing = 0;
    for (size_t j = 0; j < layers.size(); ++j) {
      std::vector<int32_t> read(fakes[j].words());
      for (size_t w = 0; w < read.size(); ++w) read[w] = fakes[j].read(static_cast<int64_t>(w));
      differing += changed_cells(fakes[j].mem(), read).size();
      plain.affine(layers[j]).set_weight_codes(as_matrix(plain.affine(layers[j]), read));
    }
    return differing;
  };

  std::vector<uint8_t> img(64);
  for (uint64_t i = 0; i < kSamples; ++i) {
    const int label = make_sample(i, img);
    ASSERT_GT(give_plain_the_read_codes(), 0u);
    std::vector<std::vector<int32_t>> before;
    for (int l : layers) before.push_back(codes_of(stored.affine(l)));
    const StepResult a = plain.train_step(img.data(), label);
    const StepResult b = stored.train_step(img.data(), label);
    // Logits, biases and BN (updated from the backward through the read codes) agree.
    ASSERT_TRUE(same_step(a, b, plain, stored, i));
    for (size_t j = 0; j < layers.size(); ++j) {
      const std::vector<int32_t> after = codes_of(stored.affine(layers[j]));
      // The layer keeps the stored codes (the update acts on them), never the read ones: a cell
      // changes only through the one write, and what the store holds is what the layer holds.
      ASSERT_TRUE(sample_calls(fakes[j].take_calls(), true, stored.computes_input_gradient(layers[j]),
                               changed_cells(before[j], after)))
          << "layer " << layers[j] << ", sample " << i;
      ASSERT_EQ(after, fakes[j].mem()) << "layer " << layers[j] << ", sample " << i;
    }
  }

  // Inference: predict reads once per layer, writes nothing, and gives plain's logits.
  std::vector<std::vector<int32_t>> held;
  for (size_t j = 0; j < layers.size(); ++j) held.push_back(fakes[j].mem());
  ASSERT_GT(give_plain_the_read_codes(), 0u);
  for (uint64_t i = 0; i < 20; ++i) {
    make_sample(1'000'000 + i, img);
    EXPECT_EQ(stored.predict(img.data()), plain.predict(img.data())) << i;
    ASSERT_EQ(stored.logits(), plain.logits()) << i;
  }
  for (size_t j = 0; j < layers.size(); ++j) {
    const std::vector<StoreCall> calls = fakes[j].take_calls();
    EXPECT_EQ(calls.size(), 20u) << layers[j];
    for (const StoreCall& c : calls) EXPECT_EQ(c.kind, StoreCall::kReadAll) << layers[j];
    EXPECT_EQ(fakes[j].mem(), held[j]) << layers[j];
    EXPECT_EQ(codes_of(stored.affine(layers[j])), held[j]) << layers[j];
  }
}

// A store that tells reads as differences (read_deviations) trains exactly as one that returns
// every word (read_all), with read effects, drift and refused cells together: the layer's
// mirrors go back to the stored codes where last sample's read differed, drift and writes in
// between included.
// Noisy reads, refused cells and a drift every third sample, on every store of `f`.
void make_imperfect(Fakes& f, int32_t (*read_rule)(int64_t, int32_t, uint64_t) = noisy_read) {
  for (auto& store : f.stores) {
    store->read_rule = read_rule;
    store->store_rule = [](int64_t w, int32_t c) { return w % 11 == 4 ? int32_t{9} : c; };
    store->drift = [](uint64_t clock, std::vector<int32_t>& mem, std::vector<int64_t>& changed) {
      if (clock % 3 != 2) return;
      for (size_t w = 0; w < mem.size(); w += 7) {
        mem[w] += mem[w] > 0 ? -2 : 2;
        changed.push_back(static_cast<int64_t>(w));
      }
    };
  }
}

TEST_P(WeightStoreScheme, SparseReadsTrainAsFullReads) {
  for (auto* rule : {noisy_read, rarely_noisy_read}) {
    SCOPED_TRACE(rule == noisy_read ? "one word in five reads differently" : "one in 128");
    const TrainSpecs specs = specs_for(GetParam());
    Engine full(small_net(), specs, kSeed), sparse(small_net(), specs, kSeed);
    Fakes full_fakes(full), sparse_fakes(sparse);
    make_imperfect(full_fakes, rule);
    make_imperfect(sparse_fakes, rule);
    for (auto& store : sparse_fakes.stores) store->sparse = true;
    full.attach_weight_stores(full_fakes.pointers(), true);
    sparse.attach_weight_stores(sparse_fakes.pointers(), true);
    train_in_lockstep(full, sparse);
    if (HasFatalFailure()) return;
    std::vector<uint8_t> img(64);
    for (size_t j = 0; j < sparse_fakes.size(); ++j) {
      EXPECT_EQ(sparse_fakes[j].mem(), full_fakes[j].mem()) << j;
      EXPECT_GT(sparse_fakes[j].drifted(), 0u) << j;
    }
    for (uint64_t i = 0; i < 10; ++i) {  // inference reads the same way
      make_sample(2'000'000 + i, img);
      EXPECT_EQ(sparse.predict(img.data()), full.predict(img.data())) << i;
      ASSERT_EQ(sparse.logits(), full.logits()) << i;
    }
  }
}

// A store that reports its drift as dense (end_sample() true: the layer re-reads every word)
// trains exactly as one that lists the changed words, with sparse reads' deviations in the
// mirrors when the drift comes.
TEST_P(WeightStoreScheme, DenseDriftReportsTrainAsListedOnes) {
  const TrainSpecs specs = specs_for(GetParam());
  Engine listed(small_net(), specs, kSeed), dense(small_net(), specs, kSeed);
  Fakes listed_fakes(listed), dense_fakes(dense);
  make_imperfect(listed_fakes);
  make_imperfect(dense_fakes);
  for (Fakes* f : {&listed_fakes, &dense_fakes})
    for (auto& store : f->stores) store->sparse = true;
  for (auto& store : dense_fakes.stores) store->dense_drift = true;
  listed.attach_weight_stores(listed_fakes.pointers(), true);
  dense.attach_weight_stores(dense_fakes.pointers(), true);
  train_in_lockstep(listed, dense);
  if (HasFatalFailure()) return;
  for (size_t j = 0; j < dense_fakes.size(); ++j) {
    EXPECT_EQ(dense_fakes[j].mem(), listed_fakes[j].mem()) << j;
    EXPECT_GT(dense_fakes[j].drifted(), 0u) << j;
  }
}

// A wide layer's sparse reads move its mirrors in cell ranges on a pool (above 16,384 listed
// words): it trains as the same network on one thread. An fc layer keeps only the cell-order
// mirror: fc 64 -> 4096 (262,144 cells) with a fifth of the words reading differently, a
// different fifth each sample. A conv layer keeps the transposed mirror too (its forward GEMM
// reads it): conv 128 -> 1024 channels (1,179,648 cells) with a fifth of the words, so that the
// transposed mirror is rebuilt whole (more than one listed word in 32 cells) after the ranges
// moved the cell-order one, and with one word in 80, so that the ranges (about 29,500 listed
// words, fewer than one in 32 cells) move the transposed mirror word by word too. On three
// threads the six ranges start inside rows of the transposed mirror (the cells / 6 are no
// multiple of 1,152), and every range has words to put back to the stored code as well as new
// ones.
TEST(WeightStorePool, WideSparseReadsMoveTheMirrorsAsOnOneThread) {
  struct Case {
    const char* name;
    int side;  // the input is side x side x 1
    std::vector<LayerSpec> layers;
    int32_t (*rule)(int64_t, int32_t, uint64_t);
  };
  const auto one_in_80 = [](int64_t w, int32_t stored, uint64_t clock) {
    if ((static_cast<uint64_t>(w) + 7 * clock) % 80 != 0) return stored;
    return std::clamp(stored + (clock % 2 == 0 ? 3 : -3), kMinCode, kMaxCode);
  };
  const auto a_fifth = [](int64_t w, int32_t stored, uint64_t clock) {
    return noisy_read(w + static_cast<int64_t>(clock), stored, clock);
  };
  const std::vector<LayerSpec> fc_net{{LayerKind::kFc, 4096}, {LayerKind::kRelu, 0}, {LayerKind::kFc, 3}};
  const std::vector<LayerSpec> conv_net{{LayerKind::kConv3x3, 128},
                                        {LayerKind::kRelu, 0},
                                        {LayerKind::kConv3x3, 1024},
                                        {LayerKind::kRelu, 0},
                                        {LayerKind::kFc, 3}};
  for (const Case& c : {Case{"fc 64 -> 4096, a fifth", 8, fc_net, a_fifth},
                        Case{"conv 128 -> 1024, a fifth", 6, conv_net, a_fifth},
                        Case{"conv 128 -> 1024, one in 80", 6, conv_net, one_in_80}}) {
    SCOPED_TRACE(c.name);
    NetworkSpec wide;
    wide.in_h = c.side;
    wide.in_w = c.side;
    wide.in_c = 1;
    wide.layers = c.layers;
    const TrainSpecs specs = specs_for(Scheme::kLrt);
    Engine one(wide, specs, kSeed), pooled(wide, specs, kSeed);
    ThreadPool pool(3);
    pooled.set_thread_pool(&pool);
    Fakes one_fakes(one), pooled_fakes(pooled);
    make_imperfect(one_fakes);
    make_imperfect(pooled_fakes);
    for (Fakes* f : {&one_fakes, &pooled_fakes})
      for (auto& store : f->stores) {
        store->sparse = true;
        store->read_rule = c.rule;
      }
    one.attach_weight_stores(one_fakes.pointers(), true);
    pooled.attach_weight_stores(pooled_fakes.pointers(), true);
    std::vector<uint8_t> img(static_cast<size_t>(c.side * c.side));
    for (uint64_t i = 0; i < 12; ++i) {
      const int label = make_sample(i, img);
      const StepResult a = one.train_step(img.data(), label);
      const StepResult b = pooled.train_step(img.data(), label);
      ASSERT_TRUE(same_step(a, b, one, pooled, i));
      ASSERT_EQ(pooled.logits(), one.logits()) << "sample " << i;
      ASSERT_EQ(pooled.weights_digest(), one.weights_digest()) << "sample " << i;
    }
  }
}

// ---- 5. attach errors ------------------------------------------------------------------------

TEST(WeightStoreAttach, ResumeOnlyOntoMatchingCodesRightSizesAndNoDirectWrites) {
  const TrainSpecs specs = specs_for(Scheme::kOnlineSgd);
  {  // deploy = false: the stores must already hold the layer's codes; nothing is deployed.
    Engine e(small_net(), specs, kSeed);
    Fakes fakes(e);
    for (size_t j = 0; j < fakes.size(); ++j) fakes[j].preload(codes_of(e.affine(e.trainable_layers()[j])));
    const uint64_t digest = e.weights_digest();
    EXPECT_NO_THROW(e.attach_weight_stores(fakes.pointers(), false));
    EXPECT_EQ(e.weights_digest(), digest);
    for (size_t j = 0; j < fakes.size(); ++j) {
      EXPECT_EQ(fakes[j].deploys(), 0);
      EXPECT_EQ(e.affine(e.trainable_layers()[j]).store(), &fakes[j]);
    }
  }
  {  // ... and one differing word in the last layer's store is refused.
    Engine e(small_net(), specs, kSeed);
    Fakes fakes(e);
    for (size_t j = 0; j < fakes.size(); ++j) fakes[j].preload(codes_of(e.affine(e.trainable_layers()[j])));
    std::vector<int32_t> off = fakes[2].mem();
    off[5] = off[5] == 0 ? 1 : 0;
    fakes[2].preload(off);
    EXPECT_THROW(e.attach_weight_stores(fakes.pointers(), false), std::runtime_error);
    EXPECT_EQ(fakes[2].deploys(), 0);
  }
  {  // Sizes: a store one word too big, and one store too few.
    Engine e(small_net(), specs, kSeed);
    Fakes fakes(e);
    const AffineLayer& fc = e.affine(e.trainable_layers()[1]);
    FakeStore big(codes_of(fc).size() + 1);
    EXPECT_THROW(e.affine(e.trainable_layers()[1]).attach_store(&big, true), std::invalid_argument);
    std::vector<WeightStore*> two = fakes.pointers();
    two.pop_back();
    EXPECT_THROW(e.attach_weight_stores(two, true), std::invalid_argument);
  }
  {  // While attached, the codes change only through the store; detached, directly again.
    Engine e(small_net(), specs, kSeed);
    Fakes fakes(e);
    e.attach_weight_stores(fakes.pointers(), true);
    AffineLayer& conv = e.affine(e.trainable_layers()[0]);
    const Matrix<int32_t> codes = conv.weight_codes();
    EXPECT_THROW(conv.set_weight_codes(codes), std::logic_error);
    e.attach_weight_stores({}, false);
    EXPECT_EQ(conv.store(), nullptr);
    EXPECT_NO_THROW(conv.set_weight_codes(codes));
  }
}

// ---- 6. the RRAM device model as the store ----------------------------------------------

// One 8-bit word per weight on binary cells; endurance far above what the run uses, no faults,
// drift or read effects: ideal memory that counts.
device::RramArraySpecs ideal_rram(uint64_t words) {
  device::RramArraySpecs s;
  s.bits_per_cell = 1;
  s.weight_bits = 8;
  s.weight_range = 1.0;
  s.cells = words * 8;
  s.endurance.distribution = device::EnduranceDistribution::kFixed;
  s.endurance.writes = 4'000'000'000;
  s.stuck_at_fault_rate = 0.0;
  return s;
}

TEST_P(WeightStoreScheme, RramWeightStoreTrainsBitIdenticallyAndCountsTheLayersWrites) {
  const TrainSpecs specs = specs_for(GetParam());
  Engine plain(small_net(), specs, kSeed), stored(small_net(), specs, kSeed);
  const std::vector<int>& layers = stored.trainable_layers();
  std::vector<std::unique_ptr<device::RramArray>> arrays;
  std::vector<std::unique_ptr<device::RramWeightStore>> stores;
  std::vector<WeightStore*> pointers;
  for (int l : layers) {
    arrays.push_back(std::make_unique<device::RramArray>(ideal_rram(codes_of(stored.affine(l)).size()), kSeed,
                                                         static_cast<uint32_t>(l)));
    stores.push_back(std::make_unique<device::RramWeightStore>(*arrays.back()));
    pointers.push_back(stores.back().get());
  }
  stored.attach_weight_stores(pointers, true);
  ASSERT_EQ(stored.weights_digest(), plain.weights_digest());

  train_in_lockstep(plain, stored);
  if (HasFatalFailure()) return;
  for (size_t j = 0; j < layers.size(); ++j) {
    SCOPED_TRACE(layers[j]);
    const device::RramArray& array = *arrays[j];
    const AffineLayer& layer = stored.affine(layers[j]);
    const std::vector<int32_t> codes = codes_of(layer);
    EXPECT_GT(layer.writes().stats().total, 0u);
    for (uint64_t w = 0; w < array.words(); ++w) {
      ASSERT_EQ(array.peek_word(w), codes[w]) << "word " << w;
      ASSERT_EQ(array.word_writes(w), layer.writes().counts()[w]) << "word " << w;
    }
    EXPECT_EQ(array.stats().word_writes, layer.writes().stats().total);
    EXPECT_EQ(array.stats().word_write_failures, 0u);
    EXPECT_EQ(array.stats().cells_worn_out, 0u);
    // One whole-array read per forward, one more per backward that computes an input gradient.
    const uint64_t reads_per_sample = stored.computes_input_gradient(layers[j]) ? 2 : 1;
    EXPECT_EQ(array.stats().word_reads, kSamples * reads_per_sample * array.words());
    EXPECT_EQ(array.samples(), kSamples);
  }
}

}  // namespace
}  // namespace lrt::golden
