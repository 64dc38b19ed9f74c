#pragma once
// SystemC elaborates once per process and cannot restart, so a test that binds sockets and
// runs the kernel does it in a gtest death-test child ("threadsafe" style re-executes the
// binary). The child reports through its exit code and stderr; this ends it.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace lrt::tlm::testing {

/// @brief Prints every failure (or `ok_message`) to stderr and exits 0 only if none failed.
/// std::_Exit skips the static destructors of the finished simulation kernel.
[[noreturn]] inline void exit_child(const std::vector<std::string>& failures, const char* ok_message) {
  for (const std::string& f : failures) std::fprintf(stderr, "FAILED: %s\n", f.c_str());
  if (failures.empty()) std::fprintf(stderr, "%s\n", ok_message);
  std::fflush(stderr);
  std::_Exit(failures.empty() ? 0 : 1);
}

/// @brief The child's checks: every failed expectation, in order (the first 40).
struct Checks {
  std::vector<std::string> failures;
  void expect(bool ok, const std::string& what) {
    if (!ok && failures.size() < 40) failures.push_back(what);
  }
};

/// @brief Runs `body` in the child (elaboration, simulation, checks; an exception is a
/// failure) and exits: 0 only if every check passed.
[[noreturn]] inline void run_child(const std::function<void(Checks&)>& body, const char* ok_message) {
  Checks c;
  try {
    body(c);
  } catch (const std::exception& e) {
    c.failures.push_back(std::string("exception: ") + e.what());
  }
  exit_child(c.failures, ok_message);
}

}  // namespace lrt::tlm::testing
