"""Checking the rollups against the response tables (``openxm rollups verify``).

Compares, per metric, the tallies by touchpoint × segment × day from the metric cube and from
the answer rollups with the raw tables, over every day that has a complete response or a
non-zero rollup row (so counts left behind by a deleted response are found even when no
response is left on their day). Operator work (no actor).
"""

from datetime import date

from django.db.models import Max, Min, Q

from openxm.accounts.models import Organization
from openxm.accounts.scope import Scope, organization_scope
from openxm.surveys import door
from openxm.surveys.models import Response

from .models import AnswerCount, MetricCube
from .query import Filters, tallies
from .rollups import local_day, org_zone

METRICS = ("responses", "nps", "enps", "csat", "ces")
GROUP_BY = ("touchpoint", "segment", "bucket")


def _counts(table: dict) -> dict:
    return {g: {p: v[0] for p, v in t.items() if v[0]} for g, t in table.items()}


def _span(org: Organization, scope: Scope) -> tuple[date, date] | None:
    zone = org_zone(org)
    days = []
    span = (
        door.responses(scope)
        .filter(status=Response.Status.COMPLETE)
        .aggregate(first=Min("completed_at"), last=Max("completed_at"))
    )
    if span["first"] is not None:
        days += [local_day(span["first"], zone), local_day(span["last"], zone)]
    rows = AnswerCount.objects.for_org(org).exclude(count=0).aggregate(first=Min("day"), last=Max("day"))
    cube = (
        MetricCube.objects.for_org(org)
        .filter(grain="d")
        .filter(~Q(responses=0))
        .aggregate(first=Min("bucket"), last=Max("bucket"))
    )
    for found in (rows, cube):
        if found["first"] is not None:
            days += [found["first"], found["last"]]
    return (min(days), max(days)) if days else None


def verify(org: Organization) -> list[str]:
    """Differences found (empty when the rollups match)."""
    scope = organization_scope(org)
    span = _span(org, scope)
    if span is None:
        return []
    f = Filters(*span)
    problems = []
    for metric in METRICS:
        raw = _counts(tallies(scope, f, metric, GROUP_BY, "d", source="raw").table)
        for source in ("cube", "answers"):
            got = _counts(tallies(scope, f, metric, GROUP_BY, "d", source=source).table)
            for group in sorted(set(raw) | set(got), key=str):
                if raw.get(group, {}) != got.get(group, {}):
                    problems.append(
                        f"{metric} {source} {group}: rollup {got.get(group)} != responses {raw.get(group)}"
                    )
    return problems
