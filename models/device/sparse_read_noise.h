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

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace lrt::device {

class SparseReadNoise {
 public:
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
  /// word (replacing those of the previous sample). No-op while off.
  void draw(const CounterRng& rng, uint64_t sample, uint64_t cells, uint32_t cells_per_word);

  /// @brief Whether some cell of word w has a non-zero offset this sample.
  bool touches(uint64_t word) const { return word < touched_.size() && touched_[word] != 0; }
  /// @brief Calls visit(cell, offset) for every event among cells [first, first + n).
  template <class Visit>
  void for_cells(uint64_t first, uint64_t n, Visit&& visit) const {
    for (size_t i = lower_bound(first); i < events_.size() && events_[i].cell < first + n; ++i)
      visit(events_[i].cell, events_[i].offset);
  }
  /// Events of the current sample (tests).
  size_t events() const { return events_.size(); }

 private:
  struct Event {
    uint64_t cell;
    int32_t offset;
  };
  size_t lower_bound(uint64_t cell) const;

  double p_ = 0.0;
  double inv_log_q_ = 0.0;      // 1 / ln(1 - p): the gap of a uniform u is floor(ln u / ln(1 - p))
  std::vector<double> tail_;    // tail_[m - 1] = P(|K| >= m | K != 0), m = 1, 2, ...
  std::vector<Event> events_;   // ascending cells
  std::vector<uint8_t> touched_;  // per word: 1 if an event falls in it
};

}  // namespace lrt::device
