#pragma once
// Helpers for the libFuzzer targets: each target writes the fuzzer's bytes to a private
// file (the readers take paths, and the gzip path must be exercised through zlib's file
// API) and asserts the reader's contract: it returns a valid value or throws
// lrt::InputError — never anything else, never a crash, leak or UB (ASan/UBSan).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace lrt::fuzz {

inline const std::string& scratch_path(const char* name) {
  static const std::string path =
      std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/lrtsim_fuzz_" + name + "_" +
      std::to_string(::getpid());
  return path;
}

inline void write_bytes(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

}  // namespace lrt::fuzz
