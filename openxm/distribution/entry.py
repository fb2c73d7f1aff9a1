"""Ways into a survey: each builds a ``respond.Session`` from a signed token (or, for the preview,
a signed-in designer's survey id), or raises ``Unavailable`` with the reason to show.

- ``public_session``: a public link, QR code or intercept (anonymous; hidden fields from the
  query string for the survey's hidden questions);
- ``invitation_session``: a personal link (expiring, single-use: once its response is complete the
  link shows the thank-you page; tied to the contact and the touchpoint; resumes a partial
  response);
- ``resume_session``: an anonymous response in progress;
- ``done_session``: the ending of a completed response;
- ``preview_session``: the draft of a survey, nothing stored.

A public link is opened by many respondents at once (a QR code at a till, a link in a
newsletter): its organization and distribution (with the survey and its current version) are
remembered per process for ``LINK_CACHE_SECONDS``. Saving or deleting an organization, survey or
distribution in this process forgets them; other processes see a closed survey or a paused link
within that time.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openxm.accounts.models import Organization
from openxm.surveys import collect
from openxm.surveys import definition as sd
from openxm.surveys.models import Response, Survey
from openxm.utils.ttl import TTLCache

from . import invitations, tokens
from .models import Distribution, Invitation
from .respond import Session, choose_language, hidden_values, new_key


class Unavailable(Exception):
    """The survey cannot be answered through this door; ``reason`` is shown, ``status`` returned."""

    def __init__(self, reason, status: int = 404, kind: str = "invalid", language: str = ""):
        # ``reason`` is a lazy translation, rendered in ``language`` (the respondent's) when known.
        self.reason, self.status, self.kind, self.language = reason, status, kind, language
        super().__init__(str(reason))


def _invalid_link() -> Unavailable:
    return Unavailable(_("This link is not valid. Please check that you copied all of it."), 404, "invalid")


def _organization(org_id: int) -> Organization:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise _invalid_link()
    return org


def _answerable(survey: Survey) -> None:
    if survey.status == Survey.Status.CLOSED:
        raise Unavailable(_("This survey is closed. Thank you for your interest."), 410, "closed")
    if survey.current_version_id is None:
        raise _invalid_link()


def _distribution(org: Organization, distribution_id: int) -> Distribution:
    dist = (
        Distribution.objects.for_org(org)
        .select_related("survey__current_version", "unit")
        .filter(pk=distribution_id)
        .first()
    )
    if dist is None:
        raise _invalid_link()
    _distribution_open(dist)
    return dist


def _distribution_open(dist: Distribution) -> None:
    if not dist.active:
        raise Unavailable(
            _("This survey is no longer collecting answers. Thank you for your interest."), 410, "closed"
        )


LINK_CACHE_SECONDS = 2
_recent_links = TTLCache(LINK_CACHE_SECONDS, maxsize=1024)


def _link(org_id: int, distribution_id: int) -> tuple[Organization, Distribution]:
    """The organization and distribution of a public link (see the module docstring); whether the
    link and its survey may be answered is checked on every call."""
    found = _recent_links.get((org_id, distribution_id))
    if found is None:
        org = _organization(org_id)
        found = (org, _distribution(org, distribution_id))
        _recent_links.set((org_id, distribution_id), found)
    else:
        _distribution_open(found[1])
    return found


def forget_links(**kwargs) -> None:
    """``post_save``/``post_delete`` receiver of Organization, Survey and Distribution
    (connected in ``DistributionConfig.ready``)."""
    _recent_links.clear()


def _touchpoint(dist: Distribution | None, survey: Survey, definition: sd.SurveyDefinition) -> str:
    return (dist.touchpoint if dist else "") or definition.data.get("touchpoint") or survey.touchpoint or ""


def public_session(token: str, query, accept_language: str = "") -> Session:
    """A new anonymous session from a public link (nothing stored until the first page is sent)."""
    try:
        org_id, distribution_id = tokens.parse_link(token)
    except tokens.BadToken:
        raise _invalid_link() from None
    org, dist = _link(org_id, distribution_id)
    survey = dist.survey
    _answerable(survey)
    version = survey.current_version
    definition = collect.version_definition(version)
    return Session(
        org=org,
        survey=survey,
        definition=definition,
        language=choose_language(definition, asked=query.get("lang"), accept=accept_language),
        version_number=version.number,
        hidden=hidden_values(definition, dist.hidden, {k: query.get(k) for k in query}),
        seed=new_key("s")[2:14],
        key=new_key(dist.channel),
        channel=dist.channel,
        touchpoint=_touchpoint(dist, survey, definition),
        unit=dist.unit.code if dist.unit_id else "",
        distribution=dist,
    )


def restore_start(session: Session, state: dict) -> None:
    """Apply the signed first-page state (key, seed, hidden fields, language) to a new session."""
    session.key = str(state.get("k") or session.key)
    session.seed = str(state.get("s") or session.seed)
    session.hidden = hidden_values(session.definition, state.get("h") or {})
    if state.get("l") in session.definition.languages:
        session.language = state["l"]


def start_state(session: Session) -> str:
    return tokens.dump_state(
        {"k": session.key, "s": session.seed, "h": session.hidden, "l": session.language}, "start"
    )


def _from_response(session: Session, response: Response) -> None:
    session.response = response
    session.answers = {
        k: v
        for k, v in (response.answers or {}).items()
        if k in session.definition.questions and session.definition.question(k).type != "hidden"
    }
    session.hidden = dict(response.hidden or {})
    session.seed = str(response.meta.get("seed") or "")
    session.key = response.idempotency_key
    if response.language in session.definition.languages:
        session.language = response.language


def resume_session(token: str) -> Session:
    """An anonymous response in progress (or complete: the caller shows its ending)."""
    try:
        org_id, response_id = tokens.parse_resume(token)
    except tokens.BadToken:
        raise _invalid_link() from None
    org = _organization(org_id)
    response = (
        Response.objects.for_org(org)
        .select_related("survey__current_version", "version")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        raise _invalid_link()
    survey = response.survey
    if response.status == Response.Status.PARTIAL:
        _answerable(survey)
    definition = collect.version_definition(response.version)
    dist = None
    if response.meta.get("distribution"):
        dist = Distribution.objects.for_org(org).filter(pk=response.meta["distribution"]).first()
    session = Session(
        org=org,
        survey=survey,
        definition=definition,
        language=definition.default_language,
        version_number=response.version.number,
        channel=response.channel,
        touchpoint=response.touchpoint,
        unit=response.unit.code if response.unit_id else "",
        distribution=dist,
    )
    _from_response(session, response)
    return session


def done_session(token: str) -> Session:
    try:
        org_id, response_id = tokens.parse_done(token)
    except tokens.BadToken:
        raise _invalid_link() from None
    org = _organization(org_id)
    response = (
        Response.objects.for_org(org)
        .select_related("survey", "version", "contact")
        .filter(pk=response_id)
        .first()
    )
    if response is None or response.status == Response.Status.PARTIAL:
        raise _invalid_link()
    definition = collect.version_definition(response.version)
    session = Session(
        org=org,
        survey=response.survey,
        definition=definition,
        language=definition.default_language,
        version_number=response.version.number,
    )
    _from_response(session, response)
    if response.contact is not None:
        session.contact_context = invitations.contact_context(response.contact)
    return session


def invitation_session(token: str, query=None, accept_language: str = "") -> Session:
    """The session of a personal link: the invitation's response in progress, or a new one.

    Raises ``Unavailable`` for a tampered or expired link, a closed survey, and (kind ``done``)
    for an invitation already answered; marks the invitation opened.
    """
    try:
        ref = tokens.parse_invitation(token)
    except tokens.BadToken:
        raise _invalid_link() from None
    org = _organization(ref.org_id)
    invitation = (
        Invitation.objects.for_org(org)
        .select_related("distribution__unit", "survey__current_version", "contact", "response__version")
        .filter(pk=ref.invitation_id)
        .first()
    )
    if invitation is None or invitation.nonce != ref.nonce:
        raise _invalid_link()
    response = invitation.response
    language = invitation.language or invitation.contact.language
    # complete or screened out; an employee survey's invitation keeps no response, only its time
    if response is None:
        finished = invitation.completed_at is not None
    else:
        finished = response.status != Response.Status.PARTIAL
    if finished:
        raise Unavailable(_("You have already answered this survey. Thank you!"), 200, "done", language)
    expired = invitation.expires_at < timezone.now()
    try:
        ref.check_age(invitation.distribution.link_days)
    except tokens.BadToken:
        expired = True
    if expired:
        raise Unavailable(_("This link has expired. Thank you for your interest."), 410, "expired", language)
    survey = invitation.survey
    if not invitation.distribution.active:
        raise Unavailable(
            _("This survey is no longer collecting answers. Thank you for your interest."),
            410,
            "closed",
            language,
        )
    try:
        _answerable(survey)
    except Unavailable as exc:
        exc.language = language
        raise
    contact = invitation.contact
    if (
        invitation.distribution.one_response_per_contact
        and response is None
        and (invitations.contact_has_answered(org, survey, contact))
    ):
        raise Unavailable(_("You have already answered this survey. Thank you!"), 200, "done", language)
    version = response.version if response is not None else survey.current_version
    definition = collect.version_definition(version)
    query = query or {}
    contact_context = invitations.contact_context(contact)
    session = Session(
        org=org,
        survey=survey,
        definition=definition,
        language=choose_language(
            definition,
            asked=query.get("lang") or invitation.language or None,
            contact=contact.language,
            accept=accept_language,
        ),
        version_number=version.number,
        hidden=hidden_values(definition, invitation.distribution.hidden, invitation.hidden),
        contact_context=contact_context,
        seed=f"i{invitation.pk}",
        key=f"inv-{invitation.pk}",
        channel=invitation.channel,
        touchpoint=invitation.touchpoint or _touchpoint(invitation.distribution, survey, definition),
        unit=invitation.distribution.unit.code if invitation.distribution.unit_id else "",
        distribution=invitation.distribution,
        invitation=invitation,
    )
    if response is not None:
        asked = query.get("lang")
        _from_response(session, response)
        if asked:
            session.language = choose_language(definition, asked=asked)
    invitations.mark_opened(invitation)
    return session


def preview_session(survey: Survey, language: str | None, state: dict | None = None) -> Session:
    """The draft of ``survey`` as a respondent would see it; ``sd.DefinitionError`` when the draft
    is not valid yet."""
    definition = sd.load_definition(survey.draft)
    state = state or {}
    session = Session(
        org=None,  # type: ignore[arg-type]  # nothing is stored in a preview
        survey=survey,
        definition=definition,
        language=choose_language(definition, asked=language or state.get("l")),
        seed=str(state.get("s") or "preview"),
        answers=dict(state.get("a") or {}),
        preview=True,
    )
    session.hidden = hidden_values(definition, state.get("h") or {})
    return session


def preview_state(session: Session) -> str:
    return tokens.dump_state(
        {"a": session.answers, "s": session.seed, "l": session.language, "h": session.hidden}, "preview"
    )
