"""Figures for pages, the API and reports: metrics per group with n, interval and trend.

Every figure is computed from tallies (see :mod:`openxm.insights.query`) by the pure math in
:mod:`openxm.analytics.rollup_math`, so a figure read from the rollups is the figure the raw
answers give. Figures below the organization's minimum sample size
(``Organization.min_sample_size``) are suppressed: n is shown, the value is not.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection
from django.db.models import BigIntegerField, CharField, Count, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from openxm.accounts.actors import Actor
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.analytics.compare import Comparison
from openxm.analytics.metrics import ScoreResult
from openxm.analytics.rollup_math import (
    Grid,
    buckets,
    compare_periods,
    grid_from_stats,
    score_from_tally,
    score_grid,
    trend,
)

from .models import CUBE_SCALES, cube_columns
from .query import Filters, _cube_queryset, _period, choose_source, cube_pieces, resolve, tallies

SCORED = ("nps", "enps", "csat", "ces")


def min_n(org: Organization) -> int:
    return max(1, int(org.min_sample_size or 1))


@dataclass(frozen=True)
class Figure:
    """One metric for one group, with the previous period and the test between them."""

    group: tuple
    result: ScoreResult
    previous: ScoreResult | None = None
    comparison: Comparison | None = None
    trend: str = ""


def _score(org: Organization, metric: str, tally: dict, weighted: bool) -> ScoreResult:
    return score_from_tally(metric, tally, weighted=weighted, min_n=min_n(org))


def figures(
    actor: Actor,
    f: Filters,
    metric: str,
    group_by=(),
    grain: str = "w",
    with_previous: bool = False,
    source: str = "auto",
) -> tuple[list[Figure], str]:
    """``metric`` (nps, enps, csat, ces) per group; with ``with_previous`` each figure carries the
    previous period of the same length and the significance test of the change. Returns the
    figures and the source that answered ("cube", "answers" or "raw")."""
    actor.require(Perm.DASHBOARDS_VIEW)
    if metric not in SCORED:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(SCORED)}")
    org = actor.organization
    current = tallies(actor.scope, f, metric, group_by, grain, source)
    previous = {}
    if with_previous:
        previous = tallies(actor.scope, f.previous(), metric, group_by, grain, source).table
    out = []
    for group in sorted(current.table, key=_sort_key):
        tally = current.table[group]
        result = _score(org, metric, tally, f.weighted)
        if with_previous:
            prev_tally = previous.get(group, {})
            prev = _score(org, metric, prev_tally, f.weighted)
            comparison = compare_periods(metric, result, prev, tally, prev_tally)
            out.append(Figure(group, result, prev, comparison, trend(comparison)))
        else:
            out.append(Figure(group, result))
    return out, current.source


def _sort_key(group: tuple):
    return tuple("" if v is None else str(v) for v in group)


def headline(actor: Actor, f: Filters, metric: str, source: str = "auto") -> Figure:
    """One metric over all the filtered answers, with its change from the previous period."""
    found, _ = figures(actor, f, metric, (), with_previous=True, source=source)
    if found:
        return found[0]
    empty = _score(actor.organization, metric, {}, f.weighted)
    prev_tally = tallies(actor.scope, f.previous(), metric, (), source=source).table.get((), {})
    prev = _score(actor.organization, metric, prev_tally, f.weighted)
    return Figure((), empty, prev, None, "")


def volume(actor: Actor, f: Filters, group_by=(), grain: str = "w", source: str = "auto") -> dict:
    """Completed responses per group ({group: count})."""
    actor.require(Perm.DASHBOARDS_VIEW)
    table = tallies(actor.scope, f, "responses", group_by, grain, source).table
    return {group: tally[0][0] for group, tally in table.items()}


def compare_segments(
    actor: Actor, f: Filters, metric: str, attribute: str, value_a: str, value_b: str
) -> tuple[ScoreResult, ScoreResult, Comparison | None]:
    """``metric`` of contacts with attribute = value_a versus value_b (same period and filters),
    with the test that fits the metric (see rollup_math.compare_periods)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    side = []
    for value in (value_a, value_b):
        attrs = tuple((k, v) for k, v in f.attributes if k != attribute) + ((attribute, value),)
        fa = Filters(**{**f.__dict__, "attributes": attrs})
        tally = tallies(actor.scope, fa, metric).table.get((), {})
        side.append((tally, _score(org, metric, tally, f.weighted)))
    (ta, ra), (tb, rb) = side
    comparison = compare_periods(metric, ra, rb, ta, tb, groups=(value_a, value_b))
    return ra, rb, comparison


# --- Grids: touchpoint × period ---------------------------------------------------------------


