#!/usr/bin/python3
"""Tables and plots of a scripts/reproduce.sh result directory (issue 9).

    /usr/bin/python3 scripts/reproduce_plot.py DIR

Reads DIR/manifest.tsv (experiment, row, column, seed, run), DIR/preset.txt and every run's
DIR/runs/<run>/summary.json and trace.csv; writes DIR/tables/*.csv and *.md, DIR/plots/*.png
and DIR/results_tables.md (every table, for docs/results.md). Nothing here is hand-edited:
a missing or failed run shows as "missing" in its cell.

Accuracy is `accuracy.last_500` (the paper's Tables 2, 3 and Figure 7: the last 500 samples);
Figure 6 plots `accuracy_online_ema` (EMA 0.999). "Recovery beyond inference" is a run's
accuracy minus the inference run's of the same environment, length and seed (paper, Table 1);
Tables 2 and 3 train from scratch (DIR/preset.txt: tables_start=scratch) and report accuracy
only (directories from before that also hold a deployed-model inference baseline, and get a
recovery column). Mean and unbiased standard deviation over seeds, as in the paper's tables.
"""
import csv
import json
import os
import statistics
import sys

import matplotlib
import yaml

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Figure 6's schemes as the authors ran them (lr/experiments.py, lrt-020..023 a-e): everything
# but "LRT + max-norm" without max-norm. sgd_pixel (lrtsim's SGD that writes each conv pixel's
# rounded update) runs with the default network only.
SCHEMES = ["inference", "bias_only", "sgd", "sgd_pixel", "lrt", "lrt_maxnorm"]
SCHEME_LABEL = {
    "inference": "inference",
    "bias_only": "bias only (no-norm)",
    "sgd": "SGD (no-norm)",
    "sgd_pixel": "SGD, write per pixel (no-norm)",
    "lrt": "LRT (no-norm)",
    "lrt_maxnorm": "LRT + max-norm",
}
SCHEME_COLOR = {
    "inference": "tab:gray",
    "bias_only": "tab:green",
    "sgd": "tab:red",
    "sgd_pixel": "tab:purple",
    "lrt": "tab:blue",
    "lrt_maxnorm": "tab:orange",
}
ENVS = ["control", "shift", "analog", "digital"]
ENV_LABEL = {
    "control": "(a) control",
    "shift": "(b) distribution shift every 10k samples",
    "analog": "(c) analog drift",
    "digital": "(d) digital bit flips",
}

