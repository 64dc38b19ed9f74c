#pragma once
// The member a module's validation names: modules throw lrt::SpecError relative to their own
// specs, and their tests check that member (the config layer's tests check the key).

#include <string>

#include "core/error.h"

namespace lrt::test {

/// @brief The member named by the SpecError that `f` throws, or "" if it throws none.
template <class F>
std::string spec_error_member(F&& f) {
  try {
    f();
  } catch (const SpecError& e) {
    return e.member();
  }
  return "";
}

}  // namespace lrt::test
