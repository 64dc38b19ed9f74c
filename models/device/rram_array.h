#pragma once
// Behaviour of one RRAM weight array (pure C++, no SystemC): what is stored, what a read
// returns, what a write costs, how cells wear out, drift and fail. The TLM target
// tlm/rram_array.h wraps one of these; the golden engine can use it directly, and both get
// identical weights for one (specs, seed, instance): every random draw is a pure function
// of (seed, stream, instance, cell or word, event number), never of call order.
//
// Storage: word w holds a weight_bits two's complement code, spread over cells_per_word
// cells as described in cell_mapping.h; cell w * cells_per_word + j is cell j of word w.
// A new array holds code 0 (every cell at level 0) except for cells stuck at time zero.
//
// Writes (write-verify): only cells whose level changes are programmed. A cell with level
// change D takes the program-verify pulses program_model.h says (deterministic: ceil(D /
// levels_per_pulse); stochastic: a draw keyed by (seed, instance, cell, the cell's write
// number), so both engines draw the same pulses for the same cell write), each followed by one
// verify read; the cells of a word are programmed in parallel, so the word takes
//   (read_before_write ? read_latency : 0) + max_j pulses_j * (pulse_cycles_j + verify_cycles)
// cycles (pulse_cycles_j: SET or RESET), and SET pulses x E_set + RESET pulses x E_reset
// (+ the compare read). A write that changes nothing programs nothing and counts as no write.
//
// Endurance: cell c survives lifetime(c) programming events (endurance.h). Its write counter
// counts successful level changes. The attempt after the last one fails: the cell is worn out
// and stays stuck at the level of its last successful program, for good. Every attempt to
// change a stuck cell (worn out, or stuck at time zero) runs write-verify to max_pulses pulses
// and fails; the rest of the word is still written.
//
// Drift (weight_drift.h) acts on the sample clock; read effects (rram_specs.h) act on reads
// only, with read noise frozen per (sample, cell). Stuck cells do not drift, flip or decay;
// read noise applies to every cell. Full model: docs/device.md.
//
// Checkpointing: state() / set_state() carry everything that changes after construction
// (RramArrayState). Lifetimes and time-zero faults are not part of it: they are a pure
// function of (specs, seed, instance), so the array a state is restored into re-derives them,
// and set_state() checks the state against them.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/fixed_point.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "core/word_code.h"
#include "device/cell_mapping.h"
#include "device/energy.h"
#include "device/rram_specs.h"
#include "device/sparse_read_noise.h"

namespace lrt::device {

/// @brief Energy by component, in units of 0.1 fJ (energy.h).
struct RramEnergy {
  EnergyUnits read = 0;          ///< user reads: weight_bits x read energy per bit, per word
  EnergyUnits compare_read = 0;  ///< read-before-write of written words
  EnergyUnits write = 0;         ///< program pulses (each with its verify read)

  EnergyUnits total() const { return read + compare_read + write; }
  bool operator==(const RramEnergy& o) const {
    return read == o.read && compare_read == o.compare_read && write == o.write;
  }
};

/// @brief Running counters of one array. Energy is derived from them (RramArray::energy()).
struct RramStats {
  uint64_t word_reads = 0;             ///< read_word() calls plus account_reads()
  uint64_t word_write_requests = 0;    ///< write_word() calls
  uint64_t word_writes = 0;            ///< requests that changed at least one cell level
  uint64_t word_write_failures = 0;    ///< requests in which at least one cell failed
  uint64_t compare_reads = 0;          ///< read-before-write word reads
  uint64_t cell_programs = 0;          ///< successful cell level changes (= sum of cell write counters)
  uint64_t cell_program_failures = 0;  ///< attempts to change a stuck cell
  uint64_t program_pulses = 0;         ///< each followed by one verify read
  uint64_t reset_pulses = 0;           ///< of program_pulses, those lowering a level (RESET)
  uint64_t cells_worn_out = 0;
  uint64_t read_cycles = 0;   ///< latency of user reads
  uint64_t write_cycles = 0;  ///< latency of writes (including their compare reads)
  uint64_t drift_events = 0;
  uint64_t analog_drift_word_changes = 0;  ///< words whose code an analog event changed
  uint64_t bit_flips = 0;                  ///< stored bits digital drift changed (stuck bits do not flip)
};

/// @brief What one write_word() did.
struct WordWriteResult {
  int32_t stored_code = 0;        ///< the code held afterwards (differs from the request if a cell failed)
  uint32_t cells_programmed = 0;  ///< cells whose level changed
  uint32_t cells_failed = 0;      ///< cells that should have changed but are stuck
  uint32_t pulses = 0;            ///< program pulses over all cells
  uint32_t reset_pulses = 0;      ///< of those, RESET pulses (level down)
  uint32_t verify_reads = 0;      ///< one after each pulse
  uint64_t latency_cycles = 0;
  RramEnergy energy;  ///< this write's compare_read and write components

