"""Recording responses: one path for the API, respondent pages, imports and the demo.

A submission is validated against the survey version it answers (the pure definition package
decides which questions were shown, checks every answer and builds the typed rows); the
response and its Answer rows are written in one transaction, and ``response_recorded`` is sent
inside it. Submissions are idempotent per survey: the same ``idempotency_key`` returns the
stored response instead of storing a second one.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization, Unit
from openxm.customers import services as customers

from . import definition as sd
from .models import Answer, Response, Survey, SurveyVersion
from .services import ui_language
from .signals import response_recorded

CHANNELS = (
    "link",
    "qr",
    "email",
    "sms",
    "wechat",
    "wecom",
    "dingtalk",
    "webhook",
    "intercept",
    "app",
    "api",
    "import",
    "kiosk",
    "event",
)


class InvalidAnswers(InvalidInput):
    """Answers rejected; ``errors`` maps each field path to its messages (in the UI language)."""

    def __init__(self, issues: list):
        self.errors: dict[str, list[str]] = {}
        lang = ui_language()
        for issue in issues:
            self.errors.setdefault(issue.path or "answers", []).append(issue.render(lang).split(": ", 1)[-1])
        first = next(iter(self.errors.items()))
        super().__init__(first[0], first[1][0])


@dataclass(frozen=True)
class ContactRef:
    external_id: str
    fields: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Submission:
    answers: dict
    idempotency_key: str = ""
    channel: str = "api"
    touchpoint: str = ""
    language: str | None = None
    contact: ContactRef | None = None
    hidden: dict = field(default_factory=dict)
    unit: str = ""  # unit code (e.g. a store); defaults to the hidden field "store" when it names a unit
    started_at: datetime | None = None
    completed_at: datetime | None = None
    weight: float = 1.0
    meta: dict = field(default_factory=dict)
    version: int | None = None  # the version answered; the current one by default


@dataclass(frozen=True)
class Recorded:
    response: Response
    created: bool


def _version(org: Organization, survey: Survey, number: int | None) -> SurveyVersion:
    if number is None:
        if survey.current_version_id is None:
            raise InvalidInput("survey", _("the survey is not published"))
        return survey.current_version
    version = SurveyVersion.objects.for_org(org).filter(survey=survey, number=number).first()
    if version is None:
        raise InvalidInput("version", _("the survey has no version %(n)s") % {"n": number})
    return version


def _check_envelope(sub: Submission) -> None:
    if sub.channel not in CHANNELS:
        raise InvalidInput("channel", _("must be one of %(choices)s") % {"choices": ", ".join(CHANNELS)})
    if len(sub.idempotency_key) > 128:
        raise InvalidInput("idempotency_key", _("must be at most 128 characters"))
    if not (0 < sub.weight < 1e6):
        raise InvalidInput("weight", _("must be a positive number"))
    if sub.started_at and sub.completed_at and sub.completed_at < sub.started_at:
        raise InvalidInput("completed_at", _("is before started_at"))
    if sub.completed_at and sub.completed_at > timezone.now() + timezone.timedelta(minutes=5):
        raise InvalidInput("completed_at", _("is in the future"))


def prepare(org: Organization, survey: Survey, sub: Submission, contact_attributes: dict | None = None):
    """Validate a submission without writing anything: (version, ValidatedAnswers)."""
    _check_envelope(sub)
    if survey.status == Survey.Status.CLOSED:
        raise InvalidInput("survey", _("the survey is closed"))
    version = _version(org, survey, sub.version)
    definition = sd.load_definition(version.definition)
    context = sd.ResponseContext(
        hidden=sub.hidden or {},
        contact=contact_attributes or (sub.contact.attributes if sub.contact else {}),
        language=sub.language,
        seed=sub.meta.get("seed"),
    )
    result = sd.validate_answers(definition, sub.answers, context)
    if not result.ok:
        raise InvalidAnswers(list(result.errors))
    return version, definition, result


def _answer_rows(org: Organization, survey: Survey, response: Response, rows, when) -> list[Answer]:
    return [
        Answer(
            organization=org,
            response=response,
            survey=survey,
            question_id=r.question_id,
            sub_key=r.sub_key or "",
            qtype=r.question_type,
            value_number=r.value_number,
            value_text=r.value_text or "",
            value_choice=r.value_choice or "",
            value_choices=list(r.value_choices) or None,
            touchpoint=r.touchpoint or response.touchpoint,
            cx_dimension=r.cx_dimension or "",
            answered_at=when,
        )
        for r in rows
    ]


def _unit(org: Organization, sub: Submission) -> Unit | None:
    code = sub.unit or str((sub.hidden or {}).get("store") or "")
    if not code:
        return None
    unit = Unit.objects.for_org(org).filter(code=code).first()
    if unit is None and sub.unit:
        raise InvalidInput("unit", _("no unit with code %(code)s") % {"code": sub.unit})
    return unit


def record_response(org: Organization, survey: Survey, sub: Submission) -> Recorded:
    """Validate and store one complete response (or return the stored one for a repeated key)."""
    if sub.idempotency_key:
        existing = (
            Response.objects.for_org(org).filter(survey=survey, idempotency_key=sub.idempotency_key).first()
        )
        if existing is not None:
            return Recorded(existing, created=False)
    version, definition, result = prepare(org, survey, sub)
    try:
        with transaction.atomic():
            return Recorded(_store(org, survey, version, definition, sub, result), created=True)
    except IntegrityError:
        # A concurrent submission with the same key won the race: answer with its response.
        existing = (
            Response.objects.for_org(org).filter(survey=survey, idempotency_key=sub.idempotency_key).first()
        )
        if existing is None:
            raise
        return Recorded(existing, created=False)


def _store(org, survey, version, definition, sub: Submission, result) -> Response:
    now = timezone.now()
    completed = sub.completed_at or now
    contact = None
    if sub.contact is not None:
        contact = customers.upsert_contact(
            org, sub.contact.external_id, sub.contact.fields, sub.contact.attributes
        )
    response = Response.objects.for_org(org).create(
        organization=org,
        survey=survey,
        version=version,
        idempotency_key=sub.idempotency_key or f"auto-{secrets.token_hex(12)}",
        channel=sub.channel,
        touchpoint=sub.touchpoint or definition.data.get("touchpoint") or survey.touchpoint,
        language=result.language,
        contact=contact,
        unit=_unit(org, sub),
        answers=dict(result.values),
        hidden=dict(sub.hidden or {}),
        meta={**sub.meta, "path": list(result.route.pages)},
        weight=sub.weight,
        started_at=sub.started_at or completed,
        completed_at=completed,
        status=Response.Status.COMPLETE,
    )
    answers = Answer.objects.for_org(org).bulk_create(
        _answer_rows(org, survey, response, result.rows, completed)
    )
    response_recorded.send(sender=Response, response=response, answers=answers)
    return response


def record_batch(org: Organization, survey: Survey, subs: list[Submission]) -> list[Recorded]:
    """All or nothing: every submission is validated first; any error stores none of them.

    Raises ``BatchRejected`` with the per-item errors.
    """
    errors: dict[int, dict] = {}
    prepared = []
    seen_keys: dict[str, int] = {}
    for i, sub in enumerate(subs):
        if sub.idempotency_key and sub.idempotency_key in seen_keys:
            errors[i] = {
                "idempotency_key": [
                    _("repeats item %(n)s of this batch") % {"n": seen_keys[sub.idempotency_key]}
                ]
            }
            continue
        if sub.idempotency_key:
            seen_keys[sub.idempotency_key] = i
        existing = None
        if sub.idempotency_key:
            existing = (
                Response.objects.for_org(org)
                .filter(survey=survey, idempotency_key=sub.idempotency_key)
                .first()
            )
        if existing is not None:
            prepared.append((sub, existing, None))
            continue
        try:
            prepared.append((sub, None, prepare(org, survey, sub)))
        except InvalidAnswers as exc:
            errors[i] = exc.errors
        except InvalidInput as exc:
            errors[i] = {exc.field: [exc.message]}
    if errors:
        raise BatchRejected(errors)
    out = []
    with transaction.atomic():
        for sub, existing, ready in prepared:
            if existing is not None:
                out.append(Recorded(existing, created=False))
            else:
                version, definition, result = ready
                out.append(Recorded(_store(org, survey, version, definition, sub, result), created=True))
    return out


class BatchRejected(InvalidInput):
    def __init__(self, errors: dict[int, dict]):
        self.item_errors = errors
        first = next(iter(errors))
        super().__init__(
            f"items[{first}]", _("%(n)s items were rejected; nothing was stored") % {"n": len(errors)}
        )
