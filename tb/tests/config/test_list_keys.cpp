// List-valued keys (data.shift.augmentations): flow and block sequences, --set, the
// canonical dump, the generated reference, and one error per way a list can be wrong.
#include <gtest/gtest.h>

#include "config/effective.h"
#include "config/key_builder.h"
#include "config/loader.h"
#include "config/reference.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::input_error;
using test::write_temp;

using Augs = std::vector<data::Augmentation>;

const KeySpec& key(const std::string& path) {
  for (const KeySpec& k : schema()) {
    if (k.path == path) return k;
  }
  throw std::logic_error("no key " + path);
}

TEST(ConfigList, FlowAndBlockSequencesLoadInOrder) {
  const Augs expected{data::kWhiteNoise, data::kSpatial};
  EXPECT_EQ(
      parse_specs("data:\n  shift:\n    augmentations: [noise, spatial]\n", "x").data.shift_augmentations,
      expected);
  EXPECT_EQ(parse_specs("data:\n  shift:\n    augmentations:\n      - noise\n      - spatial\n", "x")
                .data.shift_augmentations,
            expected);
}

TEST(ConfigList, SetTakesAFlowSequence) {
  const Specs s = specs_from_overrides({"data.shift.augmentations=[background]"});
  EXPECT_EQ(s.data.shift_augmentations, Augs{data::kBackground});
}

TEST(ConfigList, CanonicalFormIsAFlowSequenceThatRoundTrips) {
  const KeySpec& k = key("data.shift.augmentations");
  EXPECT_TRUE(k.list);
  EXPECT_EQ(k.type, "list of enum");
  EXPECT_EQ(k.default_text, "[class_clustering, spatial, background, noise]");
  EXPECT_EQ(k.allowed, "list (non-empty, distinct) of: class_clustering, spatial, background, noise");

  Specs s = default_specs();
  s.data.shift_augmentations = {data::kWhiteNoise, data::kBackground};
  EXPECT_EQ(k.format(s), "[noise, background]");
  const std::string yaml = effective_yaml(s);
  EXPECT_TRUE(contains(yaml, "\n    augmentations: [noise, background]\n")) << yaml;
  const Specs back = parse_specs(yaml, "effective");
  EXPECT_TRUE(k.same(back, s));
  EXPECT_EQ(config_hash(back), config_hash(s));
  EXPECT_NE(config_hash(s), config_hash(default_specs()));

  EXPECT_TRUE(contains(reference_markdown(),
                       "| `data.shift.augmentations` | list of enum | - | "
                       "`[class_clustering, spatial, background, noise]` | list (non-empty, distinct) of: "))
      << "the reference row of the list key";
}

TEST(ConfigList, OrderMattersToSameButNotToTheBoundMask) {
  const KeySpec& k = key("data.shift.augmentations");
  Specs a = default_specs(), b = default_specs();
  a.data.shift_augmentations = {data::kSpatial, data::kWhiteNoise};
  b.data.shift_augmentations = {data::kWhiteNoise, data::kSpatial};
  EXPECT_FALSE(k.same(a, b));  // the configuration records what was written
  Specs shorter = a;
  shorter.data.shift_augmentations.pop_back();
  EXPECT_FALSE(k.same(a, shorter));
}

// ---- errors ------------------------------------------------------------------------------------

struct Loaded {
  std::string path;
  std::optional<InputError> error;
};

Loaded load_bad(const std::string& yaml) {
  Loaded l;
  l.path = write_temp("list", yaml);
  l.error = input_error([&] { load_specs(l.path); });
  return l;
}

void expect_error(const Loaded& l, int64_t line, std::initializer_list<std::string> parts) {
  ASSERT_TRUE(l.error.has_value());
  EXPECT_EQ(l.error->where().file, l.path);
  EXPECT_EQ(l.error->where().line, line) << l.error->what();
  EXPECT_EQ(l.error->where().key, "data.shift.augmentations") << l.error->what();
  for (const auto& p : parts)
    EXPECT_TRUE(contains(l.error->what(), p)) << "missing '" << p << "' in: " << l.error->what();
}

constexpr const char* kExpected =
    "expected a non-empty list of distinct items, each one of: class_clustering, spatial, background, noise";

TEST(ConfigList, UnknownItemIsNamedAtItsLine) {
  expect_error(
      load_bad("data:\n  shift:\n    augmentations:\n      - noise\n      - rotation\n"), 5,
      {"item 2: value rotation is not allowed; expected one of: class_clustering, spatial, background, "
       "noise"});
}

TEST(ConfigList, DuplicateItem) {
  expect_error(
      load_bad("data:\n  shift:\n    augmentations:\n      - spatial\n      - noise\n      - spatial\n"), 6,
      {"item 3: value spatial is already item 1", kExpected});
}

TEST(ConfigList, EmptyList) {
  expect_error(load_bad("data:\n  shift:\n    augmentations: []\n"), 3, {"the list is empty", kExpected});
}

