"""Invitations: creating them under the contact-frequency rules, their state and delivery log,
opt-outs, bounces and complaints.

Contact rules, applied to every invitation whatever its channel (e-mail campaigns, events,
messengers): nothing goes to a contact who unsubscribed or to a suppressed address; at most one
invitation per contact per ``Policy.contact_cap_days`` across all surveys (or the contact's
value tier's own cap, ``openxm.customers.tiers``: champions may be asked less often), and per
trigger's ``survey_cap_days`` for one survey. The checks run with the contact's row locked, so two events
for the same person arriving together cannot both pass.
Invitation status only moves forward (queued → sent → opened → started → completed); bounces and
complaints can end it at any point. Every change is a ``DeliveryEvent`` line.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm
from openxm.analytics.employee import confidential
from openxm.customers import tiers
from openxm.customers.consent import SURVEYS, may_contact
from openxm.customers.directory import CHANNELS as PREFERENCE_CHANNELS
from openxm.customers.models import Contact
from openxm.surveys.models import Response, Survey

from . import conf, tokens
from .models import DeliveryEvent, Distribution, Event, Invitation, Policy, Suppression

Status = Invitation.Status
_RANK = {
    Status.QUEUED: 0,
    Status.FAILED: 1,
    Status.SENT: 1,
    Status.OPENED: 2,
    Status.STARTED: 3,
    Status.COMPLETED: 4,
    Status.BOUNCED: 1,
    Status.COMPLAINED: 1,
    Status.SUPPRESSED: 1,
}


def log(invitation: Invitation, kind: str, detail: str = "", when=None) -> DeliveryEvent:
    """Append a line to the invitation's delivery log."""
    org = Organization(pk=invitation.organization_id)
    return DeliveryEvent.objects.for_org(org).create(
        organization_id=invitation.organization_id,
        invitation=invitation,
        kind=kind,
        detail=detail[:500],
        created_at=when or timezone.now(),
    )


def policy(org: Organization) -> Policy:
    found = Policy.objects.for_org(org).first()
    if found is None:
        found, _created = Policy.objects.for_org(org).get_or_create(organization=org)
    return found


def personal_url(invitation: Invitation) -> str:
    token = tokens.invitation_token(invitation.organization_id, invitation.pk, invitation.nonce)
    return conf.absolute(f"/r/i/{token}/")


def unsubscribe_url(invitation: Invitation) -> str:
    return conf.absolute(f"/r/u/{tokens.unsubscribe_token(invitation.organization_id, invitation.pk)}/")


# --- respondent progress -------------------------------------------------------------------


def _advance(invitation: Invitation, status: str, stamp: str, kind: str, detail: str = "", **extra) -> bool:
    """Move the invitation forward to ``status`` (never backwards) and log it, once."""
    org = Organization(pk=invitation.organization_id)
    now = timezone.now()
    changes = {stamp: now, **extra}
    forward = _RANK.get(invitation.status, 0) < _RANK[status] and invitation.status not in (
        Status.BOUNCED,
        Status.COMPLAINED,
    )
    if forward:
        changes["status"] = status
    updated = (
        Invitation.objects.for_org(org)
        .filter(pk=invitation.pk, **{f"{stamp}__isnull": True})
        .update(**changes)
    )
    if not updated:
        return False
    for key, value in changes.items():
        setattr(invitation, key, value)
    log(invitation, kind, detail, now)
    return True


def mark_opened(invitation: Invitation) -> None:
    if invitation.opened_at is None:
        _advance(invitation, Status.OPENED, "opened_at", DeliveryEvent.Kind.OPENED)


def _link(invitation: Invitation, response: Response) -> dict:
    """The invitation's link to its response; none for an employee survey, whose responses are
    never linked to a person (the invitation names its contact)."""
    return {} if confidential(invitation.survey.audience) else {"response": response}


def mark_started(invitation: Invitation, response: Response) -> None:
    if invitation.started_at is None:
        link = _link(invitation, response)
        _advance(invitation, Status.STARTED, "started_at", DeliveryEvent.Kind.STARTED, **link)


def mark_completed(invitation: Invitation, response: Response) -> None:
    if invitation.started_at is None:
        mark_started(invitation, response)
    if invitation.completed_at is None:
        link = _link(invitation, response)
        _advance(
            invitation,
            Status.COMPLETED,
            "completed_at",
            DeliveryEvent.Kind.COMPLETED,
            detail=f"response {response.pk}" if link else "",
            **link,
        )


def contact_context(contact: Contact) -> dict:
    """What a survey's piping and logic read as ``{{contact.x}}``: the attributes, the name and
    first name, and the language."""
    out = dict(contact.attributes or {})
    if contact.name:
        out.setdefault("name", contact.name)
        out.setdefault("first_name", contact.name.split()[0] if " " in contact.name else contact.name)
    if contact.language:
        out.setdefault("language", contact.language)
    return out


