"""Answering a survey page by page: the one flow behind public links, QR codes, personal links,
intercepts and the builder's preview.

A ``Session`` is one respondent's position in one survey: the definition answered (a published
version, or the draft in a preview), the language, hidden fields, contact data for piping, the
ordering seed, the answers so far and the page shown. Sessions are rebuilt on every request from
signed tokens and the stored in-progress response, so pages work without JavaScript and without
a session cookie (also inside a third-party iframe).

``page_context`` gives what a page template shows; ``submit_page`` checks one submitted page and
moves on: it stores the answers so far as a partial response (``collect.save_partial``), or
completes the response on the last page (``collect.record_response``). Quotas are checked after
every page and again, race-free, when the response completes (``surveys.screening``): a full cell
ends the survey at the quota's ending (the response kept as screened out) or stops it with the
quota's message (the response discarded). Nothing is stored, and no quota checked, in a preview.
Invitation progress (started, completed) is stored in the transaction that stores the answers:
both or neither. Each submitted page is validated once; the result goes on to ``collect``.
Excluded: HTTP (views.py), tokens (tokens.py), form fields (widgets.py).
"""

import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization
from openxm.surveys import collect, screening
from openxm.surveys import definition as sd
from openxm.surveys.models import Response, Survey

from . import invitations, widgets
from .models import Distribution, Invitation

LANGUAGE_NAMES = {
    "en": "English",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
    "ja": "日本語",
    "ko": "한국어",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "it": "Italiano",
    "ru": "Русский",
    "ar": "العربية",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
    "nl": "Nederlands",
}


def language_choices(definition: sd.SurveyDefinition) -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in definition.languages]


def django_language(survey_language: str) -> str:
    """The Django language code for the pages' own words (buttons, progress)."""
    canonical = sd.canonical_language(survey_language or "en")
    if canonical.startswith("zh"):
        return "zh-hans"
    return canonical.split("-")[0].lower()


@dataclass
class Session:
    org: Organization
    survey: Survey
    definition: sd.SurveyDefinition
    language: str
    version_number: int | None = None  # None: the draft (preview)
    hidden: dict = field(default_factory=dict)
    contact_context: dict = field(default_factory=dict)
    seed: str = ""
    answers: dict = field(default_factory=dict)
    key: str = ""
    channel: str = "link"
    touchpoint: str = ""
    unit: str = ""
    distribution: Distribution | None = None
    invitation: Invitation | None = None
    response: Response | None = None  # the stored in-progress response
    preview: bool = False

    @property
    def context(self) -> sd.ResponseContext:
        return sd.ResponseContext(
            hidden=self.hidden, contact=self.contact_context, language=self.language, seed=self.seed or None
        )

    @property
    def ordering(self) -> sd.Ordering:
        return sd.randomize(self.definition, self.seed or None)

    def route(self) -> sd.Route:
        """The pages answered so far (through the last page saved)."""
        last = (self.response.meta.get("page") if self.response is not None else None) or None
        if last is None:
            return sd.Route(())
        return sd.walk(self.definition, self.answers, self.context, through_page=last)

    def current_page(self) -> str | None:
        """The page to show next: after the last page saved (None when the route has ended)."""
        route = self.route()
        if not route.pages:
            return sd.next_step(self.definition, None, {}, self.context, self.ordering).page_id
        return sd.next_step(
            self.definition, route.pages[-1], route.answers, self.context, self.ordering
        ).page_id

    def allowed_pages(self) -> list[str]:
        """Pages a respondent may open: those already answered and the current one."""
        pages = list(self.route().pages)
        current = self.current_page()
        if current and current not in pages:
            pages.append(current)
        return pages


def choose_language(
    definition: sd.SurveyDefinition, *, asked: str | None = None, contact: str | None = None, accept: str = ""
) -> str:
    """The respondent's language: one asked for (``?lang=``), else the contact's, else the browser's
    (Accept-Language, in order), else the survey default."""
    languages = definition.languages
    candidates = [asked] if asked else []
    if contact:
        candidates.append(contact)
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            candidates.append(tag)
    for candidate in candidates:
        chosen = sd.pick_language(languages, "", respondent=candidate)
        if chosen:
            return chosen
    return definition.default_language


# Hidden keys the platform itself sets on invitations, kept whatever the survey defines: the
# cases follow-up marks its invitation with the case id (openxm/cases/followup.py), which any
# survey may carry. A forged value is harmless: an answer reaches a case only from its customer.
PLATFORM_HIDDEN = frozenset({"case"})


