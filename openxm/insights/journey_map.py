"""The journey map: stages left to right, touchpoints under them, each with volume, NPS, CSAT
and CES (interval, trend and target), the emotion line and the pain points; O-data beside.

Reads only rollups when the filters allow it (period, segment attributes): the metric cube.
Channel and unit filters read the answer rollups; other contact attributes the raw tables.
"""

from dataclasses import dataclass, field
from datetime import date

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.analytics.compare import Comparison
from openxm.analytics.metrics import ScoreResult
from openxm.analytics.rollup_math import (
    IndexResult,
    PainPoint,
    compare_periods,
    index_from_tallies,
    pain_points,
    score_from_tally,
    trend,
)
from openxm.journeys import operational
from openxm.journeys import services as journeys

from .figures import TrendGrid, min_n, trend_grids
from .models import CUBE_SCALES
from .query import Filters, tallies_many

MAP_METRICS = ("nps", "csat", "ces")


@dataclass(frozen=True)
class MetricCell:
    metric: str
    result: ScoreResult
    previous: ScoreResult
    comparison: Comparison | None
    trend: str
    target: float | None

    @property
    def gap(self) -> float | None:
        if self.target is None or self.result.score is None:
            return None
        return self.target - self.result.score

    @property
    def on_target(self) -> bool | None:
        gap = self.gap
        return None if gap is None else gap <= 0


@dataclass(frozen=True)
class OpCell:
    metric: str
    label: str
    unit: str
    value: float
    period_start: date
    period_end: date
    previous: float | None
    higher_is_better: bool


@dataclass(frozen=True)
class TouchpointCell:
    info: journeys.TouchpointInfo
    volume: int
    volume_previous: int
    metrics: dict[str, MetricCell]
    operational: list[OpCell] = field(default_factory=list)


@dataclass(frozen=True)
class StageCell:
    key: str
    name: str
    touchpoints: list[TouchpointCell]
    emotion: IndexResult
    volume: int


@dataclass(frozen=True)
class NamedPainPoint:
    pain: PainPoint
    name: str
    stage: str


@dataclass(frozen=True)
class JourneyMap:
    journey: journeys.JourneyView
    filters: Filters
    stages: list[StageCell]
    pain_points: list[NamedPainPoint]
    trends: dict[str, TrendGrid]
    source: str
    grain: str


def build(
    actor: Actor, journey_key: str, f: Filters, grain: str = "w", with_trends: bool = True
) -> JourneyMap:
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    view = journeys.get_journey(actor, journey_key)
    keys = [t.key for t in view.touchpoints]
    scoped = Filters(
        **{**f.__dict__, "journey": "", "stage": "", "touchpoint": "", "touchpoints": tuple(keys)}
    )
    previous = scoped.previous()
    wanted = (*MAP_METRICS, "responses")
    now = tallies_many(actor.scope, scoped, wanted, ("touchpoint",))
    before = tallies_many(actor.scope, previous, wanted, ("touchpoint",))
    source = now["nps"].source
    current_t = {m: {g[0]: t for g, t in now[m].table.items()} for m in MAP_METRICS}
    previous_t = {m: {g[0]: t for g, t in before[m].table.items()} for m in MAP_METRICS}
    vol_now = {g[0]: t[0][0] for g, t in now["responses"].table.items()}
    vol_before = {g[0]: t[0][0] for g, t in before["responses"].table.items()}
    ops = latest_operational(org, keys, f)
    floor = min_n(org)

    stages = []
    pains = []
    for stage in view.stages:
        cells = []
        parts = []
        for info in stage.touchpoints:
            metrics = {}
            for metric in MAP_METRICS:
                tally = current_t[metric].get(info.key, {})
                prev_tally = previous_t[metric].get(info.key, {})
                result = score_from_tally(metric, tally, weighted=f.weighted, min_n=floor)
                prev = score_from_tally(metric, prev_tally, weighted=f.weighted, min_n=floor)
                comparison = compare_periods(metric, result, prev, tally, prev_tally)
                target = info.targets.get(metric)
                metrics[metric] = MetricCell(metric, result, prev, comparison, trend(comparison), target)
                if tally:
                    low, high = CUBE_SCALES[metric]
                    parts.append((low, high, tally))
                pains.append((info.key, metric, result.n, result.score, target))
            cells.append(
                TouchpointCell(
                    info,
                    vol_now.get(info.key, 0),
                    vol_before.get(info.key, 0),
                    metrics,
                    ops.get(info.key, []),
                )
            )
        emotion = index_from_tallies(parts, weighted=f.weighted, min_n=floor)
        stages.append(StageCell(stage.key, stage.name, cells, emotion, sum(c.volume for c in cells)))

    names = {t.key: (t.name, t.stage_name) for t in view.touchpoints}
    ranked = [NamedPainPoint(p, *names[p.key]) for p in pain_points(pains, limit=5)]
    trends = {}
    if with_trends:
        trends = trend_grids(actor.scope, scoped, MAP_METRICS, grain, touchpoints=keys)
    return JourneyMap(view, f, stages, ranked, trends, source, grain)


def latest_operational(org, keys, f: Filters) -> dict[str, list[OpCell]]:
    """Per touchpoint, each O-data metric's latest period overlapping the filter period, with the
    period before it."""
    rows = operational.operational_rows(org, keys, end=f.end)
    by: dict[tuple[str, str], list] = {}
    for r in rows:
        by.setdefault((r.touchpoint, r.metric), []).append(r)
    out: dict[str, list[OpCell]] = {}
    for (tp, metric), series in by.items():
        inside = [r for r in series if r.period_end >= f.start]
        if not inside:
            continue
        latest = inside[-1]
        earlier = [r for r in series if r.period_end < latest.period_start]
        spec = operational.OP_METRICS[metric]
        out.setdefault(tp, []).append(
            OpCell(
                metric,
                str(spec.label),
                spec.unit,
                latest.value,
                latest.period_start,
                latest.period_end,
                earlier[-1].value if earlier else None,
                spec.higher_is_better,
            )
        )
    for cells in out.values():
        cells.sort(key=lambda c: list(operational.OP_METRICS).index(c.metric))
    return out
