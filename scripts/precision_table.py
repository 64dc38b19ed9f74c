#!/usr/bin/env python3
"""Markdown table of the precision methods' runs (docs/precision.md, "Measured").

usage: scripts/precision_table.py RUN_DIR...   (each a `lrtsim run --engine tlm` result)

Columns come from each run's summary.json: accuracy, gradient sparsity, MACs performed and
skipped (mac_work), MAC-array energy and cycles, rank-reduce energy, total energy and cycles.
"""
import json
import os
import sys


def row(path):
    j = json.load(open(os.path.join(path, "summary.json")))
    w = j["mac_work"]
    back = w["backward_data"] + w["weight_gradient"]
    skipped = w["backward_data_skipped"] + w["weight_gradient_skipped"]
    comp = j["energy_pj"]["by_component"]
    return "| {} | {:.3f} | {:.3f} | {:.4f} | {:.3f} | {:.3f} | {:.2f} | {:.3f} | {:.1f} | {:.3f} | {} |".format(
        os.path.basename(path.rstrip("/")),
        j["accuracy"]["online_ema"],
        j["accuracy"]["last_500"],
        j["gradient_sparsity"]["overall"],
        back / 1e9,
        skipped / 1e9,
        comp["mac"] / 1e6,
        j["mac_array"]["busy_cycles"] / 1e9,
        comp["rank_reduce"] / 1e6,
        j["energy_pj"]["total"] / 1e9,
        j["weights_digest"],
    )


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("| run | accuracy (online EMA) | accuracy (last 500) | dz zero fraction | backward MACs performed (10⁹) "
          "| skipped (10⁹) | MAC energy (µJ) | MAC-array cycles (10⁹) | rank-reduce energy (µJ) "
          "| total energy (mJ) | weights digest |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p in sys.argv[1:]:
        print(row(p))


if __name__ == "__main__":
    main()
