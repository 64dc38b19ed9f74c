#include "golden/quant_flow.h"

#include <cmath>
#include <stdexcept>

namespace lrt::golden {

int alpha_exponent(int fan_in) {
  if (fan_in < 1) throw std::invalid_argument("alpha_exponent: fan_in must be >= 1");
  // he = m * 2^ex with m in [0.5, 1); the candidates are 2^(ex-1) and 2^ex, whose linear
  // midpoint is 0.75 * 2^ex. sqrt is correctly rounded, and m = 0.75 exactly would need
  // 2 / fan_in = (9/16) 4^ex, impossible for an integer fan_in.
  const double he = std::sqrt(2.0 / static_cast<double>(fan_in));
  int ex = 0;
  const double m = std::frexp(he, &ex);
  return m >= 0.75 ? ex : ex - 1;
}

}  // namespace lrt::golden
