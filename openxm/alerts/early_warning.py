"""Early warning on aggregates: each touchpoint's weekly NPS and response volume watched with
the detectors of :mod:`openxm.analytics.early_warning`, kept as episodes.

For every touchpoint, the last ``WEEKS`` complete ISO weeks of NPS tallies are read through
``insights.query.tallies`` with the organization's scope. The first weeks (all but the last
``MONITORED``) are the baseline: its NPS and per-respondent standard deviation standardise each
monitored week at its own n; weeks under the organization's minimum n are skipped. The EWMA
chart (λ = 0.2, limits ±3σ) decides whether the latest week is out of control on the low side
(``drop``); the latest week's response count against the baseline's weekly mean decides
``silence`` (P(X ≤ count) under a Poisson below 0.001). An out-of-control week opens an episode
(one open episode per touchpoint, metric and kind), a later one updates it, and a week back in
control closes it. Episodes are organization-wide figures: members limited to a unit do not see
them.

Excluded: journey stages, units and topics (only touchpoints are watched), a weekday or seasonal
pattern in the score, CUSUM/p-chart variants (measured in benchmarks/early_warning.py), digests.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.accounts.scope import organization_scope
from openxm.analytics.early_warning import Ewma, nps_baseline, silence_probability
from openxm.insights.query import Filters, tallies

from .models import Episode

WEEKS = 26
MONITORED = 8
SILENCE_P = 0.001


def _weeks(today: date) -> tuple[date, date]:
    end = today - timedelta(days=today.weekday() + 1)  # the last Sunday: complete weeks only
    return end - timedelta(days=7 * WEEKS - 1), end


def _counts(table: dict) -> dict[str, dict[date, tuple[int, int, int]]]:
    found: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for (touchpoint, bucket), points in table.items():
        cell = found[touchpoint or ""][bucket]
        for value, (count, _s, _q) in points.items():
            cell[0 if value >= 9 else 1 if value >= 7 else 2] += int(count)
    return {tp: {b: tuple(c) for b, c in weeks.items()} for tp, weeks in found.items()}


def assess(weeks: list[date], cells: dict[date, tuple[int, int, int]], min_n: int) -> dict | None:
    """The evidence for one touchpoint: the monitored weeks with NPS, n, z and the EWMA and its
    limit, and whether the latest week is a drop or silence; None without a usable baseline."""
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
    }


def _update(organization, touchpoint: str, kind: str, out: bool, evidence: dict, today: date) -> None:
    open_ = (
        Episode.objects.for_org(organization)
        .filter(touchpoint=touchpoint, metric="nps", kind=kind, closed_at__isnull=True)
        .first()
    )
    if out and open_ is None:
        Episode.objects.for_org(organization).create(
            organization=organization,
            touchpoint=touchpoint,
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


def scan(organization, today: date | None = None) -> dict[str, dict]:
    """Assess every touchpoint of the organization and open, update or close its episodes;
    returns the evidence per touchpoint."""
    today = today or timezone.localdate()
    start, end = _weeks(today)
    table = tallies(
        organization_scope(organization), Filters(start, end), "nps", ("touchpoint", "bucket"), "w"
    ).table
    weeks = [start + timedelta(days=7 * i) for i in range(WEEKS)]
    found = {}
    with transaction.atomic():
        for touchpoint, cells in _counts(table).items():
            evidence = assess(weeks, cells, organization.min_sample_size)
            if evidence is None:
                continue
            found[touchpoint] = evidence
            _update(organization, touchpoint, Episode.Kind.DROP, evidence["drop"], evidence, today)
            _update(organization, touchpoint, Episode.Kind.SILENCE, evidence["silence"], evidence, today)
    return found


def scan_all() -> int:
    """The periodic job: every organization; returns how many were scanned."""
    done = 0
    for organization in accounts.organizations():
        scan(organization)
        done += 1
    return done


def episodes(actor: Actor, limit: int = 50) -> list[Episode]:
    """Open and recent episodes, for members who see the whole organization."""
    actor.require(Perm.DASHBOARDS_VIEW)
    if actor.scope.limited:
        return []
    return list(Episode.objects.for_org(actor.organization)[:limit])
