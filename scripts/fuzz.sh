#!/usr/bin/env bash
# Bounded libFuzzer runs of every fuzz target (ASan+UBSan), each on a scratch copy of its
# seed corpus in tb/fuzz/corpus/<target>/ (the repository is never written).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# Prints one line per target with its execution count; exits non-zero on any finding.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${1:-60}
CXX=clang++ scripts/setup.sh build/fuzz -DLRTSIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for exe in build/fuzz/tb/fuzz/fuzz_*; do
  name=${exe##*/fuzz_}
  mkdir -p "$work/$name"
  cp -r tb/fuzz/corpus/"$name"/. "$work/$name"/ 2>/dev/null || true
  log="$work/$name.log"
  if ! TMPDIR="$work" "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$name-" "$work/$name" >"$log" 2>&1; then
    tail -50 "$log"
    echo "fuzz: $name FAILED (artifacts in $work, kept)" >&2
    trap - EXIT
    exit 1
  fi
  execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  echo "fuzz: $name ok: ${execs:-0} executions in ${seconds} s"
done
