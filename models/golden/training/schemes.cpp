#include "golden/training/schemes.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "core/rng.h"
#include "golden/training/kernels.h"

namespace lrt::golden {
namespace {

// Adds delta to the code at column-major index idx with saturation; counts a write when
// the stored code changes.
inline bool apply_delta(Matrix<int32_t>& codes, int64_t idx, int32_t delta, const fx::Format& w,
                        WriteCounter& writes) {
  if (delta == 0) return false;
  int32_t& c = codes.data()[idx];
  const auto updated =
      static_cast<int32_t>(std::clamp<int64_t>(int64_t{c} + delta, w.min_code(), w.max_code()));
  if (updated == c) return false;  // saturation absorbed the update: no write
  c = updated;
  writes.record(idx);
  return true;
}

// Checks that `s` fits a scheme that keeps `sum`, `left`, `right` values (0: field unused)
// and uses the batch / sign counters only where stated.
void check_state(const UpdaterState& s, size_t sum, size_t left, size_t right, bool batched, bool signs,
                 size_t pair_updates, size_t norms) {
  if (s.sum.size() != sum || s.uoro_left.size() != left || s.uoro_right.size() != right ||
      s.pair_updates.size() != pair_updates || s.norms.size() != norms)
    throw std::invalid_argument("updater state: accumulator of another size or of another scheme");
  if ((!batched && s.samples_since_update != 0) || s.samples_since_update < 0)
    throw std::invalid_argument("updater state: batch position invalid for this scheme");
  if (!signs && s.sign_index != 0) throw std::invalid_argument("updater state: sign index of another scheme");
}

// G = sum_p dz_p a_p^T of the sample, on whatever computes the layer's MAC jobs.
void weight_gradient_of(const SamplePairs& g, int32_t* out) {
  if (g.kernels != nullptr)
    g.kernels->weight_gradient(g.kernel_bits, g.pairs, g.n_o, g.n_i, g.dz, g.a, out);
  else
    kern::weight_gradient(g.pairs, g.n_o, g.n_i, g.dz, g.a, out);
}

bool pair_is_zero(const int16_t* dz, int n) {
  for (int i = 0; i < n; ++i)
    if (dz[i] != 0) return false;
  return true;
}

// WeightUpdater::pair_updates() of the SGD schemes: per pair, +1 for every cell whose dz_o and
// a_k are both non-zero. That is the integer product of the pairs' 0/1 indicator matrices,
// sum_p [dz_po != 0] [a_pk != 0], formed with the weight-gradient kernel over the pairs that
// have a gradient at all (max-pool leaves three of four conv pixels without). A column gains at
// most `pairs` per sample, so while the largest count plus that stays below 2^32 plain adds
// cannot wrap; beyond it the counts saturate.
class PairUpdateCounter {
 public:
  PairUpdateCounter(int n_o, int n_i)
      : n_o_(n_o), n_i_(n_i), counts_(static_cast<size_t>(n_o) * n_i, 0), sample_(counts_.size()) {}
  void count(const SamplePairs& g) {
    dz_ind_.clear();
    a_ind_.clear();
    int m = 0;
    for (int p = 0; p < g.pairs; ++p) {
      const int16_t* dz = g.dz + static_cast<size_t>(p) * g.n_o;
      if (pair_is_zero(dz, g.n_o)) continue;
      const int16_t* a = g.a + static_cast<size_t>(p) * g.n_i;
      for (int o = 0; o < n_o_; ++o) dz_ind_.push_back(dz[o] != 0);
      for (int k = 0; k < n_i_; ++k) a_ind_.push_back(a[k] != 0);
      ++m;
    }
    if (m == 0) return;
    kern::weight_gradient(m, n_o_, n_i_, dz_ind_.data(), a_ind_.data(), sample_.data());  // [o][k]
    const bool may_wrap = bound_ > UINT32_MAX - static_cast<uint64_t>(m);
    bound_ = may_wrap ? UINT32_MAX : bound_ + static_cast<uint64_t>(m);
    for (int o = 0; o < n_o_; ++o)
      for (int k = 0; k < n_i_; ++k) {
        uint32_t& c = counts_[static_cast<size_t>(k) * n_o_ + o];
        const auto add = static_cast<uint32_t>(sample_[static_cast<size_t>(o) * n_i_ + k]);
        c = may_wrap && c > UINT32_MAX - add ? UINT32_MAX : c + add;
      }
  }
  const std::vector<uint32_t>& counts() const { return counts_; }
  void set(const std::vector<uint32_t>& counts) {
    if (counts.size() != counts_.size()) throw std::invalid_argument("updater state: pair counts of another size");
    counts_ = counts;
    bound_ = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  }

