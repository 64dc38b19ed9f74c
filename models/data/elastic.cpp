#include "data/elastic.h"

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
    : specs_(specs),
      radius_(gaussian_radius(specs.sigma, specs.truncate)),
      kernel_(gaussian_kernel(specs.sigma, specs.truncate)) {}

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

}  // namespace

DisplacementField ElasticTransform::field(uint32_t rows, uint32_t cols, const CounterRng& rng,
                                          uint64_t first) const {
  const std::size_t pad = 2 * static_cast<std::size_t>(radius_);
  const std::size_t grid = (rows + pad) * (cols + pad);
  const std::size_t blocks = (2 * grid + 3) / 4;
  if (blocks > (std::size_t{1} << kCounterBitsPerSample))
    throw std::invalid_argument("elastic field needs more random draws than a sample owns");

  std::vector<double> noise(4 * blocks);
  for (std::size_t b = 0; b < blocks; ++b) {
    const auto words = rng.block(first + b);
    for (std::size_t w = 0; w < 4; ++w) noise[4 * b + w] = uniform_pm1(words[w]);
  }
  DisplacementField f;
  f.rows = rows;
  f.cols = cols;
  smooth(noise.data(), rows, cols, kernel_, specs_.alpha, f.dx);
  smooth(noise.data() + grid, rows, cols, kernel_, specs_.alpha, f.dy);
  return f;
}

FloatImage ElasticTransform::apply(const FloatImage& image, const DisplacementField& f) {
  if (f.rows != image.rows || f.cols != image.cols)
    throw std::invalid_argument("displacement field and image differ in size");
  FloatImage out(image.rows, image.cols);
  for (uint32_t r = 0; r < image.rows; ++r)
    for (uint32_t c = 0; c < image.cols; ++c) {
      const std::size_t i = std::size_t{r} * image.cols + c;
      out.px[i] = sample_bilinear(image, r + f.dy[i], c + f.dx[i], Border::kClampToEdge);
    }
  return out;
}

}  // namespace lrt::data
