#pragma once
// The running state of one RramArray (RramArrayState) in a checkpoint (core/checkpoint.h),
// so that a resumed run continues bit-exactly. Sections, for a caller-chosen prefix P
// (e.g. "layer.3.rram"):
//   P.version         u32[1]      kRramStateVersion
//   P.identity        u64[2]      seed, instance (checked: they decide lifetimes and faults)
//   P.patterns        u16[words]  stored bit patterns
//   P.word_writes     u32[words]
//   P.cell_writes     u32[cells]  cells = RramArray::cells_used()
//   P.worn_out        u8[cells]   1 = worn out
//   P.program_sample  u32[cells]
//   P.samples         u64[1]      the sample (drift) clock
//   P.stats           u64[15]     RramStats, members in declaration order
//   P.read_effects    f64[3]      noise_sigma_levels, power_law_nu, power_law_t0_samples
// Lifetimes and time-zero stuck-at faults are not saved: they are a pure function of
// (specs, seed, instance) and are re-derived by the array the state is loaded into, which
// must be built with the same specs (the caller checks the configuration hash).

#include <cstdint>
#include <string>

#include "core/checkpoint.h"
#include "device/rram_array.h"

namespace lrt::device {

/// @brief Version of the section layout above.
constexpr uint32_t kRramStateVersion = 2;  // 2: stats.reset_pulses

/// @brief Adds the sections `prefix`.* holding the running state of `array` to `writer`.
void save_rram_state(CheckpointWriter& writer, const std::string& prefix, const RramArray& array);

/// @brief Restores what save_rram_state() wrote under `prefix` into `array`. Throws InputError
/// (file = checkpoint path, key = section) for a missing or mis-sized section, another layout
/// version, another seed or instance, or a state that does not fit the array; `array` is
/// unchanged then.
void load_rram_state(const Checkpoint& checkpoint, const std::string& prefix, RramArray& array);

}  // namespace lrt::device