# The paper's numbers (Gural et al., low-rank-training-nvm), transcribed from its text.
PAPER_TABLE2 = {  # accuracy %, (no-norm, max-norm)
    "biased/biased": ("79.7 ± 1.1", "82.7 ± 1.3"),
    "biased/unbiased": ("83.0 ± 0.9", "82.4 ± 1.2"),
    "unbiased/biased": ("77.7 ± 1.5", "84.6 ± 2.0"),
    "unbiased/unbiased": ("81.0 ± 0.9", "83.6 ± 2.5"),
}
PAPER_TABLE3 = {
    "baseline": ("80.2 ± 1.0", "83.0 ± 1.1"),
    "bias_only": ("51.8 ± 3.2", "68.6 ± 1.4"),
    "no_streaming_bn": ("68.2 ± 1.9", "81.8 ± 1.3"),
    "no_bias_training": ("81.3 ± 1.0", "83.0 ± 1.4"),
    "kappa_1e8": ("79.8 ± 1.4", "84.2 ± 1.4"),
}
TABLE3_LABEL = {
    "baseline": "baseline (no modifications)",
    "bias_only": "bias-only training",
    "no_streaming_bn": "no streaming batch norm",
    "no_bias_training": "no bias training",
    "kappa_1e8": "κ_th = 1e8 instead of 100",
}
PAPER_TABLE1_RATES = ["0.003", "0.01", "0.03", "0.1", "0.3"]
PAPER_TABLE1 = {  # recovery beyond inference %, ImageNet/ResNet-34 last layer (paper §7.3)
    "sgd/-": ["+0.3 ± 0.2", "+0.3 ± 0.2", "+0.3 ± 0.2", "+0.9 ± 0.2", "-3.9 ± 0.8"],
    "uoro/1": ["+0.4 ± 0.2", "+0.3 ± 0.4", "-1.8 ± 0.9", "-7.6 ± 1.6", "-31.7 ± 1.6"],
    "biased/1": ["+1.9 ± 0.2", "+5.8 ± 1.0", "-3.4 ± 1.0", "-19.4 ± 0.9", "-40.7 ± 1.1"],
    "biased/2": ["+1.4 ± 0.4", "+6.5 ± 0.7", "+6.3 ± 0.6", "-5.2 ± 0.9", "-36.3 ± 0.9"],
    "biased/4": ["+1.3 ± 0.4", "+6.5 ± 0.7", "+5.2 ± 0.8", "-3.3 ± 1.0", "-33.8 ± 0.8"],
    "biased/8": ["+1.4 ± 0.3", "+5.6 ± 0.8", "+4.3 ± 0.9", "-2.4 ± 1.0", "-32.8 ± 0.9"],
    "unbiased/1": ["+0.3 ± 0.2", "+0.3 ± 0.2", "-0.7 ± 0.4", "-2.7 ± 1.7", "-26.5 ± 2.6"],
    "unbiased/2": ["+0.3 ± 0.2", "+0.4 ± 0.3", "-0.1 ± 0.4", "+1.3 ± 0.9", "-12.9 ± 1.1"],
    "unbiased/4": ["+0.4 ± 0.2", "+0.6 ± 0.2", "+1.9 ± 0.3", "+8.0 ± 1.1", "-5.1 ± 1.1"],
    "unbiased/8": ["+0.4 ± 0.2", "+1.1 ± 0.2", "+3.3 ± 0.7", "+4.8 ± 1.5", "-15.8 ± 1.7"],
}
ALGORITHM_LABEL = {"sgd": "SGD", "uoro": "UORO", "biased": "biased LRT", "unbiased": "unbiased LRT"}
NORMS = ["nonorm", "maxnorm"]
NORM_LABEL = {"nonorm": "no-norm", "maxnorm": "max-norm"}


def read_manifest(out):
    with open(os.path.join(out, "manifest.tsv"), newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def read_preset(out):
    preset = {}
    with open(os.path.join(out, "preset.txt")) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            preset[key] = value
    return preset


class Runs:
    """Finished runs by id: summary.json (None if missing/unfinished) and trace.csv."""

    def __init__(self, out):
        self.dir = os.path.join(out, "runs")
        self._summary = {}

    def summary(self, run):
        if run not in self._summary:
            path = os.path.join(self.dir, run, "summary.json")
            summary = None
            if os.path.exists(path):
                with open(path) as f:
                    summary = json.load(f)
                if summary.get("interrupted", True):
                    summary = None
            self._summary[run] = summary
        return self._summary[run]

    def config(self, run):
        """The run's effective configuration (config.yaml), None if missing."""
        path = os.path.join(self.dir, run, "config.yaml")
        if self.summary(run) is None or not os.path.exists(path):
            return None
        with open(path) as f:
            return yaml.safe_load(f)

    def accuracy(self, run):
        s = self.summary(run)
        return None if s is None else s["accuracy"]["last_500"]

    def trace(self, run):
        path = os.path.join(self.dir, run, "trace.csv")
        if self.summary(run) is None or not os.path.exists(path):
            return None
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        return {k: [float(r[k]) for r in rows] for k in rows[0]} if rows else None


def cells(manifest, experiment):
    """{(row, column): {seed: run}} of one experiment."""
    result = {}
    for m in manifest:
        if m["experiment"] == experiment:
            result.setdefault((m["row"], m["column"]), {})[int(m["seed"])] = m["run"]
    return result


def mean_sd(values):
    """Mean and unbiased standard deviation (0 for a single value); None if any is missing."""
    if not values or any(v is None for v in values):
        return None
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), sd


def fmt_pct(ms, signed=False):
    if ms is None:
        return "missing"
    mean, sd = ms
    return f"{100 * mean:+.1f} ± {100 * sd:.1f}" if signed else f"{100 * mean:.1f} ± {100 * sd:.1f}"


