// IDX reader: round trip of generated files (raw and gzip) and one test per defect
// class, each asserting the byte offset and the reason in the message.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "core/error.h"
#include "core/idx.h"

namespace lrt {
namespace {

std::vector<uint8_t> idx_bytes(uint8_t type, std::vector<uint32_t> dims, std::vector<uint8_t> payload) {
  std::vector<uint8_t> b{0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

std::string write_raw(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = ::testing::TempDir() + "lrtsim_idx_" + name;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string write_gz(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = ::testing::TempDir() + "lrtsim_idx_" + name + ".gz";
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

InputError read_error(const std::string& path) {
  try {
    read_idx(path);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for " << path;
  return InputError({}, "");
}

bool has(const InputError& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

TEST(Idx, ReadsUint8RawAndGzipIdentically) {
  std::vector<uint8_t> pixels(2 * 3 * 4);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 11);
  const auto bytes = idx_bytes(0x08, {2, 3, 4}, pixels);
  for (const auto& path : {write_raw("u8", bytes), write_gz("u8", bytes)}) {
    const IdxArray a = read_idx(path);
    EXPECT_EQ(a.dims, (std::vector<uint32_t>{2, 3, 4}));
    EXPECT_EQ(a.raw, pixels);
    EXPECT_EQ(a.count(), 24u);
    EXPECT_EQ(a.value(23), 23 * 11 % 256);
  }
  EXPECT_FALSE(read_idx(write_raw("u8b", bytes)).gzipped);
  EXPECT_TRUE(read_idx(write_gz("u8b", bytes)).gzipped);
}

TEST(Idx, ConvertsBigEndianWiderTypes) {
  // int16 -2 = 0xFFFE, int32 0x01020304, float32 1.5 = 0x3FC00000.
  EXPECT_EQ(read_idx(write_raw("i16", idx_bytes(0x0B, {1}, {0xFF, 0xFE}))).value(0), -2.0);
  EXPECT_EQ(read_idx(write_raw("i32", idx_bytes(0x0C, {1}, {1, 2, 3, 4}))).value(0), 16909060.0);
  EXPECT_EQ(read_idx(write_raw("f32", idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0, 0}))).value(0), 1.5);
}

TEST(Idx, EmptyAndTruncatedHeaders) {
  EXPECT_TRUE(has(read_error(write_raw("empty", {})), "empty"));
  const auto e = read_error(write_raw("short", {0, 0, 8}));
  EXPECT_EQ(e.where().byte_offset, 3);
  EXPECT_TRUE(has(e, "truncated IDX header"));
  const auto e2 = read_error(write_raw("shortdims", {0, 0, 8, 3, 0, 0, 0, 1}));
  EXPECT_EQ(e2.where().byte_offset, 8);
  EXPECT_TRUE(has(e2, "3 dimensions need 16 bytes"));
}

TEST(Idx, BadMagicTypeAndDims) {
  EXPECT_EQ(read_error(write_raw("magic", {1, 0, 8, 1, 0, 0, 0, 1, 7})).where().byte_offset, 0);
  const auto t = read_error(write_raw("type", idx_bytes(0x07, {1}, {1})));
  EXPECT_EQ(t.where().byte_offset, 2);
  EXPECT_TRUE(has(t, "0x07"));
  EXPECT_EQ(read_error(write_raw("ndim0", {0, 0, 8, 0})).where().byte_offset, 3);
  EXPECT_EQ(read_error(write_raw("ndim5", {0, 0, 8, 5})).where().byte_offset, 3);
  const auto z = read_error(write_raw("zerodim", idx_bytes(0x08, {3, 0}, {})));
  EXPECT_EQ(z.where().byte_offset, 8);
  EXPECT_TRUE(has(z, "dimension 1 is 0"));
}

TEST(Idx, SizeOverflowIsRejectedBeforeAllocation) {
  const auto e = read_error(write_raw("overflow", idx_bytes(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {})));
  EXPECT_TRUE(has(e, "overflow")) << e.what();
}

TEST(Idx, TruncatedAndTrailingData) {
  const auto t = read_error(write_raw("trunc", idx_bytes(0x08, {2, 2}, {1, 2, 3})));
  EXPECT_EQ(t.where().byte_offset, 15);
  EXPECT_TRUE(has(t, "declares 4 data bytes, file has 3"));
  const auto tg = read_error(write_gz("truncgz", idx_bytes(0x08, {2, 2}, {1, 2, 3})));
  EXPECT_TRUE(has(tg, "truncated IDX data"));
  const auto x = read_error(write_raw("extra", idx_bytes(0x08, {2}, {1, 2, 3})));
  EXPECT_EQ(x.where().byte_offset, 10);
  EXPECT_TRUE(has(x, "1 bytes after the declared data"));
}

TEST(Idx, CorruptAndTruncatedGzip) {
  std::vector<uint8_t> payload(5000);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>((i * 7919) >> 3);
  const auto good = slurp(write_gz("good", idx_bytes(0x08, {5000}, payload)));
  auto cut = good;
  cut.resize(good.size() / 2);
  EXPECT_TRUE(has(read_error(write_raw("cut.gz", cut)), "gzip")) << read_error(write_raw("cut.gz", cut)).what();
  auto flipped = good;
  for (std::size_t i = 20; i < 40; ++i) flipped[i] ^= 0x5A;
  EXPECT_TRUE(has(read_error(write_raw("flip.gz", flipped)), "gzip"));
  auto bad_crc = good;
  bad_crc[good.size() - 6] ^= 0xFF;  // CRC-32 field of the gzip trailer
  EXPECT_TRUE(has(read_error(write_raw("crc.gz", bad_crc)), "gzip"));
}

TEST(Idx, NonFiniteFloatsAreRejected) {
  const auto e = read_error(write_raw("nan", idx_bytes(0x0D, {2}, {0x3F, 0x80, 0, 0, 0x7F, 0xC0, 0, 0})));
  EXPECT_EQ(e.where().byte_offset, 12);
  EXPECT_TRUE(has(e, "element 1"));
}

TEST(LabeledImages, ChecksShapesCountsAndLabelRange) {
  const auto images = write_raw("img", idx_bytes(0x08, {3, 2, 2}, std::vector<uint8_t>(12, 9)));
  const auto labels = write_raw("lab", idx_bytes(0x08, {3}, {0, 9, 4}));
  const LabeledImages d = read_labeled_images(images, labels);
  EXPECT_EQ(d.count, 3u);
  EXPECT_EQ(d.rows, 2u);
  EXPECT_EQ(d.labels, (std::vector<uint8_t>{0, 9, 4}));

  const auto few = write_raw("lab2", idx_bytes(0x08, {2}, {0, 1}));
  EXPECT_THROW(read_labeled_images(images, few), InputError);
  const auto big = write_raw("lab3", idx_bytes(0x08, {3}, {0, 10, 1}));
  try {
    read_labeled_images(images, big);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().byte_offset, 9);
    EXPECT_TRUE(has(e, "label 10 of item 1"));
  }
  EXPECT_THROW(read_labeled_images(labels, labels), InputError);  // 1-D "images"
}

TEST(LabeledImages, ReadsDebianFashionMnistWhenInstalled) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  if (!std::ifstream(dir + "t10k-labels-idx1-ubyte.gz")) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const LabeledImages d = read_labeled_images(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(d.count, 10000u);
  EXPECT_EQ(d.rows, 28u);
  EXPECT_EQ(d.cols, 28u);
  // Fashion-MNIST's test split is balanced: 1000 items per class.
  std::vector<int> per_class(10, 0);
  for (uint8_t l : d.labels) ++per_class[l];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 1000) << c;
}

}  // namespace
}  // namespace lrt
