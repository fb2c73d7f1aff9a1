"""The improvement backlog: pain points ranked by impact, with the plans that address them.

A pain point is a group of responses that share a touchpoint, a topic, a unit or a root cause.
Its impact is::

    impact = volume × gap to target × customer value

* ``volume`` — responses in the group over the period;
* ``gap`` — how far the group's score is from the target, in the metric's unit, never below 0
  (target − score when higher is better, score − target when lower is better);
* ``value`` — the mean value weight of the group's customers (1 = an average customer, e.g. 2
  for a group of high-value customers); 1 when values are unknown.

Included: ranking (impact, then volume, then label), each point's share of the total impact,
and the plans that target it. Excluded: groups below ``min_volume`` responses (listed in
``too_small`` by kind and code, never ranked: their score is noise) and points that meet the
target (impact 0; ranked last, so the backlog also shows what is fine). Reading responses and
choosing the target is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openxm.analytics.plain import to_plain

__all__ = ["KINDS", "Backlog", "BacklogItem", "PainPoint", "prioritise"]

KINDS = ("touchpoint", "topic", "unit", "root_cause")


@dataclass(frozen=True)
class PainPoint:
    kind: str
    code: str
    label: str
    volume: int
    score: float | None
    value: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"pain point kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.volume < 0:
            raise ValueError(f"{self.kind} {self.code!r}: volume cannot be negative")
        if self.value < 0:
            raise ValueError(f"{self.kind} {self.code!r}: customer value cannot be negative")


@dataclass(frozen=True)
class BacklogItem:
    rank: int
    kind: str
    code: str
    label: str
    volume: int
    score: float
    target: float
    gap: float
    value: float
    impact: float
    share: float  # % of the backlog's total impact
    plans: tuple[Any, ...]


@dataclass(frozen=True)
class Backlog:
    items: tuple[BacklogItem, ...]
    too_small: tuple[tuple[str, str], ...]
    target: float
    higher_is_better: bool
    min_volume: int

    def to_dict(self) -> dict[str, Any]:
        return to_plain(self)


def prioritise(
    points: Sequence[PainPoint],
    *,
    target: float,
    higher_is_better: bool = True,
    min_volume: int = 10,
    plans: Mapping[tuple[str, str], Sequence[Any]] | None = None,
) -> Backlog:
    """Rank ``points``; ``plans`` maps (kind, code) to the plans targeting it (passed through)."""
    plans = plans or {}
    scored, too_small = [], []
    for point in points:
        if point.volume < min_volume or point.score is None:
            too_small.append((point.kind, point.code))
            continue
        gap = max(0.0, (target - point.score) if higher_is_better else (point.score - target))
        scored.append((point, gap, point.volume * gap * point.value))
    total = sum(impact for _p, _g, impact in scored)
    scored.sort(key=lambda row: (-row[2], -row[0].volume, row[0].label))
    items = tuple(
        BacklogItem(
            rank=rank,
            kind=point.kind,
            code=point.code,
            label=point.label,
            volume=point.volume,
            score=point.score,
            target=target,
            gap=gap,
            value=point.value,
            impact=impact,
            share=100 * impact / total if total else 0.0,
            plans=tuple(plans.get((point.kind, point.code), ())),
        )
        for rank, (point, gap, impact) in enumerate(scored, start=1)
    )
    return Backlog(items, tuple(too_small), target, higher_is_better, min_volume)