@dataclass(frozen=True)
class TrendGrid:
    """``metric`` per touchpoint (rows) and period bucket (columns); ``grid`` arrays are
    row-major, one entry per (touchpoint, bucket)."""

    metric: str
    touchpoints: list[str]
    buckets: list[date]
    grid: Grid
    source: str

    def cell(self, i: int, j: int) -> tuple[int, float | None, float | None, float | None]:
        k = i * len(self.buckets) + j
        g = self.grid

        def num(a):
            v = float(a[k])
            return None if np.isnan(v) else v

        return int(g.n[k]), num(g.score), num(g.ci_low), num(g.ci_high)


def trend_grid(
    scope: Scope,
    f: Filters,
    metric: str,
    grain: str = "w",
    touchpoints: list[str] | None = None,
    source: str = "auto",
) -> TrendGrid:
    """``metric`` by touchpoint × ``grain`` bucket over the filters (see :func:`trend_grids`)."""
    return trend_grids(scope, f, (metric,), grain, touchpoints, source)[metric]


def trend_grids(
    scope: Scope,
    f: Filters,
    metrics: tuple[str, ...] = ("nps", "csat", "ces"),
    grain: str = "w",
    touchpoints: list[str] | None = None,
    source: str = "auto",
) -> dict[str, TrendGrid]:
    """The journey-map query: each metric by touchpoint × ``grain`` bucket over the filters.

    From the metric cube this is one indexed read of wide rows (every metric of a touchpoint and
    week in one row) summed per cell with numpy; other sources go through :func:`query.tallies`.
    Callers check permissions.
    """
    org = scope.organization
    bucket_list = [b for b, _, _ in buckets(f.start, f.end, grain)]
    r = resolve(scope, f)
    if touchpoints is None and r.touchpoints is not None:
        touchpoints = list(r.touchpoints)  # journey order: stage by stage
    chosen = {
        m: choose_source(m, f, r, ("touchpoint", "bucket")) if source == "auto" else source for m in metrics
    }
    tables = {
        m: tallies(scope, f, m, ("touchpoint", "bucket"), grain, chosen[m]).table
        for m in metrics
        if chosen[m] != "cube"
    }
    if touchpoints is None:
        found = {g[0] for table in tables.values() for g in table}
        if any(chosen[m] == "cube" for m in metrics):
            found |= set(
                _cube_queryset(org, f, r, cube_pieces(f.start, f.end, grain))
                .values_list("touchpoint", flat=True)
                .distinct()
            )
        touchpoints = sorted(found)
    index_b = {b: j for j, b in enumerate(bucket_list)}
    index_t = {t: i for i, t in enumerate(touchpoints)}
    size = len(touchpoints) * len(bucket_list)
    arrays = {m: (np.zeros((size, 11)), np.zeros((size, 11)), np.zeros(size)) for m in metrics}
    from_cube = [m for m in metrics if chosen[m] == "cube"]
    stats = {}
    if from_cube and size and not f.weighted:
        stats = _cube_stats(org, f, r, from_cube, grain, index_t, index_b, size)
    elif from_cube and size:
        _cube_arrays(org, f, r, from_cube, grain, index_t, index_b, arrays)
    for metric, table in tables.items():
        counts, wsums, wsq = arrays[metric]
        for (tp, b), tally in table.items():
            if tp in index_t and b in index_b:
                k = index_t[tp] * len(bucket_list) + index_b[b]
                for p, (n, s_, qq) in tally.items():
                    counts[k, p] += n
                    wsums[k, p] += s_
                    wsq[k] += qq
    out = {}
    for metric in metrics:
        if metric in stats:
            grid = grid_from_stats(metric, **stats[metric], min_n=min_n(org))
            out[metric] = TrendGrid(metric, touchpoints, bucket_list, grid, chosen[metric])
            continue
        low, high = CUBE_SCALES[metric]
        counts, wsums, wsq = arrays[metric]
        grid = score_grid(
            metric,
            counts[:, low : high + 1],
            wsums[:, low : high + 1] if f.weighted else None,
            wsq if f.weighted else None,
            min_n=min_n(org),
        )
        out[metric] = TrendGrid(metric, touchpoints, bucket_list, grid, chosen[metric])
    return out