  bool ok() const { return cells_failed == 0; }
};

/// @brief What one read_word() returned.
struct WordReadResult {
  int32_t code = 0;
  uint64_t latency_cycles = 0;
  RramEnergy energy;  ///< this read's read component
};

/// @brief The state of one cell, for inspection and tests.
struct CellState {
  uint32_t level = 0;
  uint32_t writes = 0;          ///< successful programming events
  uint32_t lifetime = 0;        ///< programming events it survives
  bool stuck_at_fault = false;  ///< stuck from time zero
  bool worn_out = false;        ///< stuck because its lifetime is used up
  uint32_t program_sample = 0;  ///< sample counter at its last programming (0 if never)
};

/// @brief Everything of an RramArray that changes after construction (RramArray::state()).
/// Lifetimes and time-zero faults are absent on purpose: they are re-derived from (specs,
/// seed, instance). Per-cell vectors cover RramArray::cells_used() cells.
struct RramArrayState {
  std::vector<uint16_t> patterns;        ///< per word: the stored bit pattern
  std::vector<uint32_t> word_writes;     ///< per word: writes that changed it
  std::vector<uint32_t> cell_writes;     ///< per cell: successful programming events
  std::vector<uint8_t> worn_out;         ///< per cell: 1 if worn out (stuck at its last level), else 0
  std::vector<uint32_t> program_sample;  ///< per cell: sample counter at its last programming
  uint64_t samples = 0;                  ///< the sample (drift) clock
  RramStats stats;
  RramReadEffects read_effects;  ///< changeable at run time (set_read_effects)
};

/// @brief A state that does not fit the array it is restored into. field() names the
/// RramArrayState member ("patterns", "stats.cells_worn_out", "read_effects.power_law_nu").
class RramStateError : public std::invalid_argument {
 public:
  RramStateError(std::string field, const std::string& problem)
      : std::invalid_argument("RramArrayState." + field + ": " + problem), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

/// @brief One RRAM weight array: storage, write-verify, endurance, faults, drift, read effects.
class RramArray {
 public:
  /// @brief Validates specs (SpecError) and draws every cell's lifetime and time-zero fault.
  /// instance selects independent random sub-streams for several arrays under one seed
  /// (e.g. one per layer); it must be < 2^31.
  RramArray(const RramArraySpecs& specs, uint64_t seed, uint32_t instance = 0);

  const RramArraySpecs& specs() const { return specs_; }
  uint64_t seed() const { return seed_; }
  uint32_t instance() const { return instance_; }
  const CellMapping& mapping() const { return map_; }
  uint64_t words() const { return words_; }
  /// Cells that hold words (cells / cells_per_word * cells_per_word); the rest are unused.
  uint64_t cells_used() const { return words_ * map_.cells_per_word(); }
  double area_um2() const { return static_cast<double>(specs_.cells) * specs_.cell_area_um2; }

