#pragma once
// Runs lrtsim's command line in-process (lrt::cli::run_cli) and captures what it prints.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/commands.h"

namespace lrt::cli::testing {

struct CliResult {
  int code = -1;
  std::string out, err;
};

/// @brief run_cli("lrtsim", args...) with stdout and stderr captured.
inline CliResult run_lrtsim(std::vector<std::string> args) {
  args.insert(args.begin(), "lrtsim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = run_cli(static_cast<int>(argv.size()), argv.data());
  CliResult r;
  r.code = code;
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace lrt::cli::testing
