#include "cosim/stimulus.h"

#include <cmath>
#include <random>

#include "golden/rank_reduce/rank_reduce_fixed.h"

namespace lrt::cosim {

namespace {

using golden::RankReduceFixed;

CosimPair from_doubles(const std::vector<double>& dz, const std::vector<double>& a,
                       const std::string& label) {
  CosimPair p;
  p.dz.resize(dz.size());
  p.a.resize(a.size());
  p.dz_exp = RankReduceFixed::quantize_input(dz.data(), static_cast<int>(dz.size()), p.dz.data());
  p.a_exp = RankReduceFixed::quantize_input(a.data(), static_cast<int>(a.size()), p.a.data());
  p.label = label;
  return p;
}

CosimPair from_codes(std::vector<int16_t> dz, int dz_exp, std::vector<int16_t> a, int a_exp,
                     const std::string& label) {
  CosimPair p;
  p.dz = std::move(dz);
  p.a = std::move(a);
  p.dz_exp = dz_exp;
  p.a_exp = a_exp;
  p.label = label;
  return p;
}

std::vector<double> gaussian(int n, std::mt19937_64& rng) {
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = g(rng);
  return v;
}

}  // namespace

std::vector<CosimPair> directed_pairs(int n_o, int n_i, uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0xD1CEC0DEull);
  std::vector<CosimPair> out;
  const auto zo = std::vector<int16_t>(static_cast<size_t>(n_o), 0);
  const auto zi = std::vector<int16_t>(static_cast<size_t>(n_i), 0);
  const auto go = gaussian(n_o, rng);
  const auto gi = gaussian(n_i, rng);
  // Zero vectors: a zero dz, a zero a, both (state untouched, the pair counted).
  out.push_back(from_codes(zo, 0, from_doubles(go, gi, "").a, -3, "zero dz"));
  out.push_back(from_codes(from_doubles(go, gi, "").dz, -5, zi, 0, "zero a"));
  out.push_back(from_codes(zo, 0, zi, 0, "zero dz and a"));
  // The first real pair: one-hot on both sides (from the reset state its cycle count is
  // exact, docs/rtl.md), then a Gaussian one and saturated codes.
  {
    std::vector<int16_t> o(static_cast<size_t>(n_o), 0), i(static_cast<size_t>(n_i), 0);
    o[0] = 16384;
    i[static_cast<size_t>(n_i - 1)] = -32767;
    out.push_back(from_codes(o, -7, i, 2, "one-hot (first)"));
    // The same again: after one pair the basis is that pair's direction, so both residuals
    // vanish (a degenerate pair at every rank and kappa_th).
    out.push_back(from_codes(o, -7, i, 2, "one-hot (again: in the span)"));
  }
  out.push_back(from_doubles(go, gi, "gaussian"));
  out.push_back(from_codes(std::vector<int16_t>(static_cast<size_t>(n_o), 32767), 0,
                           std::vector<int16_t>(static_cast<size_t>(n_i), 32767), 0, "all +32767"));
  out.push_back(from_codes(std::vector<int16_t>(static_cast<size_t>(n_o), -32768), -2,
                           std::vector<int16_t>(static_cast<size_t>(n_i), -32768), 1, "all -32768"));
  std::vector<int16_t> alt_o(static_cast<size_t>(n_o)), alt_i(static_cast<size_t>(n_i));
  for (int k = 0; k < n_o; ++k) alt_o[static_cast<size_t>(k)] = (k % 2) ? -32768 : 32767;
  for (int k = 0; k < n_i; ++k) alt_i[static_cast<size_t>(k)] = (k % 3) ? 32767 : -32768;
  out.push_back(from_codes(alt_o, 3, alt_i, -4, "alternating +32767 / -32768"));
  // Repeated identical pairs (in-span: residuals vanish).
  const CosimPair rep = from_doubles(gaussian(n_o, rng), gaussian(n_i, rng), "repeated pair");
  for (int k = 0; k < 3; ++k) out.push_back(rep);
  // Rank-deficient stream: dz from a 2-dimensional span, a fresh.
  const auto b1 = gaussian(n_o, rng);
  const auto b2 = gaussian(n_o, rng);
  for (int k = 0; k < 4; ++k) {
    std::vector<double> dz(static_cast<size_t>(n_o));
    const double c1 = std::normal_distribution<double>(0, 1)(rng),
                 c2 = std::normal_distribution<double>(0, 1)(rng);
    for (int i = 0; i < n_o; ++i)
      dz[static_cast<size_t>(i)] = c1 * b1[static_cast<size_t>(i)] + c2 * b2[static_cast<size_t>(i)];
    out.push_back(from_doubles(dz, gaussian(n_i, rng), "rank-deficient dz"));
  }
  // Pairs far below the state (kappa skips at kappa_th = 100), and far above it.
  for (int k = 0; k < 3; ++k) {
    CosimPair p = from_doubles(gaussian(n_o, rng), gaussian(n_i, rng), "tiny pair (kappa skip)");
    p.dz_exp -= 12;
    p.a_exp -= 12;
    out.push_back(p);
  }
  {
    CosimPair p = from_doubles(gaussian(n_o, rng), gaussian(n_i, rng), "huge pair");
    p.dz_exp += 20;
    out.push_back(p);
  }
  // One-hot vectors.
  for (int k = 0; k < 2; ++k) {
    std::vector<int16_t> o(static_cast<size_t>(n_o), 0), i(static_cast<size_t>(n_i), 0);
    o[static_cast<size_t>((k * 5) % n_o)] = k ? -32768 : 16384;
    i[static_cast<size_t>((k * 3) % n_i)] = 32767;
    out.push_back(from_codes(o, 0, i, 0, "one-hot"));
  }
  // Extreme exponents: +2047 on both sides, then -2047 (the state's exponent registers).
  {
    CosimPair p = from_doubles(gaussian(n_o, rng), gaussian(n_i, rng), "exponents +2047");
    p.dz_exp = 2047;
    p.a_exp = 2047;
    out.push_back(p);
    CosimPair m = from_doubles(gaussian(n_o, rng), gaussian(n_i, rng), "exponents -2047");
    m.dz_exp = -2047;
    m.a_exp = -2047;
    out.push_back(m);
    out.push_back(m);
  }
  return out;
}

