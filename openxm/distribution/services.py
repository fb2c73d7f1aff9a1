"""Distribution actions: channels (distributions), inviting contacts, triggers, messengers, the
contact policy. Web, API and CLI call these; each checks the actor, owns its transaction and
writes the audit entry. Sending is in ``sending.py`` (background tasks), events in ``events.py``.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Unit
from openxm.accounts.roles import Perm
from openxm.customers import services as customers
from openxm.surveys import services as surveys
from openxm.surveys.overview import read_response_overview

from . import conf, invitations, tokens
from .models import (
    MESSENGER_CHANNELS,
    PERSONAL_CHANNELS,
    Channel,
    DeliveryEvent,
    Distribution,
    Invitation,
    Messenger,
    Policy,
    Trigger,
)
from .providers import check_config

INTERCEPT_TRIGGERS = ("pageview", "event")


def _distribution(actor: Actor, pk: int) -> Distribution:
    dist = (
        Distribution.objects.for_org(actor.organization)
        .select_related("survey", "unit", "messenger")
        .filter(pk=pk)
        .first()
    )
    if dist is None:
        raise NotFound("distribution", pk)
    return dist


def get_distribution(actor: Actor, pk: int) -> Distribution:
    actor.require(Perm.DASHBOARDS_VIEW)
    return _distribution(actor, pk)


def public_link(dist: Distribution) -> str:
    """The anonymous link of a public-link, QR-code or intercept distribution."""
    return conf.absolute(f"/r/l/{tokens.link_token(dist.organization_id, dist.pk)}/")


def intercept_snippet(dist: Distribution) -> str:
    token = tokens.link_token(dist.organization_id, dist.pk)
    src = conf.absolute("/static/openxm/intercept.js")
    return f'<script src="{src}" data-openxm="{token}" async></script>'


def _clean_intercept(options: dict) -> dict:
    trigger = options.get("trigger") or "pageview"
    if trigger not in INTERCEPT_TRIGGERS:
        raise InvalidInput("options.trigger", _("must be pageview or event"))
    try:
        percent = float(options.get("percent", 100))
        delay = int(options.get("delay_seconds", 0))
        days = int(options.get("days_between", 30))
    except (TypeError, ValueError):
        raise InvalidInput("options", _("percent, delay_seconds and days_between must be numbers")) from None
    if not 0 <= percent <= 100:
        raise InvalidInput("options.percent", _("must be between 0 and 100"))
    if trigger == "event" and not options.get("event"):
        raise InvalidInput("options.event", _("name the event that shows the survey"))
    origins = options.get("allowed_origins") or []
    if isinstance(origins, str):
        origins = origins.split()
    for origin in origins:
        if not (origin.startswith("https://") or origin.startswith("http://")) or " " in origin:
            raise InvalidInput("options.allowed_origins", _("list origins such as https://shop.example.com"))
    return {
        "trigger": trigger,
        "event": str(options.get("event") or ""),
        "percent": percent,
        "delay_seconds": max(0, delay),
        "days_between": max(0, days),
        "url_contains": str(options.get("url_contains") or ""),
        "allowed_origins": list(origins),
    }


@transaction.atomic
def create_distribution(
    actor: Actor,
    survey_ref,
    channel: str,
    *,
    name: str = "",
    touchpoint: str = "",
    unit: str = "",
    messenger: int | None = None,
    hidden: dict | None = None,
    link_days: int = 30,
    reminder_after_days: int = 3,
    max_reminders: int = 1,
    one_response_per_contact: bool = False,
    options: dict | None = None,
) -> Distribution:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    survey = surveys.get_survey(actor, survey_ref)
    if channel not in Channel.values:
        raise InvalidInput(
            "channel", _("must be one of %(choices)s") % {"choices": ", ".join(Channel.values)}
        )
    if not 1 <= int(link_days) <= 366:
        raise InvalidInput("link_days", _("must be between 1 and 366"))
    if int(max_reminders) > 5:
        raise InvalidInput("max_reminders", _("must be at most 5"))
    unit_obj = None
    if unit:
        unit_obj = Unit.objects.for_org(actor.organization).filter(code=unit).first()
        if unit_obj is None:
            raise InvalidInput("unit", _("no unit with code %(code)s") % {"code": unit})
    messenger_obj = None
    if channel in MESSENGER_CHANNELS:
        scoped = Messenger.objects.for_org(actor.organization).filter(kind=channel, active=True)
        messenger_obj = scoped.filter(pk=messenger).first() if messenger else scoped.first()
        if messenger_obj is None:
            raise InvalidInput("messenger", _("set up a %(kind)s provider first") % {"kind": channel})
    options = dict(options or {})
    if channel == Channel.INTERCEPT:
        options = _clean_intercept(options)
    dist = Distribution.objects.for_org(actor.organization).create(
        organization=actor.organization,
        survey=survey,
        channel=channel,
        name=(name or "").strip()[:200] or f"{survey.title} · {Channel(channel).label}",
        touchpoint=touchpoint or survey.touchpoint,
        unit=unit_obj,
        messenger=messenger_obj,
        hidden={str(k): str(v) for k, v in (hidden or {}).items()},
        link_days=int(link_days),
        reminder_after_days=int(reminder_after_days),
        max_reminders=int(max_reminders),
        one_response_per_contact=bool(one_response_per_contact),
        options=options,
        created_by=actor.user,
    )
    audit.record(
        actor,
        "distribution.created",
        target_type="distribution",
        target_id=dist.pk,
        data={"survey": survey.pk, "channel": channel},
    )
    return dist


@transaction.atomic
def set_active(actor: Actor, pk: int, active: bool) -> Distribution:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    dist = _distribution(actor, pk)
    dist.active = bool(active)
    dist.save(update_fields=["active"])
    audit.record(
        actor,
        "distribution.opened" if active else "distribution.closed",
        target_type="distribution",
        target_id=dist.pk,
    )
    return dist


@dataclass(frozen=True)
class DistributionRow:
    id: int
    name: str
    channel: str
    survey_id: int
    survey_title: str
    active: bool
    invitations: int
    responses: int
    created_at: object


def _invitations(actor: Actor):
    """The organization's invitations as the actor may see them: an actor limited to a unit sees
    those of contacts in their unit and the units below it."""
    invitations = Invitation.objects.for_org(actor.organization)
    if actor.scope.limited:
        invitations = invitations.filter(contact__unit_id__in=actor.scope.unit_ids)
    return invitations


def list_distributions(actor: Actor, survey_id: int | None = None) -> list[DistributionRow]:
    """Every distribution (of one survey) with its invitations and its complete responses; the
    responses are counted for every channel, public link and QR code included (a response records
    the distribution it came through)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    scoped = Distribution.objects.for_org(actor.organization).select_related("survey")
    if survey_id:
        scoped = scoped.filter(survey_id=survey_id)
    dists = list(scoped)
    invited = dict(
        _invitations(actor)
        .values_list("distribution")
        .annotate(n=Count("id"))
        .values_list("distribution", "n")
    )
    completed = read_response_overview(
        actor, survey_id=int(survey_id) if survey_id else None, distributions=True
    ).by_distribution
    return [
        DistributionRow(
            d.pk,
            d.name,
            d.channel,
            d.survey_id,
            d.survey.title,
            d.active,
            invited.get(d.pk, 0),
            completed.get(d.pk, 0),
            d.created_at,
        )
        for d in dists
    ]


