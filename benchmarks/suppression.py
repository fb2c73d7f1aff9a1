"""Suppression benchmark: the release plan of one wave for organizations of growing size.

    .venv/bin/python benchmarks/suppression.py [--units 10 40 160] [--seed 1]

Builds the cells the employee results build (organization, regions, stores of 1–30
respondents, four tenure bands per node, each node's residue), runs
``analytics.suppression.plan`` at 5 and reports its time, the number of cells, how many are
shown, and the ratio of each size's time to the smallest one's (the baseline, measured in the
same run). The last line printed is JSON. On a loaded machine multi-threaded BLAS dominates the
time; compare runs with ``OPENBLAS_NUM_THREADS=1``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openxm.analytics.suppression import Cell, plan

BANDS = ("<1y", "1-3y", "3-5y", "5y+")


def cells(stores: int, rng: random.Random) -> list[Cell]:
    ids = itertools.count()
    regions: dict[str, set] = {f"r{i}": set() for i in range(max(1, stores // 10))}
    out = []
    band_of = {}
    for s in range(stores):
        region = f"r{s % len(regions)}"
        members = {next(ids) for _ in range(rng.randint(1, 30))}
        for m in members:
            band_of[m] = rng.choice(BANDS)
        regions[region] |= members
        out.append(Cell(("store", s), frozenset(members), ("region", region)))
        out += _bands(("store", s), members, band_of)
    everyone = set().union(*regions.values())
    out.append(Cell(("org",), frozenset(everyone)))
    out += _bands(("org",), everyone, band_of)
    for region, members in regions.items():
        out.append(Cell(("region", region), frozenset(members), ("org",)))
        out += _bands(("region", region), members, band_of)
    return out


def _bands(node, members, band_of) -> list[Cell]:
    return [
        Cell(("band", node, b), frozenset(m for m in members if band_of[m] == b), ("split", node))
        for b in BANDS
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[10, 40, 160])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = {}
    baseline = None
    for stores in args.units:
        built = cells(stores, random.Random(args.seed))
        started = time.perf_counter()
        result = plan(built, 5)
        seconds = time.perf_counter() - started
        baseline = baseline or seconds
        respondents = len(next(c for c in built if c.key == ("org",)).members)
        figures[stores] = {
            "cells": len(built), "respondents": respondents, "shown": len(result.released),
            "seconds": round(seconds, 3), "ratio": round(seconds / baseline, 1),
        }
        shown = len(result.released)
        print(f"{stores} stores, {respondents} respondents, {len(built)} cells: {shown} shown, "
              f"{seconds:.3f} s ({seconds / baseline:.1f}x the smallest)")
    print(json.dumps({"suppression_plan": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
