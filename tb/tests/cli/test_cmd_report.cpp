// What a user sees (issue 22) end to end on the generated data set: the report `lrtsim run`
// prints is run_report() of the summary.json it wrote; trace.csv's per-layer and energy
// columns agree with summary.json and cell_writes.json; `lrtsim report` writes report.html
// whose every number equals summary.json's, and a real headless browser (Debian's chromium)
// loads every image of it (skipped, with the reason, where the browser cannot start); bad
// input exits 2 naming the file.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_report.h"
#include "run_fixture.h"

namespace lrt::cli {
namespace {

using namespace run_testing;
using nlohmann::json;
using testing::run_lrtsim_process;

constexpr int kSamples = 300;

// trace.csv as {column: values}, in the header's order.
std::map<std::string, std::vector<double>> trace_columns(const std::string& path,
                                                         std::vector<std::string>* header) {
  const auto rows = csv_rows(read_file(path));
  std::map<std::string, std::vector<double>> cols;
  if (rows.empty()) return cols;
  *header = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].size(), header->size()) << path << " row " << r;
    for (size_t c = 0; c < rows[r].size() && c < header->size(); ++c)
      cols[(*header)[c]].push_back(std::stod(rows[r][c]));
  }
  return cols;
}

class CmdReport : public PretrainedSuite<CmdReport> {
 public:
  static constexpr const char* kName = "report";

