#pragma once
// Instruction sets chosen at run time. The build targets x86-64-v3 (AVX2; CMakeLists.txt and
// docs/architecture.md say why not AVX-512), so the few kernels with an AVX-512 body keep it in
// a function compiled for that target and call it when the host has it (issue 23).

#include <cstdlib>

namespace lrt {

/// @brief Whether the host runs AVX-512F and the environment variable LRTSIM_NO_AVX512 is unset
/// or empty (the suite sets it to test the AVX2 bodies on an AVX-512 host). Asked once, on first
/// use (after the C library's CPU detection has run, which a static initializer cannot rely on).
inline bool host_has_avx512f() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool has = [] {
    const char* off = std::getenv("LRTSIM_NO_AVX512");
    return (off == nullptr || *off == '\0') && __builtin_cpu_supports("avx512f");
  }();
  return has;
#else
  return false;
#endif
}

}  // namespace lrt
