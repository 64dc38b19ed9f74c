// libFuzzer target: the IDX reader (raw and gzip) and the image/label pairing.
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "core/idx.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = lrt::fuzz::scratch_path("idx");
  lrt::fuzz::write_bytes(path, data, size);
  try {
    const lrt::IdxArray a = lrt::read_idx(path);
    // Contract of a successful read: the payload matches the declared shape exactly.
    if (a.raw.size() != a.count() * static_cast<uint64_t>(lrt::element_size(a.type))) std::abort();
    if (a.dims.empty() || a.dims.size() > 4) std::abort();
    lrt::read_labeled_images(path, path);
  } catch (const lrt::InputError&) {
    // Bad input is reported, which is the contract.
  }
  return 0;
}
