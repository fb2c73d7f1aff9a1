"""The insights app's part of data-subject requests (``openxm.personal_data``).

Included: the per-response fact (its day and the contact's segment key), which the
``response_deleted`` receiver drops and ``response_anonymised`` moves out of the contact's
segment: derived, so erasure writes nothing here itself. Excluded (exempt): the rollups and the
metric cube (counts per question, day, channel and segment, never per person), dashboards,
report schedules (their recipients are members) and rollup settings.
"""

from __future__ import annotations

from openxm.personal_data import Hook, Subject, exempt, register, row

from .models import ResponseFact

FACT = "insights.ResponseFact"


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    facts = ResponseFact.objects.for_org(subject.organization).filter(
        response_id__in=found["surveys.Response"]
    )
    return {FACT: list(facts.values_list("pk", flat=True))}


def export(subject: Subject, found: dict[str, list]) -> dict[str, list[dict]]:
    facts = ResponseFact.objects.for_org(subject.organization).filter(pk__in=found[FACT]).order_by("pk")
    return {FACT: [row(f) for f in facts]}


def erase(actor, subject: Subject, found: dict[str, list], mode: str) -> dict[str, int]:
    return {FACT: len(found[FACT])}


def register_hook() -> None:
    register(Hook(app="insights", models=(FACT,), find=find, export=export, erase=erase, derived=(FACT,)))
    for label, reason in {
        "insights.AnswerCount": "counts per question, day, channel, unit and segment; never per person",
        "insights.MetricCube": "response counts per period, segment and touchpoint",
        "insights.RollupSettings": "which attributes make up the segment key",
        "insights.Dashboard": "a dashboard's filters and widgets",
        "insights.ReportSchedule": "a scheduled report; its recipients are members",
    }.items():
        exempt(label, reason)