  /// @brief Write-verify `code` into word `addr`. Throws std::out_of_range for a bad address
  /// or a code outside [mapping().min_code(), mapping().max_code()].
  WordWriteResult write_word(uint64_t addr, int32_t code);
  /// @brief A host-side hint, no model effect: brings the state a write_word(addr) reads into
  /// the cache. An update's words are scattered over arrays of tens of megabytes, so a caller
  /// that knows its next words asks for them a few writes ahead. Ignores a bad address.
  void prefetch_word(uint64_t addr) const;
  /// @brief Reads word `addr` through the read effects (noise, power-law drift), charging
  /// energy and latency. Throws std::out_of_range for a bad address.
  WordReadResult read_word(uint64_t addr);
  /// @brief Reads words [first, first + n) into codes: the codes, counters and energy of n
  /// read_word() calls, in one pass (the sparse read noise is applied from one search).
  /// Throws std::out_of_range unless the whole range is inside the array.
  void read_words(uint64_t first, uint64_t n, int32_t* codes);
  /// @brief Whether read_deviations() serves the read effects: none, or sparse read noise alone.
  bool sparse_reads() const { return !effects_.any() || sparse_noise_.on(); }
  /// @brief read_words(first, n, ...) told as a difference, at a cost proportional to this
  /// sample's noise events instead of n: the same counters and energy, and appended to `out`,
  /// ascending, every word of the range whose read code differs from peek_word(). Throws
  /// std::logic_error unless sparse_reads(), std::out_of_range as read_words().
  void read_deviations(uint64_t first, uint64_t n, std::vector<WordCode>& out);
  /// @brief The stored code: no read effects, no energy, no counters (debug access).
  int32_t peek_word(uint64_t addr) const;
  /// @brief peek_word() of words [first, first + n) into codes, in one pass; std::out_of_range
  /// unless the whole range is inside the array.
  void peek_words(uint64_t first, uint64_t n, int32_t* codes) const;
  /// @brief Stores `code` without write-verify, counters or energy (loading pre-trained
  /// weights, debug writes). Stuck cells keep their level. Returns the stored code.
  int32_t poke_word(uint64_t addr, int32_t code);
  /// @brief Counts `n` word reads done elsewhere (e.g. by an initiator through DMI) so that
  /// their energy is charged; returns that energy.
  RramEnergy account_reads(uint64_t n);

  /// @brief Advances the sample clock by n samples and applies every drift event reached
  /// (analog first, then digital, per event). Returns the number of events applied (0 while
  /// both drift models are off: the clock still advances). If
  /// changed_words is given, appends each word whose code an event changed (it may repeat).
  /// If `dense` is given, *dense tells whether an analog event was applied; such an event moves
  /// almost every word, so it is not listed: changed_words is left as it was, for the caller
  /// to re-read every word (peek_words), one sequential pass instead of a list of nearly all
  /// of them (issue 23).
  /// Throws lrt::RunError if the sample counter would exceed 2^32 - 1.
  uint64_t advance_samples(uint64_t n, std::vector<uint64_t>* changed_words = nullptr, bool* dense = nullptr);
  uint64_t samples() const { return samples_; }

  /// @brief Changes the read effects at run time (validated; SpecError).
  void set_read_effects(const RramReadEffects& effects);

  /// @brief Spreads analog drift events and large sparse reads' deviations over `pool` (null:
  /// this thread), and with more than one thread draws the next sample's sparse read noise
  /// ahead on a thread of its own (SparseReadNoise::prefetch). Every draw is a pure function of
  /// (seed, event or sample, word or cell) and changed or deviating words are reported in word
  /// order, so nothing depends on the thread count. Call neither from inside a pool loop.
  void set_thread_pool(ThreadPool* pool) { pool_ = pool; }
  const RramReadEffects& read_effects() const { return effects_; }
  /// Sparse read-noise draws taken from a prefetch (tests).
  uint64_t sparse_noise_prefetched_draws() const { return sparse_noise_.prefetched_draws(); }
  /// Whether the next sample's read-noise draw is still running on its thread (tests).
  bool sparse_noise_prefetch_running() const { return sparse_noise_.prefetch_running(); }

  CellState cell(uint64_t cell) const;
  /// Writes that changed word `addr` (at least one cell level).
  uint32_t word_writes(uint64_t addr) const;
  uint64_t stuck_cells() const;

  const RramStats& stats() const { return stats_; }
  /// Energy of everything counted in stats(): count x energy-per-event, by component.
  RramEnergy energy() const;
  EnergyUnits read_energy_per_word() const { return read_per_word_; }
  EnergyUnits set_energy_per_pulse() const { return set_per_pulse_; }
  EnergyUnits reset_energy_per_pulse() const { return reset_per_pulse_; }

