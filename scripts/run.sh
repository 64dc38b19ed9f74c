#!/usr/bin/env bash
# The default simulation: installs what is missing, builds Release, pre-trains the model
# the default configuration deploys (run.model) if it does not exist yet, then trains it
# online on the accelerator model (the SystemC TLM engine: accuracy, writes, cycles and
# energy) and ends with lrtsim run's report: accuracy, writes per cell and lifetime, energy
# per sample by component and phase, cycles, and where the files are (docs/run.md); then
# `lrtsim report` draws the plots into DIR/report/report.html (docs/report.md).
#
#   scripts/run.sh [extra lrtsim run arguments, e.g. --samples 2000 --set run.stream=shift,
#                   or --engine golden for the pure C++ engine without cycles and energy]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/setup.sh build/release -DCMAKE_BUILD_TYPE=Release
lrtsim=build/release/tb/lrtsim
config=configs/default.yaml

"$lrtsim" config check "$config"
model=$("$lrtsim" config dump "$config" | sed -n 's/^  model: *"\{0,1\}\([^"#]*\)"\{0,1\}.*/\1/p' | head -1)
model=${model%% }
if [[ -z "$model" ]]; then
  echo "run.sh: cannot read run.model from $config" >&2
  exit 1
fi
if [[ ! -f "$model" ]]; then
  echo "run.sh: pre-training the deployed model ($model)"
  mkdir -p "$(dirname "$model")"
  "$lrtsim" pretrain "$config" --out "$model" --jobs "$(nproc)"
fi

out=runs/default-$(date +%Y%m%d-%H%M%S)
engine=(--engine tlm)
for a in "$@"; do [[ "$a" == --engine || "$a" == --engine=* ]] && engine=(); done  # the caller's wins
"$lrtsim" run "$config" --out "$out" --jobs "$(nproc)" "${engine[@]}" "$@"
# The plots (a few seconds); the run's results stand even if drawing them fails.
"$lrtsim" report "$out" --out "$out/report" > /dev/null ||
  echo "run.sh: drawing the plots failed; the run's results are in $out" >&2
[[ -f "$out/report/report.html" ]] && echo "run.sh: plots in $out/report/report.html (lrtsim report, docs/report.md)"
true
