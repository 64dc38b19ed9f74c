#pragma once
// Small MNIST-like data for the data-area tests: class-dependent shapes on a black
// background, built in memory (and written as IDX where a test needs files).

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/idx.h"
#include "data/specs.h"

namespace lrt::data::testing {

/// Image i has label (i * 7 + salt) % classes: a horizontal bar whose row depends on the
/// label, a vertical bar whose column depends on i, and a gray ramp inside the bars.
inline LabeledImages synthetic_images(uint32_t count, uint32_t salt = 0, uint32_t rows = 28,
                                      uint32_t cols = 28, uint32_t classes = 10) {
  LabeledImages im;
  im.count = count;
  im.rows = rows;
  im.cols = cols;
  im.pixels.assign(std::size_t{count} * rows * cols, 0);
  for (uint32_t i = 0; i < count; ++i) {
    const auto label = static_cast<uint8_t>((i * 7 + salt) % classes);
    im.labels.push_back(label);
    uint8_t* px = &im.pixels[std::size_t{i} * rows * cols];
    const uint32_t bar_row = (3 + 2 * label) % rows, bar_col = (4 + i % 17) % cols;
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < cols; ++c) {
        const bool on = (r >= bar_row && r < bar_row + 3 && c >= 4 && c + 4 < cols) ||
                        (c >= bar_col && c < bar_col + 2 && r >= 5 && r + 5 < rows);
        if (on) px[r * cols + c] = static_cast<uint8_t>(120 + (5 * r + 3 * c + i) % 136);
      }
  }
  return im;
}

/// Small specs for fast tests: 200 training images split 60 / 20 / 100, one fixed elastic
/// setting sigma 1, alpha 4 (the streams' structure does not depend on the elastic mode; the
/// authors' mixture has its own tests), the default (authors') shift schedule.
inline DataSpecs small_specs() {
  DataSpecs s;
  s.split.offline_train_sources = 60;
  s.split.validation_sources = 20;
  s.split.online_sources = 100;
  s.split.offline_train_samples = 150;
  s.split.validation_samples = 40;
  s.split.online_samples = 400;
  s.elastic.mode = ElasticMode::kFixed;
  s.elastic.sigma = 1.0;
  s.elastic.alpha = 4.0;
  s.shift.period = 100;
  s.shift.cluster.block = 50;
  return s;
}

inline std::vector<uint8_t> idx_bytes(uint8_t dims_count, std::vector<uint32_t> dims,
                                      const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> b{0, 0, 0x08, dims_count};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

/// Writes images and labels as gzip IDX files; returns {images path, labels path}.
inline std::pair<std::string, std::string> write_idx_gz(const LabeledImages& im, const std::string& stem) {
  const std::string base = ::testing::TempDir() + "lrtsim_data_" + stem;
  const auto write = [](const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  };
  write(base + "-images.gz", idx_bytes(3, {im.count, im.rows, im.cols}, im.pixels));
  write(base + "-labels.gz", idx_bytes(1, {im.count}, im.labels));
  return {base + "-images.gz", base + "-labels.gz"};
}

}  // namespace lrt::data::testing
