#pragma once
// What `lrtsim --version` prints: the release, the source revision it was built from and the
// build type, e.g. "lrtsim 0.1.0 (revision 5a8a5bb-dirty, Release build)".

#include <string>

namespace lrt::cli {

std::string version_text();

}  // namespace lrt::cli
