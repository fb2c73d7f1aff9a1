"""Checking the rollups against the response tables (``openxm rollups verify``).

Compares, per metric, the tallies by touchpoint × day from the metric cube and from the answer
rollups with the raw tables over every day that has responses. Operator work (no actor).
"""

from django.db.models import Max, Min

from openxm.accounts.models import Organization
from openxm.accounts.scope import organization_scope
from openxm.surveys import door
from openxm.surveys.models import Response

from .query import Filters, tallies
from .rollups import local_day, org_zone

METRICS = ("responses", "nps", "enps", "csat", "ces")


def _counts(table: dict) -> dict:
    return {g: {p: v[0] for p, v in t.items()} for g, t in table.items()}


def verify(org: Organization) -> list[str]:
    """Differences found (empty when the rollups match)."""
    scope = organization_scope(org)
    span = (
        door.responses(scope)
        .filter(status=Response.Status.COMPLETE)
        .aggregate(first=Min("completed_at"), last=Max("completed_at"))
    )
    if span["first"] is None:
        return []
    zone = org_zone(org)
    f = Filters(local_day(span["first"], zone), local_day(span["last"], zone))
    problems = []
    for metric in METRICS:
        raw = _counts(tallies(scope, f, metric, ("touchpoint", "bucket"), "d", source="raw").table)
        for source in ("cube", "answers"):
            got = _counts(tallies(scope, f, metric, ("touchpoint", "bucket"), "d", source=source).table)
            for group in sorted(set(raw) | set(got), key=str):
                if raw.get(group) != got.get(group):
                    problems.append(
                        f"{metric} {source} {group}: rollup {got.get(group)} != responses {raw.get(group)}"
                    )
    return problems
