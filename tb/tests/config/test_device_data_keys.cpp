// Key-level checks of the device and data keys: each class of bad value is caught by the key
// table itself, at the file line of the value, before any module sees it.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_support.h"

namespace lrt::config {
namespace {

using test::contains;
using test::input_error;
using test::write_temp;

// Loads "<section>:\n  <rest>" style YAML whose bad value is on `line`; checks key and message.
void expect_key_error(const std::string& yaml, int64_t line, const std::string& key,
                      std::initializer_list<std::string> parts) {
  const std::string path = write_temp("device_data_key", yaml);
  const auto e = input_error([&] { load_specs(path); });
  ASSERT_TRUE(e.has_value()) << yaml;
  EXPECT_EQ(e->where().file, path);
  EXPECT_EQ(e->where().line, line) << e->what();
  EXPECT_EQ(e->where().key, key) << e->what();
  for (const auto& p : parts)
    EXPECT_TRUE(contains(e->what(), p)) << "missing '" << p << "' in: " << e->what();
}

TEST(ConfigDeviceKeys, WordBitsIsAMultipleOfEight) {
  expect_key_error("accel:\n  sram:\n    word_bits: 12\n", 3, "accel.sram.word_bits",
                   {"value 12 is not a multiple of 8", "expected a multiple of 8 in [8, 4096]"});
  expect_key_error("accel:\n  sram:\n    word_bits: 4104\n", 3, "accel.sram.word_bits", {"out of range"});
  EXPECT_EQ(parse_specs("accel:\n  sram:\n    word_bits: 8\n", "x").accel.sram.word_bits, 8u);
  EXPECT_EQ(parse_specs("accel:\n  sram:\n    word_bits: 4096\n", "x").accel.sram.word_bits, 4096u);
}

TEST(ConfigDeviceKeys, Uint32KeysRefuseWhatDoesNotFit) {
  expect_key_error("data:\n  split:\n    online_sources: 4294967296\n", 3, "data.split.online_sources",
                   {"value 4294967296 does not fit in uint32", "uint32 holds [0, 4294967295]"});
  expect_key_error("data:\n  split:\n    online_sources: -1\n", 3, "data.split.online_sources",
                   {"value -1 is out of range"});
  EXPECT_EQ(parse_specs("data:\n  split: {online_sources: 4294967295}\n", "x").data.split.online_sources,
            4294967295u);
}

TEST(ConfigDeviceKeys, ProbabilitiesAreInTheUnitInterval) {
  for (const char* key : {"stuck_at_fault_rate", "stuck_at_high_fraction"}) {
    expect_key_error(std::string("accel:\n  rram:\n    ") + key + ": 1.0000000000000002\n", 3,
                     std::string("accel.rram.") + key, {"out of range", "expected a number in [0, 1]"});
    expect_key_error(std::string("accel:\n  rram:\n    ") + key + ": -0.1\n", 3,
                     std::string("accel.rram.") + key, {"out of range"});
  }
  expect_key_error("data:\n  shift:\n    cluster:\n      favour_probability: 2\n", 4,
                   "data.shift.cluster.favour_probability", {"expected a number in [0, 1]"});
}

TEST(ConfigDeviceKeys, EnumsListTheirNames) {
  expect_key_error("accel:\n  rram:\n    endurance_distribution: gaussian\n", 3,
                   "accel.rram.endurance_distribution",
                   {"value gaussian is not allowed", "expected one of: fixed, normal, lognormal"});
  expect_key_error("accel:\n  rram:\n    drift:\n      model: brownian\n", 4, "accel.rram.drift.model",
                   {"expected one of: none, analog, digital, both"});
  expect_key_error("accel:\n  rram:\n    drift:\n      flip_model: binomial\n", 4, "accel.rram.drift.flip_model",
                   {"value binomial is not allowed", "expected one of: binomial2, bernoulli"});
  expect_key_error("data:\n  elastic:\n    mode: random\n", 3, "data.elastic.mode",
                   {"expected one of: mixture, fixed"});
  expect_key_error("data:\n  shift:\n    schedule: paper\n", 3, "data.shift.schedule",
                   {"expected one of: authors, random_combinations"});
}

TEST(ConfigDeviceKeys, DriftStrengthsArePositive) {
  // "Off" is drift.model: none; a zero strength would be a second, silent way to say it.
  expect_key_error("accel:\n  rram:\n    drift:\n      analog_sigma0: 0\n", 4,
                   "accel.rram.drift.analog_sigma0",
                   {"value 0 is out of range", "expected a number in (0, 1e+06]"});
  expect_key_error("accel:\n  rram:\n    drift:\n      flip_p0: 0\n", 4, "accel.rram.drift.flip_p0",
                   {"expected a number > 0"});
}

TEST(ConfigDeviceKeys, LimitsOfTheModelsAreKeyRanges) {
  // The device converts energies to integer units only up to 1e6 pJ per event, counts lifetimes
  // in uint32 and sizes SRAM up to 2^40 bits; the data streams hold at most 2^40 samples.
  expect_key_error("accel:\n  rram:\n    write_energy_pj_per_bit: 1000000.0000000001\n", 3,
                   "accel.rram.write_energy_pj_per_bit", {"expected a number in [0, 1e+06]"});
  expect_key_error("accel:\n  rram:\n    endurance_writes: 4294967296\n", 3, "accel.rram.endurance_writes",
                   {"expected an integer in [1, 4294967295]"});
  expect_key_error("accel:\n  sram:\n    capacity_bits: 1099511627777\n", 3, "accel.sram.capacity_bits",
                   {"expected an integer in [1, 1099511627776]"});
  expect_key_error("accel:\n  rram:\n    drift:\n      horizon_samples: 1000000000000001\n", 4,
                   "accel.rram.drift.horizon_samples", {"expected an integer in [1, 1000000000000000]"});
  expect_key_error("data:\n  split:\n    online_samples: 1099511627777\n", 3, "data.split.online_samples",
                   {"expected an integer in [0, 1099511627776]"});
  expect_key_error("data:\n  shift:\n    period: 0\n", 3, "data.shift.period",
                   {"expected an integer in [1, "});
}

TEST(ConfigDeviceKeys, ThePerPulseWriteEnergyNameIsGone) {
  // Issue 21: write energy is priced per bit written, as Wu et al. quote it (program-verify
  // derives the pulse energies), so the per-pulse key of the former rule is gone.
  expect_key_error("accel:\n  rram:\n    write_energy_pj_per_pulse: 10.9\n", 3,
                   "accel.rram.write_energy_pj_per_pulse",
                   {"unknown key", "Allowed in accel.rram: ", "write_energy_pj_per_bit"});
}

}  // namespace
}  // namespace lrt::config
