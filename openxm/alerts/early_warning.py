"""Early warning on aggregates: the weekly NPS and response volume of every touchpoint, journey
stage and unit (rolled up: a unit with every unit below it), the weekly top-2-box of every
touchpoint with CSAT answers, and the mentions and NPS of the most mentioned topics, watched with
the detectors of :mod:`openxm.analytics.early_warning` and kept as episodes.

One read of the last ``WEEKS`` complete ISO weeks of NPS and CSAT tallies by touchpoint, unit and
week (``insights.query.tallies_many``, the organization's scope) feeds the score series: a stage
sums its touchpoints, a unit its own and its descendants' responses. The first weeks (all but the
last ``MONITORED``) are the baseline: its mean and per-respondent standard deviation standardise
each monitored week at its own n; weeks under the organization's minimum n are skipped. The EWMA
chart (λ = 0.2, limits ±3σ) decides whether the latest week is out of control on the low side
(``drop``); the latest week's response count against the baseline's weekly mean decides
``silence`` (P(X ≤ count) under a Poisson below 0.001) and ``surge`` (P(X ≥ count) below
0.001). An out-of-control week opens an episode (one open episode per series, metric and kind),
a later one updates it, and a week back in control closes it; each transition is told to the
members who may see it and to subscribed webhooks once (``announce.py``).

**Top-2-box** (metric ``top2box``): the share of CSAT answers of 4 or 5 per touchpoint, a
proportion standardised at its n like NPS, watched for a drop.

**Topics**: the weekly mentions of the ``TOPICS`` most mentioned topics of the 26 weeks
(``comments.trends``) are watched for a **surge** and for **silence** the same way (P(X ≥
mentions), P(X ≤ mentions) under a Poisson with the baseline weeks' mean below 0.001): a topic
that customers kept naming and that stops being named at all is as telling as a broken survey
link. The NPS of the responses whose comments name the topic (``comments.topic_scores``) is
watched for a **drop** like a touchpoint's.

Who sees an episode: members who see the whole organization see all; a member limited to a unit
sees the episodes of units inside their scope (figures of responses they may read) and no
touchpoint, stage or topic episodes (those count every unit's responses).

Excluded: a weekday or seasonal pattern in the score, CUSUM/p-chart variants (measured in
benchmarks/early_warning.py), top-2-box of stages and units. The evidence pages are in
``episodes.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import descendants, organization_scope, unit_tree
from openxm.analytics.early_warning import (
    Ewma,
    nps_baseline,
    severity,
    silence_probability,
    surge_probability,
    top_box_baseline,
    worsened,
)
from openxm.comments import services as comments
from openxm.insights.query import Filters, tallies_many
from openxm.journeys import services as journeys
from openxm.surveys.door import Slice

from .announce import Announcements
from .models import Episode, EpisodeNotice

WEEKS = 26
TOP_BOX = 4  # CSAT 4 or 5 of 5
METHOD_NAMES = {"nps": "NPS", "top2box": "top-2-box %"}
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


def assess(weeks: list[date], cells: Cells, min_n: int, metric: str = "nps") -> dict | None:
    """The evidence for one series: the monitored weeks with the score, n, z and the EWMA and
    its limit, and whether the latest week is a drop, silence or a surge; None without a usable
    baseline (too few answers, or no spread: every answer in one category). ``cells`` are weekly
    (promoters, passives, detractors) for ``"nps"`` and (top-2-box answers, other answers, 0)
    for ``"top2box"`` — so 100·(first − third)/n is the score either way."""
    base_weeks, watched = weeks[:-MONITORED], weeks[-MONITORED:]
    p = sum(cells.get(w, (0, 0, 0))[0] for w in base_weeks)
    m = sum(cells.get(w, (0, 0, 0))[1] for w in base_weeks)
    d = sum(cells.get(w, (0, 0, 0))[2] for w in base_weeks)
    if p + m + d < 5 * min_n:
        return None
    baseline = top_box_baseline(p, p + m + d) if metric == "top2box" else nps_baseline(p, m, d)
    if baseline.sd < 1.0:
        # Every baseline answer in one category (a topic only promoters name): no spread to
        # standardise against, and one other answer would look like a collapse.
        return None
    expected = (p + m + d) / len(base_weeks)
    chart = Ewma()
    series, drop = [], False
    for week in watched:
        cp, cm, cd = cells.get(week, (0, 0, 0))
        n = cp + cm + cd
        row = {"week": week.isoformat(), "n": n, metric: None, "z": None, "ewma": None, "limit": None}
        if n >= min_n:
            value = 100.0 * (cp - cd) / n
            z = baseline.z(value, n)
            chart.update(z)
            limit = chart.limit * math.sqrt(
                chart.lam / (2 - chart.lam) * (1 - (1 - chart.lam) ** (2 * chart.t))
            )
            drop = chart.value < -limit
            row.update({metric: round(value, 1), "z": round(z, 2), "ewma": round(chart.value, 2)})
            row["limit"] = round(limit, 2)
        series.append(row)
    latest = series[-1]["n"]
    silent_p = silence_probability(latest, expected)
    surge_p = surge_probability(latest, expected)
    return {
        "baseline": {
            metric: round(baseline.mean, 1),
            "sd": round(baseline.sd, 1),
            "n": p + m + d,
            "weeks": len(base_weeks),
            "expected_per_week": round(expected, 1),
        },
        "method": f"EWMA λ=0.2 L=3 on the {METHOD_NAMES[metric]} standardised at each week's n",
        "series": series,
        "drop": drop and series[-1][metric] is not None,
        "silence": silent_p < SILENCE_P,
        "silence_probability": silent_p,
        "surge": surge_p < SILENCE_P,
        "surge_probability": surge_p,
    }


def _top_box_series(table: dict) -> dict[tuple[str, str], tuple[str, Cells]]:
    """("touchpoint", key) → (label, weekly (top-2-box answers, other answers, 0)) of every
    touchpoint with CSAT answers; top-2-box is 4 or 5 on the 1–5 scale."""
    by_tp: dict[str, dict] = defaultdict(dict)
    for (touchpoint, _unit, bucket), points in table.items():
        if not touchpoint:
            continue
        hits = sum(int(count) for value, (count, _s, _q) in points.items() if value >= TOP_BOX)
        others = sum(int(count) for value, (count, _s, _q) in points.items() if value < TOP_BOX)
        _add(by_tp[touchpoint], bucket, (hits, others, 0))
    return {("touchpoint", tp): (tp, {b: tuple(c) for b, c in cells.items()}) for tp, cells in by_tp.items()}


def _topic_series(organization, start: date, end: date) -> dict[tuple[str, str], tuple[str, dict, Cells]]:
    """("topic", key) → (label, weekly mentions, weekly NPS cells of the responses whose comments
    name it) of the most mentioned topics."""
    actor = accounts.operator_actor(organization)
    piece = Slice.days(organization, start, end)
    language = organization.default_language
    top = [f.topic for f in comments.figures(actor, piece, language=language)][:TOPICS]
    if not top:
        return {}
    trend = comments.trends(actor, piece, top, bucket="week", language=language)
    scores = comments.topic_scores(actor, piece, top)
    return {
        ("topic", t): (
            trend.labels.get(t, t),
            dict(zip(trend.buckets, trend.series.get(t, []), strict=False)),
            scores.get(t, {}),
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


def _severity(kind: str, evidence: dict) -> float | None:
    """How far out of control the latest week is (None when it is not scored)."""
    if kind == Episode.Kind.DROP:
        ewma = (evidence.get("series") or [{}])[-1].get("ewma")
        return None if ewma is None else severity(kind, ewma=ewma)
    return severity(kind, probability=evidence[f"{kind}_probability"])


def _update(
    told: Announcements,
    key: tuple[str, str],
    label: str,
    kind: str,
    out: bool,
    evidence,
    today,
    metric: str = "nps",
) -> None:
    """Open, update or close the series' episode of this kind, and record what members and
    webhooks are told of it (opened; updated when meaningfully worse; closed). The open episode
    is locked while it changes, so two scans at once change it once."""
    organization = told.organization
    dimension, subject = key
    open_ = (
        Episode.objects.for_org(organization)
        .select_for_update()
        .filter(dimension=dimension, subject=subject, metric=metric, kind=kind, closed_at__isnull=True)
        .first()
    )
    level = _severity(kind, evidence) if out else None
    if out and open_ is None:
        try:
            with transaction.atomic():  # a savepoint: a scan running at the same time opened it
                made = Episode.objects.for_org(organization).create(
                    organization=organization,
                    dimension=dimension,
                    subject=subject,
                    label=label[:300],
                    metric=metric,
                    kind=kind,
                    opened_at=today,
                    updated_at=today,
                    evidence=evidence,
                    notified_severity=level,
                )
        except IntegrityError:
            return
        told.add(made, EpisodeNotice.Event.OPENED)
    elif out:
        open_.updated_at, open_.evidence = today, evidence
        fields = ["updated_at", "evidence"]
        worse = level is not None and worsened(kind, open_.notified_severity, level)
        if worse:
            open_.notified_severity = level
            fields.append("notified_severity")
        open_.save(update_fields=fields)
        if worse:
            number = open_.notices.filter(event=EpisodeNotice.Event.UPDATED).count() + 1
            told.add(open_, EpisodeNotice.Event.UPDATED, number)
    elif open_ is not None:
        open_.closed_at, open_.evidence = today, evidence
        open_.save(update_fields=["closed_at", "evidence"])
        told.add(open_, EpisodeNotice.Event.CLOSED)


def scan(organization, today: date | None = None, email: bool = True) -> dict[tuple[str, str], dict]:
    """Assess every touchpoint, journey stage, unit and most mentioned topic of the organization,
    open, update or close its episodes and tell members and webhooks (``announce.py``; without
    ``email`` the inbox and webhooks only); returns the evidence per (dimension, subject), with
    a touchpoint's top-2-box series under ``"top2box"`` and a topic's NPS under ``"score"``."""
    today = today or timezone.localdate()
    start, end = watched_weeks(today)
    scope = organization_scope(organization)
    read = tallies_many(scope, Filters(start, end), ("nps", "csat"), ("touchpoint", "unit", "bucket"), "w")
    weeks = [start + timedelta(days=7 * i) for i in range(WEEKS)]
    min_n = organization.min_sample_size
    found = {}
    told = Announcements(organization, email=email)
    with transaction.atomic():
        series = _series(organization, read["nps"].table)
        for key, (label, cells) in sorted(series.items()):
            evidence = assess(weeks, cells, min_n)
            if evidence is None:
                continue
            found[key] = evidence
            for kind in (Episode.Kind.DROP, Episode.Kind.SILENCE, Episode.Kind.SURGE):
                _update(told, key, label, kind, evidence[kind.value], evidence, today)
        for key, (label, cells) in sorted(_top_box_series(read["csat"].table).items()):
            evidence = assess(weeks, cells, min_n, metric="top2box")
            if evidence is None:
                continue
            found.setdefault(key, {})["top2box"] = evidence
            label = series.get(key, (label,))[0]  # the touchpoint's name from its journey
            _update(told, key, label, Episode.Kind.DROP, evidence["drop"], evidence, today, metric="top2box")
        topics = _topic_series(organization, start, end)
        for key, (label, counts, scores) in sorted(topics.items()):
            evidence = assess_volume(weeks, counts, min_n)
            if evidence is None:
                continue
            found[key] = evidence
            for kind in (Episode.Kind.SILENCE, Episode.Kind.SURGE):
                _update(told, key, label, kind, evidence[kind.value], evidence, today)
            score = assess(weeks, scores, min_n)
            if score is not None:
                evidence["score"] = score
                _update(told, key, label, Episode.Kind.DROP, score["drop"], score, today)
        told.record(list(accounts.member_actors(organization, None).values()))
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
