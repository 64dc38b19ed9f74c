#include "data/elastic.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "data/sample_rng.h"

namespace lrt::data {

int gaussian_radius(double sigma, double truncate) { return static_cast<int>(std::ceil(truncate * sigma)); }

std::vector<double> gaussian_kernel(double sigma, double truncate) {
  const int radius = gaussian_radius(sigma, truncate);
  std::vector<double> g(2 * static_cast<std::size_t>(radius) + 1);
  double sum = 0.0;
  for (int k = -radius; k <= radius; ++k) {
    const double v = std::exp(-static_cast<double>(k) * k / (2.0 * sigma * sigma));
    g[static_cast<std::size_t>(k + radius)] = v;
    sum += v;
  }
  for (double& v : g) v /= sum;
  return g;
}

ElasticTransform::ElasticTransform(const ElasticSpecs& specs)
    : ElasticTransform(ElasticSetting{specs.sigma, specs.alpha}, specs.truncate, ElasticStyle::kStationary) {}

ElasticTransform::ElasticTransform(ElasticSetting setting, double truncate, ElasticStyle style)
    : setting_(setting),
      style_(style),
      radius_(gaussian_radius(setting.sigma, truncate)),
      kernel_(gaussian_kernel(setting.sigma, truncate)),
      gain_(style == ElasticStyle::kAuthors ? kernel_[static_cast<std::size_t>(radius_)] : 1.0) {}

namespace {

// Separable smoothing of an (rows + 2R) x (cols + 2R) noise grid down to rows x cols,
// scaled by alpha. Each output is a sum over k in ascending order; the loops run over
// independent outputs innermost, so vectorization cannot reorder any one sum.
void smooth(const double* noise, uint32_t rows, uint32_t cols, const std::vector<double>& g, double alpha,
            std::vector<double>& out) {
  const std::size_t taps = g.size();
  const std::size_t wide = cols + taps - 1, tall = rows + taps - 1;
  std::vector<double> horizontal(tall * cols, 0.0);
  for (std::size_t r = 0; r < tall; ++r) {
    double* h = &horizontal[r * cols];
    const double* n = &noise[r * wide];
    for (std::size_t k = 0; k < taps; ++k)
      for (std::size_t c = 0; c < cols; ++c) h[c] += g[k] * n[c + k];
  }
  out.assign(std::size_t{rows} * cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    double* o = &out[r * cols];
    for (std::size_t k = 0; k < taps; ++k) {
      const double* h = &horizontal[(r + k) * cols];
      for (std::size_t c = 0; c < cols; ++c) o[c] += g[k] * h[c];
    }
  }
  for (double& v : out) v *= alpha;
}

// The same smoothing of rows x cols noise that is zero outside the image (scipy's
// gaussian_filter with mode="constant", cval=0), then scaled by gain and alpha in that order
// (the notebook's channel-axis pass, then "* alpha"). Terms that read outside the image are
// zeros and are skipped; every sum still runs over k in ascending order.
void smooth_zero_padded(const double* noise, uint32_t rows, uint32_t cols, const std::vector<double>& g,
                        double gain, double alpha, std::vector<double>& out) {
  const auto taps = static_cast<int64_t>(g.size());
  const int64_t radius = (taps - 1) / 2, nr = rows, nc = cols;
  std::vector<double> horizontal(std::size_t{rows} * cols, 0.0);
  for (int64_t r = 0; r < nr; ++r) {
    double* h = &horizontal[static_cast<std::size_t>(r * nc)];
    const double* n = &noise[static_cast<std::size_t>(r * nc)];
    for (int64_t k = 0; k < taps; ++k) {
      const int64_t off = k - radius;  // h[c] reads n[c + off]
      const int64_t lo = std::max<int64_t>(0, -off), hi = std::min<int64_t>(nc, nc - off);
      for (int64_t c = lo; c < hi; ++c) h[c] += g[static_cast<std::size_t>(k)] * n[c + off];
    }
  }
  out.assign(std::size_t{rows} * cols, 0.0);
  for (int64_t r = 0; r < nr; ++r) {
    double* o = &out[static_cast<std::size_t>(r * nc)];
    for (int64_t k = 0; k < taps; ++k) {
      const int64_t rr = r + k - radius;
      if (rr < 0 || rr >= nr) continue;
      const double* h = &horizontal[static_cast<std::size_t>(rr * nc)];
      for (int64_t c = 0; c < nc; ++c) o[c] += g[static_cast<std::size_t>(k)] * h[c];
    }
  }
  for (double& v : out) v = v * gain * alpha;
}

}  // namespace

uint64_t ElasticTransform::blocks(uint32_t rows, uint32_t cols) const {
  const uint64_t pad = style_ == ElasticStyle::kStationary ? 2 * static_cast<uint64_t>(radius_) : 0;
  const uint64_t grid = (rows + pad) * (cols + pad);
  return (2 * grid + 3) / 4;
}

DisplacementField ElasticTransform::field(uint32_t rows, uint32_t cols, const CounterRng& rng,
                                          uint64_t first) const {
  const uint64_t blocks = this->blocks(rows, cols);
  if (blocks > (uint64_t{1} << kCounterBitsPerSample))
    throw std::invalid_argument("elastic field needs more random draws than a sample owns");
  const uint64_t pad = style_ == ElasticStyle::kStationary ? 2 * static_cast<uint64_t>(radius_) : 0;
  const std::size_t grid = (rows + pad) * (cols + pad);

  std::vector<double> noise(4 * blocks);
  for (std::size_t b = 0; b < blocks; ++b) {
    const auto words = rng.block(first + b);
    for (std::size_t w = 0; w < 4; ++w) noise[4 * b + w] = uniform_pm1(words[w]);
  }
  DisplacementField f;
  f.rows = rows;
  f.cols = cols;
  if (style_ == ElasticStyle::kStationary) {
    smooth(noise.data(), rows, cols, kernel_, setting_.alpha, f.dx);
    smooth(noise.data() + grid, rows, cols, kernel_, setting_.alpha, f.dy);
  } else {
    smooth_zero_padded(noise.data(), rows, cols, kernel_, gain_, setting_.alpha, f.dx);
    smooth_zero_padded(noise.data() + grid, rows, cols, kernel_, gain_, setting_.alpha, f.dy);
  }
  return f;
}

FloatImage ElasticTransform::apply(const FloatImage& image, const DisplacementField& f, Border border) {
  if (f.rows != image.rows || f.cols != image.cols)
    throw std::invalid_argument("displacement field and image differ in size");
  FloatImage out(image.rows, image.cols);
  for (uint32_t r = 0; r < image.rows; ++r)
    for (uint32_t c = 0; c < image.cols; ++c) {
      const std::size_t i = std::size_t{r} * image.cols + c;
      out.px[i] = sample_bilinear(image, r + f.dy[i], c + f.dx[i], border);
    }
  return out;
}

FloatImage ElasticTransform::operator()(const FloatImage& image, const CounterRng& rng,
                                        uint64_t first) const {
  if (setting_.alpha == 0.0) return image;
  return apply(image, field(image.rows, image.cols, rng, first),
               style_ == ElasticStyle::kAuthors ? Border::kReflect : Border::kClampToEdge);
}

ElasticAugmentation::ElasticAugmentation(const ElasticSpecs& specs) : specs_(specs) {
  if (specs.mode == ElasticMode::kFixed) {
    transforms_.emplace_back(specs);
  } else {
    for (const ElasticSetting& s : kAuthorsElasticSettings)
      transforms_.emplace_back(s, specs.truncate, ElasticStyle::kAuthors);
  }
}

std::size_t ElasticAugmentation::setting_index(const CounterRng& setting_rng, uint64_t sample) {
  RngCursor cursor = sample_cursor(setting_rng, sample);
  return static_cast<std::size_t>(cursor.below(kAuthorsElasticSettings.size()));
}

const ElasticTransform& ElasticAugmentation::transform(const CounterRng& setting_rng, uint64_t sample) const {
  if (transforms_.size() == 1) return transforms_.front();
  return transforms_[setting_index(setting_rng, sample)];
}

FloatImage ElasticAugmentation::operator()(const FloatImage& image, const CounterRng& noise_rng,
                                           const CounterRng& setting_rng, uint64_t sample) const {
  return transform(setting_rng, sample)(image, noise_rng, first_counter(sample));
}

uint64_t ElasticAugmentation::max_blocks(uint32_t rows, uint32_t cols) const {
  uint64_t most = 0;
  for (const ElasticTransform& t : transforms_) most = std::max(most, t.blocks(rows, cols));
  return most;
}

}  // namespace lrt::data
