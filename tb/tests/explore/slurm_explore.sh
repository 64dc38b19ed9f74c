#!/usr/bin/env bash
# Integration test of `lrtsim explore --slurm` (ctest explore_slurm): starts a single-node
# Slurm on localhost (scripts/slurm_local.sh), runs a small measured sweep through it and
# checks that every point finished there with the same result as the local --jobs run.
# Exit 77 (ctest: skipped, with the reason printed) when Slurm cannot start on this machine.
#   tb/tests/explore/slurm_explore.sh LRTSIM WORK_DIR
set -euo pipefail
lrtsim=${1:?usage: slurm_explore.sh LRTSIM WORK_DIR}
work=${2:?usage: slurm_explore.sh LRTSIM WORK_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"

set +e
conf=$("$root/scripts/slurm_local.sh" start "$work/slurm")
rc=$?
set -e
if ((rc == 77)); then echo "SKIPPED: Slurm cannot start here (reason above)"; exit 77; fi
((rc == 0)) || { echo "FAIL: slurm_local.sh start exited $rc"; exit 1; }
export "$conf"
trap '"$root/scripts/slurm_local.sh" stop "$work/slurm"' EXIT

# A tiny data set (4 classes of 12 x 12 images) and a one-layer network pretrained on it.
/usr/bin/python3 - <<'PY'
import gzip, struct
def write(stem, count, side=12):
    img = bytearray([0, 0, 8, 3]) + struct.pack('>III', count, side, side)
    lab = bytearray([0, 0, 8, 1]) + struct.pack('>I', count)
    for i in range(count):
        label, j = i % 4, (i // 4) % 3
        r0, c0 = (label // 2) * 6 + j, (label % 2) * 6 + (2 - j)
        lab.append(label)
        for r in range(side):
            for c in range(side):
                img.append(200 if r0 <= r < r0 + 4 and c0 <= c < c0 + 4 else (37 * i + 11 * r + 7 * c) % 60)
    gzip.open(f'{stem}-images-idx3-ubyte.gz', 'wb').write(img)
    gzip.open(f'{stem}-labels-idx1-ubyte.gz', 'wb').write(lab)
write('train', 300)
write('t10k', 40)
PY
cat > net.yaml <<CONF
run: {seed: 3, samples: 200, model: "$work/model.ckpt"}
data:
  dir: "$work"
  num_classes: 4
  split: {offline_train_sources: 100, validation_sources: 50, online_sources: 150,
          offline_train_samples: 400, validation_samples: 200, online_samples: 3000}
  elastic: {alpha: 2, sigma: 1}
  shift: {period: 1000, cluster: {block: 100}}
network: {input: {h: 12, w: 12, c: 1}, layers: [fc 4]}
pretrain: {samples: 400}
CONF
"$lrtsim" pretrain net.yaml --out model.ckpt --force >/dev/null
cat > sweep.yaml <<'CONF'
layer: {name: fc, n_o: 4, n_i: 144}
algorithms: [online, naive_batch, lrt]
batches: [10, 20]
ranks: [2]
acc_bits: 32
simulate: {config: net.yaml}
CONF

"$lrtsim" explore sweep.yaml --out on_slurm --slurm --jobs 2
"$lrtsim" explore sweep.yaml --out local --jobs 2
n=$(grep -c ',simulated,' on_slurm/points.csv)
[[ $n == 5 ]] || { echo "FAIL: $n measured rows on Slurm, expected 5"; exit 1; }
[[ $(ls on_slurm/slurm/task-*.out | wc -l) == 5 ]] || { echo "FAIL: expected 5 Slurm task logs"; exit 1; }
cmp on_slurm/points.csv local/points.csv || { echo "FAIL: Slurm and local results differ"; exit 1; }
echo "PASS: 5 measured points ran as a Slurm array; results identical to the local run"
