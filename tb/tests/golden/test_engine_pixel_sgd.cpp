// The sgd_pixel scheme (schemes.cpp, PixelSgd): each pair's update is rounded and written on
// its own, so sub-LSB contributions are lost and a cell can be written once per pixel.
//
// Hand-computed case (1 x 2 layer, Qw s8 range 1 -> 7 fractional bits, dz and a with 7
// fractional bits, eta = 0.5): scale = -0.5 * 2^(7 - 7 - 7) = -1/256 LSB per unit of dz a.
// Two identical pairs dz = 2, a = (51, 77) give products 102 and 154:
//   sgd_pixel: -102/256 = -0.398 -> 0 (each pixel), -154/256 = -0.602 -> -1 (each pixel):
//              codes (0, -2), writes (0, 2), one flush per pair;
//   sgd:       -204/256 = -0.797 -> -1, -308/256 = -1.203 -> -1: codes (-1, -1), writes (1, 1).
// A pair whose dz is all zero is skipped (no flush). A fourth pair dz = 3, a = (0, 40) adds
// 120/256 = 0.469 LSB to cell 1 only: lost by sgd_pixel, summed by sgd (428/256 = 1.672 -> -2).
// Pair updates (pairs with dz_o a_k != 0): cell 0 in pairs 1, 3; cell 1 in pairs 1, 3, 4.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "device/rram_array.h"
#include "device/rram_weight_store.h"
#include "golden/training/engine.h"
#include "golden/training/schemes.h"

