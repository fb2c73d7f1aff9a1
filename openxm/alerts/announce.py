"""Telling members and webhooks of early-warning episodes: one notice per transition — opened,
updated when meaningfully worse, closed when back in control — like an alert.

A scan collects its transitions in an :class:`Announcements` and, **inside the scan's
transaction**, :meth:`Announcements.record` writes for each one an ``EpisodeNotice`` (unique per
episode, event and number), an inbox item for every member who may see the episode (the same
rule as the Early warning page: members who see the whole organization see all, a member limited
to a unit only the episodes of units inside it) and one delivery per enabled webhook subscribed
with ``early_warning: true`` (the event ``episode.opened``, ``episode.updated`` or
``episode.closed``). Because the transition, the notice and what it makes commit together, a
scan that runs again (or a retried worker) finds the episode already in that state and tells
nobody twice; a failed transaction tells nobody.

After the commit each member gets **one e-mail per scan** listing their changes (unless they
switched alert e-mails off); inside their quiet hours it is held and sent when they end
(``notifying.release_held``). Deliveries start after the commit too (the periodic retry job
picks them up if a start is lost). A rule's hourly limit does not apply: an episode belongs to no
rule, and a series changes state at most once per scan.

Excluded: detecting transitions (``early_warning.py``), rendering chat messages (``delivery.py``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.roles import Perm
from openxm.distribution.conf import absolute

from . import notifying
from .actions import event_for, new_message_id
from .models import Delivery, Episode, EpisodeNotice, Held, InboxItem, NotificationSettings, Webhook

log = logging.getLogger(__name__)


def episode_url(episode: Episode) -> str:
    return absolute(reverse("alerts:episode", args=[episode.pk]))


def event_data(episode: Episode, event: str, number: int) -> dict:
    """The ``data`` of an ``episode.*`` webhook event (docs/alerts.md, "Early-warning events");
    aggregates only, no respondent's data."""
    return {
        "episode": {"id": episode.pk, "url": episode_url(episode)},
        "event": event,
        "number": number,
        "label": episode.label or episode.subject,
        "subject": episode.subject,
        "opened_at": episode.opened_at.isoformat(),
        "closed_at": episode.closed_at.isoformat() if episode.closed_at else None,
        "severity": episode.notified_severity,
        **notifying.episode_facts(episode),
    }


@dataclass
class Announcements:
    """The transitions of one scan of one organization, told once it commits."""

    organization: object
    email: bool = True
    notices: list[EpisodeNotice] = field(default_factory=list)
    mail: dict = field(default_factory=lambda: defaultdict(list), init=False)  # user → notices
    deliveries: list[Delivery] = field(default_factory=list, init=False)

    def add(self, episode: Episode, event: str, number: int = 0) -> None:
        """Record the transition's notice (call inside the transaction that made it)."""
        self.notices.append(
            EpisodeNotice.objects.for_org(self.organization).create(
                organization=self.organization,
                episode=episode,
                event=event,
                number=number,
                data=event_data(episode, event, number),
            )
        )

    def record(self, members: list[Actor]) -> None:
        """Inbox items, held e-mails and deliveries of the collected notices (inside the
        transaction); e-mails and deliveries go out on commit."""
        if not self.notices:
            return
        from .early_warning import _visible

        org = self.organization
        ids = {n.episode_id for n in self.notices}
        now = timezone.now()
        for actor in members:
            if actor.user is None or not actor.can(Perm.DASHBOARDS_VIEW):
                continue
            seen = set(_visible(actor).filter(pk__in=ids).values_list("pk", flat=True))
            mine = [n for n in self.notices if n.episode_id in seen]
            if not mine:
                continue
            InboxItem.objects.for_org(org).bulk_create(
                [
                    InboxItem(organization=org, user=actor.user, kind=InboxItem.Kind.EPISODE, notice=n)
                    for n in mine
                ]
            )
            if self.email:
                self._email_or_hold(actor, mine, now)
        hooks = list(Webhook.objects.for_org(org).filter(early_warning=True, enabled=True))
        for notice in self.notices:
            for hook in hooks:
                self.deliveries.append(
                    Delivery.objects.for_org(org).create(
                        organization=org,
                        webhook=hook,
                        message_id=new_message_id(),
                        event=event_for(notice.data, f"episode.{notice.event}"),
                        next_attempt_at=now,
                    )
                )
        transaction.on_commit(self._send)

    def _email_or_hold(self, actor: Actor, notices: list[EpisodeNotice], now) -> None:
        row = NotificationSettings.objects.for_org(self.organization).filter(user=actor.user).first()
        if row is not None and not row.alert_email:
            return  # they read alerts in the inbox only
        if row is not None:
            zone = notifying._zone(row, self.organization)
            until = notifying.quiet_until(row.quiet_start, row.quiet_end, now.astimezone(zone))
            if until is not None:
                Held.objects.for_org(self.organization).bulk_create(
                    [
                        Held(
                            organization=self.organization,
                            notice=n,
                            user=actor.user,
                            reason=Held.Reason.QUIET,
                            release_at=until,
                        )
                        for n in notices
                    ]
                )
                return
        self.mail[actor.user].extend(notices)

    def _send(self) -> None:
        from . import delivery

        for user, notices in self.mail.items():
            language = notifying._language(user, self.organization)
            with translation.override(language):
                subject = _("Early warning: %(n)s changes") % {"n": len(notices)}
                body = "\n".join(notifying.notice_lines(notices))
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            except Exception:  # the inbox already holds the notices; a mail outage must not stop the scan
                log.exception("early-warning e-mail to %s failed", user.email)
        for made in self.deliveries:
            delivery.start(made)