DELIVERED = ("sent", "opened", "started", "completed")


@dataclass(frozen=True)
class ShareLink:
    id: int
    name: str
    channel: str
    link: str
    completed: int


@dataclass(frozen=True)
class SurveyShare:
    """The survey page's share panel: open public links, counts, and the response rate
    (complete responses through invitations / invitations delivered)."""

    links: list[ShareLink]
    distributions: list[DistributionRow]
    delivered: int
    invited_completed: int

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.invited_completed / self.delivered if self.delivered else None


def survey_share(actor: Actor, survey_id: int) -> SurveyShare:
    rows = list_distributions(actor, survey_id)
    by_id = {
        d.pk: d for d in Distribution.objects.for_org(actor.organization).filter(survey_id=survey_id)
    }
    links = sorted(
        (
            ShareLink(r.id, r.name, r.channel, public_link(by_id[r.id]), r.responses)
            for r in rows
            if r.active and r.channel in ("link", "qr")
        ),
        key=lambda s: (s.channel != "link", s.id),
    )
    delivered = _invitations(actor).filter(survey_id=survey_id, status__in=DELIVERED).count()
    invited_completed = sum(r.responses for r in rows if r.channel in PERSONAL_CHANNELS)
    return SurveyShare(links, rows, delivered, invited_completed)


