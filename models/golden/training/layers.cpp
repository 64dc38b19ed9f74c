#include "golden/training/layers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "golden/training/kernels.h"
#include "golden/training/quant_flow.h"

namespace lrt::golden {
namespace {

int64_t max_abs_code(const fx::Format& f) { return std::max(-f.min_code(), f.max_code()); }

// The MAC operand of a weight code: a mid-rise code c stands for (c + 1/2) LSB, so the
// datapath multiplies 2c + 1 with one more fractional bit (fx::to_wide); exact in int16.
int weight_operand_frac(const fx::Format& w) { return w.frac_bits + (w.mid_rise ? 1 : 0); }
int64_t max_abs_weight_operand(const fx::Format& w) {
  return w.mid_rise ? 2 * max_abs_code(w) - 1 : max_abs_code(w);  // |2c + 1| <= 2^bits - 1
}

}  // namespace

// ---- AffineLayer -------------------------------------------------------------------------

AffineLayer::AffineLayer(const LayerShape& shape, const AffineSetup& s)
    : Layer(shape.in, shape.out, s.in, s.bias),
      conv_(shape.spec.kind == LayerKind::kConv3x3),
      n_o_(shape.out.c),
      k_(shape.fan_in()),
      pairs_(conv_ ? shape.out.h * shape.out.w : 1),
      alpha_exp_(s.alpha_exp),
      in_fmt_(s.in),
      w_fmt_(s.weight),
      b_fmt_(s.bias),
      g_fmt_(s.grad),
      lr_(s.learning_rate),
      train_bias_(s.train_bias),
      dither_(s.dither),
      dither_rng_(make_rng(s.updater.seed, RngStream::kDither, static_cast<uint64_t>(s.updater.layer_index))),
      z_shift_(weight_operand_frac(s.weight) + s.in.frac_bits - s.alpha_exp - s.bias.frac_bits),
      dx_shift_(weight_operand_frac(s.weight) + s.grad.frac_bits - s.alpha_exp - s.bias.frac_bits),
      w_(static_cast<size_t>(n_o_), static_cast<size_t>(k_), 0),
      b_(static_cast<size_t>(n_o_), 0),
      w16_(conv_ ? static_cast<size_t>(n_o_) * k_ : 0, 0),
      wt16_(static_cast<size_t>(n_o_) * k_, 0),
      writes_(static_cast<int64_t>(n_o_) * k_),
      acc_(static_cast<size_t>(pairs_) * n_o_),
      zclip_(static_cast<size_t>(pairs_) * n_o_),
      dz_(static_cast<size_t>(pairs_) * n_o_),
      dzq_(static_cast<size_t>(pairs_) * n_o_),
      dx32_(static_cast<size_t>(shape.in.size())) {
  if (!shape.trainable()) throw std::invalid_argument("AffineLayer: not a conv3x3 or fc layer");
  if (s.in.bits > 8 || s.weight.bits > 8 || s.grad.bits > 8 || s.bias.bits > 16)
    throw std::invalid_argument("AffineLayer: operands wider than 8 bits (or Qb wider than 16)");
  // The int32 sums of docs/golden_engine.md "Widths": forward k * |w| * |a|, backward data
  // 9 c_out (conv) or n_out (fc) * |w| * |g|, weight gradient pairs * |g| * |a|.
  const double w_max = static_cast<double>(max_abs_weight_operand(s.weight));
  const double a_max = static_cast<double>(max_abs_code(s.in));
  const double g_max = static_cast<double>(max_abs_code(s.grad));
  const double limit = 2147483647.0;
  if (k_ * w_max * a_max > limit || (conv_ ? 9.0 : 1.0) * n_o_ * w_max * g_max > limit ||
      pairs_ * g_max * a_max > limit)
    throw std::invalid_argument(
        "AffineLayer: an int32 accumulator could overflow for this shape and formats");
  if (z_shift_ < -24 || dx_shift_ < -24)
    throw std::invalid_argument("AffineLayer: formats need a left shift above 24 bits");
  if (conv_) {
    cols_.assign(static_cast<size_t>(pairs_) * k_, 0);
  }
  // Max-norm placement (train_specs.h): on dz itself, or on the bias gradient here and on the
  // weight update in the updater.
  const bool norm_updates = s.max_norm && s.max_norm_placement == MaxNormPlacement::kUpdate;
  if (s.max_norm && !norm_updates) max_norm_.emplace(s.max_norm_spec.beta, s.max_norm_spec.eps);
  if (norm_updates) bias_norm_.emplace(s.max_norm_spec.beta, s.max_norm_spec.eps);
  if (dither_.enabled) {
    if (!(dither_.scale > 0.0)) throw std::invalid_argument("AffineLayer: dither scale must be > 0");
    if (b_fmt_.frac_bits - g_fmt_.frac_bits < -40)
      throw std::invalid_argument("AffineLayer: dither needs Qg at most 40 fractional bits finer than Qb");
    dzv_.assign(dz_.size(), 0);
  }
  UpdaterParams up = s.updater;
  up.n_o = n_o_;
  up.n_i = k_;
  up.weight = s.weight;
  up.learning_rate = s.learning_rate;
  up.alpha_exp = s.alpha_exp;
  up.max_norm = norm_updates;
  up.max_norm_spec = s.max_norm_spec;
  updater_ = make_updater(up);
  if (LrtAccumulator* acc = updater_->lrt_accumulator())
    acc->set_max_batch_multiple(up.kind.max_batch_multiple);
  load_mirrors(w_.data());  // code 0 is not operand 0 in mid-rise formats
}

namespace {

// A code of a format with codes [lo, hi] rounded to drop fewer bits: nearest (ties up), saturated
// to the coarse grid, in units of the original LSB.
int64_t reduce_operand(int64_t c, int drop, int64_t lo, int64_t hi) {
  if (drop == 0) return c;
  const int64_t r = saturate(round_shift(c, drop), lo >> drop, hi >> drop);
  return r * (int64_t{1} << drop);
}

}  // namespace

int16_t AffineLayer::weight_operand(int32_t code) const {
  if (w_fmt_.mid_rise) return static_cast<int16_t>(2 * code + 1);
  return static_cast<int16_t>(reduce_operand(code, w_drop_, w_fmt_.min_code(), w_fmt_.max_code()));
}

void AffineLayer::set_operand_bits(int forward_bits, int backward_bits) {
  const int max_forward = std::min(w_fmt_.bits, in_fmt_.bits);
  if (forward_bits < 2 || forward_bits > max_forward || backward_bits < 2 || backward_bits > g_fmt_.bits)
    throw std::invalid_argument("AffineLayer: operand widths FW" + std::to_string(forward_bits) + "/BW" +
                                std::to_string(backward_bits) + " outside [2, " + std::to_string(max_forward) +
                                "] / [2, " + std::to_string(g_fmt_.bits) + "]");
  if (w_fmt_.mid_rise && forward_bits != w_fmt_.bits)
    throw std::invalid_argument("AffineLayer: mid-rise (1-2 bit) weights cannot be rounded to fewer bits");
  const int w_drop = w_fmt_.bits - forward_bits;
  a_drop_ = in_fmt_.bits - forward_bits;
  g_drop_ = g_fmt_.bits - backward_bits;
  if (w_drop != w_drop_) {
    w_drop_ = w_drop;
    load_mirrors(w_.data());
  }
  if (a_drop_ > 0 && !conv_) ain_.resize(static_cast<size_t>(k_));
}

void AffineLayer::init_he(const CounterRng& rng) {
  const double sigma = std::sqrt(2.0 / k_) * std::ldexp(1.0, -alpha_exp_);
  const double range = std::ldexp(static_cast<double>(w_fmt_.max_code() + 1), -w_fmt_.frac_bits);
  int32_t* codes = w_.data();
  for (int64_t i = 0; i < static_cast<int64_t>(n_o_) * k_; ++i) {
    double x = 0.0;
    for (uint64_t j = 0; j < 64; ++j) {
      const double draw = sigma * rng.normal(static_cast<uint64_t>(i) * 64 + j);
      if (draw >= -range && draw < range) {
        x = draw;
        break;
      }
    }
    codes[i] = static_cast<int32_t>(fx::quantize(x, w_fmt_, fx::Rounding::kNearest, 0, nullptr));
  }
  refresh_mirrors();
}

void AffineLayer::set_weight_codes(const Matrix<int32_t>& codes) {
  if (store_ != nullptr)
    throw std::logic_error("AffineLayer: weight codes set while a weight store holds them");
  if (codes.rows() != w_.rows() || codes.cols() != w_.cols())
    throw std::invalid_argument("AffineLayer: weight code matrix has the wrong shape");
  for (size_t i = 0; i < codes.rows() * codes.cols(); ++i)
    if (codes.data()[i] < w_fmt_.min_code() || codes.data()[i] > w_fmt_.max_code())
      throw std::invalid_argument("AffineLayer: weight code " + std::to_string(codes.data()[i]) +
                                  " outside " + w_fmt_.to_string());
  w_ = codes;
  refresh_mirrors();
}

void AffineLayer::set_bias_codes(const std::vector<int32_t>& codes) {
  if (codes.size() != b_.size()) throw std::invalid_argument("AffineLayer: bias vector has the wrong size");
  for (int32_t c : codes)
    if (c < b_fmt_.min_code() || c > b_fmt_.max_code())
      throw std::invalid_argument("AffineLayer: bias code " + std::to_string(c) + " outside " +
                                  b_fmt_.to_string());
  b_ = codes;
}

std::vector<MaxNormState> AffineLayer::norm_states() const {
  if (max_norm_) return {max_norm_->state()};
  if (bias_norm_) return {bias_norm_->state()};
  return {};
}

void AffineLayer::set_norm_states(const std::vector<MaxNormState>& states) {
  if (states.size() != (max_norm_ || bias_norm_ ? 1u : 0u))
    throw std::invalid_argument("AffineLayer: max-norm states of another count");
  if (max_norm_) max_norm_->set_state(states[0]);
  if (bias_norm_) bias_norm_->set_state(states[0]);
}

void AffineLayer::refresh_mirrors() { load_mirrors(w_.data()); }

// load_mirrors writes every operand, a read's deviations included.
void AffineLayer::mirrors_to_stored_codes() {
  refresh_mirrors();
  deviations_.clear();
  mirrors_hold_full_read_ = false;
}

void AffineLayer::attach_store(WeightStore* store, bool deploy) {
  const size_t cells = w_.rows() * w_.cols();
  if (store != nullptr && store->words() != cells)
    throw std::invalid_argument("AffineLayer: weight store of " + std::to_string(store->words()) +
                                " words for " + std::to_string(cells) + " weight cells");
  if (store != nullptr && !deploy)  // checked before anything changes: a refused store is not attached
    for (size_t i = 0; i < cells; ++i)
      if (store->peek(static_cast<int64_t>(i)) != w_.data()[i])
        throw std::runtime_error("AffineLayer: weight store holds code " +
                                 std::to_string(store->peek(static_cast<int64_t>(i))) + " at cell " +
                                 std::to_string(i) + " where the layer holds " + std::to_string(w_.data()[i]));
  store_ = store;
  writes_.set_journal(store_ != nullptr ? &journal_ : nullptr);
  if (store_ == nullptr) return;
  if (deploy) store_->deploy(w_.data());
  refresh_mirrors();
}

void AffineLayer::load_mirrors(const int32_t* codes) {
  // A sequential pass over the column-major codes, then a conv layer's transposed copy rebuilt
  // whole in tiles (w16_ is wt16_'s transpose): dense drift events and full reads change most
  // cells, and a single write into the transposed copy is a cache miss. After an update, which
  // changes few, the rebuild costs a little more than the writes it replaced, once a batch. An fc
  // layer has no transposed copy: its forward reads the cells' order (MacKernels::fc_forward).
  const size_t cells = static_cast<size_t>(k_) * static_cast<size_t>(n_o_);
  int16_t* out = wt16_.data();
  if (!w_fmt_.mid_rise && w_drop_ == 0) {  // the operand is the code: a narrowing the compiler vectorizes
    for (size_t i = 0; i < cells; ++i) out[i] = static_cast<int16_t>(codes[i]);
  } else {
    for (size_t i = 0; i < cells; ++i) out[i] = weight_operand(codes[i]);
  }
  // On this thread: the golden engine's layers learn (and so refresh) side by side on the pool.
  if (conv_) kern::transpose_i16(k_, n_o_, wt16_.data(), w16_.data());
}

void AffineLayer::set_mirror(uint64_t cell, int16_t operand) {
  // Cell k n_o + o; a layer has fewer than 2^32 cells, and a 32-bit division is the cheaper.
  const auto c = static_cast<uint32_t>(cell), n_o = static_cast<uint32_t>(n_o_);
  const uint32_t k = c / n_o;
  wt16_[cell] = operand;
  if (conv_) w16_[static_cast<size_t>(c - k * n_o) * static_cast<size_t>(k_) + k] = operand;
}

// The datapath's weights for this sample: a read of the store. Without read effects a read
// returns the stored codes, which the mirrors already hold, so only its cost is charged.
// With sparse read noise only the words that read differently are reported: the mirrors of
// last sample's go back to the stored codes (w_, what the store holds), then this sample's
// are set, so that the work follows the noise events, not the array's size.
void AffineLayer::read_weights() {
  if (store_ == nullptr) return;
  if (!store_->read_effects()) {
    store_->account_reads(1);
    return;
  }
  read_deviations_.clear();
  if (store_->read_deviations(read_deviations_)) {
    if (mirrors_hold_full_read_) mirrors_to_stored_codes();  // back to w_ everywhere first
    move_deviations(deviations_, read_deviations_);
    deviations_.swap(read_deviations_);
    return;
  }
  deviations_.clear();  // load_mirrors writes every operand, these included
  read_codes_.resize(w_.rows() * w_.cols());
  store_->read_all(read_codes_.data());
  load_mirrors(read_codes_.data());
  mirrors_hold_full_read_ = true;
}

// About 5 % of a large array's words deviate in each read (sigma 0.2 levels, 8 one-bit cells a
// word), so the last and this read's lists hold some 10^5 words a sample (issue 23), enough for
// a conv layer to rebuild its transposed mirror whole (an fc layer has none); the passes are
// spread over the pool in cell ranges, which write disjoint mirror entries.
void AffineLayer::move_deviations(const std::vector<WordCode>& was, const std::vector<WordCode>& now) {
  // Above one listed word in 32 cells, a conv layer's transposed copy is rebuilt whole (a tiled
  // transpose costs about 0.2 ns a cell; a scattered write into it is a cache miss, several ns)
  // and the passes write the cell-order copy only.
  const uint64_t cells = w_.rows() * w_.cols();
  const bool rebuild = conv_ && (was.size() + now.size()) * 32 > cells;
  move_deviations_spread(was, now, conv_ && !rebuild);
  if (rebuild) kern::transpose_i16_parallel(pool_, k_, n_o_, wt16_.data(), w16_.data());
}

void AffineLayer::move_deviations_spread(const std::vector<WordCode>& was, const std::vector<WordCode>& now,
                                         bool transposed) {
  constexpr size_t kParallelWords = 16384;  // below this a hand-off costs more than it saves
  if (pool_ == nullptr || pool_->threads() == 1 || was.size() + now.size() < kParallelWords) {
    move_deviations_range(was.data(), was.size(), now.data(), now.size(), 0, transposed);
    return;
  }
  const auto parts = static_cast<uint64_t>(2 * pool_->threads());
  const uint64_t cells = w_.rows() * w_.cols(), per_part = (cells + parts - 1) / parts;
  const auto at = [](const std::vector<WordCode>& v, uint64_t cell) {
    return static_cast<size_t>(
        std::lower_bound(v.begin(), v.end(), cell, [](const WordCode& d, uint64_t c) { return d.word < c; }) -
        v.begin());
  };
  pool_->parallel_for(static_cast<int64_t>(parts), [&](int64_t p) {
    const uint64_t lo = std::min(cells, static_cast<uint64_t>(p) * per_part),
                   hi = std::min(cells, lo + per_part);
    const size_t i = at(was, lo), j = at(now, lo);
    move_deviations_range(was.data() + i, at(was, hi) - i, now.data() + j, at(now, hi) - j, lo, transposed);
  });
}

void AffineLayer::move_deviations_range(const WordCode* was, size_t was_n, const WordCode* now, size_t now_n,
                                        uint64_t lo, bool transposed) {
  const auto n_o = static_cast<uint64_t>(n_o_);
  // Two plain passes, `was` back to the stored operands, then `now` to the read ones (a word in
  // both ends with its read code): each iteration stands alone, where a merge of the two lists
  // chained every step to the last one's comparison. Cell k n_o + o sits in row o of the
  // transposed copy; ascending cells move k forward without a division.
  const auto pass = [&](const WordCode* list, size_t n, auto&& operand) {
    uint64_t k = lo / n_o, row_begin = k * n_o;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t cell = list[i].word;
      const int16_t v = operand(list[i]);
      wt16_[cell] = v;
      if (!transposed) continue;
      while (cell >= row_begin + n_o) {
        ++k;
        row_begin += n_o;
      }
      w16_[(cell - row_begin) * static_cast<uint64_t>(k_) + k] = v;
    }
  };
  // The operand is the code itself unless the format is mid-rise or PFQ drops bits (as
  // load_mirrors): then no call per word.
  const bool plain = !w_fmt_.mid_rise && w_drop_ == 0;
  const auto operand = [&](int32_t code) { return plain ? static_cast<int16_t>(code) : weight_operand(code); };
  pass(was, was_n, [&](const WordCode& d) { return operand(w_.data()[d.word]); });
  pass(now, now_n, [&](const WordCode& d) { return operand(d.code); });
}

