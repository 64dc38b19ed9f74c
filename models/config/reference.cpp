#include "config/reference.h"

#include <string_view>

namespace lrt::config {

namespace {

std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string code(std::string_view text) { return "`" + std::string(text) + "`"; }

constexpr const char* kIntro = R"(# Configuration reference

<!-- Generated from the key table in models/config/schema.cpp by `lrtsim config doc`.
     Do not edit by hand: a test fails when this file differs from the generated text. -->

lrtsim reads one YAML file whose hierarchy mirrors the module hierarchy
(`accel.rram.endurance_writes` configures the RRAM array of the accelerator).
`configs/default.yaml` is a commented example.

- **Defaults.** A key that is left out takes its default; keys whose default reads
  *required* must be given.
- **Errors** stop lrtsim with exit code 2 and a message
  `file:line: key.path: problem; expected ...` that shows the bad value and what is
  allowed. Errors are: an unknown key (with the closest known key, if one is close), a
  value of the wrong type (text for a number, a map where a value belongs, a quoted
  number), a value out of range or too large for its type, a range that is not a power of
  two, a missing required key, a duplicate key, a YAML syntax error, and a missing,
  unreadable or empty file.
- **Rules between keys** are checked after the file and every `--set` are read: e.g.
  `accel.rram.max_pulses` must cover a full swing of `bits_per_cell`, `drift.horizon_samples`
  must not be below `drift.interval_samples`, `data.shift.spatial.min_scale` must not exceed
  `max_scale`, `data.shift.cluster.block` must divide `data.shift.period`. The error names
  one key and the line where it was given, or says that it has its default value. Rules
  that need the network (the RRAM weight width against `bits_per_cell`, array sizes) are
  checked when the arrays are built, with errors that name the key the same way.
- **Overrides.** `--set key.path=value` (repeatable) changes one key after the file is
  read; a later `--set` wins over an earlier one. The value is read as a YAML scalar and
  validated like a value in the file; errors name the source as `--set key.path`.
- **Values.** Booleans are `true` or `false`. Integers are decimal, optionally in exact
  scientific notation (`1e6`); numbers must be finite. Values of numeric and boolean keys
  must not be quoted. `int` is 32-bit signed, `uint32` 32-bit unsigned, `uint64` 64-bit
  unsigned, `double` IEEE-754 binary64. Unit `1` means dimensionless.
- **Lists** (type `list of ...`) are YAML sequences, flow (`[spatial, noise]`) or block
  style (one `- item` per line); every item is checked like a value of the item type, and
  an error names the item and its line. On the command line:
  `--set 'data.shift.augmentations=[spatial, noise]'`.
- **Effective configuration.** Every result directory holds `config.yaml`: every key with
  its value, defaults filled in (`lrtsim config dump FILE` prints it). Loading it again
  gives exactly the same configuration.
- **Hash.** `config_hash` is the 64-bit FNV-1a of the lines `key.path=value` (canonical
  values, table order) of the keys marked *yes* in the column *hash*; the others cannot
  change simulated results. Checkpoints store it and refuse to resume under another
  configuration. `lrtsim config check FILE` prints it.
- **Sources.** "LRT paper" is Gural, Nadeau, Tikekar and Murmann, *Low-Rank Training of
  Deep Neural Networks for Emerging Memory Technology* (`low-rank-training-nvm`); "Sakr &
  Shanbhag" is *Per-Tensor Fixed-Point Quantization of the Back-Propagation Algorithm*
  (`per-tensor-fixed-point-backprop`). Defaults that are our own choices say
  "assumption:" and why.
- **Environments** of the LRT paper (§7.1, App. F): the defaults are the control case;
  `accel.rram.drift.model` selects analog weight drift (`analog`), digital bit flips
  (`digital`) or both, with the paper's σ₀ = p₀ = 10, d = 10, H = 1M as defaults; the
  distribution shift is the `data.shift.*` stream.
- **RRAM arrays** (`accel.rram.*`) take their size from the network and their weight format
  from `train.quant.weight`; every other parameter of every array is here.
- **Quantizers** (`train.quant.*`) are uniform with power-of-two steps and a fixed
  clipping bound `range` R, the predetermined dynamic range of Sakr & Shanbhag §2.1:
  signed tensors take values in [-R, R) with LSB R·2^(1-bits), the unsigned activation
  tensor in [0, R) with LSB R·2^-bits (docs/fixed_point.md). The paper's "8 b in [-1, 1]"
  is `{bits: 8, range: 1}`.
)";

}  // namespace

std::string reference_markdown(const Schema& keys) {
  std::string out = kIntro;
  std::string current;
  for (const KeySpec& k : keys) {
    const std::string top = split_path(k.path).front();
    if (top != current) {
      current = top;
      out += "\n## " + top +
             "\n\n"
             "| key | type | unit | default | allowed | hash | description | source of the default |\n"
             "|---|---|---|---|---|---|---|---|\n";
    }
    out += "| " + code(k.path) + " | " + k.type + " | " + cell(k.unit) + " | " +
           (k.required ? std::string("*required*") : code(k.default_text)) + " | " + cell(k.allowed) + " | " +
           (k.hashed ? "yes" : "no") + " | " + cell(k.description) + " | " + cell(k.source) + " |\n";
  }
  return out;
}

}  // namespace lrt::config
