#!/usr/bin/env bash
# The behaviour guard of issue 20 (docs/architecture.md, "Behaviour guard"): short runs of
# configs/default.yaml and configs/paper_cnn.yaml on the golden and the TLM engine, whose
# pre-trained model, weights_digest, summary.json and trace.csv must equal the committed
# expectations in tb/tests/digests/expected/. A refactoring must leave them unchanged; a change
# that is meant to alter results (a new cost model, a fixed rule) regenerates them with
#
#   tb/tests/digests/check_digests.sh build/release/tb/lrtsim /tmp/digests --update
#
# and the diff of expected/ is reviewed and committed with that change.
#
#   check_digests.sh LRTSIM WORKDIR [--update]
#
# Each case: `lrtsim pretrain` a few samples (a short validation split, so that the paper
# network's validation pass stays short), then `lrtsim run` a few hundred samples from it.
# Everything runs inside WORKDIR with relative paths, so no path of the build tree enters a
# result (run.model is part of config_hash).
#
# Then the paper network with device effects again on two threads (--jobs 2): its files must be
# byte-identical to the one-thread run's.
#
# Fields left out of the comparison: none of summary.json or trace.csv today. Two runs in
# different directories give byte-identical files: summary.json holds no time, date, revision
# or path (the wall time is host.json's, which is not compared: it is the host's speed, not
# the simulation's behaviour). If a field that legitimately varies is ever added to summary.json,
# delete it in normalize() below and say why there.
set -euo pipefail
lrtsim=$(realpath "${1:?usage: check_digests.sh LRTSIM WORKDIR [--update]}")
work=${2:?usage: check_digests.sh LRTSIM WORKDIR [--update]}
update=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
expected=$here/expected
regenerate="tb/tests/digests/check_digests.sh build/release/tb/lrtsim /tmp/digests --update"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

# Case: name, config, online samples, trace_every, engines, then settings of the run. The
# paper network trains at ~100 samples/s on the golden engine, so it runs fewer samples; both
# cover at least one fc weight update (train.fc.batch 100) and several conv updates. The
# "-device" cases turn every device effect on (drift of both kinds, 1 % stuck cells, read
# noise sigma 0.2 levels; wear-out is always on), the work that issue 23 makes faster.
device="accel.rram.drift.model=both accel.rram.stuck_at_fault_rate=0.01 accel.rram.read_noise_sigma_levels=0.2"
cases=(
  "default default 200 50 golden,tlm"
  "paper_cnn paper_cnn 100 20 golden,tlm"
  "default-device default 200 50 golden,tlm $device"
  "paper_cnn-device paper_cnn 60 20 golden,tlm $device"
)

# summary.json and trace.csv as compared: today unchanged (see the file comment).
normalize() { cat "$1"; }

rm -rf "$work" && mkdir -p "$work"
cd "$work"
mkdir -p actual
for c in "${cases[@]}"; do
  read -r case config samples every engine_list settings <<<"$c"
  IFS=, read -r -a engines <<<"$engine_list"
  read -r -a settings <<<"${settings:-}"
  sets=()
  for s in "${settings[@]}"; do sets+=(--set "$s"); done
  if [[ ! -f "model-$config.ckpt" ]]; then  # one pre-trained model per config
    "$lrtsim" pretrain "$root/configs/$config.yaml" --out "model-$config.ckpt" --samples 40 \
      --set data.split.validation_samples=20 > "pretrain-$config.log" 2>&1 ||
      { echo "check_digests: pretrain $config failed:"; cat "pretrain-$config.log"; exit 1; }
    sha256sum "model-$config.ckpt" | cut -d' ' -f1 > "actual/$config.model.sha256"
  fi
  for engine in "${engines[@]}"; do
    name=$case-$engine
    "$lrtsim" run "$root/configs/$config.yaml" --engine "$engine" --out "run-$name" --samples "$samples" \
      --set "run.model=model-$config.ckpt" --set "run.trace_every=$every" "${sets[@]}" > "run-$name.log" 2>&1 ||
      { echo "check_digests: run $name failed:"; cat "run-$name.log"; exit 1; }
    mkdir -p "actual/$name"
    normalize "run-$name/summary.json" > "actual/$name/summary.json"
    normalize "run-$name/trace.csv" > "actual/$name/trace.csv"
  done
