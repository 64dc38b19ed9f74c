#pragma once
// Shared by the `lrtsim pretrain` / `lrtsim run` tests: a tiny generated IDX data set
// (4 classes of 12x12 images, a bright square in one quadrant per class plus deterministic
// clutter), a configuration with a tiny network on it, and run_cli() with captured output.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli_runner.h"

namespace lrt::cli::run_testing {

constexpr int kSide = 12;
constexpr int kClasses = 4;

using testing::CliResult;

inline CliResult run(std::vector<std::string> args) { return testing::run_lrtsim(std::move(args)); }

inline void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

inline std::vector<uint8_t> idx_header(uint8_t dims, const std::vector<uint32_t>& sizes) {
  std::vector<uint8_t> b{0, 0, 0x08, dims};
  for (uint32_t d : sizes)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  return b;
}

/// Writes `count` images with the (Fashion-)MNIST file names under `dir` (train or t10k).
/// Image i has label i % 4: a 4x4 square of gray 200 in quadrant `label`, jittered by
/// (i / 4) % 3 pixels, over clutter (37 i + 11 r + 7 c) % 60.
inline void write_images(const std::string& dir, const std::string& stem, uint32_t count) {
  std::vector<uint8_t> images = idx_header(3, {count, kSide, kSide});
  std::vector<uint8_t> labels = idx_header(1, {count});
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t label = i % kClasses, jitter = (i / kClasses) % 3;
    const uint32_t r0 = (label / 2) * 6 + jitter, c0 = (label % 2) * 6 + (2 - jitter);
    labels.push_back(static_cast<uint8_t>(label));
    for (uint32_t r = 0; r < kSide; ++r)
      for (uint32_t c = 0; c < kSide; ++c) {
        const bool on = r >= r0 && r < r0 + 4 && c >= c0 && c < c0 + 4;
        images.push_back(static_cast<uint8_t>(on ? 200 : (37 * i + 11 * r + 7 * c) % 60));
      }
  }
  write_gz(dir + "/" + stem + "-images-idx3-ubyte.gz", images);
  write_gz(dir + "/" + stem + "-labels-idx1-ubyte.gz", labels);
}

/// A directory holding 300 training and 40 test images, and a configuration on it.
struct TinySetup {
  std::string dir;
  std::string config;  // path of the YAML file
  std::string model;   // run.model of the configuration
};

inline std::string config_text(const std::string& dir, const std::string& model) {
  return "run:\n"
         "  seed: 3\n"
         "  samples: 600\n"
         "  model: \"" + model + "\"\n"
         "  trace_every: 100\n"
         "data:\n"
         "  dir: \"" + dir + "\"\n"
         "  num_classes: 4\n"
         "  split: {offline_train_sources: 100, validation_sources: 50, online_sources: 150,\n"
         "          offline_train_samples: 400, validation_samples: 200, online_samples: 3000}\n"
         "  elastic: {alpha: 2, sigma: 1}\n"
         "  shift: {period: 1000, cluster: {block: 100}}\n"
         "network:\n"
         "  input: {h: 12, w: 12, c: 1}\n"
         "  layers: [conv3x3 4, maxpool2, relu, batchnorm, fc 4]   # 12 -> 10 -> 5; fc 100 -> 4\n"
         "train:\n"
         "  fc: {batch: 10}\n"
         "pretrain:\n"
         "  samples: 400\n";
}

/// Creates (once per name) the data set and configuration under the test temporary directory.
inline TinySetup tiny_setup(const std::string& name) {
  TinySetup s;
  s.dir = ::testing::TempDir() + "lrtsim_run_" + name;
  std::filesystem::create_directories(s.dir);
  write_images(s.dir, "train", 300);
  write_images(s.dir, "t10k", 40);
  s.model = s.dir + "/model.ckpt";
  s.config = s.dir + "/tiny.yaml";
  std::ofstream(s.config, std::ios::binary | std::ios::trunc) << config_text(s.dir, s.model);
  return s;
}

/// @brief A suite sharing one tiny data set and pretrained model, made once in SetUpTestSuite
/// (pretraining takes ~50 ms). Suite names its directory: `static constexpr const char* kName`.
template <class Suite>
class PretrainedSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setup_ = new TinySetup(tiny_setup(Suite::kName));
    const CliResult r = run({"pretrain", setup_->config, "--out", setup_->model, "--force"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete setup_;
    setup_ = nullptr;
  }
  static const TinySetup& s() { return *setup_; }
  static std::string out(const std::string& name) { return s().dir + "/" + name; }

 private:
  static inline TinySetup* setup_ = nullptr;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// @brief A CSV text as rows of cells (no quoting: the files lrtsim writes have none).
inline std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace lrt::cli::run_testing
