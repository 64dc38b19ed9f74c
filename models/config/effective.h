#pragma once
// The effective configuration: every key with its value (defaults filled in), written
// beside every result, and a hash that identifies a configuration (checkpoints store it
// and refuse to resume under another configuration).

#include <cstdint>
#include <string>
#include <string_view>

#include "config/schema.h"
#include "config/specs.h"

namespace lrt::config {

/// @brief The complete configuration as YAML, nested like the key paths, with unit
/// comments. Loading it again gives bit-identical Specs.
std::string effective_yaml(const Specs& specs, const Schema& keys = schema());

/// @brief The text config_hash() digests: one "key.path=value" line per hashed key, in
/// key-table order, values in their canonical YAML form.
std::string canonical_text(const Specs& specs, const Schema& keys = schema());

/// @brief FNV-1a 64 of canonical_text(): equal configurations hash equally on every machine.
uint64_t config_hash(const Specs& specs, const Schema& keys = schema());

/// @brief 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
uint64_t fnv1a64(std::string_view bytes);

/// @brief `hash` as 16 lower-case hex digits.
std::string hash_hex(uint64_t hash);

/// @brief Writes effective_yaml(specs) to `path` atomically (temporary file + rename).
/// Throws RunError if the file cannot be written.
void write_effective(const std::string& path, const Specs& specs);

}  // namespace lrt::config
