// lrtsim cosim: the Verilated RTL rank-reduce unit (rtl/rr_unit.sv) against the golden
// fixed-point model, word by word after every pair: >= 10,000 random pairs over ranks 1, 2, 4
// and 8 plus the directed corner cases (each run a child process: one SystemC elaboration per
// process); the checker catches a one-LSB perturbation of every field it compares; bad
// arguments exit 2; and a whole lrtsim run with accel.rank_reduce.impl: rtl trains to the same
// weights as impl: golden and as the golden engine.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "cosim/stimulus.h"
#include "run_fixture.h"

namespace lrt::cli {
namespace {

using namespace run_testing;
using nlohmann::json;
using testing::run_lrtsim_process;

struct CosimCase {
  int rank;
  int samples;
  const char* mode;
  const char* kappa;
  int n_o;
  int n_i;
  uint64_t seed;
};

// 10,030 random pairs (+ 23 directed in each run): kappa_th 100 (the default, a mix of kept,
// skipped and degenerate pairs) and 0 (every pair a full step), both modes, every rank of the
// issue, small vectors for speed and one run at n_o = 256.
const CosimCase kCases[] = {
    {1, 3200, "biased", "100", 8, 12, 11},   {1, 1000, "unbiased", "0", 13, 7, 12},
    {2, 2000, "unbiased", "100", 16, 8, 21}, {2, 500, "biased", "0", 9, 16, 22},
    {4, 1500, "biased", "100", 32, 16, 41},  {4, 500, "unbiased", "0", 12, 20, 42},
    {8, 1000, "unbiased", "100", 12, 9, 81}, {8, 300, "biased", "0", 8, 8, 82},
    {4, 30, "unbiased", "100", 256, 64, 43},
};

uint64_t field(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return UINT64_MAX;
  return std::stoull(m[1].str());
}

class CmdCosim : public ::testing::TestWithParam<CosimCase> {};

TEST_P(CmdCosim, RtlMatchesTheGoldenModelAfterEveryPair) {
  const CosimCase& c = GetParam();
  const CliResult r =
      run_lrtsim_process({"cosim", "--rank", std::to_string(c.rank), "--samples", std::to_string(c.samples),
                          "--mode", c.mode, "--kappa-th", c.kappa, "--n-o", std::to_string(c.n_o), "--n-i",
                          std::to_string(c.n_i), "--seed", std::to_string(c.seed)});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const uint64_t matched = field(r.out, R"(matched (\d+) pairs \((\d+) directed)");
  const uint64_t directed = field(r.out, R"(pairs \((\d+) directed)");
  EXPECT_EQ(matched, directed + static_cast<uint64_t>(c.samples)) << r.out;
  EXPECT_GE(directed, 20u);
  // Not vacuous: full steps ran (SVD, mixing, basis update) and, at kappa_th 100, pairs were
  // skipped; the directed set always has three zero pairs and a repeated one (vanishing).
  EXPECT_GT(field(r.out, R"((\d+) full steps)"), static_cast<uint64_t>(c.samples) / 20) << r.out;
  EXPECT_GE(field(r.out, R"((\d+) degenerate)"), 4u) << r.out;
  if (std::string(c.kappa) == "100") {
    EXPECT_GT(field(r.out, R"((\d+) kappa-skipped)"), 0u) << r.out;
  }
  EXPECT_NE(r.out.find("cycles per pair: mean"), std::string::npos) << r.out;
  // Every pair's cycles, SRAM reads and writes equal the closed form (rr_unit_timing.h).
  EXPECT_EQ(field(r.out, R"(closed form: (\d+) pairs equal)"), matched) << r.out;
}

INSTANTIATE_TEST_SUITE_P(RanksModesKappa, CmdCosim, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<CosimCase>& i) {
                           return "r" + std::to_string(i.param.rank) + "_" + i.param.mode + "_kappa" +
                                  i.param.kappa + "_" + std::to_string(i.param.n_o) + "x" +
                                  std::to_string(i.param.n_i);
                         });

// Back-pressure on every handshake the environment drives (SRAM request ready, the code
// stream, the result's ready; read responses 0-3 cycles late): still bit-exact, and slower
// (the stalls really hit: even the cheapest pair, a zero input, takes longer than its
// 2 N + ceil(n_o/2) + ceil(n_i/2) + 2 = 43 cycles).
TEST(CmdCosimStalls, RandomBackPressureChangesNoWord) {
  for (int r : {2, 8}) {
    const CliResult c =
        run_lrtsim_process({"cosim", "--rank", std::to_string(r), "--n-o", "9", "--n-i", "7", "--samples",
                            "200", "--mode", "unbiased", "--stall", "0.3", "--seed", "5"});
    ASSERT_EQ(c.code, 0) << c.out << c.err;
    EXPECT_NE(c.out.find("matched 225 pairs"), std::string::npos) << c.out;
    EXPECT_GT(field(c.out, "min (\\d+),"), 2u * 16u + 5u + 4u + 2u) << c.out;
  }
}

// The pair counter loaded through cfg_pair_load (as on a resume) and wrapping at 2^32: the
// sign words of every pair (compared in unbiased mode, where they pick the signs) still agree.
TEST(CmdCosimStalls, PairCounterLoadsAndWraps) {
  const CliResult c =
      run_lrtsim_process({"cosim", "--rank", "3", "--n-o", "9", "--n-i", "6", "--samples", "40", "--mode",
                          "unbiased", "--kappa-th", "0", "--first-pair", "4294967280"});
  ASSERT_EQ(c.code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("matched 65 pairs"), std::string::npos) << c.out;
}

// The checker is not blind: one LSB (or one flag) of the expected words changed at pair 9 is
// reported with exit 1, naming the field, the pair, the cycle, DUT and expected in hex.
TEST(CmdCosimChecker, EveryPerturbedFieldIsCaught) {
  const std::vector<std::string> fields = {"q_left",
                                           "q_right",
                                           "exp_left",
                                           "exp_right",
                                           "cx",
                                           "cx_exp",
                                           "trace.zero_input",
                                           "trace.vanished_left",
                                           "trace.vanished_right",
                                           "trace.skipped_kappa",
                                           "trace.kept",
                                           "trace.sign_word",
                                           "trace.c_exponent",
                                           "saturations"};
  for (const std::string& f : fields) {
    const CliResult r = run_lrtsim_process({"cosim", "--rank", "2", "--samples", "0", "--n-o", "6", "--n-i",
                                            "5", "--perturb", f, "--perturb-pair", "9"});
    EXPECT_EQ(r.code, 1) << f << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("cosim: pair 9 "), std::string::npos) << f << "\n" << r.out;
    const std::regex line("  pair 9 cycle \\d+ " + std::regex_replace(f, std::regex("\\."), "\\.") +
                          "(\\[[0-9]+\\])*: dut=0x[0-9a-f]+ expected=0x[0-9a-f]+\n");
    EXPECT_TRUE(std::regex_search(r.out, line)) << f << "\n" << r.out;
    EXPECT_NE(r.out.find("1 field(s)"), std::string::npos) << f << "\n" << r.out;  // only that one
  }
}

