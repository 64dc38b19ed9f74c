// RramArray read-side effects: read noise statistics within derived bounds, noise frozen per
// sample, hand-computed power-law conductance drift.
//
// Statistical checks use |z| <= 6 on statistics that are sums of >= 1e4 independent terms
// (normal by the CLT): two-sided false-failure probability 2e-9 per check.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "device/rram_array.h"
#include "device/sparse_read_noise.h"

namespace lrt::device {
namespace {

constexpr double kZ = 6.0;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

RramArraySpecs mlc_specs(uint64_t cells) {
  RramArraySpecs s;
  s.cells = cells;
  s.weight_bits = 8;
  s.bits_per_cell = 4;  // two cells per word
  s.endurance.distribution = EnduranceDistribution::kFixed;
  return s;
}

TEST(RramReadNoise, CellErrorRateMatchesTheNoiseModel) {
  RramArray a(mlc_specs(100'000), 81);
  // 0x87: cell 0 at level 7, cell 1 at level 8, both far from the ends of [0, 15].
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);
  RramReadEffects fx;
  fx.noise_sigma_levels = 0.3;
  a.set_read_effects(fx);
  // A cell reads its level unless |0.3 z| >= 1/2: p_err = 2 (1 - Phi(0.5 / 0.3)).
  const double p_err = 2.0 * (1.0 - normal_cdf(0.5 / 0.3));
  uint64_t wrong_cells = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t p = a.mapping().pattern_of(a.read_word(w).code);
    wrong_cells += (p & 0xF) != 7 ? 1 : 0;
    wrong_cells += (p >> 4) != 8 ? 1 : 0;
  }
  const double n = static_cast<double>(a.cells_used());
  EXPECT_LT(std::fabs(static_cast<double>(wrong_cells) - n * p_err), kZ * std::sqrt(n * p_err * (1 - p_err)));
  EXPECT_EQ(a.peek_word(0), -121);  // the stored value is untouched
}

TEST(RramReadNoise, ReadLevelVarianceMatchesTheNoiseModel) {
  RramArray a(mlc_specs(100'000), 83);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);  // levels 7 and 8
  RramReadEffects fx;
  fx.noise_sigma_levels = 1.5;
  a.set_read_effects(fx);
  // Read level = nearest(L + 1.5 z) clamped to [0, 15]; clamping needs |1.5 z| > 6.5
  // (p < 1e-5 per cell, moving the statistics below by < 1e-4, far inside the bounds).
  // Var of nearest(1.5 z): sum_k k^2 P(k - 1/2 <= 1.5 z < k + 1/2).
  double v = 0;
  for (int k = 1; k <= 12; ++k)
    v += 2.0 * k * k * (normal_cdf((k + 0.5) / 1.5) - normal_cdf((k - 0.5) / 1.5));
  double sum = 0;
  double sum2 = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t p = a.mapping().pattern_of(a.read_word(w).code);
    const double d0 = static_cast<double>(p & 0xF) - 7.0;
    const double d1 = static_cast<double>(p >> 4) - 8.0;
    sum += d0 + d1;
    sum2 += d0 * d0 + d1 * d1;
  }
  const double n = static_cast<double>(a.cells_used());
  EXPECT_LT(std::fabs(sum / n), kZ * std::sqrt(v / n));
  // Var(K^2) = E K^4 - v^2, with E K^4 from the same sum.
  double k4 = 0;
  for (int k = 1; k <= 12; ++k) {
    k4 += 2.0 * k * k * k * k * (normal_cdf((k + 0.5) / 1.5) - normal_cdf((k - 0.5) / 1.5));
  }
  EXPECT_LT(std::fabs(sum2 / n - v), kZ * std::sqrt((k4 - v * v) / n));
}

TEST(RramReadNoise, FrozenWithinASampleFreshAcrossSamples) {
  RramArray a(mlc_specs(2000), 87);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);
  RramReadEffects fx;
  fx.noise_sigma_levels = 1.0;
  a.set_read_effects(fx);
  std::vector<int32_t> first(a.words());
  for (uint64_t w = 0; w < a.words(); ++w) first[w] = a.read_word(w).code;
  uint64_t same_again = 0;
  for (uint64_t w = 0; w < a.words(); ++w) same_again += a.read_word(w).code == first[w] ? 1 : 0;
  EXPECT_EQ(same_again, a.words());
  a.advance_samples(1);
  uint64_t same_next_sample = 0;
  for (uint64_t w = 0; w < a.words(); ++w) same_next_sample += a.read_word(w).code == first[w] ? 1 : 0;
  // With sigma = 1 level a cell reads the same in two independent samples with probability
  // sum_k P(k)^2 = 0.27, so a word (two cells) with about 0.07; certainly not 1.
  EXPECT_LT(same_next_sample, a.words() / 2);
  EXPECT_EQ(a.stats().word_reads, 3 * a.words());
}

TEST(RramPowerLaw, HandComputedDecay) {
  RramArraySpecs s = mlc_specs(64);
  s.bits_per_cell = 2;  // four cells per word
  RramArray a(s, 89);
  ASSERT_EQ(a.write_word(0, 3).cells_programmed, 1u);  // cell 0 at level 3, programmed at sample 0
  RramReadEffects fx;
  fx.power_law_nu = 0.5;
  fx.power_law_t0_samples = 1.0;
  a.set_read_effects(fx);
  // level(t) = nearest(3 * ((t + 1) / 1)^-0.5); cells at level 0 stay at 0.
  EXPECT_EQ(a.read_word(0).code, 3);  // t = 0: 3
  a.advance_samples(8);
  EXPECT_EQ(a.read_word(0).code, 1);  // t = 8: 3 / 3 = 1
  a.advance_samples(7);
  EXPECT_EQ(a.read_word(0).code, 1);  // t = 15: 3 / 4 = 0.75 -> 1
  a.advance_samples(84);
  EXPECT_EQ(a.read_word(0).code, 0);  // t = 99: 3 / 10 = 0.3 -> 0
  EXPECT_EQ(a.peek_word(0), 3);       // what is stored does not decay
  // Rewriting the same code programs nothing and so does not refresh the cell ...
  EXPECT_EQ(a.write_word(0, 3).cells_programmed, 0u);
  EXPECT_EQ(a.read_word(0).code, 0);
  // ... reprogramming it does.
  a.write_word(0, 0);
  a.write_word(0, 3);
  EXPECT_EQ(a.cell(0).program_sample, 99u);
  EXPECT_EQ(a.read_word(0).code, 3);
}

TEST(RramPowerLaw, StuckCellsDoNotDecay) {
  RramArraySpecs s = mlc_specs(64);
  s.bits_per_cell = 2;
  s.stuck_at_fault_rate = 1.0;
  s.stuck_at_high_fraction = 1.0;
  s.read_effects.power_law_nu = 0.5;
  RramArray a(s, 97);
  a.advance_samples(99);
  EXPECT_EQ(a.read_word(0).code, -1);
}

TEST(RramReadEffects, ValidatedAndReportedAsAny) {
  RramArray a(mlc_specs(64), 1);
  EXPECT_FALSE(a.read_effects().any());
  RramReadEffects bad;
  bad.noise_sigma_levels = -0.1;
  EXPECT_THROW(a.set_read_effects(bad), SpecError);
  EXPECT_FALSE(a.read_effects().any());
  RramReadEffects nu;
  nu.power_law_nu = 0.1;
  a.set_read_effects(nu);
  EXPECT_TRUE(a.read_effects().any());
}

// ---- the sparse form (sparse_read_noise.h), used while P(K != 0) <= 1/4 and no power law ----

TEST(RramSparseReadNoise, ServesSmallSigmaOnly) {
  EXPECT_FALSE(SparseReadNoise::serves(0.0));
  EXPECT_TRUE(SparseReadNoise::serves(0.2));
  EXPECT_TRUE(SparseReadNoise::serves(0.43));   // p = 0.246
  EXPECT_FALSE(SparseReadNoise::serves(0.44));  // p = 0.256
  EXPECT_NEAR(SparseReadNoise::offset_probability(0.2), 2.0 * (1.0 - normal_cdf(2.5)), 1e-15);
}

// The offsets K = nearest(sigma z) at sigma = 0.4 (p = 0.21): |K| = 1, |K| = 2 and the sign
// counts over 2e5 cells each within 6 standard deviations of the binomial expectation.
TEST(RramSparseReadNoise, OffsetDistributionMatchesNearestOfANormal) {
  RramArray a(mlc_specs(200'000), 91);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -121);  // levels 7 and 8: no clamping
  RramReadEffects fx;
  fx.noise_sigma_levels = 0.4;
  a.set_read_effects(fx);
  const double sigma = 0.4;
  const double p1 = 2.0 * (normal_cdf(1.5 / sigma) - normal_cdf(0.5 / sigma));  // |K| = 1
  const double p2 = 2.0 * (normal_cdf(2.5 / sigma) - normal_cdf(1.5 / sigma));  // |K| = 2
  uint64_t one = 0, two = 0, beyond = 0, positive = 0, nonzero = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t pat = a.mapping().pattern_of(a.read_word(w).code);
    for (const int k : {static_cast<int>(pat & 0xF) - 7, static_cast<int>(pat >> 4) - 8}) {
      const int m = k < 0 ? -k : k;
      one += m == 1;
      two += m == 2;
      beyond += m > 2;
      nonzero += m > 0;
      positive += k > 0;
    }
  }
  const double n = static_cast<double>(a.cells_used());
  const auto within = [&](uint64_t count, double p) {
    return std::fabs(static_cast<double>(count) - n * p) < kZ * std::sqrt(n * p * (1 - p)) + 1.0;
  };
  EXPECT_TRUE(within(one, p1)) << one << " vs " << n * p1;
  EXPECT_TRUE(within(two, p2)) << two << " vs " << n * p2;
  EXPECT_LE(beyond, 2u);  // P(|K| > 2) = 4e-10 per cell
  const double half = static_cast<double>(nonzero) / 2;
  EXPECT_LT(std::fabs(static_cast<double>(positive) - half), kZ * std::sqrt(half / 2));
}

// Level 0 and the top level clamp: a cell at 0 reads 0 or above (P(read > 0) = p / 2).
TEST(RramSparseReadNoise, EndLevelsClamp) {
  RramArray a(mlc_specs(100'000), 93);
  for (uint64_t w = 0; w < a.words(); ++w) a.poke_word(w, -16);  // 0xF0: cell 0 at 0, cell 1 at 15
  RramReadEffects fx;
  fx.noise_sigma_levels = 0.3;
  a.set_read_effects(fx);
  const double up = (1.0 - normal_cdf(0.5 / 0.3));
  uint64_t low_up = 0, high_down = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    const uint32_t pat = a.mapping().pattern_of(a.read_word(w).code);
    low_up += (pat & 0xF) != 0;
    high_down += (pat >> 4) != 15;
  }
  const double n = static_cast<double>(a.words());
  EXPECT_LT(std::fabs(static_cast<double>(low_up) - n * up), kZ * std::sqrt(n * up * (1 - up)));
  EXPECT_LT(std::fabs(static_cast<double>(high_down) - n * up), kZ * std::sqrt(n * up * (1 - up)));
}

// Frozen per (sample, cell) whatever the read order; fresh in the next sample; a restored
// state reads the same noise; a second array with another instance does not.
TEST(RramSparseReadNoise, PureFunctionOfSampleAndCell) {
  RramArraySpecs s = mlc_specs(20'000);
  s.read_effects.noise_sigma_levels = 0.3;
  RramArray a(s, 95), twin(s, 95), other(s, 95, 1);
  for (RramArray* x : {&a, &twin, &other})
    for (uint64_t w = 0; w < x->words(); ++w) x->poke_word(w, -121);
  a.advance_samples(3);
  twin.advance_samples(3);
  other.advance_samples(3);
  std::vector<int32_t> forward(a.words()), backward(a.words());
  for (uint64_t w = 0; w < a.words(); ++w) forward[w] = a.read_word(w).code;
  for (uint64_t w = twin.words(); w-- > 0;) backward[w] = twin.read_word(w).code;
  EXPECT_EQ(forward, backward);
  uint64_t noisy = 0, same_other = 0;
  for (uint64_t w = 0; w < a.words(); ++w) {
    noisy += forward[w] != -121;
    same_other += other.read_word(w).code == forward[w] && forward[w] != -121;
  }
  EXPECT_GT(noisy, a.words() / 20);  // p = 0.096 per cell: about 18 % of the words
  EXPECT_LT(same_other, noisy / 4);  // another instance: other cells, coincidences only

  RramArray restored(s, 95);
  restored.set_state(a.state());
  for (uint64_t w = 0; w < a.words(); ++w) ASSERT_EQ(restored.read_word(w).code, forward[w]) << w;

  a.advance_samples(1);
  uint64_t same_next = 0;
  for (uint64_t w = 0; w < a.words(); ++w) same_next += a.read_word(w).code == forward[w] && forward[w] != -121;
  EXPECT_LT(same_next, noisy / 4);
}

// The (cell, offset) events of the current sample among cells [0, 100,000).
std::vector<std::pair<uint64_t, int32_t>> events_of(const SparseReadNoise& n) {
  std::vector<std::pair<uint64_t, int32_t>> out;
  n.for_cells(0, 100'000, [&](uint64_t c, int32_t k) { out.emplace_back(c, k); });
  return out;
}

// Returns once `running()` is false (a prefetch runs at idle priority: it may take a while).
template <class Running>
void until_ended(Running&& running) {
  while (running()) std::this_thread::sleep_for(std::chrono::microseconds(100));
}

// `noise` prefetches sample `sample` of 100,000 one-cell words, lets the prefetch end and draws
// it: the events equal `fresh`'s draw of that sample.
void expect_prefetched_draw(SparseReadNoise& noise, SparseReadNoise& fresh, const CounterRng& rng,
                            uint64_t sample) {
  noise.prefetch(rng, sample, 100'000, 1);
  fresh.draw(rng, sample, 100'000, 1);
  until_ended([&] { return noise.prefetch_running(); });
  noise.draw(rng, sample, 100'000, 1);
  EXPECT_EQ(events_of(noise), events_of(fresh)) << "sample " << sample;
}

// With a pool of two threads each sample's sparse noise is drawn ahead on a thread of its own
// (SparseReadNoise::prefetch): every read equals a one-thread twin's, sample by sample, also
// across a jump of several samples (a prefetch of the wrong sample is dropped), a restore and a
// change of sigma while a prefetch is in flight, and a copy of the array.
TEST(RramSparseReadNoise, DrawnAheadOnAnotherThreadReadsTheSame) {
  RramArraySpecs s = mlc_specs(200'000);  // above the prefetch threshold (65,536 cells)
  s.read_effects.noise_sigma_levels = 0.25;
  ThreadPool pool(2);
  RramArray ahead(s, 7), plain(s, 7);
  ahead.set_thread_pool(&pool);
  for (RramArray* x : {&ahead, &plain})
    for (uint64_t w = 0; w < x->words(); ++w) x->poke_word(w, static_cast<int32_t>(w % 200) - 100);
  const auto expect_same_reads = [&](RramArray& a, const char* when) {
    for (uint64_t w = 0; w < a.words(); ++w)
      ASSERT_EQ(a.read_word(w).code, plain.read_word(w).code) << when << " word " << w;
  };
  for (int step = 0; step < 6; ++step) {
    // The prefetch runs at idle priority: on a busy host the next draw would not wait for it.
    until_ended([&] { return ahead.sparse_noise_prefetch_running(); });
    ahead.advance_samples(1);
    plain.advance_samples(1);
    expect_same_reads(ahead, "one sample");
  }
  EXPECT_GE(ahead.sparse_noise_prefetched_draws(), 5u);  // the draws after the first came from a prefetch
  EXPECT_EQ(plain.sparse_noise_prefetched_draws(), 0u);
  // A jump of three samples: the prefetch (of the next sample) is not this draw.
  ahead.advance_samples(3);
  plain.advance_samples(3);
  expect_same_reads(ahead, "after three samples");
  ahead.advance_samples(1);
  plain.advance_samples(1);
  expect_same_reads(ahead, "one sample after the jump");
  // A restore while a prefetch is in flight: the restored array draws as its twin does.
  ahead.set_state(plain.state());
  expect_same_reads(ahead, "after a restore");
  ahead.advance_samples(1);
  plain.advance_samples(1);
  expect_same_reads(ahead, "the sample after a restore");
  // A new sigma: the prefetch of the next sample, drawn at the old sigma, must not be used.
  RramReadEffects fx = s.read_effects;
  fx.noise_sigma_levels = 0.15;
  ahead.set_read_effects(fx);
  plain.set_read_effects(fx);
  expect_same_reads(ahead, "after a sigma change");
  ahead.advance_samples(1);
  plain.advance_samples(1);
  expect_same_reads(ahead, "the sample after the sigma change");
  RramArray copy = ahead;  // a copy never shares a draw in flight
  const uint64_t before = ahead.sparse_noise_prefetched_draws();
  ahead.advance_samples(1);
  plain.advance_samples(1);
  copy.advance_samples(1);
  expect_same_reads(ahead, "after the copy");
  expect_same_reads(copy, "the copy");
  EXPECT_EQ(ahead.sparse_noise_prefetched_draws(), before + 1);
}

// The class itself: a prefetch is taken only by the draw of its own sample at its own sigma.
TEST(RramSparseReadNoise, APrefetchAtAnotherSigmaIsNotTaken) {
  const CounterRng rng = make_rng(3, RngStream::kTest, 1);
  SparseReadNoise fresh, reused;
  fresh.configure(0.2);
  fresh.draw(rng, 5, 100'000, 1);
  reused.configure(0.3);
  reused.prefetch(rng, 5, 100'000, 1);
  reused.configure(0.2);  // drops the prefetch drawn at 0.3
  reused.draw(rng, 5, 100'000, 1);
  EXPECT_EQ(reused.prefetched_draws(), 0u);
  EXPECT_EQ(events_of(reused), events_of(fresh));
  expect_prefetched_draw(reused, fresh, rng, 6);
  EXPECT_EQ(reused.prefetched_draws(), 1u);
  EXPECT_GT(fresh.events(), 1000u);  // p = 1.2 % of 1e5 cells
}

// A draw whose prefetch has not finished (its idle-priority thread got no core: here it sleeps
// first, 30 s unless stopped) waits for it only kPrefetchPatience (2 ms): then it stops it and
// draws the same events itself; the next prefetch, once the stopped one has ended, is taken
// again. A draw() that waited without a limit would take the draw from the prefetch, 30 s later.
TEST(RramSparseReadNoise, ADrawDoesNotWaitForAnUnfinishedPrefetch) {
  const CounterRng rng = make_rng(3, RngStream::kTest, 2);
  SparseReadNoise fresh, slow;
  fresh.configure(0.2);
  slow.configure(0.2);
  slow.set_prefetch_delay_for_tests(std::chrono::seconds(30));
  slow.prefetch(rng, 7, 100'000, 1);
  fresh.draw(rng, 7, 100'000, 1);
  slow.draw(rng, 7, 100'000, 1);
  EXPECT_EQ(slow.prefetched_draws(), 0u);
  EXPECT_EQ(slow.unfinished_prefetches(), 1u);
  EXPECT_EQ(events_of(slow), events_of(fresh));
  until_ended([&] { return slow.prefetch_running(); });  // it saw the stop
  slow.set_prefetch_delay_for_tests(std::chrono::microseconds(0));
  expect_prefetched_draw(slow, fresh, rng, 8);
  EXPECT_EQ(slow.prefetched_draws(), 1u);
  slow.set_prefetch_delay_for_tests(std::chrono::seconds(30));
  slow.prefetch(rng, 9, 100'000, 1);  // the destructor stops this one too
}

// Words of four 2-bit cells (words with several noisy cells occur).
RramArraySpecs four_cell_words() {
  RramArraySpecs s = mlc_specs(4'000);
  s.bits_per_cell = 2;
  return s;
}
// The mappings the bulk reads are checked on: four two-bit cells a word, and one-bit cells
// (their own path in the sparse reads), eight a word (a power of two) and six (not one).
std::vector<RramArraySpecs> read_mappings() {
  RramArraySpecs eight = mlc_specs(8'000), six = mlc_specs(6'000);
  eight.bits_per_cell = six.bits_per_cell = 1;
  six.weight_bits = 6;
  return {four_cell_words(), eight, six};
}
std::string mapping_name(const RramArraySpecs& s) {
  return std::to_string(s.bits_per_cell) + "-bit cells, " + std::to_string(s.weight_bits) + "-bit words";
}
// Two twin arrays: every word written, read effects of `mode` (0 none, 1 sparse read noise,
// 2 dense noise with decay), five samples on.
void prepare_twins(int mode, RramArray& a, RramArray& b) {
  RramReadEffects fx;
  if (mode >= 1) fx.noise_sigma_levels = 0.4;
  if (mode == 2) fx.power_law_nu = 0.05;
  for (RramArray* x : {&a, &b}) {
    const auto span = static_cast<uint64_t>(x->mapping().max_code() - x->mapping().min_code() + 1);
    for (uint64_t w = 0; w < x->words(); ++w)
      x->write_word(w, static_cast<int32_t>(w % span) + x->mapping().min_code());
    x->set_read_effects(fx);
    x->advance_samples(5);
  }
}

// read_words(first, n) is n read_word() calls: codes, counters and energy, with no effects,
// sparse read noise (several events in one word included) and dense noise with decay.
TEST(RramReadWords, EqualsWordByWordReads) {
  for (const RramArraySpecs& s : read_mappings())
    for (int mode = 0; mode < 3; ++mode) {
      SCOPED_TRACE(mapping_name(s));
      RramArray bulk(s, 99), single(s, 99);
      prepare_twins(mode, bulk, single);
      const uint64_t first = 17, n = bulk.words() - 40;
      std::vector<int32_t> codes(n);
      bulk.read_words(first, n, codes.data());
      uint64_t noisy = 0;
      for (uint64_t i = 0; i < n; ++i) {
        ASSERT_EQ(codes[i], single.read_word(first + i).code) << "mode " << mode << " word " << first + i;
        noisy += codes[i] != single.peek_word(first + i);
      }
      if (mode >= 1) {
        EXPECT_GT(noisy, n / 10) << mode;  // the effects acted
      }
      EXPECT_EQ(bulk.stats().word_reads, single.stats().word_reads);
      EXPECT_EQ(bulk.stats().read_cycles, single.stats().read_cycles);
      EXPECT_EQ(bulk.energy().read, single.energy().read);
      EXPECT_THROW(bulk.read_words(bulk.words() - 1, 2, codes.data()), std::out_of_range);
    }
}

// read_deviations(first, n) is read_words() told as a difference: the same counters and energy,
// and exactly the words whose read differs from the stored code (several noisy cells of a word
// composed, clamped events that leave a word as stored not listed); refused for dense effects.
TEST(RramReadDeviations, ListsExactlyTheWordsReadWordsReadsDifferently) {
  for (const RramArraySpecs& s : read_mappings())
    for (int mode = 0; mode < 3; ++mode) {
      SCOPED_TRACE(mapping_name(s));
      RramArray sparse(s, 99), bulk(s, 99);
      prepare_twins(mode, sparse, bulk);
      const uint64_t first = 17, n = bulk.words() - 40;
      std::vector<WordCode> deviations;
      if (mode == 2) {
        EXPECT_FALSE(sparse.sparse_reads());
        EXPECT_THROW(sparse.read_deviations(first, n, deviations), std::logic_error);
        continue;
      }
      ASSERT_TRUE(sparse.sparse_reads()) << mode;
      sparse.read_deviations(first, n, deviations);
      std::vector<int32_t> codes(n);
      bulk.read_words(first, n, codes.data());
      std::vector<WordCode> want;
      for (uint64_t i = 0; i < n; ++i)
        if (codes[i] != bulk.peek_word(first + i)) want.push_back({first + i, codes[i]});
      ASSERT_EQ(deviations.size(), want.size()) << mode;
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(deviations[i].word, want[i].word) << i;
        ASSERT_EQ(deviations[i].code, want[i].code) << i;
      }
      if (mode == 1) {
        EXPECT_GT(want.size(), n / 10);  // the noise acted
      }
      EXPECT_EQ(sparse.stats().word_reads, bulk.stats().word_reads);
      EXPECT_EQ(sparse.stats().read_cycles, bulk.stats().read_cycles);
      EXPECT_EQ(sparse.energy().read, bulk.energy().read);
      EXPECT_THROW(sparse.read_deviations(sparse.words() - 1, 2, deviations), std::out_of_range);
    }
}

// A large read's deviations are found in word ranges on a pool (above 16,384 events): the
// same list, in word order, as on one thread, for the whole array, for an unaligned range, and
// for one shorter than the number of ranges.
TEST(RramReadDeviations, OnAPoolListTheSameWordsInOrder) {
  RramArraySpecs s = mlc_specs(200'000);    // 100,000 words of two 4-bit cells
  s.read_effects.noise_sigma_levels = 0.4;  // p = 21 %: about 42,000 events a sample
  ThreadPool pool(2);
  RramArray pooled(s, 5), plain(s, 5);
  pooled.set_thread_pool(&pool);
  for (RramArray* x : {&pooled, &plain})
    for (uint64_t w = 0; w < x->words(); ++w) x->poke_word(w, static_cast<int32_t>(w % 251) - 125);
  for (int sample = 0; sample < 3; ++sample) {
    pooled.advance_samples(1);
    plain.advance_samples(1);
    for (const auto& [first, n] :
         {std::pair<uint64_t, uint64_t>{0, pooled.words()}, {12'345, 54'321}, {99'997, 3}}) {
      std::vector<WordCode> got, want;
      pooled.read_deviations(first, n, got);
      plain.read_deviations(first, n, want);
      ASSERT_EQ(got.size(), want.size()) << "sample " << sample << ", first " << first;
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(got[i].word, want[i].word) << i;
        ASSERT_EQ(got[i].code, want[i].code) << i;
      }
      if (n == pooled.words()) {
        EXPECT_GT(want.size(), 16'384u);  // the pool was used
      }
    }
  }
  EXPECT_EQ(pooled.stats().word_reads, plain.stats().word_reads);
}

}  // namespace
}  // namespace lrt::device
