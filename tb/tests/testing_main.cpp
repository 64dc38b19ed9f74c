// Test entry point. libsystemc defines main() and calls sc_main(), so every test
// executable provides sc_main instead of linking gtest_main (see STYLE.md, item 10).
//
// Each test process gets its own scratch directory as ::testing::TempDir() (through
// TEST_TMPDIR): ctest runs tests in parallel, and tests that wrote to fixed names under
// /tmp raced each other. Death-test children inherit the variable and so share it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <systemc>

int sc_main(int argc, char** argv) {
  std::string owned_dir;
  const char* inherited = std::getenv("TEST_TMPDIR");
  if (inherited == nullptr || inherited[0] == '\0') {
    char pattern[] = "/tmp/lrtsim_test_XXXXXX";
    if (const char* dir = ::mkdtemp(pattern)) {
      owned_dir = dir;
      ::setenv("TEST_TMPDIR", dir, 1);
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  const int result = RUN_ALL_TESTS();
  if (!owned_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(owned_dir, ignored);
  }
  return result;
}
