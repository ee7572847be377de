"""One row of benches/compare.sh's table, from the samples each side left in a file.

    compare_row.py MEASURE OURS REFERENCE_LABEL REFERENCE BETTER KIND TARGET

OURS and REFERENCE are sample files: one run per line, the figure first (a rate or a time), optionally a
p99 latency after it. BETTER is `higher` (rates) or `lower` (times, memory). Each side's best run is its
figure (the maximum rate, the minimum time), as shared machines only ever slow a run down; the spread is
(worst - best) / best over the runs, so a reader sees how much the machine moved while measuring.
KIND says what TARGET bounds: `ratio>=`, `ratio<=` (ours / reference) or `abs<=` (our own figure), or
`none` for a row that is reported without a target. UNIT comes from the environment (ROW_UNIT), as does
the number format (ROW_DIGITS, digits after the point).
"""

import os
import sys


def read(path):
    runs = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields:
                runs.append([float(fields[0])] + fields[1:])
    if not runs:
        raise SystemExit(f"no samples in {path}")
    return runs


def summary(runs, higher):
    figures = [r[0] for r in runs]
    best_run = max(runs, key=lambda r: r[0]) if higher else min(runs, key=lambda r: r[0])
    best = best_run[0]
    worst = min(figures) if higher else max(figures)
    spread = abs(worst - best) / best if best else 0.0
    p99 = best_run[1] if len(best_run) > 1 else None
    return best, spread, p99, len(runs)


def cell(label, best, spread, p99, n, unit, digits):
    text = f"{best:,.{digits}f}" + (unit if unit.startswith("/") else f" {unit}" if unit else "")
    if p99:
        text += f", p99 {p99}"
    prefix = f"{label}: " if label else ""
    return f"{prefix}{text} (spread {spread:.0%}, {n} runs)"


def main():
    measure, ours_path, ref_label, ref_path, better, kind, target = sys.argv[1:8]
    unit = os.environ.get("ROW_UNIT", "")
    digits = int(os.environ.get("ROW_DIGITS", "0"))
    higher = better == "higher"
    ours = summary(read(ours_path), higher)
    ref = summary(read(ref_path), higher)
    ratio = ours[0] / ref[0] if ref[0] else float("nan")
    if kind == "ratio>=":
        met, shown = ratio >= float(target), f"≥ {target}×"
    elif kind == "ratio<=":
        met, shown = ratio <= float(target), f"≤ {target}×"
    elif kind == "abs<=":
        met, shown = ours[0] <= float(target), f"≤ {target} {unit}"
    else:
        met, shown = None, "reported"
    print(
        "| {} | {} | {} | {:.2f}× | {} | {} |".format(
            measure,
            cell("", *ours, unit, digits),
            cell(ref_label, *ref, unit, digits),
            ratio,
            shown,
            "—" if met is None else ("yes" if met else "NO"),
        )
    )


main()
