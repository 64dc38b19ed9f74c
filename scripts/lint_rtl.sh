#!/usr/bin/env bash
# Lints every rtl/*.sv with `verilator --lint-only -Wall` (all sources given, the module as
# top: rr_unit instantiates the primitives) and, if yosys is installed, synthesizes each
# primitive (generic gates) and prints its cell statistics; rr_unit is only read and its
# hierarchy checked here (its synthesis takes minutes: scripts/synth_rank_reduce.sh).
# Exit status non-zero on the first lint warning or synthesis error.
#
#   scripts/lint_rtl.sh            # all modules
#   scripts/lint_rtl.sh rr_isqrt   # selected modules (file stems)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/rtl"
if (($#)); then
  modules=("$@")
else
  modules=()
  for f in *.sv; do modules+=("${f%.sv}"); done
fi

for m in "${modules[@]}"; do
  echo "== lint $m"
  verilator --lint-only -Wall --top-module "$m" ./*.sv
done

if ! command -v yosys >/dev/null; then
  echo "lint_rtl: yosys not installed; synthesis check skipped (scripts/setup.sh installs it)"
  exit 0
fi
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
for m in "${modules[@]}"; do
  echo "== yosys $m"
  if [[ $m == rr_unit ]]; then
    script="read_verilog -sv ./*.sv; hierarchy -check -top $m"
  else
    script="read_verilog -sv $m.sv; synth -top $m; stat"
  fi
  if ! yosys -q -l "$log_dir/$m.log" -p "$script" >/dev/null; then
    tail -20 "$log_dir/$m.log" >&2
    exit 1
  fi
  [[ $m == rr_unit ]] && { echo "   read, hierarchy ok"; continue; }
  sed -n '/Number of cells/,/^$/p' "$log_dir/$m.log" | head -1
done
