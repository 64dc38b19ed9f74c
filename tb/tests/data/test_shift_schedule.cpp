// The distribution-shift schedule and class-distribution clustering.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "data/sample_rng.h"
#include "data/shift_schedule.h"

namespace lrt::data {
namespace {

// ---- the authors' fixed schedule (the default) ----------------------------------------------

// The notebook's `schedule` dict (data/MNIST Dataset Generator.ipynb, "Generate the Distribution
// Shift Dataset (Small)"), one row per augmentation, one column per 10k segment, copied as
// written there.
constexpr bool kNotebookCdp[10] = {true, false, false, false, false, false, false, false, true, false};
constexpr bool kNotebookSt[10] = {false, true, false, false, true, true, false, true, true, false};
constexpr bool kNotebookBg[10] = {false, false, true, false, false, true, true, true, true, false};
constexpr bool kNotebookWn[10] = {false, false, false, true, true, false, true, true, true, false};

TEST(ShiftSchedule, AuthorsScheduleIsTheNotebooksTenSegmentsInOrder) {
  const ShiftSpecs s;
  ASSERT_EQ(s.schedule, ShiftScheduleRule::kAuthors);  // the default
  const ShiftSchedule schedule(s, 99);
  ASSERT_EQ(schedule.cycle().size(), 10u);
  const char* names[10] = {"CD",    "ST",    "BG",       "WN",          "ST+WN",
                           "ST+BG", "BG+WN", "ST+BG+WN", "CD+ST+BG+WN", "none"};
  for (uint64_t k = 0; k < 10; ++k) {
    const uint32_t expected = (kNotebookCdp[k] ? kClassClustering : 0u) | (kNotebookSt[k] ? kSpatial : 0u) |
                              (kNotebookBg[k] ? kBackground : 0u) | (kNotebookWn[k] ? kWhiteNoise : 0u);
    EXPECT_EQ(schedule.segment_augmentations(k), expected) << "segment " << k;
    EXPECT_EQ(augmentation_names(schedule.segment_augmentations(k)), names[k]) << "segment " << k;
    // Repeated cyclically beyond the notebook's 100k samples.
    EXPECT_EQ(schedule.segment_augmentations(k + 10), expected);
    EXPECT_EQ(schedule.segment_augmentations(k + 1000), expected);
  }
  // Fixed: the seed plays no part.
  EXPECT_EQ(ShiftSchedule(s, 100).cycle(), schedule.cycle());
}

TEST(ShiftSchedule, AuthorsScheduleChangesAtEverySegmentBoundary) {
  ShiftSpecs s;
  s.period = 7;
  const ShiftSchedule schedule(s, 5);
  for (uint64_t i = 1; i < 7 * 25; ++i) {  // two and a half cycles: the wrap none -> CD too
    const bool boundary = i % 7 == 0;
    EXPECT_EQ(schedule.augmentations_at(i) != schedule.augmentations_at(i - 1), boundary) << i;
    EXPECT_EQ(schedule.segment_of(i), i / 7);
  }
}

// A restricted data.shift.augmentations removes the other augmentations from every segment;
// segments keep their places (and may end up with none).
TEST(ShiftSchedule, AuthorsScheduleDropsAugmentationsThatAreNotEligible) {
  ShiftSpecs s;
  s.augmentations = kSpatial | kWhiteNoise;
  const uint32_t st = kSpatial, wn = kWhiteNoise;
  EXPECT_EQ(ShiftSchedule(s, 1).cycle(),
            (std::vector<uint32_t>{0, st, 0, wn, st | wn, st, wn, st | wn, st | wn, 0}));
  s.augmentations = kClassClustering;
  EXPECT_EQ(ShiftSchedule(s, 1).cycle(),
            (std::vector<uint32_t>{kClassClustering, 0, 0, 0, 0, 0, 0, 0, kClassClustering, 0}));
}

// ---- lrtsim's former rule: data.shift.schedule random_combinations --------------------------

TEST(ShiftSchedule, OneCycleHoldsEveryNonEmptyCombinationOnce) {
  ShiftSpecs s;
  s.schedule = ShiftScheduleRule::kRandomCombinations;
  const ShiftSchedule schedule(s, 99);
  std::vector<uint32_t> cycle = schedule.cycle();
  ASSERT_EQ(cycle.size(), 15u);
  std::sort(cycle.begin(), cycle.end());
  for (uint32_t m = 1; m <= 15; ++m) EXPECT_EQ(cycle[m - 1], m);
  EXPECT_EQ(ShiftSchedule(s, 99).cycle(), schedule.cycle());
  // Two seeds give the same order with probability 1 / 15! = 7.6e-13.
  EXPECT_NE(ShiftSchedule(s, 100).cycle(), schedule.cycle());
}

TEST(ShiftSchedule, ChangesExactlyAtEverySegmentBoundary) {
  ShiftSpecs s;
  s.schedule = ShiftScheduleRule::kRandomCombinations;
  s.period = 7;
  const ShiftSchedule schedule(s, 5);
  for (uint64_t i = 1; i < 7 * 40; ++i) {
    const bool boundary = i % 7 == 0;
    EXPECT_EQ(schedule.augmentations_at(i) != schedule.augmentations_at(i - 1), boundary) << i;
    EXPECT_EQ(schedule.segment_of(i), i / 7);
  }
  EXPECT_EQ(schedule.segment_augmentations(3), schedule.segment_augmentations(3 + 15));
}

TEST(ShiftSchedule, DrawsOnlyFromTheEligibleAugmentations) {
  ShiftSpecs s;
  s.schedule = ShiftScheduleRule::kRandomCombinations;
  s.augmentations = kSpatial | kWhiteNoise;
  std::vector<uint32_t> cycle = ShiftSchedule(s, 1).cycle();
  std::sort(cycle.begin(), cycle.end());
  EXPECT_EQ(cycle, (std::vector<uint32_t>{kSpatial, kWhiteNoise, kSpatial | kWhiteNoise}));
  s.augmentations = kBackground;
  const ShiftSchedule only(s, 1);
  for (uint64_t k = 0; k < 5; ++k) EXPECT_EQ(only.segment_augmentations(k), kBackground);
}

// A pool of 1000 images with unequal classes: 60 of each class, plus 80 more of each of
// classes 0..4, so pi_c = 0.14 (c < 5) or 0.06 (c >= 5).
std::vector<uint8_t> pool_labels() {
  std::vector<uint8_t> labels;
  for (int i = 0; i < 600; ++i) labels.push_back(static_cast<uint8_t>(i % 10));
  for (int i = 0; i < 400; ++i) labels.push_back(static_cast<uint8_t>(i % 5));
  return labels;
}

ClassClustering make_clustering(const ClusterSpecs& specs, const std::vector<uint8_t>& labels) {
  return ClassClustering(specs, labels, make_rng(3, RngStream::kDataOrder, 1),
                         make_rng(3, RngStream::kDataOrder, 2));
}

TEST(ClassClustering, FavouredClassesAreDistinctPresentAndVary) {
  std::vector<uint8_t> labels = pool_labels();
  std::replace(labels.begin(), labels.end(), uint8_t{7}, uint8_t{3});  // class 7 absent
  ClusterSpecs specs;
  specs.classes_per_block = 3;
  const ClassClustering cl = make_clustering(specs, labels);
  EXPECT_EQ(cl.present_classes(), (std::vector<uint8_t>{0, 1, 2, 3, 4, 5, 6, 8, 9}));
  std::set<std::vector<uint8_t>> seen;
  for (uint64_t b = 0; b < 50; ++b) {
    const auto f = cl.favoured_classes(b);
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(std::set<uint8_t>(f.begin(), f.end()).size(), 3u);
    for (uint8_t c : f) EXPECT_NE(c, 7);
    EXPECT_EQ(f, cl.favoured_classes(b));
    seen.insert(f);
  }
  // 504 ordered triples: 50 blocks all alike has probability 504^-49.
  EXPECT_GT(seen.size(), 10u);
}

TEST(ClassClustering, CertainFavourDrawsOnlyFavouredClasses) {
  const std::vector<uint8_t> labels = pool_labels();
  ClusterSpecs specs;
  specs.block = 100;
  specs.favour_probability = 1.0;
  const ClassClustering cl = make_clustering(specs, labels);
  for (uint64_t i = 0; i < 2000; ++i) {
    const auto f = cl.favoured_classes(i / 100);
    const uint32_t j = cl.draw(i);
    ASSERT_LT(j, labels.size());
    ASSERT_TRUE(std::find(f.begin(), f.end(), labels[j]) != f.end()) << i;
  }
}

double chi_square(const std::vector<double>& observed, const std::vector<double>& expected) {
  double x = 0;
  for (std::size_t c = 0; c < observed.size(); ++c)
    x += (observed[c] - expected[c]) * (observed[c] - expected[c]) / expected[c];
  return x;
}

// 20 blocks of 1000 samples, 2 favoured classes, favour probability 0.8.
// (a) Against the unclustered distribution pi (what the plain online stream draws), every
//     block must reject at significance 1e-6: chi^2 (9 dof) > 44.81. Under clustering a
//     favoured class expects 1000 (0.4 + 0.2 pi_c) >= 412 against 1000 pi_c <= 140, so the
//     noncentrality is > 500 and a miss is > 20 standard deviations away: negligible.
// (b) Against the defined mixture p / k [c favoured] + (1 - p) pi_c, the summed chi^2 over
//     the blocks (180 dof; every expected count >= 12) stays below 284.98, its 1 - 1e-6
//     quantile: false-failure probability 1e-6.
TEST(ClassClustering, ChangesClassFrequenciesPerBlockAsDefined) {
  const std::vector<uint8_t> labels = pool_labels();
  std::vector<double> pi(10);
  for (uint8_t l : labels) pi[l] += 1.0 / static_cast<double>(labels.size());
  const ClusterSpecs specs;  // block 1000, 2 classes, p = 0.8
  const ClassClustering cl = make_clustering(specs, labels);
  double fit = 0;
  for (uint64_t b = 0; b < 20; ++b) {
    std::vector<double> counts(10, 0.0), uniform(10), mixture(10);
    for (uint64_t i = b * 1000; i < (b + 1) * 1000; ++i) counts[labels[cl.draw(i)]] += 1;
    const auto favoured = cl.favoured_classes(b);
    for (int c = 0; c < 10; ++c) {
      const bool fav = std::find(favoured.begin(), favoured.end(), c) != favoured.end();
      uniform[c] = 1000 * pi[c];
      mixture[c] = 1000 * ((fav ? 0.8 / 2 : 0.0) + 0.2 * pi[c]);
    }
    EXPECT_GT(chi_square(counts, uniform), 44.81) << "block " << b;
    fit += chi_square(counts, mixture);
  }
  EXPECT_LT(fit, 284.98);
}

TEST(ClassClustering, TooFewClassesInThePoolIsASpecError) {
  ClusterSpecs specs;
  specs.classes_per_block = 3;
  try {
    make_clustering(specs, {1, 1, 2, 2});
    FAIL() << "no SpecError";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.member(), "classes_per_block");
  }
}

}  // namespace
}  // namespace lrt::data
