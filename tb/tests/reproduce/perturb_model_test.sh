#!/usr/bin/env bash
# scripts/perturb_model.py (docs/results.md, Table 1's start): on an untrained model written by
# lrtsim pretrain --samples 0,
#  * sigma 0 reproduces the file byte for byte (sections and CRCs rewritten identically);
#  * sigma 24 on layer 0 gives a checkpoint lrtsim accepts, in which layer 0's weight section
#    differs, every code stays in the 8-bit range, and every other section is unchanged;
#  * the same seed gives the same bytes, another seed other bytes;
#  * an unknown layer exits 2, a corrupt file exits 1.
set -euo pipefail
lrtsim=$1 dir=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
perturb=("/usr/bin/python3" "$root/scripts/perturb_model.py")
rm -rf "$dir" && mkdir -p "$dir"
fail() { echo "perturb_model_test: $*" >&2; exit 1; }
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$lrtsim" pretrain "$root/configs/default.yaml" --samples 0 --out "$dir/m.ckpt" \
  --set run.seed=3 > "$dir/pretrain.log" 2>&1 || fail "pretrain failed: $(tail -n 2 "$dir/pretrain.log")"
"${perturb[@]}" "$dir/m.ckpt" "$dir/zero.ckpt" --layers 0 --sigma 0
cmp -s "$dir/m.ckpt" "$dir/zero.ckpt" || fail "sigma 0 changed the file"
"${perturb[@]}" "$dir/m.ckpt" "$dir/a.ckpt" --layers 0 --sigma 24 --seed 5
"${perturb[@]}" "$dir/m.ckpt" "$dir/b.ckpt" --layers 0 --sigma 24 --seed 5
"${perturb[@]}" "$dir/m.ckpt" "$dir/c.ckpt" --layers 0 --sigma 24 --seed 6
cmp -s "$dir/a.ckpt" "$dir/b.ckpt" || fail "the same seed gave different files"
cmp -s "$dir/a.ckpt" "$dir/c.ckpt" && fail "another seed gave the same file"
"$lrtsim" inspect "$dir/a.ckpt" > /dev/null || fail "lrtsim refused the perturbed checkpoint"
/usr/bin/python3 - "$root/scripts" "$dir/m.ckpt" "$dir/a.ckpt" <<'PY' || fail "section check failed"
import array, sys
sys.path.insert(0, sys.argv[1])
import importlib
pm = importlib.import_module("perturb_model")
_, _, before = pm.read_sections(sys.argv[2])
_, _, after = pm.read_sections(sys.argv[3])
assert [n for n, _ in before] == [n for n, _ in after]
for (name, x), (_, y) in zip(before, after):
    if name == "layer.0.weights":
        a, b = array.array("i"), array.array("i")
        a.frombytes(bytes(x)); b.frombytes(bytes(y))
        assert a != b and all(-128 <= v <= 127 for v in b), name
        d = [v - u for u, v in zip(a, b)]
        assert max(abs(v) for v in d) > 24, "no code moved by more than one sigma"
    else:
        assert x == y, name
PY
code=0; "${perturb[@]}" "$dir/m.ckpt" "$dir/x.ckpt" --layers 99 --sigma 1 2> /dev/null || code=$?
((code == 2)) || fail "unknown layer: exit $code, expected 2"
head -c 100 "$dir/m.ckpt" > "$dir/cut.ckpt"
code=0; "${perturb[@]}" "$dir/cut.ckpt" "$dir/x.ckpt" --layers 0 --sigma 1 2> /dev/null || code=$?
((code == 1)) || fail "truncated file: exit $code, expected 1"
echo "perturb_model_test: ok"
