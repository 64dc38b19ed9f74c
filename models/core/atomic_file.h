#pragma once
// Results are written whole or not at all: write a temporary file beside the target,
// flush it, then rename() it over the target (atomic on POSIX file systems).

#include <string>

namespace lrt {

/// @brief Writes `content` to `path` through a temporary file and rename. Throws RunError.
void write_file_atomically(const std::string& path, const std::string& content);

/// @brief Whether anything (file, directory, ...) exists at `path`.
bool path_exists(const std::string& path);

/// @brief Creates the directories `path` (a file's path) lies in, if missing. Throws RunError.
void create_parent_directories(const std::string& path);

}  // namespace lrt
