// The sample streams: sizes, sources, determinism, random access, the shift stream as
// "online plus augmentations", loading from IDX files, and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "data/elastic.h"
#include "data/image.h"
#include "data/stream.h"
#include "spec_error_member.h"
#include "synthetic_data.h"

namespace lrt::data {
namespace {

using testing::small_specs;
using testing::synthetic_images;
using test::spec_error_member;

constexpr Split kAllSplits[] = {Split::kOfflineTrain, Split::kValidation, Split::kOfflineTest, Split::kOnline,
                                Split::kShift};

Dataset small_dataset(uint64_t seed, const DataSpecs& specs = small_specs()) {
  return Dataset(synthetic_images(200), synthetic_images(30, 3), specs, seed);
}

bool same(const Sample& a, const Sample& b) {
  return a.pixels == b.pixels && a.label == b.label && a.source_index == b.source_index &&
         a.augmentations == b.augmentations && a.rows == b.rows && a.cols == b.cols;
}

TEST(Stream, SizesFollowTheSpecs) {
  const Dataset ds = small_dataset(1);
  EXPECT_EQ(ds.stream(Split::kOfflineTrain).size(), 150u);
  EXPECT_EQ(ds.stream(Split::kValidation).size(), 40u);
  EXPECT_EQ(ds.stream(Split::kOfflineTest).size(), 30u);
  EXPECT_EQ(ds.stream(Split::kOnline).size(), 400u);
  EXPECT_EQ(ds.stream(Split::kShift).size(), 400u);
  EXPECT_THROW(ds.stream(Split::kValidation).at(40), std::out_of_range);
}

TEST(Stream, EachSplitDrawsFromItsOwnSources) {
  const Dataset ds = small_dataset(2);
  const Partitions& p = ds.partitions();
  // Offline train and validation cycle through their partitions: source i mod n.
  for (uint64_t i = 0; i < 150; ++i)
    ASSERT_EQ(ds.stream(Split::kOfflineTrain).at(i).source_index, p.offline_train[i % 60]);
  for (uint64_t i = 0; i < 40; ++i)
    ASSERT_EQ(ds.stream(Split::kValidation).at(i).source_index, p.validation[i % 20]);
  for (uint64_t i = 0; i < 30; ++i) {
    const Sample s = ds.stream(Split::kOfflineTest).at(i);
    ASSERT_EQ(s.source_index, i);
    ASSERT_EQ(s.label, ds.test().labels[i]);
  }
  const std::set<uint32_t> online(p.online.begin(), p.online.end());
  std::set<uint32_t> used;
  for (uint64_t i = 0; i < 400; ++i) {
    const Sample s = ds.stream(Split::kOnline).at(i);
    ASSERT_TRUE(online.count(s.source_index)) << i;
    ASSERT_EQ(s.label, ds.train().labels[s.source_index]);
    ASSERT_EQ(s.pixels.size(), 28u * 28u);
    used.insert(s.source_index);
  }
  // With replacement: 400 draws from 100 sources cannot all be distinct.
  EXPECT_LT(used.size(), 400u);
}

// 10000 online draws over 100 sources: chi^2 (99 dof) of the source counts against the
// uniform expectation of 100 each stays below 180.79, its 1 - 1e-6 quantile.
TEST(Stream, OnlineSourcesAreUniformWithReplacement) {
  DataSpecs specs = small_specs();
  specs.split.online_samples = 10000;
  specs.elastic.alpha = 0;  // sources only; keep it quick
  const Dataset ds = small_dataset(3, specs);
  std::map<uint32_t, double> counts;
  const SampleStream online = ds.stream(Split::kOnline);
  for (uint64_t i = 0; i < 10000; ++i) counts[online.at(i).source_index] += 1;
  ASSERT_EQ(counts.size(), 100u);  // P(some source never drawn) <= 100 * 0.99^10000 < 1e-41
  double chi2 = 0;
  for (const auto& [src, n] : counts) chi2 += (n - 100) * (n - 100) / 100;
  EXPECT_LT(chi2, 180.79);
}

TEST(Stream, SameSeedSameBytesOtherSeedOtherBytes) {
  for (const ElasticMode mode : {ElasticMode::kFixed, ElasticMode::kMixture}) {
    SCOPED_TRACE(to_string(mode));
    DataSpecs specs = small_specs();
    specs.elastic.mode = mode;
    const Dataset a = small_dataset(7, specs), b = small_dataset(7, specs), c = small_dataset(8, specs);
    for (Split split : kAllSplits) {
      const SampleStream sa = a.stream(split), sb = b.stream(split), sc = c.stream(split);
      int visited = 0, differ = 0;
      for (uint64_t i = 0; i < sa.size(); i += 3, ++visited) {
        ASSERT_TRUE(same(sa.at(i), sb.at(i))) << to_string(split) << " " << i;
        differ += sa.at(i).pixels != sc.at(i).pixels;
      }
      // Another seed draws other elastic fields (fixed: 0.65 px RMS here; mixture: another
      // setting, identical only when both seeds draw "none" for one test image, 1 in 121),
      // which move some edge of the bars by more than half a gray level in practically every
      // sample.
      EXPECT_GT(differ, visited * 9 / 10) << to_string(split);
    }
  }
}

TEST(Stream, RandomAccessEqualsSequentialReading) {
  for (const ElasticMode mode : {ElasticMode::kFixed, ElasticMode::kMixture}) {
    SCOPED_TRACE(to_string(mode));
    DataSpecs specs = small_specs();
    specs.elastic.mode = mode;
    const Dataset ds = small_dataset(9, specs);
    for (Split split : kAllSplits) {
      const SampleStream s = ds.stream(split);
      std::vector<Sample> sequential;
      for (uint64_t i = 0; i < s.size(); ++i) sequential.push_back(s.at(i));
      // Backwards, and by a stride permutation (gcd(37, size) == 1 for every size here),
      // through a fresh Dataset: each sample is a function of its index alone.
      const SampleStream fresh = small_dataset(9, specs).stream(split);
      for (uint64_t k = s.size(); k-- > 0;) ASSERT_TRUE(same(fresh.at(k), sequential[k])) << k;
      for (uint64_t k = 0; k < s.size(); ++k) {
        const uint64_t i = (k * 37) % s.size();
        ASSERT_TRUE(same(s.at(i), sequential[i])) << to_string(split) << " " << i;
      }
    }
  }
}

// The default (authors') schedule: ten segments of data.shift.period samples, in the
// notebook's order, the last one without augmentations.
TEST(Stream, ShiftSamplesCarryTheirSegmentsAugmentations) {
  DataSpecs specs = small_specs();
  specs.split.online_samples = 1000;  // all ten segments
  const Dataset ds = small_dataset(10, specs);
  const SampleStream shift = ds.stream(Split::kShift);
  for (uint64_t i = 0; i < shift.size(); ++i) {
    const uint32_t mask = shift.at(i).augmentations;
    ASSERT_EQ(mask, ds.schedule().segment_augmentations(i / 100));
    ASSERT_EQ(mask, kAuthorsShiftSchedule[i / 100]);
    if (i == 0) continue;
    if (i % 100 == 0) {
      ASSERT_NE(mask, shift.at(i - 1).augmentations) << i;
    } else {
      ASSERT_EQ(mask, shift.at(i - 1).augmentations) << i;
    }
  }
  EXPECT_EQ(ds.stream(Split::kOnline).at(5).augmentations, 0u);
}

TEST(Stream, ShiftIsTheOnlineStreamPlusAugmentations) {
  // With spatial transforms as the only eligible augmentation and neutral ranges, every
  // segment applies the identity: the shift stream must equal the online stream. (The
  // former random_combinations rule, so that every segment has ST.)
  DataSpecs specs = small_specs();
  specs.shift.schedule = ShiftScheduleRule::kRandomCombinations;
  specs.shift.augmentations = kSpatial;
  specs.shift.spatial = SpatialSpecs{0.0, 1.0, 1.0, 0.0};
  const Dataset ds = small_dataset(11, specs);
  const SampleStream online = ds.stream(Split::kOnline), shift = ds.stream(Split::kShift);
  for (uint64_t i = 0; i < online.size(); ++i) {
    Sample s = shift.at(i);
    ASSERT_EQ(s.augmentations, kSpatial);
    s.augmentations = 0;
    ASSERT_TRUE(same(s, online.at(i))) << i;
  }
  // Noise alone keeps the source and label of each online sample but changes pixels.
  specs.shift.augmentations = kWhiteNoise;
  const Dataset noisy = small_dataset(11, specs);
  int changed = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    const Sample a = noisy.stream(Split::kShift).at(i), b = noisy.stream(Split::kOnline).at(i);
    ASSERT_EQ(a.source_index, b.source_index);
    changed += a.pixels != b.pixels;
  }
  EXPECT_EQ(changed, 100);  // sigma = 0.1 = 25.5 gray levels on 784 pixels
}

TEST(Stream, ClusteredSegmentsDrawTheirSourcesByClass) {
  DataSpecs specs = small_specs();
  specs.shift.schedule = ShiftScheduleRule::kRandomCombinations;  // CD in every segment
  specs.shift.augmentations = kClassClustering;
  specs.shift.cluster.favour_probability = 1.0;
  const Dataset ds = small_dataset(12, specs);
  ASSERT_NE(ds.clustering(), nullptr);
  const SampleStream shift = ds.stream(Split::kShift);
  const std::set<uint32_t> online(ds.partitions().online.begin(), ds.partitions().online.end());
  for (uint64_t i = 0; i < shift.size(); ++i) {
    const Sample s = shift.at(i);
    const auto f = ds.clustering()->favoured_classes(i / 50);
    ASSERT_TRUE(std::find(f.begin(), f.end(), s.label) != f.end()) << i;
    ASSERT_TRUE(online.count(s.source_index)) << i;
  }
}

// The authors' last segment has no augmentation: there the shift stream is the online stream
// (mixture elastic included), byte for byte.
TEST(Stream, AuthorsNoneSegmentIsTheOnlineStream) {
  DataSpecs specs = small_specs();
  specs.elastic.mode = ElasticMode::kMixture;
  specs.split.online_samples = 1000;
  const Dataset ds = small_dataset(15, specs);
  const SampleStream online = ds.stream(Split::kOnline), shift = ds.stream(Split::kShift);
  for (uint64_t i = 900; i < 1000; ++i) {
    const Sample s = shift.at(i);
    ASSERT_EQ(s.augmentations, 0u);
    ASSERT_TRUE(same(s, online.at(i))) << i;
  }
}

// The authors distort every split alike (their elastic_augment runs on the offline, validation,
// test and online images): sample i of each stream is the mixture applied with that split's
// draws (the shift stream reuses the online stream's), to the sample's source image.
TEST(Stream, MixtureElasticActsOnEverySplit) {
  DataSpecs specs = small_specs();
  specs.elastic.mode = ElasticMode::kMixture;
  const uint64_t seed = 16;
  const Dataset ds = small_dataset(seed, specs);
  const ElasticAugmentation elastic(specs.elastic);
  std::vector<int> settings_seen(kAuthorsElasticSettings.size(), 0);
  for (Split split : {Split::kOfflineTrain, Split::kValidation, Split::kOfflineTest, Split::kOnline}) {
    const CounterRng noise = split_rng(seed, RngStream::kAugment, split, Purpose::kElastic);
    const CounterRng setting = split_rng(seed, RngStream::kAugment, split, Purpose::kElasticSetting);
    const LabeledImages& images = split == Split::kOfflineTest ? ds.test() : ds.train();
    const SampleStream stream = ds.stream(split);
    for (uint64_t i = 0; i < stream.size(); ++i) {
      const Sample s = stream.at(i);
      const FloatImage source = to_float_image(&images.pixels[std::size_t{s.source_index} * 784], 28, 28);
      ASSERT_EQ(s.pixels, to_gray(elastic(source, noise, setting, i))) << to_string(split) << " " << i;
      ++settings_seen[ElasticAugmentation::setting_index(setting, i)];
    }
  }
  // 620 samples: a setting is missed with probability 11 (10/11)^620 < 1e-24.
  for (std::size_t k = 0; k < settings_seen.size(); ++k) EXPECT_GT(settings_seen[k], 0) << "setting " << k;
}

TEST(Stream, AlphaZeroOfflineTestReproducesTheTestImages) {
  DataSpecs specs = small_specs();
  specs.elastic.alpha = 0.0;
  const Dataset ds = small_dataset(13, specs);
  const SampleStream test = ds.stream(Split::kOfflineTest);
  for (uint64_t i = 0; i < test.size(); ++i)
    ASSERT_EQ(test.at(i).pixels,
              std::vector<uint8_t>(ds.test().pixels.begin() + static_cast<std::ptrdiff_t>(i * 784),
                                   ds.test().pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * 784)));
}

