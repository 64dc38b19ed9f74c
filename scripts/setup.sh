#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: install what is missing (Debian 12, as root),
# then configure and build one build tree. Idempotent: a second call installs nothing
# and rebuilds only what changed (ccache keeps recompiles cheap).
#
#   scripts/setup.sh BUILD_DIR [extra cmake arguments...]
set -euo pipefail

# Packages, each for one reason:
PACKAGES=(
  build-essential cmake pkg-config ccache      # toolchain
  libsystemc-dev                               # SystemC 2.3.4 + TLM-2.0
  libsystemc-doc                               # Accellera TLM-2.0 example initiators (interoperability test)
  verilator                                    # RTL co-simulation
  yosys                                        # RTL synthesis check (scripts/lint_rtl.sh)
  valgrind                                     # instruction counts (scripts/perf_check.sh)
  libyaml-cpp-dev                              # configuration
  libcli11-dev                                 # command line
  nlohmann-json3-dev                           # JSON results
  zlib1g-dev                                   # gzip IDX data sets
  libgtest-dev libbenchmark-dev                # tests, benchmarks
  libeigen3-dev                                # test oracle only (independent dense SVD)
  python3-matplotlib                           # plots (scripts/plot_explore.py, scripts/report.py)
  chromium                                     # headless check of lrtsim report's page (test_cmd_report.cpp)
  slurm-wlm munge                              # lrtsim explore --slurm test (scripts/slurm_local.sh)
  clang libclang-rt-14-dev                     # libFuzzer targets (scripts/fuzz.sh)
  dataset-fashion-mnist                        # the default real data set
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing packages and not root; run as root or install: ${missing[*]}" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir=${1:?usage: scripts/setup.sh BUILD_DIR [cmake args...]}
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
cmake -S "$root" -B "$build_dir" "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