 protected:
  // Each test's own directories: ctest runs the tests as parallel processes, and a PNG being
  // rewritten by one must not be read half-written by another.
  static std::string mine(const std::string& name) {
    return out(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + name);
  }
  // The test's TLM or golden run, made once (a TLM run is a child process: SystemC elaborates
  // one design per process).
  static const testing::CliResult& run_once(const std::string& engine) {
    static std::map<std::string, testing::CliResult> done;
    const std::string dir = mine(engine);
    auto it = done.find(dir);
    if (it != done.end()) return it->second;
    const std::vector<std::string> args{"run",
                                        s().config,
                                        "--out",
                                        dir,
                                        "--force",
                                        "--samples",
                                        std::to_string(kSamples),
                                        "--engine",
                                        engine,
                                        "--set",
                                        "run.trace_every=50"};
    testing::CliResult r = engine == "tlm" ? run_lrtsim_process(args) : run(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return done.emplace(dir, r).first->second;
  }
  static json summary(const std::string& engine) {
    run_once(engine);
    return json::parse(read_file(mine(engine) + "/summary.json"));
  }
  // `lrtsim report` of the test's TLM and golden runs.
  static std::string report_dir() {
    const std::string dir = mine("html");
    run_once("tlm");
    run_once("golden");
    const CliResult r = run({"report", mine("tlm"), mine("golden"), "--out", dir});
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return dir;
  }
};

const std::vector<std::string> kFiles{"summary.json", "trace.csv", "cell_writes.json", "config.yaml",
                                      "host.json"};

TEST_F(CmdReport, RunPrintsTheReportOfItsSummary) {
  for (const std::string engine : {"tlm", "golden"}) {
    const testing::CliResult& r = run_once(engine);
    EXPECT_EQ(r.out, run_report(summary(engine), mine(engine), kFiles)) << engine;
  }
  const std::string tlm = run_once("tlm").out;
  const json sum = summary("tlm");
  const double total = sum["energy_pj"]["total"].get<double>();
  EXPECT_TRUE(contains(tlm, format_energy_pj(total / kSamples) + "/sample")) << tlm;
  EXPECT_TRUE(contains(tlm, "cycles/sample")) << tlm;
  EXPECT_TRUE(contains(tlm, "writes/cell")) << tlm;
  // Every component with energy is listed, largest first.
  std::vector<std::pair<double, std::string>> parts;
  for (const auto& [name, pj] : sum["energy_pj"]["by_component"].items())
    if (pj.get<double>() > 0) parts.emplace_back(pj.get<double>(), name);
  std::sort(parts.rbegin(), parts.rend());
  ASSERT_FALSE(parts.empty());
  size_t at = tlm.find("by component");
  for (const auto& [pj, name] : parts) {
    const size_t pos = tlm.find("      " + name + " ", at);
    ASSERT_NE(pos, std::string::npos) << name << "\n" << tlm;
    at = pos;
  }
  EXPECT_TRUE(contains(run_once("golden").out, "not modelled by the golden engine; run with --engine tlm"));
}

TEST_F(CmdReport, QuietWhenNotATerminal) {
  // The test captures stderr into a file: no progress line, no other chatter.
  EXPECT_EQ(run_once("golden").err, "");
  EXPECT_EQ(run_once("tlm").err, "");
}

TEST_F(CmdReport, TraceColumnsAgreeWithSummaryAndCellWrites) {
  const json sum = summary("tlm");
  std::vector<std::string> header;
  auto t = trace_columns(mine("tlm") + "/trace.csv", &header);
  ASSERT_EQ(t["sample"].size(), static_cast<size_t>(kSamples / 50));
  const std::vector<std::string> layers{"0", "4"};  // conv3x3 4 and fc 4 of the tiny network
  std::vector<std::string> phases;
  for (const auto& [p, v] : sum["energy_pj"]["by_phase"].items()) phases.push_back(p);
  for (size_t r = 0; r < t["sample"].size(); ++r) {
    double total = 0, max = 0;
    for (const std::string& l : layers) {
      total += t["writes_total_layer" + l].at(r);
      max = std::max(max, t["writes_max_per_cell_layer" + l].at(r));
    }
    EXPECT_EQ(total, t["writes_total"][r]) << "row " << r;
    EXPECT_EQ(max, t["writes_max_per_cell"][r]) << "row " << r;
    if (r > 0) {  // cumulative
      EXPECT_GE(t["cycles"][r], t["cycles"][r - 1]);
      for (const std::string& p : phases) EXPECT_GE(t["energy_pj_" + p][r], t["energy_pj_" + p][r - 1]) << p;
    }
  }
  // The last row is the summary's state, to the bit.
  EXPECT_EQ(t["energy_pj_total"].back(), sum["energy_pj"]["total"].get<double>());
  EXPECT_EQ(t["cycles"].back(), sum["cycles"].get<double>());
  for (const std::string& p : phases)
    EXPECT_EQ(t["energy_pj_" + p].back(), sum["energy_pj"]["by_phase"][p].get<double>()) << p;
  EXPECT_GT(t["energy_pj_total"].front(), 0.0);

  // cell_writes.json: the per-cell counts that add up to summary.json's writes.
  const json cells = json::parse(read_file(mine("tlm") + "/cell_writes.json"));
  uint64_t n = 0, total = 0, max = 0;
  ASSERT_EQ(cells["layers"].size(), layers.size());
  for (size_t k = 0; k < layers.size(); ++k) {
    const json& l = cells["layers"][k];
    EXPECT_EQ(std::to_string(l["layer"].get<int>()), layers[k]);
    const auto w = l["writes"].get<std::vector<uint64_t>>();
    EXPECT_EQ(w.size(), l["rows"].get<uint64_t>() * l["cols"].get<uint64_t>());
    uint64_t layer_total = 0;
    for (uint64_t c : w) layer_total += c, max = std::max(max, c);
    EXPECT_EQ(static_cast<double>(layer_total), t["writes_total_layer" + layers[k]].back());
    n += w.size();
    total += layer_total;
  }
  EXPECT_EQ(n, sum["writes"]["cells"].get<uint64_t>());
  EXPECT_EQ(total, sum["writes"]["total"].get<uint64_t>());
  EXPECT_EQ(max, sum["writes"]["max_per_cell"].get<uint64_t>());

  // The golden engine has no energy or cycle columns.
  std::vector<std::string> golden_header;
  run_once("golden");
  trace_columns(mine("golden") + "/trace.csv", &golden_header);
  for (const std::string& h : golden_header) EXPECT_EQ(h.find("energy"), std::string::npos) << h;
  EXPECT_EQ(golden_header.size(), 6u + 2 * layers.size());
}

// Every data-key / data-value of the page, per run: the numbers the page shows.
struct PageValue {
  int run;
  std::string key, value;
};
std::vector<PageValue> page_values(const std::string& html) {
  std::vector<PageValue> v;
  const std::regex re(R"re(data-run="(\d+)" data-key="([^"]+)" data-value="([^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
    v.push_back({std::stoi((*it)[1]), (*it)[2], (*it)[3]});
  return v;
}

// Checks each value against the run's summary.json: KEY is a dotted path, "KEY/samples" the
// value per sample. Returns the keys seen.
std::set<std::string> expect_values_equal_summaries(const std::vector<PageValue>& values,
                                                    const std::vector<json>& sums) {
  std::set<std::string> keys;
  for (const PageValue& p : values) {
    if (static_cast<size_t>(p.run) >= sums.size()) {
      ADD_FAILURE() << "data-run " << p.run << " of " << sums.size() << " runs";
      continue;
    }
    const json& sum = sums[static_cast<size_t>(p.run)];
    const size_t slash = p.key.find('/');
    std::string pointer = "/" + p.key.substr(0, slash);
    for (char& c : pointer)
      if (c == '.') c = '/';
    if (!sum.contains(json::json_pointer(pointer))) {
      ADD_FAILURE() << p.key << " is not in summary.json";
      continue;
    }
    const json& v = sum[json::json_pointer(pointer)];
    if (v.is_string()) {
      EXPECT_EQ(p.value, v.get<std::string>()) << p.key;
    } else {
      double expected = v.get<double>();
      if (slash != std::string::npos) expected /= sum[p.key.substr(slash + 1)].get<double>();
      EXPECT_EQ(std::stod(p.value), expected) << p.key << " of run " << p.run;
    }
    keys.insert(p.key);
  }
  return keys;
}

TEST_F(CmdReport, PageNumbersEqualTheSummaries) {
  const std::string dir = report_dir();
  const std::string html = read_file(dir + "/report.html");
  ASSERT_FALSE(html.empty());
  const std::vector<PageValue> values = page_values(html);
  const std::set<std::string> keys =
      expect_values_equal_summaries(values, {summary("tlm"), summary("golden")});
  for (const char* k :
       {"accuracy.online_ema", "accuracy.last_500", "writes.max_per_cell", "writes.mean_per_cell",
        "lifetime.samples_to_first_worn_cell", "energy_pj.total/samples", "cycles/samples", "seconds"})
    EXPECT_TRUE(keys.count(k)) << k;
  // Each image is a PNG file next to the page.
  const std::regex img(R"re(<img src="([^"]+)")re");
  int images = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), img); it != std::sregex_iterator();
       ++it, ++images)
    EXPECT_EQ(read_file(dir + "/" + (*it)[1].str()).substr(1, 3), "PNG") << (*it)[1];
  EXPECT_EQ(images, 6);  // accuracy, histogram, heat map, energy, over time, lifetime
}

// chromium's DOM of `page` after it loaded (and its scripts ran), or "" with `why` set.
std::string browser_dom(const std::string& page, const std::string& scratch, std::string* why) {
  const char* env = std::getenv("LRTSIM_CHROMIUM");
  const std::string browser = env && *env ? env : "/usr/bin/chromium";
  if (!std::filesystem::exists(browser)) {
    *why = browser + " is not installed (Debian package chromium; scripts/setup.sh installs it)";
    return {};
  }
  // --no-sandbox: the suite runs as root, where chromium's sandbox refuses to start.
  // --virtual-time-budget: dump the DOM only after the page and its images have loaded.
  const std::string log = scratch + "/chromium.log";
  const std::string cmd = browser + " --headless --no-sandbox --disable-gpu --user-data-dir=" + scratch +
                          "/profile --virtual-time-budget=10000 --dump-dom 'file://" + page + "' 2>" + log;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *why = "cannot start " + browser;
    return {};
  }
  std::string dom;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) dom.append(buf, n);
  const int status = ::pclose(p);
  if (status != 0 || dom.find("</html>") == std::string::npos) {
    std::string tail = read_file(log);
    if (tail.size() > 600) tail = tail.substr(tail.size() - 600);
    *why = browser + " did not start (status " + std::to_string(status) + "): " + tail;
    return {};
  }
  return dom;
}

TEST_F(CmdReport, BrowserLoadsEveryImageAndShowsTheSummaryNumbers) {
  const std::string dir = std::filesystem::absolute(report_dir()).string();
  std::string html = read_file(dir + "/report.html");
  // The test's own probe, added to a copy of the page: after load, every image's state.
  const std::string probe =
      "<script>window.addEventListener('load', function () {"
      " var out = [];"
      " for (var i = 0; i < document.images.length; i++) { var im = document.images[i];"
      "   out.push('IMAGE ' + im.complete + ' ' + im.naturalWidth + ' ' + im.getAttribute('src')); }"
      " var pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = out.join('\\n');"
      " document.body.appendChild(pre); });</script>";
  const size_t body = html.rfind("</body>");
  ASSERT_NE(body, std::string::npos);
  html.insert(body, probe);
  const std::string page = dir + "/probe.html";
  std::ofstream(page, std::ios::binary) << html;
  std::string why;
  const std::string dom = browser_dom(page, dir, &why);
  if (dom.empty()) GTEST_SKIP() << "headless browser unavailable: " << why;

  const std::regex line(R"(IMAGE (true|false) (\d+) (\S+))");
  int images = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), line); it != std::sregex_iterator();
       ++it, ++images) {
    EXPECT_EQ((*it)[1], "true") << (*it)[3];
    EXPECT_GT(std::stoi((*it)[2]), 0) << (*it)[3] << " did not load";
  }
  EXPECT_EQ(images, 6) << dom.substr(0, 2000);
  // The numbers as the browser holds them (after parsing the page) equal summary.json's.
  const std::vector<PageValue> values = page_values(dom);
  EXPECT_EQ(values.size(), page_values(read_file(dir + "/report.html")).size());
  expect_values_equal_summaries(values, {summary("tlm"), summary("golden")});
}

