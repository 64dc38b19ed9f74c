#include "data/specs.h"

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace lrt::data {

namespace {

[[noreturn]] void fail(const std::string& member, const std::string& problem) { throw SpecError(member, problem); }

std::string str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

void require_range(const std::string& member, double v, double lo, double hi) {
  if (!std::isfinite(v) || v < lo || v > hi)
    fail(member, "value " + str(v) + " is not in [" + str(lo) + ", " + str(hi) + "]");
}

void require_stream(const std::string& name, uint32_t sources, uint64_t samples) {
  if (samples > kMaxSamples)
    fail("split." + name + "_samples", "value " + std::to_string(samples) + " exceeds the limit 2^40");
  if (samples > 0 && sources == 0)
    fail("split." + name + "_sources", "is 0, but split." + name + "_samples asks for " +
                                           std::to_string(samples) + " samples drawn from it");
}

}  // namespace

std::string augmentation_names(uint32_t mask) {
  if (mask == 0) return "none";
  std::string out;
  const std::pair<uint32_t, const char*> names[] = {
      {kClassClustering, "CD"}, {kSpatial, "ST"}, {kBackground, "BG"}, {kWhiteNoise, "WN"}};
  for (const auto& [bit, name] : names) {
    if ((mask & bit) == 0) continue;
    if (!out.empty()) out += '+';
    out += name;
  }
  return out;
}

const char* to_string(ElasticMode mode) {
  switch (mode) {
    case ElasticMode::kMixture:
      return "mixture";
    case ElasticMode::kFixed:
      return "fixed";
  }
  return "unknown";
}

const char* to_string(ShiftScheduleRule rule) {
  switch (rule) {
    case ShiftScheduleRule::kAuthors:
      return "authors";
    case ShiftScheduleRule::kRandomCombinations:
      return "random_combinations";
  }
  return "unknown";
}

Augmentation parse_augmentation(const std::string& name) {
  if (name == "class_clustering") return kClassClustering;
  if (name == "spatial") return kSpatial;
  if (name == "background") return kBackground;
  if (name == "noise") return kWhiteNoise;
  fail("shift.augmentations",
       "unknown augmentation '" + name + "' (expected class_clustering, spatial, background or noise)");
}

void validate(const DataSpecs& s) {
  if (s.source.num_classes < 1 || s.source.num_classes > 256)
    fail("source.num_classes",
         "value " + std::to_string(s.source.num_classes) + " is not in [1, 256] (labels are uint8)");

  require_stream("offline_train", s.split.offline_train_sources, s.split.offline_train_samples);
  require_stream("validation", s.split.validation_sources, s.split.validation_samples);
  require_stream("online", s.split.online_sources, s.split.online_samples);

  // The elastic field of one sample draws (rows + 2R) x (cols + 2R) x 2 uniforms from
  // its 2^24-block counter range; these bounds keep that far below the limit.
  require_range("elastic.alpha", s.elastic.alpha, 0.0, 1e3);
  if (!(s.elastic.sigma > 0.0)) fail("elastic.sigma", "value " + str(s.elastic.sigma) + " must be > 0");
  require_range("elastic.sigma", s.elastic.sigma, 0.0, 32.0);
  if (!(s.elastic.truncate > 0.0))
    fail("elastic.truncate", "value " + str(s.elastic.truncate) + " must be > 0");
  require_range("elastic.truncate", s.elastic.truncate, 0.0, 8.0);
  if (s.elastic.mode != ElasticMode::kMixture && s.elastic.mode != ElasticMode::kFixed)
    fail("elastic.mode", "holds no known mode (expected mixture or fixed)");

  const ShiftSpecs& sh = s.shift;
  if (sh.period == 0) fail("shift.period", "must be at least 1");
  if (sh.augmentations == 0) fail("shift.augmentations", "is empty; name at least one augmentation");
  if ((sh.augmentations & ~kAllAugmentations) != 0)
    fail("shift.augmentations", "contains unknown augmentation bits");
  if (sh.schedule != ShiftScheduleRule::kAuthors && sh.schedule != ShiftScheduleRule::kRandomCombinations)
    fail("shift.schedule", "holds no known schedule (expected authors or random_combinations)");
  if (sh.augmentations & kClassClustering) {
    if (sh.cluster.block == 0) fail("shift.cluster.block", "must be at least 1");
    if (sh.period % sh.cluster.block != 0)
      fail("shift.cluster.block",
           "value " + std::to_string(sh.cluster.block) + " does not divide shift.period = " +
               std::to_string(sh.period) + " (blocks must not straddle segments)");
    if (sh.cluster.classes_per_block < 1 ||
        sh.cluster.classes_per_block > static_cast<uint32_t>(s.source.num_classes))
      fail("shift.cluster.classes_per_block", "value " + std::to_string(sh.cluster.classes_per_block) +
                                                       " is not in [1, " +
                                                       std::to_string(s.source.num_classes) + "]");
    require_range("shift.cluster.favour_probability", sh.cluster.favour_probability, 0.0, 1.0);
  }
  require_range("shift.spatial.max_rotation_deg", sh.spatial.max_rotation_deg, 0.0, 180.0);
  if (!(sh.spatial.min_scale > 0.0))
    fail("shift.spatial.min_scale", "value " + str(sh.spatial.min_scale) + " must be > 0");
  require_range("shift.spatial.min_scale", sh.spatial.min_scale, 0.0, 10.0);
  require_range("shift.spatial.max_scale", sh.spatial.max_scale, sh.spatial.min_scale, 10.0);
  require_range("shift.spatial.max_shift_px", sh.spatial.max_shift_px, 0.0, 1e3);
  require_range("shift.background.min_contrast", sh.background.min_contrast, 0.0, 1.0);
  require_range("shift.background.max_contrast", sh.background.max_contrast, sh.background.min_contrast,
                1.0);
  require_range("shift.noise.sigma", sh.noise.sigma, 0.0, 10.0);
}

}  // namespace lrt::data