TEST(Stream, LoadsIdxFilesLikeInMemoryImages) {
  const auto [train_images, train_labels] = testing::write_idx_gz(synthetic_images(200), "train");
  const auto [test_images, test_labels] = testing::write_idx_gz(synthetic_images(30, 3), "test");
  DataSpecs specs = small_specs();
  specs.source = SourceSpecs{train_images, train_labels, test_images, test_labels, 10};
  const Dataset loaded = Dataset::load(specs, 14);
  const Dataset memory = small_dataset(14, specs);
  for (Split split : kAllSplits)
    for (uint64_t i = 0; i < loaded.stream(split).size(); i += 7)
      ASSERT_TRUE(same(loaded.stream(split).at(i), memory.stream(split).at(i)));
}

// What only the images can refuse names the DataSpecs member; the config layer adds the key.
TEST(Stream, BadDataIsASpecErrorNamingTheMember) {
  DataSpecs specs = small_specs();
  specs.split.online_sources = 121;  // 60 + 20 + 121 > 200
  EXPECT_EQ(spec_error_member([&] { small_dataset(1, specs); }), "split.online_sources");
  EXPECT_EQ(
      spec_error_member([] { Dataset(synthetic_images(200), synthetic_images(5, 0, 20, 20), small_specs(), 1); }),
      "source.test_images");
  EXPECT_EQ(spec_error_member([] { Dataset(synthetic_images(0), synthetic_images(5), small_specs(), 1); }),
            "source.train_images");
  specs = small_specs();
  specs.source.num_classes = 5;  // synthetic labels go up to 9
  EXPECT_EQ(spec_error_member([&] { small_dataset(1, specs); }), "source.train_images");
  specs = small_specs();
  specs.elastic.sigma = 32;
  specs.elastic.truncate = 8;  // R = 256: a 540 x 540 noise grid per field fits in 2^24 blocks...
  EXPECT_EQ(spec_error_member([&] { small_dataset(1, specs); }), "");
  specs.split = SplitSpecs{0, 0, 1, 0, 0, 0};
  specs.shift.augmentations = kSpatial;
  EXPECT_EQ(spec_error_member([&] {  // ...a 513 x 70512 grid (two fields: 2^24.1 blocks) does not
              Dataset(synthetic_images(1, 0, 1, 70000), {}, specs, 1);
            }),
            "elastic.sigma");
  specs = small_specs();
  specs.shift.cluster.classes_per_block = 10;
  specs.split.online_sources = 3;  // three images cannot hold ten classes
  EXPECT_EQ(spec_error_member([&] { small_dataset(1, specs); }), "shift.cluster.classes_per_block");
}

