#pragma once
// Per-cell write counting of the RRAM weight arrays: every change of a stored weight code
// is one write of that cell (an update that rounds to zero, or that saturation cancels,
// writes nothing).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lrt::golden {

/// @brief Max and mean writes per cell over some set of cells.
struct WriteStats {
  uint64_t cells = 0;
  uint64_t total = 0;  ///< sum of all cells' counts
  uint32_t max = 0;    ///< largest count of any cell
  double mean() const { return cells == 0 ? 0.0 : static_cast<double>(total) / static_cast<double>(cells); }
};

/// @brief One uint32 counter per weight cell of a layer (saturating at 2^32 - 1).
class WriteCounter {
 public:
  explicit WriteCounter(int64_t cells = 0) : counts_(static_cast<size_t>(cells), 0) {}

  /// @brief Counts one write of `cell` (and notes it in the journal, if one is set).
  void record(int64_t cell) {
    uint32_t& c = counts_[static_cast<size_t>(cell)];
    if (c != UINT32_MAX) ++c;
    ++total_;
    if (journal_ != nullptr) journal_->push_back(cell);
  }
  /// @brief Appends every recorded cell to `journal` from now on (null: stop). The layer uses
  /// it to find the cells an update changed and write them to its WeightStore.
  void set_journal(std::vector<int64_t>* journal) { journal_ = journal; }
  /// @brief Counts a write for every cell whose code differs between `before` and `after`.
  void record_changes(const int32_t* before, const int32_t* after);

  WriteStats stats() const;
  const std::vector<uint32_t>& counts() const { return counts_; }
  /// Replaces the counts (for checkpoints); the size must match.
  void set_counts(const std::vector<uint32_t>& counts);
  /// Replaces counts and total (checkpoints: the total keeps counting past a saturated
  /// cell, so it is not always the sum of the counts).
  void set_counts(const std::vector<uint32_t>& counts, uint64_t total);

 private:
  std::vector<uint32_t> counts_;
  uint64_t total_ = 0;
  std::vector<int64_t>* journal_ = nullptr;
};

/// @brief Combines per-layer statistics: max of maxima, mean over all cells.
WriteStats combine(const std::vector<WriteStats>& parts);

}  // namespace lrt::golden
