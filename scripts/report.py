#!/usr/bin/python3
"""Plots and one HTML page from `lrtsim run` directories (docs/report.md).

    /usr/bin/python3 scripts/report.py --out OUT DIR [DIR...]

`lrtsim report DIR... --out OUT` checks the directories and runs this script. Each DIR holds
summary.json, trace.csv and (runs since the report existed) cell_writes.json. Writes OUT/*.png
and OUT/report.html: the key figures of every run side by side (each number also as the
element's data-value, read from summary.json unchanged, so that a test can compare them) and
the plots: accuracy over samples; writes per cell (a histogram per layer, a heat map of the
hottest layer); energy per sample by phase x component (TLM engine); energy, cycles and
writes over time; lifetime. Needs Debian's python3-matplotlib (hence /usr/bin/python3).
Exit codes as lrtsim's: 2 bad input (the message names the file), 1 anything else.
"""
import argparse
import csv
import html
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 100
COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


class BadInput(Exception):
    """A run directory's file that cannot be used; str() names the file."""


# ---- reading -------------------------------------------------------------------------------


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror}")
    except ValueError as e:
        raise BadInput(f"{path}: is not valid JSON: {e}")


def read_trace(path):
    """trace.csv as {column: [float]}; empty cells (none today) would be NaN."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror}")
    if not rows or rows[0][:1] != ["sample"]:
        raise BadInput(f"{path}: line 1: expected a header starting with 'sample'")
    header = rows[0]
    cols = {h: [] for h in header}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise BadInput(f"{path}: line {n}: {len(row)} fields, the header has {len(header)}")
        for h, v in zip(header, row):
            try:
                cols[h].append(float(v))
            except ValueError:
                raise BadInput(f"{path}: line {n}: column {h}: '{v}' is not a number")
    return cols


class Run:
    def __init__(self, path, label):
        self.path = path
        self.label = label
        self.summary = read_json(os.path.join(path, "summary.json"))
        self.trace = read_trace(os.path.join(path, "trace.csv"))
        cells = os.path.join(path, "cell_writes.json")
        self.cells = read_json(cells) if os.path.isfile(cells) else None
        if self.cells is not None:
            for layer in self.cells.get("layers", []):
                if len(layer["writes"]) != layer["rows"] * layer["cols"]:
                    raise BadInput(f"{cells}: layer {layer['layer']}: {len(layer['writes'])} counts for "
                                   f"{layer['rows']} x {layer['cols']} cells")

    @property
    def tlm(self):
        return "energy_pj" in self.summary

    @property
    def samples(self):
        return self.summary["samples"]


def labels_for(dirs):
    """Each run's name in legends and table headers: its directory's name, made unique."""
    names = [os.path.basename(os.path.normpath(d)) or d for d in dirs]
    return [f"{n} ({i + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)]


# ---- formatting ----------------------------------------------------------------------------


def fmt_energy(pj):
    for scale, unit in ((1e12, "J"), (1e9, "mJ"), (1e6, "µJ"), (1e3, "nJ")):
        if abs(pj) >= scale:
            return f"{pj / scale:.3g} {unit}"
    return f"{pj:.3g} pJ"


def energy_scale(pj):
    """(divisor, unit) for an axis whose largest value is pj."""
    for scale, unit in ((1e12, "J"), (1e9, "mJ"), (1e6, "µJ"), (1e3, "nJ")):
        if abs(pj) >= scale:
            return scale, unit
    return 1.0, "pJ"


def fmt_seconds(s):
    for scale, unit, limit in ((365.25 * 86400, "years", 365.25 * 86400), (86400, "days", 2 * 86400),
                               (3600, "h", 7200), (60, "min", 120), (1, "s", 1), (1e-3, "ms", 1e-3),
                               (1e-6, "µs", 1e-6)):
        if s >= limit:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def fmt_count(v):
    return f"{v:,.0f}" if abs(v) < 1e6 else f"{v:.3g}"


def fmt_percent(v):
    return f"{100 * v:.2f} %"


# ---- plots ---------------------------------------------------------------------------------


def save(fig, out, name):
    fig.tight_layout()
    fig.savefig(os.path.join(out, name), dpi=DPI)
    plt.close(fig)
    return name


def plot_accuracy(runs, out):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for i, r in enumerate(runs):
        c = COLOURS[i % len(COLOURS)]
        x = r.trace["sample"]
        ax.plot(x, [100 * v for v in r.trace["accuracy_online_ema"]], color=c, label=f"{r.label}: online EMA")
        ax.plot(x, [100 * v for v in r.trace["accuracy_last_500"]], color=c, ls="--", alpha=0.6,
                label=f"{r.label}: last 500")
    ax.set_xlabel("online training samples")
    ax.set_ylabel("accuracy [%]")
    ax.set_title("Online accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save(fig, out, "accuracy.png")


def layer_ids(runs):
    ids = []
    for r in runs:
        for layer in (r.cells or {}).get("layers", []):
            if layer["layer"] not in ids:
                ids.append(layer["layer"])
    return ids


def plot_write_histograms(runs, out):
    ids = layer_ids(runs)
    if not ids:
        return None
    fig, axes = plt.subplots(1, len(ids), figsize=(3.2 * len(ids) + 0.8, 3.4), squeeze=False)
    for ax, lid in zip(axes[0], ids):
        layers = [(i, layer) for i, r in enumerate(runs) for layer in (r.cells or {}).get("layers", [])
                  if layer["layer"] == lid]
        top = max((max(layer["writes"], default=0) for _, layer in layers), default=0)
        # One bin per write count while that is readable, else 60 bins shared by the runs.
        bins = list(range(0, top + 2)) if top < 60 else [top * k / 60 for k in range(61)]
        for i, layer in layers:
            ax.hist(layer["writes"], bins=bins, histtype="step", color=COLOURS[i % len(COLOURS)],
                    label=runs[i].label)
        ax.set_yscale("log")
        ax.set_title(f"layer {lid}")
        ax.set_xlabel("writes per cell")
    axes[0][0].set_ylabel("cells")
    if len(runs) > 1:
        axes[0][-1].legend(fontsize=8)
    fig.suptitle("Writes per cell, per layer")
    return save(fig, out, "writes_histogram.png")


def hottest(layers):
    """The layer whose most-written cell has the most writes (ties: more writes in all)."""
    return max(layers, key=lambda l: (max(l["writes"], default=0), sum(l["writes"])))


def plot_write_heatmap(runs, out):
    with_cells = [r for r in runs if r.cells and r.cells.get("layers")]
    if not with_cells:
        return None
    fig, axes = plt.subplots(1, len(with_cells), figsize=(5 * len(with_cells), 4), squeeze=False)
    for ax, r in zip(axes[0], with_cells):
        h = hottest(r.cells["layers"])
        rows, cols = h["rows"], h["cols"]
        grid = [h["writes"][k * cols:(k + 1) * cols] for k in range(rows)]
        im = ax.imshow(grid, aspect="auto", interpolation="nearest", cmap="inferno")
        fig.colorbar(im, ax=ax, label="writes per cell")
        ax.set_title(f"{r.label}: layer {h['layer']} (hottest)", fontsize=9)
        ax.set_xlabel(f"input (fan-in), {cols} cells")
        ax.set_ylabel(f"output, {rows} rows")
    return save(fig, out, "writes_heatmap.png")


def plot_energy_breakdown(runs, out):
    tlm = [r for r in runs if r.tlm]
    if not tlm:
        return None
    fig, axes = plt.subplots(1, len(tlm), figsize=(5.2 * len(tlm) + 1.6, 3.8), squeeze=False, sharey=True)
    peak = max(max(r.summary["energy_pj"]["by_phase"].values()) / max(r.samples, 1) for r in tlm)
    scale, unit = energy_scale(peak)
    for ax, r in zip(axes[0], tlm):
        e = r.summary["energy_pj"]
        n = max(r.samples, 1)
        phases = list(e["by_phase"].keys())
        matrix = e.get("by_phase_component")
        if matrix is None:  # a run from before the matrix was written: phases only
            ax.bar(phases, [e["by_phase"][p] / n / scale for p in phases], color=COLOURS[0])
        else:
            bottom = [0.0] * len(phases)
            for k, comp in enumerate(e["by_component"].keys()):
                vals = [matrix[p][comp] / n / scale for p in phases]
                if not any(vals):
                    continue
                ax.bar(phases, vals, bottom=bottom, label=comp, color=COLOURS[k % len(COLOURS)])
                bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_title(f"{r.label}: {fmt_energy(e['total'] / n)}/sample", fontsize=9)
        ax.set_xlabel("phase")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel(f"energy per sample [{unit}]")
    handles, names = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="center right", fontsize=8, title="component")
        fig.subplots_adjust(right=0.8)
    fig.suptitle("Energy per sample by phase and component")
    fig.tight_layout(rect=(0, 0, 0.82, 1))
    fig.savefig(os.path.join(out, "energy_breakdown.png"), dpi=DPI)
    plt.close(fig)
    return "energy_breakdown.png"


def plot_over_time(runs, out):
    fig, (ea, ca, wa) = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
    single = len(runs) == 1
    tlm = [r for r in runs if "energy_pj_total" in r.trace]
    if tlm:
        peak = max(max(r.trace["energy_pj_total"]) for r in tlm)
        scale, unit = energy_scale(peak)
        for i, r in enumerate(tlm):
            x = r.trace["sample"]
            phases = [h for h in r.trace if h.startswith("energy_pj_") and h != "energy_pj_total"]
            if single:
                ea.stackplot(x, *[[v / scale for v in r.trace[p]] for p in phases],
                             labels=[p[len("energy_pj_"):] for p in phases], alpha=0.8)
            else:
                ea.plot(x, [v / scale for v in r.trace["energy_pj_total"]], color=COLOURS[i % len(COLOURS)],
                        label=r.label)
            ca.plot(x, [v / 1e6 for v in r.trace["cycles"]], color=COLOURS[i % len(COLOURS)], label=r.label)
        ea.set_ylabel(f"cumulative energy [{unit}]")
        ea.legend(fontsize=8, loc="upper left", title="phase" if single else None)
        ca.set_ylabel("cumulative cycles [10⁶]")
    else:
        for ax in (ea, ca):
            ax.text(0.5, 0.5, "golden engine: no energy or cycles (run with --engine tlm)", ha="center",
                    va="center", transform=ax.transAxes)
    for i, r in enumerate(runs):
        x = r.trace["sample"]
        layers = [h for h in r.trace if h.startswith("writes_max_per_cell_layer")]
        if single and layers:
            for k, h in enumerate(layers):
                layer = h[len("writes_max_per_cell_layer"):]
                wa.plot(x, r.trace[h], color=COLOURS[k % len(COLOURS)], label=f"layer {layer}")
        else:
            wa.plot(x, r.trace["writes_max_per_cell"], color=COLOURS[i % len(COLOURS)], label=r.label)
    wa.set_ylabel("max writes per cell")
    wa.set_xlabel("online training samples")
    wa.legend(fontsize=8, loc="upper left")
    for ax in (ea, ca, wa):
        ax.grid(alpha=0.3)
    ea.set_title("Energy, cycles and writes over time")
    return save(fig, out, "over_time.png")


def plot_lifetime(runs, out):
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(runs) + 1.6))
    for i, r in enumerate(runs):
        life = r.summary["lifetime"]
        v = life.get("samples_to_first_worn_cell")
        if v is None:
            ax.text(1, i, "  nothing written: no projection", va="center", fontsize=8)
            continue
        ax.barh(i, v, color=COLOURS[i % len(COLOURS)])
        text = f"  {fmt_count(v)} samples ({life['first_worn_cell']})"
        if r.tlm and r.samples:
            text += f" = {fmt_seconds(v * r.summary['seconds'] / r.samples)}"
        ax.text(v, i, text, va="center", fontsize=8)
    ax.set_yticks(range(len(runs)), [r.label for r in runs])
    ax.set_xscale("log")
    known = [r.summary["lifetime"].get("samples_to_first_worn_cell") for r in runs]
    known = [v for v in known if v]
    if known:  # bars start two decades below the shortest lifetime, not at an arbitrary edge
        ax.set_xlim(min(known) / 100, max(known) * 1000)  # room on the right for the labels
    ax.set_xlabel("samples until the first cell wears out")
    ax.set_title("Lifetime")
    return save(fig, out, "lifetime.png")


# ---- the page ------------------------------------------------------------------------------

# (label, key in summary.json or "KEY/samples" for a per-sample value, formatter)
KEY_FIGURES = [
    ("engine", "engine", str),
    ("samples", "samples", fmt_count),
    ("accuracy, online EMA (0.999)", "accuracy.online_ema", fmt_percent),
    ("accuracy, last 500 samples", "accuracy.last_500", fmt_percent),
    ("max writes per cell", "writes.max_per_cell", lambda v: f"{fmt_count(v)} writes"),
    ("mean writes per cell", "writes.mean_per_cell", lambda v: f"{v:.3g} writes"),
    ("writes in all", "writes.total", lambda v: f"{fmt_count(v)} writes"),
    ("cells", "writes.cells", fmt_count),
    ("samples to the first worn-out cell", "lifetime.samples_to_first_worn_cell", lambda v: f"{fmt_count(v)} samples"),
    ("… measured or projected", "lifetime.first_worn_cell", str),
    ("energy per sample", "energy_pj.total/samples", fmt_energy),
    ("energy in all", "energy_pj.total", fmt_energy),
    ("cycles per sample", "cycles/samples", lambda v: f"{fmt_count(v)} cycles"),
    ("simulated time", "seconds", fmt_seconds),
]


def lookup(summary, key):
    """The value of a KEY_FIGURES key; None where the run has none (the golden engine's energy)."""
    path, _, per = key.partition("/")
    v = summary
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return None
        v = v[part]
    if per and v is not None:
        n = summary[per]
        return v / n if n else None
    return v


def cell(summary, run_index, key, formatter):
    v = lookup(summary, key)
    if v is None:
        text = "—" if key.startswith(("energy", "cycles", "seconds")) else "none"
        return f'<td class="na">{text}</td>'
    raw = v if isinstance(v, str) else repr(v)
    return (f'<td data-run="{run_index}" data-key="{html.escape(key)}" data-value="{html.escape(raw)}" '
            f'title="{html.escape(raw)}">{html.escape(formatter(v))}</td>')


def energy_rows(runs):
    """Energy per sample by component and by phase, each with its share, largest first."""
    rows = []
    for group in ("by_phase", "by_component"):
        names = []
        for r in runs:
            for name, v in sorted(r.summary.get("energy_pj", {}).get(group, {}).items(), key=lambda kv: -kv[1]):
                if name not in names:
                    names.append(name)
        for name in names:
            tds = []
            for i, r in enumerate(runs):
                e = r.summary.get("energy_pj")
                if not e:
                    tds.append('<td class="na">—</td>')
                    continue
                key = f"energy_pj.{group}.{name}/samples"
                v = lookup(r.summary, key)
                share = e[group][name] / e["total"] if e["total"] else 0.0
                tds.append(f'<td data-run="{i}" data-key="{key}" data-value="{v!r}">{fmt_energy(v)} '
                           f'<span class="share">{100 * share:.1f} %</span></td>')
            rows.append(f"<tr><th>{group[3:]}: {html.escape(name)}</th>{''.join(tds)}</tr>")
    return rows


def page(runs, figures, notes):
    head = "".join(f"<th>{html.escape(r.label)}</th>" for r in runs)
    rows = []
    for label, key, formatter in KEY_FIGURES:
        rows.append(f"<tr><th>{html.escape(label)}</th>"
                    + "".join(cell(r.summary, i, key, formatter) for i, r in enumerate(runs)) + "</tr>")
    dirs = "".join(f"<li><code>{html.escape(r.label)}</code>: <code>{html.escape(os.path.abspath(r.path))}</code></li>"
                   for r in runs)
    figs = "".join(f'<figure><img src="{name}" alt="{html.escape(caption)}"><figcaption>{html.escape(caption)}'
                   f"</figcaption></figure>" for name, caption in figures)
    note = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lrtsim report</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 80em; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
th:first-child {{ text-align: left; }}
td.na {{ color: #999; }}
.share {{ color: #666; font-size: 0.85em; }}
figure {{ margin: 1em 0; }} img {{ max-width: 100%; }}
</style></head>
<body>
<h1>lrtsim report</h1>
<ul>{dirs}</ul>
<h2>Key figures</h2>
<table id="key-figures"><tr><th></th>{head}</tr>
{chr(10).join(rows)}
</table>
<h2>Energy per sample</h2>
<table id="energy"><tr><th></th>{head}</tr>
{chr(10).join(energy_rows(runs))}
</table>
<h2>Plots</h2>
{figs}
{f"<h2>Notes</h2><ul>{note}</ul>" if note else ""}
</body></html>
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", metavar="DIR")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    try:
        runs = [Run(d, label) for d, label in zip(args.dirs, labels_for(args.dirs))]
    except BadInput as e:
        print(f"lrtsim report: error: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    figures, notes = [], []
    figures.append((plot_accuracy(runs, args.out), "Online accuracy (EMA 0.999, and the last 500 samples)"))
    for fn, caption, missing in (
            (plot_write_histograms, "Writes per cell: histogram per layer", "no cell_writes.json"),
            (plot_write_heatmap, "Writes per cell of the hottest layer", "no cell_writes.json"),
            (plot_energy_breakdown, "Energy per sample by phase and component", "no TLM run (--engine tlm)")):
        name = fn(runs, args.out)
        if name:
            figures.append((name, caption))
        else:
            notes.append(f"{caption}: not drawn ({missing})")
    figures.append((plot_over_time(runs, args.out), "Cumulative energy by phase, cycles and max writes per cell"))
    figures.append((plot_lifetime(runs, args.out), "Samples until the first cell wears out"))
    for r in runs:
        if r.cells is None:
            notes.append(f"{r.path}: no cell_writes.json (a run from before it was written)")
        if not r.tlm:
            notes.append(f"{r.label}: golden engine: energy and cycles need --engine tlm")
    tmp = os.path.join(args.out, "report.html.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page(runs, figures, notes))
    os.replace(tmp, os.path.join(args.out, "report.html"))  # never a torn page
    print(f"lrtsim report: {os.path.join(args.out, 'report.html')} ({len(figures)} plots, {len(runs)} runs)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyError as e:  # a summary.json without a key the report needs
        print(f"lrtsim report: error: summary.json: missing key {e}", file=sys.stderr)
        sys.exit(2)