namespace lrt::golden {
namespace {

struct CountingFlusher final : WriteFlusher {
  int calls = 0;
  void flush() override { ++calls; }
};

UpdaterParams one_by_two(Scheme s) {
  UpdaterParams p;
  p.n_o = 1;
  p.n_i = 2;
  p.weight = fx::Format::signed_range(8, 0);
  p.learning_rate = 0.5;
  p.kind.scheme = s;
  return p;
}

struct Outcome {
  std::vector<int32_t> codes;
  std::vector<uint32_t> writes;
  int flushes = 0;
};

Outcome run_hand_case(Scheme s) {
  auto u = make_updater(one_by_two(s));
  // Pairs: (2; 51, 77), (0; 9, 9) (no gradient), (2; 51, 77), (3; 0, 40).
  const int16_t dz[4] = {2, 0, 2, 3};
  const int16_t a[8] = {51, 77, 9, 9, 51, 77, 0, 40};
  CountingFlusher f;
  SamplePairs g;
  g.pairs = 4;
  g.n_o = 1;
  g.n_i = 2;
  g.dz = dz;
  g.a = a;
  g.dz_frac = 7;
  g.a_frac = 7;
  g.flusher = &f;
  Matrix<int32_t> codes(1, 2, 0);
  WriteCounter writes(2);
  u->on_sample(g, codes, writes);
  const auto counts = [](const WeightUpdater& x) {
    return x.pair_updates() != nullptr ? *x.pair_updates() : std::vector<uint32_t>{};
  };
  EXPECT_EQ(counts(*u), (std::vector<uint32_t>{2, 3}));
  // The counts are part of the state (checkpoints): a fresh updater takes them back.
  auto twin = make_updater(one_by_two(s));
  twin->set_state(u->state());
  EXPECT_EQ(counts(*twin), (std::vector<uint32_t>{2, 3}));
  return {{codes.data()[0], codes.data()[1]}, {writes.counts()[0], writes.counts()[1]}, f.calls};
}

TEST(PixelSgd, EachPairIsRoundedAndWrittenOnItsOwn) {
  const Outcome pixel = run_hand_case(Scheme::kPixelSgd);
  EXPECT_EQ(pixel.codes, (std::vector<int32_t>{0, -2}));
  EXPECT_EQ(pixel.writes, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(pixel.flushes, 2);  // the zero-gradient pair writes nothing
  const Outcome summed = run_hand_case(Scheme::kOnlineSgd);
  EXPECT_EQ(summed.codes, (std::vector<int32_t>{-1, -2}));
  EXPECT_EQ(summed.writes, (std::vector<uint32_t>{1, 1}));
  EXPECT_EQ(summed.flushes, 0);  // once-per-sample schemes leave the flush to the layer
}

TEST(PixelSgd, OtherSchemesKeepNoPairCounts) {
  for (Scheme s : {Scheme::kBiasOnly, Scheme::kNaiveBatch, Scheme::kLrt, Scheme::kUoro}) {
    UpdaterParams p = one_by_two(s);
    p.kind.batch = 2;
    EXPECT_EQ(make_updater(p)->pair_updates(), nullptr) << to_string(s);
    UpdaterState bad = make_updater(p)->state();
    bad.pair_updates = {1, 1};
    EXPECT_THROW(make_updater(p)->set_state(bad), std::invalid_argument) << to_string(s);
  }
}

// Pre-training turns the count off: no counts, and a state without them is accepted.
TEST(PixelSgd, PairCountsCanBeTurnedOff) {
  for (Scheme s : {Scheme::kOnlineSgd, Scheme::kPixelSgd}) {
    UpdaterParams p = one_by_two(s);
    p.count_pair_updates = false;
    auto u = make_updater(p);
    EXPECT_EQ(u->pair_updates(), nullptr) << to_string(s);
    UpdaterState st = u->state();
    EXPECT_TRUE(st.pair_updates.empty());
    EXPECT_NO_THROW(u->set_state(st));
    st.pair_updates = {0, 0};
    EXPECT_THROW(u->set_state(st), std::invalid_argument) << to_string(s);
  }
}

TEST(PixelSgd, SchemeNameRoundTrips) {
  EXPECT_EQ(parse_scheme("sgd_pixel"), Scheme::kPixelSgd);
  EXPECT_STREQ(to_string(Scheme::kPixelSgd), "sgd_pixel");
}

std::vector<uint8_t> image(uint64_t i) {
  std::vector<uint8_t> img(28 * 28);
  for (size_t p = 0; p < img.size(); ++p) img[p] = static_cast<uint8_t>((p * 131 + i * 977 + (p * p) % 61) % 256);
  return img;
}

void train(Engine& e, int samples) {
  for (int i = 0; i < samples; ++i) {
    const auto img = image(static_cast<uint64_t>(i));
    e.train_step(img.data(), i % 10);
  }
}

// An fc layer has one pair per sample: sgd_pixel and sgd are the same update there.
TEST(PixelSgd, EqualsSgdOnFullyConnectedLayers) {
  TrainSpecs t;
  t.conv.scheme = Scheme::kBiasOnly;
  t.fc.scheme = Scheme::kOnlineSgd;
  Engine sgd(default_network(), t, 1);
  t.fc.scheme = Scheme::kPixelSgd;
  Engine pixel(default_network(), t, 1);
  const uint64_t initial = sgd.weights_digest();
  train(sgd, 40);
  train(pixel, 40);
  EXPECT_NE(sgd.weights_digest(), initial);
  EXPECT_EQ(pixel.weights_digest(), sgd.weights_digest());
  EXPECT_EQ(pixel.write_stats().total, sgd.write_stats().total);
}

// On conv layers, with the weights in RRAM arrays: every per-pixel write reaches the array
// (the array's word writes equal the engine's write count), the stored words equal the
// codes, and the hottest cell is written more often than once per sample.
TEST(PixelSgd, ConvWritesReachTheRramOncePerPixel) {
  TrainSpecs t;
  t.conv.scheme = t.fc.scheme = Scheme::kPixelSgd;
  t.conv.max_norm = t.fc.max_norm = true;
  Engine plain(default_network(), t, 1), stored(default_network(), t, 1);
  std::vector<std::unique_ptr<device::RramArray>> arrays;
  std::vector<std::unique_ptr<device::RramWeightStore>> stores;
  std::vector<WeightStore*> pointers;
  for (int l : stored.trainable_layers()) {
    const Matrix<int32_t>& w = stored.affine(l).weight_codes();
    device::RramArraySpecs s;  // ideal binary cells holding 8-bit words, no wear-out within the test
    s.bits_per_cell = 1;
    s.weight_bits = 8;
    s.weight_range = 1.0;
    s.cells = w.rows() * w.cols() * 8;
    s.endurance.distribution = device::EnduranceDistribution::kFixed;
    s.endurance.writes = 4'000'000'000;
    arrays.push_back(std::make_unique<device::RramArray>(s, 7, static_cast<uint32_t>(l)));
    stores.push_back(std::make_unique<device::RramWeightStore>(*arrays.back()));
    pointers.push_back(stores.back().get());
  }
  stored.attach_weight_stores(pointers, true);
  constexpr int kSamples = 20;
  train(plain, kSamples);
  train(stored, kSamples);
  EXPECT_EQ(stored.weights_digest(), plain.weights_digest());
  uint32_t conv_max = 0;
  for (size_t j = 0; j < arrays.size(); ++j) {
    const int l = stored.trainable_layers()[j];
    const Matrix<int32_t>& w = stored.affine(l).weight_codes();
    for (uint64_t i = 0; i < arrays[j]->words(); ++i) ASSERT_EQ(arrays[j]->peek_word(i), w.data()[i]) << l;
    const WriteStats ws = stored.write_stats(l);
    EXPECT_EQ(arrays[j]->stats().word_writes, ws.total) << l;
    if (stored.affine(l).is_conv()) conv_max = std::max(conv_max, ws.max);
  }
  EXPECT_GT(conv_max, static_cast<uint32_t>(kSamples));  // some cell changed at several pixels of a sample
}

}  // namespace
}  // namespace lrt::golden
