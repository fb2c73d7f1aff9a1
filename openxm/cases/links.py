"""Action links: claim or close (resolve) a case from a Slack, Feishu, DingTalk or WeCom message.

A link is a signed token (Django's ``TimestampSigner``, its own salt) naming the organisation,
the case, ONE action (``claim`` or ``close``), whom it was issued to (a member, or the members
of the case's team) and a random nonce. It expires after ``OPENXM_CASE_LINK_HOURS`` (default
72) and works once: the nonce is written into the case event the action makes, and a second
use finds it there (checked with the case row locked, so two clicks at once act once).

Opening a link needs signing in: a message in a group chat is seen by everyone in the group
and may be forwarded, so the link alone never acts. The signed-in member must be the one the
link names (or a member of its team), still allowed ``cases.work``, with the case's unit in
their scope. The action itself goes through ``actions.py`` (state machine, event, audit).
Included: :func:`issue`, :func:`read`, :func:`use`. Excluded: the messages (``messenger.py``),
the page (``views_links.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm

from . import actions
from .machine import OPEN_STATES
from .models import Case, CaseEvent
from .services import get_case

SALT = "openxm.cases.action-link"
ACTIONS = ("claim", "close")


def max_age() -> int:
    return django_settings.OPENXM_CASE_LINK_HOURS * 3600


@dataclass(frozen=True)
class Link:
    organization_id: int
    case_id: int
    action: str
    user_id: int | None  # the member it was issued to, or None when it is the team's
    team_id: int | None
    nonce: str


class LinkError(Exception):
    """Why a link cannot be used: ``tampered``, ``expired``, ``used``, ``not_yours``,
    ``no_access`` or ``refused`` (the case's state does not allow the action any more)."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(code)


def issue(case: Case, action: str, user_id: int | None = None, team_id: int | None = None) -> str:
    """A token for ``action`` on ``case``, for one member or for the members of one team."""
    if action not in ACTIONS or (user_id is None) == (team_id is None):
        raise ValueError("a link is for one action and either a member or a team")
    payload = {
        "o": case.organization_id,
        "c": case.pk,
        "a": action,
        "u": user_id,
        "t": team_id,
        "n": secrets.token_urlsafe(9),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read(token: str) -> Link:
    """The link a token stands for; LinkError ``expired`` or ``tampered``."""
    try:
        p = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("tampered") from None
    if p.get("a") not in ACTIONS:
        raise LinkError("tampered")
    return Link(p["o"], p["c"], p["a"], p.get("u"), p.get("t"), p["n"])


def _check_holder(actor: Actor, link: Link) -> Case:
    """The case, when ``actor`` is whom the link was issued to and may still work the case."""
    if actor.organization.pk != link.organization_id or actor.user is None:
        raise LinkError("not_yours")
    if link.user_id is not None and link.user_id != actor.user.pk:
        raise LinkError("not_yours")
    if not actor.can(Perm.CASES_WORK):
        raise LinkError("no_access")
    try:
        case = get_case(actor, link.case_id)
    except NotFound:
        raise LinkError("no_access") from None
    if link.team_id is not None:
        if case.team_id != link.team_id:
            raise LinkError("not_yours", _("the case has left the team's queue"))
        if not case.team.members.filter(pk=actor.user.pk).exists():
            raise LinkError("not_yours")
    return case


def check(actor: Actor, token: str) -> tuple[Link, Case]:
    """What the confirmation page shows: the link and its case, or LinkError."""
    link = read(token)
    case = _check_holder(actor, link)
    if CaseEvent.objects.for_org(actor.organization).filter(case=case, data__link=link.nonce).exists():
        raise LinkError("used")
    return link, case


def use(actor: Actor, token: str) -> Case:
    """Perform the link's action as ``actor``: claim (take the case, move it to in progress)
    or close (resolve it). LinkError when it cannot; the case's log names the link."""
    link, _case = check(actor, token)
    with transaction.atomic():
        case = Case.objects.for_org(actor.organization).select_for_update().get(pk=link.case_id)
        if CaseEvent.objects.for_org(actor.organization).filter(case=case, data__link=link.nonce).exists():
            raise LinkError("used")  # the other of two clicks at once
        reason = _("from a messenger link")
        try:
            if link.action == "claim":
                mine, fresh = case.assignee_id == actor.user.pk, case.state in ("new", "reopened")
                if case.assignee_id is not None and not mine:
                    raise LinkError("refused", _("%(who)s has taken it") % {"who": case.assignee})
                if case.state not in OPEN_STATES:
                    raise LinkError("refused", _("the case is no longer open"))
                if mine and not fresh:
                    raise LinkError("refused", _("it is already yours and in progress"))
                if not mine:
                    actions.assign(actor, case.pk, email=actor.user.email, reason=reason, link=link.nonce)
                if fresh:
                    actions.transition(actor, case.pk, "in_progress", reason, link=link.nonce)
            else:
                actions.transition(actor, case.pk, "resolved", reason, link=link.nonce)
        except InvalidInput as exc:
            raise LinkError("refused", exc.message) from None
        audit.record(
            actor, "case.link_used", target_type="case", target_id=case.pk, data={"action": link.action}
        )
    case.refresh_from_db()
    return case
