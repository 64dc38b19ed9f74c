#!/usr/bin/env bash
# ctest synth_price: scripts/synth_rank_reduce.sh --no-synth prices a Yosys `stat` exactly as its
# header documents (NanGate45 X1 areas x (40/45)^2, flip-flops with enable / sync reset as
# DFF + MUX2 / AND2), counts cells and flip-flops, and refuses a cell type it has no price for.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
work=${1:?usage: synth_price_test.sh WORK_DIR}
rm -rf "$work" && mkdir -p "$work"
cat > "$work/rank2.stat" <<'STAT'
   Number of cells:                 16
     $_NOT_                          3
     $_XOR_                          2
     $_MUX_                          4
     $_DFF_P_                        1
     $_DFFE_PP_                      2
     $_SDFF_PP0_                     1
     $_SDFFCE_PN1P_                  3
STAT
"$root/scripts/synth_rank_reduce.sh" --ranks 2 --logs "$work" --no-synth --out "$work/area.yaml" >/dev/null
# 3 x 0.532 + 2 x 1.596 + 4 x 1.862 + 4.522 + 2 x 6.384 + 5.586 + 3 x 7.448 = 57.456 um^2 (45 nm)
expected=$(/usr/bin/python3 -c 'print(f"{57.456 * (40 / 45) ** 2:.1f}")')
line=$(grep '^  2:' "$work/area.yaml")
[[ $line == "  2: {logic_area_um2: $expected, cells: 16, flip_flops: 7}" ]] || {
  echo "FAIL: got '$line', expected area $expected, 16 cells, 7 flip-flops"; exit 1; }
echo '     $_WEIRD_                        1' >> "$work/rank2.stat"
if "$root/scripts/synth_rank_reduce.sh" --ranks 2 --logs "$work" --no-synth --out "$work/bad.yaml" 2>"$work/err"; then
  echo "FAIL: an unpriced cell type was accepted"; exit 1
fi
grep -q 'no area for Yosys cell types' "$work/err" || { echo "FAIL: unclear error: $(cat "$work/err")"; exit 1; }
echo "PASS: $line"
