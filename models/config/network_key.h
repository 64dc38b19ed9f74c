#pragma once
// The key `network.layers`: a YAML list of layer strings ("conv3x3 16", "maxpool2", "relu",
// "batchnorm", "fc 10") bound to golden::LayerSpec items. Written by hand rather than with
// KeyBuilder because its items are structured (a kind and a width), not scalars.

#include <string>

#include "config/schema.h"
#include "golden/training/network.h"

namespace lrt::config {

/// @brief Parses one layer string: a kind name, then the output width for conv3x3 and fc
/// (a decimal integer in [1, 65536]) and nothing else for the other kinds. Throws
/// std::invalid_argument with the problem in words.
golden::LayerSpec parse_layer(const std::string& text);

/// @brief The canonical text of a layer ("conv3x3 16", "relu"); parse_layer() reads it back.
std::string layer_text(const golden::LayerSpec& layer);

/// @brief The key-table entry of network.layers (default: golden::default_network()).
KeySpec network_layers_key();

}  // namespace lrt::config