 private:
  int n_o_, n_i_;
  std::vector<uint32_t> counts_;
  uint64_t bound_ = 0;                   // >= the largest count
  std::vector<int32_t> sample_;          // this sample's counts, [o][k]
  std::vector<int16_t> dz_ind_, a_ind_;  // 0/1 indicators of the pairs with a gradient
};

// alpha when the weight gradient is (alpha dz) a^T, else 1.
double gradient_alpha(const UpdaterParams& p) {
  return p.weight_gradient_alpha ? std::ldexp(1.0, p.alpha_exp) : 1.0;
}

// Scale turning an integer sum of dz a^T codes (dz_frac + a_frac fractional bits) into
// weight-LSB units of -lr * sum (alpha dz) a^T.
double sgd_scale(const UpdaterParams& p, int dz_frac, int a_frac) {
  return -p.learning_rate * gradient_alpha(p) * std::ldexp(1.0, p.weight.frac_bits - dz_frac - a_frac);
}

// The max-norm states of a weight update (UpdaterParams::max_norm; Appendix D applied where
// the authors apply it): `count` tensors, none when off.
MaxNormSet update_norms(const UpdaterParams& p, size_t count) {
  return MaxNormSet(p.max_norm, count, p.max_norm_spec.beta, p.max_norm_spec.eps);
}

class FrozenWeights final : public WeightUpdater {
 public:
  explicit FrozenWeights(Scheme s) : scheme_(s) {}
  bool on_sample(const SamplePairs&, Matrix<int32_t>&, WriteCounter&) override {
    ++stats_.samples;
    return false;
  }
  Scheme scheme() const override { return scheme_; }
  const UpdaterStats& stats() const override { return stats_; }
  UpdaterState state() const override { return {stats_, 0, {}, {}, {}, 0, {}, {}}; }
  void set_state(const UpdaterState& s) override {
    check_state(s, 0, 0, 0, false, false, 0, 0);
    stats_ = s.stats;
  }

 private:
  Scheme scheme_;
  UpdaterStats stats_;
};

// What the two SGD schemes share: counters, the pair-update counts and their state.
class SgdUpdater : public WeightUpdater {
 public:
  explicit SgdUpdater(const UpdaterParams& p) : p_(p), norms_(update_norms(p, 2)) {
    if (p.count_pair_updates) pairs_.emplace(p.n_o, p.n_i);
  }
  const UpdaterStats& stats() const override { return stats_; }
  const std::vector<uint32_t>* pair_updates() const override { return pairs_ ? &pairs_->counts() : nullptr; }
  size_t norm_count() const override { return norms_.size(); }
  UpdaterState state() const override {
    return {stats_, 0, {}, {}, {}, 0, pairs_ ? pairs_->counts() : std::vector<uint32_t>{}, norms_.states()};
  }
  void set_state(const UpdaterState& s) override {
    check_state(s, 0, 0, 0, false, false, pairs_ ? pairs_->counts().size() : 0, norms_.size());
    stats_ = s.stats;
    if (pairs_) pairs_->set(s.pair_updates);
    norms_.set_states(s.norms);
  }

