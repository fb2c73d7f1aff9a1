"""Early-warning benchmark: false alarms and detection delay of the NPS detectors on synthetic series.

    .venv/bin/python benchmarks/early_warning.py [--series 200] [--periods 1000] [--seed 7]

Generates daily NPS series: a stable share of promoters 45 %, passives 35 %, detractors 20 %
(NPS 25), with **weekly seasonality in volume** (weekends get 1.6× the weekday responses) at a
small and a large scale (on average 40 and 400 responses a period), drawn from a multinomial per
period. The baseline (mean and per-respondent SD) comes from 60 earlier periods of the same
series, as the app would take it from history.

For each method — the p-chart (|z| > 3), EWMA (λ = 0.2, L = 3) and CUSUM (k = 0.5, h = 5) of
``openxm.analytics.early_warning``, and the fixed-threshold rule "NPS dips 10 points period over
period" — it measures:

* **false alarms per 1,000 periods** on stable series (``--series`` series of ``--periods``
  periods; each detector restarts after an alarm);
* **median delay** (periods from the start of a shift to the first alarm) for planted drops of
  0.5, 1 and 2 standard errors of the NPS at the scale's mean n (detractors replace promoters
  until the NPS is that much lower), over ``--series`` series each, capped at 200 periods
  (a cap shows as ">200").

Each figure is printed next to the fixed-threshold rule's from the same run (the baseline). The
last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openxm.analytics.early_warning import detector, fixed_drop, nps_baseline, run  # noqa: E402

SHARES = (0.45, 0.35, 0.20)
WEEKLY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.6, 1.6])
METHODS = ("pchart", "ewma", "cusum")
SHIFTS = (0.5, 1.0, 2.0)
MIN_N = 10
CAP = 200


def volumes(rng, periods: int, mean_n: float) -> np.ndarray:
    scale = mean_n / WEEKLY.mean()
    return rng.poisson(scale * WEEKLY[np.arange(periods) % 7])


def series(rng, ns: np.ndarray, shares) -> tuple[list[float | None], np.ndarray]:
    counts = np.array([rng.multinomial(n, shares) if n else (0, 0, 0) for n in ns])
    values = [100.0 * (p - d) / n if n else None for (p, _, d), n in zip(counts, ns, strict=True)]
    return values, counts


def shifted_shares(mean_n: float, drop_se: float):
    """Shares with the NPS ``drop_se`` standard errors (at ``mean_n``) lower: detractors replace
    promoters."""
    p, m, d = SHARES
    se = 100.0 * math.sqrt(p + d - (p - d) ** 2) / math.sqrt(mean_n)
    move = drop_se * se / 200.0  # each promoter turned detractor moves the NPS by 200/n points
    return (p - move, m, d + move)


def baseline_for(rng, mean_n: float):
    ns = volumes(rng, 60, mean_n)
    _, counts = series(rng, ns, SHARES)
    p, m, d = counts.sum(axis=0)
    return nps_baseline(int(p), int(m), int(d))


def alarms_of(method: str, values, ns, baseline) -> list[int]:
    if method == "fixed":
        return fixed_drop([v if n >= MIN_N else None for v, n in zip(values, ns, strict=True)], 10.0)
    return [a.index for a in run(detector(method), values, list(ns), baseline, MIN_N)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--periods", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    results: dict = {}
    for mean_n in (40, 400):
        scale: dict = {"false_alarms_per_1000": {}, "median_delay": {}}
        for method in (*METHODS, "fixed"):
            alarms = 0
            for _ in range(args.series):
                base = baseline_for(rng, mean_n)
                ns = volumes(rng, args.periods, mean_n)
                values, _ = series(rng, ns, SHARES)
                alarms += len(alarms_of(method, values, ns, base))
            scale["false_alarms_per_1000"][method] = round(1000 * alarms / (args.series * args.periods), 2)
        for shift in SHIFTS:
            shares = shifted_shares(mean_n, shift)
            delays: dict[str, list[int]] = {m: [] for m in (*METHODS, "fixed")}
            for _ in range(args.series):
                base = baseline_for(rng, mean_n)
                ns = volumes(rng, CAP, mean_n)
                values, _ = series(rng, ns, shares)
                for method in delays:
                    found = alarms_of(method, values, ns, base)
                    delays[method].append(found[0] + 1 if found else CAP + 1)
            scale["median_delay"][str(shift)] = {
                m: (statistics.median(d) if statistics.median(d) <= CAP else f">{CAP}")
                for m, d in delays.items()
            }
        results[str(mean_n)] = scale
    elapsed = time.perf_counter() - started

    for mean_n, scale in results.items():
        print(f"mean n per period {mean_n} (weekends 1.6x), baseline 60 periods, min n {MIN_N}")
        fixed_fa = scale["false_alarms_per_1000"]["fixed"]
        print(f"  {'method':8} {'false alarms/1000':>18} {'vs fixed':>9}   median delay at 0.5 / 1 / 2 SE")
        for method in (*METHODS, "fixed"):
            fa = scale["false_alarms_per_1000"][method]
            ratio = f"{fa / fixed_fa:.2f}x" if fixed_fa else "-"
            delays = " / ".join(str(scale["median_delay"][str(s)][method]) for s in SHIFTS)
            print(f"  {method:8} {fa:18.2f} {ratio:>9}   {delays}")
    print(
        f"{args.series} series x {args.periods} periods per scale and method, "
        f"seed {args.seed}, {elapsed:.1f} s"
    )
    print(
        json.dumps(
            {
                "benchmark": "early_warning",
                "series": args.series,
                "periods": args.periods,
                "seed": args.seed,
                "results": results,
                "seconds": round(elapsed, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
