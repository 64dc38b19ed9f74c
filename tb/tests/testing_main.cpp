// Test entry point. libsystemc defines main() and calls sc_main(), so every test
// executable provides sc_main instead of linking gtest_main (see STYLE.md, item 10).
#include <gtest/gtest.h>

#include <systemc>

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
