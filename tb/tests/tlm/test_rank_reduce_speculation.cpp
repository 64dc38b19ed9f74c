// GoldenRankReduceImpl computing announced pairs ahead on a worker thread (speculate()): every
// pair's new state and outcome equal those of an implementation that steps them one by one;
// a pair that differs from the announced one, or a call that needs the model before the
// announced pairs are done, rolls the speculation back and the results still agree; a loaded
// state that differs from the one before the pair is refused as without speculation.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/matrix.h"
#include "tlm/rank_reduce_impl.h"

namespace lrt::tlm {
namespace {

golden::RankReduceParams params(golden::RankReduceMode mode) {
  golden::RankReduceParams p;
  p.n_o = 9;
  p.n_i = 23;
  p.rank = 3;
  p.mode = mode;
  p.kappa_th = 1000.0;
  p.seed = 77;
  return p;
}

// Random pairs (a few all-zero a rows: zero inputs the unit loads nothing for).
std::vector<SpeculativePair> random_pairs(const golden::RankReduceParams& p, int n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<SpeculativePair> v(static_cast<size_t>(n));
  for (SpeculativePair& sp : v) {
    sp.codes.resize(static_cast<size_t>(p.n_o + p.n_i));
    const bool zero_a = gen() % 7 == 0;
    for (int i = 0; i < p.n_o + p.n_i; ++i)
      sp.codes[static_cast<size_t>(i)] =
          (i >= p.n_o && zero_a) ? int16_t{0} : static_cast<int16_t>(static_cast<int>(gen() % 32767) - 16383);
    sp.dz_exp = static_cast<int>(gen() % 9) - 20;
    sp.a_exp = static_cast<int>(gen() % 9) - 12;
  }
  return v;
}

RankReducePair pair_of(const golden::RankReduceParams& p, const SpeculativePair& sp) {
  return {sp.codes.data(), sp.dz_exp, sp.codes.data() + p.n_o, sp.a_exp};
}

// Steps `pairs` on `impl` as the unit does: the state it loads is what it stored last.
void step_all(GoldenRankReduceImpl& impl, RankReduceState& state, const std::vector<SpeculativePair>& pairs,
              size_t from, size_t to, std::vector<RankReduceState>* states = nullptr,
              std::vector<golden::FixedPairTrace>* traces = nullptr) {
  const golden::RankReduceParams& p = impl.params();
  for (size_t k = from; k < to; ++k) {
    impl.step(state, pair_of(p, pairs[k]));
    if (states != nullptr) states->push_back(state);
    if (traces != nullptr) traces->push_back(impl.last_pair());
  }
}

bool same_trace(const golden::FixedPairTrace& a, const golden::FixedPairTrace& b) {
  return a.pair_index == b.pair_index && a.zero_input == b.zero_input && a.skipped_kappa == b.skipped_kappa &&
         a.vanished_left == b.vanished_left && a.vanished_right == b.vanished_right && a.kept == b.kept &&
         a.sign_word == b.sign_word;
}

class Speculation : public ::testing::TestWithParam<golden::RankReduceMode> {};

TEST_P(Speculation, AnnouncedPairsGiveTheSameStatesAndOutcomesAsSteppingThemOneByOne) {
  const golden::RankReduceParams p = params(GetParam());
  const std::vector<SpeculativePair> pairs = random_pairs(p, 120, 5);
  GoldenRankReduceImpl reference(p), ahead(p);
  ahead.set_speculative(true);
  RankReduceState s_ref = RankReduceState::zero(p), s_ahead = RankReduceState::zero(p);
  std::vector<RankReduceState> want_states, got_states;
  std::vector<golden::FixedPairTrace> want_traces, got_traces;
  step_all(reference, s_ref, pairs, 0, pairs.size(), &want_states, &want_traces);
  // Three "samples" of 40 pairs, each announced before it is stepped.
  for (size_t first = 0; first < pairs.size(); first += 40) {
    std::vector<SpeculativePair> batch(pairs.begin() + static_cast<std::ptrdiff_t>(first),
                                       pairs.begin() + static_cast<std::ptrdiff_t>(first + 40));
    ahead.speculate(batch);
    step_all(ahead, s_ahead, pairs, first, first + 40, &got_states, &got_traces);
  }
  ASSERT_EQ(got_states.size(), want_states.size());
  for (size_t k = 0; k < want_states.size(); ++k) {
    EXPECT_TRUE(got_states[k] == want_states[k]) << "state after pair " << k;
    EXPECT_TRUE(same_trace(got_traces[k], want_traces[k])) << "outcome of pair " << k;
  }
  EXPECT_EQ(ahead.stats().pairs, reference.stats().pairs);
  EXPECT_EQ(ahead.stats().skipped_kappa, reference.stats().skipped_kappa);
  EXPECT_GT(reference.stats().skipped_kappa, 0u);  // kappa skips hand out column r and the metadata only
  EXPECT_TRUE(ahead.state() == reference.state());
  EXPECT_EQ(ahead.pairs_ahead(), 120u);  // every pair's result came from the worker
  EXPECT_EQ(reference.pairs_ahead(), 0u);
}

TEST_P(Speculation, PairsTheWorkerHasNotReachedAreComputedByTheCaller) {
  // A worker that starts late (here: sleeps 100 ms) leaves the first pairs to step(), which
  // computes them in its place; the worker then continues after them. The same states either way.
  const golden::RankReduceParams p = params(GetParam());
  const std::vector<SpeculativePair> pairs = random_pairs(p, 80, 6);
  GoldenRankReduceImpl reference(p), ahead(p);
  ahead.set_speculative(true);
  ahead.set_worker_delay_for_tests(std::chrono::milliseconds(100));
  RankReduceState s_ref = RankReduceState::zero(p), s_ahead = RankReduceState::zero(p);
  std::vector<RankReduceState> want_states, got_states;
  step_all(reference, s_ref, pairs, 0, pairs.size(), &want_states);
  for (size_t first = 0; first < pairs.size(); first += 40) {
    std::vector<SpeculativePair> batch(pairs.begin() + static_cast<std::ptrdiff_t>(first),
                                       pairs.begin() + static_cast<std::ptrdiff_t>(first + 40));
    ahead.speculate(batch);
    step_all(ahead, s_ahead, pairs, first, first + 40, &got_states);
  }
  ASSERT_EQ(got_states.size(), want_states.size());
  for (size_t k = 0; k < want_states.size(); ++k)
    EXPECT_TRUE(got_states[k] == want_states[k]) << "pair " << k;
  EXPECT_TRUE(ahead.state() == reference.state());
  EXPECT_EQ(ahead.stats().pairs, reference.stats().pairs);
  EXPECT_EQ(ahead.pairs_ahead(), 80u);
  EXPECT_GT(ahead.pairs_ahead_computed_here(), 0u);  // the first pair at least: the worker was asleep
}

TEST_P(Speculation, APairThatThrowsWhenTheCallerComputesItThrowsAsWithout) {
  // The worker starts late, so the caller computes the pairs; pair 2's exponent is out of range
  // (step_codes throws before it changes anything): the STEP throws what stepping it one by one
  // throws, and the model is then where the one-by-one model is, after pairs 0 and 1.
  const golden::RankReduceParams p = params(GetParam());
  std::vector<SpeculativePair> pairs = random_pairs(p, 6, 11);
  pairs[2].dz_exp = 5000;
  GoldenRankReduceImpl reference(p), ahead(p);
  ahead.set_speculative(true);
  ahead.set_worker_delay_for_tests(std::chrono::milliseconds(100));
  RankReduceState s_ref = RankReduceState::zero(p), s_ahead = RankReduceState::zero(p);
  step_all(reference, s_ref, pairs, 0, 2);
  EXPECT_THROW(reference.step(s_ref, pair_of(p, pairs[2])), std::invalid_argument);
  std::vector<SpeculativePair> announced = pairs;
  ahead.speculate(announced);
  step_all(ahead, s_ahead, pairs, 0, 2);
  EXPECT_THROW(ahead.step(s_ahead, pair_of(p, pairs[2])), std::invalid_argument);
  EXPECT_GT(ahead.pairs_ahead_computed_here(), 0u);
  EXPECT_TRUE(s_ahead == s_ref);
  EXPECT_TRUE(ahead.state() == reference.state());
  EXPECT_EQ(ahead.stats().pairs, reference.stats().pairs);
}

TEST_P(Speculation, ADifferentPairOrAnEarlyReadRollsBackToThePairsHandedOut) {
  const golden::RankReduceParams p = params(GetParam());
  const std::vector<SpeculativePair> pairs = random_pairs(p, 60, 9);
  const std::vector<SpeculativePair> other = random_pairs(p, 60, 10);
  // Reference: pairs 0..19, then other 20..39, then (after a factors read) pairs 40..59.
  GoldenRankReduceImpl reference(p), ahead(p);
  ahead.set_speculative(true);
  RankReduceState s_ref = RankReduceState::zero(p), s_ahead = RankReduceState::zero(p);
  step_all(reference, s_ref, pairs, 0, 20);
  step_all(reference, s_ref, other, 20, 40);
  const RankReduceState after_40 = s_ref;
  Matrix<double> l_ref, r_ref, l, r;
  reference.factors(l_ref, r_ref);
  step_all(reference, s_ref, pairs, 40, 50);

  std::vector<SpeculativePair> announced(pairs.begin(), pairs.begin() + 40);
  ahead.speculate(announced);
  step_all(ahead, s_ahead, pairs, 0, 20);
  step_all(ahead, s_ahead, other, 20, 40);  // not what was announced: rolled back at pair 20
  EXPECT_TRUE(s_ahead == after_40);
  std::vector<SpeculativePair> next(pairs.begin() + 40, pairs.end());
  ahead.speculate(next);
  ahead.factors(l, r);  // before any announced pair was stepped: rolled back to none
  EXPECT_EQ(l.rows(), l_ref.rows());
  for (size_t i = 0; i < l.rows() * l.cols(); ++i) EXPECT_EQ(l.data()[i], l_ref.data()[i]);
  for (size_t i = 0; i < r.rows() * r.cols(); ++i) EXPECT_EQ(r.data()[i], r_ref.data()[i]);
  step_all(ahead, s_ahead, pairs, 40, 50);  // the speculation is gone: stepped one by one
  EXPECT_EQ(ahead.pairs_ahead(), 20u);
  EXPECT_TRUE(s_ahead == s_ref);
  EXPECT_TRUE(ahead.state() == reference.state());
  EXPECT_EQ(ahead.stats().pairs, reference.stats().pairs);
}

TEST_P(Speculation, ALoadedStateThatDiffersIsRefusedAsWithout) {
  const golden::RankReduceParams p = params(GetParam());
  const std::vector<SpeculativePair> pairs = random_pairs(p, 10, 3);
  GoldenRankReduceImpl ahead(p);
  ahead.set_speculative(true);
  RankReduceState s = RankReduceState::zero(p);
  std::vector<SpeculativePair> announced = pairs;
  ahead.speculate(announced);
  step_all(ahead, s, pairs, 0, 5);
  s.q_left[1] ^= 1;  // someone else wrote the state region
  size_t k = 5;
  while (k < pairs.size() && is_zero_input(p, pair_of(p, pairs[k]))) ++k;
  ASSERT_LT(k, pairs.size());
  EXPECT_THROW(ahead.step(s, pair_of(p, pairs[k])), RunError);
}

TEST_P(Speculation, AStateChangedAfterAKappaSkipIsRefused) {
  // After a skip the unit's columns 0..r-1 are those of the last update: the check compares
  // them with that state, not with the skipped pair's (whose columns were not copied).
  const golden::RankReduceParams p = params(GetParam());
  const std::vector<SpeculativePair> pairs = random_pairs(p, 120, 5);
  GoldenRankReduceImpl reference(p);
  RankReduceState s = RankReduceState::zero(p);
  size_t skip = 0;
  for (; skip < pairs.size(); ++skip) {
    reference.step(s, pair_of(p, pairs[skip]));
    if (reference.last_pair().skipped_kappa) break;
  }
  ASSERT_GE(skip, 1u);
  ASSERT_FALSE(is_zero_input(p, pair_of(p, pairs[0])));
  const RankReduceState s_skip = s;
  size_t next = skip + 1;
  while (next < pairs.size() && is_zero_input(p, pair_of(p, pairs[next]))) ++next;
  ASSERT_LT(next, pairs.size());
  for (const bool corrupt : {false, true}) {
    GoldenRankReduceImpl ahead(p);
    ahead.set_speculative(true);
    RankReduceState t = RankReduceState::zero(p);
    // Two announcements, so that the skip's result reuses the storage of pair 0's (a full
    // state) and the worker copies only column r and the metadata into it.
    std::vector<SpeculativePair> first(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(skip));
    std::vector<SpeculativePair> rest(pairs.begin() + static_cast<std::ptrdiff_t>(skip), pairs.end());
    ahead.speculate(first);
    step_all(ahead, t, pairs, 0, skip);
    ahead.speculate(rest);
    step_all(ahead, t, pairs, skip, skip + 1);
    ASSERT_TRUE(ahead.last_pair().skipped_kappa);
    ASSERT_TRUE(t == s_skip);
    step_all(ahead, t, pairs, skip + 1, next);  // zero inputs in between, if any
    if (corrupt) {
      t.q_right[static_cast<size_t>(p.n_i) + 2] ^= 4;  // column 1, written behind the unit's back
      EXPECT_THROW(ahead.step(t, pair_of(p, pairs[next])), RunError);
    } else {
      EXPECT_NO_THROW(ahead.step(t, pair_of(p, pairs[next])));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, Speculation,
                         ::testing::Values(golden::RankReduceMode::kBiased, golden::RankReduceMode::kUnbiased));

}  // namespace
}  // namespace lrt::tlm
