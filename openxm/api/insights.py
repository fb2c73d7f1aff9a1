"""Insight routes: figures with n and intervals, the journey map, trends, segment comparisons,
dashboards and report schedules.

Filters are query parameters, the same as the pages': ``period`` (7d, 30d, 90d, 12m, ytd,
last_week, last_month, this_month) or ``start``/``end``; ``journey``, ``stage``, ``touchpoint``,
``channel``, ``unit``, ``survey``, ``question``; ``attr=name:value`` (repeatable); ``weighted=1``;
``grain`` (d, w, m).
"""

from datetime import date, datetime
from typing import Any

from ninja import Body, Router, Schema
from ninja.responses import Status

from openxm.accounts.errors import InvalidInput
from openxm.insights import dashboards, figures, journey_map, params, query, reports, services, widgets

from .contract import query_parameters

router = Router(tags=["insights"])


class ScoreOut(Schema):
    metric: str
    n: int
    suppressed: bool
    min_n: int
    score: float | None
    ci_low: float | None
    ci_high: float | None
    mean: float | None
    effective_n: float | None
    shares: dict[str, float]


class TestOut(Schema):
    test: str
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    statistic: float
    p_value: float


class FigureOut(Schema):
    group: list[Any]
    current: ScoreOut
    previous: ScoreOut | None
    change: TestOut | None
    trend: str


class FiguresOut(Schema):
    metric: str
    start: date
    end: date
    by: list[str]
    source: str
    figures: list[FigureOut]


class SegmentCompareOut(Schema):
    a: ScoreOut
    b: ScoreOut
    change: TestOut | None


def _score(r) -> ScoreOut:
    return ScoreOut(
        metric=r.metric,
        n=r.n,
        suppressed=r.suppressed,
        min_n=r.min_n,
        score=r.score,
        ci_low=r.ci_low,
        ci_high=r.ci_high,
        mean=r.mean,
        effective_n=r.effective_n,
        shares=dict(r.shares),
    )


def _test(c) -> TestOut | None:
    if c is None:
        return None
    return TestOut(
        test=c.test,
        difference=c.difference,
        ci_low=c.ci_low,
        ci_high=c.ci_high,
        statistic=c.statistic,
        p_value=c.p_value,
    )


# The global filters each figure route reads from the query string (insights.params).
_FILTERS = {"parameters": query_parameters(params.QUERY_PARAMETERS)}


def _params(request):
    return params.parse(request.auth.organization, request.GET)


def _metric(metric: str) -> str:
    if metric not in figures.SCORED:
        raise InvalidInput("metric", f"must be one of {', '.join(figures.SCORED)}")
    return metric


@router.get(
    "/insights/metrics",
    response=FiguresOut,
    summary="A metric per group with n, 95% CI and the change from the previous period",
    openapi_extra=_FILTERS,
)
def metrics(request, metric: str = "nps", by: str = "", previous: bool = True):
    p = _params(request)
    _metric(metric)
    group_by = tuple(g for g in by.split(",") if g)
    bad = [g for g in group_by if g not in query.GROUPS]
    if bad:
        raise InvalidInput("by", f"must be a comma-separated list of {', '.join(query.GROUPS)}")
    found, source = figures.figures(
        request.auth, p.filters, metric, group_by, p.grain, with_previous=previous
    )
    return FiguresOut(
        metric=metric,
        start=p.filters.start,
        end=p.filters.end,
        by=list(group_by),
        source=source,
        figures=[
            FigureOut(
                group=[str(g) if isinstance(g, date) else g for g in f.group],
                current=_score(f.result),
                previous=_score(f.previous) if f.previous else None,
                change=_test(f.comparison),
                trend=f.trend,
            )
            for f in found
        ],
    )


class BreakdownRowOut(Schema):
    group: str
    figure: ScoreOut


@router.get(
    "/insights/breakdown",
    response=list[BreakdownRowOut],
    summary="A metric per touchpoint, stage, journey, channel, unit, region, survey or segment:<attribute>",
    openapi_extra=_FILTERS,
)
def breakdown(request, metric: str = "nps", by: str = "touchpoint"):
    p = _params(request)
    _metric(metric)
    widgets.clean_widgets([{"type": "breakdown_bar", "metric": metric, "by": by}])  # checks `by`
    return [
        BreakdownRowOut(group=str(label), figure=_score(result))
        for label, result in widgets.breakdown(request.auth, p, metric, by)
    ]


@router.get(
    "/insights/compare-segments",
    response=SegmentCompareOut,
    summary="A metric for attribute=a versus attribute=b, with the test that fits the metric",
    openapi_extra=_FILTERS,
)
def compare_segments(request, metric: str, attribute: str, a: str, b: str):
    p = _params(request)
    ra, rb, c = figures.compare_segments(request.auth, p.filters, _metric(metric), attribute, a, b)
    return SegmentCompareOut(a=_score(ra), b=_score(rb), change=_test(c))


