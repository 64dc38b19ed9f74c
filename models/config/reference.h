#pragma once
// docs/configuration.md, generated from the key table so that it cannot drift from the
// code (a test compares the committed file with this text; `lrtsim config doc` prints it).

#include <string>

#include "config/schema.h"

namespace lrt::config {

/// @brief The Markdown reference of every configuration key.
std::string reference_markdown(const Schema& keys = schema());

}  // namespace lrt::config
