#!/usr/bin/env bash
# The default simulation: installs what is missing, builds Release, pre-trains the model
# the default configuration deploys (run.model) if it does not exist yet, then trains it
# online with the golden engine and prints where the results are (docs/run.md).
# Pre-training and the run take about a minute each on one core.
#
#   scripts/run.sh [extra lrtsim run arguments, e.g. --samples 2000 --set run.stream=shift]
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
"$lrtsim" run "$config" --out "$out" --jobs "$(nproc)" "$@"
echo "run.sh: results in $out (config.yaml, summary.json, trace.csv, host.json)"