@router.get(
    "/insights/trend",
    summary="A metric by touchpoint × period (n, score, 95% CI per cell)",
    openapi_extra=_FILTERS,
)
def trend(request, metric: str = "nps") -> dict[str, Any]:
    p = _params(request)
    grid = figures.trend_grid_for(request.auth, p.filters, _metric(metric), p.grain)
    cells = []
    for i, tp in enumerate(grid.touchpoints):
        for j, b in enumerate(grid.buckets):
            n, score, low, high = grid.cell(i, j)
            cells.append(
                {
                    "touchpoint": tp,
                    "bucket": b.isoformat(),
                    "n": n,
                    "score": score,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return {"metric": metric, "grain": p.grain, "source": grid.source, "cells": cells}


@router.get("/insights/journeys/{key}/map", summary="The journey map's figures", openapi_extra=_FILTERS)
def journey_map_figures(request, key: str) -> dict[str, Any]:
    p = _params(request)
    jm = journey_map.build(request.auth, key, p.filters, p.grain, with_trends=False)
    return {
        "journey": jm.journey.key,
        "start": p.filters.start.isoformat(),
        "end": p.filters.end.isoformat(),
        "source": jm.source,
        "stages": [
            {
                "key": s.key,
                "name": s.name,
                "volume": s.volume,
                "emotion": s.emotion.to_dict(),
                "touchpoints": [
                    {
                        "key": t.info.key,
                        "name": t.info.name,
                        "volume": t.volume,
                        "metrics": {
                            m: {
                                **_score(c.result).dict(),
                                "target": c.target,
                                "trend": c.trend,
                                "change": _test(c.comparison).dict() if c.comparison else None,
                            }
                            for m, c in t.metrics.items()
                        },
                        "operational": [
                            {
                                "metric": o.metric,
                                "value": o.value,
                                "period_start": o.period_start.isoformat(),
                                "period_end": o.period_end.isoformat(),
                                "previous": o.previous,
                            }
                            for o in t.operational
                        ],
                    }
                    for t in s.touchpoints
                ],
            }
            for s in jm.stages
        ],
        "pain_points": [{**pp.pain.to_dict(), "name": pp.name, "stage": pp.stage} for pp in jm.pain_points],
    }


# --- Dashboards and reports -------------------------------------------------------------------


class DashboardOut(Schema):
    key: str
    name: str
    role: str
    description: str
    filters: dict[str, Any]
    widgets: list[dict[str, Any]]


class ScheduleIn(Schema):
    dashboard: str
    frequency: str
    recipients: list[str]
    language: str = "en"


class ScheduleOut(Schema):
    id: int
    dashboard: str
    frequency: str
    recipients: list[str]
    language: str
    active: bool
    next_run_at: datetime
    last_sent_at: datetime | None
    last_error: str


class SegmentsIn(Schema):
    attributes: list[str]


class SegmentsOut(Schema):
    attributes: list[str]
    responses: int


def _dashboard(row) -> DashboardOut:
    return DashboardOut(**dashboards.dashboard_document(row))


@router.get("/insights/dashboards", response=list[DashboardOut])
def list_dashboards(request):
    return [_dashboard(r) for r in dashboards.list_dashboards(request.auth)]


@router.get("/insights/dashboards/{key}", response=DashboardOut)
def get_dashboard(request, key: str):
    return _dashboard(dashboards.get_dashboard(request.auth, key))


@router.put("/insights/dashboards/{key}", response=DashboardOut, summary="Create or replace a dashboard")
def put_dashboard(request, key: str, payload: dict[str, Any] = Body(...)):
    row, _created = dashboards.save_dashboard(request.auth, {**payload, "key": key})
    return _dashboard(row)


@router.delete("/insights/dashboards/{key}", response={204: None})
def delete_dashboard(request, key: str):
    dashboards.delete_dashboard(request.auth, key)
    return Status(204, None)


@router.get("/insights/report-schedules", response=list[ScheduleOut])
def list_schedules(request):
    return [ScheduleOut(**vars(s)) for s in reports.list_schedules(request.auth)]


@router.post("/insights/report-schedules", response={201: ScheduleOut})
def create_schedule(request, payload: ScheduleIn):
    row = reports.create_schedule(
        request.auth, payload.dashboard, payload.frequency, payload.recipients, payload.language
    )
    return Status(201, ScheduleOut(**vars(row)))


@router.delete("/insights/report-schedules/{schedule_id}", response={204: None})
def delete_schedule(request, schedule_id: int):
    reports.delete_schedule(request.auth, schedule_id)
    return Status(204, None)


@router.put("/insights/segments", response=SegmentsOut, summary="Set the segment attributes and re-segment")
def put_segments(request, payload: SegmentsIn):
    result = services.configure_segments(request.auth, payload.attributes)
    return SegmentsOut(attributes=services.segment_settings(request.auth), responses=result.responses)