@transaction.atomic
def open_public_link(actor: Actor, survey_ref) -> Distribution:
    """The survey's open public-link distribution, created when it has none."""
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    survey = surveys.get_survey(actor, survey_ref)
    if survey.current_version_id is None:
        raise InvalidInput("survey", _("publish the survey first"))
    found = (
        Distribution.objects.for_org(actor.organization)
        .filter(survey=survey, channel=Channel.LINK, active=True)
        .order_by("pk")
        .first()
    )
    return found or create_distribution(actor, survey.pk, Channel.LINK)


def invitation_counts(actor: Actor, dist: Distribution) -> dict[str, int]:
    actor.require(Perm.DASHBOARDS_VIEW)
    rows = _invitations(actor).filter(distribution=dist).values_list("status").annotate(n=Count("id"))
    return dict(rows)


def recent_invitations(actor: Actor, dist: Distribution, limit: int = 50) -> list[Invitation]:
    actor.require(Perm.RESPONSES_VIEW)
    return list(_invitations(actor).filter(distribution=dist).select_related("contact")[:limit])


def get_invitation(actor: Actor, pk: int) -> tuple[Invitation, list[DeliveryEvent]]:
    """An invitation and its delivery log."""
    actor.require(Perm.RESPONSES_VIEW)
    invitation = _invitations(actor).select_related("contact", "distribution", "survey").filter(pk=pk).first()
    if invitation is None:
        raise NotFound("invitation", pk)
    return invitation, list(DeliveryEvent.objects.for_org(actor.organization).filter(invitation=invitation))


# --- inviting contacts ---------------------------------------------------------------------


@dataclass
class InviteResult:
    invited: list[int] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # Event.Outcome value -> count


MAX_SCHEDULE_DAYS = 90


def _check_send_at(send_at) -> None:
    if send_at is None:
        return
    if timezone.is_naive(send_at):
        raise InvalidInput("send_at", _("needs a time zone"))
    now = timezone.now()
    if send_at <= now:
        raise InvalidInput("send_at", _("must be in the future"))
    if send_at > now + timedelta(days=MAX_SCHEDULE_DAYS):
        raise InvalidInput("send_at", _("must be within %(n)s days") % {"n": MAX_SCHEDULE_DAYS})


def inviting(actor: Actor, distribution_id: int, send_at=None) -> Distribution:
    """The distribution personal invitations go through, after checking the actor may invite,
    the channel is personal, the distribution open, the survey published and ``send_at`` valid."""
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    dist = _distribution(actor, distribution_id)
    if dist.channel not in PERSONAL_CHANNELS:
        raise InvalidInput("channel", _("personal invitations need an e-mail or messenger distribution"))
    if not dist.active:
        raise InvalidInput("distribution", _("the distribution is closed"))
    if dist.survey.status != "active":
        raise InvalidInput("survey", _("publish the survey before inviting people"))
    _check_send_at(send_at)
    return dist


