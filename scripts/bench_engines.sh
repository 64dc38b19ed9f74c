#!/usr/bin/env bash
# Host speed of `lrtsim run` on the golden and the TLM engine (issue 5 item 6), for the default
# and the paper network, device effects off and on. Prints one markdown table row per run, from
# each run's host.json (wall time of the training loop). Measures speed only; results are
# checked by the test suite. Usage: scripts/bench_engines.sh [build dir, default build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
lrtsim=${1:-build/release}/tb/lrtsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Device effects of the paper's drift study (App. F: analog and digital drift) plus 1 % stuck
# cells; wear-out is always on. Read noise is measured separately: it draws a normal number per
# cell per sample, which dominates everything else on the paper network.
device_on=(--set accel.rram.drift.model=both --set accel.rram.stuck_at_fault_rate=0.01)
read_noise=(--set accel.rram.read_noise_sigma_levels=0.2)

"$lrtsim" pretrain configs/default.yaml --out "$work/default.ckpt" --samples 2000 >/dev/null
"$lrtsim" pretrain configs/paper_cnn.yaml --out "$work/paper.ckpt" --samples 200 >/dev/null

run() {  # name, config, model, samples, engine, extra...
  local name=$1 config=$2 model=$3 samples=$4 engine=$5
  shift 5
  "$lrtsim" run "$config" --out "$work/$name-$engine" --samples "$samples" --engine "$engine" \
    --set run.model="$model" "$@" >/dev/null
  python3 -c "import json,sys; h=json.load(open(sys.argv[1])); print('| $name | $engine | %.1f |' % h['samples_per_second'])" \
    "$work/$name-$engine/host.json"
}

echo "| workload | engine | samples/s |"
echo "|---|---|---|"
for engine in golden tlm; do run default "configs/default.yaml" "$work/default.ckpt" 3000 $engine; done
for engine in golden tlm; do run default+device "configs/default.yaml" "$work/default.ckpt" 3000 $engine "${device_on[@]}"; done
for engine in golden tlm; do run paper "configs/paper_cnn.yaml" "$work/paper.ckpt" 300 $engine; done
for engine in golden tlm; do run paper+device "configs/paper_cnn.yaml" "$work/paper.ckpt" 300 $engine "${device_on[@]}"; done
for engine in golden tlm; do run paper+device+jobs2 "configs/paper_cnn.yaml" "$work/paper.ckpt" 300 $engine "${device_on[@]}" --jobs 2; done
for engine in golden tlm; do run default+read_noise "configs/default.yaml" "$work/default.ckpt" 1000 $engine "${read_noise[@]}"; done
for engine in golden tlm; do run paper+read_noise "configs/paper_cnn.yaml" "$work/paper.ckpt" 20 $engine "${read_noise[@]}"; done
