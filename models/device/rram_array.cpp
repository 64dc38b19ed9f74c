#include "device/rram_array.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <stdexcept>
#include <string>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "core/error.h"
#include "device/weight_drift.h"

namespace lrt::device {

namespace {

// Sub-streams under one seed: arrays are told apart by `instance`; the two drift models
// share RngStream::kDeviceDrift and are told apart by the low bit of the sub-stream.
constexpr uint64_t kAnalogSub = 0;
constexpr uint64_t kFlipSub = 1;
// Program-verify draws share RngStream::kDeviceEndurance with the lifetimes, in the upper half
// of its sub-streams (instance < 2^31, so lifetimes never reach it).
constexpr uint64_t kProgramSub = uint64_t{1} << 31;

uint32_t abs_diff(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }

}  // namespace

RramArray::RramArray(const RramArraySpecs& specs, uint64_t seed, uint32_t instance)
    : specs_(specs),
      seed_(seed),
      instance_(instance),
      map_(specs.weight_bits, specs.bits_per_cell),
      code_format_(fx::Format::with_frac(static_cast<int>(specs.weight_bits), true, 0)),
      words_(0),
      read_per_word_(0),
      set_per_pulse_(0),
      reset_per_pulse_(0),
      analog_sigma_codes_(0.0),
      flip_p_(0.0),
      effects_(specs.read_effects),
      endurance_rng_(make_rng(seed, RngStream::kDeviceEndurance, instance)),
      fault_rng_(make_rng(seed, RngStream::kDeviceFaults, instance)),
      analog_rng_(make_rng(seed, RngStream::kDeviceDrift, 2 * uint64_t{instance} + kAnalogSub)),
      flip_rng_(make_rng(seed, RngStream::kDeviceDrift, 2 * uint64_t{instance} + kFlipSub)),
      read_noise_rng_(make_rng(seed, RngStream::kReadNoise, instance)),
      program_rng_(make_rng(seed, RngStream::kDeviceEndurance, kProgramSub + instance)) {
  validate(specs_);
  if (instance >= (1u << 31)) throw SpecError("instance", std::to_string(instance) + " exceeds 2^31 - 1");
  words_ = specs_.cells / map_.cells_per_word();
  // Flip draws of one event are indexed (event << 32) + i with i <= the event's trials: one
  // per stored bit (bernoulli), two per stored bit (binomial2, while digital drift is on).
  if (words_ * specs_.weight_bits > UINT32_MAX - 1) {
    throw SpecError("cells", std::to_string(words_) + " words of " + std::to_string(specs_.weight_bits) +
                                 " bits exceed 2^32 - 2 stored bits");
  }
  if (specs_.drift.flip_model == FlipModel::kBinomial2 && flip_probability_per_event(specs_.drift) > 0.0 &&
      2 * words_ * specs_.weight_bits > UINT32_MAX - 1) {
    throw SpecError("cells", std::to_string(words_) + " words of " + std::to_string(specs_.weight_bits) +
                                 " bits exceed 2^31 - 1 stored bits, the limit of binomial2 bit flips");
  }
  read_per_word_ =
      energy_of(specs_.weight_bits, to_energy_units(specs_.read_energy_pj_per_bit, "read_energy_pj_per_bit"));
  const PulseEnergiesPj pulse =
      pulse_energies_pj(specs_.program, specs_.write_energy_pj_per_bit, specs_.bits_per_cell, specs_.levels_per_pulse);
  set_per_pulse_ = to_energy_units(pulse.set, "write_energy_pj_per_bit");
  reset_per_pulse_ = to_energy_units(pulse.reset, "program.reset_energy_ratio");
  // sigma / LSB with LSB = r * 2^-(b-1); r is a power of two, so the division is exact.
  analog_sigma_codes_ = std::ldexp(analog_sigma_per_event(specs_.drift) / specs_.weight_range,
                                   static_cast<int>(specs_.weight_bits) - 1);
  flip_p_ = flip_probability_per_event(specs_.drift);

  for (uint32_t j = 0; j < map_.cells_per_word(); ++j) {
    level_formats_.push_back(fx::Format::with_frac(static_cast<int>(map_.cell_bits(j)), false, 0));
  }
  const uint64_t cells = cells_used();
  patterns_.assign(words_, 0);
  stuck_mask_.assign(words_, 0);
  word_writes_.assign(words_, 0);
  cell_writes_.assign(cells, 0);
  program_sample_.assign(cells, 0);
  lifetimes_.resize(cells);
  for (uint64_t c = 0; c < cells; ++c) lifetimes_[c] = cell_lifetime(specs_.endurance, endurance_rng_, c);

  if (specs_.stuck_at_fault_rate > 0.0) {
    for (uint64_t w = 0; w < words_; ++w) {
      const TimeZeroFaults f = time_zero_faults(w);
      patterns_[w] = static_cast<uint16_t>(f.pattern);
      stuck_mask_[w] = static_cast<uint16_t>(f.mask);
    }
  }
  refresh_read_noise();
}

RramArray::TimeZeroFaults RramArray::time_zero_faults(uint64_t word) const {
  TimeZeroFaults f;
  if (!(specs_.stuck_at_fault_rate > 0.0)) return f;
  for (uint32_t j = 0; j < map_.cells_per_word(); ++j) {
    const uint64_t c = cell_index(word, j);
    if (!is_stuck_at_fault(c)) continue;
    // Word 2 of the fault block decides the stuck level (words 0-1 decided "stuck").
    const double v = static_cast<double>(fault_rng_.block(c)[2]) * 0x1.0p-32;
    f.pattern = map_.with_level(f.pattern, j, v < specs_.stuck_at_high_fraction ? map_.max_level(j) : 0);
    f.mask |= map_.cell_mask(j);
  }
  return f;
}

bool RramArray::is_stuck_at_fault(uint64_t cell) const {
  if (!(specs_.stuck_at_fault_rate > 0.0)) return false;
  const auto b = fault_rng_.block(cell);
  const uint64_t bits = (static_cast<uint64_t>(b[1]) << 32) | b[0];
  return static_cast<double>(bits >> 11) * 0x1.0p-53 < specs_.stuck_at_fault_rate;
}

void RramArray::check_addr(uint64_t addr) const {
  if (addr >= words_) {
    throw std::out_of_range("rram word address " + std::to_string(addr) + " is outside [0, " +
                            std::to_string(words_) + ")");
  }
}

void RramArray::prefetch_word(uint64_t addr) const {
  if (addr >= words_) return;
  const uint64_t c = cell_index(addr, 0);  // a word's cells are adjacent: its first line each
  __builtin_prefetch(&patterns_[addr], 1);
  __builtin_prefetch(&stuck_mask_[addr], 1);
  __builtin_prefetch(&cell_writes_[c], 1);
  __builtin_prefetch(&lifetimes_[c], 0);
  __builtin_prefetch(&program_sample_[c], 1);
}

WordWriteResult RramArray::write_word(uint64_t addr, int32_t code) {
  check_addr(addr);
  if (!map_.holds(code)) {
    throw std::out_of_range("rram write of code " + std::to_string(code) + " outside [" +
                            std::to_string(map_.min_code()) + ", " + std::to_string(map_.max_code()) + "]");
  }
  WordWriteResult r;
  ++stats_.word_write_requests;
  if (specs_.read_before_write) {
    ++stats_.compare_reads;
    r.energy.compare_read = read_per_word_;
    r.latency_cycles += specs_.read_latency_cycles;
  }
  const uint32_t old_pattern = patterns_[addr];
  const uint32_t target = map_.pattern_of(code);
  uint32_t pattern = old_pattern;
  uint32_t stuck = stuck_mask_[addr];
  uint64_t slowest_cell_cycles = 0;
  const bool asymmetric = specs_.program.model == ProgramModel::kStochastic;
  for (uint32_t j = 0; j < map_.cells_per_word() && pattern != target; ++j) {
    const uint32_t from = map_.level(old_pattern, j);
    const uint32_t to = map_.level(target, j);
    if (from == to) continue;
    const uint64_t c = cell_index(addr, j);
    uint32_t pulses;
    if ((stuck & map_.cell_mask(j)) != 0) {
      pulses = specs_.max_pulses;
      ++r.cells_failed;
    } else if (cell_writes_[c] >= lifetimes_[c]) {
      stuck |= map_.cell_mask(j);  // worn out now: frozen at its last programmed level
      ++stats_.cells_worn_out;
      pulses = specs_.max_pulses;
      ++r.cells_failed;
    } else {
      pulses = healthy_pulses(c, from, to);
      pattern = map_.with_level(pattern, j, to);
      ++cell_writes_[c];
      program_sample_[c] = static_cast<uint32_t>(samples_);
      ++r.cells_programmed;
    }
    const bool reset = to < from;
    r.pulses += pulses;
    if (reset) r.reset_pulses += pulses;
    const uint64_t pulse_cycles = asymmetric && reset ? specs_.program.reset_pulse_cycles : specs_.pulse_cycles;
    slowest_cell_cycles = std::max(slowest_cell_cycles, uint64_t{pulses} * (pulse_cycles + specs_.verify_cycles));
  }
  patterns_[addr] = static_cast<uint16_t>(pattern);
  stuck_mask_[addr] = static_cast<uint16_t>(stuck);
  r.latency_cycles += slowest_cell_cycles;
  r.verify_reads = r.pulses;
  r.energy.write =
      energy_of(r.pulses - r.reset_pulses, set_per_pulse_) + energy_of(r.reset_pulses, reset_per_pulse_);
  r.stored_code = map_.code_of(pattern);

  if (r.cells_programmed > 0) {
    if (word_writes_[addr] == UINT32_MAX) throw RunError("rram word write counter overflow");
    ++word_writes_[addr];
    ++stats_.word_writes;
  }
  if (r.cells_failed > 0) ++stats_.word_write_failures;
  stats_.cell_programs += r.cells_programmed;
  stats_.cell_program_failures += r.cells_failed;
  stats_.program_pulses += r.pulses;
  stats_.reset_pulses += r.reset_pulses;
  stats_.write_cycles += r.latency_cycles;
  return r;
}

uint32_t RramArray::healthy_pulses(uint64_t c, uint32_t from, uint32_t to) const {
  const uint32_t m = nominal_steps(abs_diff(from, to), specs_.levels_per_pulse);
  if (specs_.program.model == ProgramModel::kDeterministic) return m;
  // Keyed by the cell's write number (before this write), not by call order: the golden and
  // TLM engines make the same cell writes, so they draw the same pulses.
  const uint64_t writes = cell_writes_[c];
  const double p = pass_probability(specs_.program, to < from, writes, specs_.endurance.writes);
  return stochastic_pulses(m, p, program_rng_.uniform((writes << 32) | c), specs_.max_pulses);
}

void RramArray::refresh_read_noise() {
  const double sigma = effects_.noise_sigma_levels;
  const bool sparse = effects_.power_law_nu == 0.0 && SparseReadNoise::serves(sigma);
  sparse_noise_.configure(sparse ? sigma : 0.0);
  sparse_noise_.draw(read_noise_rng_, samples_, cells_used(), map_.cells_per_word());
}

uint32_t RramArray::read_pattern_with_effects(uint64_t addr) const {
  const uint32_t stored = patterns_[addr];
  if (sparse_noise_.on()) {  // integer levels plus this sample's sparse offsets
    if (!sparse_noise_.touches(addr)) return stored;
    uint32_t out = stored;
    sparse_noise_.for_cells(cell_index(addr, 0), map_.cells_per_word(), [&](uint64_t c, int32_t k) {
      const auto j = static_cast<uint32_t>(c - cell_index(addr, 0));
      const int64_t top = map_.max_level(j);
      const int64_t level = std::clamp<int64_t>(int64_t{map_.level(stored, j)} + k, 0, top);
      out = map_.with_level(out, j, static_cast<uint32_t>(level));
    });
    return out;
  }
  const uint32_t stuck = stuck_mask_[addr];
  const double sigma = effects_.noise_sigma_levels;
  const double nu = effects_.power_law_nu;
  const double t0 = effects_.power_law_t0_samples;
  uint32_t out = 0;
  for (uint32_t j = 0; j < map_.cells_per_word(); ++j) {
    const uint64_t c = cell_index(addr, j);
    double x = static_cast<double>(map_.level(stored, j));
    if (nu > 0.0 && (stuck & map_.cell_mask(j)) == 0) {
      const double age = static_cast<double>(samples_ - program_sample_[c]);
      x *= std::pow((age + t0) / t0, -nu);
    }
    // Noise is frozen per (sample, cell): a cell read twice in one sample reads the same,
    // so the result does not depend on how often a dataflow reads it.
    if (sigma > 0.0) x += sigma * read_noise_rng_.normal_ziggurat((samples_ << 32) | c);
    const auto level =
        static_cast<uint32_t>(fx::quantize(x, level_formats_[j], fx::Rounding::kNearest, 0, nullptr));
    out = map_.with_level(out, j, level);
  }
  return out;
}

WordReadResult RramArray::read_word(uint64_t addr) {
  check_addr(addr);
  WordReadResult r;
  r.code = map_.code_of(effects_.any() ? read_pattern_with_effects(addr) : patterns_[addr]);
  r.latency_cycles = specs_.read_latency_cycles;
  r.energy.read = read_per_word_;
  ++stats_.word_reads;
  stats_.read_cycles += r.latency_cycles;
  return r;
}

void RramArray::check_range(uint64_t first, uint64_t n) const {
  if (first > words_ || n > words_ - first)
    throw std::out_of_range("rram words [" + std::to_string(first) + ", " + std::to_string(first) + " + " +
                            std::to_string(n) + ") are outside [0, " + std::to_string(words_) + ")");
}

void RramArray::count_reads(uint64_t first, uint64_t n) {
  check_range(first, n);
  stats_.word_reads += n;
  stats_.read_cycles += n * specs_.read_latency_cycles;
}

template <class Visit>
void RramArray::for_noisy_words(uint64_t first, uint64_t n, Visit&& visit) const {
  uint64_t word = UINT64_MAX;
  uint32_t pattern = 0;
  const uint32_t per_word = map_.cells_per_word();
  const CellToWord word_of(per_word);
  if (map_.bits_per_cell() == 1) {
    // One-bit cells (the usual mapping): level + k clamped to [0, 1] is 1 for k > 0 and 0 for
    // k < 0 (k is never 0), so an event sets or clears its bit; a word's events are gathered
    // into two masks and applied once.
    uint32_t set = 0, clear = 0;
    sparse_noise_.for_cells(cell_index(first, 0), n * per_word, [&](uint64_t c, int32_t k) {
      const uint64_t w = word_of(c);
      if (w != word) {
        if (word != UINT64_MAX) visit(word, (patterns_[word] | set) & ~clear);
        word = w;
        set = clear = 0;
      }
      const uint32_t bit = 1u << static_cast<uint32_t>(c - w * per_word);
      const uint32_t up = 0u - static_cast<uint32_t>(k > 0);  // no branch: the sign is a coin flip
      set |= bit & up;
      clear |= bit & ~up;
    });
    if (word != UINT64_MAX) visit(word, (patterns_[word] | set) & ~clear);
    return;
  }
  sparse_noise_.for_cells(cell_index(first, 0), n * per_word, [&](uint64_t c, int32_t k) {
    const uint64_t w = word_of(c);
    if (w != word) {
      if (word != UINT64_MAX) visit(word, pattern);
      word = w;
      pattern = patterns_[w];
    }
    const auto j = static_cast<uint32_t>(c - w * per_word);
    const int64_t level = std::clamp<int64_t>(int64_t{map_.level(patterns_[w], j)} + k, 0, map_.max_level(j));
    pattern = map_.with_level(pattern, j, static_cast<uint32_t>(level));
  });
  if (word != UINT64_MAX) visit(word, pattern);
}

void RramArray::read_words(uint64_t first, uint64_t n, int32_t* codes) {
  count_reads(first, n);
  if (effects_.any() && !sparse_noise_.on()) {
    for (uint64_t i = 0; i < n; ++i) codes[i] = map_.code_of(read_pattern_with_effects(first + i));
    return;
  }
  peek_words(first, n, codes);
  if (sparse_noise_.on())
    for_noisy_words(first, n,
                    [&](uint64_t w, uint32_t pattern) { codes[w - first] = map_.code_of(pattern); });
}

void RramArray::read_deviations(uint64_t first, uint64_t n, std::vector<WordCode>& out) {
  if (!sparse_reads()) throw std::logic_error("rram read_deviations: the read effects are not sparse");
  count_reads(first, n);
  if (!sparse_noise_.on()) return;
  // Lists the words of [from, from + words) that read differently into to[base...]; returns
  // how many. At most one entry per event. Written unconditionally and kept only if the word
  // reads differently: clamped events cancel out about half the time, a branch no predictor
  // learns. `to` only grows (a resize value-initializes what it adds: 16 bytes an event).
  const auto deviations = [this](uint64_t from, uint64_t words, std::vector<WordCode>& to, size_t base) {
    const size_t room = base + sparse_noise_.events_in(cell_index(from, 0), words * map_.cells_per_word());
    if (to.size() < room) to.resize(room);
    WordCode* const dst = to.data() + base;
    size_t kept = 0;
    for_noisy_words(from, words, [&](uint64_t w, uint32_t pattern) {
      dst[kept] = {w, map_.code_of(pattern)};
      kept += static_cast<size_t>(pattern != patterns_[w]);  // patterns are masked: equal codes
    });
    return kept;
  };
  // A large array's read (some 10^5 events a sample) in word ranges over the pool, listed in
  // word order whichever thread ran which range.
  constexpr size_t kParallelEvents = 16384;  // below this a hand-off costs more than it saves
  if (pool_ == nullptr || pool_->threads() == 1 || sparse_noise_.events() < kParallelEvents) {
    const size_t base = out.size();
    out.resize(base + deviations(first, n, out, base));
    return;
  }
  const auto parts = static_cast<uint64_t>(2 * pool_->threads());
  const uint64_t per_part = (n + parts - 1) / parts;
  part_deviations_.resize(parts);
  part_kept_.resize(parts);
  pool_->parallel_for(static_cast<int64_t>(parts), [&](int64_t p) {
    const uint64_t from = static_cast<uint64_t>(p) * per_part;
    part_kept_[static_cast<size_t>(p)] = from < n ? deviations(first + from, std::min(per_part, n - from),
                                                               part_deviations_[static_cast<size_t>(p)], 0)
                                                  : 0;
  });
  for (uint64_t p = 0; p < parts; ++p) {
    const WordCode* part = part_deviations_[p].data();
    out.insert(out.end(), part, part + part_kept_[p]);
  }
}

int32_t RramArray::peek_word(uint64_t addr) const {
  check_addr(addr);
  return map_.code_of(patterns_[addr]);
}

void RramArray::peek_words(uint64_t first, uint64_t n, int32_t* codes) const {
  check_range(first, n);
  for (uint64_t i = 0; i < n; ++i) codes[i] = map_.code_of(patterns_[first + i]);
}

int32_t RramArray::poke_word(uint64_t addr, int32_t code) {
  check_addr(addr);
  if (!map_.holds(code)) {
    throw std::out_of_range("rram poke of code " + std::to_string(code) + " outside [" +
                            std::to_string(map_.min_code()) + ", " + std::to_string(map_.max_code()) + "]");
  }
  const uint32_t old_pattern = patterns_[addr];
  const uint32_t stuck = stuck_mask_[addr];
  const uint32_t pattern = (map_.pattern_of(code) & ~stuck) | (old_pattern & stuck);
  for (uint32_t j = 0; j < map_.cells_per_word(); ++j) {
    if (map_.level(pattern, j) != map_.level(old_pattern, j)) {
      program_sample_[cell_index(addr, j)] = static_cast<uint32_t>(samples_);
    }
  }
  patterns_[addr] = static_cast<uint16_t>(pattern);
  return map_.code_of(pattern);
}

RramEnergy RramArray::account_reads(uint64_t n) {
  RramEnergy e;
  e.read = energy_of(n, read_per_word_);
  stats_.word_reads += n;
  return e;
}

uint64_t RramArray::advance_samples(uint64_t n, std::vector<uint64_t>* changed_words, bool* dense) {
  if (n > UINT32_MAX - samples_) {
    throw RunError("rram sample counter overflow: " + std::to_string(samples_) + " + " + std::to_string(n) +
                   " samples exceed 2^32 - 1");
  }
  const uint64_t d = specs_.drift.interval_samples;
  const uint64_t first_event = samples_ / d + 1;
  const uint64_t last_event = (samples_ + n) / d;
  samples_ += n;
  if (n > 0 && sparse_noise_.on()) {
    sparse_noise_.draw(read_noise_rng_, samples_, cells_used(), map_.cells_per_word());
    // With more than one thread, the next sample's events are drawn while this one runs; not
    // for a small array, whose draw costs less than starting a thread.
    constexpr uint64_t kPrefetchCells = 65536;
    if (pool_ != nullptr && pool_->threads() > 1 && cells_used() >= kPrefetchCells && samples_ < UINT32_MAX)
      sparse_noise_.prefetch(read_noise_rng_, samples_ + 1, cells_used(), map_.cells_per_word());
  }
  const bool analog = analog_sigma_codes_ > 0.0;
  const bool digital = flip_p_ > 0.0;
  if (dense != nullptr) {
    *dense = analog && first_event <= last_event;
    if (*dense) changed_words = nullptr;
  }
  if (!analog && !digital) return 0;
  for (uint64_t k = first_event; k <= last_event; ++k) {
    if (analog) analog_event(k, changed_words);
    if (digital) flip_event(k, changed_words);
    ++stats_.drift_events;
  }
  return last_event + 1 - first_event;
}

void RramArray::analog_event(uint64_t event, std::vector<uint64_t>* changed_words) {
  constexpr uint64_t kChunkWords = 16384;  // below this a hand-off costs more than it saves
  if (pool_ == nullptr || pool_->threads() == 1 || words_ < 2 * kChunkWords) {
    stats_.analog_drift_word_changes += analog_words(event, 0, words_, changed_words);
    return;
  }
  const uint64_t chunks = (words_ + kChunkWords - 1) / kChunkWords;
  chunk_changes_.resize(chunks);
  std::vector<uint64_t> counts(chunks, 0);
  pool_->parallel_for(static_cast<int64_t>(chunks), [&](int64_t c) {
    const auto k = static_cast<uint64_t>(c);
    std::vector<uint64_t>& out = chunk_changes_[k];
    out.clear();
    counts[k] = analog_words(event, k * kChunkWords, std::min(words_, (k + 1) * kChunkWords),
                             changed_words != nullptr ? &out : nullptr);
  });
  for (uint64_t k = 0; k < chunks; ++k) {  // word order, whatever thread ran which chunk
    stats_.analog_drift_word_changes += counts[k];
    if (changed_words != nullptr)
      changed_words->insert(changed_words->end(), chunk_changes_[k].begin(), chunk_changes_[k].end());
  }
}

uint64_t RramArray::analog_words(uint64_t event, uint64_t begin, uint64_t end, std::vector<uint64_t>* changed) {
  uint64_t n = 0;
  // One word's step: drift_code on its code, its stuck cells kept; counted and listed if it moved.
  const auto drift_word = [&](uint64_t w, double z) {
    const uint32_t old_pattern = patterns_[w];
    const int32_t code = drift_code(map_.code_of(old_pattern), analog_sigma_codes_, z, code_format_);
    const uint32_t stuck = stuck_mask_[w];
    const uint32_t pattern = (map_.pattern_of(code) & ~stuck) | (old_pattern & stuck);
    if (pattern == old_pattern) return;
    patterns_[w] = static_cast<uint16_t>(pattern);
    ++n;
    if (changed != nullptr) changed->push_back(w);
  };
#if defined(__AVX2__)
  // drift_word on four words a step (issue 23: an event visits every word of every array). The
  // same doubles: code + sigma z as a product then a sum (the build never contracts them into
  // a fused multiply-add), std::floor's rounding, the clamps first; a NaN falls back to it.
  const __m128i word_mask = _mm_set1_epi32(static_cast<int32_t>(map_.word_mask()));
  const __m128i sign_bit = _mm_set1_epi32(-map_.min_code());
  const __m256d sigma = _mm256_set1_pd(analog_sigma_codes_);
  const __m256d lo = _mm256_set1_pd(static_cast<double>(code_format_.min_code()));
  const __m256d hi = _mm256_set1_pd(static_cast<double>(code_format_.max_code()));
  const __m256d half = _mm256_set1_pd(0.5), one = _mm256_set1_pd(1.0);
#endif
  constexpr uint64_t kBatch = 256;  // the words' first blocks and their normals, made in batches
  std::array<std::array<uint32_t, 4>, kBatch> blocks;
  std::array<double, kBatch> normals;
  for (uint64_t first = begin; first < end; first += kBatch) {
    const uint64_t batch = std::min(kBatch, end - first);
    analog_rng_.blocks((event << 32) | first, batch, blocks.data());
    analog_rng_.normals_ziggurat((event << 32) | first, batch, blocks.data(), normals.data());
    uint64_t i = 0;
#if defined(__AVX2__)
    for (; i + 4 <= batch; i += 4) {
      const uint64_t w = first + i;
      const __m128i old =
          _mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&patterns_[w])));
      const __m128i stuck =
          _mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&stuck_mask_[w])));
      const __m128i code = _mm_sub_epi32(_mm_xor_si128(_mm_and_si128(old, word_mask), sign_bit), sign_bit);
      const __m256d x =
          _mm256_add_pd(_mm256_cvtepi32_pd(code), _mm256_mul_pd(sigma, _mm256_loadu_pd(&normals[i])));
      if (_mm256_movemask_pd(_mm256_cmp_pd(x, x, _CMP_UNORD_Q)) != 0) {
        for (uint64_t l = 0; l < 4; ++l) drift_word(w + l, normals[i + l]);
        continue;
      }
      const __m256d f = _mm256_round_pd(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      __m256d r = _mm256_add_pd(f, _mm256_and_pd(_mm256_cmp_pd(_mm256_sub_pd(x, f), half, _CMP_GE_OQ), one));
      r = _mm256_blendv_pd(r, hi, _mm256_cmp_pd(x, hi, _CMP_GE_OQ));
      r = _mm256_blendv_pd(r, lo, _mm256_cmp_pd(x, lo, _CMP_LE_OQ));
      const __m128i pattern =
          _mm_or_si128(_mm_andnot_si128(stuck, _mm_and_si128(_mm256_cvtpd_epi32(r), word_mask)),
                       _mm_and_si128(old, stuck));
      const auto moved = static_cast<unsigned>(_mm_movemask_ps(
          _mm_castsi128_ps(_mm_xor_si128(_mm_cmpeq_epi32(pattern, old), _mm_set1_epi32(-1)))));
      if (moved == 0) continue;
      _mm_storel_epi64(reinterpret_cast<__m128i*>(&patterns_[w]), _mm_packus_epi32(pattern, pattern));
      n += static_cast<uint64_t>(__builtin_popcount(moved));
      if (changed != nullptr)
        for (uint64_t l = 0; l < 4; ++l)
          if ((moved >> l & 1) != 0) changed->push_back(w + l);
    }
