// CSV vectors: every malformed input names the file and line; writing round-trips.
#include <gtest/gtest.h>

#include <fstream>

#include "core/csv.h"
#include "core/error.h"

namespace lrt {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "lrtsim_csv_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

InputError read_error(const std::string& path) {
  try {
    read_csv_rows(path);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for " << path;
  return InputError({}, "");
}

TEST(Csv, ReadsRowsWithBlanksAndCrlf) {
  const auto rows = read_csv_rows(write_temp("ok", "1, -2.5e-3 ,3\r\n4,5,6e2\n\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<double>{1, -2.5e-3, 3}));
  EXPECT_EQ(rows[1], (std::vector<double>{4, 5, 600}));
}

TEST(Csv, RaggedRowNamesLine) {
  const auto e = read_error(write_temp("ragged", "1,2,3\n4,5,6\n7,8\n"));
  EXPECT_EQ(e.where().line, 3);
  EXPECT_NE(std::string(e.what()).find("2 values"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("lrtsim_csv_ragged:3"), std::string::npos) << e.what();
}

TEST(Csv, NonNumberNamesLineColumnAndValue) {
  const auto e = read_error(write_temp("nan_text", "1,2\n3,abc\n"));
  EXPECT_EQ(e.where().line, 2);
  EXPECT_NE(std::string(e.what()).find("column 2"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("'abc'"), std::string::npos) << e.what();
}

TEST(Csv, TrailingGarbageIsNotANumber) {
  EXPECT_EQ(read_error(write_temp("garbage", "1.5x,2\n")).where().line, 1);
}

TEST(Csv, NanAndInfAreRejected) {
  for (const char* bad : {"nan", "NaN", "inf", "-Infinity", "1e999"}) {
    const auto e = read_error(write_temp("nonfinite", std::string("1,") + bad + "\n"));
    EXPECT_EQ(e.where().line, 1) << bad;
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
}

TEST(Csv, EmptyFieldsAndFilesAreRejected) {
  EXPECT_EQ(read_error(write_temp("emptyfield", "1,,2\n")).where().line, 1);
  EXPECT_EQ(read_error(write_temp("trailingcomma", "1,2,\n")).where().line, 1);
  EXPECT_NE(std::string(read_error(write_temp("empty", "")).what()).find("empty"), std::string::npos);
  EXPECT_NE(std::string(read_error(write_temp("blank", "\n\n")).what()).find("empty"), std::string::npos);
  EXPECT_EQ(read_error(write_temp("gap", "1\n\n2\n")).where().line, 3);
}

TEST(Csv, MissingFileIsInputError) {
  const auto e = read_error(::testing::TempDir() + "lrtsim_csv_does_not_exist.csv");
  EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
}

TEST(Csv, WriteReadRoundTripsBitExactly) {
  Matrix<double> m(3, 2);
  m(0, 0) = 0.1;
  m(1, 0) = -1.0 / 3.0;
  m(2, 0) = 6.02214076e23;
  m(0, 1) = 5e-324;  // smallest subnormal
  m(1, 1) = -0.0;
  m(2, 1) = 123456789.123456789;
  const std::string path = ::testing::TempDir() + "lrtsim_csv_roundtrip.csv";
  write_csv_matrix(path, m);
  const auto rows = read_csv_rows(path);
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 2; ++c) EXPECT_EQ(rows[r][c], m(r, c)) << r << "," << c;
}

TEST(Csv, WriteToMissingDirectoryIsRunError) {
  EXPECT_THROW(write_csv_matrix("/nonexistent-dir/x.csv", Matrix<double>(1, 1)), RunError);
}

}  // namespace
}  // namespace lrt
