#!/usr/bin/env bash
# Yosys synthesis of the rank-reduce unit (rtl/rr_unit.sv and the blocks it instantiates) to
# generic gates, once per rank, with an area estimate from documented per-cell areas.
#
#   scripts/synth_rank_reduce.sh [--ranks "1 2 4 8" (the default)] [--out configs/rank_reduce_area.yaml] [--jobs N]
#                                [--logs DIR] [--no-synth]
#
# Per rank: `chparam -set MAX_RANK r rr_unit; synth -top rr_unit -flatten -noshare` (Yosys's
# generic gates after ABC; -noshare: the RTL shares its multiplier and shifter explicitly, and
# Yosys's SAT-based sharing only costs time and can create false combinational loops between
# the operators it merges), then `check -assert` and `stat`. Each generic cell type is priced as its standard-cell
# counterpart below; a flip-flop with enable and/or synchronous reset as a D flip-flop plus the
# gates that make it (enable: a MUX2 feedback, reset: an AND2). Prints cells, flip-flops and area
# per rank and writes the YAML that `lrtsim explore` reads (`logic_area: FILE`,
# docs/exploration.md). Yosys logs: build/synth/rank<r>.log; `check -assert` fails the run on a
# combinational loop or another netlist problem. Wall time per rank: build/synth/rank<r>.time
# (docs/rtl.md, "Synthesis"); minutes per rank, so not part of the test suite.
#
# Cell areas (um^2): the X1 cells of the NanGate FreePDK45 Open Cell Library (v1.3,
# NangateOpenCellLibrary_typical.lib; a 0.19 x 1.4 um site, 0.266 um^2): INV 0.532, NAND2 and
# NOR2 0.798, AND2 and OR2 1.064, XOR2 and XNOR2 1.596, MUX2 1.862, AOI21/OAI21 1.064,
# AOI22/OAI22 1.33, DFF 4.522; an and-not / or-not gate is INV + NAND2/NOR2 (1.33). Scaled to the
# 40 nm node of the rest of the model (docs/exploration.md, technology) by (40/45)^2 = 0.790.
# An estimate before placement: no wiring, no clock tree, no SRAM macros (Q_L, Q_R and the
# scratch words live in the SRAM, counted separately as aux_sram_area_um2).
#
# Register files: the q x q matrices (C / Q_x, U, V, M_L + M_R) live in rr_regfile instances
# (rtl/rr_regfile.sv, one write and one read port each), which synthesis reads as black boxes
# (read_verilog -lib) and prices per bit as register-file macros: 1 / 0.33 Mb/mm^2 = 3.03 um^2
# per bit at 45 nm, the least dense of the fabricated 40/45 nm SRAMs in the comparison table of
# M. R. Guthaus et al., "OpenRAM: An Open-Source Memory Compiler", ICCAD 2016 (45 nm, JSSC'11,
# 0.33 Mb/mm^2; the others: 40 nm 0.94, OpenRAM FreePDK45 0.826 Mb/mm^2) -- the least dense one
# because these macros are small (periphery per bit is larger), scaled to 40 nm like the cells
# (2.39 um^2 per bit). Their DEPTH x WIDTH bits come from the netlist (rank<r>.rf).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ranks="1 2 4 8"
out=$root/configs/rank_reduce_area.yaml
jobs=$(nproc 2>/dev/null || echo 2)
logs=$root/build/synth
synth=1
while (($#)); do
  case $1 in
    --ranks) ranks=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --no-synth) synth=0; shift ;;  # re-price the stat files already in --logs
    *) echo "usage: synth_rank_reduce.sh [--ranks \"1 2 4 8\"] [--out FILE] [--jobs N] [--logs DIR] [--no-synth]" >&2
       exit 2 ;;
  esac
done
for r in $ranks; do
  [[ $r =~ ^[1-8]$ ]] || { echo "synth_rank_reduce: rank '$r': expected 1..8" >&2; exit 2; }
done
command -v yosys >/dev/null || { echo "synth_rank_reduce: yosys not found (scripts/setup.sh installs it)" >&2; exit 2; }
mkdir -p "$logs"
sources=$(ls "$root"/rtl/rr_*.sv | grep -v '/rr_regfile.sv$' | tr "\n" " ")

synth_one() {
  local r=$1 t0=$SECONDS
  yosys -q -l "$logs/rank$r.log" -p "
    read_verilog -sv -lib $root/rtl/rr_regfile.sv
    read_verilog -sv -I$root/rtl $sources
    chparam -set MAX_RANK $r rr_unit
    synth -top rr_unit -flatten -noshare
    check -assert
    tee -o $logs/rank$r.stat stat
    tee -q -o $logs/rank$r.rf dump t:rr_regfile" >/dev/null
  echo "synth_rank_reduce: rank $r: $((SECONDS - t0)) s wall (check -assert clean)" | tee "$logs/rank$r.time"
}

if ((synth)); then
  pids=()
  for r in $ranks; do
    synth_one "$r" &
    pids+=($!)
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
  done
  for p in "${pids[@]}"; do wait "$p"; done