// The real data, when the machine has it (Debian's Fashion-MNIST).
TEST(Stream, FashionMnistDefaultSplits) {
  const DataSpecs specs;
  if (!std::ifstream(specs.source.train_images) || !std::ifstream(specs.source.test_images))
    GTEST_SKIP() << "Fashion-MNIST not installed at " << specs.source.train_images;
  const Dataset ds = Dataset::load(specs, 2024);
  EXPECT_EQ(ds.train().count, 60000u);
  EXPECT_EQ(ds.test().count, 10000u);
  EXPECT_EQ(ds.partitions().offline_train.size(), 9000u);
  EXPECT_EQ(ds.partitions().validation.size(), 1000u);
  EXPECT_EQ(ds.partitions().online.size(), 50000u);
  EXPECT_EQ(ds.stream(Split::kOfflineTrain).size(), 50000u);
  EXPECT_EQ(ds.stream(Split::kValidation).size(), 10000u);
  EXPECT_EQ(ds.stream(Split::kOfflineTest).size(), 10000u);
  EXPECT_EQ(ds.stream(Split::kOnline).size(), 100000u);
  EXPECT_EQ(ds.stream(Split::kShift).size(), 100000u);
  // The last samples of the 100k streams (segment 9) exist, and the shift stream's last
  // segment boundary falls where the period says.
  const SampleStream shift = ds.stream(Split::kShift);
  EXPECT_EQ(shift.at(99999).augmentations, ds.schedule().segment_augmentations(9));
  EXPECT_NE(shift.at(90000).augmentations, shift.at(89999).augmentations);
  for (uint64_t i = 0; i < 20; ++i) {
    const Sample s = ds.stream(Split::kOfflineTest).at(i);
    EXPECT_EQ(s.rows, 28u);
    EXPECT_EQ(s.label, ds.test().labels[i]);
  }
}

}  // namespace
}  // namespace lrt::data
