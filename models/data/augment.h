#pragma once
// The per-image augmentations of the distribution-shift stream (Appendix F): spatial
// transforms (ST), background gradient with contrast scaling (BG) and white noise (WN).
// Each has a pure apply function of explicit parameters (testable on its own) and a draw
// function that takes the parameters from one counter of the generator.

#include <cstdint>

#include "core/rng.h"
#include "data/image.h"
#include "data/specs.h"

namespace lrt::data {

/// @brief A similarity transform about the image centre ((rows-1)/2, (cols-1)/2).
struct SpatialParams {
  double rotation_rad = 0.0;  ///< positive turns content clockwise on screen (y points down)
  double scale = 1.0;         ///< > 1 enlarges the content
  double shift_x = 0.0;       ///< pixels, positive moves content right
  double shift_y = 0.0;       ///< pixels, positive moves content down
};

/// @brief theta, scale, shift_x, shift_y from the four words of rng.block(counter), each
/// uniform over its range in SpatialSpecs.
SpatialParams draw_spatial(const SpatialSpecs& specs, const CounterRng& rng, uint64_t counter);

/// @brief Output (y, x) shows the input at centre + R(-theta) (p - centre - shift) / scale,
/// bilinear, black outside: content moved out of the frame leaves background behind.
FloatImage apply_spatial(const FloatImage& image, const SpatialParams& p);

/// @brief A black-white gradient blended with the image, which scales its contrast.
struct BackgroundParams {
  double angle_rad = 0.0;  ///< direction of increasing brightness (0 = to the right)
  double contrast = 1.0;   ///< weight of the image; the gradient gets 1 - contrast
};

/// @brief angle uniform in [0, 2 pi), contrast uniform in [min, max], from words 0 and 1 of
/// rng.block(counter).
BackgroundParams draw_background(const BackgroundSpecs& specs, const CounterRng& rng, uint64_t counter);

/// @brief The gradient at pixel (r, c): 0 at the darkest corner, 1 at the opposite one,
/// linear in the projection of (r, c) - centre on (cos angle, sin angle). 0.5 everywhere
/// for a 1 x 1 image.
double background_gradient(uint32_t rows, uint32_t cols, uint32_t r, uint32_t c, double angle_rad);

/// @brief out = contrast * image + (1 - contrast) * gradient.
FloatImage apply_background(const FloatImage& image, const BackgroundParams& p);

/// @brief Adds sigma * rng.normal(first_counter + i) to pixel i (row-major). Clipping to
/// [0, 1] happens at the final rounding (to_gray).
void add_white_noise(FloatImage& image, double sigma, const CounterRng& rng, uint64_t first_counter);

}  // namespace lrt::data
