#!/usr/bin/env bash
# Set-up and the whole test suite: installs what is missing, builds Release with the
# tests and runs them, then builds the ASan+UBSan tree and runs the unit tests there
# (every test not labelled "integration"), then a ThreadSanitizer build running the
# multi-threaded (--jobs) paths of both engines.
# Any sanitizer report fails the run (-fno-sanitize-recover=all, halt_on_error=1).
# Last, every libFuzzer target runs for a bounded time (LRTSIM_FUZZ_SECONDS, default 60).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

# Stage banners with the time each stage took, and a table of them at the end (also when a
# stage fails: the table then ends with the failed one), so that a CI log shows where it is.
stages=() stage_name="" stage_start=$SECONDS
end_stage() {
  if [[ -n $stage_name ]]; then stages+=("$(printf '%6d s  %s' $((SECONDS - stage_start)) "$stage_name")"); fi
  stage_name=""
}
stage() {
  end_stage
  stage_name=$1 stage_start=$SECONDS
  echo
  echo "== [$(date -u +%H:%M:%S)] $1"
}
summary() {
  local rc=$?
  end_stage
  echo
  echo "== stages ($( ((rc == 0)) && echo passed || echo "FAILED in the last one, exit $rc")):"
  printf '%s\n' "${stages[@]}"
}
trap summary EXIT

stage "Release build + full test suite"
scripts/setup.sh build/release -DCMAKE_BUILD_TYPE=Release -DLRTSIM_BUILD_TESTS=ON
ctest --test-dir build/release --output-on-failure -j "$jobs"

stage "ASan+UBSan build + unit tests"
scripts/setup.sh build/asan -DCMAKE_BUILD_TYPE=Debug -DLRTSIM_BUILD_TESTS=ON -DLRTSIM_SANITIZE=ON \
  -DLRTSIM_BUILD_BENCH=OFF
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The long RTL co-simulations (10^4 pairs over ranks 1-8, whole runs on the Verilated unit) run
# in the Release pass only: here they would add ~10 minutes of Verilated code under ASan, whose
# paths the shorter cosim tests (checker, stalls, cycles, VCD) already exercise. The behaviour
# guard (behaviour_digests) too: the paper network's run takes minutes under ASan, and the
# Release pass compares the same results.
ctest --test-dir build/asan --output-on-failure -j "$jobs" -LE integration \
  -E 'RanksModesKappa/CmdCosim|CmdRunRtl\.|behaviour_digests'

stage "ThreadSanitizer build + the --jobs paths of both engines"
scripts/tsan_check.sh build/tsan

stage "Instruction-count regression check (callgrind, committed baseline, 10% tolerance)"
scripts/perf_check.sh

stage "RTL lint (verilator --lint-only -Wall) and Yosys read/synth"
scripts/lint_rtl.sh

stage "Bounded fuzzing (libFuzzer + ASan/UBSan), ${LRTSIM_FUZZ_SECONDS:-60} s per target"
scripts/fuzz.sh "${LRTSIM_FUZZ_SECONDS:-60}"
