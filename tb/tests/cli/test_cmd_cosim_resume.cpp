// lrtsim cosim --checkpoint / --resume (tb/cosim/cosim_checkpoint.h): a run stopped part way
// (at a chosen pair count, or by SIGTERM at an arbitrary moment) and resumed ends in exactly the
// state of the run that never stopped — the golden model, the SRAM image, the cycle count and
// every register of the Verilated unit (the checkpoints' sections compared byte for byte) —
// and a checkpoint that does not belong to the command is refused with exit 2.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"
#include "core/checkpoint.h"
#include "cosim/stimulus.h"

namespace lrt::cli {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::run_lrtsim_process;

// Rank 4, unbiased (the sign generator's index is state), a small shape; the state is never
// reset (as in the soak) or reset every 64 pairs (a reset falls after the stop).
const std::vector<std::string> kNoReset = {"cosim", "--rank", "4", "--n-o", "24", "--n-i", "12", "--mode",
                                           "unbiased", "--reset-every", "0", "--checkpoint-every", "25"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

std::string temp(const std::string& name) {
  const std::string p = ::testing::TempDir() + "cosim_resume_" + std::to_string(::getpid()) + "_" + name;
  fs::remove(p);
  return p;
}

uint64_t next_pair(const std::string& path) { return Checkpoint::read(path).array<uint64_t>("cosim.progress", 7)[0]; }

// The two checkpoints hold the same run at the same pair: every section equal except the
// times and the number of segments (the last word of cosim.progress).
void expect_same_state(const std::string& resumed, const std::string& straight) {
  const Checkpoint a = Checkpoint::read(resumed), b = Checkpoint::read(straight);
  ASSERT_EQ(a.section_names(), b.section_names());
  for (const std::string& name : a.section_names()) {
    if (name == "cosim.time") continue;
    if (name == "cosim.progress") {
      auto pa = a.array<uint64_t>(name, 7), pb = b.array<uint64_t>(name, 7);
      EXPECT_GE(pa[6], 2u) << "the resumed run counts its segments";
      pa[6] = pb[6] = 0;
      EXPECT_EQ(pa, pb) << name;
      continue;
    }
    EXPECT_TRUE(a.bytes(name) == b.bytes(name)) << "section " << name << " differs from the run that never stopped";
  }
  EXPECT_FALSE(a.bytes("rtl.model").empty());
}

// The summary lines that cover the whole run (not its speed).
std::string summary(const std::string& out) {
  std::string s;
  for (const char* key : {"matched ", "outcomes: ", "cycles per pair: ", "closed form: "}) {
    const size_t at = out.find(key);
    if (at != std::string::npos) s += out.substr(at, out.find('\n', at) - at) + "\n";
  }
  return s;
}

void stop_and_resume(const std::vector<std::string>& base, int stop_at, int total) {
  const std::string straight = temp("straight.ckpt"), stopped = temp("stopped.ckpt");
  const auto a = run_lrtsim_process(with(base, {"--samples", std::to_string(total), "--checkpoint", straight}));
  ASSERT_EQ(a.code, 0) << a.out << a.err;
  const auto b1 = run_lrtsim_process(with(base, {"--samples", std::to_string(stop_at), "--checkpoint", stopped}));
  ASSERT_EQ(b1.code, 0) << b1.out << b1.err;
  const auto b2 = run_lrtsim_process(with(base, {"--samples", std::to_string(total), "--resume", stopped}));
  ASSERT_EQ(b2.code, 0) << b2.out << b2.err;
  EXPECT_TRUE(contains(b2.out, "resumed " + stopped + " at pair ")) << b2.out;
  EXPECT_EQ(summary(b2.out), summary(a.out));
  EXPECT_FALSE(summary(a.out).empty());
  expect_same_state(stopped, straight);
}

TEST(CmdCosimResume, AResumedRunEndsInTheStateOfTheRunThatNeverStopped) {
  stop_and_resume(kNoReset, 137, 300);
}

TEST(CmdCosimResume, AResetAfterTheStopFallsWhereItWould) {
  stop_and_resume({"cosim", "--rank", "2", "--n-o", "9", "--n-i", "16", "--reset-every", "64"}, 100, 200);
}

TEST(CmdCosimResume, SigtermSavesTheStateAndTheRunResumesFromIt) {
  const std::string path = temp("term.ckpt");
  std::vector<std::string> args = with(kNoReset, {"--samples", "100000000", "--checkpoint", path});
  args.insert(args.begin(), LRTSIM_BINARY);
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(LRTSIM_BINARY, argv.data());
    ::_exit(127);
  }
  // After the first periodic checkpoint the run is inside its loop; it then stops at a pair
  // boundary of its own choosing, which need not be a multiple of --checkpoint-every.
  while (!fs::exists(path)) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  const uint64_t done = next_pair(path);
  const auto n_directed = cosim::directed_pairs(24, 12, 1).size();
  ASSERT_GT(done, n_directed);
  // Both runs go on to the same length: the stopped one resumed, a reference straight.
  const std::string total = std::to_string(done - n_directed + 40);
  const std::string straight = temp("term_straight.ckpt");
  const auto a = run_lrtsim_process(with(kNoReset, {"--samples", total, "--checkpoint", straight}));
  ASSERT_EQ(a.code, 0) << a.out << a.err;
  const auto b = run_lrtsim_process(with(kNoReset, {"--samples", total, "--resume", path}));
  ASSERT_EQ(b.code, 0) << b.out << b.err;
  EXPECT_EQ(summary(b.out), summary(a.out));
  expect_same_state(path, straight);
}

// ---- refusals: exit 2, naming what is wrong ------------------------------------------------

class CmdCosimResumeRefusal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = new std::string(temp("refusal.ckpt"));
    const auto r = run_lrtsim_process(with(kNoReset, {"--samples", "60", "--checkpoint", *path_}));
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete path_; }
  static std::string* path_;
};
std::string* CmdCosimResumeRefusal::path_ = nullptr;