void AffineLayer::write_changed_cells() {
  if (journal_.empty()) return;
  if (!std::is_sorted(journal_.begin(), journal_.end())) std::sort(journal_.begin(), journal_.end());
  journal_.erase(std::unique(journal_.begin(), journal_.end()), journal_.end());
  store_->write(journal_, w_.data());
  journal_.clear();
}

void AffineLayer::end_sample() {
  if (store_ == nullptr) return;
  drifted_.clear();
  if (store_->end_sample(drifted_)) {  // any cell may have moved: one sequential pass
    store_->peek_all(w_.data());
    mirrors_to_stored_codes();
    return;
  }
  if (drifted_.empty()) return;
  for (int64_t c : drifted_) {  // only these cells changed (the mirrors hold w_ elsewhere, or a read)
    w_.data()[c] = store_->peek(c);
    set_mirror(static_cast<uint64_t>(c), weight_operand(w_.data()[c]));
  }
}

bool AffineLayer::forms_weight_gradient() const {
  const Scheme s = updater_->scheme();
  return s == Scheme::kOnlineSgd || s == Scheme::kPixelSgd || s == Scheme::kNaiveBatch;
}

void AffineLayer::forward(const int16_t* in, int16_t* out, bool train) {
  if (train) work_.forward_macs += static_cast<uint64_t>(pairs_) * n_o_ * k_;
  read_weights();
  if (conv_) {
    kern::im2col3x3(in_shape(), in, cols_.data());
    a_rows_ = cols_.data();
    if (a_drop_ > 0)
      for (int16_t& c : cols_) c = static_cast<int16_t>(reduce_operand(c, a_drop_, in_fmt_.min_code(), in_fmt_.max_code()));
  } else if (a_drop_ > 0) {
    for (int i = 0; i < k_; ++i)
      ain_[static_cast<size_t>(i)] = static_cast<int16_t>(reduce_operand(in[i], a_drop_, in_fmt_.min_code(), in_fmt_.max_code()));
    a_rows_ = ain_.data();
  } else {
    a_rows_ = in;
  }
  if (train) {
    const uint64_t macs = static_cast<uint64_t>(pairs_) * n_o_ * k_;
    work_.mac_bit_ops += macs * static_cast<uint64_t>(weight_operand_bits() * activation_operand_bits());
    work_.mac_bit_ops_8x8 += macs * 64;
  }
  if (conv_)
    kernels_->forward(forward_bits(), pairs_, n_o_, k_, a_rows_, w16_.data(), acc_.data());
  else  // on the cell-order weights: an fc layer keeps no transposed copy
    kernels_->fc_forward(forward_bits(), k_, n_o_, a_rows_, wt16_.data(), acc_.data());
  // z = Qb(alpha * acc * 2^-(fw + fa) + b): one rounding (b lies on the Qb grid).
  z_clips_.clipped += kern::requantize_rows(pairs_, n_o_, acc_.data(), z_shift_, b_.data(), b_fmt_.min_code(),
                                            b_fmt_.max_code(), out, zclip_.data());
  z_clips_.total += acc_.size();
}