TEST_F(CmdReport, BadInputNamesTheFile) {
  const auto expect_bad = [](std::vector<std::string> args, const std::vector<std::string>& parts) {
    const CliResult r = run(std::move(args));
    EXPECT_EQ(r.code, 2) << r.err;
    for (const std::string& p : parts) EXPECT_TRUE(contains(r.err, p)) << p << " in: " << r.err;
  };
  const std::string bad = out("bad_run");
  std::filesystem::create_directories(bad);
  expect_bad({"report", out("no_such_dir"), "--out", out("bad_out")}, {"no_such_dir", "not a directory"});
  expect_bad({"report", bad, "--out", out("bad_out")}, {bad + "/summary.json", "not a run directory"});
  std::ofstream(bad + "/summary.json") << "{\"samples\": 3,";
  expect_bad({"report", bad, "--out", out("bad_out")}, {bad + "/summary.json", "not valid JSON"});
  std::ofstream(bad + "/summary.json", std::ios::trunc) << "{\"samples\": 3, \"engine\": \"golden\"}";
  expect_bad({"report", bad, "--out", out("bad_out")},
             {bad + "/summary.json", "/accuracy/online_ema", "missing"});
  run_once("golden");
  std::filesystem::copy_file(mine("golden") + "/summary.json", bad + "/summary.json",
                             std::filesystem::copy_options::overwrite_existing);
  expect_bad({"report", bad, "--out", out("bad_out")}, {bad + "/trace.csv", "missing"});
  std::ofstream(bad + "/trace.csv") << "time,acc\n1,2\n";
  expect_bad({"report", bad, "--out", out("bad_out")}, {bad + "/trace.csv", "is not the trace.csv"});
  std::ofstream(bad + "/trace.csv", std::ios::trunc)
      << "sample,accuracy_online_ema,accuracy_last_500\n1,x,0\n";
  expect_bad({"report", bad, "--out", out("bad_out")}, {bad + "/trace.csv", "line 2", "not a number"});
  expect_bad({"report", mine("golden")}, {"--out"});
}

}  // namespace
}  // namespace lrt::cli
