#!/usr/bin/python3
"""Figure-3-style plot of an `lrtsim explore` result directory.

    /usr/bin/python3 scripts/plot_explore.py DIR [--out FILE] [--pareto FILE]

Reads DIR/points.csv (its closed-form rows; a network sweep's totals) and writes two plots.
DIR/fig3.png (or FILE): auxiliary area versus inverse write
density (rho^-1, samples per write per RRAM weight cell) on log-log axes, one line per
algorithm in the paper's colours, with the chip-area line (RRAM area of the layer's weights).
Points with zero auxiliary area (online SGD) cannot sit on a log axis: they are drawn on the
bottom edge as a downward triangle and labelled "aux = 0".
DIR/pareto.png (or --pareto FILE): energy per sample versus auxiliary area, every point in its
algorithm's colour, and the Pareto front (no other point has both less area and less energy)
as a black step line; zero-area points sit on the left edge. Needs Debian's python3-matplotlib
(hence /usr/bin/python3, not a virtual environment's interpreter).
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {  # the paper's Figure 3 colours
    "online": ("tab:red", "Online"),
    "naive_batch": ("tab:gray", "Naive batch"),
    "batch_sram": ("tab:blue", "Batch SRAM"),
    "batch_rram": ("tab:green", "Batch RRAM"),
    "lrt": ("tab:orange", "LRT"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--out", help="output PNG (default DIR/fig3.png)")
    ap.add_argument("--pareto", help="output PNG of the energy/area Pareto front (default DIR/pareto.png)")
    args = ap.parse_args()
    path = os.path.join(args.dir, "points.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.exit(f"plot_explore: cannot read {path}: {e}")
    rows = [r for r in rows if r.get("source", "closed_form") == "closed_form"]
    if any(r["layer"] == "total" for r in rows):  # a network sweep: plot the whole network
        rows = [r for r in rows if r["layer"] == "total"]
    if not rows:
        sys.exit(f"plot_explore: {path} has no closed-form points")

    groups = {}
    for r in rows:
        key = (r["algorithm"], r["rank"], r["weight_bits"], r["lr_bits"])
        groups.setdefault(key, []).append(r)

    positive = [float(r["aux_area_um2"]) for r in rows if float(r["aux_area_um2"]) > 0]
    chip = sorted({float(r["rram_area_um2"]) for r in rows})
    lo = min(positive + chip) / 10 if positive or chip else 1.0
    hi = max(positive + chip) * 3

    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=110)
    for (alg, rank, wbits, lrbits), pts in groups.items():
        pts.sort(key=lambda r: float(r["inv_write_density"]))
        colour, name = STYLE.get(alg, ("black", alg))
        label = name + (f" (r={rank}, {lrbits}-bit L/R)" if alg == "lrt" else "")
        if len({r["weight_bits"] for r in rows}) > 1:
            label += f", {wbits}-bit W"
        x = [float(r["inv_write_density"]) for r in pts]
        y = [float(r["aux_area_um2"]) for r in pts]
        if all(v == 0 for v in y):
            ax.plot(x, [lo] * len(x), "v", color=colour, markersize=9, clip_on=False, label=label + ": aux = 0")
        else:
            ax.plot(x, y, "o-", color=colour, markersize=3, label=label)
    for c in chip:
        ax.axhline(c, color="black", linestyle="--", linewidth=1)
        ax.text(1.1, c * 1.15, f"chip area (RRAM weights) {c:.3g} µm²", fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(lo, hi)
    ax.set_xlabel("inverse write density ρ⁻¹ (samples per write per RRAM weight cell)")
    ax.set_ylabel("auxiliary area (µm²)")
    layer = rows[0]
    shape = "whole network" if layer["layer"] == "total" else f"n_o={layer['n_o']}, n_i={layer['n_i']}"
    ax.set_title(f"{layer['layer']}: {shape} (closed form)", fontsize=10)
    ax.grid(True, which="major", linewidth=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    out = args.out or os.path.join(args.dir, "fig3.png")
    fig.savefig(out)
    print(f"plot_explore: wrote {out}")
    plot_pareto(rows, args.pareto or os.path.join(args.dir, "pareto.png"))


def pareto_front(points):
    """The (area, energy) points no other point beats in both (ties kept once), by area."""
    front, best = [], float("inf")
    for area, energy in sorted(set(points)):
        if energy < best:
            front.append((area, energy))
            best = energy
    return front


def plot_pareto(rows, out):
    pts = [(float(r["aux_area_um2"]), float(r["energy_per_sample_pj"]), r["algorithm"]) for r in rows]
    positive = [a for a, _, _ in pts if a > 0]
    left = min(positive) / 10 if positive else 1.0
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=110)
    for alg in STYLE:
        mine = [(max(a, left), e) for a, e, x in pts if x == alg]
        if mine:
            colour, name = STYLE[alg]
            ax.plot([a for a, _ in mine], [e for _, e in mine], "o", color=colour, markersize=3, label=name)
    front = pareto_front([(max(a, left), e) for a, e, _ in pts])
    ax.step([a for a, _ in front], [e for _, e in front], where="post", color="black", linewidth=1,
            label="Pareto front")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(left / 1.5, None)
    ax.set_xlabel("auxiliary area (µm²; aux = 0 drawn at the left edge)")
    ax.set_ylabel("energy per sample (pJ, training-specific part)")
    ax.set_title(f"{rows[0]['layer']}: energy vs auxiliary area (closed form)", fontsize=10)
    ax.grid(True, which="major", linewidth=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print(f"plot_explore: wrote {out} ({len(front)} points on the front)")


if __name__ == "__main__":
    main()
