"""The response browser's actions: list with filters, open one, tag.

Included: reading responses with their answers, contact and context for members who may open
responses (``responses.view``); contact details and comments are redacted for roles without
``pii.view``. Excluded: deleting and anonymising (``actions.py``), exports (``exporting.py``)
and imports (``importing.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.surveys import collect, door
from openxm.surveys import definition as sd
from openxm.surveys import services as surveys
from openxm.surveys.definition.i18n import localize
from openxm.surveys.definition.model import option_text
from openxm.surveys.definition.vocab import KANO_LABELS
from openxm.surveys.models import Response
from openxm.text.pii import redact

from .filters import ResponseFilter, filtered
from .models import ResponseTag

PAGE_SIZE = 50
TAG_MAX = 64
# Answers whose text is a comment: open questions and the "other" text of a choice question.
COMMENT_TYPES = frozenset({"text", "single_choice", "dropdown", "multiple_choice"})


def redact_text(text: str) -> str:
    return redact(text or "").text


def scoped_responses(actor: Actor, flt: ResponseFilter):
    """The responses inside the actor's scope narrowed by ``flt`` (the survey resolved by id/key)."""
    survey = surveys.get_survey(actor, flt.survey) if flt.survey else None
    return filtered(actor.scope, flt, survey), survey


@dataclass(frozen=True)
class ResponseRow:
    id: int
    survey_key: str
    survey_title: str
    version: int
    completed_at: Any
    channel: str
    touchpoint: str
    language: str
    contact: str
    summary: str
    comments: tuple[str, ...]  # every text answer ("other" texts too), each cut at 160 characters
    tags: tuple[str, ...]

    @property
    def comment(self) -> str:
        """The comments as one text, a line each (the API's ``comment``)."""
        return "\n".join(self.comments)


@dataclass(frozen=True)
class ResponsePage:
    rows: list[ResponseRow]
    total: int
    page: int
    pages: int


