// Specs validation and the source partitions of Appendix F.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "data/specs.h"
#include "data/splits.h"
#include "spec_error_member.h"

namespace lrt::data {
namespace {

using test::spec_error_member;


TEST(DataSpecs, DefaultsAreValid) { EXPECT_NO_THROW(validate(DataSpecs{})); }

TEST(DataSpecs, EachBadValueNamesItsMember) {
  const auto member_for = [](auto mutate) {
    DataSpecs s;
    mutate(s);
    return spec_error_member([&] { validate(s); });
  };
  EXPECT_EQ(member_for([](DataSpecs& s) { s.source.num_classes = 0; }), "source.num_classes");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.split.online_sources = 0; }), "split.online_sources");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.split.validation_samples = kMaxSamples + 1; }),
            "split.validation_samples");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.elastic.alpha = -1; }), "elastic.alpha");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.elastic.sigma = 0; }), "elastic.sigma");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.elastic.sigma = std::nan(""); }), "elastic.sigma");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.elastic.truncate = 0; }), "elastic.truncate");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.period = 0; }), "shift.period");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.augmentations = 0; }), "shift.augmentations");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.cluster.block = 3000; }), "shift.cluster.block");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.cluster.classes_per_block = 11; }),
            "shift.cluster.classes_per_block");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.cluster.favour_probability = 1.5; }),
            "shift.cluster.favour_probability");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.spatial.min_scale = 0; }), "shift.spatial.min_scale");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.spatial.max_scale = 0.5; }), "shift.spatial.max_scale");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.background.max_contrast = 0.1; }),
            "shift.background.max_contrast");
  EXPECT_EQ(member_for([](DataSpecs& s) { s.shift.noise.sigma = -0.1; }), "shift.noise.sigma");
  // Cluster settings only matter when class clustering can be chosen.
  EXPECT_EQ(member_for([](DataSpecs& s) {
              s.shift.augmentations = kSpatial;
              s.shift.cluster.block = 3000;
            }),
            "");
}

TEST(DataSpecs, AugmentationNamesAndParsing) {
  EXPECT_EQ(augmentation_names(0), "none");
  EXPECT_EQ(augmentation_names(kAllAugmentations), "CD+ST+BG+WN");
  EXPECT_EQ(augmentation_names(kSpatial | kWhiteNoise), "ST+WN");
  EXPECT_EQ(parse_augmentation("background"), kBackground);
  EXPECT_EQ(spec_error_member([] { parse_augmentation("blur"); }), "shift.augmentations");
}

TEST(Splits, PermutationIsAPermutationAndSeeded) {
  const auto p = source_permutation(1000, 7);
  std::vector<uint32_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(p, source_permutation(1000, 7));
  EXPECT_NE(p, source_permutation(1000, 8));  // equal with probability 1/1000!
}

TEST(Splits, PartitionsHaveTheirSizesAndAreDisjoint) {
  SplitSpecs s;  // the paper's 9k / 1k / 50k of 60k
  const Partitions p = make_partitions(60000, s, 42);
  EXPECT_EQ(p.offline_train.size(), 9000u);
  EXPECT_EQ(p.validation.size(), 1000u);
  EXPECT_EQ(p.online.size(), 50000u);
  std::set<uint32_t> all;
  for (const auto* part : {&p.offline_train, &p.validation, &p.online})
    for (uint32_t j : *part) {
      EXPECT_LT(j, 60000u);
      all.insert(j);
    }
  EXPECT_EQ(all.size(), 60000u);  // disjoint and covering

  const Partitions same = make_partitions(60000, s, 42);
  EXPECT_EQ(same.online, p.online);
  EXPECT_NE(make_partitions(60000, s, 43).validation, p.validation);
}

TEST(Splits, SmallerPartitionsLeaveImagesUnused) {
  SplitSpecs s;
  s.offline_train_sources = 3;
  s.validation_sources = 2;
  s.online_sources = 5;
  const Partitions p = make_partitions(20, s, 1);
  std::set<uint32_t> all(p.offline_train.begin(), p.offline_train.end());
  all.insert(p.validation.begin(), p.validation.end());
  all.insert(p.online.begin(), p.online.end());
  EXPECT_EQ(all.size(), 10u);
  // The partitions are consecutive pieces of the one permutation.
  const auto perm = source_permutation(20, 1);
  EXPECT_EQ(p.validation, std::vector<uint32_t>(perm.begin() + 3, perm.begin() + 5));
}

TEST(Splits, OversizedPartitionsAreASpecError) {
  SplitSpecs s;
  EXPECT_EQ(spec_error_member([&] { make_partitions(59999, s, 0); }), "online_sources");
  EXPECT_EQ(spec_error_member([&] { make_partitions(60000, s, 0); }), "");
}

}  // namespace
}  // namespace lrt::data