TEST(ConfigList, SingleValueIsNotAList) {
  expect_error(load_bad("data:\n  shift:\n    augmentations: spatial\n"), 3,
               {"value spatial is a single value, not a list", kExpected});
}

TEST(ConfigList, MissingValue) {
  expect_error(load_bad("data:\n  shift:\n    augmentations:\n    period: 10\n"), 3,
               {"no value given", kExpected});
}

TEST(ConfigList, NullItem) {
  expect_error(load_bad("data:\n  shift:\n    augmentations: [spatial, ~]\n"), 3, {"item 2: no value given"});
}

TEST(ConfigList, NestedItem) {
  expect_error(load_bad("data:\n  shift:\n    augmentations:\n      - spatial\n      - {a: 1}\n"), 5,
               {"item 2 is a map", kExpected});
  expect_error(load_bad("data:\n  shift:\n    augmentations: [[noise]]\n"), 3, {"item 1 is a sequence"});
}

TEST(ConfigList, MapIsNotAList) {
  expect_error(load_bad("data:\n  shift:\n    augmentations:\n      noise: true\n"), 4,
               {"found a map", kExpected});
}

TEST(ConfigList, SetErrorsNameTheOverride) {
  const auto scalar = input_error([] { specs_from_overrides({"data.shift.augmentations=noise"}); });
  ASSERT_TRUE(scalar.has_value());
  EXPECT_EQ(scalar->where().file, "--set data.shift.augmentations");
  EXPECT_EQ(scalar->where().line, -1);
  EXPECT_TRUE(contains(scalar->what(), "value noise is a single value, not a list")) << scalar->what();

  // Item errors of a --set value keep the override as their place (no line inside the value).
  const auto item = input_error([] { specs_from_overrides({"data.shift.augmentations=[noise, bogus]"}); });
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->where().file, "--set data.shift.augmentations");
  EXPECT_EQ(item->where().line, -1);
  EXPECT_TRUE(contains(item->what(), "item 2: value bogus is not allowed")) << item->what();

  const auto map = input_error([] { specs_from_overrides({"data.shift.augmentations={a: 1}"}); });
  ASSERT_TRUE(map.has_value());
  EXPECT_TRUE(contains(map->what(), "value '{a: 1}' is a map")) << map->what();
}

TEST(ConfigList, ScalarKeyStillRefusesASequence) {
  // A list is accepted only where the key is a list.
  const auto e = input_error([] { specs_from_overrides({"data.shift.period=[1, 2]"}); });
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(contains(e->what(), "value '[1, 2]' is a sequence; expected an integer in [1, ")) << e->what();
}

// ---- the builder's list options, on a table of its own -------------------------------------------

KeySpec plain_list_key() {
  // Neither non_empty() nor distinct(): an empty list and repeats are fine.
  return LRT_CONFIG_KEY_AT("data.shift.augmentations", data.shift_augmentations)
      .one_of({{"spatial", data::kSpatial}, {"noise", data::kWhiteNoise}})
      .defaults_to_items({})
      .source("test")
      .doc("test");
}

TEST(ConfigList, WithoutOptionsEmptyAndRepeatedListsAreAllowed) {
  const Schema keys = {plain_list_key()};
  EXPECT_EQ(keys[0].default_text, "[]");
  EXPECT_EQ(keys[0].allowed, "list of: spatial, noise");
  EXPECT_TRUE(parse_specs("{}\n", "x", {}, keys).data.shift_augmentations.empty());
  EXPECT_EQ(parse_specs("data:\n  shift:\n    augmentations: [noise, noise]\n", "x", {}, keys)
                .data.shift_augmentations,
            (Augs{data::kWhiteNoise, data::kWhiteNoise}));
}

TEST(ConfigList, BadDefaultIsATableMistake) {
  EXPECT_THROW(KeySpec k = LRT_CONFIG_KEY_AT("data.shift.augmentations", data.shift_augmentations)
                               .one_of({{"spatial", data::kSpatial}})
                               .non_empty()
                               .defaults_to_items({})
                               .source("s")
                               .doc("d"),
               std::logic_error);
  EXPECT_THROW(KeySpec k = LRT_CONFIG_KEY_AT("data.shift.augmentations", data.shift_augmentations)
                               .one_of({{"spatial", data::kSpatial}})
                               .defaults_to_items({"noise"})
                               .source("s")
                               .doc("d"),
               std::logic_error);
}

TEST(ConfigList, TableCheckKnowsListKeys) {
  KeySpec k = plain_list_key();
  EXPECT_NO_THROW(validate_schema({k}));
  k.assign_list = nullptr;
  EXPECT_THROW(validate_schema({k}), std::logic_error);  // a list key must bind a list
  KeySpec flagless = plain_list_key();
  flagless.list = false;
  EXPECT_THROW(validate_schema({flagless}), std::logic_error);  // type says list, flag does not
}

}  // namespace
}  // namespace lrt::config
