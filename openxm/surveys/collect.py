"""Recording responses: one path for the API, respondent pages, imports and the demo.

A submission is validated against the survey version it answers (the pure definition package
decides which questions were shown, checks every answer and builds the typed rows); the
response and its Answer rows are written in one transaction, and ``responses_recorded`` is sent
inside it (once per transaction: a batch is one send). Submissions are idempotent per survey:
the same ``idempotency_key`` returns the stored response instead of storing a second one.

Respondent pages also keep in-progress responses (status ``partial``): ``save_partial`` stores
the answers given so far (validated through the page just submitted, no Answer rows, no signal)
and ``record_response`` with the same key completes that row.

Every complete response is counted in the quota cells it falls into, in the storing transaction
(``quota_counts``: one upsert per transaction). ``record_response(..., screen=True)`` (respondent
pages) also decides the quotas on those counts and raises ``QuotaFull`` for a full cell, storing
nothing; other paths count without screening. A response screened out (status ``screened``) is
finished like a complete one: a repeated key returns it unchanged.

Employee surveys (audiences in ``analytics.employee.CONFIDENTIAL_AUDIENCES``) are stored
de-identified by construction (:func:`deidentify`): no contact, no hidden fields, the
idempotency key hashed, the times cut to the day and the contact's grouping attributes kept only
as coarse bands in ``meta["groups"]``. Survey logic still reads the contact's attributes.
"""

import dataclasses
import hashlib
import secrets
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization, Unit
from openxm.accounts.roles import Perm
from openxm.analytics.employee import coarsen, confidential
from openxm.bulk import copy_rows, insert_rows
from openxm.customers import services as customers
from openxm.utils.ttl import TTLCache

from . import definition as sd
from . import quota_counts, services
from .definition.answer_types import clean_answer
from .models import Answer, Response, Survey, SurveyVersion
from .quota_counts import QuotaFull  # noqa: F401 (raised through record_response(screen=True))
from .services import ui_language
from .signals import responses_recorded

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
# What a person reads for each channel code, in the UI language (tables, charts, filters).
CHANNEL_LABELS = {
    "link": gettext_lazy("Public link"),
    "qr": gettext_lazy("QR code"),
    "email": gettext_lazy("E-mail"),
    "sms": gettext_lazy("SMS"),
    "wechat": gettext_lazy("WeChat"),
    "wecom": gettext_lazy("WeCom"),
    "dingtalk": gettext_lazy("DingTalk"),
    "webhook": gettext_lazy("Webhook"),
    "intercept": gettext_lazy("Website intercept"),
    "app": gettext_lazy("Mobile app"),
    "api": gettext_lazy("API"),
    "import": gettext_lazy("Import"),
    "kiosk": gettext_lazy("Kiosk"),
    "event": gettext_lazy("Event trigger"),
}


def channel_label(code: str) -> str:
    """The label of a channel code; an unknown code is shown as it is."""
    return str(CHANNEL_LABELS.get(code, code))


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
    # What the survey's logic and piping read as {{contact.x}}; defaults to contact.attributes.
    contact_context: dict | None = None


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


_DEFINITIONS: OrderedDict = OrderedDict()
_DEFINITIONS_LOCK = threading.Lock()
_DEFINITIONS_MAX = 256


def version_definition(version: SurveyVersion) -> sd.SurveyDefinition:
    """The loaded definition of a published version. Versions never change, and loading one
    (schema and semantic checks) costs tens of milliseconds, so loaded ones are kept per process.
    The key includes the publication time: test databases reuse ids after a rollback."""
    key = (version.pk, version.organization_id, version.number, version.published_at)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = sd.load_definition(version.definition)
        with _DEFINITIONS_LOCK:
            _DEFINITIONS[key] = found
            while len(_DEFINITIONS) > _DEFINITIONS_MAX:
                _DEFINITIONS.popitem(last=False)
    return found


# The survey (and its current version) a client posts responses to, per organization and
# reference: an API client posts to the same survey request after request. Saving any survey in
# this process empties it (publishing, closing); other processes see a change within this time.
SURVEY_CACHE_SECONDS = 2
_recent_surveys = TTLCache(SURVEY_CACHE_SECONDS, maxsize=1024)


