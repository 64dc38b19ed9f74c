// Issue 10 item 1, end to end through `lrtsim config check`: each class of bad value the issue
// names is exit 2 with the key and what was expected.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_runner.h"

namespace lrt::cli {
namespace {

using testing::contains;
using testing::run_lrtsim;

const std::string kDefaultConfig = std::string(LRTSIM_SOURCE_DIR) + "/configs/default.yaml";

struct BadValue {
  std::string set;                  // key=value
  std::vector<std::string> expect;  // parts of the message
};

TEST(BadInputClasses, EachIsExit2NamingTheKeyAndWhatIsExpected) {
  const std::vector<BadValue> cases{
      {"train.conv.rank=-1", {"train.conv.rank", "value -1 is out of range", "expected an integer"}},
      {"train.fc.rank=0", {"train.fc.rank", "value 0 is out of range"}},
      {"train.quant.weight.bits=0", {"train.quant.weight.bits", "value 0 is out of range"}},
      {"train.quant.weight.bits=33", {"train.quant.weight.bits", "value 33 is out of range"}},
      {"accel.rank_reduce.lr_bits=33", {"accel.rank_reduce.lr_bits", "out of range"}},
      {"accel.mac.mult8_pj=7000", {"accel.mac.mult8_pj", "value 7000 is out of range", "[0, 6400]"}},
      {"accel.clock_mhz=2e6", {"accel.clock_mhz", "value 2e6 is out of range", "[0.001, 1e+06]"}},
      {"accel.rram.stuck_at_fault_rate=-0.1", {"accel.rram.stuck_at_fault_rate", "expected a number in [0, 1]"}},
      {"accel.rram.stuck_at_fault_rate=1.5", {"accel.rram.stuck_at_fault_rate", "expected a number in [0, 1]"}},
      {"run.samples=1e30", {"run.samples"}},                                  // does not fit the type
      {"run.samples=99999999999999999999999", {"run.samples"}},              // overflows 64 bits
      {"accel.sram.capacity_bits=18446744073709551616", {"accel.sram.capacity_bits"}},
      {"train.learning_rate=.nan", {"train.learning_rate"}},
      {"train.learning_rate=.inf", {"train.learning_rate"}},
      {"train.conv.scheme=adam", {"train.conv.scheme", "adam"}},
      {"train.no_such_key=1", {"train.no_such_key"}},
      {"train.conv.rank=four", {"train.conv.rank"}},
  };
  for (const BadValue& c : cases) {
    const testing::CliResult r = run_lrtsim({"config", "check", kDefaultConfig, "--set", c.set});
    EXPECT_EQ(r.code, 2) << c.set << ": " << r.err;
    for (const std::string& part : c.expect) EXPECT_TRUE(contains(r.err, part)) << c.set << ": " << r.err;
  }
}

}  // namespace
}  // namespace lrt::cli
