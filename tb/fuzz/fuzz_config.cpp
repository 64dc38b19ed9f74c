// libFuzzer target: the YAML configuration loader. The first line of the input, if it
// starts with "--set ", is used as an override, so the fuzzer reaches that path too.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/effective.h"
#include "config/loader.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sets;
  if (text.rfind("--set ", 0) == 0) {
    const auto nl = text.find('\n');
    sets.push_back(text.substr(6, nl == std::string::npos ? std::string::npos : nl - 6));
    text = nl == std::string::npos ? std::string() : text.substr(nl + 1);
  }
  try {
    const lrt::config::Specs specs = lrt::config::parse_specs(text, "fuzz.yaml", sets);
    // Contract of a successful load: the effective dump loads back to the same hash.
    const std::string dumped = lrt::config::effective_yaml(specs);
    const lrt::config::Specs again = lrt::config::parse_specs(dumped, "dump.yaml");
    if (lrt::config::config_hash(again) != lrt::config::config_hash(specs)) std::abort();
  } catch (const lrt::InputError&) {
  }
  return 0;
}
