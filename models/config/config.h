#pragma once
// The public API of the configuration area in one include:
//   Specs load_specs(path, set_overrides), Specs default_specs()      (config/loader.h)
//   effective_yaml(), config_hash(), write_effective()                  (config/effective.h)
//   reference_markdown()                                                (config/reference.h)
//   rram_specs(), sram_specs(), data_specs(), check_consistency()       (config/bind.h)

#include "config/bind.h"
#include "config/effective.h"
#include "config/loader.h"
#include "config/reference.h"
#include "config/specs.h"
