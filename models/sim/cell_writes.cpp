#include "sim/cell_writes.h"

#include <nlohmann/json.hpp>

namespace lrt::sim {

std::string cell_writes_json(const golden::Engine& engine) {
  nlohmann::ordered_json j;
  j["unit"] = "writes per weight cell since deployment; writes[r * cols + c] is row r, column c";
  j["layers"] = nlohmann::ordered_json::array();
  for (int l : engine.trainable_layers()) {
    const golden::AffineLayer& a = engine.affine(l);
    const std::vector<uint32_t>& counts = a.writes().counts();
    const auto rows = static_cast<size_t>(a.n_out());
    nlohmann::ordered_json e;
    e["layer"] = l;
    e["rows"] = rows;
    e["cols"] = rows == 0 ? 0 : counts.size() / rows;
    e["writes"] = counts;
    j["layers"].push_back(std::move(e));
  }
  // One line: tens of thousands of small integers; indentation would triple the file.
  return j.dump() + "\n";
}

}  // namespace lrt::sim