def survey_for_submissions(actor, ref: int | str) -> Survey:
    """The survey ``ref`` (id or key) of the actor's organization, for recording responses."""
    actor.require(Perm.RESPONSES_WRITE)
    cache_key = (actor.organization.pk, str(ref))
    survey = _recent_surveys.get(cache_key)
    if survey is None:
        survey = services.get_survey(actor, ref)
        _recent_surveys.set(cache_key, survey)
    return survey


def forget_surveys(**kwargs) -> None:
    """``post_save`` receiver for Survey (connected in ``SurveysConfig.ready``)."""
    _recent_surveys.clear()


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


def prepare(
    org: Organization,
    survey: Survey,
    sub: Submission,
    contact_attributes: dict | None = None,
    checked: sd.ValidatedAnswers | None = None,
    version: SurveyVersion | None = None,
):
    """Validate a submission without writing anything: (version, definition, ValidatedAnswers).

    ``checked``: the caller's own ``validate_answers`` of ``sub.answers`` on the version
    ``sub.version`` names, with the submission's context (respondent pages validate each page
    once; imports validate in their check); it is used instead of validating again.
    ``version``: that version when the caller has looked it up already (a batch does once).
    """
    _check_envelope(sub)
    if survey.status == Survey.Status.CLOSED:
        raise InvalidInput("survey", _("the survey is closed"))
    version = version or _version(org, survey, sub.version)
    definition = version_definition(version)
    context = sd.ResponseContext(
        hidden=sub.hidden or {},
        contact=contact_attributes or (sub.contact.attributes if sub.contact else {}),
        language=sub.language,
        seed=sub.meta.get("seed"),
    )
    result = checked if checked is not None else sd.validate_answers(definition, sub.answers, context)
    if not result.ok:
        raise InvalidAnswers(list(result.errors))
    return version, definition, result


def _context(sub: Submission, contact_attributes: dict | None = None) -> sd.ResponseContext:
    if contact_attributes is None:
        contact_attributes = sub.contact_context
    if contact_attributes is None:
        contact_attributes = sub.contact.attributes if sub.contact else {}
    return sd.ResponseContext(
        hidden=sub.hidden or {}, contact=contact_attributes, language=sub.language, seed=sub.meta.get("seed")
    )


class AnswerRow(NamedTuple):
    """An Answer row as written (the attribute names of ``Answer``), without a model instance."""

    organization_id: int
    response_id: int
    survey_id: int
    question_id: str
    sub_key: str
    qtype: str
    value_number: float | None
    value_text: str
    value_choice: str
    value_choices: list | None
    touchpoint: str
    cx_dimension: str
    answered_at: datetime


def _answer_rows(org: Organization, survey: Survey, response: Response, rows, when) -> list[AnswerRow]:
    return [
        AnswerRow(
            org.pk,
            response.pk,
            survey.pk,
            r.question_id,
            r.sub_key or "",
            r.question_type,
            r.value_number,
            r.value_text or "",
            r.value_choice or "",
            list(r.value_choices) or None,
            r.touchpoint or response.touchpoint,
            r.cx_dimension or "",
            when,
        )
        for r in rows
    ]


def _insert_answers(rows: list[AnswerRow]) -> list[AnswerRow]:
    copy_rows(Answer, AnswerRow._fields, rows)
    return rows


def _unit(org: Organization, sub: Submission) -> Unit | None:
    code = sub.unit or str((sub.hidden or {}).get("store") or "")
    if not code:
        return None
    unit = Unit.objects.for_org(org).filter(code=code).first()
    if unit is None and sub.unit:
        raise InvalidInput("unit", _("no unit with code %(code)s") % {"code": sub.unit})
    return unit


def _stored(org: Organization, survey: Survey, key: str) -> Response | None:
    if not key:
        return None
    return Response.objects.for_org(org).filter(survey=survey, idempotency_key=key).first()