 protected:
  // Counts the sample (stats and pair updates) before a scheme forms its update and returns the
  // sample's scale: sgd_scale, divided with max-norm by the divisors of a and of alpha dz (the
  // authors' MN_fA, MN_dZ of the whole sample's tensors).
  double begin_sample(const SamplePairs& g) {
    ++stats_.samples;
    ++stats_.attempts;
    if (pairs_) pairs_->count(g);
    double scale = sgd_scale(p_, g.dz_frac, g.a_frac);
    if (norms_.on()) {
      const int64_t pairs = g.pairs;
      const double a_max = std::ldexp(max_abs_code(g.a, pairs * g.n_i), -g.a_frac);
      const double dz_max = gradient_alpha(p_) * std::ldexp(max_abs_code(g.dz, pairs * g.n_o), -g.dz_frac);
      scale /= norms_.divisor(0, a_max) * norms_.divisor(1, dz_max);
    }
    return scale;
  }

  UpdaterParams p_;
  UpdaterStats stats_;
  MaxNormSet norms_;

 private:
  std::optional<PairUpdateCounter> pairs_;  // null: not counted (pre-training)
};

// Online SGD: dW = -eta * sum_p dz_p a_p^T written every sample.
class OnlineSgd final : public SgdUpdater {
 public:
  explicit OnlineSgd(const UpdaterParams& p)
      : SgdUpdater(p), grad_(static_cast<size_t>(p.n_o) * static_cast<size_t>(p.n_i)) {}

  bool on_sample(const SamplePairs& g, Matrix<int32_t>& codes, WriteCounter& writes) override {
    const double scale = begin_sample(g);
    weight_gradient_of(g, grad_.data());
    bool changed = false;
    int64_t nonzero = 0;
    for (int o = 0; o < p_.n_o; ++o)
      for (int k = 0; k < p_.n_i; ++k) {
        const double v = scale * static_cast<double>(grad_[static_cast<size_t>(o) * p_.n_i + k]);
        if (v >= -0.5 && v < 0.5) continue;  // rounds to 0: most cells, most samples
        const int32_t d = round_half_up_saturating(v);
        ++nonzero;
        changed |= apply_delta(codes, static_cast<int64_t>(k) * p_.n_o + o, d, p_.weight, writes);
      }
    ++stats_.applied;
    stats_.last_density = static_cast<double>(nonzero) / (static_cast<double>(p_.n_o) * p_.n_i);
    return changed;
  }
  Scheme scheme() const override { return Scheme::kOnlineSgd; }

 private:
  std::vector<int32_t> grad_;  // n_o x n_i row-major, per sample
};

// Online SGD without an accumulator over pairs: each pair's update -eta dz_p a_p^T is rounded
// to weight LSBs and written as soon as it is formed, as hardware that holds no gradient
// buffer must do for a convolution (one write pass per output pixel). For an fc layer (one
// pair) it equals OnlineSgd. This is the SGD whose conv writes the LRT paper counts ("updates
// are applied at each pixel", Sec. 7.2): a pair's contribution below half an LSB is lost.
class PixelSgd final : public SgdUpdater {
 public:
  explicit PixelSgd(const UpdaterParams& p) : SgdUpdater(p) {}

  bool on_sample(const SamplePairs& g, Matrix<int32_t>& codes, WriteCounter& writes) override {
    const double scale = begin_sample(g);
    bool changed = false;
    int64_t nonzero = 0, offered = 0;
    products_.resize(static_cast<size_t>(p_.n_o) * p_.n_i);
    for (int p = 0; p < g.pairs; ++p) {
      SamplePairs pair = g;  // the pixel's products dz_o a_k: a one-pair weight-gradient job
      pair.pairs = 1;
      pair.dz = g.dz + static_cast<size_t>(p) * g.n_o;
      pair.a = g.a + static_cast<size_t>(p) * g.n_i;
      weight_gradient_of(pair, products_.data());  // every pixel's job runs, as the MAC counts say
      const int16_t* dz = pair.dz;
      if (pair_is_zero(dz, g.n_o)) continue;  // no gradient at this pixel: nothing to write
      ++offered;
      bool pair_changed = false;
      for (int o = 0; o < p_.n_o; ++o) {
        if (dz[o] == 0) continue;
        const int32_t* row = products_.data() + static_cast<size_t>(o) * p_.n_i;
        for (int k = 0; k < p_.n_i; ++k) {
          const double v = scale * static_cast<double>(row[k]);
          if (v >= -0.5 && v < 0.5) continue;
          ++nonzero;
          pair_changed |= apply_delta(codes, static_cast<int64_t>(k) * p_.n_o + o, round_half_up_saturating(v),
                                      p_.weight, writes);
        }
      }
      if (pair_changed && g.flusher != nullptr) g.flusher->flush();
      changed |= pair_changed;
    }
    ++stats_.applied;
    const double cells = static_cast<double>(p_.n_o) * p_.n_i;
    stats_.last_density = offered == 0 ? 0.0 : static_cast<double>(nonzero) / (cells * static_cast<double>(offered));
    return changed;
  }
  Scheme scheme() const override { return Scheme::kPixelSgd; }