#endif
    for (; i < batch; ++i) drift_word(first + i, normals[i]);
  }
  return n;
}

void RramArray::flip_event(uint64_t event, std::vector<uint64_t>* changed_words) {
  const uint32_t bits = specs_.weight_bits;
  RngCursor cursor(flip_rng_.seed(), flip_rng_.stream(), event << 32);
  if (specs_.drift.flip_model == FlipModel::kBernoulli) {
    for_each_bernoulli_success(words_ * bits, flip_p_, cursor, [&](uint64_t pos) {
      const uint64_t w = pos / bits;
      const uint32_t m = 1u << (pos % bits);
      if ((stuck_mask_[w] & m) != 0) return;
      patterns_[w] = static_cast<uint16_t>(patterns_[w] ^ m);
      ++stats_.bit_flips;
      if (changed_words != nullptr) changed_words->push_back(w);
    });
    return;
  }
  // binomial2: trial 2 (w * bits + b) + j, j = 0, 1, is one of the two Bernoulli(p) trials
  // whose sum is the count c_b of bit b of word w. The successes come in increasing order,
  // so one word's counts arrive together; F = sum_b c_b 2^b is applied when the next word
  // starts. Like analog drift, the word's new code is computed whole and its stuck cells
  // keep their levels; bit_flips counts the stored bits that changed.
  uint64_t word = UINT64_MAX;
  uint32_t flips = 0;
  const auto apply = [&] {
    if (word == UINT64_MAX) return;
    const uint32_t old_pattern = patterns_[word];
    const uint32_t stuck = stuck_mask_[word];
    const uint32_t pattern = (binomial2_flip(old_pattern, flips, bits) & ~stuck) | (old_pattern & stuck);
    if (pattern == old_pattern) return;
    patterns_[word] = static_cast<uint16_t>(pattern);
    stats_.bit_flips += std::bitset<32>(pattern ^ old_pattern).count();
    if (changed_words != nullptr) changed_words->push_back(word);
  };
  for_each_bernoulli_success(2 * words_ * bits, flip_p_, cursor, [&](uint64_t trial) {
    const uint64_t pos = trial >> 1;
    const uint64_t w = pos / bits;
    if (w != word) {
      apply();
      word = w;
      flips = 0;
    }
    flips += 1u << (pos % bits);
  });
  apply();
}