def record_response(
    org: Organization,
    survey: Survey,
    sub: Submission,
    *,
    screen: bool = False,
    checked: sd.ValidatedAnswers | None = None,
) -> Recorded:
    """Validate and store one complete response (or return the stored one for a repeated key).

    ``screen`` (respondent pages): raise ``QuotaFull`` instead of storing a response that falls
    into a full quota cell (see the module docstring). ``checked``: the answers validated by the
    caller already (see ``prepare``).

    A key naming an in-progress (partial) response completes that response: ``created`` is True
    the first time it becomes complete. A new key is the common case, so the stored row is looked
    up only when the insert meets the key (or when the submission is rejected: a repeat of a
    stored response is answered with it even if the survey has closed since).
    """
    sub = deidentify(survey, sub)
    try:
        version, definition, result = prepare(org, survey, sub, checked=checked)
    except InvalidInput:
        existing = _stored(org, survey, sub.idempotency_key)
        if existing is not None and existing.status != Response.Status.PARTIAL:
            return Recorded(existing, created=False)
        raise
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                return Recorded(_store(org, survey, version, definition, sub, result, screen), created=True)
        except IntegrityError:
            existing = _stored(org, survey, sub.idempotency_key)
            if existing is None:
                raise
            break
        except OperationalError as exc:
            _retry_or_raise(exc, attempt)
    if existing.status != Response.Status.PARTIAL:
        # A repeat, or a concurrent submission with the same key that won the race.
        return Recorded(existing, created=False)
    # The key names a response in progress: complete it, on the version it was started with.
    if existing.version_id != version.pk:
        version, definition, result = prepare(org, survey, _replace(sub, version=existing.version.number))
    with transaction.atomic():
        return _complete_partial(org, survey, existing, version, definition, sub, result, screen=screen)[0]


def _replace(sub: Submission, **changes) -> Submission:
    return dataclasses.replace(sub, **changes)


# Meta keys an employee response keeps: how the questions were ordered and where the respondent
# is; everything else (device, source, ids) could point at a person.
_KEPT_META = ("seed", "page")


def _day(moment: datetime | None) -> datetime:
    return (moment or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)


def deidentify(survey: Survey, sub: Submission) -> Submission:
    """The submission as an employee survey stores it (see the module docstring); other
    audiences unchanged. The key is hashed with the survey id, so a repeat still finds it."""
    if not confidential(survey.audience):
        return sub
    attributes = dict(sub.contact.attributes) if sub.contact is not None else {}
    context = sub.contact_context if sub.contact_context is not None else attributes
    key = sub.idempotency_key
    if key:
        key = "x-" + hashlib.sha256(f"{survey.pk}:{key}".encode()).hexdigest()[:40]
    completed = _day(sub.completed_at)
    return _replace(
        sub,
        contact=None,
        contact_context=dict(context),
        hidden={},
        idempotency_key=key,
        meta={**{k: v for k, v in sub.meta.items() if k in _KEPT_META},
              "groups": coarsen({**attributes, **(sub.hidden or {})})},
        completed_at=completed,
        started_at=completed,
    )


def _contact(org: Organization, sub: Submission):
    if sub.contact is None:
        return None
    return customers.upsert_contact(org, sub.contact.external_id, sub.contact.fields, sub.contact.attributes)


def _complete_partial(
    org, survey, partial: Response, version, definition, sub: Submission, result, send: bool = True,
    screen: bool = False, tally: Counter | None = None,
) -> tuple[Recorded, list[AnswerRow]]:
    """Turn an in-progress response into a complete one (inside the caller's transaction).

    Returns the outcome and the Answer rows written (none when it was finished already);
    ``send=False`` leaves ``responses_recorded`` to the caller (a batch sends once), and ``tally``
    collects its quota keys for the caller to count (a batch counts once)."""
    locked = Response.objects.for_org(org).select_for_update().filter(pk=partial.pk).first()
    if locked is None or locked.status != Response.Status.PARTIAL:
        # Completed (or removed) by a concurrent request since we looked: answer with what is stored.
        return Recorded(locked or partial, created=False), []
    completed = sub.completed_at or timezone.now()
    contact = _contact(org, sub) or locked.contact
    locked.version = version
    locked.status = Response.Status.COMPLETE
    locked.channel = sub.channel
    locked.touchpoint = sub.touchpoint or definition.data.get("touchpoint") or survey.touchpoint
    locked.language = result.language
    locked.contact = contact
    locked.unit = _unit(org, sub) or locked.unit
    locked.answers = dict(result.values)
    locked.hidden = dict(sub.hidden or {})
    context = _context(sub)
    keys = quota_counts.matched_keys(definition, result.route.answers, context)
    locked.meta = {**locked.meta, **sub.meta, "path": list(result.route.pages)}
    locked.meta.pop("page", None)
    locked.meta.update(quota_counts.counted_meta(keys))
    locked.weight = sub.weight
    locked.completed_at = completed
    locked.save()
    answers = _insert_answers(_answer_rows(org, survey, locked, result.rows, completed))
    if tally is not None:
        tally.update(keys)
    else:
        quota_counts.count(org, survey.pk, definition, result.route.answers, context, keys, screen=screen)
    if send:
        responses_recorded.send(sender=Response, recorded=[(locked, answers)])
    return Recorded(locked, created=True), answers


