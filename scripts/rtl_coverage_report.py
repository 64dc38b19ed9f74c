#!/usr/bin/env python3
"""Summarises merged Verilator coverage of the rank-reduce unit (scripts/rtl_coverage.sh).

    rtl_coverage_report.py MERGED_DAT RTL_FILE...

Prints line / branch / toggle points covered per RTL file and in all, and for every state of
every state machine (an enum typedef whose name contains "state", in any of the files) the
count of its case item in the case statement over that enum with the most items. Exit 1 when
a state was never reached, has no case item, or no state enum is found: a rewrite of the RTL
must not silently shrink the check. Only the RTL's ports and enum/case syntax are assumed.
"""
import os
import re
import sys

KINDS = ("v_line", "v_branch", "v_toggle", "v_user")


def read_points(path):
    """(keys, count) per coverage point; keys: f file, l line, page (v_line/..., v_toggle/...)."""
    points = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = re.match(r"C '(.*)' (\d+)\s*$", line)
            if m:
                kv = dict(p.split("\x02", 1) for p in m.group(1).split("\x01") if "\x02" in p)
                points.append((kv, int(m.group(2))))
    return points


def kind(kv):
    return kv.get("page", "").split("/")[0]


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def state_enums(text):
    """{type name: [members]} of the enum typedefs that name a state type."""
    enums = {}
    for m in re.finditer(r"typedef\s+enum\b[^{;]*\{([^}]*)\}\s*(\w+)\s*;", text):
        if "state" in m.group(2).lower():
            enums[m.group(2)] = [re.split(r"[\s=]", x.strip())[0] for x in m.group(1).split(",") if x.strip()]
    return enums


def case_items(lines):
    """[((case expression, its line), item line, [labels])] for every case item whose labels are
    identifiers."""
    items, stack = [], []
    for no, line in enumerate(lines, 1):
        m = re.search(r"\b(?:unique0?\s+|priority\s+)?case[zx]?\s*\((.+)\)", line)
        if m:
            stack.append((m.group(1).strip(), no))
            continue
        if re.match(r"^\s*endcase\b", line):
            if stack:
                stack.pop()
            continue
        m = re.match(r"^\s*(\w+(?:\s*,\s*\w+)*)\s*:(?!:)", line)
        if m and stack:
            items.append((stack[-1], no, [x.strip() for x in m.group(1).split(",")]))
    return items


def main():
    dat, files = sys.argv[1], sys.argv[2:]
    points = read_points(dat)
    ok = True
    totals = {}
    for path in files:
        base = os.path.basename(path)
        mine = [(kv, n) for kv, n in points if os.path.basename(kv.get("f", "")) == base]
        for t in KINDS:
            sel = [n for kv, n in mine if kind(kv) == t]
            if sel:
                hit = sum(1 for n in sel if n > 0)
                h, a = totals.get(t, (0, 0))
                totals[t] = (h + hit, a + len(sel))
                print(f"{base:<16} {t[2:]:>6}: {hit}/{len(sel)} points covered ({100.0 * hit / len(sel):.1f} %)")
    for t, (hit, n) in totals.items():
        print(f"{'all files':<16} {t[2:]:>6}: {hit}/{n} points covered ({100.0 * hit / n:.1f} %)")

    n_enums = 0
    for path in files:
        base = os.path.basename(path)
        lines = strip_comments(open(path, encoding="utf-8").read()).splitlines()
        enums = state_enums("\n".join(lines))
        line_count = {}
        for kv, n in points:
            if os.path.basename(kv.get("f", "")) == base and kind(kv) in ("v_line", "v_branch"):
                ln = int(kv.get("l", "0"))
                line_count[ln] = max(line_count.get(ln, 0), n)
        items = case_items(lines)
        for name, members in enums.items():
            n_enums += 1
            by_case = {}
            for case, no, labels in items:
                for lab in labels:
                    if lab in members:
                        by_case.setdefault(case, {})[lab] = no
            if not by_case:
                print(f"rtl_coverage: {base}: no case statement over {name}", file=sys.stderr)
                ok = False
                continue
            (expr, at), where = max(by_case.items(), key=lambda kv: len(kv[1]))
            counts = {s: line_count.get(where[s], 0) if s in where else None for s in members}
            reached = [s for s, c in counts.items() if c]
            print(f"{base}: FSM {name} (case ({expr}), line {at}): states reached {len(reached)}/{len(members)}")
            for s in members:
                c = counts[s]
                print(f"  {s:<16} {'no case item' if c is None else c}")
            missing = [s for s, c in counts.items() if not c]
            if missing:
                print(f"rtl_coverage: {base}: states of {name} never reached (or without a case item): "
                      + " ".join(missing), file=sys.stderr)
                ok = False
    if n_enums == 0:
        print("rtl_coverage: no state enum (typedef enum ... *state*) in " + " ".join(files), file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
