#include "data/stream.h"

#include <optional>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "data/augment.h"
#include "data/elastic.h"
#include "data/image.h"

namespace lrt::data {

const char* to_string(Split split) {
  switch (split) {
    case Split::kOfflineTrain:
      return "offline_train";
    case Split::kValidation:
      return "validation";
    case Split::kOfflineTest:
      return "offline_test";
    case Split::kOnline:
      return "online";
    case Split::kShift:
      return "shift";
  }
  return "unknown";
}

namespace {

// f(), with a SpecError naming a member of the part of DataSpecs at `prefix` renamed to the
// DataSpecs member, so the config layer can find its key.
template <class F>
auto within(const std::string& prefix, F&& f) {
  try {
    return f();
  } catch (const SpecError& e) {
    throw SpecError(prefix + e.member(), e.problem());
  }
}

}  // namespace

struct DatasetState {
  LabeledImages train, test;
  DataSpecs specs;
  uint64_t seed;
  Partitions partitions;
  ElasticAugmentation elastic;
  ShiftSchedule schedule;
  std::optional<ClassClustering> clustering;
  std::vector<uint8_t> online_labels;

  DatasetState(LabeledImages tr, LabeledImages te, const DataSpecs& s, uint64_t sd)
      : train(std::move(tr)),
        test(std::move(te)),
        specs(s),
        seed(sd),
        partitions(within("split.", [&] { return make_partitions(train.count, s.split, sd); })),
        elastic(s.elastic),
        schedule(within("shift.", [&] { return ShiftSchedule(s.shift, sd); })) {}
};

namespace {

[[noreturn]] void fail(const std::string& member, const std::string& problem) { throw SpecError(member, problem); }

void check_images(const LabeledImages& im, const std::string& member, int num_classes) {
  if (im.pixels.size() != std::size_t{im.count} * im.rows * im.cols || im.labels.size() != im.count)
    fail(member, "pixel or label count does not match " + std::to_string(im.count) + " images of " +
                  std::to_string(im.rows) + "x" + std::to_string(im.cols));
  for (uint32_t i = 0; i < im.count; ++i)
    if (im.labels[i] >= num_classes)
      fail(member, "label " + std::to_string(im.labels[i]) + " of image " + std::to_string(i) +
                       " is not below num_classes = " + std::to_string(num_classes));
}

}  // namespace

Dataset::Dataset(LabeledImages train, LabeledImages test, const DataSpecs& specs, uint64_t seed) {
  validate(specs);
  const int classes = specs.source.num_classes;
  check_images(train, "source.train_images", classes);
  check_images(test, "source.test_images", classes);
  if (train.count == 0 || train.rows == 0 || train.cols == 0) fail("source.train_images", "holds no images");
  if (test.count > 0 && (test.rows != train.rows || test.cols != train.cols))
    fail("source.test_images", "images are " + std::to_string(test.rows) + "x" + std::to_string(test.cols) +
                                 ", the training images " + std::to_string(train.rows) + "x" +
                                 std::to_string(train.cols));
  if (ElasticAugmentation(specs.elastic).max_blocks(train.rows, train.cols) >
      (uint64_t{1} << kCounterBitsPerSample))
    fail(specs.elastic.mode == ElasticMode::kFixed ? "elastic.sigma" : "elastic.mode",
         (specs.elastic.mode == ElasticMode::kFixed ? "kernel too wide for " : "too many pixels in ") +
             std::to_string(train.rows) + "x" + std::to_string(train.cols) + " images");

  auto state = std::make_shared<DatasetState>(std::move(train), std::move(test), specs, seed);
  for (uint32_t j : state->partitions.online) state->online_labels.push_back(state->train.labels[j]);
  if ((specs.shift.augmentations & kClassClustering) && !state->partitions.online.empty())
    state->clustering.emplace(within("shift.cluster.", [&] {
      return ClassClustering(specs.shift.cluster, state->online_labels,
                             split_rng(seed, RngStream::kDataOrder, Split::kShift, Purpose::kClusterBlock),
                             split_rng(seed, RngStream::kDataOrder, Split::kShift, Purpose::kClusterDraw));
    }));
  state_ = std::move(state);
}

Dataset Dataset::load(const DataSpecs& specs, uint64_t seed) {
  const SourceSpecs& s = specs.source;
  return Dataset(read_labeled_images(s.train_images, s.train_labels, s.num_classes),
                 read_labeled_images(s.test_images, s.test_labels, s.num_classes), specs, seed);
}

SampleStream Dataset::stream(Split split) const {
  const SplitSpecs& s = state_->specs.split;
  switch (split) {
    case Split::kOfflineTrain:
      return {state_, split, s.offline_train_samples};
    case Split::kValidation:
      return {state_, split, s.validation_samples};
    case Split::kOfflineTest:
      return {state_, split, state_->test.count};
    case Split::kOnline:
    case Split::kShift:
      return {state_, split, s.online_samples};
  }
  throw std::invalid_argument("unknown split");
}

const Partitions& Dataset::partitions() const { return state_->partitions; }
const ShiftSchedule& Dataset::schedule() const { return state_->schedule; }
const ClassClustering* Dataset::clustering() const {
  return state_->clustering ? &*state_->clustering : nullptr;
}
const LabeledImages& Dataset::train() const { return state_->train; }
const LabeledImages& Dataset::test() const { return state_->test; }

Sample SampleStream::at(uint64_t i) const {
  if (i >= size_)
    throw std::out_of_range(std::string(to_string(split_)) + " sample " + std::to_string(i) + " of " +
                            std::to_string(size_));
  const DatasetState& st = *state_;
  const uint32_t mask = split_ == Split::kShift ? st.schedule.augmentations_at(i) : 0;

  uint32_t source = 0;
  switch (split_) {
    case Split::kOfflineTrain:
      source = st.partitions.offline_train[i % st.partitions.offline_train.size()];
      break;
    case Split::kValidation:
      source = st.partitions.validation[i % st.partitions.validation.size()];
      break;
    case Split::kOfflineTest:
      source = static_cast<uint32_t>(i);
      break;
    case Split::kOnline:
    case Split::kShift:
      if (mask & kClassClustering) {
        source = st.partitions.online[st.clustering->draw(i)];
      } else {
        // The shift stream shares the online stream's draws: it is the online stream
        // with augmentations added, not a different sequence of images.
        RngCursor cursor =
            sample_cursor(split_rng(st.seed, RngStream::kDataOrder, Split::kOnline, Purpose::kSource), i);
        source = st.partitions.online[cursor.below(st.partitions.online.size())];
      }
      break;
  }
  const LabeledImages& images = split_ == Split::kOfflineTest ? st.test : st.train;
  const std::size_t area = std::size_t{images.rows} * images.cols;

  // Every split is distorted the same way (the authors' elastic_augment runs on the offline,
  // validation, test and online images alike); the shift stream reuses the online draws.
  const Split elastic_split = split_ == Split::kShift ? Split::kOnline : split_;
  FloatImage image =
      st.elastic(to_float_image(&images.pixels[source * area], images.rows, images.cols),
                 split_rng(st.seed, RngStream::kAugment, elastic_split, Purpose::kElastic),
                 split_rng(st.seed, RngStream::kAugment, elastic_split, Purpose::kElasticSetting), i);
  const ShiftSpecs& sh = st.specs.shift;
  if (mask & kSpatial)
    image = apply_spatial(
        image,
        draw_spatial(sh.spatial, split_rng(st.seed, RngStream::kAugment, Split::kShift, Purpose::kSpatial),
                     first_counter(i)));
  if (mask & kBackground)
    image = apply_background(
        image, draw_background(sh.background,
                               split_rng(st.seed, RngStream::kAugment, Split::kShift, Purpose::kBackground),
                               first_counter(i)));
  if (mask & kWhiteNoise)
    add_white_noise(image, sh.noise.sigma,
                    split_rng(st.seed, RngStream::kAugment, Split::kShift, Purpose::kNoise),
                    first_counter(i));

  Sample out;
  out.rows = images.rows;
  out.cols = images.cols;
  out.pixels = to_gray(image);
  out.label = images.labels[source];
  out.source_index = source;
  out.augmentations = mask;
  return out;
}

}  // namespace lrt::data