def save_partial(
    org: Organization,
    survey: Survey,
    sub: Submission,
    page_id: str,
    *,
    checked: sd.ValidatedAnswers | None = None,
) -> Recorded:
    """Store an in-progress response: the answers given up to and including ``page_id``.

    ``sub.answers`` holds every answer given so far (the caller merges the page just submitted
    into the stored ones). The route through ``page_id`` is validated like a final submission
    (errors raise ``InvalidAnswers`` and change nothing); answers to questions on pages the route
    has not reached yet are kept when they are well-formed, so going back a page loses nothing.
    No Answer rows are written and ``responses_recorded`` is not sent: the response counts only
    once ``record_response`` completes it. A key whose response is already finished (complete or
    screened out) returns it unchanged. Returns ``Recorded(response, created)``, created for the
    first save. ``checked``: the caller's ``validate_answers`` of ``sub.answers`` through
    ``page_id`` on the version ``sub.version`` names, with the submission's context (respondent
    pages validate each page once); used when the response answers that version.
    """
    if not sub.idempotency_key:
        raise InvalidInput("idempotency_key", _("is required to save a response in progress"))
    sub = deidentify(survey, sub)
    _check_envelope(sub)
    scoped = Response.objects.for_org(org).filter(survey=survey, idempotency_key=sub.idempotency_key)
    existing = scoped.first()
    if existing is not None and existing.status != Response.Status.PARTIAL:
        return Recorded(existing, created=False)
    if survey.status == Survey.Status.CLOSED:
        raise InvalidInput("survey", _("the survey is closed"))
    version = existing.version if existing is not None else _version(org, survey, sub.version)
    definition = version_definition(version)
    if page_id not in definition.index.page_by_id:
        raise InvalidInput("page", _("the survey has no page %(page)s") % {"page": page_id})
    if checked is None or version.number != sub.version:
        checked = sd.validate_answers(definition, sub.answers, _context(sub), through_page=page_id)
    result = checked
    if not result.ok:
        raise InvalidAnswers(list(result.errors))
    if page_id not in result.route.pages:
        message = _("the page %(page)s is not on this respondent's route") % {"page": page_id}
        raise InvalidInput("page", message)
    visited = set(result.route.pages)
    answers = dict(result.values)
    for qid, raw in sub.answers.items():
        question = definition.questions.get(qid) if isinstance(qid, str) else None
        if question is None or question.type == "hidden" or question.page_id in visited:
            continue
        value, problems = clean_answer(question.spec, raw)
        if value is not None and not problems:
            answers[qid] = value
    now = timezone.now()
    fields = {
        "answers": answers,
        "language": result.language,
        "hidden": dict(sub.hidden or {}),
        "meta": {**(existing.meta if existing else {}), **sub.meta, "page": page_id,
                 "path": list(result.route.pages)},
    }
    with transaction.atomic():
        if existing is not None:
            # A row completed meanwhile is left as it is (the filter on status).
            scoped.filter(status=Response.Status.PARTIAL).update(**fields)
            existing.refresh_from_db()
            return Recorded(existing, created=False)
        try:
            with transaction.atomic():
                response = Response.objects.for_org(org).create(
                    organization=org,
                    survey=survey,
                    version=version,
                    idempotency_key=sub.idempotency_key,
                    status=Response.Status.PARTIAL,
                    channel=sub.channel,
                    touchpoint=sub.touchpoint or definition.data.get("touchpoint") or survey.touchpoint,
                    contact=_contact(org, sub),
                    unit=_unit(org, sub),
                    weight=sub.weight,
                    started_at=sub.started_at or now,
                    completed_at=None,
                    **fields,
                )
        except IntegrityError:
            # A concurrent first save with the same key (a double click): keep the stored one.
            return Recorded(scoped.get(), created=False)
    return Recorded(response, created=True)


