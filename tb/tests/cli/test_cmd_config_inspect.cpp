// lrtsim config (check, dump, doc) and lrtsim inspect end to end: outputs and exit codes.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "cli_runner.h"
#include "core/checkpoint.h"

namespace lrt::cli {
namespace {

using testing::contains;
using testing::run_lrtsim;

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "lrtsim_cfgcli_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const std::string kDefaultConfig = std::string(LRTSIM_SOURCE_DIR) + "/configs/default.yaml";

TEST(CmdConfig, CheckAcceptsTheDefaultConfigAndPrintsItsHash) {
  const auto r = run_lrtsim({"config", "check", kDefaultConfig});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "ok ")) << r.out;
  EXPECT_TRUE(contains(r.out, "hash=")) << r.out;
  // --set changes the hash.
  const auto r2 = run_lrtsim({"config", "check", kDefaultConfig, "--set", "run.seed=12345"});
  EXPECT_EQ(r2.code, 0) << r2.err;
  EXPECT_NE(r.out.substr(r.out.find("hash=")), r2.out.substr(r2.out.find("hash=")));
}

TEST(CmdConfig, BadConfigExitsTwoNamingFileLineAndKey) {
  const auto path = write_text("bad.yaml", "run:\n  seed: 1\naccel:\n  rram:\n    endurance_writes: -5\n");
  const auto r = run_lrtsim({"config", "check", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, path + ":5: accel.rram.endurance_writes")) << r.err;
  EXPECT_TRUE(contains(r.err, "-5")) << r.err;
  EXPECT_EQ(run_lrtsim({"config", "check", kDefaultConfig, "--set", "accel.rank_reduce.rank=-1"}).code, 2);
  EXPECT_EQ(run_lrtsim({"config", "check", kDefaultConfig, "--set", "no.such.key=1"}).code, 2);
  EXPECT_EQ(run_lrtsim({"config", "check", "/nonexistent/config.yaml"}).code, 2);
}

TEST(CmdConfig, DumpLoadsBackToTheSameHash) {
  const auto dump = run_lrtsim({"config", "dump", kDefaultConfig, "--set", "run.seed=77"});
  ASSERT_EQ(dump.code, 0) << dump.err;
  const auto path = write_text("dumped.yaml", dump.out);
  const auto a = run_lrtsim({"config", "check", kDefaultConfig, "--set", "run.seed=77"});
  const auto b = run_lrtsim({"config", "check", path});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out.substr(a.out.find("hash=")), b.out.substr(b.out.find("hash=")));
}

TEST(CmdConfig, DocIsTheCommittedReference) {
  const auto r = run_lrtsim({"config", "doc"});
  ASSERT_EQ(r.code, 0);
  std::ifstream in(std::string(LRTSIM_SOURCE_DIR) + "/docs/configuration.md");
  const std::string committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(r.out, committed) << "regenerate with: lrtsim config doc > docs/configuration.md";
}

TEST(CmdInspect, DescribesAnIdxFile) {
  const std::string path = ::testing::TempDir() + "lrtsim_cfgcli_labels.gz";
  const unsigned char bytes[] = {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9};
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes, sizeof bytes);
  gzclose(f);
  const auto r = run_lrtsim({"inspect", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "kind: idx (gzip)")) << r.out;
  EXPECT_TRUE(contains(r.out, "shape: [3]")) << r.out;
  EXPECT_TRUE(contains(r.out, "value_range: [0, 9]")) << r.out;
}

TEST(CmdInspect, DescribesACheckpoint) {
  CheckpointWriter w(0xABCDEFull);
  w.add_array<int32_t>("weights/fc1", {1, 2, 3});
  const std::string path = ::testing::TempDir() + "lrtsim_cfgcli_model.ckpt";
  w.write(path);
  const auto r = run_lrtsim({"inspect", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "kind: checkpoint (format version 1)")) << r.out;
  EXPECT_TRUE(contains(r.out, "config_hash: 0000000000abcdef")) << r.out;
  EXPECT_TRUE(contains(r.out, "weights/fc1: 12 bytes")) << r.out;
}

TEST(CmdInspect, DescribesAConfigWithTheSameHashAsConfigCheck) {
  const auto r = run_lrtsim({"inspect", kDefaultConfig});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "kind: config")) << r.out;
  EXPECT_TRUE(contains(r.out, "network_layers: [conv3x3")) << r.out;
  const auto check = run_lrtsim({"config", "check", kDefaultConfig});
  const std::string hash = check.out.substr(check.out.find("hash=") + 5, 16);
  EXPECT_TRUE(contains(r.out, "config_hash: " + hash)) << r.out << " vs " << check.out;
  const auto bad = write_text("bad_inspect.yaml", "run:\n  samples: -3\n");
  const auto r2 = run_lrtsim({"inspect", bad});
  EXPECT_EQ(r2.code, 2);
  EXPECT_TRUE(contains(r2.err, bad + ":2: run.samples")) << r2.err;
}

TEST(CmdInspect, InvalidFilesExitTwoWithTheReason) {
  const auto junk = write_text("junk.idx", std::string("\0\0\x07\x01\0\0\0\x01\x05", 9));
  const auto r = run_lrtsim({"inspect", junk});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "byte 2")) << r.err;
  EXPECT_TRUE(contains(r.err, "0x07")) << r.err;
  const auto text = write_text("junk.txt", "just some words\n");
  const auto r1 = run_lrtsim({"inspect", text});
  EXPECT_EQ(r1.code, 2);
  EXPECT_TRUE(contains(r1.err, "top level")) << r1.err;
  const auto ck = write_text("trunc.ckpt", "LRTSIMCK\x01");
  const auto r2 = run_lrtsim({"inspect", ck});
  EXPECT_EQ(r2.code, 2);
  EXPECT_TRUE(contains(r2.err, "truncated checkpoint")) << r2.err;
  EXPECT_EQ(run_lrtsim({"inspect", "/nonexistent/file"}).code, 2);
}

}  // namespace
}  // namespace lrt::cli