def hidden_values(definition: sd.SurveyDefinition, *sources: dict) -> dict:
    """Values of the definition's hidden fields and of ``PLATFORM_HIDDEN``, later sources
    winning; other keys are ignored."""
    ids = {qid for qid, q in definition.questions.items() if q.type == "hidden"} | PLATFORM_HIDDEN
    out: dict = {}
    for source in sources:
        for key, value in (source or {}).items():
            if key in ids and value not in (None, ""):
                out[key] = str(value)[:500]
    return out


def new_key(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(18)}"


# --- what a page shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    number: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * (self.number - 1) / self.total) if self.total else 0


def page_context(
    session: Session,
    page_id: str,
    *,
    errors: dict | None = None,
    shown_answers: dict | None = None,
) -> dict:
    """Template context of one page: title, questions (with answers and errors), progress, back page."""
    definition = session.definition
    answers = shown_answers if shown_answers is not None else session.answers
    questions = widgets.page_questions(
        definition, page_id, answers, session.context, session.language, errors
    )
    page = definition.page(page_id)
    text = widgets._Text(definition, answers, session.context, session.language)
    order = list(session.ordering.pages)
    allowed = session.allowed_pages() if not session.preview else order
    back = None
    if page_id in allowed and allowed.index(page_id) > 0:
        back = allowed[allowed.index(page_id) - 1]
    flat = [m for ms in (errors or {}).values() for m in ms]
    return {
        "survey_title": text(definition.title),
        "survey_description": text(definition.data.get("description")) if order.index(page_id) == 0 else "",
        "page_id": page_id,
        "page_title": text(page.spec.get("title")),
        "page_description": text(page.spec.get("description")),
        "questions": questions,
        "progress": Progress(order.index(page_id) + 1, len(order)),
        "back_page": back,
        "is_last": _maybe_last(session, page_id),
        "language": session.language,
        "error_count": len(flat),
        "preview": session.preview,
    }


def _maybe_last(session: Session, page_id: str) -> bool:
    """True when no page can follow ``page_id`` whatever the answers (the button says Submit)."""
    page = session.definition.page(page_id)
    order = list(session.ordering.pages)
    if any("goto" in rule for rule in page.spec.get("next", [])):
        return False
    if page.spec.get("next") and all("end" in rule and "if" not in rule for rule in page.spec["next"]):
        return True
    return order.index(page_id) == len(order) - 1


def survey_title(session: Session) -> str:
    return widgets._Text(session.definition, {}, session.context, session.language)(session.definition.title)


def ending_text(session: Session, ending_id: str | None) -> tuple[str, str]:
    """(text, redirect url) of an ending; the platform's thank-you words when there is none."""
    if ending_id is None:
        return _("Thank you! Your answers have been recorded."), ""
    ending = session.definition.ending(ending_id)
    text = widgets._Text(session.definition, session.answers, session.context, session.language)
    return text(ending["text"]), ending.get("redirect_url", "")


# --- submitting a page ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What came of a submitted page: ``errors`` to show again, the ``next_page``, or ``finished``
    (with the stored ``response``, or nothing stored in a preview) and the ``ending_id``; or
    ``stopped`` by a full quota, with the quota's ``message`` (nothing kept)."""

    errors: dict = field(default_factory=dict)
    shown_answers: dict = field(default_factory=dict)
    next_page: str | None = None
    finished: bool = False
    ending_id: str | None = None
    response: Response | None = None
    created: bool = False
    stopped: bool = False
    message: str = ""


def _submission(session: Session, answers: dict, meta: dict | None = None) -> collect.Submission:
    contact = None
    invitation = session.invitation
    if invitation is not None:
        contact = collect.ContactRef(invitation.contact.external_id)
    unit = session.unit
    return collect.Submission(
        answers=answers,
        idempotency_key=session.key,
        channel=session.channel,
        touchpoint=session.touchpoint,
        language=session.language,
        contact=contact,
        contact_context=session.contact_context,
        hidden=session.hidden,
        unit=unit,
        meta={"seed": session.seed, **(meta or {})},
        version=session.version_number,
    )


