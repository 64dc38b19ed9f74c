#include "golden/training/write_counter.h"

#include <algorithm>
#include <stdexcept>

namespace lrt::golden {

void WriteCounter::record_changes(const int32_t* before, const int32_t* after) {
  for (size_t i = 0; i < counts_.size(); ++i)
    if (before[i] != after[i]) record(static_cast<int64_t>(i));
}

WriteStats WriteCounter::stats() const {
  WriteStats s;
  s.cells = counts_.size();
  s.total = total_;
  for (uint32_t c : counts_) s.max = std::max(s.max, c);
  return s;
}

void WriteCounter::set_counts(const std::vector<uint32_t>& counts) {
  if (counts.size() != counts_.size()) throw std::invalid_argument("write counter: size mismatch");
  counts_ = counts;
  total_ = 0;
  for (uint32_t c : counts_) total_ += c;
}

void WriteCounter::set_counts(const std::vector<uint32_t>& counts, uint64_t total) {
  set_counts(counts);
  total_ = total;
}

WriteStats combine(const std::vector<WriteStats>& parts) {
  WriteStats s;
  for (const WriteStats& p : parts) {
    s.cells += p.cells;
    s.total += p.total;
    s.max = std::max(s.max, p.max);
  }
  return s;
}

}  // namespace lrt::golden
