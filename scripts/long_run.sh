#!/usr/bin/env bash
# Issue 10 item 7: a 1e6-sample online run of the default (small) network with analog and
# digital drift on and an endurance low enough that the busiest cells wear out, checkpointed
# every 50k samples (so it can be stopped and resumed). Not a CI test: about 40 min on one core.
# Prints summary.json; a non-finite loss would stop the run with exit 1 (sim/session.cpp), and NaN in
# any other double of the engine throws where it is rounded to a code.
# Usage: scripts/long_run.sh [build dir, default build/release] [samples, default 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
samples=${2:-1000000}
lrtsim=$build/tb/lrtsim
model=runs/pretrained/default.ckpt
[[ -f $model ]] || "$lrtsim" pretrain configs/default.yaml --out "$model"
out=runs/long-$(date +%Y%m%d-%H%M%S)
"$lrtsim" run configs/default.yaml --out "$out" --samples "$samples" --checkpoint-every 50000 \
  --set data.split.online_samples="$samples" --set run.trace_every=10000 \
  --set accel.rram.drift.model=both --set accel.rram.drift.horizon_samples="$samples" \
  --set accel.rram.endurance_writes=20000
cat "$out/summary.json"
echo "results: $out"