// The unit's protocol assertions (rtl/rr_unit.sv, checked by Verilator's --assert) fire on a
// violation: the environment drops the code stream's valid before the code was taken.
TEST(CmdCosimChecker, BrokenHandshakeFiresTheAssertion) {
  const CliResult r = run_lrtsim_process({"cosim", "--rank", "2", "--samples", "2", "--break-handshake"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE((r.out + r.err).find("Assertion failed in rr_unit.rr_unit.protocol.a_code_hold"),
            std::string::npos)
      << r.out << r.err;
  // The same run with the handshake kept: every assertion holds, every word matches.
  const CliResult ok = run_lrtsim_process({"cosim", "--rank", "2", "--samples", "2"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
}

// The random stream in constant memory: a repeated pair (an earlier one, dz_exp moved by at
// most 3) comes from the last kRepeatWindow pairs; the soak of 10^6 pairs relies on it.
TEST(CosimStimulus, RepeatsComeFromTheRecentWindow) {
  constexpr size_t kWindow = cosim::RandomPairStream::kRepeatWindow;
  const std::vector<cosim::CosimPair> pairs = cosim::random_pairs(6, 5, 3, static_cast<int>(kWindow) + 1500);
  size_t late_repeats = 0;
  for (size_t k = kWindow + 1; k < pairs.size(); ++k) {
    const cosim::CosimPair& p = pairs[k];
    if (p.label != "random (repeat)") continue;
    ++late_repeats;
    bool found = false;
    for (size_t j = k - kWindow; j < k && !found; ++j)
      found = pairs[j].dz == p.dz && pairs[j].a == p.a && pairs[j].a_exp == p.a_exp &&
              std::abs(pairs[j].dz_exp - p.dz_exp) <= 3;
    EXPECT_TRUE(found) << "pair " << k;
  }
  EXPECT_GT(late_repeats, 100u);  // about one pair in ten
}

// The SRAM port's protocol: a read response the unit never asked for fires a_rsp_expected, in
// both Verilated builds (each checks the assertions, --assert).
TEST(CmdCosimChecker, SpuriousSramResponseFiresTheAssertion) {
  for (const bool systemc : {false, true}) {
    std::vector<std::string> args{"cosim", "--rank", "2", "--samples", "2", "--spurious-response"};
    if (systemc) args.emplace_back("--systemc");
    const CliResult r = run_lrtsim_process(args);
    EXPECT_NE(r.code, 0) << "systemc " << systemc;
    EXPECT_TRUE(std::regex_search(r.out + r.err, std::regex(R"(Assertion failed in \S*\.a_rsp_expected)")))
        << "systemc " << systemc << "\n"
        << r.out << r.err;
  }
}

// The SystemC build of the unit (the TLM model's impl: rtl) runs the same pairs to the same
// words and cycles as the C++ build lrtsim cosim uses by default.
TEST(CmdCosimChecker, SystemCBuildMatchesToo) {
  const CliResult r = run_lrtsim_process(
      {"cosim", "--rank", "4", "--samples", "20", "--mode", "unbiased", "--kappa-th", "0", "--systemc"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(field(r.out, R"(closed form: (\d+) pairs equal)"), 45u) << r.out;
  EXPECT_NE(r.out.find("(SystemC model)"), std::string::npos) << r.out;
}

TEST(CmdCosimChecker, BadArgumentsExit2) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"cosim", "--rank", "9"},
                                             {"cosim", "--rank", "0"},
                                             {"cosim", "--mode", "sideways"},
                                             {"cosim", "--n-o", "0"},
                                             {"cosim", "--n-i", "16385"},
                                             {"cosim", "--kappa-th", "1e9"},
                                             {"cosim", "--perturb", "nonsense", "--perturb-pair", "0"},
                                             // a self-test that would test nothing:
                                             {"cosim", "--perturb", "cx"},
                                             {"cosim", "--perturb-pair", "3"},
                                             {"cosim", "--samples", "2", "--perturb", "cx", "--perturb-pair", "999"}}) {
    const CliResult r = run_lrtsim_process(args);
    EXPECT_EQ(r.code, 2) << args[1] << " " << args[2] << "\n" << r.out << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

// --vcd traces the unit's signals, one sample per clock phase, and changes no result.
TEST(CmdCosimChecker, VcdTracesTheUnit) {
  const std::string vcd = ::testing::TempDir() + "lrtsim_cosim_trace.vcd";
  const CliResult r = run_lrtsim_process(
      {"cosim", "--rank", "1", "--n-o", "2", "--n-i", "3", "--samples", "2", "--vcd", vcd});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("matched 27 pairs"), std::string::npos) << r.out;
  const std::string text = read_file(vcd);
  for (const char* name : {" clk ", " state ", " mem_req_valid ", " done_valid "})
    EXPECT_NE(text.find(name), std::string::npos) << name;
  // Every clock edge is a time step: at least 2 per cycle of the zero pairs alone (3 x 17).
  size_t steps = 0;
  for (size_t p = text.find("\n#"); p != std::string::npos; p = text.find("\n#", p + 1)) ++steps;
  EXPECT_GT(steps, 100u);
}

// Cycles per pair (docs/rtl.md, "Cycles per pair"): without stalls, lrtsim cosim checks every
// pair's measured cycles, SRAM reads and writes against the closed form of its outcome
// (models/hw/rr_unit_timing.h) and fails otherwise. Here: every rank, both modes, shapes that
// are not multiples of 4, kappa_th 0 (full steps) and 100 (skips); and the zero input restated.
TEST(CmdCosimCycles, MeasuredCyclesFollowTheClosedForm) {
  for (int r : {1, 2, 4, 8})
    for (const char* mode : {"biased", "unbiased"})
      for (const auto& shape : std::vector<std::pair<int, int>>{{7, 5}, {33, 2}, {1, 1}, {13, 10}}) {
        const int n_o = shape.first, n_i = shape.second;
        const std::string kappa = (n_o == 13) ? "100" : "0";
        const CliResult c = run_lrtsim_process({"cosim", "--rank", std::to_string(r), "--mode", mode, "--n-o",
                                                std::to_string(n_o), "--n-i", std::to_string(n_i), "--samples",
                                                "20", "--kappa-th", kappa, "--print-cycles"});
        ASSERT_EQ(c.code, 0) << c.out << c.err;
        EXPECT_EQ(field(c.out, "closed form: (\\d+) pairs equal"), 45u) << r << " " << mode << " " << n_o;
        const uint64_t n = static_cast<uint64_t>(n_o + n_i);
        // a scratch word written per two codes
        const uint64_t words = static_cast<uint64_t>((n_o + 1) / 2 + (n_i + 1) / 2);
        for (int k = 0; k < 3; ++k)  // the directed zero inputs: the input stream, check, result
          EXPECT_EQ(field(c.out, "pair " + std::to_string(k) + " cycles (\\d+) "), 2 * n + words + 2)
              << r << " " << n_o;
        EXPECT_LE(field(c.out, "max (\\d+);"), field(c.out, "bound (\\d+)"));
      }
}

// accel.rank_reduce.impl: rtl runs every LRT pair of a training run through the RTL; the
// weights (and everything else trained) equal those of impl: golden and of the golden engine.
class CmdRunRtl : public PretrainedSuite<CmdRunRtl> {
 public:
  static constexpr const char* kName = "rtl";

 protected:
  static json run_ok(const std::string& name, const std::vector<std::string>& extra, int samples = 120) {
    std::vector<std::string> args{
        "run", s().config, "--out", out(name), "--force", "--samples", std::to_string(samples)};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult r = run_lrtsim_process(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(read_file(out(name) + "/summary.json"));
  }
};

TEST_F(CmdRunRtl, ImplRtlTrainsToTheSameWeightsAsImplGolden) {
  const json golden = run_ok("engine_golden", {"--engine", "golden"});
  const json tlm = run_ok("impl_golden", {"--engine", "tlm", "--set", "accel.rank_reduce.impl=golden"});
  const json rtl = run_ok("impl_rtl", {"--engine", "tlm", "--set", "accel.rank_reduce.impl=rtl"});
  for (const char* key : {"samples", "accuracy", "writes", "weights_digest", "memory"}) {
    EXPECT_EQ(tlm[key], rtl[key]) << key;
    EXPECT_EQ(golden[key], rtl[key]) << key;
  }
  EXPECT_EQ(read_file(out("impl_golden/trace.csv")), read_file(out("impl_rtl/trace.csv")));
  // The LRT pairs really ran on the RTL: both runs' units saw the same pairs, and the RTL
  // clocked at least the cheapest pair's cycles (a zero input: 2 + n_o + n_i) for each.
  EXPECT_EQ(tlm["rank_reduce_units"]["impl"], "golden");
  EXPECT_EQ(rtl["rank_reduce_units"]["impl"], "rtl");
  const uint64_t pairs = rtl["rank_reduce_units"]["pairs"].get<uint64_t>();
  EXPECT_EQ(tlm["rank_reduce_units"]["pairs"].get<uint64_t>(), pairs);
  EXPECT_GT(pairs, 100u);
  EXPECT_GT(rtl["rank_reduce_units"]["rtl_cycles"].get<uint64_t>(), 100u * pairs);
  // One design: the unit's time with impl: rtl is the RTL's measured cycles (the unit checks
  // each pair against the cost table and stops the run on a difference), with impl: golden the
  // cost table's; the runs report the same LRT cycles and energy.
  EXPECT_EQ(tlm["cycles_by_phase"], rtl["cycles_by_phase"]);
  EXPECT_EQ(tlm["energy_0p1fj"], rtl["energy_0p1fj"]);
  EXPECT_GT(rtl["cycles_by_phase"]["lrt"].get<uint64_t>(), rtl["rank_reduce_units"]["rtl_cycles"].get<uint64_t>() / 2);
}

// A run with impl: rtl resumes from a checkpoint (the units' state and pair counter restored
// into the RTL) to the uninterrupted run's results; only rtl_cycles, which counts the cycles
// of this process, differs.
TEST_F(CmdRunRtl, ImplRtlResumesToTheUninterruptedRun) {
  const std::vector<std::string> rtl = {"--engine", "tlm", "--set", "accel.rank_reduce.impl=rtl"};
  json full = run_ok("resume_full", rtl, 60);
  std::vector<std::string> first{"run",     s().config,  "--out", out("resume_part"),
                                 "--force", "--samples", "30",    "--checkpoint-every",
                                 "15"};
  first.insert(first.end(), rtl.begin(), rtl.end());
  ASSERT_EQ(run_lrtsim_process(first).code, 0);
  const CliResult r = run_lrtsim_process({"run", "--resume", out("resume_part"), "--samples", "60"});
  ASSERT_EQ(r.code, 0) << r.err;
  json part = json::parse(read_file(out("resume_part/summary.json")));
  EXPECT_LT(part["rank_reduce_units"]["rtl_cycles"].get<uint64_t>(),
            full["rank_reduce_units"]["rtl_cycles"].get<uint64_t>());
  part["rank_reduce_units"].erase("rtl_cycles");
  full["rank_reduce_units"].erase("rtl_cycles");
  EXPECT_EQ(part, full);
  EXPECT_EQ(read_file(out("resume_part/trace.csv")), read_file(out("resume_full/trace.csv")));
}

TEST_F(CmdRunRtl, ImplRtlIsRefusedOnTheGoldenEngine) {
  const CliResult g = run_lrtsim_process({"run", s().config, "--out", out("refuse_golden"), "--force",
                                          "--engine", "golden", "--set", "accel.rank_reduce.impl=rtl"});
  EXPECT_EQ(g.code, 2) << g.err;
  EXPECT_NE(g.err.find("accel.rank_reduce.impl"), std::string::npos) << g.err;
}

// --jobs spreads the GEMMs and the device work inside modules over threads; the Verilated unit
// is stepped only by the learning processes (SystemC, the simulation's thread), so several jobs
// give the same run, byte for byte.
TEST_F(CmdRunRtl, ImplRtlGivesTheSameRunWithSeveralJobs) {
  const std::vector<std::string> rtl = {"--engine", "tlm", "--set", "accel.rank_reduce.impl=rtl"};
  std::vector<std::string> two = rtl;
  two.insert(two.end(), {"--jobs", "2"});
  const json one_job = run_ok("rtl_jobs1", rtl, 60);
  const json two_jobs = run_ok("rtl_jobs2", two, 60);
  EXPECT_GT(one_job["rank_reduce_units"]["pairs"].get<uint64_t>(), 50u);
  EXPECT_EQ(read_file(out("rtl_jobs1/summary.json")), read_file(out("rtl_jobs2/summary.json")));
  EXPECT_EQ(read_file(out("rtl_jobs1/trace.csv")), read_file(out("rtl_jobs2/trace.csv")));
}

}  // namespace
}  // namespace lrt::cli