# The Response columns a new response is written with (every concrete one but the id), in the
# model's order, so a row of them plus its id builds the instance with ``Model.from_db``.
_RESPONSE_COLUMNS = (
    "organization_id", "survey_id", "version_id", "idempotency_key", "status", "channel", "touchpoint",
    "language", "contact_id", "unit_id", "answers", "hidden", "meta", "weight", "started_at",
    "completed_at", "created_at",
)


def _new_response(
    org, survey, version, definition, sub: Submission, result, contact, unit, quota_keys=(), now=None
) -> tuple:
    """The row of a new complete response, in ``_RESPONSE_COLUMNS`` order (no model instance:
    ``_insert_responses`` builds those from the rows it wrote)."""
    now = now or timezone.now()
    completed = sub.completed_at or now
    return (
        org.pk,
        survey.pk,
        version.pk,
        sub.idempotency_key or f"auto-{secrets.token_hex(12)}",
        Response.Status.COMPLETE,
        sub.channel,
        sub.touchpoint or definition.data.get("touchpoint") or survey.touchpoint,
        result.language,
        contact.pk if contact is not None else None,
        unit.pk if unit is not None else None,
        dict(result.values),
        dict(sub.hidden or {}),
        {**sub.meta, "path": list(result.route.pages), **quota_counts.counted_meta(quota_keys)},
        sub.weight,
        sub.started_at or completed,
        completed,
        now,
    )


_RELATED = ("organization", "survey", "version", "contact", "unit")


def _insert_responses(rows: list[tuple], related: list[tuple]) -> list[Response]:
    """Insert new response rows (one multi-row INSERT per few hundred, ids returned in order)
    and return them as instances, with ``related`` (organization, survey, version, contact,
    unit of each row) already attached so receivers reading them run no query."""
    ids = insert_rows(Response, _RESPONSE_COLUMNS, rows, returning=True)
    fields = [Response._meta.get_field(name) for name in _RELATED]
    names = ("id", *_RESPONSE_COLUMNS)
    out = []
    for pk, row, objs in zip(ids, rows, related, strict=True):
        response = Response.from_db(connection.alias, names, (pk, *row))
        for f, obj in zip(fields, objs, strict=True):
            f.set_cached_value(response, obj)
        out.append(response)
    return out


def _store(org, survey, version, definition, sub: Submission, result, screen: bool = False) -> Response:
    contact, unit = _contact(org, sub), _unit(org, sub)
    context = _context(sub)
    keys = quota_counts.matched_keys(definition, result.route.answers, context)
    row = _new_response(org, survey, version, definition, sub, result, contact, unit, keys)
    (response,) = _insert_responses([row], [(org, survey, version, contact, unit)])
    answers = _insert_answers(_answer_rows(org, survey, response, result.rows, response.completed_at))
    quota_counts.count(org, survey.pk, definition, result.route.answers, context, keys, screen=screen)
    responses_recorded.send(sender=Response, recorded=[(response, answers)])
    return response


def record_batch(
    org: Organization,
    survey: Survey,
    subs: list[Submission],
    *,
    checked: list[sd.ValidatedAnswers | None] | None = None,
) -> list[Recorded]:
    """All or nothing: every submission is validated first; any error stores none of them.

    Raises ``BatchRejected`` with the per-item errors. New responses and their answers are
    written with multi-row statements (``bulk``), and ``responses_recorded`` is sent once for
    all. ``checked`` (imports: the check validated every row already): per submission, its
    ``validate_answers`` on the version ``sub.version`` names (which must be set), or None to
    validate here; see ``prepare``. A submission completing an in-progress response is always
    validated again (on that response's version).
    """
    for attempt in range(_ATTEMPTS):
        try:
            return _record_batch(org, survey, subs, checked)
        except IntegrityError:
            # A concurrent request stored one of these keys between our check and our insert: the
            # transaction rolled back as a whole, so another pass sees those keys as repeats.
            if attempt == _ATTEMPTS - 1:
                raise
        except OperationalError as exc:
            _retry_or_raise(exc, attempt)
    raise AssertionError("unreachable")  # pragma: no cover


# PostgreSQL aborts one of two transactions that wait for each other (deadlock, 40P01) or that
# cannot be serialised (40001); the aborted one wrote nothing and may simply run again.
_RETRYABLE = {"40P01", "40001"}
_ATTEMPTS = 5