def contact_has_answered(org: Organization, survey: Survey, contact: Contact) -> bool:
    return (
        Response.objects.for_org(org)
        .filter(survey=survey, contact=contact, status=Response.Status.COMPLETE)
        .exists()
    )


# --- creating invitations ------------------------------------------------------------------


def address_for(channel: str, contact: Contact) -> str:
    """Where a channel reaches a contact: e-mail, phone, or a messenger id kept as an attribute
    (``wechat_openid``, ``wecom_userid``, ``dingtalk_userid``; ``webhook`` uses the external id)."""
    attrs = contact.attributes or {}
    if channel == "email":
        return contact.email.strip().lower()
    if channel == "sms":
        return contact.phone.strip()
    if channel == "wechat":
        return str(attrs.get("wechat_openid") or "")
    if channel == "wecom":
        return str(attrs.get("wecom_userid") or "")
    if channel == "dingtalk":
        return str(attrs.get("dingtalk_userid") or contact.phone or "")
    if channel == "webhook":
        return contact.external_id
    return ""


def is_suppressed(org: Organization, address: str) -> bool:
    return bool(address) and Suppression.objects.for_org(org).filter(address=address.lower()).exists()


class NotInvited(Exception):
    """The contact rules stopped this invitation; ``outcome`` is an ``Event.Outcome`` value."""

    def __init__(self, outcome: str):
        self.outcome = outcome
        super().__init__(outcome)


def check_rules(
    org: Organization,
    contact: Contact,
    survey: Survey,
    channel: str,
    *,
    survey_cap_days: int | None,
    now=None,
) -> str:
    """The address to use, or raises ``NotInvited`` naming the rule that stops the invitation."""
    now = now or timezone.now()
    # Unsubscribed, consent to feedback requests withdrawn, or this channel switched off.
    if not may_contact(contact, SURVEYS, channel if channel in PREFERENCE_CHANNELS else ""):
        raise NotInvited(Event.Outcome.UNSUBSCRIBED)
    address = address_for(channel, contact)
    if not address:
        raise NotInvited(Event.Outcome.NO_ADDRESS)
    if is_suppressed(org, address):
        raise NotInvited(Event.Outcome.UNSUBSCRIBED)
    recent = Invitation.objects.for_org(org).filter(contact=contact).exclude(status=Status.SUPPRESSED)
    global_days = tiers.contact_cap_days(org, contact, policy(org).contact_cap_days)
    if global_days and recent.filter(created_at__gt=now - timedelta(days=global_days)).exists():
        raise NotInvited(Event.Outcome.CAPPED_GLOBAL)
    if (
        survey_cap_days
        and recent.filter(survey=survey, created_at__gt=now - timedelta(days=survey_cap_days)).exists()
    ):
        raise NotInvited(Event.Outcome.CAPPED_SURVEY)
    return address


def create_invitation(
    org: Organization,
    distribution: Distribution,
    contact: Contact,
    *,
    hidden: dict | None = None,
    language: str = "",
    survey_cap_days: int | None = None,
    apply_caps: bool = True,
    send_after=None,
    now=None,
) -> Invitation:
    """A queued invitation, or ``NotInvited``. Call inside a transaction: the contact row is locked
    while the rules are checked. ``send_after`` schedules it: the sender leaves it queued until
    then, and its link is valid for the distribution's days from then. The contact rules count
    it from now (it is planned now, so a second survey cannot be planned into the same days)."""
    now = now or timezone.now()
    locked = Contact.objects.for_org(org).select_for_update().get(pk=contact.pk)
    if apply_caps:
        address = check_rules(
            org, locked, distribution.survey, distribution.channel, survey_cap_days=survey_cap_days, now=now
        )
    else:
        address = address_for(distribution.channel, locked)
        if not address:
            raise NotInvited(Event.Outcome.NO_ADDRESS)
    invitation = Invitation.objects.for_org(org).create(
        organization=org,
        distribution=distribution,
        survey=distribution.survey,
        contact=locked,
        channel=distribution.channel,
        touchpoint=distribution.touchpoint or distribution.survey.touchpoint,
        address=address,
        language=language or locked.language,
        hidden=dict(hidden or {}),
        nonce=secrets.token_urlsafe(9),
        expires_at=max(now, send_after or now) + timedelta(days=distribution.link_days),
        send_after=send_after,
        created_at=now,
    )
    log(invitation, DeliveryEvent.Kind.QUEUED, "", now)
    return invitation


# --- opt-out, bounces, complaints ----------------------------------------------------------


def _suppress(org: Organization, address: str, reason: str, detail: str = "") -> None:
    if not address:
        return
    Suppression.objects.for_org(org).get_or_create(
        address=address.lower(), defaults={"organization": org, "reason": reason, "detail": detail[:500]}
    )