def _stat_expressions(metric: str) -> dict[str, object]:
    """Per cube row, the sufficient statistics of ``metric`` as SQL sums of its point columns
    (see rollup_math.grid_from_stats): the database adds up a dozen columns faster than Python
    can receive them. Written as RawSQL of the model's own column names, which costs nothing to
    compile (an expression tree of the same sums costs ~30 ms per query)."""
    low, high = CUBE_SCALES[metric]
    qn = connection.ops.quote_name

    def total(points, power=0):
        terms = [
            qn(f"{metric}{p}") if p**power == 1 else f"{p**power} * {qn(f'{metric}{p}')}" for p in points
        ]
        terms = [t for t, p in zip(terms, points, strict=True) if p**power != 0]
        # Column names and integer factors from the model only; nothing from input reaches the SQL.
        return RawSQL("(" + (" + ".join(terms) or "0") + ")", (), output_field=BigIntegerField())  # noqa: S611

    every = range(low, high + 1)
    out = {"n": total(every), "total": total(every, 1)}
    if metric in ("nps", "enps"):
        out |= {"first": total(range(9, 11)), "second": total(range(0, 7))}
    elif metric == "csat":
        out |= {"first": total(range(4, 6))}
    else:
        out |= {"total_sq": total(every, 2)}
    return out


def _cube_stats(org, f: Filters, r, metrics: list[str], grain: str, index_t, index_b, size: int) -> dict:
    """{metric: {n, first, second, total, total_sq: array per cell}} from the cube rows in the
    filters, each row reduced to its sufficient statistics in SQL (unweighted figures)."""
    pieces = cube_pieces(f.start, f.end, grain)
    if not pieces:
        return {m: {k: np.zeros(size) for k in _stat_expressions(m)} for m in metrics}
    width_b = len(index_b)
    cell_of_piece = {(g, str(b)): index_b.get(out, -1) for (g, b), out in pieces.items()}
    names, exprs = [], {}
    for metric in metrics:
        for stat, expr in _stat_expressions(metric).items():
            names.append((metric, stat))
            exprs[f"s_{metric}_{stat}"] = expr
    qs = _cube_queryset(org, f, r, pieces).annotate(day=Cast("bucket", output_field=CharField()), **exprs)
    sql, params = qs.values_list("grain", "day", "touchpoint", *exprs).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    out = {m: {stat: np.zeros(size) for m2, stat in names if m2 == m} for m in metrics}
    if not fetched:
        return out
    cells = np.fromiter(
        (
            index_t[row[2]] * width_b + b
            if row[2] in index_t and (b := cell_of_piece[(row[0], str(row[1]))]) >= 0
            else -1
            for row in fetched
        ),
        dtype=np.int64,
        count=len(fetched),
    )
    values = np.array([row[3:] for row in fetched], dtype=float)
    keep = cells >= 0
    for i, (metric, stat) in enumerate(names):
        np.add.at(out[metric][stat], cells[keep], values[keep, i])
    return out


def _cube_arrays(org, f: Filters, r, metrics: list[str], grain: str, index_t, index_b, arrays) -> None:
    """Add the cube rows of ``metrics`` in the filters into ``arrays[metric]`` = (counts, Σw, Σw²)
    per cell (touchpoint × bucket). Read with a plain cursor into numpy: per-value conversion
    in Python would cost more than the query."""
    pieces = cube_pieces(f.start, f.end, grain)
    if not pieces:
        return
    width_b = len(index_b)
    cell_of_piece = {(g, str(b)): index_b.get(out, -1) for (g, b), out in pieces.items()}
    layout = []  # (metric, low, first numeric column, width)
    cols = ["grain", "day", "touchpoint"]
    numeric = 0
    for metric in metrics:
        counts, wsums, wsqs = cube_columns(metric)
        layout.append((metric, CUBE_SCALES[metric][0], numeric, len(counts)))
        cols += counts + (wsums + wsqs if f.weighted else [])
        numeric += len(counts) * (3 if f.weighted else 1)
    # The bucket as text: SQLite's date converter would otherwise parse every row's date.
    qs = _cube_queryset(org, f, r, pieces).annotate(day=Cast("bucket", output_field=CharField()))
    sql, params = qs.values_list(*cols).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return
    cells = np.fromiter(
        (
            index_t[row[2]] * width_b + b
            if row[2] in index_t and (b := cell_of_piece[(row[0], str(row[1]))]) >= 0
            else -1
            for row in fetched
        ),
        dtype=np.int64,
        count=len(fetched),
    )
    values = np.fromiter(
        (v for row in fetched for v in row[3:]), dtype=float, count=len(fetched) * numeric
    ).reshape(len(fetched), numeric)
    keep = cells >= 0
    cells, values = cells[keep], values[keep]
    for metric, low, at, width in layout:
        counts, wsums, wsq = arrays[metric]
        np.add.at(counts, (cells[:, None], np.arange(low, low + width)[None, :]), values[:, at : at + width])
        if f.weighted:
            w = values[:, at + width : at + 2 * width]
            np.add.at(wsums, (cells[:, None], np.arange(low, low + width)[None, :]), w)
            np.add.at(wsq, cells, values[:, at + 2 * width : at + 3 * width].sum(axis=1))


