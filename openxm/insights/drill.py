"""Drill-down from a figure to the responses behind it, and verbatim comments.

Reads the response tables with the same filters as the figures (a response is listed when it
has an answer tagged with one of the filtered touchpoints, or is itself at one). Opening
responses needs ``responses.view``; contact details need ``pii.view``, and without it comments
are shown with e-mail addresses, phone numbers, ID and card numbers redacted.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Q

from openxm.accounts.actors import Actor
from openxm.accounts.models import Unit
from openxm.accounts.roles import Perm
from openxm.surveys import door
from openxm.surveys.models import Survey

from .query import Filters, raw_slice, resolve

SCORE_TYPES = ("nps", "csat", "ces")


@dataclass(frozen=True)
class ResponseRow:
    id: int
    completed_at: datetime
    survey: str
    touchpoint: str
    channel: str
    unit: str
    scores: dict
    comment: str


@dataclass(frozen=True)
class AnswerLine:
    question_id: str
    sub_key: str
    qtype: str
    value: str
    touchpoint: str
    cx_dimension: str


@dataclass(frozen=True)
class ResponseDetail:
    row: ResponseRow
    answers: list[AnswerLine]
    contact: dict
    hidden: dict
    language: str
    weight: float
    segment_key: str


def _text(actor: Actor, text: str) -> str:
    return door.text_view(actor.scope, text)


def _responses(actor: Actor, f: Filters):
    """The responses behind a figure: the raw path's slice, except that a response counts for a
    touchpoint when it is at it or has an answer tagged with it."""
    r = resolve(actor.scope, f)
    piece = raw_slice(actor.organization, f, r)
    qs = door.responses(actor.scope, replace(piece, touchpoints=None))
    if r.touchpoints is not None:
        tagged = door.answers(actor.scope).filter(touchpoint__in=r.touchpoints).values("response_id")
        qs = qs.filter(Q(touchpoint__in=r.touchpoints) | Q(id__in=tagged))
    if r.segment_keys is not None:
        qs = qs.filter(insights_fact__segment_key__in=r.segment_keys)
    return qs


def list_responses(
    actor: Actor, f: Filters, limit: int = 50, offset: int = 0
) -> tuple[list[ResponseRow], int]:
    """The newest responses matching the filters, and how many match."""
    actor.require(Perm.RESPONSES_VIEW)
    org = actor.organization
    qs = _responses(actor, f)
    total = qs.count()
    page = list(qs.order_by("-completed_at", "-id")[offset : offset + max(1, min(limit, 200))])
    return [_row(actor, org, r, _answers(actor, [r.pk])) for r in page], total


def _answers(actor: Actor, ids) -> dict[int, list]:
    out: dict[int, list] = {}
    for a in door.answers(actor.scope).filter(response_id__in=ids).order_by("id"):
        out.setdefault(a.response_id, []).append(a)
    return out


def _row(actor, org, r, answers: dict) -> ResponseRow:
    mine = answers.get(r.pk, [])
    scores = {
        a.qtype: int(a.value_number) for a in mine if a.qtype in SCORE_TYPES and a.value_number is not None
    }
    comment = next((a.value_text for a in mine if a.qtype == "text" and a.value_text), "")
    survey = Survey.objects.for_org(org).filter(pk=r.survey_id).values_list("title", flat=True).first() or ""
    unit = (
        Unit.objects.for_org(org).filter(pk=r.unit_id).values_list("name", flat=True).first()
        if r.unit_id
        else ""
    )
    return ResponseRow(
        r.pk, r.completed_at, survey, r.touchpoint, r.channel, unit or "", scores, _text(actor, comment)
    )


def get_response(actor: Actor, response_id: int) -> ResponseDetail:
    actor.require(Perm.RESPONSES_VIEW)
    org = actor.organization
    r = door.get_response(actor.scope, response_id, related=("contact",))
    answers = _answers(actor, [r.pk])
    lines = []
    for a in answers.get(r.pk, []):
        if a.value_number is not None:
            value = f"{a.value_number:g}"
        elif a.value_choices:
            value = ", ".join(a.value_choices)
        else:
            value = a.value_choice or _text(actor, a.value_text)
        lines.append(AnswerLine(a.question_id, a.sub_key, a.qtype, value, a.touchpoint, a.cx_dimension))
    contact = door.contact_view(actor.scope, r.contact) or {}
    fact = getattr(r, "insights_fact", None)
    return ResponseDetail(
        row=_row(actor, org, r, answers),
        answers=lines,
        contact=contact,
        hidden=door.hidden_view(actor.scope, r.hidden),
        language=r.language,
        weight=r.weight,
        segment_key=fact.segment_key if fact else "",
    )


@dataclass(frozen=True)
class Verbatim:
    response_id: int
    answered_at: datetime
    touchpoint: str
    question_id: str
    text: str
    scores: dict


def verbatims(actor: Actor, f: Filters, limit: int = 20) -> list[Verbatim]:
    """The newest free-text answers matching the filters, with the response's NPS/CSAT/CES."""
    actor.require(Perm.DASHBOARDS_VIEW)
    ids = _responses(actor, f).values("id")
    texts = list(
        door.answers(actor.scope)
        .filter(response_id__in=ids, qtype="text")
        .exclude(value_text="")
        .order_by("-answered_at", "-id")[: max(1, min(limit, 100))]
    )
    scores: dict[int, dict] = {}
    for a in door.answers(actor.scope).filter(
        response_id__in=[t.response_id for t in texts],
        qtype__in=SCORE_TYPES,
        value_number__isnull=False,
        sub_key="",
    ):
        scores.setdefault(a.response_id, {})[a.qtype] = int(a.value_number)
    # Without responses.view a member sees comments (redacted) but cannot open the response.
    return [
        Verbatim(
            t.response_id,
            t.answered_at,
            t.touchpoint,
            t.question_id,
            _text(actor, t.value_text),
            scores.get(t.response_id, {}),
        )
        for t in texts
    ]
