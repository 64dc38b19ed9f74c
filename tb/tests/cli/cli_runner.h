#pragma once
// Runs lrtsim's command line in-process (lrt::cli::run_cli) or as a child process (for the
// TLM engine: SystemC elaborates one design per process), and captures what it prints.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
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

/// @brief The lrtsim binary (LRTSIM_BINARY) run with `args` in a child process, stdout and
/// stderr captured through files in the test's temporary directory; code = exit status, or
/// 128 + signal number if a signal ended it.
inline CliResult run_lrtsim_process(const std::vector<std::string>& args) {
  static int calls = 0;
  const std::string stem = ::testing::TempDir() + "lrtsim_child_" + std::to_string(::getpid()) + "_" +
                           std::to_string(calls++);
  const std::string out_path = stem + ".out", err_path = stem + ".err";
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<std::string> full{LRTSIM_BINARY};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    ::execv(LRTSIM_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace lrt::cli::testing