def _retry_or_raise(exc: OperationalError, attempt: int) -> None:
    if attempt == _ATTEMPTS - 1 or getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE:
        raise exc
    time.sleep(0.005 * 2**attempt + secrets.randbelow(10) / 1000)


def _record_batch(
    org: Organization, survey: Survey, subs: list[Submission], checked: list | None = None
) -> list[Recorded]:
    subs = [deidentify(survey, sub) for sub in subs]
    errors: dict[int, dict] = {}
    prepared = []
    seen_keys: dict[str, int] = {}
    versions: dict[int | None, SurveyVersion] = {}  # looked up once per batch
    keys = [s.idempotency_key for s in subs if s.idempotency_key]
    stored: dict[str, Response] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        stored.update(
            (r.idempotency_key, r)
            for r in Response.objects.for_org(org).filter(survey=survey, idempotency_key__in=chunk)
        )
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
        existing = stored.get(sub.idempotency_key) if sub.idempotency_key else None
        if existing is not None and existing.status != Response.Status.PARTIAL:
            prepared.append((sub, existing, None))
            continue
        if existing is not None and sub.version is None:
            sub = _replace(sub, version=existing.version.number)
        given = checked[i] if checked is not None and existing is None and sub.version is not None else None
        try:
            if sub.contact is not None:
                customers.clean_contact_ref(sub.contact.external_id, sub.contact.fields)
            if sub.version not in versions:
                versions[sub.version] = _version(org, survey, sub.version)
            ready = prepare(org, survey, sub, checked=given, version=versions[sub.version])
            prepared.append((sub, existing, ready))
        except InvalidAnswers as exc:
            errors[i] = exc.errors
        except InvalidInput as exc:
            errors[i] = {exc.field: [exc.message]}
    if errors:
        raise BatchRejected(errors)
    out: list[Recorded | None] = [None] * len(prepared)
    units: dict[str, Unit | None] = {}
    new: list[tuple[int, tuple, tuple, object]] = []  # (index, response row, related, result)
    recorded: list[tuple[Response, list[AnswerRow]]] = []
    tally: Counter = Counter()  # quota keys of the batch: one count upsert for all of them
    now = timezone.now()
    with transaction.atomic():
        refs = [
            (sub.contact.external_id, sub.contact.fields, sub.contact.attributes)
            for sub, existing, ready in prepared
            if ready is not None and existing is None and sub.contact is not None
        ]
        contacts = customers.upsert_contacts(org, refs) if refs else {}
        for n, (sub, existing, ready) in enumerate(prepared):
            if ready is None:
                out[n] = Recorded(existing, created=False)
                continue
            version, definition, result = ready
            if existing is not None:  # an in-progress response completed through the batch
                out[n], answers = _complete_partial(
                    org, survey, existing, version, definition, sub, result, send=False, tally=tally
                )
                if out[n].created:
                    recorded.append((out[n].response, answers))
                continue
            code = sub.unit or str((sub.hidden or {}).get("store") or "")
            if code not in units:
                units[code] = _unit(org, sub)
            contact = contacts[sub.contact.external_id.strip()] if sub.contact is not None else None
            keys = ()
            if quota_counts.has_quotas(definition):
                keys = quota_counts.matched_keys(definition, result.route.answers, _context(sub))
                tally.update(keys)
            unit = units[code]
            row = _new_response(org, survey, version, definition, sub, result, contact, unit, keys, now)
            new.append((n, row, (org, survey, version, contact, unit), result))
        if new:
            responses = _insert_responses([item[1] for item in new], [item[2] for item in new])
            by_response = [
                _answer_rows(org, survey, response, result.rows, response.completed_at)
                for response, (_n, _row, _rel, result) in zip(responses, new, strict=True)
            ]
            _insert_answers([row for rows in by_response for row in rows])
            for response, (n, _row, _rel, _res), rows in zip(responses, new, by_response, strict=True):
                recorded.append((response, rows))
                out[n] = Recorded(response, created=True)
        quota_counts.add(org, survey.pk, tally)
        if recorded:
            responses_recorded.send(sender=Response, recorded=recorded)
    return out  # type: ignore[return-value]


class BatchRejected(InvalidInput):
    def __init__(self, errors: dict[int, dict]):
        self.item_errors = errors
        first = next(iter(errors))
        super().__init__(
            f"items[{first}]", _("%(n)s items were rejected; nothing was stored") % {"n": len(errors)}
        )
