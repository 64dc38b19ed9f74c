#include "golden/training/quant_flow.h"

#include <cmath>
#include <cstdint>
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

int alpha_exponent_authors(int fan_in, int nlvar) {
  if (fan_in < 1) throw std::invalid_argument("alpha_exponent_authors: fan_in must be >= 1");
  if (nlvar != 1 && nlvar != 2) throw std::invalid_argument("alpha_exponent_authors: nlvar must be 1 or 2");
  // The largest e with 2^e <= sqrt(3 nlvar / fan_in), i.e. 4^e fan_in <= 3 nlvar: exact in
  // integers (no log2 of a rounded double decides a boundary).
  const int64_t budget = 3 * nlvar;
  int e = 0;
  if (fan_in <= budget) {
    while ((int64_t{fan_in} << (2 * (e + 1))) <= budget) ++e;
  } else {
    while (int64_t{fan_in} > (budget << (-2 * e))) --e;
  }
  return e;
}

}  // namespace lrt::golden
