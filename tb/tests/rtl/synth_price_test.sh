#!/usr/bin/env bash
# ctest synth_price: scripts/synth_rank_reduce.sh --no-synth prices a Yosys `stat` exactly as its
# header documents (NanGate45 X1 areas x (40/45)^2, flip-flops with enable / sync reset as
# DFF + MUX2 / AND2), counts cells and flip-flops, adds the register-file macros of the netlist
# dump (DEPTH x WIDTH bits at 1 / 0.33 um^2 per bit x (40/45)^2), and refuses a cell type it has
# no price for and a run without macros.
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
cat > "$work/rank2.rf" <<'RF'

  attribute \module_not_derived 1
  cell \rr_regfile \u_ja
    parameter signed \AW 4
    parameter signed \DEPTH 9
    parameter signed \WIDTH 32
    connect \we \ja_we
  end

  cell \rr_regfile \u_mx
    parameter signed \DEPTH 12
    parameter signed \WIDTH 16
    parameter signed \AW 4
  end
RF
"$root/scripts/synth_rank_reduce.sh" --ranks 2 --logs "$work" --no-synth --out "$work/area.yaml" >/dev/null
# cells: 3 x 0.532 + 2 x 1.596 + 4 x 1.862 + 4.522 + 2 x 6.384 + 5.586 + 3 x 7.448 = 57.456 um^2
# (45 nm); macros: 9 x 32 + 12 x 16 = 480 bits x 1 / 0.33 um^2 (45 nm); both x (40/45)^2
expected=$(/usr/bin/python3 -c 's = (40 / 45) ** 2; rf = 480 / 0.33 * s; print(f"{57.456 * s + rf:.1f} {rf:.1f}")')
read -r total rf <<<"$expected"
line=$(grep '^  2:' "$work/area.yaml")
[[ $line == "  2: {logic_area_um2: $total, cells: 16, flip_flops: 7, regfile_bits: 480, regfile_area_um2: $rf}" ]] || {
  echo "FAIL: got '$line', expected area $total (register files $rf, 480 bits), 16 cells, 7 flip-flops"; exit 1; }
mv "$work/rank2.rf" "$work/rank2.rf.saved"
if "$root/scripts/synth_rank_reduce.sh" --ranks 2 --logs "$work" --no-synth --out "$work/bad.yaml" 2>"$work/err"; then
  echo "FAIL: a run without the register-file dump was accepted"; exit 1
fi
grep -q 'rank2.rf' "$work/err" || { echo "FAIL: unclear error: $(cat "$work/err")"; exit 1; }
mv "$work/rank2.rf.saved" "$work/rank2.rf"
echo '     $_WEIRD_                        1' >> "$work/rank2.stat"
if "$root/scripts/synth_rank_reduce.sh" --ranks 2 --logs "$work" --no-synth --out "$work/bad.yaml" 2>"$work/err"; then
  echo "FAIL: an unpriced cell type was accepted"; exit 1
fi
grep -q 'no area for Yosys cell types' "$work/err" || { echo "FAIL: unclear error: $(cat "$work/err")"; exit 1; }
echo "PASS: $line"
