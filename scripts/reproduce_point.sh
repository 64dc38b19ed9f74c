#!/usr/bin/env bash
# Runs one point of a scripts/reproduce.sh result directory: line K of DIR/jobs.tsv (run id,
# model, samples, seed, then one --set override per tab-separated field), with the lrtsim
# binary and configuration recorded in DIR/preset.txt. reproduce.sh calls it for every point,
# locally (xargs -P) or as the task of a Slurm job array (--slurm), so both run the same command.
#
#   scripts/reproduce_point.sh DIR K
#
# The run goes to DIR/runs/<id>/ (command.txt, log.txt, exit_code, config.yaml, summary.json,
# trace.csv). A point whose summary.json records a finished run is skipped; one stopped by
# SIGTERM/SIGINT (a Slurm time limit) or killed after a checkpoint (one every 25,000 samples)
# resumes from DIR/runs/<id>/checkpoint.ckpt (byte-identical to an uninterrupted run), else
# starts over.
# Threads per run: REPRODUCE_THREADS, else SLURM_CPUS_PER_TASK, else 1 (lrtsim run --jobs;
# results are bit-identical for any number). Prints one status line; exit 0 when the point is
# finished (run or skipped), 1 when it failed, 2 for bad arguments.
set -euo pipefail
out=${1:?usage: reproduce_point.sh DIR K}
k=${2:?usage: reproduce_point.sh DIR K}
[[ -f "$out/preset.txt" && -f "$out/jobs.tsv" ]] || {
  echo "reproduce_point.sh: $out has no preset.txt and jobs.tsv (written by scripts/reproduce.sh)" >&2
  exit 2
}
[[ "$k" =~ ^[1-9][0-9]*$ ]] || { echo "reproduce_point.sh: K must be a line number >= 1, got '$k'" >&2; exit 2; }
preset_value() { sed -n "s/^$1=//p" "$out/preset.txt"; }
lrtsim=$(preset_value lrtsim)
config=$(preset_value config)
line=$(sed -n "${k}p" "$out/jobs.tsv")
[[ -n "$line" ]] || { echo "reproduce_point.sh: $out/jobs.tsv has no line $k" >&2; exit 2; }
IFS=$'\t' read -r -a fields <<< "$line"
id=${fields[0]} model=${fields[1]} samples=${fields[2]} seed=${fields[3]}
sets=("${fields[@]:4}")
dir=$out/runs/$id
threads=${REPRODUCE_THREADS:-${SLURM_CPUS_PER_TASK:-1}}
# A checkpoint every 25,000 samples bounds what a killed long point (SIGKILL, a failed node)
# loses; SIGTERM/SIGINT write one anyway. It changes no result, and is deleted once the point
# has finished (a paper-network checkpoint is 135 MB).
every=()
((samples > 25000)) && every=(--checkpoint-every 25000)

finished() { [[ -f "$dir/summary.json" ]] && grep -q '"interrupted": false' "$dir/summary.json"; }

if finished; then
  echo "reproduce_point.sh: $id skipped (finished before)"
  exit 0
fi
mkdir -p "$dir"
rm -f "$dir/exit_code"
start=$SECONDS
code=0
if [[ -f "$dir/checkpoint.ckpt" ]]; then
  args=(run --resume "$dir" --jobs "$threads")
  { printf '%q ' "$lrtsim" "${args[@]}"; echo; } >> "$dir/command.txt"  # after the command it resumes
  echo "reproduce_point.sh: resuming $id from $dir/checkpoint.ckpt" >> "$dir/log.txt"
  SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$lrtsim" "${args[@]}" >> "$dir/log.txt" 2>&1 || code=$?
  if ((code != 0 && code < 128)); then  # not resumable (e.g. another binary): start over
    echo "reproduce_point.sh: resume failed (exit $code); starting $id over" >> "$dir/log.txt"
    mv "$dir/log.txt" "$dir/log.resume-failed.txt"
    rm -f "$dir/checkpoint.ckpt"
    code=0
  fi
fi
if ! finished && ((code == 0)); then
  args=(run "$config" --out "$dir" --force --samples "$samples" --seed "$seed" --jobs "$threads"
    "${every[@]}" --set "run.model=$model" --set run.progress=false)
  for s in "${sets[@]}"; do args+=(--set "$s"); done
  printf '%q ' "$lrtsim" "${args[@]}" > "$dir/command.txt"
  echo >> "$dir/command.txt"
  SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$lrtsim" "${args[@]}" > "$dir/log.txt" 2>&1 || code=$?
fi
echo "$code" > "$dir/exit_code"
if ((code == 0)) && finished; then
  rm -f "$dir/checkpoint.ckpt"
  echo "reproduce_point.sh: $id done in $((SECONDS - start)) s"
  exit 0
fi
echo "reproduce_point.sh: $id FAILED (exit $code), log: $dir/log.txt" >&2
exit 1
