// libFuzzer target: the CSV vector reader.
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "core/csv.h"
#include "core/error.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = lrt::fuzz::scratch_path("csv");
  lrt::fuzz::write_bytes(path, data, size);
  try {
    const auto rows = lrt::read_csv_rows(path);
    // Contract of a successful read: non-empty, rectangular, finite.
    if (rows.empty() || rows.front().empty()) std::abort();
    for (const auto& row : rows) {
      if (row.size() != rows.front().size()) std::abort();
      for (double v : row)
        if (!std::isfinite(v)) std::abort();
    }
  } catch (const lrt::InputError&) {
  }
  return 0;
}
