#!/usr/bin/env bash
# The co-simulation soak of issue 19 (docs/performance.md, "RTL co-simulation"): the rank-4
# unit at the paper network's conv2 shape (n_o 128, n_i 1152), biased, kappa_th 100, the state
# never reset, every pair checked word by word and against the closed-form cycles.
#
#   scripts/soak_cosim.sh [-n PAIRS] [-e REPORT_EVERY] [-l LOG] [-c CHECKPOINT] [-b BUILD_DIR] [-- extra cosim args]
#
# Defaults: 10^6 random pairs (after the 25 directed ones), a progress line every 1,000 pairs,
# log soak_cosim_<UTC time>.log in the current directory, checkpoint LOG.ckpt, build
# build/release. Each progress line (pairs matched so far, outcomes, pairs/s, RTL cycles/s) is
# flushed to the log as it is printed, and the whole state of both sides (the golden model, the
# SRAM image, every register of the Verilated unit) is saved to the checkpoint every 1,000
# pairs and when the soak is stopped (Ctrl-C, kill, timeout). Run the same command again (same
# -l, or -c) and it resumes from the checkpoint exactly where it stopped, appending to the log;
# progress lines count all segments. At the end the script prints the last line and the
# extrapolated wall time of the whole soak. Exit: cosim's (0 clean, 1 a mismatch, which the log
# holds with every differing word, 2 a checkpoint of another run or RTL), 130 when interrupted.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pairs=1000000
every=1000
log=soak_cosim_$(date -u +%Y%m%dT%H%M%SZ).log
ckpt=
build=$root/build/release
while getopts "n:e:l:c:b:h" opt; do
  case $opt in
    n) pairs=$OPTARG ;;
    e) every=$OPTARG ;;
    l) log=$OPTARG ;;
    c) ckpt=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
lrtsim=$build/tb/lrtsim
[[ -x $lrtsim ]] || { echo "soak_cosim: no $lrtsim (build the lrtsim target)" >&2; exit 2; }

ckpt=${ckpt:-$log.ckpt}
args=(cosim --samples "$pairs" --reset-every 0 --n-o 128 --n-i 1152 --rank 4 --mode biased
      --kappa-th 100 --report-every "$every" --checkpoint-every 1000 "$@")
if [[ -f $ckpt ]]; then
  args+=(--resume "$ckpt")  # saves there again
else
  args+=(--checkpoint "$ckpt")
fi
{
  echo "# soak_cosim: $(date -u +%FT%TZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(uptime)"
  echo "# lrtsim ${args[*]}"
} | tee -a "$log"

summary() {
  local last
  last=$(grep '^progress:' "$log" | tail -1)
  [[ -n $last ]] || { echo "soak_cosim: no progress line yet (log $log)"; return; }
  echo "soak_cosim: last report: ${last#progress: }"
  # "progress: K / N pairs matched ...; T s, P pairs/s, R RTL cycles/s; CPU C s" -> the whole
  # soak at this wall-clock rate, and on one otherwise idle core (K / C pairs per CPU second).
  awk '{
      done = $2; total = $4; cpu = $NF == "s" ? $(NF - 1) : 0
      for (i = 1; i <= NF; ++i) if ($(i) == "pairs/s,") rate = $(i - 1)
      if (rate > 0) printf "soak_cosim: extrapolated wall time of %d pairs at %.2f pairs/s: %.1f h\n", total, rate, total / rate / 3600
      if (cpu > 0) printf "soak_cosim: extrapolated CPU time at %.2f pairs per CPU second: %.1f h\n", done / cpu, total * cpu / done / 3600
    }' <<<"$last"
}
# lrtsim writes straight into the log (its progress lines are flushed as printed) and runs in
# the background, so that an interrupt of this script (Ctrl-C, kill, timeout) stops it, keeps
# every line it printed and still prints the summary.
from=$(($(stat -c %s "$log") + 1))
"$lrtsim" "${args[@]}" >>"$log" 2>&1 &
pid=$!
interrupted=0
trap 'interrupted=1; kill -TERM "$pid" 2>/dev/null' INT TERM
tail -c +"$from" -f --pid="$pid" "$log" &
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break  # a trapped signal ends wait early; lrtsim may still run
done
sleep 0.5  # tail's last lines
if ((interrupted)); then
  echo "soak_cosim: interrupted" | tee -a "$log"
  rc=130
fi
summary | tee -a "$log"
echo "soak_cosim: exit $rc (log $log)"
exit "$rc"