TEST_F(CmdCosimResumeRefusal, AnotherRun) {
  std::vector<std::string> args = kNoReset;
  args[2] = "2";  // --rank 2
  const auto r = run_lrtsim_process(with(args, {"--samples", "100", "--resume", *path_}));
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "cosim.run") && contains(r.err, "rank=4") && contains(r.err, "rank=2")) << r.err;
}

TEST_F(CmdCosimResumeRefusal, FewerPairsThanAlreadyMatched) {
  const auto r = run_lrtsim_process(with(kNoReset, {"--samples", "59", "--resume", *path_}));
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--samples") && contains(r.err, "already matched 60")) << r.err;
}

TEST_F(CmdCosimResumeRefusal, ADamagedFile) {
  const std::string copy = temp("damaged.ckpt");
  std::ifstream in(*path_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x04);
  std::ofstream(copy, std::ios::binary) << bytes;
  const auto r = run_lrtsim_process(with(kNoReset, {"--samples", "100", "--resume", copy}));
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, copy)) << r.err;
}

TEST_F(CmdCosimResumeRefusal, AnotherRtl) {
  // The same checkpoint with another RTL fingerprint: Verilator's layout check would end the
  // process, so the fingerprint is compared first.
  const Checkpoint ck = Checkpoint::read(*path_);
  CheckpointWriter w(ck.config_hash());
  for (const std::string& name : ck.section_names()) {
    std::vector<uint8_t> b = ck.bytes(name);
    if (name == "cosim.rtl") b = {'0', '1', '2', '3'};
    w.add_bytes(name, b);
  }
  const std::string copy = temp("other_rtl.ckpt");
  w.write(copy);
  const auto r = run_lrtsim_process(with(kNoReset, {"--samples", "100", "--resume", copy}));
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "cosim.rtl") && contains(r.err, "0123")) << r.err;
}

TEST_F(CmdCosimResumeRefusal, TheSystemCModelOrASelfTest) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--systemc"}, {"--vcd", temp("x.vcd")}, {"--break-handshake"}}) {
    const auto r = run_lrtsim_process(with(with(kNoReset, {"--samples", "10", "--checkpoint", temp("no.ckpt")}), extra));
    EXPECT_EQ(r.code, 2) << extra[0];
    EXPECT_TRUE(contains(r.err, "--checkpoint")) << r.err;
  }
}

}  // namespace
}  // namespace lrt::cli
