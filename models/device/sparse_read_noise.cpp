#include "device/sparse_read_noise.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace lrt::device {

namespace {

// P(|sigma z| >= x) for x > 0.
double two_sided_tail(double x, double sigma) { return std::erfc(x / (sigma * std::sqrt(2.0))); }

double uniform53(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1p-53; }

}  // namespace

double SparseReadNoise::offset_probability(double sigma) { return sigma > 0.0 ? two_sided_tail(0.5, sigma) : 0.0; }

bool SparseReadNoise::serves(double sigma) {
  const double p = offset_probability(sigma);
  return p > 0.0 && p <= kMaxProbability;
}

SparseReadNoise::SparseReadNoise(const SparseReadNoise& other) { *this = other; }

SparseReadNoise& SparseReadNoise::operator=(const SparseReadNoise& other) {
  if (this == &other) return *this;
  abandon();  // our worker writes ahead_; the other's writes only its own ahead_, never read here
  p_ = other.p_;
  inv_log_q_ = other.inv_log_q_;
  tail_ = other.tail_;
  current_ = other.current_;
  ahead_ready_ = false;
  return *this;
}

SparseReadNoise::~SparseReadNoise() { abandon(); }

void SparseReadNoise::abandon() {
  stop_.store(true);
  worker_.wait();  // it stops within 64 events
  ahead_ready_ = false;
}

void SparseReadNoise::configure(double sigma) {
  abandon();  // drawn at another sigma
  current_.events.clear();
  std::fill(current_.touched.begin(), current_.touched.end(), uint8_t{0});
  tail_.clear();
  p_ = 0.0;
  if (sigma == 0.0) return;
  if (!serves(sigma)) throw std::invalid_argument("SparseReadNoise: sigma outside the sparse range");
  p_ = offset_probability(sigma);
  inv_log_q_ = 1.0 / std::log1p(-p_);
  // |K| >= m  <=>  |sigma z| >= m - 1/2; stop where the tail is below the uniform's resolution.
  for (int m = 1;; ++m) {
    const double t = two_sided_tail(m - 0.5, sigma) / p_;
    if (m > 1 && t < 0x1p-60) break;
    tail_.push_back(m == 1 ? 1.0 : t);
  }
}

void SparseReadNoise::draw(const CounterRng& rng, uint64_t sample, uint64_t cells, uint32_t cells_per_word) {
  // An unfinished prefetch usually ends within a millisecond once this thread waits (its core is
  // then free). But an idle-priority thread may get no core for a long time on a busy host: past
  // kPrefetchPatience, stop it and draw here; it ends on its own (prefetch() starts no new one
  // before). Either way a prefetch's draw is visible after a successful wait.
  if (worker_.pending() && !worker_.wait_for(kPrefetchPatience)) {
    stop_.store(true);
    ahead_ready_ = false;
    ++unfinished_prefetches_;
  }
  if (!on()) {
    for (const Event& e : current_.events) current_.touched[e.cell / cells_per_word] = 0;
    current_.events.clear();
    return;
  }
  if (ahead_ready_ && !ahead_failed_ && ahead_key_ == Key{sample, cells, cells_per_word}) {
    std::swap(current_, ahead_);
    ahead_ready_ = false;
    ++prefetched_draws_;
    return;
  }
  ahead_ready_ = false;
  current_.fill(*this, rng, sample, cells, cells_per_word);
}

void SparseReadNoise::prefetch(const CounterRng& rng, uint64_t sample, uint64_t cells,
                               uint32_t cells_per_word) {
  ahead_ready_ = false;
  // Joins a finished one; a stopped one still ending: no prefetch for this sample.
  if (worker_.pending() && !worker_.wait_for(std::chrono::microseconds(0))) return;
  if (!on()) return;
  ahead_key_ = Key{sample, cells, cells_per_word};
  ahead_failed_ = false;
  stop_.store(false);
  // The worker gets its own copy of the stream (a counter key: nothing it reads can change under
  // it) and reads p_, inv_log_q_ and tail_, which only configure() changes, after abandon(). A
  // failure (an allocation) is left for draw() to redo on its own thread, where it throws.
  worker_.start([this, rng, sample, cells, cells_per_word] {
    try {
      for (auto slept = std::chrono::microseconds(0); slept < prefetch_delay_ && !stop_.load();
           slept += std::chrono::microseconds(100))
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      ahead_.fill(*this, rng, sample, cells, cells_per_word, &stop_);
    } catch (...) {
      ahead_failed_ = true;
    }
  });
  ahead_ready_ = true;  // read by draw() only after the worker was joined
}

void SparseReadNoise::Draw::fill(const SparseReadNoise& noise, const CounterRng& rng, uint64_t sample,
                                 uint64_t cells, uint32_t cells_per_word, const std::atomic<bool>* stop) {
  const CellToWord word_of(cells_per_word);
  for (const Event& e : events) touched[word_of(e.cell)] = 0;
  events.clear();
  touched.resize(cells / cells_per_word, 0);
  uint64_t cell = 0;
  constexpr uint64_t kBatch = 64;  // event blocks made eight at a time (a few past the end unused)
  std::array<std::array<uint32_t, 4>, kBatch> blocks;
  for (uint64_t j = 0; cell < cells; ++j) {
    if (j % kBatch == 0) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) return;
      rng.blocks((sample << 32) | j, kBatch, blocks.data());
    }
    const std::array<uint32_t, 4>& b = blocks[j % kBatch];
    const double u = 1.0 - uniform53((uint64_t{b[1]} << 32) | b[0]);  // (0, 1]
    const double gap = std::floor(std::log(u) * noise.inv_log_q_);
    if (!(gap < static_cast<double>(cells - cell))) break;  // compare before the cast
    cell += static_cast<uint64_t>(gap);
    const double v = 1.0 - uniform53((uint64_t{b[2]} << 32) | (uint64_t{b[3] & 0x1FFFFFu} << 11));  // (0, 1]
    int32_t m = 1;
    while (static_cast<size_t>(m) < noise.tail_.size() && noise.tail_[static_cast<size_t>(m)] >= v) ++m;
    events.push_back({cell, (b[3] >> 31) != 0 ? -m : m});
    touched[word_of(cell)] = 1;
    ++cell;
  }
}

size_t SparseReadNoise::lower_bound(uint64_t cell) const {
  const auto it = std::lower_bound(current_.events.begin(), current_.events.end(), cell,
                                   [](const Event& e, uint64_t c) { return e.cell < c; });
  return static_cast<size_t>(it - current_.events.begin());
}

}  // namespace lrt::device
