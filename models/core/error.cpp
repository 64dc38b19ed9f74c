#include "core/error.h"

namespace lrt {

std::string format_location(const InputLocation& where) {
  std::string out = where.file;
  if (where.line >= 0) out += (out.empty() ? "line " : ":") + std::to_string(where.line);
  if (where.byte_offset >= 0) out += (out.empty() ? "byte " : ": byte ") + std::to_string(where.byte_offset);
  if (!where.key.empty()) out += (out.empty() ? "" : ": ") + where.key;
  return out;
}

static std::string compose(const InputLocation& where, const std::string& problem) {
  const std::string loc = format_location(where);
  return loc.empty() ? problem : loc + ": " + problem;
}

InputError::InputError(InputLocation where, const std::string& problem)
    : std::runtime_error(compose(where, problem)), where_(std::move(where)), problem_(problem) {}

}  // namespace lrt