done

# --jobs identity where the pool paths are reached (issue 23: a large sparse read's deviations
# and mirror moves above 16,384 words, drift chunks, the read-noise prefetch, the rank
# reducers' speculation): the paper network with device effects on two threads must give the
# files of its one-thread run above, byte for byte.
read -r -a device_settings <<<"$device"
device_sets=()
for s in "${device_settings[@]}"; do device_sets+=(--set "$s"); done
for engine in golden tlm; do
  name=paper_cnn-device-$engine
  "$lrtsim" run "$root/configs/paper_cnn.yaml" --engine "$engine" --jobs 2 --out "run-$name-jobs2" --samples 60 \
    --set "run.model=model-paper_cnn.ckpt" --set "run.trace_every=20" "${device_sets[@]}" > "run-$name-jobs2.log" 2>&1 ||
    { echo "check_digests: run $name --jobs 2 failed:"; cat "run-$name-jobs2.log"; exit 1; }
  for f in summary.json trace.csv; do
    cmp -s "run-$name/$f" "run-$name-jobs2/$f" && continue
    echo "check_digests: --jobs 2 changed $f of $name:"
    diff -u "run-$name/$f" "run-$name-jobs2/$f" | head -n 60 || true
    exit 1
  done
done
echo "check_digests: paper_cnn-device on two threads equals one thread (golden, tlm)"

# digests.txt: one line per compared item, so that a review sees every change at a glance.
{
  for c in "${cases[@]}"; do
    read -r case config _ _ engine_list _ <<<"$c"
    IFS=, read -r -a engines <<<"$engine_list"
    [[ $case == "$config" ]] && echo "$config model.ckpt sha256 $(cat "actual/$config.model.sha256")"
    for engine in "${engines[@]}"; do
      name=$case-$engine
      echo "$name weights_digest $(jq -r .weights_digest "actual/$name/summary.json")"
      echo "$name summary.json sha256 $(sha256sum < "actual/$name/summary.json" | cut -d' ' -f1)"
      echo "$name trace.csv sha256 $(sha256sum < "actual/$name/trace.csv" | cut -d' ' -f1)"
    done
  done
} > actual/digests.txt

if [[ $update == --update ]]; then
  rm -rf "$expected" && mkdir -p "$expected"
  cp actual/digests.txt "$expected/"
  for c in "${cases[@]}"; do
    read -r case _ _ _ engine_list _ <<<"$c"
    IFS=, read -r -a engines <<<"$engine_list"
    for engine in "${engines[@]}"; do cp -r "actual/$case-$engine" "$expected/"; done
  done
  echo "check_digests: expectations rewritten in $expected; review \`git diff $expected\` and commit it"
  exit 0
fi

if diff -q "$expected/digests.txt" actual/digests.txt > /dev/null; then
  echo "check_digests: all $(wc -l < actual/digests.txt) digests equal the committed ones"
  exit 0
fi
echo "check_digests: results differ from the committed expectations (tb/tests/digests/expected/):"
diff "$expected/digests.txt" actual/digests.txt | grep '^[<>]' | sed 's/^</  expected:/; s/^>/  actual:  /' || true
# The fields: a diff of each differing file.
for c in "${cases[@]}"; do
  read -r case _ _ _ engine_list _ <<<"$c"
  IFS=, read -r -a engines <<<"$engine_list"
  for engine in "${engines[@]}"; do
    for f in summary.json trace.csv; do
      e=$expected/$case-$engine/$f a=actual/$case-$engine/$f
      cmp -s "$e" "$a" && continue
      echo "--- $case-$engine/$f (expected) vs this build:"
      diff -u "$e" "$a" | head -n 60 || true
    done
  done
done
echo "Results in $PWD. If the change is meant to alter them, regenerate the expectations with"
echo "  $regenerate"
echo "and commit the reviewed diff of tb/tests/digests/expected/ with the change."
exit 1
