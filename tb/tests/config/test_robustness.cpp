// Damaged configuration files: whatever the bytes, loading either succeeds or throws an
// InputError (never another exception, never a crash; ASan/UBSan watch the sanitizer
// build), and whatever loads survives the effective-config round trip.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <typeinfo>

#include "config/effective.h"
#include "config/loader.h"
#include "core/rng.h"

namespace lrt::config {
namespace {

std::string default_yaml_text() {
  std::ifstream in(std::string(LRTSIM_SOURCE_DIR) + "/configs/default.yaml", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// 1 to 4 random edits: overwrite, insert or delete one byte. Replacement bytes favour the
// characters that carry YAML structure and number syntax.
std::string mutate(std::string text, RngCursor& rng) {
  static const std::string kAlphabet = ":-[]{},#&*!|>'\"%@` \t\n.e+0123456789x\x01\xff";
  const uint64_t edits = 1 + rng.below(4);
  for (uint64_t e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t at = rng.below(text.size());
    const char c = kAlphabet[rng.below(kAlphabet.size())];
    switch (rng.below(3)) {
      case 0:
        text[at] = c;
        break;
      case 1:
        text.insert(at, 1, c);
        break;
      default:
        text.erase(at, 1);
        break;
    }
  }
  return text;
}

TEST(ConfigRobustness, MutatedDefaultConfigLoadsOrFailsCleanly) {
  const std::string original = default_yaml_text();
  ASSERT_FALSE(original.empty());
  RngCursor rng(7, static_cast<uint64_t>(RngStream::kTest));
  int loaded = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = mutate(original, rng);
    try {
      const Specs s = parse_specs(text, "mutant");
      ++loaded;
      const Specs back = parse_specs(effective_yaml(s), "effective");
      ASSERT_EQ(effective_yaml(back), effective_yaml(s)) << text;
    } catch (const InputError&) {
      ++rejected;
    } catch (const std::exception& e) {
      FAIL() << "unexpected " << typeid(e).name() << ": " << e.what() << "\n" << text;
    }
  }
  // Both outcomes occur, so the loop exercised the loader on good and on bad input.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace lrt::config