@transaction.atomic
def invite_contacts(
    actor: Actor,
    distribution_id: int,
    contacts: list[dict],
    *,
    hidden: dict | None = None,
    apply_caps: bool = True,
    send_at=None,
) -> InviteResult:
    """Invite contacts (``{"id", "name", "email", "phone", "language", "attributes"}``, created or
    updated by id) through a personal channel; the invitations are sent in the background, at
    once or, with ``send_at`` (an aware time up to ``MAX_SCHEDULE_DAYS`` ahead), by the first
    periodic send after it.

    Contacts stopped by the contact rules (unsubscribed, suppressed, invited recently, no
    address for the channel) are counted in ``skipped`` by reason.
    """
    dist = inviting(actor, distribution_id, send_at)
    result = InviteResult()
    for i, item in enumerate(contacts):
        if not isinstance(item, dict) or not str(item.get("id") or "").strip():
            raise InvalidInput(f"contacts[{i}].id", _("is required"))
        fields = {k: item.get(k) for k in customers.CONTACT_FIELDS if item.get(k) is not None}
        contact = customers.upsert_contact(
            actor.organization, str(item["id"]), fields, item.get("attributes")
        )
        try:
            invitation = invitations.create_invitation(
                actor.organization,
                dist,
                contact,
                hidden={**(hidden or {}), **(item.get("hidden") or {})},
                survey_cap_days=None,
                apply_caps=apply_caps,
                send_after=send_at,
            )
        except invitations.NotInvited as exc:
            result.skipped[exc.outcome] = result.skipped.get(exc.outcome, 0) + 1
            continue
        result.invited.append(invitation.pk)
    return invited(actor, dist, result, send_at)


def invited(actor: Actor, dist, result: InviteResult, send_at, **data) -> InviteResult:
    """After creating a distribution's invitations: audit them (``data`` adds to the entry) and,
    unless they wait for ``send_at``, send them once the transaction commits."""
    audit.record(
        actor,
        "distribution.invited",
        target_type="distribution",
        target_id=dist.pk,
        data={
            **data,
            "invited": len(result.invited),
            "skipped": result.skipped,
            **({"send_at": send_at.isoformat()} if send_at else {}),
        },
    )
    if result.invited and send_at is None:
        from .tasks import dispatch_invitations

        org_id = actor.organization.pk
        transaction.on_commit(lambda: dispatch_invitations.delay(org_id))
    return result


# --- the contact policy, triggers, messengers ----------------------------------------------


def get_policy(actor: Actor) -> Policy:
    actor.require(Perm.DASHBOARDS_VIEW)
    return invitations.policy(actor.organization)


@transaction.atomic
def save_policy(
    actor: Actor, *, contact_cap_days: int, emails_per_minute: int, messages_per_minute: int
) -> Policy:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    for name, value in (
        ("contact_cap_days", contact_cap_days),
        ("emails_per_minute", emails_per_minute),
        ("messages_per_minute", messages_per_minute),
    ):
        if not isinstance(value, int) or value < 0 or value > 100000:
            raise InvalidInput(name, _("must be a whole number from 0 to 100000"))
    policy = invitations.policy(actor.organization)
    before = {
        "contact_cap_days": policy.contact_cap_days,
        "emails_per_minute": policy.emails_per_minute,
        "messages_per_minute": policy.messages_per_minute,
    }
    policy.contact_cap_days = contact_cap_days
    policy.emails_per_minute = emails_per_minute
    policy.messages_per_minute = messages_per_minute
    policy.updated_at = timezone.now()
    policy.save()
    audit.record(
        actor,
        "distribution.policy_changed",
        target_type="policy",
        target_id=policy.pk,
        data={
            "from": before,
            "to": {
                "contact_cap_days": contact_cap_days,
                "emails_per_minute": emails_per_minute,
                "messages_per_minute": messages_per_minute,
            },
        },
    )
    return policy