fi
for r in $ranks; do
  [[ -s $logs/rank$r.stat ]] || { echo "synth_rank_reduce: no $logs/rank$r.stat (synthesis failed? see rank$r.log)" >&2; exit 1; }
  [[ -s $logs/rank$r.rf ]] || { echo "synth_rank_reduce: no $logs/rank$r.rf (the register-file macros; synthesis failed? see rank$r.log)" >&2; exit 1; }
done

/usr/bin/python3 - "$out" "$logs" $ranks <<'PY'
import re, sys
out, logs, ranks = sys.argv[1], sys.argv[2], [int(r) for r in sys.argv[3:]]
AREA = {  # NanGate45 X1 (um^2), see the script header
    "$_NOT_": 0.532, "$_BUF_": 0.798, "$_NAND_": 0.798, "$_NOR_": 0.798, "$_AND_": 1.064, "$_OR_": 1.064,
    "$_ANDNOT_": 1.33, "$_ORNOT_": 1.33, "$_XOR_": 1.596, "$_XNOR_": 1.596, "$_MUX_": 1.862,
    "$_AOI3_": 1.064, "$_OAI3_": 1.064, "$_AOI4_": 1.33, "$_OAI4_": 1.33,
}
DFF, MUX2, AND2 = 4.522, 1.862, 1.064
RF_BIT = 1.0 / 0.33  # um^2 per register-file bit at 45 nm (OpenRAM ICCAD 2016 table, JSSC'11), see the header


def flop_area(cell):
    """$_DFF_P_, $_DFFE_PP_, $_SDFF_PP0_, $_SDFFE_PP0P_, $_SDFFCE_PN1P_, ...: D flip-flop + gates."""
    m = re.match(r"\$_(S?)DFF(C?E?)_", cell)
    if not m:
        return None
    return DFF + (MUX2 if "E" in m.group(2) else 0.0) + (AND2 if m.group(1) else 0.0)

SCALE = (40.0 / 45.0) ** 2
rows = []
for r in ranks:
    text = open(f"{logs}/rank{r}.stat").read()
    counts = {}
    for line in text.splitlines():
        m = re.match(r"\s+(\$_\w+_)\s+(\d+)\s*$", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))
    unknown = sorted(c for c in counts if c not in AREA and flop_area(c) is None)
    if unknown:
        sys.exit(f"synth_rank_reduce: rank {r}: no area for Yosys cell types {unknown} (add them to AREA)")
    cells = sum(counts.values())
    ffs = sum(n for c, n in counts.items() if flop_area(c) is not None)
    cell_area = SCALE * sum((AREA.get(c) or flop_area(c)) * n for c, n in counts.items())
    # register-file macros: "cell \rr_regfile \u_x" followed by its DEPTH and WIDTH parameters
    rf_bits, params = 0, {}
    for line in open(f"{logs}/rank{r}.rf").read().splitlines() + ["cell end"]:
        m = re.match(r"\s*parameter\s+(?:signed\s+)?\\(\w+)\s+(\d+)", line)
        if m:
            params[m.group(1)] = int(m.group(2))
        elif re.match(r"\s*cell\s", line):
            if params:
                rf_bits += params["DEPTH"] * params["WIDTH"]
            params = {}
    if rf_bits == 0:
        sys.exit(f"synth_rank_reduce: rank {r}: no rr_regfile macro found in rank{r}.rf")
    rf_area = SCALE * RF_BIT * rf_bits
    rows.append((r, cells, ffs, cell_area + rf_area, rf_bits, rf_area))
with open(out, "w") as f:
    f.write("# Rank-reduce unit logic area per rank: generated by scripts/synth_rank_reduce.sh (do not edit).\n")
    f.write("# Yosys generic gates, NanGate FreePDK45 OCL X1 cell areas scaled to 40 nm by (40/45)^2;\n")
    f.write("# before placement: no wiring, no clock tree; Q_L/Q_R live in SRAM (docs/rtl.md, Synthesis);\n")
    f.write("# the q x q matrices are register-file macros (regfile_bits) priced at 3.03 um^2 per bit at\n")
    f.write("# 45 nm (OpenRAM, ICCAD 2016: 0.33 Mb/mm^2, 45 nm JSSC'11) x (40/45)^2 = regfile_area_um2,\n")
    f.write("# included in logic_area_um2; cells and flip_flops are the standard cells. check -assert clean.\n")
    f.write("ranks:\n")
    for r, cells, ffs, area, rf_bits, rf_area in rows:
        f.write(f"  {r}: {{logic_area_um2: {area:.1f}, cells: {cells}, flip_flops: {ffs}, "
                f"regfile_bits: {rf_bits}, regfile_area_um2: {rf_area:.1f}}}\n")
print(f"{'rank':>4} {'cells':>8} {'flip-flops':>10} {'rf bits':>8} {'rf um^2':>9} {'area um^2':>10}")
for r, cells, ffs, area, rf_bits, rf_area in rows:
    print(f"{r:>4} {cells:>8} {ffs:>10} {rf_bits:>8} {rf_area:>9.1f} {area:>10.1f}")
print(f"synth_rank_reduce: wrote {out}")
PY