 private:
  std::vector<int32_t> products_;  // n_o x n_i, one pixel's
};

// Shared rule of the batched schemes: every B samples form the update from the summed
// gradient, apply it when its density reaches rho_min, otherwise keep accumulating.
class BatchedUpdater : public WeightUpdater {
 public:
  BatchedUpdater(const UpdaterParams& p, size_t norms)
      : p_(p), norms_(update_norms(p, norms)), delta_(static_cast<size_t>(p.n_o) * p.n_i) {}
  const UpdaterStats& stats() const override { return stats_; }
  size_t norm_count() const override { return norms_.size(); }

 protected:
  bool boundary() const { return samples_since_update_ % p_.kind.batch == 0; }
  // -lr * alpha * B_eff^p (sum) or that / B_eff (mean), in weight LSBs per unit of dz a^T.
  double batch_scale() const {
    const double b_eff = static_cast<double>(samples_since_update_);
    const double s = -p_.learning_rate * gradient_alpha(p_) * std::ldexp(1.0, p_.weight.frac_bits) *
                     std::pow(b_eff, p_.batch_exponent);
    return p_.batched_update == BatchedUpdate::kMean ? s / b_eff : s;
  }
  // delta_ (column-major) holds the candidate update; applies it if dense enough.
  bool try_apply(int64_t nonzero, Matrix<int32_t>& codes, WriteCounter& writes) {
    ++stats_.attempts;
    const double cells = static_cast<double>(p_.n_o) * p_.n_i;
    stats_.last_density = static_cast<double>(nonzero) / cells;
    if (stats_.last_density < p_.rho_min) return false;  // B_eff grows by B next time
    bool changed = false;
    for (size_t i = 0; i < delta_.size(); ++i)
      changed |= apply_delta(codes, static_cast<int64_t>(i), delta_[i], p_.weight, writes);
    ++stats_.applied;
    samples_since_update_ = 0;
    applied_ = true;
    return changed;
  }

  UpdaterParams p_;
  UpdaterStats stats_;
  MaxNormSet norms_;
  int64_t samples_since_update_ = 0;
  bool applied_ = false;  // set by try_apply when the accumulator must be cleared
  std::vector<int32_t> delta_;
};

// Naive batch: a full-size int64 accumulator of sum dz a^T (exact).
class NaiveBatch final : public BatchedUpdater {
 public:
  explicit NaiveBatch(const UpdaterParams& p)
      : BatchedUpdater(p, 1), grad_(delta_.size()), acc_(delta_.size(), 0) {}

