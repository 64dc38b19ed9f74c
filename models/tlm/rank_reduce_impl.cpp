#include "tlm/rank_reduce_impl.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "core/error.h"
#include "tlm/rank_reduce_rtl_impl.h"

namespace lrt::tlm {
namespace {

int16_t exponent_register(int e, const char* what) {
  if (e < std::numeric_limits<int16_t>::min() || e > std::numeric_limits<int16_t>::max())
    throw RunError(std::string("rank reduce: ") + what + " exponent " + std::to_string(e) +
                   " does not fit its 16-bit register");
  return static_cast<int16_t>(e);
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

RankReduceState RankReduceState::zero(const golden::RankReduceParams& params) {
  const auto q = static_cast<std::size_t>(params.rank + 1);
  RankReduceState s;
  s.q_left.assign(static_cast<std::size_t>(params.n_o) * q, 0);
  s.q_right.assign(static_cast<std::size_t>(params.n_i) * q, 0);
  s.exp_left.assign(q, 0);
  s.exp_right.assign(q, 0);
  s.cx.assign(q, 0);
  return s;
}

bool RankReduceState::operator==(const RankReduceState& o) const {
  return q_left == o.q_left && q_right == o.q_right && exp_left == o.exp_left && exp_right == o.exp_right &&
         cx == o.cx && cx_exp == o.cx_exp;
}

RankReduceImplKind parse_rank_reduce_impl_kind(const std::string& text) {
  if (text == "golden") return RankReduceImplKind::kGolden;
  if (text == "rtl") return RankReduceImplKind::kRtl;
  throw std::invalid_argument("rank reduce implementation '" + text + "': expected golden or rtl");
}

const char* to_string(RankReduceImplKind kind) {
  return kind == RankReduceImplKind::kGolden ? "golden" : "rtl";
}

std::unique_ptr<RankReduceImpl> make_rank_reduce_impl(RankReduceImplKind kind,
                                                      const golden::RankReduceParams& params,
                                                      const sc_core::sc_time& clock_period) {
  switch (kind) {
    case RankReduceImplKind::kGolden:
      return std::make_unique<GoldenRankReduceImpl>(params);
    case RankReduceImplKind::kRtl: {
      auto impl = std::make_unique<RtlRankReduceImpl>(params);
      if (clock_period != sc_core::SC_ZERO_TIME) impl->run_on_clock(clock_period);
      return impl;
    }
  }
  throw std::invalid_argument("rank reduce implementation: unknown kind");
}

GoldenRankReduceImpl::GoldenRankReduceImpl(const golden::RankReduceParams& params)
    : model_(params), backup_(params) {}

GoldenRankReduceImpl::~GoldenRankReduceImpl() { worker_.wait(); }

void GoldenRankReduceImpl::reset() {
  settle();
  model_.reset();
}

void GoldenRankReduceImpl::factors(Matrix<double>& L, Matrix<double>& R) const {
  settle();
  model_.factors(L, R);
}

void GoldenRankReduceImpl::set_state(const golden::RankReduceFixedState& s) {
  settle();
  model_.set_state(s);
}

const golden::RankReduceFixed* GoldenRankReduceImpl::golden_model() const {
  settle();
  return &model_;
}

const golden::FixedPairTrace& GoldenRankReduceImpl::last_pair() const { return ahead_ ? trace_ : model_.last_pair(); }

const golden::RankReduceStats& GoldenRankReduceImpl::stats() const {
  settle();
  return model_.stats();
}

RankReduceState GoldenRankReduceImpl::state() const {
  settle();
  RankReduceState s = RankReduceState::zero(model_.params());
  fill_state(s);
  return s;
}

void GoldenRankReduceImpl::fill_state(RankReduceState& s) const {
  const golden::RankReduceParams& p = model_.params();
  const auto uq = static_cast<std::size_t>(p.rank + 1);
  s.q_left.resize(static_cast<std::size_t>(p.n_o) * uq);
  s.q_right.resize(static_cast<std::size_t>(p.n_i) * uq);
  s.exp_left.resize(uq);
  s.exp_right.resize(uq);
  const int16_t* ql = model_.q_codes(golden::RankReduceSide::kLeft);
  const int16_t* qr = model_.q_codes(golden::RankReduceSide::kRight);
  s.q_left.assign(ql, ql + s.q_left.size());
  s.q_right.assign(qr, qr + s.q_right.size());
  fill_residual_and_metadata(s);
}

void GoldenRankReduceImpl::fill_residual_and_metadata(RankReduceState& s) const {
  const golden::RankReduceParams& p = model_.params();
  const int q = p.rank + 1;
  const auto r = static_cast<std::size_t>(p.rank);
  const auto n_o = static_cast<std::size_t>(p.n_o), n_i = static_cast<std::size_t>(p.n_i);
  const int16_t* ql = model_.q_codes(golden::RankReduceSide::kLeft) + r * n_o;
  const int16_t* qr = model_.q_codes(golden::RankReduceSide::kRight) + r * n_i;
  std::copy(ql, ql + n_o, s.q_left.begin() + static_cast<std::ptrdiff_t>(r * n_o));
  std::copy(qr, qr + n_i, s.q_right.begin() + static_cast<std::ptrdiff_t>(r * n_i));
  for (int j = 0; j < q; ++j) {
    s.exp_left[j] = exponent_register(model_.q_exponent(golden::RankReduceSide::kLeft, j), "Q_L column");
    s.exp_right[j] = exponent_register(model_.q_exponent(golden::RankReduceSide::kRight, j), "Q_R column");
  }
  s.cx = model_.cx_codes();
  s.cx_exp = exponent_register(model_.cx_exponent(), "c_x");
}

void GoldenRankReduceImpl::check_loaded(const RankReduceState& loaded, const RankReduceState& columns,
                                        const RankReduceState& held) const {
  const golden::RankReduceParams& p = model_.params();
  const int r = p.rank;
  // Fast path: columns 0..r-1 are the first r n values of each side; when they and the
  // metadata match there is nothing to name.
  const auto same_prefix = [](const std::vector<int16_t>& a, const std::vector<int16_t>& b, std::size_t n) {
    return a.size() == b.size() && std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), b.begin());
  };
  if (same_prefix(loaded.q_left, columns.q_left, static_cast<std::size_t>(r) * p.n_o) &&
      same_prefix(loaded.q_right, columns.q_right, static_cast<std::size_t>(r) * p.n_i) &&
      loaded.exp_left == held.exp_left && loaded.exp_right == held.exp_right && loaded.cx == held.cx &&
      loaded.cx_exp == held.cx_exp)
    return;
  auto fail = [&](const std::string& word, uint64_t got, uint64_t want) {
    throw RunError("rank reduce (golden implementation): the state loaded from memory differs from "
                   "the model's at " + word + ": loaded " + hex(got) + ", model " + hex(want) +
                   " (was the state region written by someone else? the golden model cannot load "
                   "an outside state)");
  };
  auto compare_columns = [&](const std::vector<int16_t>& got, const std::vector<int16_t>& want, int n,
                             const char* m) {
    if (got.size() != want.size()) fail(std::string(m) + " size", got.size(), want.size());
    for (int j = 0; j < r; ++j)  // column r is output only
      for (int i = 0; i < n; ++i) {
        const std::size_t k = static_cast<std::size_t>(j) * n + i;
        if (got[k] != want[k])
          fail(std::string(m) + "[" + std::to_string(i) + "," + std::to_string(j) + "]",
               static_cast<uint16_t>(got[k]), static_cast<uint16_t>(want[k]));
      }
  };
  compare_columns(loaded.q_left, columns.q_left, p.n_o, "Q_L");
  compare_columns(loaded.q_right, columns.q_right, p.n_i, "Q_R");
  for (std::size_t j = 0; j < held.cx.size(); ++j) {
    if (loaded.exp_left.at(j) != held.exp_left[j])
      fail("Q_L exponent " + std::to_string(j), static_cast<uint16_t>(loaded.exp_left[j]),
           static_cast<uint16_t>(held.exp_left[j]));
    if (loaded.exp_right.at(j) != held.exp_right[j])
      fail("Q_R exponent " + std::to_string(j), static_cast<uint16_t>(loaded.exp_right[j]),
           static_cast<uint16_t>(held.exp_right[j]));
    if (loaded.cx.at(j) != held.cx[j]) fail("c_x[" + std::to_string(j) + "]", loaded.cx[j], held.cx[j]);
  }
  if (loaded.cx_exp != held.cx_exp)
    fail("c_x exponent", static_cast<uint16_t>(loaded.cx_exp), static_cast<uint16_t>(held.cx_exp));
}

bool is_zero_input(const golden::RankReduceParams& params, const RankReducePair& pair) {
  const auto all_zero = [](const int16_t* x, int n) {
    return std::all_of(x, x + n, [](int16_t c) { return c == 0; });
  };
  return all_zero(pair.dz, params.n_o) || all_zero(pair.a, params.n_i);
}

void GoldenRankReduceImpl::step(RankReduceState& state, const RankReducePair& pair) {
  if (ahead_ && take_ahead(state, pair)) return;
  if (is_zero_input(model_.params(), pair)) {  // counted by the model; no state was loaded
    model_.step_codes(pair.dz, pair.dz_exp, pair.a, pair.a_exp);
    return;
  }
  if (!matches_model(state)) {  // name the first differing word
    fill_state(held_);
    check_loaded(state, held_, held_);
  }
  model_.step_codes(pair.dz, pair.dz_exp, pair.a, pair.a_exp);
  fill_state(state);
}

bool GoldenRankReduceImpl::matches_model(const RankReduceState& loaded) const {
  const golden::RankReduceParams& p = model_.params();
  const auto r = static_cast<std::size_t>(p.rank);
  const int16_t* ql = model_.q_codes(golden::RankReduceSide::kLeft);
  const int16_t* qr = model_.q_codes(golden::RankReduceSide::kRight);
  if (loaded.q_left.size() < r * p.n_o || loaded.q_right.size() < r * p.n_i ||
      !std::equal(ql, ql + r * p.n_o, loaded.q_left.begin()) || !std::equal(qr, qr + r * p.n_i, loaded.q_right.begin()))
    return false;
  for (std::size_t j = 0; j <= r; ++j)
    if (loaded.exp_left.at(j) != model_.q_exponent(golden::RankReduceSide::kLeft, static_cast<int>(j)) ||
        loaded.exp_right.at(j) != model_.q_exponent(golden::RankReduceSide::kRight, static_cast<int>(j)))
      return false;
  return loaded.cx == model_.cx_codes() && loaded.cx_exp == model_.cx_exponent();
}

void GoldenRankReduceImpl::speculate(std::vector<SpeculativePair>& pairs) {
  settle();
  if (!speculative_ || pairs.empty()) return;
  pairs_.swap(pairs);
  if (results_.size() < pairs_.size()) results_.resize(pairs_.size());
  fill_state(before_);
  backup_ = model_;
  pre_columns_ = pre_metadata_ = &before_;
  next_ = 0;
  done_ = 0;
  claimed_ = 0;
  error_ = nullptr;
  ahead_ = true;
  worker_.start([this] { run_ahead(); });
}

void GoldenRankReduceImpl::run_ahead() {
  if (worker_delay_.count() > 0) std::this_thread::sleep_for(worker_delay_);
  for (;;) {
    const std::lock_guard<std::mutex> hold(model_mutex_);
    if (claimed_ >= pairs_.size()) return;
    compute_ahead(claimed_++);
  }
}

void GoldenRankReduceImpl::compute_ahead(size_t k) {
  const golden::RankReduceParams& p = model_.params();
  const SpeculativePair& sp = pairs_[k];
  const RankReducePair pair{sp.codes.data(), sp.dz_exp, sp.codes.data() + p.n_o, sp.a_exp};
  Ahead& r = results_[k];
  try {
    model_.step_codes(pair.dz, pair.dz_exp, pair.a, pair.a_exp);
    r.changed = !is_zero_input(p, pair);
    r.trace = model_.last_pair();
    if (r.changed && r.trace.skipped_kappa && r.post.q_left.size() == before_.q_left.size())
      fill_residual_and_metadata(r.post);
    else if (r.changed)
      fill_state(r.post);
  } catch (...) {
    claimed_ = pairs_.size();  // nothing after a failed pair
    const std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
    done_ = pairs_.size();
    ready_.notify_one();
    return;
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  done_ = k + 1;
  ready_.notify_one();
}

bool GoldenRankReduceImpl::take_ahead(RankReduceState& state, const RankReducePair& pair) {
  const golden::RankReduceParams& p = model_.params();
  const SpeculativePair& sp = pairs_[next_];
  const bool same = sp.dz_exp == pair.dz_exp && sp.a_exp == pair.a_exp &&
                    std::equal(pair.dz, pair.dz + p.n_o, sp.codes.begin()) &&
                    std::equal(pair.a, pair.a + p.n_i, sp.codes.begin() + p.n_o);
  if (!same) {  // not the announced pair: compute it here, from the pairs handed out so far
    settle();
    return false;
  }
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (done_ <= next_) {
      // The worker has not reached this pair. Unless it is computing it, compute it here rather
      // than wait: a new worker can wait a millisecond or more for a core (conv1's, whose chain
      // starts last, waited 1.3 ms on average in the paper run; issue 23).
      lock.unlock();
      {
        const std::unique_lock<std::mutex> hold(model_mutex_, std::try_to_lock);
        if (hold.owns_lock() && claimed_ == next_) {
          compute_ahead(claimed_++);
          ++pairs_here_;
        }
      }
      lock.lock();
      ready_.wait(lock, [this] { return done_ > next_; });
    }
    if (error_) {
      const std::exception_ptr e = error_;
      lock.unlock();
      settle();
      std::rethrow_exception(e);
    }
  }
  const Ahead& r = results_[next_];
  if (r.changed) {
    check_loaded(state, *pre_columns_, *pre_metadata_);
    if (r.trace.skipped_kappa) {  // columns 0..r-1 as loaded (just checked): column r and the metadata
      const auto rank = static_cast<std::ptrdiff_t>(p.rank);
      const auto copy_column_r = [rank](const std::vector<int16_t>& from, std::vector<int16_t>& to, int n) {
        std::copy(from.begin() + rank * n, from.end(), to.begin() + rank * n);
      };
      copy_column_r(r.post.q_left, state.q_left, p.n_o);
      copy_column_r(r.post.q_right, state.q_right, p.n_i);
      state.exp_left = r.post.exp_left;  // same sizes: no allocation
      state.exp_right = r.post.exp_right;
      state.cx = r.post.cx;
      state.cx_exp = r.post.cx_exp;
    } else {
      state = r.post;  // same sizes: no allocation
      pre_columns_ = &r.post;
    }
    pre_metadata_ = &r.post;
  }
  trace_ = r.trace;
  ++pairs_ahead_;
  if (++next_ == pairs_.size()) settle();  // every announced pair handed out: the model is exact
  return true;
}

void GoldenRankReduceImpl::settle() const {
  if (!ahead_) return;
  {
    const std::lock_guard<std::mutex> hold(model_mutex_);
    claimed_ = pairs_.size();  // a worker cut short stops after its current pair
  }
  worker_.wait();
  ahead_ = false;
  if (next_ == pairs_.size() && !error_) return;
  // Cut short: the model ran past the pairs handed out. Back to the copy, then the handed-out
  // pairs again (the same arithmetic, so the same state).
  model_ = backup_;
  const golden::RankReduceParams& p = model_.params();
  for (size_t k = 0; k < next_; ++k) {
    const SpeculativePair& sp = pairs_[k];
    model_.step_codes(sp.codes.data(), sp.dz_exp, sp.codes.data() + p.n_o, sp.a_exp);
  }
}

}  // namespace lrt::tlm
