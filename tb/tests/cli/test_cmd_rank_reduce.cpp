// lrtsim rank-reduce end to end: exit codes, messages naming file and line, and that the
// written factors reproduce sum dz a^T when there are at most r pairs.
#include <gtest/gtest.h>


#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli_runner.h"
#include "core/csv.h"

namespace lrt::cli {
namespace {

using testing::CliResult;
using testing::run_lrtsim;

using Rows = std::vector<std::vector<double>>;

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "lrtsim_rr_" + name; }

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string write_rows(const std::string& name, const Rows& rows) {
  std::string text;
  char buf[64];
  for (const auto& row : rows) {
    for (std::size_t j = 0; j < row.size(); ++j) {
      std::snprintf(buf, sizeof buf, "%s%.17g", j ? "," : "", row[j]);
      text += buf;
    }
    text += "\n";
  }
  return write_text(name, text);
}

CliResult run(std::vector<std::string> args) { return run_lrtsim(std::move(args)); }

std::vector<std::string> base_args(const std::string& dz, const std::string& a, const std::string& rank,
                                   const std::string& mode = "biased") {
  return {"rank-reduce", "--dz", dz, "--a", a, "--rank", rank, "--mode", mode, "--arith", "float",
          "--out-l", temp_path("L.csv"), "--out-r", temp_path("R.csv")};
}

Rows random_rows(int count, int length, double phase) {
  // Deterministic, irregular values of full rank (no RNG needed at this level).
  Rows rows(count, std::vector<double>(length));
  for (int i = 0; i < count; ++i)
    for (int j = 0; j < length; ++j) rows[i][j] = std::sin(phase + 0.7 * (i + 1) * (j + 1) * (j + 2));
  return rows;
}

// |L R^T - sum dz a^T|_F / |sum dz a^T|_F from the written files.
double relative_error(const Rows& dz, const Rows& a) {
  const Rows L = read_csv_rows(temp_path("L.csv"));
  const Rows R = read_csv_rows(temp_path("R.csv"));
  EXPECT_EQ(L.size(), dz.front().size());
  EXPECT_EQ(R.size(), a.front().size());
  double err = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < L.size(); ++i)
    for (std::size_t j = 0; j < R.size(); ++j) {
      double want = 0.0, got = 0.0;
      for (std::size_t p = 0; p < dz.size(); ++p) want += dz[p][i] * a[p][j];
      for (std::size_t k = 0; k < L[i].size(); ++k) got += L[i][k] * R[j][k];
      err += (got - want) * (got - want);
      norm += want * want;
    }
  return std::sqrt(err / norm);
}

TEST(CmdRankReduce, AtMostRPairsAreReproducedExactly) {
  // 3 pairs, rank 3 and 4: the sum has rank 3, both modes must return it; the CSV keeps 17
  // significant digits, so only the reducer's rounding (~1e-15) remains: bound 1e-12.
  const Rows dz = random_rows(3, 6, 0.3), a = random_rows(3, 5, 1.1);
  const std::string dz_path = write_rows("dz.csv", dz), a_path = write_rows("a.csv", a);
  for (const char* mode : {"biased", "unbiased"})
    for (const char* rank : {"3", "4"}) {
      const CliResult r = run(base_args(dz_path, a_path, rank, mode));
      ASSERT_EQ(r.code, 0) << r.err;
      EXPECT_LE(relative_error(dz, a), 1e-12) << mode << " rank " << rank;
      EXPECT_EQ(read_csv_rows(temp_path("L.csv")).front().size(), static_cast<std::size_t>(std::stoi(rank)));
      EXPECT_NE(r.out.find("pairs=3 skipped_kappa=0 degenerate=0"), std::string::npos) << r.out;
    }
}

