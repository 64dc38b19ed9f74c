#pragma once
// Helpers shared by the configuration tests: temporary YAML files and capturing the
// InputError a call throws.

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>

#include "core/error.h"

namespace lrt::config::test {

/// Writes `text` to a fresh file in the test temporary directory and returns its path.
inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "lrtsim_config_" + name + ".yaml";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

/// The InputError that `f` throws; records a test failure and returns nullopt if none.
template <class F>
std::optional<InputError> input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return std::nullopt;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace lrt::config::test
