# Run at build time (tb/CMakeLists.txt, target lrtsim_revision): writes OUT, a header with
# the source revision (`git describe --always --dirty`), only when it changed, so that
# `lrtsim --version` names the revision the binary was built from without recompiling
# anything when it did not change. Not a git checkout (a tarball): "unknown".
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --tags
                OUTPUT_VARIABLE rev ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR rev STREQUAL "")
  set(rev "unknown (not a git checkout)")
endif()
set(text "#pragma once\n#define LRTSIM_REVISION \"${rev}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
