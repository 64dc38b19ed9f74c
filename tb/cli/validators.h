#pragma once
// Option validators shared by several sub-commands.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

namespace lrt::cli {

/// @brief A finite number >= 0 (CLI11 itself accepts "nan" and "inf" as doubles), e.g. kappa_th.
inline CLI::Validator finite_non_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const double v = std::strtod(text.c_str(), nullptr);
        return std::isfinite(v) && v >= 0.0 ? std::string() : "must be a finite number >= 0";
      },
      "FINITE >= 0");
}

}  // namespace lrt::cli