void RramArray::set_read_effects(const RramReadEffects& effects) {
  validate(effects);
  effects_ = effects;
  refresh_read_noise();
}

CellState RramArray::cell(uint64_t cell) const {
  if (cell >= cells_used()) {
    throw std::out_of_range("rram cell " + std::to_string(cell) + " is outside [0, " +
                            std::to_string(cells_used()) + ")");
  }
  const uint64_t w = cell / map_.cells_per_word();
  const auto j = static_cast<uint32_t>(cell % map_.cells_per_word());
  CellState s;
  s.level = map_.level(patterns_[w], j);
  s.writes = cell_writes_[cell];
  s.lifetime = lifetimes_[cell];
  s.stuck_at_fault = is_stuck_at_fault(cell);
  s.worn_out = (stuck_mask_[w] & map_.cell_mask(j)) != 0 && !s.stuck_at_fault;
  s.program_sample = program_sample_[cell];
  return s;
}

uint32_t RramArray::word_writes(uint64_t addr) const {
  check_addr(addr);
  return word_writes_[addr];
}

uint64_t RramArray::stuck_cells() const {
  uint64_t n = 0;
  for (uint64_t w = 0; w < words_; ++w) {
    if (stuck_mask_[w] == 0) continue;
    for (uint32_t j = 0; j < map_.cells_per_word(); ++j)
      n += (stuck_mask_[w] & map_.cell_mask(j)) != 0 ? 1 : 0;
  }
  return n;
}