@transaction.atomic
def create_trigger(
    actor: Actor,
    event: str,
    distribution_id: int,
    *,
    sample_percent: float = 100.0,
    survey_cap_days: int = 30,
) -> Trigger:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    import re

    if not re.match(r"^[a-z0-9][a-z0-9_.-]{0,63}$", event or ""):
        raise InvalidInput("event", _("use lower-case letters, digits, _ . and - (at most 64)"))
    dist = _distribution(actor, distribution_id)
    if dist.channel not in PERSONAL_CHANNELS:
        raise InvalidInput("distribution", _("a trigger invites through an e-mail or messenger distribution"))
    try:
        sample_percent = float(sample_percent)
    except (TypeError, ValueError):
        raise InvalidInput("sample_percent", _("must be a number from 0 to 100")) from None
    if not 0 <= sample_percent <= 100:
        raise InvalidInput("sample_percent", _("must be a number from 0 to 100"))
    if not isinstance(survey_cap_days, int) or survey_cap_days < 0:
        raise InvalidInput("survey_cap_days", _("must be a whole number of days, 0 or more"))
    trigger = Trigger.objects.for_org(actor.organization).create(
        organization=actor.organization,
        event=event,
        distribution=dist,
        sample_percent=sample_percent,
        survey_cap_days=survey_cap_days,
    )
    audit.record(
        actor,
        "distribution.trigger_created",
        target_type="trigger",
        target_id=trigger.pk,
        data={"event": event, "distribution": dist.pk, "sample_percent": sample_percent},
    )
    return trigger


def list_triggers(actor: Actor) -> list[Trigger]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return list(Trigger.objects.for_org(actor.organization).select_related("distribution__survey"))


@transaction.atomic
def delete_trigger(actor: Actor, pk: int) -> None:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    trigger = Trigger.objects.for_org(actor.organization).filter(pk=pk).first()
    if trigger is None:
        raise NotFound("trigger", pk)
    trigger.delete()
    audit.record(
        actor,
        "distribution.trigger_deleted",
        target_type="trigger",
        target_id=pk,
        data={"event": trigger.event},
    )


@transaction.atomic
def create_messenger(actor: Actor, kind: str, name: str, config: dict) -> Messenger:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    if kind not in MESSENGER_CHANNELS:
        raise InvalidInput(
            "kind", _("must be one of %(choices)s") % {"choices": ", ".join(sorted(MESSENGER_CHANNELS))}
        )
    problem = check_config(kind, config or {})
    if problem:
        raise InvalidInput(f"config.{problem[0]}", problem[1])
    messenger = Messenger.objects.for_org(actor.organization).create(
        organization=actor.organization,
        kind=kind,
        name=(name or kind).strip()[:200],
        config=dict(config),
    )
    audit.record(
        actor,
        "distribution.messenger_created",
        target_type="messenger",
        target_id=messenger.pk,
        data={"kind": kind},
    )
    return messenger


def list_messengers(actor: Actor) -> list[Messenger]:
    actor.require(Perm.SURVEYS_DISTRIBUTE)
    return list(Messenger.objects.for_org(actor.organization))


# --- intercept -----------------------------------------------------------------------------


def intercept_config(token: str) -> dict:
    """The public settings intercept.js reads for a distribution's token."""
    from .entry import public_session

    session = public_session(token, {})
    dist = session.distribution
    if dist.channel != Channel.INTERCEPT:
        from .entry import Unavailable

        raise Unavailable("not an intercept", 404)
    options = dist.options or {}
    return {
        "active": True,
        "url": conf.absolute(f"/r/l/{token}/?embed=1"),
        "trigger": options.get("trigger", "pageview"),
        "event": options.get("event", ""),
        "percent": options.get("percent", 100),
        "delay_seconds": options.get("delay_seconds", 0),
        "days_between": options.get("days_between", 30),
        "url_contains": options.get("url_contains", ""),
        "title": surveys.title_text(session.definition.title, session.definition.default_language),
    }
