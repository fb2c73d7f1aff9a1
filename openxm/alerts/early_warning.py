"""Early warning on aggregates: the weekly NPS and response volume of every touchpoint, journey
stage and unit (rolled up: a unit with every unit below it), watched with the detectors of
:mod:`openxm.analytics.early_warning` and kept as episodes.

One read of the last ``WEEKS`` complete ISO weeks of NPS tallies by touchpoint, unit and week
(``insights.query.tallies``, the organization's scope) feeds every series: a stage sums its
touchpoints, a unit its own and its descendants' responses. The first weeks (all but the last
``MONITORED``) are the baseline: its NPS and per-respondent standard deviation standardise each
monitored week at its own n; weeks under the organization's minimum n are skipped. The EWMA
chart (λ = 0.2, limits ±3σ) decides whether the latest week is out of control on the low side
(``drop``); the latest week's response count against the baseline's weekly mean decides
``silence`` (P(X ≤ count) under a Poisson below 0.001) and ``surge`` (P(X ≥ count) below
0.001). An out-of-control week opens an episode (one open episode per series, metric and kind),
a later one updates it, and a week back in control closes it.

**Topics**: the weekly mentions of the ``TOPICS`` most mentioned topics of the 26 weeks
(``comments.trends``) are watched for a **surge** and for **silence** the same way (P(X ≥
mentions), P(X ≤ mentions) under a Poisson with the baseline weeks' mean below 0.001): a topic
that customers kept naming and that stops being named at all is as telling as a broken survey
link (a question or a classifier removed, a channel no longer analysed); a topic has no score
series of its own here.

Who sees an episode: members who see the whole organization see all; a member limited to a unit
sees the episodes of units inside their scope (figures of responses they may read) and no
touchpoint, stage or topic episodes (those count every unit's responses).

Excluded: a score series per topic (NPS of the comments naming it), a weekday or seasonal
pattern in the score, CUSUM/p-chart variants (measured in benchmarks/early_warning.py). The
evidence pages are in ``episodes.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import descendants, organization_scope, unit_tree
from openxm.analytics.early_warning import Ewma, nps_baseline, silence_probability, surge_probability
from openxm.comments import services as comments
from openxm.insights.query import Filters, tallies
from openxm.journeys import services as journeys
from openxm.surveys.door import Slice

from .models import Episode

WEEKS = 26
MONITORED = 8
SILENCE_P = 0.001
TOPICS = 20
Cells = dict[date, tuple[int, int, int]]


def watched_weeks(today: date) -> tuple[date, date]:
    """First and last day of the ``WEEKS`` complete ISO weeks before ``today``."""
    end = today - timedelta(days=today.weekday() + 1)  # the last Sunday: complete weeks only
    return end - timedelta(days=7 * WEEKS - 1), end


def _add(cells: dict, bucket: date, counts) -> None:
    cell = cells.setdefault(bucket, [0, 0, 0])
    for i in range(3):
        cell[i] += counts[i]


def _series(organization, table: dict) -> dict[tuple[str, str], tuple[str, Cells]]:
    """(dimension, subject) → (label, weekly (promoters, passives, detractors)) for every
    touchpoint, journey stage and unit (rolled up) with responses."""
    by_tp: dict[str, dict] = defaultdict(dict)
    by_unit: dict[int, dict] = defaultdict(dict)
    for (touchpoint, unit, bucket), points in table.items():
        counts = [0, 0, 0]
        for value, (count, _s, _q) in points.items():
            counts[0 if value >= 9 else 1 if value >= 7 else 2] += int(count)
        if touchpoint:
            _add(by_tp[touchpoint], bucket, counts)
        if unit:
            _add(by_unit[unit], bucket, counts)
    found: dict[tuple[str, str], tuple[str, Cells]] = {}
    names = {}
    for view in journeys.journey_views(organization):
        for stage in view.stages:
            cells: dict = {}
            for tp in stage.touchpoints:
                names[tp.key] = tp.name
                for bucket, counts in by_tp.get(tp.key, {}).items():
                    _add(cells, bucket, counts)
            if cells:
                found[("stage", f"{view.key}/{stage.key}")] = (f"{view.name} · {stage.name}", cells)
    for touchpoint, cells in by_tp.items():
        found[("touchpoint", touchpoint)] = (names.get(touchpoint, touchpoint), cells)
    rows = unit_tree(organization)
    unit_names = {u.code: u.name for u in accounts.list_units(accounts.operator_actor(organization))}
    for pk, code, _parent in rows:
        cells = {}
        for member in descendants(pk, rows):
            for bucket, counts in by_unit.get(member, {}).items():
                _add(cells, bucket, counts)
        if cells:
            found[("unit", code)] = (unit_names.get(code, code), cells)
    return {k: (label, {b: tuple(c) for b, c in cells.items()}) for k, (label, cells) in found.items()}


def assess(weeks: list[date], cells: Cells, min_n: int) -> dict | None:
    """The evidence for one series: the monitored weeks with NPS, n, z and the EWMA and its
    limit, and whether the latest week is a drop, silence or a surge; None without a usable
    baseline."""
    base_weeks, watched = weeks[:-MONITORED], weeks[-MONITORED:]
    p = sum(cells.get(w, (0, 0, 0))[0] for w in base_weeks)
    m = sum(cells.get(w, (0, 0, 0))[1] for w in base_weeks)
    d = sum(cells.get(w, (0, 0, 0))[2] for w in base_weeks)
    if p + m + d < 5 * min_n:
        return None
    baseline = nps_baseline(p, m, d)
    expected = (p + m + d) / len(base_weeks)
    chart = Ewma()
    series, drop = [], False
    for week in watched:
        cp, cm, cd = cells.get(week, (0, 0, 0))
        n = cp + cm + cd
        row = {"week": week.isoformat(), "n": n, "nps": None, "z": None, "ewma": None, "limit": None}
        if n >= min_n:
            nps = 100.0 * (cp - cd) / n
            z = baseline.z(nps, n)
            chart.update(z)
            limit = chart.limit * math.sqrt(
                chart.lam / (2 - chart.lam) * (1 - (1 - chart.lam) ** (2 * chart.t))
            )
            drop = chart.value < -limit
            row.update(nps=round(nps, 1), z=round(z, 2), ewma=round(chart.value, 2), limit=round(limit, 2))
        series.append(row)
    latest = series[-1]["n"]
    silent_p = silence_probability(latest, expected)
    surge_p = surge_probability(latest, expected)
    return {
        "baseline": {
            "nps": round(baseline.mean, 1),
            "sd": round(baseline.sd, 1),
            "n": p + m + d,
            "weeks": len(base_weeks),
            "expected_per_week": round(expected, 1),
        },
        "method": "EWMA λ=0.2 L=3 on the NPS standardised at each week's n",
        "series": series,
        "drop": drop and series[-1]["nps"] is not None,
        "silence": silent_p < SILENCE_P,
        "silence_probability": silent_p,
        "surge": surge_p < SILENCE_P,
        "surge_probability": surge_p,
    }


def _topic_series(organization, start: date, end: date) -> dict[tuple[str, str], tuple[str, dict]]:
    """("topic", key) → (label, weekly mentions) of the most mentioned topics."""
    actor = accounts.operator_actor(organization)
    piece = Slice.days(organization, start, end)
    language = organization.default_language
    top = [f.topic for f in comments.figures(actor, piece, language=language)][:TOPICS]
    if not top:
        return {}
    trend = comments.trends(actor, piece, top, bucket="week", language=language)
    return {
        ("topic", t): (
            trend.labels.get(t, t),
            dict(zip(trend.buckets, trend.series.get(t, []), strict=False)),
        )
        for t in top
    }


def assess_volume(weeks: list[date], counts: dict[date, int], min_n: int) -> dict | None:
    """The evidence for a count series (a topic's mentions): the watched weeks' counts against
    the baseline weeks' mean, and whether the latest week is a surge or silence; None when the
    baseline holds fewer than ``5 × min_n``."""
    base_weeks, watched = weeks[:-MONITORED], weeks[-MONITORED:]
    total = sum(counts.get(w, 0) for w in base_weeks)
    if total < 5 * min_n:
        return None
    expected = total / len(base_weeks)
    latest = counts.get(watched[-1], 0)
    surge_p = surge_probability(latest, expected)
    silent_p = silence_probability(latest, expected)
    return {
        "baseline": {"n": total, "weeks": len(base_weeks), "expected_per_week": round(expected, 1)},
        "method": "Poisson tails of the week's mentions against the baseline weeks' mean",
        "series": [{"week": w.isoformat(), "n": counts.get(w, 0)} for w in watched],
        "drop": False,
        "silence": silent_p < SILENCE_P,
        "silence_probability": silent_p,
        "surge": surge_p < SILENCE_P,
        "surge_probability": surge_p,
    }


def _update(organization, key: tuple[str, str], label: str, kind: str, out: bool, evidence, today) -> None:
    dimension, subject = key
    open_ = (
        Episode.objects.for_org(organization)
        .filter(dimension=dimension, subject=subject, metric="nps", kind=kind, closed_at__isnull=True)
        .first()
    )
    if out and open_ is None:
        Episode.objects.for_org(organization).create(
            organization=organization,
            dimension=dimension,
            subject=subject,
            label=label[:300],
            kind=kind,
            opened_at=today,
            updated_at=today,
            evidence=evidence,
        )
    elif out:
        open_.updated_at, open_.evidence = today, evidence
        open_.save(update_fields=["updated_at", "evidence"])
    elif open_ is not None:
        open_.closed_at, open_.evidence = today, evidence
        open_.save(update_fields=["closed_at", "evidence"])


def scan(organization, today: date | None = None) -> dict[tuple[str, str], dict]:
    """Assess every touchpoint, journey stage, unit and most mentioned topic of the organization
    and open, update or close its episodes; returns the evidence per (dimension, subject)."""
    today = today or timezone.localdate()
    start, end = watched_weeks(today)
    table = tallies(
        organization_scope(organization), Filters(start, end), "nps", ("touchpoint", "unit", "bucket"), "w"
    ).table
    weeks = [start + timedelta(days=7 * i) for i in range(WEEKS)]
    found = {}
    with transaction.atomic():
        for key, (label, cells) in sorted(_series(organization, table).items()):
            evidence = assess(weeks, cells, organization.min_sample_size)
            if evidence is None:
                continue
            found[key] = evidence
            for kind in (Episode.Kind.DROP, Episode.Kind.SILENCE, Episode.Kind.SURGE):
                _update(organization, key, label, kind, evidence[kind.value], evidence, today)
        for key, (label, counts) in sorted(_topic_series(organization, start, end).items()):
            evidence = assess_volume(weeks, counts, organization.min_sample_size)
            if evidence is None:
                continue
            found[key] = evidence
            for kind in (Episode.Kind.SILENCE, Episode.Kind.SURGE):
                _update(organization, key, label, kind, evidence[kind.value], evidence, today)
    return found


def scan_all() -> int:
    """The periodic job: every organization; returns how many were scanned."""
    done = 0
    for organization in accounts.organizations():
        scan(organization)
        done += 1
    return done


def _visible(actor: Actor):
    rows = Episode.objects.for_org(actor.organization)
    if not actor.scope.limited:
        return rows
    codes = [code for pk, code, _p in unit_tree(actor.organization) if pk in actor.scope.unit_ids]
    return rows.filter(dimension=Episode.Dimension.UNIT, subject__in=codes)


def episodes(actor: Actor, limit: int = 50, open_only: bool = False, touchpoints=None) -> list[Episode]:
    """Open episodes first, then recent closed ones, as far as the actor may see them;
    ``touchpoints`` narrows to those touchpoints and the stages that hold them."""
    actor.require(Perm.DASHBOARDS_VIEW)
    rows = _visible(actor)
    if open_only:
        rows = rows.filter(closed_at__isnull=True)
    if touchpoints is not None:
        stages = {
            f"{t.journey_key}/{t.stage_key}"
            for key, t in journeys.touchpoint_directory(actor.organization).items()
            if key in touchpoints
        }
        rows = rows.filter(dimension__in=("touchpoint", "stage")).filter(subject__in=[*touchpoints, *stages])
    return list(rows[:limit])


def get_episode(actor: Actor, episode_id: int) -> Episode:
    actor.require(Perm.DASHBOARDS_VIEW)
    row = _visible(actor).filter(pk=episode_id).first()
    if row is None:
        raise NotFound("episode", episode_id)
    return row