RramEnergy RramArray::energy() const {
  RramEnergy e;
  e.read = energy_of(stats_.word_reads, read_per_word_);
  e.compare_read = energy_of(stats_.compare_reads, read_per_word_);
  e.write = energy_of(stats_.program_pulses - stats_.reset_pulses, set_per_pulse_) +
            energy_of(stats_.reset_pulses, reset_per_pulse_);
  return e;
}

RramArrayState RramArray::state() const {
  RramArrayState s;
  s.patterns = patterns_;
  s.word_writes = word_writes_;
  s.cell_writes = cell_writes_;
  s.program_sample = program_sample_;
  s.worn_out.assign(cells_used(), 0);
  for (uint64_t w = 0; w < words_; ++w) {
    const uint32_t worn = stuck_mask_[w] & ~time_zero_faults(w).mask;
    if (worn == 0) continue;
    for (uint32_t j = 0; j < map_.cells_per_word(); ++j)
      if ((worn & map_.cell_mask(j)) != 0) s.worn_out[cell_index(w, j)] = 1;
  }
  s.samples = samples_;
  s.stats = stats_;
  s.read_effects = effects_;
  return s;
}

namespace {

void check_size(const char* field, std::size_t size, uint64_t expected, const char* what) {
  if (size != expected) {
    throw RramStateError(field, "holds " + std::to_string(size) + " entries; this array has " +
                                    std::to_string(expected) + " " + what);
  }
}

void check_total(const std::string& field, uint64_t value, uint64_t expected, const std::string& what) {
  if (value != expected) {
    throw RramStateError(
        field, std::to_string(value) + " differs from " + what + " (" + std::to_string(expected) + ")");
  }
}

}  // namespace

