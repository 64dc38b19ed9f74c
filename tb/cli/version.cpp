#include "cli/version.h"

#include "lrtsim_revision.h"  // generated at build time by tb/cli/revision.cmake

namespace lrt::cli {

std::string version_text() {
  return std::string("lrtsim ") + LRTSIM_VERSION + " (revision " + LRTSIM_REVISION + ", " +
         LRTSIM_BUILD_TYPE + " build)";
}

}  // namespace lrt::cli
