#!/usr/bin/env bash
# A PNG of a `lrtsim run --engine tlm --vcd` trace as GTKWave shows it, for the docs
# (docs/tlm.md, "The VCD"). Needs gtkwave, xvfb, x11-apps (xwd) and imagemagick (Debian).
#   scripts/vcd_screenshot.sh TRACE.vcd OUT.png [FROM_PS TO_PS]
set -euo pipefail
vcd=$(realpath "$1"); out=$2; from=${3:-0}; to=${4:-}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The signals in the order an engineer reads them: the controller, the modules, the bus.
{
  echo "[dumpfile] \"$vcd\""
  echo "[size] 1500 500"
  echo "[signals_width] 300"; echo "[sst_expanded] 0"; echo "[sst_vpaned_height] 0"
  echo "@24"; echo "SystemC.phase[31:0]"; echo "SystemC.sample[63:0]"
  echo "@424"; echo "SystemC.controller.layer[31:0]"
  echo "@24"; echo "SystemC.controller.learning[31:0]"
  echo "@28"
  grep -o 'module [a-z_0-9]* \$end' "$vcd" | awk '{print $2}' | while read -r m; do
    grep -q "^\$scope module $m \$end" "$vcd" && grep -A1 "^\$scope module $m \$end" "$vcd" | grep -q ' busy ' &&
      echo "SystemC.$m.busy"
  done
  echo "@24"; echo "SystemC.bus.transactions[63:0]"; echo "SystemC.controller.energy_uj"
} > "$work/view.gtkw"
[[ -n "$to" ]] && echo "gtkwave::setZoomRangeTimes $from $to" > "$work/zoom.tcl" || echo "gtkwave::/Time/Zoom/Zoom_Full" > "$work/zoom.tcl"
xvfb-run -a -s "-screen 0 1500x500x24" bash -c "
  gtkwave --rcvar 'hier_max_level 0' -a '$work/view.gtkw' -S '$work/zoom.tcl' '$vcd' > '$work/gtkwave.log' 2>&1 &
  sleep 10; xwd -root -silent | convert xwd:- png:'$out'; kill %1"
echo "wrote $out"