def suppress_address(org: Organization, address: str, detail: str = "") -> None:
    """Never send to ``address`` again (an opt-out from an address no contact has)."""
    _suppress(org, address, Suppression.Reason.UNSUBSCRIBE, detail)


@dataclass(frozen=True)
class UnsubscribeTarget:
    org: Organization
    invitation: Invitation


def unsubscribe_target(token: str) -> UnsubscribeTarget:
    try:
        org_id, invitation_id = tokens.parse_unsubscribe(token)
    except tokens.BadToken:
        raise NotFound("link", "") from None
    org = Organization.objects.filter(pk=org_id).first()
    invitation = (
        Invitation.objects.for_org(org).select_related("contact").filter(pk=invitation_id).first()
        if org
        else None
    )
    if invitation is None:
        raise NotFound("link", "")
    return UnsubscribeTarget(org, invitation)


@transaction.atomic
def unsubscribe(target: UnsubscribeTarget, ip_address: str | None = None) -> None:
    """The contact opts out of every survey of the organization (idempotent)."""
    invitation = target.invitation
    unsubscribe_contact(
        target.org,
        invitation.contact,
        invitation=invitation,
        channel=invitation.channel,
        addresses=[invitation.address],
        ip_address=ip_address,
    )


@transaction.atomic
def unsubscribe_contact(
    org: Organization,
    contact: Contact,
    *,
    invitation: Invitation | None,
    channel: str,
    addresses: list[str],
    via: str = "web",
    detail: str = "",
    ip_address: str | None = None,
) -> bool:
    """The opt-out behind the unsubscribe link and inbound "STOP"/"TD" replies: the contact is
    unsubscribed from every survey of the organization (audited once), ``addresses`` are
    suppressed and the invitation's log (when there is one) says so. Idempotent; True when the
    contact was subscribed until now."""
    changed = False
    if contact.unsubscribed_at is None:
        changed = bool(
            Contact.objects.for_org(org)
            .filter(pk=contact.pk, unsubscribed_at__isnull=True)
            .update(unsubscribed_at=timezone.now())
        )
        if changed:
            audit.record_system(
                "contact.unsubscribed",
                organization=org,
                label=f"contact:{contact.external_id}",
                via=via,
                data={"invitation": invitation.pk if invitation else None, "channel": channel},
                ip_address=ip_address,
            )
    for address in addresses:
        _suppress(org, address, Suppression.Reason.UNSUBSCRIBE, detail)
    if invitation is not None and not invitation.log.filter(kind=DeliveryEvent.Kind.UNSUBSCRIBED).exists():
        log(invitation, DeliveryEvent.Kind.UNSUBSCRIBED, detail)
    return changed


@transaction.atomic
def record_bounce(
    actor: Actor,
    *,
    kind: str,
    address: str = "",
    message_id: str = "",
    invitation_id: int | None = None,
    detail: str = "",
) -> int:
    """A bounce or complaint reported by the mail (or message) provider.

    The invitation is found by id, by the provider's message id, or as the latest invitation
    sent to ``address``. It is marked bounced or complained, the address is suppressed, and a
    complaint also unsubscribes the contact. Returns the number of invitations marked.
    """
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    if kind not in ("bounce", "complaint"):
        raise InvalidInput("kind", _("must be bounce or complaint"))
    org = actor.organization
    scoped = Invitation.objects.for_org(org).select_related("contact")
    if invitation_id:
        found = list(scoped.filter(pk=invitation_id))
    elif message_id:
        found = list(scoped.filter(provider_id=message_id.strip()))
    elif address:
        found = list(scoped.filter(address=address.strip().lower()).order_by("-created_at")[:1])
    else:
        raise InvalidInput("address", _("give an address, a message id or an invitation id"))
    if not found and not address:
        raise NotFound("invitation", invitation_id or message_id)
    status = Status.BOUNCED if kind == "bounce" else Status.COMPLAINED
    event = DeliveryEvent.Kind.BOUNCED if kind == "bounce" else DeliveryEvent.Kind.COMPLAINED
    reason = Suppression.Reason.BOUNCE if kind == "bounce" else Suppression.Reason.COMPLAINT
    for invitation in found:
        Invitation.objects.for_org(org).filter(pk=invitation.pk).exclude(status=Status.COMPLETED).update(
            status=status
        )
        log(invitation, event, detail)
        _suppress(org, invitation.address, reason, detail)
        if kind == "complaint" and invitation.contact.unsubscribed_at is None:
            Contact.objects.for_org(org).filter(pk=invitation.contact_id).update(
                unsubscribed_at=timezone.now()
            )
    if not found:
        _suppress(org, address, reason, detail)
    audit.record(
        actor,
        f"distribution.{kind}",
        target_type="invitation",
        target_id=found[0].pk if found else "",
        data={"address": address, "count": len(found)},
    )
    return len(found)