def _tags_of(org, ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for response_id, tag in (
        ResponseTag.objects.for_org(org)
        .filter(response_id__in=list(ids))
        .order_by("tag")
        .values_list("response_id", "tag")
    ):
        out.setdefault(response_id, []).append(tag)
    return out


def list_responses(
    actor: Actor, flt: ResponseFilter, page: int = 1, per_page: int = PAGE_SIZE, bulk: bool = False
) -> ResponsePage:
    """A page of responses inside the actor's scope. ``bulk`` (API pages of rows) also needs
    ``data.export``, as the role table says for bulk reads."""
    actor.require(Perm.RESPONSES_VIEW)
    if bulk:
        door.require_bulk(actor.scope)
    qs, _survey = scoped_responses(actor, flt)
    total = qs.count()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    chunk = list(
        qs.select_related("survey", "version", "contact").order_by("-completed_at", "-pk")[
            (page - 1) * per_page : page * per_page
        ]
    )
    ids = [r.pk for r in chunk]
    scope = actor.scope
    numbers: dict[int, list[str]] = {}
    comments: dict[int, list[str]] = {}
    for response_id, qid, sub, qtype, number, text in (
        door.answers(scope)
        .filter(response_id__in=ids)
        .order_by("pk")
        .values_list("response_id", "question_id", "sub_key", "qtype", "value_number", "value_text")
    ):
        if number is not None and not sub and qtype in ("nps", "csat", "ces", "rating", "likert"):
            numbers.setdefault(response_id, []).append(f"{qid} {number:g}")
        elif text and qtype in COMMENT_TYPES:
            comments.setdefault(response_id, []).append(door.text_view(scope, text)[:160])
    tags = _tags_of(actor.organization, ids)
    rows = [
        ResponseRow(
            id=r.pk,
            survey_key=r.survey.key,
            survey_title=r.survey.title,
            version=r.version.number,
            completed_at=r.completed_at,
            channel=r.channel,
            touchpoint=r.touchpoint,
            language=r.language,
            contact=door.contact_label(scope, r.contact),
            summary=", ".join(numbers.get(r.pk, [])[:3]),
            comments=tuple(comments.get(r.pk, [])),
            tags=tuple(tags.get(r.pk, [])),
        )
        for r in chunk
    ]
    return ResponsePage(rows, total, page, pages)


# --- One response ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerView:
    question: str
    label: str
    value: str
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResponseDetail:
    response: Response
    survey_title: str
    version: int
    contact: dict[str, Any] | None
    answers: list[AnswerView]
    values: dict[str, Any]  # question id → typed value, redacted without pii
    hidden: dict[str, Any]
    path: list[str]
    device: dict[str, Any]
    invitation: Any
    source: dict[str, Any]
    tags: list[str]
    pii: bool
    anonymised: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def _get(actor: Actor, response_id: int) -> Response:
    return door.get_response(actor.scope, response_id)


def _scale_text(spec: Mapping[str, Any], value: Any, lang: str, default: str) -> str:
    labels = (spec.get("scale") or {}).get("labels")
    low = (spec.get("scale") or {}).get("min")
    if labels and isinstance(value, int) and low is not None and 0 <= value - low < len(labels):
        return f"{value} — {localize(labels[value - low], lang, default)}"
    return str(value)


def _option(spec, option: str, lang: str, default: str) -> str:
    text = option_text(spec, option)
    return localize(text, lang, default) if text is not None else option


def display_answer(
    spec: Mapping[str, Any], value: Any, lang: str, default: str, pii: bool, label: str | None = None
) -> AnswerView:
    """One answer as text for people (option texts, scale labels), redacted without ``pii``."""
    qid, qtype = spec["id"], spec["type"]
    label = label or localize(spec.get("text") or spec.get("description") or qid, lang, default)
    parts: list[tuple[str, str]] = []
    if qtype in ("nps", "csat", "ces", "rating", "likert"):
        shown = _scale_text(spec, value, lang, default)
    elif qtype in ("single_choice", "dropdown"):
        if isinstance(value, Mapping):
            other = value.get("other") or ""
            shown = f"{_option(spec, value['choice'], lang, default)}: {other if pii else redact_text(other)}"
        else:
            shown = _option(spec, value, lang, default)
    elif qtype == "multiple_choice":
        chosen = value.get("choices", []) if isinstance(value, Mapping) else value
        shown = "; ".join(_option(spec, o, lang, default) for o in chosen)
        if isinstance(value, Mapping) and value.get("other"):
            shown += f" ({value['other'] if pii else redact_text(value['other'])})"
    elif qtype == "ranking":
        shown = " > ".join(_option(spec, o, lang, default) for o in value)
    elif qtype == "matrix":
        rows = {r["id"]: localize(r["text"], lang, default) for r in spec.get("rows", [])}
        parts = [(rows.get(k, k), _scale_text(spec, v, lang, default)) for k, v in value.items()]
        shown = ""
    elif qtype == "kano":
        custom = spec.get("labels") or {}
        parts = [
            (
                k,
                localize(custom.get(v) or KANO_LABELS.get(v, v), lang, default)
                if k != "importance"
                else str(v),
            )
            for k, v in value.items()
        ]
        shown = ""
    elif qtype in ("servqual", "servqual_importance"):
        parts = [(k, str(v)) for k, v in value.items()]
        shown = ""
    elif qtype == "consent":
        shown = _("Yes") if value else _("No")
    elif qtype in ("text", "email", "phone"):
        shown = str(value) if pii else redact_text(str(value))
    else:
        shown = str(value)
    return AnswerView(qid, label, shown, tuple(parts))


def response_detail(actor: Actor, response_id: int, language: str | None = None) -> ResponseDetail:
    """One response with its full context: contact, invitation, device, path, source, tags."""
    actor.require(Perm.RESPONSES_VIEW)
    response = _get(actor, response_id)
    pii = actor.scope.pii
    definition = collect.version_definition(response.version)
    default = definition.default_language
    lang = language if language in definition.languages else (response.language or default)
    answers = []
    context = sd.ResponseContext(hidden=dict(response.hidden or {}), language=lang)
    for question in sorted(definition.questions.values(), key=lambda q: q.position):
        if question.type == "hidden" or question.id not in response.answers:
            continue
        spec = question.spec
        text = spec.get("text") or spec.get("description") or question.id
        label = sd.render_text(definition, text, response.answers, context, lang)  # pipes filled in
        answers.append(display_answer(spec, response.answers[question.id], lang, default, pii, label))
    types = {q.id: q.type for q in definition.questions.values()}
    meta = dict(response.meta or {})
    device = {k: meta[k] for k in ("device", "user_agent", "browser", "os", "screen") if k in meta}
    source = {k: meta[k] for k in ("source", "import_job", "file", "line") if k in meta}
    return ResponseDetail(
        response=response,
        survey_title=response.survey.title,
        version=response.version.number,
        contact=door.contact_view(actor.scope, response.contact),
        answers=answers,
        values=door.answers_view(actor.scope, response.answers or {}, types),
        hidden=door.hidden_view(actor.scope, response.hidden),
        path=list(meta.get("path") or []),
        device=device,
        invitation=meta.get("invitation"),
        source=source,
        tags=_tags_of(actor.organization, [response.pk]).get(response.pk, []),
        pii=pii,
        anonymised=bool(meta.get("anonymised_at")),
        meta=meta,
    )


# --- Tags -----------------------------------------------------------------------------------


def clean_tags(tags: Iterable[str]) -> list[str]:
    out = []
    for raw in tags:
        for tag in str(raw).split(","):
            tag = tag.strip()
            if not tag:
                continue
            if len(tag) > TAG_MAX:
                raise InvalidInput("tags", _("a tag has at most %(n)s characters") % {"n": TAG_MAX})
            if tag not in out:
                out.append(tag)
    return out


@transaction.atomic
def tag_responses(
    actor: Actor, flt: ResponseFilter, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> int:
    """Add and remove tags on every response the filter selects (``flt.ids`` for a selection).

    Returns the number of responses selected. Audited as ``responses.tagged``.
    """
    actor.require(Perm.RESPONSES_WRITE)
    add_tags, remove_tags = clean_tags(add), clean_tags(remove)
    if not add_tags and not remove_tags:
        raise InvalidInput("tags", _("give at least one tag"))
    if not flt.active:
        raise InvalidInput("selection", _("select responses or filter them first"))
    qs, _survey = scoped_responses(actor, flt)
    org = actor.organization
    count = last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:2000])
        if not batch:
            break
        if add_tags:
            ResponseTag.objects.for_org(org).bulk_create(
                [
                    ResponseTag(organization=org, response_id=i, tag=t, created_by=actor.user)
                    for i in batch
                    for t in add_tags
                ],
                ignore_conflicts=True,
            )
        if remove_tags:
            ResponseTag.objects.for_org(org).filter(response_id__in=batch, tag__in=remove_tags).delete()
        count += len(batch)
        last = batch[-1]
    audit.record(
        actor,
        "responses.tagged",
        target_type="responses",
        target_id="",
        data={"count": count, "added": add_tags, "removed": remove_tags, "filter": flt.to_params()},
    )
    return count


def tag_names(actor: Actor) -> list[str]:
    actor.require(Perm.RESPONSES_VIEW)
    tags = ResponseTag.objects.for_org(actor.organization)
    if actor.scope.limited:
        tags = tags.filter(response__in=door.responses(actor.scope))
    return list(tags.values_list("tag", flat=True).distinct().order_by("tag"))


def touchpoints(actor: Actor) -> list[str]:
    actor.require(Perm.RESPONSES_VIEW)
    return [
        t
        for t in door.responses(actor.scope)
        .order_by("touchpoint")
        .values_list("touchpoint", flat=True)
        .distinct()
        if t
    ]
