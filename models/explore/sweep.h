#pragma once
// The sweep file of `lrtsim explore` (docs/exploration.md, "Sweep file"): its schema, its
// reader (every problem is an InputError at file:line: key) and the expansion into points.
// Sweep lists do not belong in the main configuration, so the file has its own schema.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "explore/closed_form.h"

namespace lrt::explore {

/// @brief One weight layer the sweep evaluates (shape fields of DesignPoint).
struct SweepLayer {
  std::string name;
  uint64_t n_o = 0, n_i = 0;
  uint64_t pairs_per_sample = 1;                       ///< output pixels of a conv layer
  uint64_t stored_act_words = 0, stored_grad_words = 0;  ///< 0: fc (n_i, n_o)
};

/// @brief Measured points (`simulate:`): `lrtsim run` of a configuration per point.
struct SimulateSpec {
  bool enabled = false;
  std::string config_path;  ///< as resolved (relative paths: against the sweep file's folder)
  std::string config_text;  ///< its bytes (a rerun must see the same configuration)
  uint64_t samples = 0;     ///< run.samples of every measured run (default: the configuration's)
  std::string engine = "tlm";
  std::set<Algorithm> algorithms;  ///< which algorithms are measured
  std::set<uint64_t> batches;               ///< which B are measured (not online's); empty: every B
};

struct Sweep {
  std::string path, text;
  std::vector<SweepLayer> layers;
  std::string network_config;  ///< `network:` given: the layers are this network's, plus a total
  std::vector<Algorithm> algorithms;
  std::vector<uint64_t> batches;
  std::vector<uint32_t> ranks{4}, weight_bits{8}, lr_bits{16};
  DesignPoint base;                     ///< sample word widths
  std::vector<Technology> technologies;  ///< the product of the technology lists
  /// `logic_area: FILE` (scripts/synth_rank_reduce.sh's output): rank -> synthesised
  /// rank-reduce logic area in um^2, used for LRT points instead of
  /// technology.rank_reduce_logic_area_um2.
  std::string logic_area_path;
  std::map<uint32_t, double> logic_area_by_rank;
  /// `rank_reduce: {units}`: one unit serves every LRT layer of a network total (its logic and
  /// scratch counted once, its cycles added) or one unit per layer (counted per layer, the
  /// slowest layer's cycles).
  bool shared_rank_reduce_unit = true;
  SimulateSpec simulate;
};

/// @brief Reads and validates a sweep file. Throws InputError (file:line: key: problem).
Sweep read_sweep(const std::string& path);

/// @brief One evaluated combination: a layer (or the network total) at one design point.
struct PlannedPoint {
  std::string layer;          ///< layer name, or "total" (network sweeps)
  DesignPoint point;  ///< the total's shape fields are those of its first layer
  std::size_t technology = 0;  ///< index into Sweep::technologies
  bool simulate = false;       ///< also measured by a run (layer sweeps: the layer; networks: the total)
  std::vector<std::size_t> parts;  ///< a total: the indices of its layers' points
};

/// @brief The points of a sweep in a fixed order (the CSV's `point` column): the product of
/// the axes, where online takes only B = 1 and rank / L/R bits vary only for LRT; for a
/// network, each combination's layers followed by their total.
std::vector<PlannedPoint> expand(const Sweep& sweep);

}  // namespace lrt::explore
