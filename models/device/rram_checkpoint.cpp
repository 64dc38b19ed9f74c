#include "device/rram_checkpoint.h"

#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace lrt::device {
namespace {

// The layout stores these structs member by member; a new member must be added to the
// layout (and the version raised), which these assertions enforce.
static_assert(sizeof(RramStats) == 15 * sizeof(uint64_t),
              "RramStats changed: update P.stats and the version");
static_assert(sizeof(RramReadEffects) == 3 * sizeof(double),
              "RramReadEffects changed: update P.read_effects and the version");

constexpr int64_t kStatsWords = 15;
constexpr int64_t kReadEffectValues = 3;

std::vector<uint64_t> stats_words(const RramStats& s) {
  return {s.word_reads,
          s.word_write_requests,
          s.word_writes,
          s.word_write_failures,
          s.compare_reads,
          s.cell_programs,
          s.cell_program_failures,
          s.program_pulses,
          s.cells_worn_out,
          s.read_cycles,
          s.write_cycles,
          s.drift_events,
          s.analog_drift_word_changes,
          s.bit_flips,
          s.reset_pulses};
}

RramStats stats_of(const std::vector<uint64_t>& v) {
  RramStats s;
  s.word_reads = v[0];
  s.word_write_requests = v[1];
  s.word_writes = v[2];
  s.word_write_failures = v[3];
  s.compare_reads = v[4];
  s.cell_programs = v[5];
  s.cell_program_failures = v[6];
  s.program_pulses = v[7];
  s.cells_worn_out = v[8];
  s.read_cycles = v[9];
  s.write_cycles = v[10];
  s.drift_events = v[11];
  s.analog_drift_word_changes = v[12];
  s.bit_flips = v[13];
  s.reset_pulses = v[14];
  return s;
}

// Reads sections of one prefix, remembering the last one named so that a value error can
// name it.
class Reader {
 public:
  Reader(const Checkpoint& ck, std::string prefix) : ck_(ck), prefix_(std::move(prefix)) {}
  std::string section(const std::string& what) const { return prefix_ + "." + what; }
  template <class T>
  std::vector<T> get(const std::string& what, int64_t count) {
    current_ = section(what);
    return ck_.template array<T>(current_, count);
  }
  [[noreturn]] void fail(const std::string& section_name, const std::string& problem) const {
    throw InputError(InputLocation(ck_.path(), -1, -1, section_name), problem);
  }
  [[noreturn]] void fail(const std::string& problem) const { fail(current_, problem); }

 private:
  const Checkpoint& ck_;
  std::string prefix_;
  std::string current_;
};

}  // namespace

void save_rram_state(CheckpointWriter& w, const std::string& prefix, const RramArray& a) {
  const RramArrayState s = a.state();
  const auto section = [&](const char* what) { return prefix + "." + what; };
  w.add_array(section("version"), std::vector<uint32_t>{kRramStateVersion});
  w.add_array(section("identity"), std::vector<uint64_t>{a.seed(), a.instance()});
  w.add_array(section("patterns"), s.patterns);
  w.add_array(section("word_writes"), s.word_writes);
  w.add_array(section("cell_writes"), s.cell_writes);
  w.add_array(section("worn_out"), s.worn_out);
  w.add_array(section("program_sample"), s.program_sample);
  w.add_array(section("samples"), std::vector<uint64_t>{s.samples});
  w.add_array(section("stats"), stats_words(s.stats));
  const RramReadEffects& e = s.read_effects;
  w.add_array(section("read_effects"),
              std::vector<double>{e.noise_sigma_levels, e.power_law_nu, e.power_law_t0_samples});
}

void load_rram_state(const Checkpoint& ck, const std::string& prefix, RramArray& a) {
  Reader r(ck, prefix);
  const uint32_t version = r.get<uint32_t>("version", 1)[0];
  if (version != kRramStateVersion) {
    r.fail("RRAM state layout version " + std::to_string(version) + "; this lrtsim reads version " +
           std::to_string(kRramStateVersion));
  }
  const auto identity = r.get<uint64_t>("identity", 2);
  if (identity[0] != a.seed() || identity[1] != a.instance()) {
    r.fail("holds the state of the array with seed " + std::to_string(identity[0]) + ", instance " +
           std::to_string(identity[1]) + "; it is being loaded into seed " + std::to_string(a.seed()) +
           ", instance " + std::to_string(a.instance()));
  }
  const auto words = static_cast<int64_t>(a.words());
  const auto cells = static_cast<int64_t>(a.cells_used());
  RramArrayState s;
  s.patterns = r.get<uint16_t>("patterns", words);
  s.word_writes = r.get<uint32_t>("word_writes", words);
  s.cell_writes = r.get<uint32_t>("cell_writes", cells);
  s.worn_out = r.get<uint8_t>("worn_out", cells);
  s.program_sample = r.get<uint32_t>("program_sample", cells);
  s.samples = r.get<uint64_t>("samples", 1)[0];
  s.stats = stats_of(r.get<uint64_t>("stats", kStatsWords));
  const auto effects = r.get<double>("read_effects", kReadEffectValues);
  s.read_effects.noise_sigma_levels = effects[0];
  s.read_effects.power_law_nu = effects[1];
  s.read_effects.power_law_t0_samples = effects[2];
  try {
    a.set_state(s);
  } catch (const RramStateError& e) {
    // The field's first component is its section's name ("stats.cell_programs" -> "stats").
    r.fail(r.section(e.field().substr(0, e.field().find('.'))), e.what());
  }
}

}  // namespace lrt::device