def submit_page(session: Session, page_id: str, form) -> Outcome:
    """Check the answers of ``page_id`` from a submitted form and go on (see the module doc).

    A bad page changes nothing stored: the outcome carries an error per field, in the
    respondent's language, and the answers as given so the page can be shown again.
    """
    definition = session.definition
    # Errors found here are read by the respondent: the survey's language, not the request's.
    with translation.override(django_language(session.language)):
        page_answers, form_errors = widgets.answers_from_form(definition, page_id, form)
    on_page = set(definition.page(page_id).question_ids)
    merged = {k: v for k, v in session.answers.items() if k not in on_page}
    merged.update({k: v for k, v in page_answers.items() if v is not None})
    result = sd.validate_answers(definition, merged, session.context, through_page=page_id)
    errors: dict[str, list[str]] = {}
    for issue in result.errors:
        errors.setdefault(issue.path or "answers", []).append(issue.message)
    for qid, messages in form_errors.items():
        errors.setdefault(qid, []).extend(messages)
    if not errors and page_id not in result.route.pages:
        with translation.override(django_language(session.language)):
            errors["answers"] = [_("This page is not part of your route through the survey.")]
    if errors:
        return Outcome(errors=errors, shown_answers=merged)
    step = sd.next_step(definition, page_id, result.route.answers, session.context, session.ordering)
    visited = set(result.route.pages)
    kept = {k: v for k, v in merged.items() if definition.question(k).page_id not in visited}
    kept.update({k: v for k, v in result.values.items() if definition.question(k).type != "hidden"})
    session.answers = kept
    if session.preview:
        return Outcome(next_page=step.page_id, finished=step.finished, ending_id=step.ending_id)
    meta = {}
    if session.distribution is not None:
        meta["distribution"] = session.distribution.pk
    if session.invitation is not None:
        meta["invitation"] = session.invitation.pk
    if step.finished:
        final = {k: v for k, v in kept.items() if k in result.route.answers or k in result.values}
        sub = _submission(session, final, meta)
    else:
        sub = _submission(session, kept, meta)
        decision = screening.page_decision(
            session.org, session.survey, definition, result.route.answers, session.context
        )
        if decision.stops:
            return _screened(session, sub, page_id, decision)
    try:
        # The answers and the invitation's progress are one change: both stored, or neither.
        with transaction.atomic():
            if step.finished:
                recorded = collect.record_response(
                    session.org, session.survey, sub, screen=True, checked=result
                )
            else:
                recorded = collect.save_partial(session.org, session.survey, sub, page_id, checked=result)
            _progress(session, recorded.response)
    except collect.QuotaFull as exc:
        return _screened(session, sub, page_id, exc.decision)
    except collect.InvalidAnswers as exc:
        return Outcome(errors=exc.errors, shown_answers=merged)
    except InvalidInput as exc:
        return Outcome(errors={"answers": [exc.message]}, shown_answers=merged)
    session.response = recorded.response
    if step.finished:
        ending = step.ending_id
        if recorded.response.status != Response.Status.PARTIAL and not recorded.created:
            ending = _stored_ending(session, recorded.response)
        return Outcome(finished=True, ending_id=ending, response=recorded.response, created=recorded.created)
    return Outcome(next_page=step.page_id, response=recorded.response, created=recorded.created)


def _progress(session: Session, response: Response) -> None:
    """Move the session's invitation on: started by a response in progress, completed by a
    finished one (complete, or screened out by a quota: no reminders either way)."""
    if session.invitation is None:
        return
    if response.status == Response.Status.PARTIAL:
        invitations.mark_started(session.invitation, response)
    else:
        invitations.mark_completed(session.invitation, response)


def _screened(session: Session, sub: collect.Submission, page_id: str, decision: sd.QuotaDecision) -> Outcome:
    """The outcome for a respondent who fell into a full quota cell (see the module docstring)."""
    if decision.action == "end":
        try:
            with transaction.atomic():
                recorded = screening.screen_out(session.org, session.survey, sub, page_id, decision)
                _progress(session, recorded.response)
        except collect.InvalidAnswers as exc:
            return Outcome(errors=exc.errors, shown_answers=session.answers)
        except InvalidInput as exc:
            return Outcome(errors={"answers": [exc.message]}, shown_answers=session.answers)
        session.response = recorded.response
        return Outcome(
            finished=True,
            ending_id=_stored_ending(session, recorded.response),
            response=recorded.response,
            created=recorded.created,
        )
    screening.discard(session.org, session.survey, sub.idempotency_key)
    session.response = None
    text = widgets._Text(session.definition, session.answers, session.context, session.language)
    message = text(decision.message) if decision.message else ""
    return Outcome(
        stopped=True,
        message=message or _("Thank you for your interest. We already have all the answers we need."),
    )


def _stored_ending(session: Session, response: Response) -> str | None:
    if response.status == Response.Status.SCREENED:
        return screening.ending_of(response)
    route = sd.walk(session.definition, response.answers, session.context)
    return route.ending_id


def stored_ending(session: Session) -> str | None:
    """The ending of the session's completed response."""
    return _stored_ending(session, session.response)
