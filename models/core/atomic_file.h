#pragma once
// Results are written whole or not at all: write a temporary file beside the target,
// flush it, then rename() it over the target (atomic on POSIX file systems).

#include <string>

namespace lrt {

/// @brief Writes `content` to `path` through a temporary file and rename. Throws RunError.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace lrt
