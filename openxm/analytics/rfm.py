"""RFM: recency, frequency and monetary quintiles (5 = best) and named tiers.

Pure: plain values in and out, no Django.

Included: :func:`rfm` over per-customer (days since last purchase, number of purchases, total
spend) and :func:`tier`, the named tier of an (R, F, M) triple.

Scoring: each measure is ranked over the customers (recency reversed: fewer days is better);
ties share the lowest rank so equal values always get equal scores; the score is
``1 + floor(5 · (rank − 1) / n)``, so with n customers every quintile holds about n/5 of them.
Excluded: weighting R, F and M into one number (the named tiers use the triple directly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Named tiers, checked in order; the first rule that holds names the customer.
# (name, R at least, R at most, F at least, F at most, M at least)
TIERS: tuple[tuple[str, int, int, int, int, int], ...] = (
    ("champions", 4, 5, 4, 5, 4),
    ("loyal", 3, 5, 4, 5, 1),
    ("big_spenders", 3, 5, 1, 5, 5),
    ("new", 4, 5, 1, 1, 1),
    ("promising", 3, 5, 1, 3, 1),
    ("at_risk", 1, 2, 3, 5, 1),
    ("hibernating", 1, 2, 1, 2, 1),
)
TIER_NAMES = (*(t[0] for t in TIERS), "others")


@dataclass(frozen=True)
class RfmInput:
    customer: str
    recency_days: float  # days from the last purchase to the reference date
    frequency: int  # purchases (transactions) in the window
    monetary: float  # total spend in the window


@dataclass(frozen=True)
class RfmScore:
    customer: str
    r: int
    f: int
    m: int
    tier: str

    @property
    def code(self) -> str:
        return f"{self.r}{self.f}{self.m}"


def quintiles(values: Sequence[float], higher_is_better: bool = True) -> list[int]:
    """Score 1–5 of each value (5 = best) by its rank among ``values``; ties share a score."""
    n = len(values)
    if n == 0:
        return []
    keyed = [v if higher_is_better else -v for v in values]
    order = sorted(keyed)
    first_rank = {}
    for i, v in enumerate(order, start=1):
        first_rank.setdefault(v, i)
    return [1 + (5 * (first_rank[v] - 1)) // n for v in keyed]


def tier(r: int, f: int, m: int) -> str:
    """The first tier in :data:`TIERS` whose bounds hold, else ``others``."""
    for name, r_lo, r_hi, f_lo, f_hi, m_lo in TIERS:
        if r_lo <= r <= r_hi and f_lo <= f <= f_hi and m >= m_lo:
            return name
    return "others"


def rfm(rows: Sequence[RfmInput]) -> list[RfmScore]:
    """R, F, M quintiles and tier per customer, in the order given."""
    r = quintiles([row.recency_days for row in rows], higher_is_better=False)
    f = quintiles([row.frequency for row in rows])
    m = quintiles([row.monetary for row in rows])
    return [RfmScore(row.customer, r[i], f[i], m[i], tier(r[i], f[i], m[i])) for i, row in enumerate(rows)]
