#!/usr/bin/env bash
# ThreadSanitizer check of the multi-threaded paths (`--jobs N`): GEMMs, analog drift chunks
# and the layers' parallel weight updates, on both engines (in the TLM engine the threads work
# inside modules between waits; no socket is called from them), with every device effect on;
# then a few samples of the paper network, whose large arrays (>= 65,536 cells) also draw the
# next sample's read noise ahead on threads of their own.
# Any data race report fails the run (TSan exits 66). Usage: scripts/tsan_check.sh [build dir]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dir=${1:-build/tsan}
scripts/setup.sh "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLRTSIM_TSAN=ON -DLRTSIM_BUILD_TESTS=OFF \
  -DLRTSIM_BUILD_BENCH=OFF
lrtsim=$dir/tb/lrtsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TSAN_OPTIONS=halt_on_error=1:exitcode=66
small=(--set data.split.validation_samples=50 --set run.progress=false)
device=(--set accel.rram.drift.model=both --set accel.rram.drift.interval_samples=5
        --set accel.rram.stuck_at_fault_rate=0.01 --set accel.rram.read_noise_sigma_levels=0.2
        --set accel.rram.endurance_writes=20 --set accel.rram.endurance_distribution=fixed)
"$lrtsim" pretrain configs/default.yaml --out "$work/model.ckpt" --samples 200 --jobs 2 "${small[@]}" >/dev/null
for engine in golden tlm; do
  for jobs in 2 3; do
    "$lrtsim" run configs/default.yaml --out "$work/$engine-$jobs" --samples 30 --engine "$engine" \
      --jobs "$jobs" --set run.model="$work/model.ckpt" "${device[@]}" "${small[@]}" >/dev/null
    echo "tsan_check: $engine --jobs $jobs: no data race reported"
  done
done
"$lrtsim" pretrain configs/paper_cnn.yaml --out "$work/paper.ckpt" --samples 10 --jobs 2 "${small[@]}" >/dev/null
for engine in golden tlm; do
  "$lrtsim" run configs/paper_cnn.yaml --out "$work/paper-$engine" --samples 4 --engine "$engine" \
    --jobs 2 --set run.model="$work/paper.ckpt" "${device[@]}" "${small[@]}" >/dev/null
  echo "tsan_check: paper network, $engine --jobs 2: no data race reported"
done
