"""The one door for reading responses: every app outside ``surveys`` reads Response and Answer
rows here, through a :class:`~openxm.accounts.scope.Scope` (``actor.scope``).

Included:

* :class:`Slice` — which responses, the one filter vocabulary of every reader: survey,
  touchpoints, unit (with the units below it), channel, period, contact segment, language,
  status and text. Readers with their own vocabulary on top (a metric's journey or question,
  the browser's tags and answer conditions) narrow a Slice, they do not repeat it.
* :func:`responses` / :func:`answers` — the rows inside the scope and the slice: the scope's
  organization and, for a member or key limited to a unit, responses of that unit and the units
  below it (responses without a unit belong to the whole organization and are outside every
  unit scope). :func:`slice_q` applies the same scope and slice to a table derived from
  responses (comment analyses), given its column names.
* :func:`get_response` — one response inside the scope, else NotFound (never "forbidden": a
  store manager cannot learn that response 42 exists in another store).
* :func:`contact_view`, :func:`answers_view`, :func:`text_view` — personal data redacted once,
  here, for scopes without ``pii``: the contact's name, e-mail and phone, contact attributes
  marked personal, hidden fields, and personal data inside free text. Typed answers keep their
  type (a score stays a number) for every role.
* :func:`require_bulk` — reading rows in bulk (exports, API pages of rows) needs ``data.export``.

* Employee surveys (audiences in ``analytics.employee.CONFIDENTIAL_AUDIENCES``) are outside every
  reader above, for every role: their results leave only as suppressed group figures of
  ``openxm.employees``, which reads them with :func:`confidential_answers` (no other module may;
  ``tests/employees/test_confidential.py`` checks). :func:`confidential_count` gives the
  survey's own page its count of complete responses, which that page shows only at or above
  the survey's smallest group (:func:`confidential_min_group`, told by the employees app).

Excluded: writing (``collect.record_response`` and the delete/anonymise actions), and tables
derived from responses that other apps own (rollups, comment analyses): those apps narrow their
own rows with ``scope.unit_ids`` in their readers, which take a Scope too.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.analytics.employee import CONFIDENTIAL_AUDIENCES
from openxm.analytics.suppression import DEFAULT_MIN_GROUP
from openxm.customers.personal import PERSONAL_FIELDS, personal_attributes
from openxm.text.pii import redact

from .models import Answer, Response, Survey

# Answer types whose values are free text or contact details: redacted without pii.
_TEXT_TYPES = frozenset({"text", "email", "phone"})
# The placeholder for a personal value that cannot be redacted in part.
HIDDEN = "[REDACTED]"


@dataclass(frozen=True)
class Slice:
    """Which responses. Empty values do not restrict; the defaults select every response.

    ``touchpoints`` (None: any) are touchpoint keys; ``unit`` a unit code that covers the units
    below it and must lie inside the reader's scope; ``since``/``until`` aware datetimes, since
    inclusive, until exclusive (:meth:`days` builds them from whole days in the organization's
    time zone); ``segment`` contact attribute = value pairs (the contact's current values);
    ``contacts`` contact ids (None: any), e.g. the members of a saved segment
    (``openxm.customers.segments``); ``status`` a Response status or "" for any; ``text`` a
    text answer contains it."""

    survey_id: int | None = None
    touchpoints: tuple[str, ...] | None = None
    unit: str = ""
    channel: str = ""
    since: datetime | None = None
    until: datetime | None = None
    segment: tuple[tuple[str, str], ...] = ()
    contacts: frozenset[int] | None = None
    language: str = ""
    status: str = ""
    text: str = ""

    @classmethod
    def days(cls, organization, first: date | None, last: date | None, **fields) -> Slice:
        """A slice of whole days ``first``..``last`` (inclusive) in the organization's time zone."""
        zone = organization_zone(organization)
        since = datetime.combine(first, time.min, tzinfo=zone) if first else None
        until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone) if last else None
        return cls(since=since, until=until, **fields)

    @property
    def touchpoint(self) -> str:
        """The touchpoint when the slice names exactly one, else ""."""
        return self.touchpoints[0] if self.touchpoints and len(self.touchpoints) == 1 else ""

    def previous(self) -> Slice | None:
        """The period of the same length just before this one (None without a start)."""
        if self.since is None:
            return None
        until = self.until or timezone.now()
        return replace(self, since=self.since - (until - self.since), until=self.since)


