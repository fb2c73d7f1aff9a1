"""Response filters: one definition for the browser, the API, exports and the CLI.

A filter is read from query parameters (the browser's URL, the API, an export job's stored
filters) with :func:`parse_filters`, and applied with :func:`filtered` (through the one door:
the common part is a :class:`openxm.surveys.door.Slice`):

``survey`` (id or key), ``version``, ``from`` / ``to`` (completion dates, inclusive, in the
organization's time zone), ``touchpoint``, ``channel``, ``language``, ``unit`` (a unit code with
the units below it; outside the member's scope it is not found), ``tag``, ``q`` (text in
any text answer), ``contact.<attribute>=value`` (repeatable; ``contact.id`` is the contact's
id), and ``answer=<question>[.<part>]:<op>:<value>`` (repeatable) with op one of eq, ne, lt,
lte, gt, gte, contains, answered; eq on a multiple choice means "selected".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.surveys import door

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "contains", "answered")


@dataclass(frozen=True)
class AnswerCondition:
    question: str
    part: str
    op: str
    value: str

    @property
    def text(self) -> str:
        head = f"{self.question}.{self.part}" if self.part else self.question
        return f"{head}:{self.op}:{self.value}" if self.op != "answered" else f"{head}:answered"


@dataclass(frozen=True)
class ResponseFilter:
    survey: str = ""
    version: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    touchpoint: str = ""
    channel: str = ""
    language: str = ""
    unit: str = ""
    tag: str = ""
    q: str = ""
    contact: tuple[tuple[str, str], ...] = ()
    answers: tuple[AnswerCondition, ...] = ()
    ids: tuple[int, ...] = field(default=())

    def to_params(self) -> dict[str, Any]:
        """The filter as query parameters (lists for repeated keys), the inverse of parse_filters."""
        out: dict[str, Any] = {}
        for name, value in (
            ("survey", self.survey),
            ("touchpoint", self.touchpoint),
            ("channel", self.channel),
            ("language", self.language),
            ("unit", self.unit),
            ("tag", self.tag),
            ("q", self.q),
        ):
            if value:
                out[name] = value
        if self.version is not None:
            out["version"] = str(self.version)
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        for key, value in self.contact:
            out.setdefault(f"contact.{key}", []).append(value)
        if self.answers:
            out["answer"] = [c.text for c in self.answers]
        if self.ids:
            out["ids"] = ",".join(str(i) for i in self.ids)
        return out

    @property
    def active(self) -> bool:
        return bool(self.to_params())


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return [v for v in params.getlist(name) if str(v).strip()]
    value = params.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in items if str(v).strip()]


def _one(params: Mapping[str, Any], name: str) -> str:
    values = _values(params, name)
    return values[-1].strip() if values else ""


def _date(params: Mapping[str, Any], name: str) -> dt.date | None:
    text = _one(params, name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidInput(name, _("must be a date such as 2024-05-31")) from None


def parse_condition(text: str) -> AnswerCondition:
    head, _sep, rest = text.partition(":")
    op, _sep2, value = rest.partition(":")
    op = op.strip() or "answered"
    question, _dot, part = head.strip().partition(".")
    if not question or op not in OPS or (op != "answered" and not value.strip()):
        raise InvalidInput(
            "answer",
            _("write question[.part]:op:value with op one of %(ops)s (got %(text)s)")
            % {"ops": ", ".join(OPS), "text": text},
        )
    return AnswerCondition(question, part, op, value.strip())


def parse_filters(params: Mapping[str, Any]) -> ResponseFilter:
    """A filter from query parameters (a QueryDict or a plain dict); InvalidInput on bad values."""
    version_text = _one(params, "version")
    if version_text and not version_text.isdigit():
        raise InvalidInput("version", _("must be a version number"))
    contact = []
    for key in params:
        if str(key).startswith("contact.") and len(str(key)) > len("contact."):
            contact.extend((str(key)[len("contact.") :], v.strip()) for v in _values(params, key))
    ids_text = _one(params, "ids")
    try:
        ids = tuple(int(i) for i in ids_text.split(",") if i.strip()) if ids_text else ()
    except ValueError:
        raise InvalidInput("ids", _("must be response ids separated by commas")) from None
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if date_from and date_to and date_to < date_from:
        raise InvalidInput("to", _("is before from"))
    return ResponseFilter(
        survey=_one(params, "survey"),
        version=int(version_text) if version_text else None,
        date_from=date_from,
        date_to=date_to,
        touchpoint=_one(params, "touchpoint"),
        channel=_one(params, "channel"),
        language=_one(params, "language"),
        unit=_one(params, "unit"),
        tag=_one(params, "tag"),
        q=_one(params, "q"),
        contact=tuple(sorted(contact)),
        answers=tuple(parse_condition(t) for t in _values(params, "answer")),
        ids=ids,
    )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _answer_q(cond: AnswerCondition) -> Q:
    q = Q(question_id=cond.question)
    if cond.part:
        q &= Q(sub_key=cond.part)
    if cond.op == "answered":
        return q
    number = _number(cond.value)
    if cond.op in ("lt", "lte", "gt", "gte"):
        if number is None:
            raise InvalidInput(
                "answer", _("%(op)s needs a number (got %(value)s)") % {"op": cond.op, "value": cond.value}
            )
        return q & Q(**{f"value_number__{cond.op}": number})
    if cond.op == "contains":
        return q & (Q(value_text__icontains=cond.value) | Q(value_choice__icontains=cond.value))
    match = (
        Q(value_choice=cond.value) | Q(value_text=cond.value) | Q(value_choices__icontains=f'"{cond.value}"')
    )
    if number is not None:
        match |= Q(value_number=number)
    return q & match if cond.op == "eq" else q & ~match


def filtered(scope, flt: ResponseFilter, survey=None) -> QuerySet:
    """The responses inside ``scope`` that ``flt`` selects (``survey`` is the resolved
    ``flt.survey``): the common vocabulary goes to the door as a :class:`~door.Slice`; the
    browser's own conditions (version, tag, answer conditions, ids) narrow it here."""
    piece = door.Slice.days(
        scope.organization,
        flt.date_from,
        flt.date_to,
        survey_id=survey.pk if survey is not None else None,
        touchpoints=(flt.touchpoint,) if flt.touchpoint else None,
        unit=flt.unit,
        channel=flt.channel,
        language=flt.language,
        segment=flt.contact,
        text=flt.q,
    )
    qs = door.responses(scope, piece)
    if flt.version is not None:
        qs = qs.filter(version__number=flt.version)
    if flt.tag:
        from .models import ResponseTag

        org = scope.organization
        qs = qs.filter(Exists(ResponseTag.objects.for_org(org).filter(response=OuterRef("pk"), tag=flt.tag)))
    answers = door.answers(scope)
    for cond in flt.answers:
        qs = qs.filter(Exists(answers.filter(_answer_q(cond), response=OuterRef("pk"))))
    if flt.ids:
        qs = qs.filter(pk__in=flt.ids)
    return qs
