#!/usr/bin/env bash
# Instruction-count regression check (issue 11): counts the instructions executed inside
# Engine::train_step for a fixed tiny workload with callgrind, which counts instructions,
# not seconds, so the figure is the same on every run of the same binary and inputs.
# Fails when a workload needs more than 10% more instructions than the committed baseline
# in tb/perf/callgrind_baseline.txt. Data loading and validation are outside the counted
# region (--toggle-collect), so only the training datapath is measured.
#
#   scripts/perf_check.sh            # check against the baseline
#   scripts/perf_check.sh --update   # rewrite the baseline from this build
# Needs build/release (scripts/test.sh builds it) and valgrind.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
lrtsim=build/release/tb/lrtsim
baseline=tb/perf/callgrind_baseline.txt
tolerance=1.10
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The workloads: the default network, 40 samples each, short validation.
common=(--set data.split.validation_samples=50 --set run.progress=false)
"$lrtsim" pretrain configs/default.yaml --out "$work/model.ckpt" --samples 40 "${common[@]}" >/dev/null

count() {  # name, lrtsim arguments...
  local name=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" \
    --toggle-collect='lrt::golden::Engine::train_step*' "$lrtsim" "$@" >/dev/null 2>"$work/$name.log"
  local ir
  ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$work/$name.out" | head -1)
  [[ -n "$ir" ]] || { cat "$work/$name.log" >&2; echo "perf_check: no count for $name" >&2; exit 1; }
  echo "$name $ir"
}

{
  count pretrain_sgd_default_40 pretrain configs/default.yaml --out "$work/p.ckpt" --samples 40 "${common[@]}"
  count run_lrt_fixed_default_40 run configs/default.yaml --out "$work/run" --samples 40 \
    --set run.model="$work/model.ckpt" "${common[@]}"
  # The device path: analog + digital drift every 5 samples, 1 % stuck cells (drift draws,
  # RRAM writes with write-verify, adoption of drifted codes).
  count run_lrt_device_default_40 run configs/default.yaml --out "$work/run_device" --samples 40 \
    --set run.model="$work/model.ckpt" --set accel.rram.drift.model=both \
    --set accel.rram.drift.interval_samples=5 --set accel.rram.stuck_at_fault_rate=0.01 "${common[@]}"
} > "$work/current.txt"

if [[ "${1:-}" == "--update" ]]; then
  { echo "# Instructions inside Engine::train_step (callgrind Ir), scripts/perf_check.sh --update"
    cat "$work/current.txt"; } > "$baseline"
  cat "$baseline"
  exit 0
fi

status=0
while read -r name ir; do
  base=$(awk -v n="$name" '$1 == n {print $2}' "$baseline")
  if [[ -z "$base" ]]; then
    echo "perf_check: $name has no baseline (run scripts/perf_check.sh --update)" >&2
    status=1
    continue
  fi
  ratio=$(awk -v a="$ir" -v b="$base" 'BEGIN {printf "%.4f", a / b}')
  verdict=ok
  if awk -v r="$ratio" -v t="$tolerance" 'BEGIN {exit !(r > t)}'; then verdict=REGRESSION; status=1; fi
  if awk -v r="$ratio" 'BEGIN {exit !(r < 0.90)}'; then verdict="ok (10% faster: consider --update)"; fi
  echo "perf_check: $name $ir instructions, baseline $base, ratio $ratio: $verdict"
done < "$work/current.txt"
exit $status