TEST(CmdRankReduce, FixedArithmeticRunsEndToEnd) {
  // The bit-accurate model holds inputs and factors as 16-bit codes with per-vector or
  // per-column exponents: each quantization step errs by <= 2^-15 relative to its vector's
  // largest entry, and the factors pass a handful of them (input, basis, output), so L R^T
  // stays within ~2^-12 of the exact sum here; 1e-3 leaves margin without hiding a wrong
  // result (a missing or misplaced pair errs by O(1)).
  const Rows dz = random_rows(3, 6, 0.3), a = random_rows(3, 5, 1.1);
  const std::string dz_path = write_rows("dzx.csv", dz), a_path = write_rows("ax.csv", a);
  for (const char* mode : {"biased", "unbiased"}) {
    auto args = base_args(dz_path, a_path, "4", mode);
    args[10] = "fixed";  // --arith
    const CliResult r = run(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("pairs=3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("arith=fixed"), std::string::npos) << r.out;
    EXPECT_LE(relative_error(dz, a), 1e-3) << mode;
  }
  // A rank the hardware model does not support is bad input, not a crash.
  auto args = base_args(dz_path, a_path, "9");
  args[10] = "fixed";
  const CliResult r = run(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--rank"), std::string::npos) << r.err;
}

TEST(CmdRankReduce, MorePairsGiveTheRankRTruncation) {
  // Rank 1 of 2 orthogonal pairs e0 (x) 3 e0 and e1 (x) e1 keeps 3 e0 e0^T (biased), so the
  // relative error is exactly |e1 e1^T| / |diag(3, 1)| = 1 / sqrt(10).
  const Rows dz = {{1, 0}, {0, 1}}, a = {{3, 0, 0}, {0, 1, 0}};
  const CliResult r = run(base_args(write_rows("dz2.csv", dz), write_rows("a2.csv", a), "1"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NEAR(relative_error(dz, a), 1.0 / std::sqrt(10.0), 1e-15);
}

TEST(CmdRankReduce, KappaThresholdDefaultsTo100AndZeroDisablesIt) {
  // After 20 e0 (x) 20 e0, the pair e1 (x) e1 has C_11 / C_qq = 400 > 100: skipped by default.
  const Rows dz = {{20, 0}, {0, 1}}, a = {{20, 0}, {0, 1}};
  const std::string d = write_rows("dz3.csv", dz), s = write_rows("a3.csv", a);
  CliResult r = run(base_args(d, s, "1"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("pairs=2 skipped_kappa=1"), std::string::npos) << r.out;
  auto args = base_args(d, s, "1");
  args.insert(args.end(), {"--kappa-th", "0"});
  r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("pairs=2 skipped_kappa=0"), std::string::npos) << r.out;
  args = base_args(d, s, "1");
  args.insert(args.end(), {"--kappa-th", "400"});  // 400 > 400 is false: folded
  r = run(args);
  EXPECT_NE(r.out.find("skipped_kappa=0"), std::string::npos) << r.out;
}

TEST(CmdRankReduce, BadFilesExitTwoNamingFileAndLine) {
  const std::string good = write_text("good.csv", "1,2\n3,4\n");
  struct Case {
    std::string name, text, expect;
  };
  const std::vector<Case> cases = {
      {"ragged.csv", "1,2\n3\n", "lrtsim_rr_ragged.csv:2"},
      {"word.csv", "1,2\n3,x\n", "lrtsim_rr_word.csv:2"},
      {"nan.csv", "1,nan\n3,4\n", "lrtsim_rr_nan.csv:1"},
      {"inf.csv", "1,2\n-inf,4\n", "lrtsim_rr_inf.csv:2"},
      {"empty.csv", "", "lrtsim_rr_empty.csv"},
  };
  for (const Case& c : cases) {
    const std::string bad = write_text(c.name, c.text);
    for (bool bad_is_dz : {true, false}) {
      const CliResult r = run(bad_is_dz ? base_args(bad, good, "1") : base_args(good, bad, "1"));
      EXPECT_EQ(r.code, 2) << c.name;
      EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
    }
  }
  const CliResult missing = run(base_args(temp_path("no_such.csv"), good, "1"));
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no_such.csv"), std::string::npos) << missing.err;
}

TEST(CmdRankReduce, DifferentRowCountsNameBothFiles) {
  const std::string d = write_text("rows2.csv", "1,2\n3,4\n"), a = write_text("rows3.csv", "1\n2\n3\n");
  const CliResult r = run(base_args(d, a, "1"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("lrtsim_rr_rows2.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lrtsim_rr_rows3.csv"), std::string::npos) << r.err;
}

TEST(CmdRankReduce, BadFlagsExitTwo) {
  const std::string d = write_text("f.csv", "1,2\n"), a = write_text("g.csv", "1\n");
  auto with = [&](const std::string& flag, const std::string& value) {
    auto args = base_args(d, a, "1");
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == flag) {
        args[i + 1] = value;
        return args;
      }
    args.insert(args.end(), {flag, value});
    return args;
  };
  for (const auto& args : {with("--rank", "0"), with("--rank", "32"), with("--rank", "two"),
                           with("--mode", "optimal"), with("--arith", "double"), with("--kappa-th", "-1"),
                           with("--kappa-th", "nan"), with("--kappa-th", "inf"), with("--seed", "-3"),
                           with("--bogus", "1")})
    EXPECT_EQ(run(args).code, 2) << args[6] << " " << args.back();
  auto no_dz = base_args(d, a, "1");
  no_dz.erase(no_dz.begin() + 1, no_dz.begin() + 3);
  EXPECT_EQ(run(no_dz).code, 2);
}

}  // namespace
}  // namespace lrt::cli
