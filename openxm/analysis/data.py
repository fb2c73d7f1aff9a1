"""Reading a survey's Answer rows into the plain data the pure analytics functions take.

Included: the filters every study and metric shares (period, channel, unit with the units below
it) and readers that turn typed Answer rows into per-respondent aligned lists, with one
values-list query per study (never the response JSON). Only complete responses count.
Excluded: permissions (the services check them) and the statistics (``openxm.analytics``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.accounts.scope import Scope
from openxm.surveys import door
from openxm.surveys.models import Response, Survey

from .config import split_ref

# The survey format stores KANO answers with underscores; the analytics use the hyphenated names.
KANO_NAMES = {
    "like": "like",
    "must_be": "must-be",
    "neutral": "neutral",
    "live_with": "live-with",
    "dislike": "dislike",
}


@dataclass(frozen=True)
class Filters:
    """Which responses a study reads. Dates are days in the organization's time zone, both
    inclusive; ``unit`` is a unit code and includes every unit below it."""

    date_from: date | None = None
    date_to: date | None = None
    channel: str = ""
    unit: str = ""

    def __post_init__(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise InvalidInput("to", _("is before from"))

    def as_dict(self) -> dict:
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "channel": self.channel or None,
            "unit": self.unit or None,
        }

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.channel or self.unit)


def answers(scope: Scope, survey: Survey, filters: Filters, question_ids: Iterable[str]) -> QuerySet:
    """The Answer rows of ``question_ids`` in complete responses inside ``scope`` that pass
    ``filters``; a unit outside the scope is NotFound."""
    piece = door.Slice.days(
        scope.organization,
        filters.date_from,
        filters.date_to,
        survey_id=survey.pk,
        channel=filters.channel,
        unit=filters.unit,
        status=Response.Status.COMPLETE,
    )
    return door.answers(scope, piece).filter(question_id__in=list(question_ids))


def channels(scope: Scope, survey: Survey) -> list[str]:
    """The channels the survey's complete responses inside ``scope`` came through."""
    return sorted(
        door.responses(scope)
        .filter(survey=survey, status=Response.Status.COMPLETE)
        .values_list("channel", flat=True)
        .distinct()
    )


# --- Plain data per method ------------------------------------------------------------------


@dataclass(frozen=True)
class KanoData:
    """Per feature, aligned per respondent who answered it: functional, dysfunctional, importance."""

    functional: dict[str, list[str | None]]
    dysfunctional: dict[str, list[str | None]]
    importance: dict[str, list[float | None]]
    respondents: int


def kano_data(rows: QuerySet, features: list[str]) -> KanoData:
    by_feature: dict[str, dict[int, dict[str, object]]] = {f: {} for f in features}
    everyone = set()
    for response_id, qid, sub, number, choice in rows.values_list(
        "response_id", "question_id", "sub_key", "value_number", "value_choice"
    ).order_by("response_id"):
        everyone.add(response_id)
        parts = by_feature[qid].setdefault(response_id, {})
        parts[sub] = number if sub == "importance" else KANO_NAMES.get(choice, choice or None)
    functional, dysfunctional, importance = {}, {}, {}
    for feature, answered in by_feature.items():
        ordered = [answered[r] for r in sorted(answered)]
        functional[feature] = [p.get("functional") for p in ordered]
        dysfunctional[feature] = [p.get("dysfunctional") for p in ordered]
        importance[feature] = [p.get("importance") for p in ordered]
    return KanoData(functional, dysfunctional, importance, len(everyone))


@dataclass(frozen=True)
class ServqualData:
    """Per item, expectations and perceptions aligned over ``respondents``; per dimension, each
    respondent's importance points (None when the respondent allocated none)."""

    expectations: dict[str, list[float | None]]
    perceptions: dict[str, list[float | None]]
    allocations: dict[str, list[float | None]]
    respondents: int


def servqual_data(rows: QuerySet, items: list[str], importance: str | None) -> ServqualData:
    answers_by: dict[int, dict[tuple[str, str], float]] = {}
    for response_id, qid, sub, number in rows.values_list(
        "response_id", "question_id", "sub_key", "value_number"
    ).order_by("response_id"):
        answers_by.setdefault(response_id, {})[(qid, sub)] = number
    # A respondent counts when they answered at least one item (an allocation alone is not a
    # SERVQUAL answer).
    people = sorted(r for r, got in answers_by.items() if any(q in items for q, _s in got))
    expectations = {i: [answers_by[r].get((i, "expectation")) for r in people] for i in items}
    perceptions = {i: [answers_by[r].get((i, "perception")) for r in people] for i in items}
    allocations: dict[str, list[float | None]] = {}
    if importance:
        dims = sorted({s for got in answers_by.values() for (q, s) in got if q == importance})
        allocations = {d: [answers_by[r].get((importance, d)) for r in people] for d in dims}
    return ServqualData(expectations, perceptions, allocations, len(people))


@dataclass(frozen=True)
class NumericData:
    """Values of each ref aligned per respondent (None where a respondent left it blank)."""

    values: dict[str, list[float | None]]
    respondents: int


def numeric_data(rows: QuerySet, refs: list[str]) -> NumericData:
    wanted = {split_ref(ref): ref for ref in refs}
    by_response: dict[int, dict[str, float]] = {}
    for response_id, qid, sub, number in rows.values_list(
        "response_id", "question_id", "sub_key", "value_number"
    ).order_by("response_id"):
        ref = wanted.get((qid, sub))
        if ref is not None and number is not None:
            by_response.setdefault(response_id, {})[ref] = number
    people = sorted(by_response)
    return NumericData({ref: [by_response[r].get(ref) for r in people] for ref in refs}, len(people))


def question_ids(refs: Iterable[str]) -> list[str]:
    return sorted({split_ref(ref)[0] for ref in refs})