  bool on_sample(const SamplePairs& g, Matrix<int32_t>& codes, WriteCounter& writes) override {
    ++stats_.samples;
    ++samples_since_update_;
    weight_gradient_of(g, grad_.data());
    for (size_t i = 0; i < acc_.size(); ++i) acc_[i] += grad_[i];
    if (!boundary()) return false;
    double scale = batch_scale() * std::ldexp(1.0, -g.dz_frac - g.a_frac);
    if (norms_.on()) {  // ours (the authors have no naive batch): max-norm of the summed gradient
      int64_t m = 0;
      for (int64_t v : acc_) m = std::max(m, v < 0 ? -v : v);
      scale /= norms_.divisor(0, gradient_alpha(p_) * std::ldexp(static_cast<double>(m), -g.dz_frac - g.a_frac));
    }
    int64_t nonzero = 0;
    for (int o = 0; o < p_.n_o; ++o)
      for (int k = 0; k < p_.n_i; ++k) {
        // |acc| < 2^53 for any realistic B_eff, so the conversion is exact.
        const int32_t d =
            round_half_up_saturating(scale * static_cast<double>(acc_[static_cast<size_t>(o) * p_.n_i + k]));
        delta_[static_cast<size_t>(k) * p_.n_o + o] = d;
        nonzero += d != 0;
      }
    applied_ = false;
    const bool changed = try_apply(nonzero, codes, writes);
    if (applied_) std::fill(acc_.begin(), acc_.end(), 0);
    return changed;
  }
  Scheme scheme() const override { return Scheme::kNaiveBatch; }
  UpdaterState state() const override {
    return {stats_, samples_since_update_, acc_, {}, {}, 0, {}, norms_.states()};
  }
  void set_state(const UpdaterState& s) override {
    check_state(s, acc_.size(), 0, 0, true, false, 0, norms_.size());
    stats_ = s.stats;
    norms_.set_states(s.norms);
    samples_since_update_ = s.samples_since_update;
    acc_ = s.sum;
  }

 private:
  std::vector<int32_t> grad_;  // n_o x n_i row-major, per sample
  std::vector<int64_t> acc_;   // n_o x n_i row-major, since the last applied update
};

// UORO: rank-1 unbiased estimate, applied like LRT.
class Uoro final : public BatchedUpdater {
 public:
  explicit Uoro(const UpdaterParams& p)
      : BatchedUpdater(p, 2),
        est_(p.n_o, p.n_i),
        signs_(make_rng(p.seed, RngStream::kRankReduceSigns,
                        (uint64_t{1} << 16) + static_cast<uint64_t>(p.layer_index))),
        dz_(static_cast<size_t>(p.n_o)),
        a_(static_cast<size_t>(p.n_i)) {}

  bool on_sample(const SamplePairs& g, Matrix<int32_t>& codes, WriteCounter& writes) override {
    ++stats_.samples;
    ++samples_since_update_;
    const double dz_lsb = std::ldexp(1.0, -g.dz_frac), a_lsb = std::ldexp(1.0, -g.a_frac);
    for (int pr = 0; pr < g.pairs; ++pr) {
      const int16_t* dz = g.dz + static_cast<int64_t>(pr) * g.n_o;
      if (pair_is_zero(dz, g.n_o)) continue;  // adds nothing to the sum
      const int16_t* a = g.a + static_cast<int64_t>(pr) * g.n_i;
      for (int o = 0; o < g.n_o; ++o) dz_[o] = dz[o] * dz_lsb;
      for (int k = 0; k < g.n_i; ++k) a_[k] = a[k] * a_lsb;
      // One sign per offered pair: bit (n mod 32) of word n / 32 of the layer's stream.
      const uint32_t word = signs_.bits32(sign_index_ >> 5);
      const int sign = (word >> (sign_index_ & 31)) & 1u ? -1 : 1;
      ++sign_index_;
      est_.step(dz_.data(), a_.data(), sign);
    }
    if (!boundary()) return false;
    double scale = batch_scale();
    const std::vector<double>& l = est_.left();
    const std::vector<double>& r = est_.right();
    if (norms_.on())  // as LRT's factors: alpha L and R
      scale /= norms_.divisor(0, gradient_alpha(p_) * max_abs_value(l.data(), l.size())) *
               norms_.divisor(1, max_abs_value(r.data(), r.size()));
    int64_t nonzero = 0;
    for (int k = 0; k < p_.n_i; ++k)
      for (int o = 0; o < p_.n_o; ++o) {
        const int32_t d = round_half_up_saturating(scale * (l[o] * r[k]));
        delta_[static_cast<size_t>(k) * p_.n_o + o] = d;
        nonzero += d != 0;
      }
    applied_ = false;
    const bool changed = try_apply(nonzero, codes, writes);
    if (applied_) est_.reset();
    return changed;
  }
  Scheme scheme() const override { return Scheme::kUoro; }
  UpdaterState state() const override {
    return {stats_, samples_since_update_, {}, est_.left(), est_.right(), sign_index_, {}, norms_.states()};
  }
  void set_state(const UpdaterState& s) override {
    check_state(s, 0, est_.left().size(), est_.right().size(), true, true, 0, norms_.size());
    stats_ = s.stats;
    norms_.set_states(s.norms);
    samples_since_update_ = s.samples_since_update;
    est_.set(s.uoro_left, s.uoro_right);
    sign_index_ = s.sign_index;
  }

