#pragma once
// SystemC elaborates once per process and cannot restart, so a test that binds sockets and
// runs the kernel does it in a gtest death-test child ("threadsafe" style re-executes the
// binary). The child reports through its exit code and stderr; this ends it.
#include <cstdio>
#include <cstdlib>
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

}  // namespace lrt::tlm::testing
