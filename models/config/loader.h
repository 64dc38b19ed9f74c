#pragma once
// YAML -> Specs: reads a configuration file, validates every key against the key table
// (config/schema.h), applies `--set key.path=value` overrides, and fills in defaults.
// Every problem is an InputError (exit code 2) naming the file, the line, the full key
// path, the bad value and what is allowed.

#include <string>
#include <vector>

#include "config/schema.h"
#include "config/specs.h"

namespace lrt::config {

/// @brief Every key at its default (required keys, if any, are left zero).
Specs default_specs();

/// @brief Loads the YAML file at `path`, then applies the overrides ("a.b.c=value", later
/// ones win), then checks the rules that involve several keys (check_consistency() of
/// config/bind.h; such an error is reported where its key was given). Throws InputError on
/// any bad input.
Specs load_specs(const std::string& path, const std::vector<std::string>& set_overrides = {});

/// @brief Defaults plus overrides, for runs without a configuration file.
Specs specs_from_overrides(const std::vector<std::string>& set_overrides);

/// @brief Parses YAML text that came from `source_name` (used in messages); load_specs() is
/// this with the file's content.
Specs parse_specs(const std::string& yaml_text, const std::string& source_name,
                  const std::vector<std::string>& set_overrides = {});

/// @brief parse_specs() against an explicit key table (e.g. a small one in a test). Only the
/// keys' own checks run: the rules of check_consistency() are about lrtsim's table.
Specs parse_specs(const std::string& yaml_text, const std::string& source_name,
                  const std::vector<std::string>& set_overrides, const Schema& keys);

/// @brief load_specs() against an explicit key table, likewise without check_consistency().
Specs load_specs(const std::string& path, const std::vector<std::string>& set_overrides, const Schema& keys);

}  // namespace lrt::config