def organization_zone(organization) -> ZoneInfo:
    try:
        return ZoneInfo(organization.time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


EVERYTHING = Slice()


def _units(scope: Scope, piece: Slice):
    """Unit ids the scope and the slice together allow (None: any); NotFound outside the scope.
    Also refuses, without pii, a slice that would find people by their personal data: a segment
    on a personal contact field or attribute, or a text search for an e-mail address or a phone,
    ID or card number (counting the matches would tell whether that person answered)."""
    if not scope.pii:
        personal = {n for n, _v in piece.segment if n in PERSONAL_FIELDS}
        personal |= personal_attributes(scope.organization, [n for n, _v in piece.segment])
        if personal:
            raise InvalidInput(
                f"contact.{sorted(personal)[0]}", _("is personal data: your role cannot filter on it")
            )
        if piece.text and redact(piece.text).text != piece.text:
            raise InvalidInput("q", _("looks like personal data: your role cannot search for it"))
    return scope.units(piece.unit)


# Where Response and Answer keep the columns a Slice reads (see slice_q).
RESPONSE_COLUMNS = {
    "survey": "survey_id",
    "touchpoint": "touchpoint",
    "unit": "unit_id",
    "channel": "channel",
    "time": "completed_at",
    "language": "language",
    "status": "status",
}
# An answer's own time and touchpoint: a question may be tagged with another touchpoint.
ANSWER_COLUMNS = {
    **{name: f"response__{column}" for name, column in RESPONSE_COLUMNS.items()},
    "survey": "survey_id",
    "touchpoint": "touchpoint",
    "time": "answered_at",
}


def responses(scope: Scope, piece: Slice = EVERYTHING) -> QuerySet:
    """The responses inside the scope and the slice."""
    qs = Response.objects.for_org(scope.organization).filter(_columns_q(scope, piece, RESPONSE_COLUMNS))
    for name, value in piece.segment:
        qs = qs.filter(contact_matches(name, value))
    if piece.contacts is not None:
        qs = qs.filter(contact_id__in=sorted(piece.contacts))
    if piece.text:
        texts = Answer.objects.for_org(scope.organization).filter(
            response=OuterRef("pk"), value_text__icontains=piece.text
        )
        qs = qs.filter(Exists(texts))
    return qs


CONTACT_FIELDS = ("email", "name", "phone", "language", "kind")
_ATTRIBUTE = re.compile(r"[\w-]{1,64}")


def contact_matches(name: str, value: str, prefix: str = "") -> Q:
    """Responses (or, with ``prefix``, rows reaching a response's contact) whose contact has
    ``name`` = ``value``: a contact field, ``id`` (the external id), ``value_tier`` or an
    attribute."""
    if name == "id":
        return Q(**{f"{prefix}contact__external_id": value})
    if name in CONTACT_FIELDS:
        return Q(**{f"{prefix}contact__{name}": value})
    if name == "value_tier":  # the RFM tier of the last value refresh (openxm.customers.tiers)
        return Q(**{f"{prefix}contact__value_tier": value})
    if not _ATTRIBUTE.fullmatch(name) or "__" in name:
        raise InvalidInput(f"contact.{name}", _("is not a contact attribute name"))
    match = Q(**{f"{prefix}contact__attributes__{name}": value})
    with contextlib.suppress(ValueError):  # "5" also matches an attribute stored as the number 5
        match |= Q(**{f"{prefix}contact__attributes__{name}": float(value)})
    return match


def answers(scope: Scope, piece: Slice = EVERYTHING) -> QuerySet:
    """The answer rows of the responses inside the scope and the slice. The period and the
    touchpoints apply to the answer's own time and touchpoint (a question may be tagged with
    another touchpoint than its survey)."""
    qs = Answer.objects.for_org(scope.organization).filter(_columns_q(scope, piece, ANSWER_COLUMNS))
    for name, value in piece.segment:
        qs = qs.filter(contact_matches(name, value, "response__"))
    if piece.contacts is not None:
        qs = qs.filter(response__contact_id__in=sorted(piece.contacts))
    if piece.text:
        qs = qs.filter(response__in=responses(scope, Slice(text=piece.text)).values("pk"))
    return qs


def slice_q(scope: Scope, piece: Slice, columns: Mapping[str, str]) -> Q:
    """The scope and the slice as a condition on a table derived from responses that has its own
    copies of their columns. ``columns`` maps ``survey``, ``touchpoint``, ``unit``, ``channel``,
    ``time``, ``language`` and ``status`` to the table's fields; a slice field the table cannot
    answer raises ValueError (a reader must not silently ignore a filter)."""
    if piece.segment or piece.text or piece.contacts is not None:
        raise ValueError("contact segments and text search need the response tables")
    return _columns_q(scope, piece, columns)


def _columns_q(scope: Scope, piece: Slice, columns: Mapping[str, str]) -> Q:
    """The scope and the slice's column fields (all but segment and text) on ``columns``."""

    def col(name: str) -> str:
        if name not in columns:
            raise ValueError(f"this table cannot be sliced by {name}")
        return columns[name]

    q = ~Q(**{f"{col('survey')}__in": _confidential_surveys(scope.organization)})
    units = _units(scope, piece)
    if units is not None:
        q &= Q(**{f"{col('unit')}__in": units})
    if piece.survey_id is not None:
        q &= Q(**{col("survey"): piece.survey_id})
    if piece.touchpoints is not None:
        q &= Q(**{f"{col('touchpoint')}__in": piece.touchpoints})
    if piece.channel:
        q &= Q(**{col("channel"): piece.channel})
    if piece.since is not None:
        q &= Q(**{f"{col('time')}__gte": piece.since})
    if piece.until is not None:
        q &= Q(**{f"{col('time')}__lt": piece.until})
    if piece.language:
        q &= Q(**{col("language"): piece.language})
    if piece.status:
        q &= Q(**{col("status"): piece.status})
    return q


def _confidential_surveys(organization) -> QuerySet:
    return Survey.objects.for_org(organization).filter(audience__in=CONFIDENTIAL_AUDIENCES).values("pk")


def confidential_answers(organization, survey_id: int) -> QuerySet:
    """The answer rows of the complete responses of one employee survey of the organization,
    whatever the reader's unit scope: a release plan must be the same for every reader (two plans
    could be subtracted). Only ``openxm.employees`` calls this, to build suppressed figures; the
    rows themselves never leave it. Raises NotFound for a survey that is not confidential."""
    if not _confidential_surveys(organization).filter(pk=survey_id).exists():
        raise NotFound("survey", survey_id)
    return Answer.objects.for_org(organization).filter(
        survey_id=survey_id, response__status=Response.Status.COMPLETE
    )


def is_confidential(organization, survey_id: int) -> bool:
    return _confidential_surveys(organization).filter(pk=survey_id).exists()


def confidential_count(scope: Scope, survey_id: int) -> int:
    """Complete responses of one employee survey inside the scope's units (a count, never a
    score; the caller shows it only at or above :func:`confidential_min_group`)."""
    qs = Response.objects.for_org(scope.organization).filter(
        survey_id=survey_id, status=Response.Status.COMPLETE
    )
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    return qs.count()


# The employees app's thresholds (it sits to the right of surveys): registered in its
# AppConfig.ready as f(organization, survey_id) -> the survey's smallest group.
_MIN_GROUP: list[Callable[[Any, int], int]] = []


def register_confidential_min_group(effective: Callable[[Any, int], int]) -> None:
    _MIN_GROUP[:] = [effective]


def confidential_min_group(organization, survey_id: int) -> int:
    """The smallest group an employee survey's figures are shown for (the default without the
    employees app)."""
    return _MIN_GROUP[0](organization, survey_id) if _MIN_GROUP else DEFAULT_MIN_GROUP


def get_response(
    scope: Scope, response_id: int, related=("survey", "version", "contact", "unit")
) -> Response:
    """The response with this id inside the scope; NotFound otherwise."""
    response = responses(scope).select_related(*related).filter(pk=response_id).first()
    if response is None:
        raise NotFound("response", response_id)
    return response


def require_bulk(scope: Scope) -> None:
    """Reading many rows at once (exports, API pages of responses) needs ``data.export``."""
    if not scope.bulk:
        raise PermissionDenied(Perm.DATA_EXPORT)


def text_view(scope: Scope, text: str) -> str:
    """Free text as the scope may see it: whole with pii, with personal data replaced without."""
    if scope.pii or not text:
        return text or ""
    return redact(text).text


def contact_label(scope: Scope, contact) -> str:
    """How a list shows a contact: name or e-mail with pii, the external id without."""
    if contact is None:
        return ""
    if scope.pii:
        return contact.name or contact.email or contact.external_id
    return contact.external_id


def contact_view(scope: Scope, contact) -> dict[str, Any] | None:
    """A contact as the scope may see it: id, kind, language and attributes; name, e-mail,
    phone and personal attributes only with pii."""
    if contact is None:
        return None
    attributes = dict(contact.attributes or {})
    if not scope.pii:
        for name in personal_attributes(scope.organization, attributes):
            attributes.pop(name)
    view: dict[str, Any] = {
        "id": contact.external_id,
        "kind": contact.kind,
        "language": contact.language,
        "attributes": attributes,
    }
    if scope.pii:
        view.update(name=contact.name, email=contact.email, phone=contact.phone)
    return view


def hidden_view(scope: Scope, hidden: Mapping[str, Any] | None) -> dict[str, Any]:
    """Hidden fields (order numbers, store codes from links): text redacted without pii."""
    return {k: v if scope.pii else text_view(scope, str(v)) for k, v in (hidden or {}).items()}


def _redacted_value(scope: Scope, qtype: str | None, value: Any) -> Any:
    if qtype in _TEXT_TYPES:
        return text_view(scope, str(value)) if value is not None else value
    if isinstance(value, Mapping) and "other" in value:
        return {**value, "other": text_view(scope, str(value.get("other") or ""))}
    return value


def answers_view(scope: Scope, values: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    """A response's answers (question id → value) as the scope may see them. ``types`` maps
    question ids to their type. Values keep their type; free text, e-mail and phone answers and
    "other" texts are redacted without pii."""
    if scope.pii:
        return dict(values)
    return {qid: _redacted_value(scope, types.get(qid), v) for qid, v in values.items()}