// Every invariant the running array keeps; a state that breaks one was not produced by an
// array with these specs, seed and instance (or is corrupt), and would behave differently.
void RramArray::check_state(const RramArrayState& s) const {
  const uint64_t cells = cells_used();
  check_size("patterns", s.patterns.size(), words_, "words");
  check_size("word_writes", s.word_writes.size(), words_, "words");
  check_size("cell_writes", s.cell_writes.size(), cells, "cells");
  check_size("worn_out", s.worn_out.size(), cells, "cells");
  check_size("program_sample", s.program_sample.size(), cells, "cells");
  if (s.samples > UINT32_MAX) {
    throw RramStateError("samples", std::to_string(s.samples) + " exceeds the sample counter's 2^32 - 1");
  }
  try {
    validate(s.read_effects);
  } catch (const SpecError& e) {
    throw RramStateError(e.member(), e.what());
  }

  uint64_t cell_write_sum = 0;
  uint64_t word_write_sum = 0;
  uint64_t worn_count = 0;
  for (uint64_t w = 0; w < words_; ++w) {
    const uint32_t pattern = s.patterns[w];
    if ((pattern & ~map_.word_mask()) != 0) {
      throw RramStateError("patterns", "word " + std::to_string(w) + " holds bits above its " +
                                           std::to_string(specs_.weight_bits) + "-bit pattern");
    }
    const TimeZeroFaults faults = time_zero_faults(w);
    uint64_t writes_of_cells = 0;
    uint32_t most_writes_of_a_cell = 0;
    for (uint32_t j = 0; j < map_.cells_per_word(); ++j) {
      const uint64_t c = cell_index(w, j);
      const uint32_t writes = s.cell_writes[c];
      if (s.worn_out[c] > 1)
        throw RramStateError("worn_out", "cell " + std::to_string(c) + " is " +
                                             std::to_string(s.worn_out[c]) + ", not 0 or 1");
      if (s.program_sample[c] > s.samples) {
        throw RramStateError("program_sample", "cell " + std::to_string(c) + " was programmed at sample " +
                                                   std::to_string(s.program_sample[c]) +
                                                   ", after the clock (" + std::to_string(s.samples) + ")");
      }
      if (writes > lifetimes_[c]) {
        throw RramStateError("cell_writes", "cell " + std::to_string(c) + " has " + std::to_string(writes) +
                                                " writes, beyond its lifetime " +
                                                std::to_string(lifetimes_[c]));
      }
      if ((faults.mask & map_.cell_mask(j)) != 0) {
        const uint32_t stuck_level = map_.level(faults.pattern, j);
        if (map_.level(pattern, j) != stuck_level) {
          throw RramStateError(
              "patterns", "cell " + std::to_string(c) + " is stuck at level " + std::to_string(stuck_level) +
                              " from time zero but holds level " + std::to_string(map_.level(pattern, j)));
        }
        if (s.worn_out[c] != 0)
          throw RramStateError("worn_out",
                               "cell " + std::to_string(c) + " is stuck from time zero, not worn out");
        if (writes != 0) {
          throw RramStateError("cell_writes", "cell " + std::to_string(c) +
                                                  " is stuck from time zero but has " +
                                                  std::to_string(writes) + " writes");
        }
        if (s.program_sample[c] != 0) {
          throw RramStateError("program_sample",
                               "cell " + std::to_string(c) +
                                   " is stuck from time zero but was programmed at sample " +
                                   std::to_string(s.program_sample[c]));
        }
      }
      if (s.worn_out[c] != 0 && writes != lifetimes_[c]) {
        throw RramStateError("worn_out", "cell " + std::to_string(c) + " is worn out after " +
                                             std::to_string(writes) + " writes, but its lifetime is " +
                                             std::to_string(lifetimes_[c]));
      }
      worn_count += s.worn_out[c];
      writes_of_cells += writes;
      most_writes_of_a_cell = std::max(most_writes_of_a_cell, writes);
    }
    // A word write changes one cell or more, so its count lies between its busiest cell's
    // count and the sum of its cells' counts.
    if (s.word_writes[w] < most_writes_of_a_cell || s.word_writes[w] > writes_of_cells) {
      throw RramStateError("word_writes",
                           "word " + std::to_string(w) + " counts " + std::to_string(s.word_writes[w]) +
                               " writes; its cells allow [" + std::to_string(most_writes_of_a_cell) + ", " +
                               std::to_string(writes_of_cells) + "]");
    }
    cell_write_sum += writes_of_cells;
    word_write_sum += s.word_writes[w];
  }

  const RramStats& st = s.stats;
  check_total("stats.cell_programs", st.cell_programs, cell_write_sum, "the sum of cell_writes");
  check_total("stats.word_writes", st.word_writes, word_write_sum, "the sum of word_writes");
  check_total("stats.cells_worn_out", st.cells_worn_out, worn_count, "the number of worn_out cells");
  const bool drift_on = analog_sigma_codes_ > 0.0 || flip_p_ > 0.0;
  check_total("stats.drift_events", st.drift_events, drift_on ? s.samples / specs_.drift.interval_samples : 0,
              drift_on ? "the events up to the sample clock" : "0 with drift off");
  if (st.reset_pulses > st.program_pulses) {  // energy() charges program_pulses - reset_pulses SET pulses
    throw RramStateError("stats.reset_pulses", std::to_string(st.reset_pulses) + " exceeds program_pulses (" +
                                                   std::to_string(st.program_pulses) + ")");
  }
  if (st.word_writes > st.word_write_requests) {
    throw RramStateError("stats.word_writes", std::to_string(st.word_writes) +
                                                  " exceeds word_write_requests (" +
                                                  std::to_string(st.word_write_requests) + ")");
  }
  if (st.cells_worn_out > st.cell_program_failures) {
    throw RramStateError("stats.cells_worn_out", std::to_string(st.cells_worn_out) +
                                                     " exceeds cell_program_failures (" +
                                                     std::to_string(st.cell_program_failures) +
                                                     "): every wear-out is a failed attempt");
  }
}

void RramArray::set_state(const RramArrayState& s) {
  check_state(s);
  patterns_ = s.patterns;
  word_writes_ = s.word_writes;
  cell_writes_ = s.cell_writes;
  program_sample_ = s.program_sample;
  for (uint64_t w = 0; w < words_; ++w) {
    uint32_t stuck = time_zero_faults(w).mask;
    for (uint32_t j = 0; j < map_.cells_per_word(); ++j)
      if (s.worn_out[cell_index(w, j)] != 0) stuck |= map_.cell_mask(j);
    stuck_mask_[w] = static_cast<uint16_t>(stuck);
  }
  samples_ = s.samples;
  stats_ = s.stats;
  effects_ = s.read_effects;
  refresh_read_noise();
}

}  // namespace lrt::device
