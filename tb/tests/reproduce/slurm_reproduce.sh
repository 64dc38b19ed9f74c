#!/usr/bin/env bash
# Integration test of `scripts/reproduce.sh --slurm` (ctest reproduce_slurm): starts a
# single-node Slurm on localhost (scripts/slurm_local.sh), runs the --smoke preset through it
# (the pre-trainings as one array, the points as another), reruns it after losing one point
# (only that point is submitted again), then runs the same preset locally into the same path
# and checks that every result file is byte-identical. Exit 77 (ctest: skipped, with the
# reason printed) when Slurm cannot start on this machine.
#   tb/tests/reproduce/slurm_reproduce.sh LRTSIM WORK_DIR
set -euo pipefail
lrtsim=${1:?usage: slurm_reproduce.sh LRTSIM WORK_DIR}
work=${2:?usage: slurm_reproduce.sh LRTSIM WORK_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

set +e
conf=$("$root/scripts/slurm_local.sh" start "$work/slurm")
rc=$?
set -e
if ((rc == 77)); then echo "SKIPPED: Slurm cannot start here (reason above)"; exit 77; fi
((rc == 0)) || fail "slurm_local.sh start exited $rc"
export "${conf?}"
trap '"$root/scripts/slurm_local.sh" stop "$work/slurm"' EXIT
export LRTSIM=$lrtsim

# Runs record their own paths (run.model in config.yaml, log.txt), so both runs use the path
# r/: the Slurm result is moved aside before the local run.
"$root/scripts/reproduce.sh" --smoke --out r --slurm --jobs 2
total=$(wc -l < r/jobs.tsv)
((total >= 10)) || fail "only $total points in the smoke preset"
[[ $(find r/slurm -name 'points-*.out' | wc -l) == "$total" ]] || fail "expected $total point task logs"
[[ $(find r/slurm -name 'pretrain-*.out' | wc -l) == 2 ]] || fail "expected 2 pre-training task logs (w6, w8)"
[[ ! -s r/failed.txt ]] || fail "points failed on Slurm: $(cat r/failed.txt)"

# Restart: a lost point (its summary deleted) is the only task of the next array.
lost=$(head -n 1 r/jobs.tsv | cut -f1)
cp "r/runs/$lost/summary.json" lost_summary.json
rm "r/runs/$lost/summary.json"
"$root/scripts/reproduce.sh" --smoke --out r --slurm --jobs 2 | tee rerun.log
grep -q "$((total - 1)) finished before, 1 to run" rerun.log || fail "the rerun did not submit exactly the lost point"
[[ $(find r/slurm -name 'points-*.out' | wc -l) == 1 ]] || fail "the rerun's array had more than one task"
cmp lost_summary.json "r/runs/$lost/summary.json" || fail "the rerun point's summary.json differs"

mv r on_slurm
"$root/scripts/reproduce.sh" --smoke --out r --jobs 2 > local.log
# Everything but timings (host.json), the Slurm folder and the local progress log.
compared=0
while IFS= read -r f; do
  cmp "on_slurm/$f" "r/$f" || fail "$f differs between the Slurm and the local run"
  compared=$((compared + 1))
done < <(cd on_slurm && find . -type f ! -name host.json ! -path './slurm/*' ! -name progress.log | sort)
[[ $(cd r && find . -type f ! -name host.json ! -name progress.log | wc -l) == "$compared" ]] ||
  fail "the local run wrote other files than the Slurm run"
echo "PASS: $total points ran as a Slurm array (models pre-trained as another); a rerun submitted only" \
  "the lost point; all $compared result files identical to the local run"