 private:
  UoroEstimator est_;
  CounterRng signs_;
  uint64_t sign_index_ = 0;
  std::vector<double> dz_, a_;
};

// LRT: pairs go to the layer's LrtAccumulator, which forms and applies the updates.
class Lrt final : public WeightUpdater {
 public:
  explicit Lrt(const UpdaterParams& p) : p_(p), acc_(accumulator_params(p)) {}

  bool on_sample(const SamplePairs& g, Matrix<int32_t>& codes, WriteCounter& writes) override {
    ++stats_.samples;
    if (!prepared_) prepare_sample(g);
    prepared_ = false;
    for (int pr : rows_)
      acc_.offer_codes(g.dz + static_cast<int64_t>(pr) * g.n_o, g.dz_frac, g.a + static_cast<int64_t>(pr) * g.n_i,
                       g.a_frac);
    const bool at_boundary = (acc_.samples_since_update() + 1) % p_.kind.batch == 0;
    if (at_boundary) snapshot_.assign(codes.data(), codes.data() + codes.rows() * codes.cols());
    const LrtUpdateResult res = acc_.end_sample(codes, g.kernels);
    if (!res.attempted) return false;
    ++stats_.attempts;
    stats_.last_density = res.density;
    if (!res.applied) return false;
    ++stats_.applied;
    if (res.changed == 0) return false;
    writes.record_changes(snapshot_.data(), codes.data());
    return true;
  }
  // The pairs with a gradient, announced to the reducer. A pair with zero dz adds nothing to
  // sum dz a^T; not offering it also saves the rankReduce step (max-pool leaves 3 of 4 conv
  // pixels without gradient).
  void prepare_sample(const SamplePairs& g) override {
    rows_.clear();
    for (int pr = 0; pr < g.pairs; ++pr)
      if (!pair_is_zero(g.dz + static_cast<int64_t>(pr) * g.n_o, g.n_o)) rows_.push_back(pr);
    acc_.prepare_codes(g.dz, g.dz_frac, g.a, g.a_frac, rows_);
    prepared_ = true;
  }
  Scheme scheme() const override { return Scheme::kLrt; }
  const UpdaterStats& stats() const override { return stats_; }
  const LrtAccumulator* lrt_accumulator() const override { return &acc_; }
  LrtAccumulator* lrt_accumulator() override { return &acc_; }
  size_t norm_count() const override { return acc_.factor_norms().size(); }
  // The batch position and the factors' max-norm states live in the accumulator.
  UpdaterState state() const override { return {stats_, 0, {}, {}, {}, 0, {}, acc_.factor_norms()}; }
  void set_state(const UpdaterState& s) override {
    check_state(s, 0, 0, 0, false, false, 0, acc_.factor_norms().size());
    stats_ = s.stats;
    acc_.set_factor_norms(s.norms);
  }

