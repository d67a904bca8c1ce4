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