namespace {
constexpr int kDirections = 3;
}  // namespace

RandomPairStream::RandomPairStream(int n_o, int n_i, uint64_t seed) : n_o_(n_o), n_i_(n_i), rng_(seed) {
  for (int d = 0; d < kDirections; ++d) {
    dir_o_.push_back(gaussian(n_o, rng_));
    dir_i_.push_back(gaussian(n_i, rng_));
  }
}

CosimPair RandomPairStream::next() {
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  const double kind = u01(rng_);
  CosimPair p;
  if (kind < 0.1 && !recent_.empty()) {  // an earlier pair again, rescaled: in the span
    const auto pick = static_cast<size_t>(
        std::uniform_int_distribution<int>(0, static_cast<int>(recent_.size()) - 1)(rng_));
    p = recent_[pick];
    p.dz_exp += std::uniform_int_distribution<int>(-3, 3)(rng_);
    p.label = "random (repeat)";
  } else {
    auto dz = gaussian(n_o_, rng_);
    auto a = gaussian(n_i_, rng_);
    if (kind < 0.6) {  // a few dominant directions plus noise, as real gradients
      const double noise = std::pow(10.0, -2.0 * u01(rng_));
      for (double& x : dz) x *= noise;
      for (double& x : a) x *= noise;
      for (size_t d = 0; d < dir_o_.size(); ++d) {
        const double co = normal_(rng_), ci = normal_(rng_);
        for (size_t i = 0; i < dz.size(); ++i) dz[i] += co * dir_o_[d][i];
        for (size_t i = 0; i < a.size(); ++i) a[i] += ci * dir_i_[d][i];
      }
    }
    // Magnitudes spread over 10^-3..10^3 (dz) and 10^-1..10^1 (a), per pair.
    const double sz = std::pow(10.0, 6.0 * u01(rng_) - 3.0);
    const double sa = std::pow(10.0, 2.0 * u01(rng_) - 1.0);
    for (double& x : dz) x *= sz;
    for (double& x : a) x *= sa;
    p = from_doubles(dz, a, kind < 0.6 ? "random (low rank)" : "random (gaussian)");
  }
  if (recent_.size() == kRepeatWindow) recent_.pop_front();
  recent_.push_back(p);
  return p;
}

std::vector<CosimPair> random_pairs(int n_o, int n_i, uint64_t seed, int count) {
  RandomPairStream stream(n_o, n_i, seed);
  std::vector<CosimPair> out;
  out.reserve(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) out.push_back(stream.next());
  return out;
}

}  // namespace lrt::cosim
