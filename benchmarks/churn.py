"""Churn benchmark: the model against the recency-only rule on a planted signal, and on noise.

    .venv/bin/python benchmarks/churn.py [--customers 20000] [--seed 1]

Generates two synthetic populations with :mod:`openxm.analytics.churn_synthetic` (its
docstring documents the generator): ``planted`` (experience drives churn) and ``noise`` (nothing
predicts who buys in the next 90 days). For each: features at day 450 of 720, labels from days
450–540 (training); features at day 540, labels from days 540–630 (evaluation: a time-based
split). Reports AUC with its 95 % interval, top-decile lift and the same two figures for the
recency-only rule, measured on the same evaluation snapshot, and whether a signal is claimed
(the AUC interval above 0.5). The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openxm.analytics import churn
from openxm.analytics import churn_synthetic as synthetic

START = datetime(2024, 1, 1, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = {}
    for mode in ("planted", "noise"):
        started = time.perf_counter()
        purchases, experiences = synthetic.population(args.customers, START, 720, mode, seed=args.seed)
        train = churn.snapshot(purchases, experiences, START + timedelta(days=450))
        test = churn.snapshot(purchases, experiences, START + timedelta(days=540))
        result = churn.evaluate(train, test)
        figures[mode] = {
            "customers_train": result.n_train,
            "customers_test": result.n_test,
            "churn_rate_test": round(result.churners_test / result.n_test, 3),
            "auc": round(result.auc, 3),
            "auc_95": [round(result.auc_low, 3), round(result.auc_high, 3)],
            "lift_top_decile": round(result.lift_top_decile, 2),
            "recency_only_auc": round(result.baseline_auc, 3),
            "recency_only_lift_top_decile": round(result.baseline_lift_top_decile, 2),
            "signal_claimed": result.better_than_chance,
            "seconds": round(time.perf_counter() - started, 1),
        }
        f = figures[mode]
        print(
            f"{mode:8s} n={f['customers_test']:6d} churn {f['churn_rate_test']:.1%}  "
            f"model AUC {f['auc']:.3f} [{f['auc_95'][0]:.3f}, {f['auc_95'][1]:.3f}] "
            f"lift {f['lift_top_decile']:.2f}  "
            f"recency-only AUC {f['recency_only_auc']:.3f} lift {f['recency_only_lift_top_decile']:.2f}  "
            f"ratio {f['auc'] / f['recency_only_auc']:.3f}  signal claimed: {f['signal_claimed']}",
            flush=True,
        )
    print(json.dumps({"customers": args.customers, "seed": args.seed, **figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
