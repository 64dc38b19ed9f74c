#pragma once
// Read noise as sparse level offsets (docs/device.md, "Read noise"). A cell at integer level L
// reads nearest(L + sigma z), z ~ N(0, 1), ties up, clamped to its levels. Since L is an
// integer, nearest(L + sigma z) = L + K with K = nearest(sigma z), and K != 0 only with
// probability p = P(|sigma z| >= 1/2) = erfc(1 / (2 sqrt(2) sigma)): 1.2 % at sigma = 0.2.
// So instead of one normal draw per cell and sample, each sample draws the cells whose K is
// non-zero (geometric gaps between them) and their K: the same distribution, at a cost
// proportional to p. Used while p <= kMaxProbability and no power-law decay makes levels
// fractional; otherwise the array draws a normal per cell (rram_array.cpp).
//
// Draws: event j of sample t uses Philox block (t << 32) | j of the array's read-noise
// stream: words 0-1 give a 53-bit uniform for the gap before the event's cell, word 2 and the
// low 21 bits of word 3 a 53-bit uniform for |K| (inverse of its conditional tail), bit 31 of
// word 3 the sign. Everything is a pure function of (seed, instance, t, sigma), so both
// engines, any read order and a restored checkpoint see the same noise.
//
// Because of that, the next sample's events can be drawn ahead on another host thread while
// this sample runs (prefetch(); issue 23): draw() then takes them if they are for the same
// sample, cells and sigma, else draws as usual. The same events either way. That thread runs at
// idle priority, so on a busy host it may not have finished: draw() then waits for it at most
// kPrefetchPatience, then stops it (it looks at a flag every 64 events) and draws on its own
// thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/background_worker.h"
#include "core/rng.h"

namespace lrt::device {

/// @brief A cell's word for `cells_per_word` (>= 1) cells a word: a shift when that is a power
/// of two (the usual mappings: 8 one-bit cells), not a 64-bit division per noise event.
class CellToWord {
 public:
  explicit CellToWord(uint32_t cells_per_word)
      : per_word_(cells_per_word),
        pow2_((cells_per_word & (cells_per_word - 1)) == 0),
        shift_(static_cast<unsigned>(__builtin_ctz(cells_per_word))) {}
  uint64_t operator()(uint64_t cell) const { return pow2_ ? cell >> shift_ : cell / per_word_; }

 private:
  uint64_t per_word_;
  bool pow2_;
  unsigned shift_;
};

class SparseReadNoise {
 public:
  SparseReadNoise() = default;
  /// A copy has the other's sigma and events, never its draw in flight.
  SparseReadNoise(const SparseReadNoise& other);
  SparseReadNoise& operator=(const SparseReadNoise& other);
  ~SparseReadNoise();

  /// Largest p = P(K != 0) the sparse form is used for (sigma <= 0.436 levels).
  static constexpr double kMaxProbability = 0.25;
  /// @brief P(nearest(sigma z) != 0) = erfc(1 / (2 sqrt(2) sigma)); 0 for sigma <= 0.
  static double offset_probability(double sigma);
  /// @brief Whether the sparse form serves this sigma (0 < p <= kMaxProbability).
  static bool serves(double sigma);

  /// @brief Sets sigma (levels) and clears the events; serves(sigma) must hold, or sigma = 0
  /// to turn the sparse form off.
  void configure(double sigma);
  bool on() const { return p_ > 0.0; }

  /// @brief Draws the events of sample `sample` over cells [0, cells), cells_per_word cells a
  /// word (replacing those of the previous sample), or takes them from a prefetch of exactly
  /// that draw. No-op while off.
  void draw(const CounterRng& rng, uint64_t sample, uint64_t cells, uint32_t cells_per_word);
  /// @brief Starts drawing sample `sample`'s events on a host thread of its own (while on),
  /// with a copy of `rng`; the next draw() or configure() waits for it. The key is (sample,
  /// cells, cells_per_word): the caller draws with one stream, and configure() drops it.
  void prefetch(const CounterRng& rng, uint64_t sample, uint64_t cells, uint32_t cells_per_word);
  /// Draws that were taken from a prefetch (tests).
  uint64_t prefetched_draws() const { return prefetched_draws_; }
  /// How long draw() waits for an unfinished prefetch before it stops it and draws itself (the
  /// paper network's draw takes about 1 ms of CPU).
  static constexpr std::chrono::microseconds kPrefetchPatience{2000};
  /// Draws that found their prefetch unfinished after kPrefetchPatience, stopped it and drew
  /// themselves (tests).
  uint64_t unfinished_prefetches() const { return unfinished_prefetches_; }
  /// Whether a prefetch is still drawing (tests).
  bool prefetch_running() const { return worker_.busy(); }
  /// Tests: the prefetch thread sleeps this long (watching the stop flag) before it draws.
  void set_prefetch_delay_for_tests(std::chrono::microseconds d) { prefetch_delay_ = d; }

  /// @brief Whether some cell of word w has a non-zero offset this sample.
  bool touches(uint64_t word) const { return word < current_.touched.size() && current_.touched[word] != 0; }
  /// @brief Calls visit(cell, offset) for every event among cells [first, first + n).
  template <class Visit>
  void for_cells(uint64_t first, uint64_t n, Visit&& visit) const {
    const std::vector<Event>& e = current_.events;
    for (size_t i = lower_bound(first); i < e.size() && e[i].cell < first + n; ++i)
      visit(e[i].cell, e[i].offset);
  }
  /// Events of the current sample among cells [first, first + n).
  size_t events_in(uint64_t first, uint64_t n) const { return lower_bound(first + n) - lower_bound(first); }
  /// Events of the current sample (tests).
  size_t events() const { return current_.events.size(); }

 private:
  struct Event {
    uint64_t cell;
    int32_t offset;
  };
  // One sample's events and its per-word marks.
  struct Draw {
    std::vector<Event> events;     // ascending cells
    std::vector<uint8_t> touched;  // per word: 1 if an event falls in it
    // Stops early (a partial list, never used) once *stop is set (null: never).
    void fill(const SparseReadNoise& noise, const CounterRng& rng, uint64_t sample, uint64_t cells,
              uint32_t cells_per_word, const std::atomic<bool>* stop = nullptr);
  };
  // What a prefetch is drawing.
  struct Key {
    uint64_t sample = 0, cells = 0;
    uint32_t cells_per_word = 0;
    bool operator==(const Key& o) const {
      return sample == o.sample && cells == o.cells && cells_per_word == o.cells_per_word;
    }
  };
  size_t lower_bound(uint64_t cell) const;
  void abandon();  // stops a prefetch in flight and waits for its thread; its draw is dropped

  double p_ = 0.0;
  double inv_log_q_ = 0.0;      // 1 / ln(1 - p): the gap of a uniform u is floor(ln u / ln(1 - p))
  std::vector<double> tail_;    // tail_[m - 1] = P(|K| >= m | K != 0), m = 1, 2, ...
  Draw current_;                // this sample's events
  Draw ahead_;                  // a prefetch's result (owned by its thread while one is in flight)
  Key ahead_key_;
  bool ahead_ready_ = false;   // ahead_ holds the draw of ahead_key_
  bool ahead_failed_ = false;  // the worker threw (written by it, read after the join)
  BackgroundWorker worker_{BackgroundWorker::Priority::kIdle};
  std::atomic<bool> stop_{false};  // set while a prefetch's draw is no longer wanted
  std::chrono::microseconds prefetch_delay_{0};
  uint64_t prefetched_draws_ = 0;
  uint64_t unfinished_prefetches_ = 0;
};

}  // namespace lrt::device
