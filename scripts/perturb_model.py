#!/usr/bin/env python3
"""Writes a copy of a model checkpoint whose weight codes carry seeded Gaussian noise.

The start of the LRT paper's Table 1 (§7.3): "the layer weights are initialized to the
pretrain weights, modulated by random noise that causes inference top-1 accuracy to fall".

    scripts/perturb_model.py IN.ckpt OUT.ckpt --layers 8 --sigma 24 --seed 1

--sigma is in weight codes (LSBs); each code becomes round(code + N(0, sigma^2)), clipped to the
signed range of the model's weight width (train.quant.weight.bits, read from the checkpoint's
config.yaml section). Only sections named layer.<L>.weights for the listed L change; every
section CRC and the file CRC are recomputed (docs/checkpoint format: models/core/checkpoint.h).
Exit 1 with a message naming the file for a malformed checkpoint, 2 for bad arguments.
"""
import argparse
import array
import random
import re
import struct
import sys
import zlib

MAGIC = b"LRTSIMCK"


def fail(msg, code=1):
    print(f"perturb_model.py: {msg}", file=sys.stderr)
    sys.exit(code)


def read_sections(path):
    try:
        data = open(path, "rb").read()
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    if data[:8] != MAGIC or len(data) < 28:
        fail(f"{path}: not an lrtsim checkpoint (magic)")
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        fail(f"{path}: file CRC mismatch")
    version, config_hash, count = struct.unpack_from("<IQI", data, 8)
    off, sections = 24, []
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, off)
        name = data[off + 2:off + 2 + name_len].decode()
        off += 2 + name_len
        (size,) = struct.unpack_from("<Q", data, off)
        sections.append((name, bytearray(data[off + 8:off + 8 + size])))
        off += 8 + size + 4
    return version, config_hash, sections


def write_sections(path, version, config_hash, sections):
    out = bytearray(MAGIC + struct.pack("<IQI", version, config_hash, len(sections)))
    for name, payload in sections:
        raw = name.encode()
        out += struct.pack("<H", len(raw)) + raw + struct.pack("<Q", len(payload)) + payload
        out += struct.pack("<I", zlib.crc32(payload))
    out += struct.pack("<I", zlib.crc32(out))
    with open(path, "wb") as f:
        f.write(out)


def weight_bits(sections, path):
    config = dict(sections).get("config.yaml")
    if config is None:
        fail(f"{path}: no config.yaml section")
    # block style (what lrtsim writes) or flow style
    m = re.search(r"^\s*weight:\s*(?:\{\s*|\n\s*)bits:\s*(\d+)", config.decode(), re.M)
    if not m:
        fail(f"{path}: cannot read train.quant.weight.bits from its config.yaml section")
    return int(m.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--layers", required=True, help="comma-separated layer indices (layer.<L>.weights)")
    p.add_argument("--sigma", type=float, required=True, help="noise standard deviation in weight codes")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if not a.sigma >= 0:
        fail("--sigma: expected a value >= 0", 2)
    layers = [s.strip() for s in a.layers.split(",") if s.strip()]
    version, config_hash, sections = read_sections(a.input)
    bits = weight_bits(sections, a.input)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    rng = random.Random(a.seed)
    names = {n for n, _ in sections}
    for layer in layers:
        if f"layer.{layer}.weights" not in names:
            fail(f"{a.input}: no section layer.{layer}.weights (layers with weights: "
                 f"{', '.join(sorted(n.split('.')[1] for n in names if n.endswith('.weights')))})", 2)
    for i, (name, payload) in enumerate(sections):
        if name not in {f"layer.{layer}.weights" for layer in layers}:
            continue
        codes = array.array("i")
        codes.frombytes(bytes(payload))
        for k, c in enumerate(codes):
            codes[k] = min(hi, max(lo, round(c + rng.gauss(0.0, a.sigma))))
        sections[i] = (name, bytearray(codes.tobytes()))
    write_sections(a.output, version, config_hash, sections)


if __name__ == "__main__":
    main()
