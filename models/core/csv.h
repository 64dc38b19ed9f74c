#pragma once
// Decimal CSV vectors: one vector per row, comma-separated, no header. Used for
// rank-reduce stimulus and results. Every malformed input is an InputError naming
// the file and line.

#include <string>
#include <vector>

#include "core/matrix.h"

namespace lrt {

/// @brief Reads a CSV of finite decimals; all rows must have the same length.
/// Throws InputError for a missing or empty file, ragged rows, empty fields,
/// non-numbers and NaN/Inf.
std::vector<std::vector<double>> read_csv_rows(const std::string& path);

/// @brief Writes `m` (rows x cols) with 17 significant digits (round-trips a double).
/// Throws RunError when the file cannot be written. Writes to a temporary file and
/// renames it, so a reader never sees a half-written result.
void write_csv_matrix(const std::string& path, const Matrix<double>& m);

}  // namespace lrt
