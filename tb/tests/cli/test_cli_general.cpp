// The command line as a whole: help, version, and the exit-code contract for mistakes.
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace lrt::cli {
namespace {

using testing::contains;
using testing::run_lrtsim;

TEST(Cli, HelpListsEverySubCommandAndExitsZero) {
  const auto r = run_lrtsim({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"config", "rank-reduce", "inspect", "pretrain", "run", "explore", "precision"}) EXPECT_TRUE(contains(r.out, cmd)) << cmd;
}

TEST(Cli, EverySubCommandHasHelp) {
  for (const char* cmd : {"config", "rank-reduce", "inspect", "pretrain", "run", "explore", "precision"}) {
    const auto r = run_lrtsim({cmd, "--help"});
    EXPECT_EQ(r.code, 0) << cmd;
    EXPECT_TRUE(contains(r.out, "Usage")) << cmd << ": " << r.out;
  }
}

TEST(Cli, VersionPrintsTheProjectVersion) {
  const auto r = run_lrtsim({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, std::string("lrtsim ") + LRTSIM_VERSION)) << r.out;
  // ... the source revision it was built from (git describe, or "unknown" outside a checkout)
  // and the build type.
  EXPECT_TRUE(contains(r.out, "(revision ")) << r.out;
  EXPECT_TRUE(contains(r.out, " build)")) << r.out;
}

TEST(Cli, MistakesOnTheCommandLineExitTwo) {
  EXPECT_EQ(run_lrtsim({}).code, 2);                          // no sub-command
  EXPECT_EQ(run_lrtsim({"frobnicate"}).code, 2);              // unknown sub-command
  EXPECT_EQ(run_lrtsim({"inspect"}).code, 2);                 // missing positional
  EXPECT_EQ(run_lrtsim({"inspect", "a", "b"}).code, 2);       // extra positional
  EXPECT_EQ(run_lrtsim({"config", "check", "--nope"}).code, 2);  // unknown flag
}

}  // namespace
}  // namespace lrt::cli
