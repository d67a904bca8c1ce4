#!/usr/bin/env python3
"""Prints the Markdown tables of docs/results.md from backtest summary.json files.

Usage: results_table.py SUMMARY.json [SUMMARY.json ...]
For each summary: mean hit rate and PAI at 1/5/10 % with their bootstrap 95% intervals, the pooled
hit rate, and each model's paired difference to the reference model with its p-value.
"""
import json
import sys


def ci(v, scale=1.0, digits=1):
    f = f"{{:.{digits}f}}"
    return f"{f.format(v['mean'] * scale)} [{f.format(v['lo'] * scale)}, {f.format(v['hi'] * scale)}]"


for path in sys.argv[1:]:
    s = json.load(open(path))
    print(f"### {s.get('offence', path)}: {s['origins']} origins {s['from']} .. {s['to']}, "
          f"{s['events']} events scored, {s['grid']['cells']} cells of {s['grid']['cell_size_m']:g} m\n")
    print("| model | hit rate @1% | hit rate @5% | hit rate @10% | PAI @1% | PAI @5% | PAI @10% |")
    print("|---|---|---|---|---|---|---|")
    for name, m in s["models"].items():
        hr = [ci(m["hit_rate"][c], 100) for c in ("1", "5", "10")]
        pai = [ci(m["pai"][c], 1, 2) for c in ("1", "5", "10")]
        print(f"| {name} | " + " | ".join(hr + pai) + " |")
    ref = s.get("reference")
    rows = [(n, m["vs_reference"]) for n, m in s["models"].items() if n != ref and "vs_reference" in m]
    if rows:
        print(f"\nPaired difference to `{ref}` (hit rate, percentage points, mean over origins "
              f"[95% bootstrap CI], two-sided paired sign-flip p-value):\n")
        print("| model | @1% | @5% | @10% |")
        print("|---|---|---|---|")
        for n, v in rows:
            cells = []
            for c in ("1", "5", "10"):
                d = v["hit_rate"][c]
                pv = "p < 0.001" if d["p"] < 0.001 else f"p = {d['p']:.3f}"
                cells.append(f"{d['diff'] * 100:+.1f} [{d['lo'] * 100:+.1f}, {d['hi'] * 100:+.1f}], {pv}")
            print(f"| {n} | " + " | ".join(cells) + " |")
    print()


def self_exciting_vs_best_grid(paths):
    """Paired comparison of sepp_grid and sepp with the best grid model (naive, retro, prospective:
    the highest mean hit rate at 5%), origin by origin from per_origin.csv: mean difference in hit
    rate at 1/5/10 %, percentile bootstrap 95% interval over origins (2000 resamples) and a
    two-sided paired sign-flip permutation p-value (2000 permutations), both seeded."""
    import csv
    import os
    import random
    print("### Self-exciting models against the best grid model (paired over origins)\n")
    print("| offence | model | best grid model | @1% | @5% | @10% |")
    print("|---|---|---|---|---|---|")
    for path in paths:
        s = json.load(open(path))
        rows = list(csv.DictReader(open(os.path.join(os.path.dirname(path), "per_origin.csv"))))
        grid_models = [m for m in ("naive", "retro", "prospective") if m in s["models"]]
        if not grid_models:
            continue
        best = max(grid_models, key=lambda m: s["models"][m]["hit_rate"]["5"]["mean"])
        by = {}
        for r in rows:
            if r["hit_rate_5"] == "":
                continue
            by.setdefault(r["model"], {})[r["origin"]] = r
        for model in ("sepp_grid", "sepp"):
            if model not in by:
                continue
            cells = []
            for c in ("1", "5", "10"):
                origins = sorted(set(by[model]) & set(by[best]))
                d = [float(by[model][o]["hit_rate_" + c]) - float(by[best][o]["hit_rate_" + c])
                     for o in origins]
                rng = random.Random(1)
                n = len(d)
                mean = sum(d) / n
                boot = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(2000))
                lo, hi = boot[int(0.025 * 2000)], boot[int(0.975 * 2000) - 1]
                extreme = 0
                for _ in range(2000):
                    m = sum(x if rng.random() < 0.5 else -x for x in d) / n
                    extreme += abs(m) >= abs(mean) - 1e-15
                p = (1 + extreme) / 2001
                pv = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
                cells.append(f"{mean * 100:+.1f} [{lo * 100:+.1f}, {hi * 100:+.1f}], {pv}")
            label = f"{s.get('offence')} ({s['origins']} origins)"
            print(f"| {label} | {model} | {best} | " + " | ".join(cells) + " |")
    print()


self_exciting_vs_best_grid(sys.argv[1:])
