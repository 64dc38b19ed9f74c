#pragma once
// Whole-file reads for inputs and earlier results (writes: atomic_file.h).

#include <optional>
#include <string>

#include "core/error.h"

namespace lrt {

/// @brief The bytes of `path`. Throws InputError at `where` (default: the file itself) saying
/// "cannot open WHAT: reason", "cannot read ..." or "... is a directory" (WHAT PATH when `where`
/// is another place, e.g. the key of a file that names this one).
std::string read_text_file(const std::string& path, const std::string& what, const InputLocation& where = {});

/// @brief The bytes of `path`, or nothing where it cannot be opened (an optional file, such as a
/// previous run's results). A file that opens but cannot be read throws RunError.
std::optional<std::string> read_text_file_if_present(const std::string& path);

}  // namespace lrt
