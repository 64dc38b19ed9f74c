#!/usr/bin/python3
"""Asserts the qualitative claims of issue 9 that hold robustly at the --quick preset's size.

    /usr/bin/python3 scripts/reproduce_check.py DIR     # DIR written by scripts/reproduce.sh

Reads DIR/tables/fig6_runs.csv (one row per Figure 6 run) and, for Table 3, DIR/manifest.tsv
and the runs' summary.json; exits 1 naming the claim, the figure or table it comes from and the
offending numbers when one fails (0 when all hold).

Margins (quick preset: 3,000 samples, seeds 1-3, deployed model pre-trained on 10,000 samples;
measured values in docs/results.md, "Smoke test"):
- W1 is a bound, not a measurement: a batched scheme writes a cell at most once per applied
  update, and an update comes at most every B samples, so max writes <= samples / B_conv.
- W2 threshold 1.5x; measured minimum over 4 environments x 3 seeds 1.6x (shift, one seed; means per
  environment 2.4-2.9x) under the authors' rules (docs/fidelity.md). SGD/no-norm's hottest cell changes in 16-27 % of the samples,
  LRT's in about 83 % of its updates (every B_conv = 10 samples): the ratio is structural, about
  0.2 / (0.83 / 10) = 2.4. Under lrtsim's former rules it was 6.7-7.6x: SGD then normalized dz
  (max-norm before Qg) and wrote its hottest cell in ~60 % of the samples, and LRT's mean-rule
  updates were B_eff times smaller. The paper's ~1000x is the authors' count (W3), not physical writes.
- W3 threshold 300x; measured minimum 622x (means 759-976x) under the authors' rules (former rules:
  914x). The authors' count for SGD (a write for every pixel whose dz_o a_k is non-zero, sgd's
  writes.pair_updates) of conv1's hottest cell grows by up to the ~170 pixels max-pool leaves a
  gradient per sample, LRT's by about 0.083 (one update per B_conv = 10 samples, ~83 % of which
  change that cell). The paper reports about three orders of magnitude.
- D1 threshold 5 points; measured 28.9 points (authors' rules, seeds 1-3).
- D2 threshold 5 points; measured +27.7 (authors' rules, seeds 1-3).
- T1 threshold 10 points; Table 3 trained from scratch as the authors do (3,000 samples, the
  max-norm column): bias-only training lands 28.2 points below the LRT baseline (per seed 34.2,
  26.8, 23.6; an earlier build of the same rules: 22.0 on seeds 1-3, 25.7 on seeds 4-6, no
  seed below 18.4); the paper's "~15-30 %". From the deployed model (lrtsim's former Tables
  2-3) the two were within a point: a pre-trained model has little left for its weights to learn.
Claims that do NOT hold robustly at this size are deliberately not asserted (docs/results.md):
LRT beating SGD and bias-only under drift needs the longer runs of --medium/--full.
"""
import csv
import json
import os
import statistics
import sys

WRITE_RATIO_MIN = 1.5
PAIR_COUNT_RATIO_MIN = 300.0
DRIFT_LOSS_MIN = 0.05
DRIFT_RECOVERY_MIN = 0.05
BIAS_ONLY_COST_MIN = 0.10


def load(out):
    path = os.path.join(out, "tables", "fig6_runs.csv")
    if not os.path.exists(path):
        sys.exit(f"reproduce_check: {path} is missing (run scripts/reproduce.sh first)")
    runs = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["last_500"] == "":
                sys.exit(f"reproduce_check: run {row['run']} ({row['env']}, {row['scheme']}, seed "
                         f"{row['seed']}) did not finish; see {out}/runs/{row['run']}/log.txt")
            runs[(row["env"], row["scheme"], int(row["seed"]))] = row
    return runs