def trend_grid_for(actor: Actor, f: Filters, metric: str, grain: str = "w", touchpoints=None) -> TrendGrid:
    actor.require(Perm.DASHBOARDS_VIEW)
    return trend_grid(actor.scope, f, metric, grain, touchpoints)


def distribution(actor: Actor, f: Filters, metric: str, source: str = "auto") -> dict[int, int]:
    """Answers per scale point (every point listed); empty when suppressed."""
    actor.require(Perm.DASHBOARDS_VIEW)
    tally = tallies(actor.scope, f, metric, (), source=source).table.get((), {})
    low, high = CUBE_SCALES.get(metric, (min(tally, default=1), max(tally, default=5)))
    n = sum(c for c, _, _ in tally.values())
    if n < min_n(actor.organization):
        return {}
    return {p: tally.get(p, (0, 0, 0))[0] for p in range(low, high + 1)}


# --- Response rate ----------------------------------------------------------------------------

DELIVERED = ("sent", "opened", "started", "completed", "complained")


@dataclass(frozen=True)
class RateFigure:
    group: tuple
    result: object  # metrics.RateResult


def response_rates(actor: Actor, f: Filters, group_by=()) -> list[RateFigure]:
    """Completed responses / invitations delivered (sent and not bounced, failed or suppressed),
    by invitation send date, per group (``touchpoint``, ``channel``); Wilson interval. Read from
    the invitations table (invitations are not rolled up)."""
    from openxm.analytics.metrics import response_rate
    from openxm.distribution.models import Invitation

    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    r = resolve(actor.scope, f)
    since, until = _period(org, f)
    qs = Invitation.objects.for_org(org).filter(sent_at__gte=since, sent_at__lt=until, status__in=DELIVERED)
    if r.units is not None:
        qs = qs.filter(contact__unit_id__in=r.units)  # an invitation belongs to its contact's unit
    if r.touchpoints is not None:
        qs = qs.filter(touchpoint__in=r.touchpoints)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if r.survey_id is not None:
        qs = qs.filter(survey_id=r.survey_id)
    fields = [g for g in group_by if g in ("touchpoint", "channel")]
    rows = qs.values(*fields).annotate(
        delivered=Count("id"), completed=Count("id", filter=Q(status="completed"))
    )
    floor = min_n(org)
    return [
        RateFigure(
            tuple(row[g] for g in fields), response_rate(row["completed"], row["delivered"], min_n=floor)
        )
        for row in sorted(rows, key=lambda row: tuple(str(row[g]) for g in fields))
    ]


# --- CX dimensions ----------------------------------------------------------------------------

CX_DIMENSIONS = ("usefulness", "reliability", "responsiveness", "empathy", "resolution", "personalization")
_DEFAULT_SCALES = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "rating": (1, 5),
    "likert": (1, 5),
    "matrix": (1, 5),
}


def _question_scales(org: Organization) -> dict[tuple[int, str], tuple[int, int]]:
    """(survey id, question id) → the question's scale, from each survey's current definition."""
    from openxm.surveys.models import Survey

    out = {}
    for survey_id, definition in Survey.objects.for_org(org).values_list("id", "current_version__definition"):
        for page in (definition or {}).get("pages", []):
            for q in page.get("questions", []):
                scale = q.get("scale") or {}
                default = _DEFAULT_SCALES.get(q.get("type"), (1, 5))
                out[(survey_id, q.get("id"))] = (
                    int(scale.get("min", default[0])),
                    int(scale.get("max", default[1])),
                )
    return out


def cx_dimensions(actor: Actor, f: Filters) -> dict[str, object]:
    """The six CX dimensions: each the satisfaction index (answers rescaled to 0–100 by their
    question's scale, with a t interval) of the rated questions the survey definitions tag with
    the dimension. Read from the answer rollups (or the raw tables for non-segment attributes)."""
    from openxm.analytics.rollup_math import IndexResult, index_from_tallies

    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    scales = _question_scales(org)
    parts: dict[str, list] = {d: [] for d in CX_DIMENSIONS}
    for qtype in ("rating", "likert", "matrix", "csat", "ces", "nps"):
        source = "raw" if resolve(actor.scope, f).raw_attributes else "answers"
        table = tallies(actor.scope, f, qtype, ("survey", "question", "cx"), source=source).table
        for (survey_id, (question_id, _sub), dimension), tally in table.items():
            if dimension in parts:
                low, high = scales.get((survey_id, question_id), _DEFAULT_SCALES.get(qtype, (1, 5)))
                tally = {p: v for p, v in tally.items() if low <= p <= high}
                if tally:
                    parts[dimension].append((low, high, tally))
    floor = min_n(org)
    out: dict[str, IndexResult] = {}
    for dimension, items in parts.items():
        out[dimension] = index_from_tallies(items, weighted=f.weighted, min_n=floor)
    return out
