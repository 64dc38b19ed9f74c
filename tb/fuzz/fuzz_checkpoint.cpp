// libFuzzer target: the checkpoint reader.
#include <cstdint>
#include <cstdlib>

#include "core/checkpoint.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    const lrt::Checkpoint ck = lrt::Checkpoint::parse(bytes, "fuzz.ckpt");
    // Contract of a successful read: every listed section is retrievable.
    for (const auto& name : ck.section_names()) (void)ck.bytes(name);
  } catch (const lrt::InputError&) {
  }
  return 0;
}
