#!/usr/bin/env bash
# Verilator line and toggle coverage of rr_unit from the co-simulation test set (the runs of
# RanksModesKappa/CmdCosim.* in tb/tests/cli/test_cmd_cosim.cpp, plus a stalled run and a
# resumed pair counter), and the FSM states reached (docs/rtl.md, "Coverage").
#
#   scripts/rtl_coverage.sh [BUILD_DIR]    # default build/rtl-cov; JOBS=2 cases at a time
#
# Configures BUILD_DIR with -DLRTSIM_RTL_COVERAGE=ON (the C++-mode rr_unit Verilated with
# --coverage), runs lrtsim cosim once per case with LRTSIM_RTL_COVERAGE_FILE set, merges the
# data (verilator_coverage --write) and prints (scripts/rtl_coverage_report.py), per file of
# rtl/*.sv(h) and in all: line, branch and toggle points covered / total, and every state of every
# FSM (enum typedefs named *state*) with the count of its case item. A state never reached, a
# state without a case item, no FSM found or an RTL source edited during the run fail the
# script (exit 1). Summary: BUILD_DIR/rtl_coverage/summary.txt; annotated source: .../annotated/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/rtl-cov}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
rtl_sources=("$root"/rtl/*.sv "$root"/rtl/*.svh)
rtl_hash=$(cat "${rtl_sources[@]}" | sha256sum)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLRTSIM_RTL_COVERAGE=ON >/dev/null
cmake --build "$build" -j "${JOBS:-2}" --target lrtsim >/dev/null
lrtsim=$(find "$build" -name lrtsim -type f -perm -u+x | head -1)
out=$build/rtl_coverage
rm -rf "$out" && mkdir -p "$out"

# rank samples mode kappa n_o n_i seed [extra...]
cases=(
  "1 3200 biased 100 8 12 11" "1 1000 unbiased 0 13 7 12"
  "2 2000 unbiased 100 16 8 21" "2 500 biased 0 9 16 22"
  "4 1500 biased 100 32 16 41" "4 500 unbiased 0 12 20 42"
  "8 1000 unbiased 100 12 9 81" "8 300 biased 0 8 8 82"
  "4 30 unbiased 100 256 64 43"
  "2 60 biased 100 16 16 5 --stall 0.3" "8 60 unbiased 0 7 5 6 --stall 0.3"
  "2 60 unbiased 0 16 16 7 --first-pair 4294967280"
)
# JOBS cases at a time (default 2), each a single-threaded lrtsim; a case that fails leaves no
# .ok file.
run_case() {
  local k=$1 c=$2 rank samples mode kappa n_o n_i seed extra
  read -r rank samples mode kappa n_o n_i seed extra <<<"$c"
  # shellcheck disable=SC2086
  LRTSIM_RTL_COVERAGE_FILE=$out/run$k.dat "$lrtsim" cosim --rank "$rank" --samples "$samples" --mode "$mode" \
    --kappa-th "$kappa" --n-o "$n_o" --n-i "$n_i" --seed "$seed" $extra >"$out/run$k.log" 2>&1 &&
    touch "$out/run$k.ok"
}
k=0
for c in "${cases[@]}"; do
  while (($(jobs -rp | wc -l) >= ${JOBS:-2})); do wait -n || true; done
  run_case "$k" "$c" &
  k=$((k + 1))
done
wait
for ((i = 0; i < k; ++i)); do
  [[ -f $out/run$i.ok ]] ||
    { echo "rtl_coverage: cosim case '${cases[$i]}' failed (see $out/run$i.log)" >&2; exit 1; }
done
verilator_coverage --write "$out/merged.dat" "$out"/run*.dat >/dev/null
verilator_coverage --annotate "$out/annotated" "$out/merged.dat" >"$out/annotate.txt"

# The sources must be those the build Verilated: a change during the runs would shift the
# line numbers the FSM count maps (the report would be silently wrong).
if [[ $(cat "${rtl_sources[@]}" | sha256sum) != "$rtl_hash" ]]; then
  echo "rtl_coverage: rtl/*.sv changed during the run; run again" >&2
  exit 1
fi
/usr/bin/python3 "$root/scripts/rtl_coverage_report.py" "$out/merged.dat" "${rtl_sources[@]}" | tee "$out/summary.txt"