  /// @brief Snapshot of the running state, for checkpoints (rram_checkpoint.h).
  RramArrayState state() const;
  /// @brief Restores a state() of an array built with the same (specs, seed, instance), after
  /// which the array behaves bit for bit like the one the state was taken from. Throws
  /// RramStateError (a std::invalid_argument) naming the field when a size differs or the
  /// state contradicts what this array re-derives (time-zero faults, lifetimes) or itself
  /// (counters that must agree); the array is left unchanged then.
  void set_state(const RramArrayState& state);

 private:
  // Pattern bits of the cells of word w stuck from time zero, and the levels they hold there.
  struct TimeZeroFaults {
    uint32_t mask = 0;
    uint32_t pattern = 0;
  };
  TimeZeroFaults time_zero_faults(uint64_t word) const;
  void check_state(const RramArrayState& state) const;
  void check_addr(uint64_t addr) const;
  // Throws std::out_of_range unless words [first, first + n) are inside the array.
  void check_range(uint64_t first, uint64_t n) const;
  bool is_stuck_at_fault(uint64_t cell) const;
  uint64_t cell_index(uint64_t word, uint32_t j) const { return word * map_.cells_per_word() + j; }
  void analog_event(uint64_t event, std::vector<uint64_t>* changed_words);
  // Analog drift of words [begin, end): changed words appended to `changed`; returns their count.
  uint64_t analog_words(uint64_t event, uint64_t begin, uint64_t end, std::vector<uint64_t>* changed);
  void flip_event(uint64_t event, std::vector<uint64_t>* changed_words);
  uint32_t read_pattern_with_effects(uint64_t addr) const;
  // Calls visit(word, read pattern) for each word of [first, first + n) that a sparse noise
  // event of this sample moves, in word order (several events of a word compose).
  template <class Visit>
  void for_noisy_words(uint64_t first, uint64_t n, Visit&& visit) const;
  void count_reads(uint64_t first, uint64_t n);
  // The sparse read-noise offsets of the current sample (sparse_read_noise.h), when they serve
  // the read effects: noise on, its offset probability small, no power-law decay.
  void refresh_read_noise();
  // Program-verify pulses of healthy cell c changing `from` -> `to` (program_model.h).
  uint32_t healthy_pulses(uint64_t c, uint32_t from, uint32_t to) const;

  RramArraySpecs specs_;
  uint64_t seed_;
  uint32_t instance_;
  CellMapping map_;
  fx::Format code_format_;                 // the codes as integers, for exact re-quantization
  std::vector<fx::Format> level_formats_;  // per cell of a word: its levels as unsigned integers
  uint64_t words_;
  EnergyUnits read_per_word_;
  EnergyUnits set_per_pulse_;
  EnergyUnits reset_per_pulse_;
  double analog_sigma_codes_;  // analog drift sd per event, in LSB
  double flip_p_;              // flip probability per bit per event
  RramReadEffects effects_;
  // Random streams (docs/device.md, "Randomness").
  CounterRng endurance_rng_;
  CounterRng fault_rng_;
  CounterRng analog_rng_;
  CounterRng flip_rng_;
  CounterRng read_noise_rng_;
  CounterRng program_rng_;

  std::vector<std::vector<WordCode>> part_deviations_;  // scratch of read_deviations on the pool (grow only)
  std::vector<size_t> part_kept_;                       // the entries of each that hold deviations
  std::vector<uint16_t> patterns_;        // per word: the stored bit pattern
  std::vector<uint16_t> stuck_mask_;      // per word: pattern bits of stuck cells (faulty or worn out)
  std::vector<uint32_t> word_writes_;     // per word
  std::vector<uint32_t> cell_writes_;     // per cell: successful programming events
  std::vector<uint32_t> lifetimes_;       // per cell
  std::vector<uint32_t> program_sample_;  // per cell: sample counter at the last programming
  uint64_t samples_ = 0;
  RramStats stats_;
  ThreadPool* pool_ = nullptr;
  std::vector<std::vector<uint64_t>> chunk_changes_;  // scratch of a parallel analog event
  SparseReadNoise sparse_noise_;
};

}  // namespace lrt::device
