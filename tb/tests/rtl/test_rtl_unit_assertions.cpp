// rr_unit's phase-handshake assertions (the end of rtl/rr_unit.sv) fire on the violations they
// name: a phase FSM out of idle without the grant, two phases busy at once, a phase waiting for
// an idle memory port. The unit is Verilated with --public-flat-rw so that a test can force its
// state registers; the context's error limit is raised, so a failing assertion prints and counts
// instead of ending the process, and each test checks which one fired. An idle unit, clocked
// for a while, violates none (the cosim tests check every assertion on real pairs).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

#include "Vrr_unit_pub.h"
// The root holds the state registers; Verilator groups its members in anonymous structs, which
// -Wpedantic reports.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include "Vrr_unit_pub___024root.h"
#pragma GCC diagnostic pop
#include "rtl_harness.h"

namespace lrt::rtl_test {
namespace {

// State encodings of rtl/rr_unit.sv's enums (gs_state_t, core_state_t, jac_state_t, upd_state_t).
constexpr int kGsStart = 18;  // S_G_START
constexpr int kCoreBlk = 57;  // S_BLK
constexpr int kJacP1 = 66;    // S_J_P1
constexpr int kUpdMem = 97;   // S_U_MEM

// Clocks the idle unit (rank 4, 8 x 8) for `cycles` edges with `force` applied before the first;
// returns the assertion failures counted and what they printed. A forced state is seen by the
// assertions through the signals decoded from it (ph_busy, owner) one edge later, so the
// phase tests clock a few edges; a forced phase stays busy for them.
std::pair<int, std::string> clock_forced(const std::function<void(Vrr_unit_pub___024root&)>& force, int cycles) {
  Clocked<Vrr_unit_pub> u;
  u.context().errorLimit(1000);
  u->cfg_rank = 4;
  u->cfg_n_o = 8;
  u->cfg_n_i = 8;
  u.settle();
  ::testing::internal::CaptureStdout();
  force(*u->rootp);
  for (int c = 0; c < cycles; ++c) u.tick();
  std::string out = ::testing::internal::GetCapturedStdout();
  return {u.context().errorCount(), out};
}

TEST(RrUnitAssertions, AnIdleUnitViolatesNone) {
  const auto [errors, out] = clock_forced([](Vrr_unit_pub___024root&) {}, 50);
  EXPECT_EQ(errors, 0) << out;
}

TEST(RrUnitAssertions, APhaseBusyWithoutTheGrantFiresAGranted) {
  const auto [errors, out] = clock_forced([](Vrr_unit_pub___024root& r) { r.rr_unit__DOT__ja_st = kJacP1; }, 3);
  EXPECT_GE(errors, 1);
  EXPECT_NE(out.find("a busy phase not granted the datapath"), std::string::npos) << out;
  EXPECT_EQ(out.find("two phases busy"), std::string::npos) << out;
}

TEST(RrUnitAssertions, TwoBusyPhasesFireAOnePhase) {
  const auto [errors, out] = clock_forced(
      [](Vrr_unit_pub___024root& r) {
        r.rr_unit__DOT__gs_st = kGsStart;
        r.rr_unit__DOT__co_st = kCoreBlk;
      },
      3);
  EXPECT_GE(errors, 1);
  EXPECT_NE(out.find("two phases busy at once"), std::string::npos) << out;
}

TEST(RrUnitAssertions, WaitingForAnIdleMemoryPortFiresAMemWait) {
  const auto [errors, out] = clock_forced([](Vrr_unit_pub___024root& r) { r.rr_unit__DOT__up_st = kUpdMem; }, 1);
  EXPECT_GE(errors, 1);
  EXPECT_NE(out.find("waiting for an idle memory port"), std::string::npos) << out;
}

}  // namespace
}  // namespace lrt::rtl_test
