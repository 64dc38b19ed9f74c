#pragma once
// A network's total over its layers' design points (docs/exploration.md, "Network sweeps").

#include <cstddef>
#include <vector>

#include "explore/closed_form.h"

namespace lrt::explore {

/// @brief The total of the points all[k], k in `parts`: counts, areas and energies add; density
/// and lifetime are the worst layer's. A shared rank-reduce unit is one unit: its logic and
/// its scratch are counted once (the largest), its cycles add (the layers' pairs take turns);
/// per layer, everything adds and the slowest layer's unit sets the cycles.
PointResult network_total(const std::vector<PointResult>& all, const std::vector<std::size_t>& parts,
                          bool shared_unit, const Technology& tech);

}  // namespace lrt::explore