def table3_accuracies(out):
    """{(row, norm, seed): last-500 accuracy} of Table 3's runs (empty when Table 3 did not run);
    exits naming the run when one did not finish."""
    path = os.path.join(out, "manifest.tsv")
    result = {}
    if not os.path.exists(path):
        return result
    with open(path, newline="") as f:
        for m in csv.DictReader(f, delimiter="\t"):
            if m["experiment"] != "table3":
                continue
            summary = os.path.join(out, "runs", m["run"], "summary.json")
            s = None
            if os.path.exists(summary):
                with open(summary) as g:
                    s = json.load(g)
            if s is None or s.get("interrupted", True):
                sys.exit(f"reproduce_check: Table 3 run {m['run']} ({m['row']}, {m['column']}, seed {m['seed']}) "
                         f"did not finish; see {out}/runs/{m['run']}/log.txt")
            result[(m["row"], m["column"], int(m["seed"]))] = s["accuracy"]["last_500"]
    return result


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: reproduce_check.py DIR")
    runs = load(sys.argv[1])
    envs = sorted({k[0] for k in runs})
    seeds = sorted({k[2] for k in runs})
    failures = []
    passed = []

    def need(key):
        if key not in runs:
            failures.append(f"Figure 6 run {key} is missing from fig6_runs.csv")
            return None
        return runs[key]

    # W0: schemes that never write weights (inference, bias only) wrote none.
    for env in envs:
        for scheme in ("inference", "bias_only"):
            for seed in seeds:
                r = need((env, scheme, seed))
                if r is not None and int(r["max_writes_per_cell"]) != 0:
                    failures.append(f"W0 (Figure 6, {env}): {scheme} seed {seed} wrote weight cells "
                                    f"({r['max_writes_per_cell']} max per cell)")
    passed.append("W0 inference and bias-only write no weight cell")

    # W1: LRT writes a cell at most once per update, at most one update per B_conv samples.
    for env in envs:
        for scheme in ("lrt", "lrt_maxnorm"):
            for seed in seeds:
                r = need((env, scheme, seed))
                if r is None:
                    continue
                bound = int(r["samples"]) // min(int(r["conv_batch"]), int(r["fc_batch"]))
                if int(r["max_writes_per_cell"]) > bound:
                    failures.append(f"W1 (Figure 6 bottom, {env}): {scheme} seed {seed} wrote a cell "
                                    f"{r['max_writes_per_cell']} times, more than samples / B = {bound}")
    passed.append("W1 LRT max writes per cell <= samples / B_conv")

    # W2: LRT's worst-case writes far below SGD's (paper: ~1000x; here ~B_conv, see docstring).
    ratios = []
    for env in envs:
        for seed in seeds:
            sgd, lrt = need((env, "sgd", seed)), need((env, "lrt_maxnorm", seed))
            if sgd is None or lrt is None:
                continue
            ratio = int(sgd["max_writes_per_cell"]) / max(int(lrt["max_writes_per_cell"]), 1)
            ratios.append(ratio)
            if ratio < WRITE_RATIO_MIN:
                failures.append(f"W2 (Figure 6 bottom, {env}, seed {seed}): SGD's max writes per cell "
                                f"{sgd['max_writes_per_cell']} are only {ratio:.1f}x LRT + max-norm's "
                                f"{lrt['max_writes_per_cell']} (need >= {WRITE_RATIO_MIN}x)")
    if ratios:
        passed.append(f"W2 SGD / LRT+max-norm max writes per cell >= {WRITE_RATIO_MIN}x "
                      f"(min {min(ratios):.1f}x)")

    # W3: with the authors' count of their SGD's writes (every pixel's non-zero term is a write:
    # sgd's writes.pair_updates), LRT's worst cell is written orders of magnitude less (paper:
    # about 1000x).
    ratios = []
    for env in envs:
        for seed in seeds:
            sgd, lrt = need((env, "sgd", seed)), need((env, "lrt_maxnorm", seed))
            if sgd is None or lrt is None:
                continue
            if sgd["max_pair_updates_per_cell"] == "":
                failures.append(f"W3 (Figure 6 bottom, {env}, seed {seed}): the sgd run reports no pair updates")
                continue
            ratio = int(sgd["max_pair_updates_per_cell"]) / max(int(lrt["max_writes_per_cell"]), 1)
            ratios.append(ratio)
            if ratio < PAIR_COUNT_RATIO_MIN:
                failures.append(f"W3 (Figure 6 bottom, {env}, seed {seed}): SGD's pair updates of the hottest cell "
                                f"{sgd['max_pair_updates_per_cell']} are only {ratio:.0f}x LRT + max-norm's max writes "
                                f"{lrt['max_writes_per_cell']} (need >= {PAIR_COUNT_RATIO_MIN:.0f}x)")
    if ratios:
        passed.append(f"W3 SGD pair updates (authors' count) / LRT+max-norm max writes >= "
                      f"{PAIR_COUNT_RATIO_MIN:.0f}x (min {min(ratios):.0f}x)")

    def mean_acc(env, scheme):
        values = [need((env, scheme, s)) for s in seeds]
        if any(v is None for v in values):
            return None
        return statistics.fmean(float(v["last_500"]) for v in values)

    # D1: analog drift costs the untrained (inference) model accuracy.
    control, analog = mean_acc("control", "inference"), mean_acc("analog", "inference")
    if control is not None and analog is not None:
        if control - analog < DRIFT_LOSS_MIN:
            failures.append(f"D1 (Figure 6 a vs c): inference loses only {100 * (control - analog):.1f} "
                            f"points under analog drift ({100 * control:.1f} % -> {100 * analog:.1f} %), "
                            f"need >= {100 * DRIFT_LOSS_MIN:.0f}")
        else:
            passed.append(f"D1 inference loses {100 * (control - analog):.1f} points under analog drift")

    # D2: LRT + max-norm recovers accuracy beyond inference under analog drift.
    lrt = mean_acc("analog", "lrt_maxnorm")
    if lrt is not None and analog is not None:
        if lrt - analog < DRIFT_RECOVERY_MIN:
            failures.append(f"D2 (Figure 6 c): LRT + max-norm recovers only {100 * (lrt - analog):+.1f} "
                            f"points beyond inference under analog drift, need >= "
                            f"{100 * DRIFT_RECOVERY_MIN:.0f}")
        else:
            passed.append(f"D2 LRT + max-norm recovers {100 * (lrt - analog):+.1f} points beyond "
                          "inference under analog drift")

    # T1: trained from scratch, bias-only training costs accuracy against LRT (paper, Table 3:
    # 68.6 vs 83.0 % with max-norm, 51.8 vs 80.2 % without).
    table3 = table3_accuracies(sys.argv[1])
    for norm in sorted({k[1] for k in table3}):
        t3_seeds = sorted({k[2] for k in table3 if k[1] == norm})
        missing = [(row, s) for row in ("baseline", "bias_only") for s in t3_seeds if (row, norm, s) not in table3]
        if missing:
            failures.append(f"T1 (Table 3, {norm}): runs missing from manifest.tsv: {missing}")
            continue
        costs = [table3[("baseline", norm, s)] - table3[("bias_only", norm, s)] for s in t3_seeds]
        cost = statistics.fmean(costs)
        per_seed = ", ".join(f"{100 * c:+.1f}" for c in costs)
        if cost < BIAS_ONLY_COST_MIN:
            failures.append(f"T1 (Table 3, {norm}, from scratch): bias-only training is only {100 * cost:.1f} "
                            f"points below LRT (per seed {per_seed}), need >= {100 * BIAS_ONLY_COST_MIN:.0f}")
        else:
            passed.append(f"T1 bias-only training costs {100 * cost:.1f} points against LRT from scratch "
                          f"(Table 3, {norm}; per seed {per_seed})")

    for line in passed if not failures else []:
        print(f"reproduce_check: ok   {line}")
    if failures:
        for line in failures:
            print(f"reproduce_check: FAIL {line}", file=sys.stderr)
        sys.exit(1)
    print(f"reproduce_check: all claims hold ({len(envs)} environments, seeds {seeds})")


if __name__ == "__main__":
    main()
