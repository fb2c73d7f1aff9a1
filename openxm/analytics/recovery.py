"""Service recovery: the recovery rate of DESIGN.md and the control-group comparison.

Recovery rate = share of detractor cases (opened on NPS 0–6 or CSAT 1–2) whose follow-up answer
after resolution is passive or promoter (NPS ≥ 7) or CSAT ≥ 4, with n and a Wilson interval.
Included: who counts (:func:`eligible`, :func:`recovered`), the rate overall and per group
(:func:`rate`, :func:`by_group`) and the control group's comparison (:func:`control_effect`).
Excluded: cases without a follow-up answer (they are not in n: nothing is known of them) and
cases not opened on a detractor score. Pure: plain values in and out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from .compare import Comparison, nps_difference, two_proportions
from .intervals import wilson
from .metrics import nps


def eligible(score_type: str, score: float | None) -> bool:
    """A detractor case: opened on NPS 0–6 or CSAT 1–2."""
    if score is None:
        return False
    return (score_type == "nps" and score <= 6) or (score_type == "csat" and score <= 2)


def recovered(followup_type: str, followup: float | None) -> bool | None:
    """Passive or promoter (NPS ≥ 7) or CSAT ≥ 4; None when there is no follow-up answer."""
    if followup is None:
        return None
    return followup >= 7 if followup_type == "nps" else followup >= 4


@dataclass(frozen=True)
class Rate:
    recovered: int
    n: int
    rate: float | None  # share 0–1; None when n = 0
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class CaseOutcome:
    score_type: str  # of the triggering answer: nps or csat
    score: float | None
    followup: float | None  # the follow-up answer (same scale), None if none came back


def rate(cases: Iterable[CaseOutcome], confidence: float = 0.95) -> Rate:
    flags = [
        recovered(c.score_type, c.followup)
        for c in cases
        if eligible(c.score_type, c.score) and c.followup is not None
    ]
    n, k = len(flags), sum(1 for f in flags if f)
    if n == 0:
        return Rate(0, 0, None, None, None)
    low, high = wilson(k / n, n, confidence)  # type: ignore[misc]
    return Rate(k, n, k / n, low, high)


def by_group(rows: Iterable[tuple[Hashable, CaseOutcome]], confidence: float = 0.95) -> dict[Hashable, Rate]:
    """The rate per key (touchpoint, unit, agent, root cause, recovery action…)."""
    groups: dict[Hashable, list[CaseOutcome]] = {}
    for key, outcome in rows:
        groups.setdefault(key, []).append(outcome)
    return {key: rate(items, confidence) for key, items in groups.items()}


@dataclass(frozen=True)
class ControlEffect:
    """Contacted vs held out. ``claimed`` only when p < alpha and both groups reach ``min_n``."""

    outcome: str  # "repurchase" or "nps"
    contacted_n: int
    held_out_n: int
    comparison: Comparison | None
    claimed: bool
    reason: str  # "", "not enough data", "no significant difference"


def control_effect(
    contacted: Sequence[object],
    held_out: Sequence[object],
    outcome: str,
    *,
    alpha: float = 0.05,
    min_n: int = 30,
) -> ControlEffect:
    """Compare an outcome of contacted detractors with that of held-out ones.

    ``repurchase``: each value is True/False (bought again in the window): a two-proportion z
    test. ``nps``: each value is a later 0–10 answer: NPS difference z test. The effect is
    claimed only with p < ``alpha`` and at least ``min_n`` in each group.
    """
    if outcome not in ("repurchase", "nps"):
        raise ValueError("outcome: must be repurchase or nps")
    na, nb = len(contacted), len(held_out)
    if na < min_n or nb < min_n:
        return ControlEffect(outcome, na, nb, None, False, "not enough data")
    if outcome == "repurchase":
        test = two_proportions(
            sum(1 for v in contacted if v),
            na,
            sum(1 for v in held_out if v),
            nb,
            groups=("contacted", "held_out"),
        )
    else:
        test = nps_difference(nps(list(contacted)), nps(list(held_out)), groups=("contacted", "held_out"))
    claimed = test.p_value < alpha
    return ControlEffect(outcome, na, nb, test, claimed, "" if claimed else "no significant difference")