void AffineLayer::backward(const int16_t* /*in*/, const int16_t* dout, int16_t* din, bool learn) {
  const size_t n = dz_.size();
  // Clipped STE of Qb on z (zclip_ is 0 or 1: 1 - 1 keeps nothing, 0 - 1 keeps every bit). The
  // restrict pointers let the compiler vectorize it: the flags' uint8_t may alias anything.
  {
    const uint8_t* __restrict clip = zclip_.data();
    const int16_t* __restrict in = dout;
    int16_t* __restrict out = dz_.data();
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(in[i] & (static_cast<int16_t>(clip[i]) - 1));
  }
  // dz -> (max-norm) -> Qg: the one gradient tensor for the weights, the biases and backprop.
  if (dither_.enabled) {
    // Dithered backprop (dither.h): v * 2^-shift Qg LSBs, v exact.
    int shift = b_fmt_.frac_bits - g_fmt_.frac_bits;
    if (max_norm_) {
      const int64_t m = max_norm_->observe_multiplier(dz_.data(), static_cast<int64_t>(n), b_fmt_);
      for (size_t i = 0; i < n; ++i) dzv_[i] = static_cast<int64_t>(dz_[i]) * m;
      shift += MaxNorm::kScaleFrac;
    } else {
      for (size_t i = 0; i < n; ++i) dzv_[i] = dz_[i];
    }
    if (shift < 0) {  // Qg finer than the source: an exact left shift (|dz| < 2^15, shift >= -24 checked)
      for (size_t i = 0; i < n; ++i) dzv_[i] *= int64_t{1} << -shift;
      shift = 0;
    }
    const auto count = static_cast<int64_t>(n);
    const int k = dither_step_exponent(dzv_.data(), count, shift, g_fmt_, dither_);
    dither_quantize(dzv_.data(), count, shift, k, g_fmt_, dither_rng_, dither_first_index(sample_index_),
                    dzq_.data());
    ++work_.dither_tensors;
    work_.dither_step_exp_sum += static_cast<uint64_t>(k);
  } else if (max_norm_) {
    max_norm_->normalize_to(dz_.data(), static_cast<int64_t>(n), b_fmt_, g_fmt_, dzq_.data());
  } else {
    const ShiftQuantizer qg = ShiftQuantizer::make(b_fmt_.frac_bits, g_fmt_);
    for (size_t i = 0; i < n; ++i) dzq_[i] = static_cast<int16_t>(qg(dz_[i]));
  }
  if (g_drop_ > 0)  // PFQ: dz at the stage's backward precision
    for (size_t i = 0; i < n; ++i)
      dzq_[i] = static_cast<int16_t>(reduce_operand(dzq_[i], g_drop_, g_fmt_.min_code(), g_fmt_.max_code()));
  uint64_t zeros = 0;
  for (size_t i = 0; i < n; ++i) zeros += dzq_[i] == 0;
  last_zeros_ = zeros;
  work_.dz_entries += n;
  work_.dz_zeros += zeros;
  const uint64_t nonzero = n - zeros, k = static_cast<uint64_t>(k_);
  if (din != nullptr) {
    work_.backward_data_macs += nonzero * k;
    work_.backward_data_skipped += zeros * k;
    work_.mac_bit_ops += nonzero * k * static_cast<uint64_t>(weight_operand_bits() * grad_operand_bits());
    work_.mac_bit_ops_8x8 += nonzero * k * 64;
    if (store_ != nullptr) store_->account_reads(1);  // backprop reads the weights again
    if (conv_)
      kernels_->conv_backward_data(backward_data_bits(), in_shape(), n_o_, dzq_.data(), wt16_.data(), dx32_.data());
    else
      kernels_->fc_backward_data(backward_data_bits(), k_, n_o_, dzq_.data(), wt16_.data(), dx32_.data());
    const ShiftQuantizer qb{dx_shift_, b_fmt_.min_code(), b_fmt_.max_code()};
    for (size_t i = 0; i < dx32_.size(); ++i) din[i] = static_cast<int16_t>(qb(dx32_[i]));
  }
  if (!learn) return;
  if (forms_weight_gradient()) {
    work_.weight_grad_macs += nonzero * k;
    work_.weight_grad_skipped += zeros * k;
    work_.mac_bit_ops += nonzero * k * static_cast<uint64_t>(grad_operand_bits() * activation_operand_bits());
    work_.mac_bit_ops_8x8 += nonzero * k * 64;
  }
  if (updates_bias()) {
    work_.bias_adds += nonzero;
    work_.bias_skipped += zeros;
    // db = sum over pairs of dz (Qg); update round(-lr * db / D) in Qb LSBs, D the bias
    // gradient's max-norm divisor (placement update; else 1).
    // |dz| < 2^7 (Qg <= 8 bits) over pairs < 2^24: every sum fits the array's int32.
    db_.resize(static_cast<size_t>(n_o_));
    kernels_->bias_gradient(bias_gradient_bits(), pairs_, n_o_, dzq_.data(), db_.data());
    int64_t db_max = 0;
    for (int o = 0; o < n_o_; ++o) {
      const int64_t s = db_[static_cast<size_t>(o)];
      db_max = std::max(db_max, s < 0 ? -s : s);
    }
    double scale = -lr_ * std::ldexp(1.0, b_fmt_.frac_bits - g_fmt_.frac_bits);
    if (bias_norm_) scale /= bias_norm_->observe(std::ldexp(static_cast<double>(db_max), -g_fmt_.frac_bits));
    for (int o = 0; o < n_o_; ++o) {
      const int64_t d = round_half_up_saturating(scale * static_cast<double>(db_[static_cast<size_t>(o)]));
      b_[o] = static_cast<int32_t>(saturate(b_[o] + d, b_fmt_.min_code(), b_fmt_.max_code()));
    }
  }
  learning_pending_ = true;
  if (!defer_learning_) learn_weights();
}