def recovery(runs, by_seed, inference_by_seed):
    values = []
    for seed, run in sorted(by_seed.items()):
        acc = runs.accuracy(run)
        base = runs.accuracy(inference_by_seed[seed]) if seed in inference_by_seed else None
        values.append(None if acc is None or base is None else acc - base)
    return mean_sd(values)


def accuracies(runs, by_seed):
    return mean_sd([runs.accuracy(r) for _, r in sorted(by_seed.items())])


def write_table(out, name, header, rows, title, note=""):
    tables = os.path.join(out, "tables")
    os.makedirs(tables, exist_ok=True)
    with open(os.path.join(tables, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    md = [f"#### {title}", ""]
    if note:
        md += [note, ""]
    md.append("| " + " | ".join(header) + " |")
    md.append("|" + "---|" * len(header))
    md += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    text = "\n".join(md) + "\n"
    with open(os.path.join(tables, name + ".md"), "w") as f:
        f.write(text)
    return text


# ---------------------------------------------------------------------------------------------
# Figure 6


def plot_mean_and_range(top, bottom, traces, scheme):
    """Mean over seeds as a line, the seeds' range as a band (rows of equal length only)."""
    if not traces:
        return
    n = min(len(t["sample"]) for t in traces)
    x = traces[0]["sample"][:n]
    color = SCHEME_COLOR[scheme]
    for axis, key in ((top, "accuracy_online_ema"), (bottom, "writes_max_per_cell")):
        columns = list(zip(*(t[key][:n] for t in traces)))
        mean = [statistics.fmean(c) for c in columns]
        if axis is bottom and max(mean, default=0) <= 0:
            continue  # no writes: nothing to show on a log axis
        if axis is bottom:
            mean = [max(v, 0.5) for v in mean]
        axis.plot(x, mean, color=color, lw=1.3, label=SCHEME_LABEL[scheme] if axis is top else None)
        if len(traces) > 1:
            low = [min(c) for c in columns]
            high = [max(c) for c in columns]
            if axis is bottom:
                low = [max(v, 0.5) for v in low]
                high = [max(v, 0.5) for v in high]
            axis.fill_between(x, low, high, color=color, alpha=0.15, lw=0)


def fig6(out, manifest, runs, preset):
    grid = cells(manifest, "fig6")
    if not grid:
        return ""
    plots = os.path.join(out, "plots")
    os.makedirs(plots, exist_ok=True)
    per_run = []
    summary_rows = []
    ratio_rows = []
    ratio_columns = [("sgd", "pair_updates"), ("sgd", "writes")]
    if any(k[1] == "sgd_pixel" for k in grid):
        ratio_columns.append(("sgd_pixel", "writes"))
    for env in ENVS:
        if not any(k[0] == env for k in grid):
            continue
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True,
                                          gridspec_kw={"height_ratios": [3, 2]})
        inference = grid.get((env, "inference"), {})
        for scheme in SCHEMES:
            by_seed = grid.get((env, scheme))
            if not by_seed:
                continue
            traces = []
            for seed, run in sorted(by_seed.items()):
                t = runs.trace(run)
                s = runs.summary(run)
                c = runs.config(run)
                per_run.append([env, scheme, seed, run,
                                "" if s is None else s["samples"],
                                "" if c is None else c["train"]["conv"]["batch"],
                                "" if c is None else c["train"]["fc"]["batch"],
                                "" if s is None else s["accuracy"]["online_ema"],
                                "" if s is None else s["accuracy"]["last_500"],
                                "" if s is None else s["writes"]["max_per_cell"],
                                "" if s is None else s["writes"]["mean_per_cell"],
                                "" if s is None or not s["writes"].get("pair_updates")
                                else s["writes"]["pair_updates"]["max_per_cell"]])
                if t is not None:
                    traces.append(t)
            plot_mean_and_range(top, bottom, traces, scheme)
            ema = mean_sd([None if runs.summary(r) is None else runs.summary(r)["accuracy"]["online_ema"]
                           for r in by_seed.values()])
            writes = mean_sd([None if runs.summary(r) is None else runs.summary(r)["writes"]["max_per_cell"]
                              for r in by_seed.values()])
            summary_rows.append([env, SCHEME_LABEL[scheme], fmt_pct(ema), fmt_pct(accuracies(runs, by_seed)),
                                 fmt_pct(recovery(runs, by_seed, inference), signed=True),
                                 "missing" if writes is None else f"{writes[0]:.0f}"])
        lrt = grid.get((env, "lrt_maxnorm"), {})
        row = [env]
        # Writes of the hottest cell, SGD over LRT + max-norm: the authors' count of their SGD
        # (pairs with a non-zero dz_o a_k, sgd's writes.pair_updates), then real code changes of
        # sgd and, where it ran, sgd_pixel.
        for scheme, count in ratio_columns:
            sgd = grid.get((env, scheme), {})
            ratios = []
            for seed in sorted(set(sgd) & set(lrt)):
                a, b = runs.summary(sgd[seed]), runs.summary(lrt[seed])
                if a is None or b is None or (count == "pair_updates" and not a["writes"].get("pair_updates")):
                    ratios.append(None)
                else:
                    hot = a["writes"]["max_per_cell"] if count == "writes" else a["writes"]["pair_updates"]["max_per_cell"]
                    ratios.append(hot / max(b["writes"]["max_per_cell"], 1))
            r = mean_sd(ratios)
            row.append("missing" if r is None else f"{r[0]:.1f} (min {min(ratios):.1f})")
        ratio_rows.append(row)
        top.set_ylabel("online accuracy (EMA 0.999)")
        top.set_title(f"{ENV_LABEL[env]}: mean of {len(inference) or '?'} seeds (band: range), "
                      f"{preset.get('network', 'default')} network, Fashion-MNIST", fontsize=10)
        top.grid(alpha=0.3)
        top.legend(fontsize=8, loc="lower left")
        bottom.set_yscale("log")
        bottom.set_ylabel("max writes to any cell")
        bottom.text(0.99, 0.04, "inference, bias only: no weight writes; SGD: real writes, not the "
                    "authors' pair count", transform=bottom.transAxes,
                    ha="right", va="bottom", fontsize=8, color="0.3")
        bottom.set_xlabel("online samples")
        bottom.grid(alpha=0.3, which="both")
        if env == "shift":
            period = 10000
            end = int(preset.get("fig6_samples", "0") or 0)
            for x in range(period, end, period):
                top.axvline(x, color="k", lw=0.5, ls=":")
                bottom.axvline(x, color="k", lw=0.5, ls=":")
        fig.tight_layout()
        fig.savefig(os.path.join(plots, f"fig6_{env}.png"), dpi=110)
        plt.close(fig)
    tables = os.path.join(out, "tables")
    os.makedirs(tables, exist_ok=True)
    with open(os.path.join(tables, "fig6_runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["env", "scheme", "seed", "run", "samples", "conv_batch", "fc_batch", "online_ema",
                    "last_500", "max_writes_per_cell", "mean_writes_per_cell", "max_pair_updates_per_cell"])
        w.writerows(per_run)
    n = preset.get("fig6_samples")
    ratio_label = {("sgd", "pair_updates"): "SGD, the authors' count (pair updates)",
                   ("sgd", "writes"): "SGD, real writes",
                   ("sgd_pixel", "writes"): "SGD write per pixel, real writes"}
    text = write_table(out, "fig6_summary",
                       ["environment", "scheme", "EMA accuracy at the end (%)", "last-500 accuracy (%)",
                        "recovery beyond inference (points)", "max writes per cell"],
                       summary_rows, f"Figure 6 summary: {n} online samples, mean ± sd over seeds",
                       "Plots: `plots/fig6_<environment>.png`. Recovery = last-500 accuracy minus "
                       "the inference run's, same environment and seed.")
    text += "\n" + write_table(out, "fig6_write_ratio",
                               ["environment"] + [ratio_label[c] for c in ratio_columns],
                               ratio_rows, "Worst-case writes: SGD over LRT + max-norm (mean over seeds)",
                               "Max writes to any cell under SGD divided by LRT + max-norm's, same environment "
                               "and seed. The authors' count (their SGD's count_version 2) charges a cell for "
                               "every pixel whose term dz_o a_k is non-zero; real writes count code changes of "
                               "the cell (sgd sums a sample's pixels first; sgd_pixel writes each pixel's rounded "
                               "update). Paper (Figure 6): about three orders of magnitude.")
    return text


# ---------------------------------------------------------------------------------------------
# Tables 2, 3, Figure 7, Table 1


def table2(out, manifest, runs, preset):
    grid = cells(manifest, "table2")
    if not grid:
        return ""
    inference = cells(manifest, "table_inference").get(("control", "inference"))
    norms = [n for n in NORMS if any(k[1] == n for k in grid)]
    header = ["conv LRT", "FC LRT"]
    for n in norms:
        header += [f"accuracy {NORM_LABEL[n]} (%)"] + ([f"recovery {NORM_LABEL[n]}"] if inference else []) + \
                  [f"paper {NORM_LABEL[n]} (%)"]
    rows = []
    for key in PAPER_TABLE2:
        conv, fc = key.split("/")
        row = [conv, fc]
        for n in norms:
            by_seed = grid.get((key, n), {})
            row.append(fmt_pct(accuracies(runs, by_seed)))
            if inference:
                row.append(fmt_pct(recovery(runs, by_seed, inference), True))
            row.append(PAPER_TABLE2[key][NORMS.index(n)])
        rows.append(row)
    return write_table(out, "table2", header, rows,
                       f"Table 2: biased vs unbiased LRT, {preset.get('table_samples')} samples (control)",
                       "Accuracy of the last 500 samples, mean ± sd over seeds. " + tables_start_note(preset))


def tables_start_note(preset):
    if preset.get("tables_start") == "scratch":
        return ("Ours and the paper's: trained from scratch (ours: the untrained model of each seed, "
                "`lrtsim pretrain --samples 0`; Fashion-MNIST, the paper MNIST).")
    return "Ours: from the deployed model; paper: trained from scratch on MNIST."


def table3(out, manifest, runs, preset):
    grid = cells(manifest, "table3")
    if not grid:
        return ""
    inference = cells(manifest, "table_inference").get(("control", "inference"))
    norms = [n for n in NORMS if any(k[1] == n for k in grid)]
    header = ["modified condition"]
    for n in norms:
        header += [f"accuracy {NORM_LABEL[n]} (%)"] + ([f"recovery {NORM_LABEL[n]}"] if inference else []) + \
                  [f"paper {NORM_LABEL[n]} (%)"]
    rows = []
    for key in PAPER_TABLE3:
        row = [TABLE3_LABEL[key]]
        for n in norms:
            by_seed = grid.get((key, n), {})
            row.append(fmt_pct(accuracies(runs, by_seed)))
            if inference:
                row.append(fmt_pct(recovery(runs, by_seed, inference), True))
            row.append(PAPER_TABLE3[key][NORMS.index(n)])
        rows.append(row)
    scratch = preset.get("tables_start") == "scratch"
    return write_table(out, "table3", header, rows,
                       f"Table 3: ablations of LRT, {preset.get('table_samples')} samples (control)",
                       "Accuracy of the last 500 samples, mean ± sd over seeds. " + tables_start_note(preset) +
                       " As the authors' lrt-012/013/018/019: bias-only training = their train_W False "
                       "(biases and batch norm train); "
                       + ("no streaming batch norm = their use_bn False (the network without its batchnorm "
                          "layers); " if scratch else "no streaming batch norm = `train.bn.streaming=false`; ")
                       + "no bias training = their train_b False (`train.biases=false`: conv/fc biases frozen, "
                       "batch-norm gamma/beta still train).")


def fig7(out, manifest, runs, preset):
    grid = cells(manifest, "fig7")
    if not grid:
        return ""
    ranks = sorted({int(k[0]) for k in grid})
    widths = sorted({int(k[1]) for k in grid})
    fig, ax = plt.subplots(figsize=(6, 4))
    rows = []
    for rank in ranks:
        xs, ys, es = [], [], []
        row = [rank]
        for width in widths:
            ms = accuracies(runs, grid.get((str(rank), str(width)), {}))
            row.append(fmt_pct(ms))
            if ms is not None:
                xs.append(width)
                ys.append(100 * ms[0])
                es.append(100 * ms[1])
        rows.append(row)
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=f"rank {rank}")
    ax.set_xlabel("weight bits")
    ax.set_ylabel("accuracy, last 500 samples (%)")
    ax.set_title(f"LRT + max-norm, {preset.get('fig7_samples')} samples (control)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    fig.savefig(os.path.join(out, "plots", "fig7.png"), dpi=110)
    plt.close(fig)
    return write_table(out, "fig7", ["rank"] + [f"{w} b (%)" for w in widths], rows,
                       f"Figure 7: rank × weight width, LRT + max-norm, {preset.get('fig7_samples')} samples",
                       "Accuracy of the last 500 samples, mean ± sd over seeds; each width deploys its "
                       "own model pre-trained at that width. Plot: `plots/fig7.png`. Widths 1-2 are "
                       "mid-rise (no zero level).")


def table1(out, manifest, runs, preset):
    grid = cells(manifest, "table1")
    if not grid:
        return ""
    inference = cells(manifest, "table1_inference").get(("control", "inference"), {})
    rates = sorted({k[1] for k in grid}, key=float)
    rows_keys = [k for k in PAPER_TABLE1 if any(g[0] == k for g in grid)]
    header = ["algorithm", "r"] + [f"η = {r}" for r in rates]
    rows = []
    for key in rows_keys:
        algo, rank = key.split("/")
        values = [recovery(runs, grid.get((key, r), {}), inference) for r in rates]
        best = max((v[0] for v in values if v is not None), default=None)
        cells_ = []
        for v in values:
            text = fmt_pct(v, True)
            cells_.append(f"**{text}**" if v is not None and v[0] == best else text)
        rows.append([ALGORITHM_LABEL[algo], rank] + cells_)
    text = write_table(out, "table1", header, rows,
                       f"Table 1 style: recovery beyond inference (points), {preset.get('table1_samples')} samples",
                       "Ours: the whole CNN on Fashion-MNIST (control environment, max-norm, B = 100 for "
                       "batched schemes in both layer kinds); best rate per row in bold.")
    paper_rows = [[ALGORITHM_LABEL[k.split("/")[0]], k.split("/")[1]] + PAPER_TABLE1[k] for k in PAPER_TABLE1]
    text += "\n" + write_table(out, "table1_paper", ["algorithm", "r"] + [f"η = {r}" for r in PAPER_TABLE1_RATES],
                               paper_rows, "Table 1 of the paper (for comparison; not simulated)",
                               "ImageNet, ResNet-34 features, last layer only (paper §7.3), %, 5 seeds.")
    return text


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: reproduce_plot.py DIR")
    out = sys.argv[1]
    manifest = read_manifest(out)
    preset = read_preset(out)
    runs = Runs(out)
    parts = [
        f"### Generated tables ({preset.get('preset')} preset)",
        "",
        f"`scripts/reproduce.sh --{preset.get('preset')} --network {preset.get('network', 'default')}`; "
        f"seeds {preset.get('seeds')}; deployed model pre-trained on {preset.get('pretrain_samples')} offline "
        "samples. Generated by `scripts/reproduce_plot.py`; do not edit.",
        "",
    ]
    for make in (fig6, table2, table3, fig7, table1):
        text = make(out, manifest, runs, preset)
        if text:
            parts.append(text)
    missing = sorted({m["run"] for m in manifest if runs.summary(m["run"]) is None})
    if missing:
        failed_path = os.path.join(out, "failed.txt")
        failed = open(failed_path).read().split() if os.path.exists(failed_path) else []
        failed = [f for f in failed[::2] if f in missing]
        parts.append(f"{len(missing)} of {len({m['run'] for m in manifest})} runs missing (failed, not run "
                     f"or unfinished); their cells read \"missing\". Failed: {', '.join(failed) or 'none'}.\n")
    with open(os.path.join(out, "results_tables.md"), "w") as f:
        f.write("\n".join(parts))
    print(f"reproduce_plot.py: wrote {os.path.join(out, 'results_tables.md')}, tables/, plots/")


if __name__ == "__main__":
    main()