 private:
  static LrtAccumulatorParams accumulator_params(const UpdaterParams& p) {
    LrtAccumulatorParams a;
    a.reducer.n_o = p.n_o;
    a.reducer.n_i = p.n_i;
    a.reducer.rank = p.kind.rank;
    a.reducer.mode = p.kind.mode;
    a.reducer.kappa_th = p.kind.kappa_th;
    a.reducer.seed =
        make_rng(p.seed, RngStream::kRankReduceSigns, static_cast<uint64_t>(p.layer_index)).bits32(0);
    a.arith = p.arith;
    a.batch = p.kind.batch;
    a.learning_rate = p.learning_rate;
    a.gradient_scale = gradient_alpha(p);
    a.sum_update = p.batched_update == BatchedUpdate::kSum;
    a.max_norm = p.max_norm;
    a.max_norm_spec = p.max_norm_spec;
    a.batch_exponent = p.batch_exponent;
    a.rho_min = p.rho_min;
    a.weight_lsb = std::ldexp(1.0, -p.weight.frac_bits);
    a.code_min = static_cast<int32_t>(p.weight.min_code());
    a.code_max = static_cast<int32_t>(p.weight.max_code());
    return a;
  }

  UpdaterParams p_;
  LrtAccumulator acc_;
  std::vector<int32_t> snapshot_;
  UpdaterStats stats_;
  std::vector<int> rows_;  // this sample's pairs with a gradient
  bool prepared_ = false;  // rows_ announced for the coming on_sample
};

}  // namespace

UoroEstimator::UoroEstimator(int n_o, int n_i)
    : left_(static_cast<size_t>(n_o), 0.0), right_(static_cast<size_t>(n_i), 0.0) {}

void UoroEstimator::step(const double* dz, const double* a, int sign) {
  double nl = 0.0, nr = 0.0, nd = 0.0, na = 0.0;
  for (size_t i = 0; i < left_.size(); ++i) {
    nl += left_[i] * left_[i];
    nd += dz[i] * dz[i];
  }
  for (size_t i = 0; i < right_.size(); ++i) {
    nr += right_[i] * right_[i];
    na += a[i] * a[i];
  }
  if (nd == 0.0 || na == 0.0) return;
  // rho0 balances |rho0 L| = |R / rho0|; rho1 balances |rho1 dz| = |a / rho1|. Both only
  // rescale the factors, so any positive value keeps the estimate unbiased.
  const double rho0 = (nl > 0.0 && nr > 0.0) ? std::sqrt(std::sqrt(nr) / std::sqrt(nl)) : 1.0;
  const double rho1 = std::sqrt(std::sqrt(na) / std::sqrt(nd));
  const double s = sign < 0 ? -1.0 : 1.0;
  for (size_t i = 0; i < left_.size(); ++i) left_[i] = rho0 * left_[i] + s * rho1 * dz[i];
  for (size_t i = 0; i < right_.size(); ++i) right_[i] = right_[i] / rho0 + s * a[i] / rho1;
}

void UoroEstimator::reset() {
  std::fill(left_.begin(), left_.end(), 0.0);
  std::fill(right_.begin(), right_.end(), 0.0);
}

void UoroEstimator::set(const std::vector<double>& left, const std::vector<double>& right) {
  if (left.size() != left_.size() || right.size() != right_.size())
    throw std::invalid_argument("UORO estimator: factors of another size");
  left_ = left;
  right_ = right;
}

std::unique_ptr<WeightUpdater> make_updater(const UpdaterParams& p) {
  if (p.n_o < 1 || p.n_i < 1) throw std::invalid_argument("updater: empty layer");
  if (p.kind.batch < 1) throw std::invalid_argument("updater: batch must be >= 1");
  switch (p.kind.scheme) {
    case Scheme::kInferenceOnly:
    case Scheme::kBiasOnly:
      return std::make_unique<FrozenWeights>(p.kind.scheme);
    case Scheme::kOnlineSgd:
      return std::make_unique<OnlineSgd>(p);
    case Scheme::kNaiveBatch:
      return std::make_unique<NaiveBatch>(p);
    case Scheme::kLrt:
      return std::make_unique<Lrt>(p);
    case Scheme::kUoro:
      return std::make_unique<Uoro>(p);
    case Scheme::kPixelSgd:
      return std::make_unique<PixelSgd>(p);
  }
  throw std::invalid_argument("updater: unknown scheme");
}

}  // namespace lrt::golden