void AffineLayer::prepare_learning() {
  if (learning_pending_) updater_->prepare_sample(sample_pairs());
}

void AffineLayer::learn_weights() {
  if (!learning_pending_) return;
  learning_pending_ = false;
  const SamplePairs g = sample_pairs();
  const bool changed = updater_->on_sample(g, w_, writes_);
  if (store_ != nullptr) write_changed_cells();
  if (changed) refresh_mirrors();
}

SamplePairs AffineLayer::sample_pairs() {
  SamplePairs g;
  g.pairs = pairs_;
  g.n_o = n_o_;
  g.n_i = k_;
  g.dz = dzq_.data();
  g.a = a_rows_;
  g.dz_frac = g_fmt_.frac_bits;
  g.a_frac = in_fmt_.frac_bits;
  g.flusher = store_ != nullptr ? this : nullptr;
  g.kernels = kernels_;
  g.kernel_bits = weight_gradient_bits();
  return g;
}

// ---- MaxPoolLayer ------------------------------------------------------------------------

MaxPoolLayer::MaxPoolLayer(const LayerShape& shape, const fx::Format& fmt)
    : Layer(shape.in, shape.out, fmt, fmt), argmax_(static_cast<size_t>(shape.out.size())) {}

void MaxPoolLayer::forward(const int16_t* in, int16_t* out, bool) {
  kern::maxpool2_forward(in_shape(), in, out, argmax_.data());
}

