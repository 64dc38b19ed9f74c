// Result directories, stop requests and the progress line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <fstream>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "core/run_directory.h"

namespace lrt {
namespace {

// A fresh directory name per process, so reruns never see an earlier run's results.
std::string unique_dir(const std::string& name) {
  return ::testing::TempDir() + "lrtsim_" + name + "_" + std::to_string(::getpid());
}

TEST(RunDirectory, CreatesNestedDirectoriesAndWritesAtomically) {
  const std::string dir = unique_dir("rundir_a") + "/b/c";
  RunDirectory rd(dir + "/", false, {"summary.json"});
  EXPECT_EQ(rd.path(), dir);
  rd.write("summary.json", "{}\n");
  std::ifstream in(rd.file("summary.json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{}\n");
}

TEST(RunDirectory, RefusesExistingResultsUnlessForced) {
  const std::string dir = unique_dir("rundir_force");
  RunDirectory(dir, true, {"summary.json"}).write("summary.json", "old");
  try {
    RunDirectory(dir, false, {"trace.csv", "summary.json"});
    FAIL() << "existing results were not refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("summary.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(RunDirectory(dir, true, {"summary.json"}));
  // Files that are not results (e.g. a user's notes) do not block a run.
  EXPECT_NO_THROW(RunDirectory(dir, false, {"trace.csv"}));
}

TEST(RunDirectory, AFileInTheWayIsInputError) {
  const std::string path = unique_dir("rundir_file");
  std::ofstream(path) << "x";
  EXPECT_THROW(RunDirectory(path, false, {}), InputError);
}

TEST(Interrupt, SignalsSetTheStopFlag) {
  clear_stop_request();
  install_stop_handlers();
  EXPECT_FALSE(stop_requested());
  std::raise(SIGTERM);
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(stop_signal(), SIGTERM);
  clear_stop_request();
  std::raise(SIGINT);
  EXPECT_EQ(stop_signal(), SIGINT);
  clear_stop_request();
  request_stop();
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(stop_signal(), 0);
  clear_stop_request();
}

TEST(ProgressLine, FormatsCountsRateAndEta) {
  EXPECT_EQ(ProgressLine::format_line(250, 1000, "samples", 50.0, "acc 81.0%"),
            "250/1000 samples (25.0%), 50.0 samples/s, ETA 15s, acc 81.0%");
  EXPECT_EQ(ProgressLine::format_line(0, 100, "pairs", 0.0, ""), "0/100 pairs (0.0%), 0.0 pairs/s, ETA ?");
  EXPECT_EQ(ProgressLine::format_duration(3723), "1h02m03s");
  EXPECT_EQ(ProgressLine::format_duration(125), "2m05s");
  EXPECT_EQ(ProgressLine::format_duration(-1), "?");
}

}  // namespace
}  // namespace lrt
