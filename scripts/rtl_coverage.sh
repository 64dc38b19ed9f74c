#!/usr/bin/env bash
# Verilator line and toggle coverage of rr_unit from the co-simulation test set (the runs of
# RanksModesKappa/CmdCosim.* in tb/tests/cli/test_cmd_cosim.cpp, plus a stalled run and a
# resumed pair counter), and the FSM states reached (docs/rtl.md, "Coverage").
#
#   scripts/rtl_coverage.sh [BUILD_DIR]    # default build/rtl-cov; ~10 min build + ~3 min runs
#
# Configures BUILD_DIR with -DLRTSIM_RTL_COVERAGE=ON (the C++-mode rr_unit Verilated with
# --coverage), runs lrtsim cosim once per case with LRTSIM_RTL_COVERAGE_FILE set, merges the
# data (verilator_coverage --write) and prints, for rtl/rr_unit.sv: line and toggle points
# covered / total, and every state of the top FSM with the count of its case item (a state
# with count 0 fails the script). Annotated source: BUILD_DIR/rtl_coverage/annotated/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/rtl-cov}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")}
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
k=0
for c in "${cases[@]}"; do
  read -r rank samples mode kappa n_o n_i seed extra <<<"$c"
  # shellcheck disable=SC2086
  LRTSIM_RTL_COVERAGE_FILE=$out/run$k.dat "$lrtsim" cosim --rank "$rank" --samples "$samples" --mode "$mode" \
    --kappa-th "$kappa" --n-o "$n_o" --n-i "$n_i" --seed "$seed" $extra >"$out/run$k.log" ||
    { echo "rtl_coverage: cosim case '$c' failed (see $out/run$k.log)" >&2; exit 1; }
  k=$((k + 1))
done
verilator_coverage --write "$out/merged.dat" "$out"/run*.dat >/dev/null
verilator_coverage --annotate "$out/annotated" "$out/merged.dat" >"$out/annotate.txt"

/usr/bin/python3 - "$out/merged.dat" "$root/rtl/rr_unit.sv" <<'PY'
import re, sys
dat, src = sys.argv[1], sys.argv[2]
# coverage.dat: C '<\x01key\x02value...>' count; keys: f file, l line, page (v_line/..., v_toggle/...)
points = []
for line in open(dat, encoding="latin-1"):
    m = re.match(r"C '(.*)' (\d+)\s*$", line)
    if not m:
        continue
    kv = dict(p.split("\x02", 1) for p in m.group(1).split("\x01") if "\x02" in p)
    points.append((kv, int(m.group(2))))
mine = [(kv, n) for kv, n in points if kv.get("f", "").endswith("rr_unit.sv")]
def kind(kv):
    return kv.get("page", "").split("/")[0]
for t in ("v_line", "v_branch", "v_toggle", "v_user"):
    sel = [n for kv, n in mine if kind(kv) == t]
    if sel:
        hit = sum(1 for n in sel if n > 0)
        print(f"rr_unit.sv {t[2:]:>6}: {hit}/{len(sel)} points covered ({100.0 * hit / len(sel):.1f} %)")
# FSM states: the case items of the top state machine ("        S_X:" inside always_ff seq).
lines = open(src).read().splitlines()
states = {}
in_seq = False
for i, l in enumerate(lines, 1):
    if "always_ff @(posedge clk) begin : seq" in l:
        in_seq = True
    if in_seq:
        m = re.match(r"^ {8}(S_\w+):", l)
        if m:
            states[i] = m.group(1)
        if l.startswith("  end") and not l.startswith("  end "):
            pass
count = {}
for kv, n in mine:
    if kind(kv) in ("v_line", "v_branch"):
        ln = int(kv.get("l", "0"))
        if ln in states:
            count[states[ln]] = max(count.get(states[ln], 0), n)
missing = [s for s in states.values() if count.get(s, 0) == 0]
print(f"FSM states reached: {len(states) - len(missing)}/{len(states)}")
for ln, s in sorted(states.items()):
    print(f"  {s:<14} {count.get(s, 0)}")
if missing:
    print("rtl_coverage: states never reached: " + " ".join(missing))
    sys.exit(1)
PY