void MaxPoolLayer::backward(const int16_t*, const int16_t* dout, int16_t* din, bool) {
  if (din) kern::maxpool2_backward(in_shape().size(), out_shape().size(), argmax_.data(), dout, din);
}

// ---- ActivationLayer ---------------------------------------------------------------------

ActivationLayer::ActivationLayer(const TensorShape& shape, const fx::Format& in, const fx::Format& out,
                                 bool relu)
    : Layer(shape, shape, in, out), relu_(relu), pass_(static_cast<size_t>(shape.size())) {}

void ActivationLayer::forward(const int16_t* in, int16_t* out, bool) {
  // ReLU passes where x > 0; the quantizer's clipped STE passes where it did not clip.
  const ShiftQuantizer q = ShiftQuantizer::make(in_format().frac_bits, out_format());
  kern::activation_forward(pass_.size(), in, relu_, q.shift, q.lo, q.hi, out, pass_.data());
}

void ActivationLayer::backward(const int16_t*, const int16_t* dout, int16_t* din, bool) {
  if (!din) return;
  kern::activation_backward(pass_.size(), pass_.data(), dout, din);
}

// ---- BatchNormLayer ----------------------------------------------------------------------

namespace {

StreamingBnOptions bn_options(const StreamingBnSpec& spec, const std::optional<MaxNormSpec>& affine_norm) {
  StreamingBnOptions o;
  o.bias_correction = spec.bias_correction;
  o.backward_scale_only = spec.backward_scale_only;
  if (affine_norm) o.affine_norm.emplace(affine_norm->beta, affine_norm->eps);
  return o;
}

}  // namespace

BatchNormLayer::BatchNormLayer(const TensorShape& shape, const fx::Format& in, const fx::Format& param,
                               const fx::Format& out, const StreamingBnSpec& spec, bool learning,
                               double learning_rate, const std::optional<MaxNormSpec>& affine_norm)
    : Layer(shape, shape, in, out),
      bn_(shape, in, param, out, spec.batch, spec.eps, bn_options(spec, affine_norm)),
      streaming_(spec.streaming),
      learning_(learning),
      lr_(learning_rate) {}

void BatchNormLayer::forward(const int16_t* in, int16_t* out, bool train) {
  bn_.forward(in, train && streaming_ && learning_, out);
}

void BatchNormLayer::backward(const int16_t*, const int16_t* dout, int16_t* din, bool learn) {
  bn_.backward(dout, din);
  if (learn && learning_) bn_.update_affine(lr_);
}

}  // namespace lrt::golden
