#pragma once
// The key table: one entry per configuration key, holding everything about it (path,
// type, unit, default, allowed values, source of the default, description) and the
// type-erased functions that parse a value into, and format it from, its Specs member.
// The loader, the effective-config writer and the generated reference
// (docs/configuration.md) all read this one table. Entries are written with the
// KeyBuilder of config/key_builder.h.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/specs.h"
#include "core/error.h"

namespace lrt::config {

/// @brief One YAML scalar as the user wrote it.
struct Scalar {
  std::string text;
  bool quoted = false;  ///< written in quotes (or with an explicit tag): a string, never a number
  bool null = false;    ///< no value at all (`key:`, `~`, `null`)
};

/// @brief One item of a YAML sequence given to a list key, with the line it is on (-1 if
/// unknown, e.g. in a --set value).
struct ListItem {
  Scalar value;
  int64_t line = -1;
};

/// @brief Everything about one configuration key.
struct KeySpec {
  std::string path;          ///< full dotted path of the key
  std::string member_path;   ///< C++ path of the Specs member it fills: the key path, or where a
                             ///< module's own specs spell it differently
  std::string type;          ///< "bool", "int", "uint32", "uint64", "double", "string", "path", "enum",
                             ///< or "list of " one of these
  bool list = false;         ///< the value is a YAML sequence (assign_list), not a scalar
  std::string unit;          ///< physical unit, "1" if dimensionless, "-" if not a number
  bool required = false;     ///< no default: the user must give a value
  std::string default_text;  ///< default as canonical YAML text: a scalar, or a flow sequence for a
                             ///< list (empty when required)
  std::string allowed;       ///< allowed values in words, e.g. "[1, 32]", "power of two"
  std::string expected;      ///< noun phrase for messages, e.g. "an integer in [1, 32]"
  std::string source;        ///< where the default comes from (citation or "assumption: ...")
  std::string description;   ///< one line
  bool hashed = true;        ///< part of config_hash (false: cannot change results)

  /// Parses, validates and stores a value; throws InputError at `where`. A list key refuses
  /// a scalar here, with a message that asks for a list.
  std::function<void(const Scalar& value, const InputLocation& where, Specs& specs)> assign;
  /// List keys only: parses, validates and stores a sequence; an error names the item and
  /// its line.
  std::function<void(const std::vector<ListItem>& items, const InputLocation& where, Specs& specs)>
      assign_list;
  /// The member's value as canonical YAML text, like default_text (parses back to the same bits).
  std::function<std::string(const Specs& specs)> format;
  /// True if the member holds bit-identical values in both.
  std::function<bool(const Specs& a, const Specs& b)> same;
  /// Address of the bound member (lets tests prove no two keys share one member).
  std::function<const void*(const Specs& specs)> member;
};

using Schema = std::vector<KeySpec>;

/// @brief The configuration keys of lrtsim, in document order.
const Schema& schema();

/// @brief The key whose member is the Specs member at `member_path` (e.g.
/// "accel.rram.endurance.writes"), else the key of that path (a member the config layer derives
/// from the key of its name, e.g. data.shift.augmentations); nullptr if neither exists. This is how
/// a module's SpecError, which names a member of the module's own specs, reaches its key.
const KeySpec* key_of_member(const std::string& member_path);

/// @brief Checks a table for programming mistakes (duplicate paths, a key that is also a
/// section, missing unit/source/description, a default that does not validate).
/// Throws std::logic_error.
void validate_schema(const Schema& keys);

/// @brief "a.b.c" -> {"a", "b", "c"}.
std::vector<std::string> split_path(const std::string& path);

}  // namespace lrt::config
