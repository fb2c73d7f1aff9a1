"""How members and webhooks are told: notification settings, quiet hours, per-rule rate limits
with a digest of what was held back, and the daily or weekly digest e-mail.

* **Settings** (one row per member, :func:`save_settings`): alert e-mails on or off, quiet hours
  (``HH:MM``–``HH:MM`` in the member's time zone, the organization's when empty; may wrap past
  midnight) and a digest (none, daily, weekly on Mondays), sent after ``DIGEST_HOUR`` local time.
* **Quiet hours** hold a member's alert e-mails (the inbox still shows the alert at once) until
  they end; **a rule's ``limit_per_hour``** holds an alert from each of its channels — every
  member's e-mail and every webhook — when the rule already fired that many alerts in the
  current clock hour (a fixed window). Held alerts go out as **one digest per channel** when
  the quiet hours end or the hour is over (:func:`release_held`: one e-mail listing them, one webhook event
  ``alert.digest``). An **urgent** rule bypasses both.
* **Digests** (:func:`send_digests`): what changed since the last one, inside the member's scope
  and in their language — the alerts in their inbox by rule, and the early-warning episodes they
  may see that opened, continued or closed, with how sure the detector is.

Excluded: what an alert says and whom it names (``actions.py``), sending webhooks
(``delivery.py``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.surveys import door

from .models import Alert, Delivery, Episode, Held, InboxItem, NotificationSettings, Rule, Webhook

log = logging.getLogger(__name__)
DIGEST_HOUR = 8
DIGEST_DAYS = {"daily": 1, "weekly": 7}
WINDOW = timedelta(hours=1)


# --- Settings ---------------------------------------------------------------------------------


def get_settings(actor: Actor) -> NotificationSettings:
    """The actor's settings (unsaved defaults when they never saved any)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    if actor.user is None:
        raise InvalidInput("user", _("only members have notification settings"))
    found = NotificationSettings.objects.for_org(actor.organization).filter(user=actor.user).first()
    return found or NotificationSettings(organization=actor.organization, user=actor.user)


def _time(value: str, field: str) -> time | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, _("must be a time of day as HH:MM")) from None


def save_settings(
    actor: Actor, *, alert_email: bool, digest: str, quiet_start: str, quiet_end: str, time_zone: str
) -> NotificationSettings:
    row = get_settings(actor)
    if digest not in NotificationSettings.Digest.values:
        raise InvalidInput(
            "digest",
            _("must be one of: %(allowed)s") % {"allowed": ", ".join(NotificationSettings.Digest.values)},
        )
    start, end = _time(quiet_start, "quiet_start"), _time(quiet_end, "quiet_end")
    if (start is None) != (end is None) or (start is not None and start == end):
        raise InvalidInput("quiet_end", _("quiet hours need a start and a different end"))
    time_zone = (time_zone or "").strip()
    if time_zone:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("time_zone", _("is not a known time zone")) from None
    row.alert_email, row.digest, row.quiet_start, row.quiet_end, row.time_zone = (
        alert_email,
        digest,
        start,
        end,
        time_zone,
    )
    row.save()
    return row


def _zone(row: NotificationSettings | None, organization) -> ZoneInfo:
    name = (row.time_zone if row is not None else "") or organization.time_zone or "UTC"
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


def quiet_until(start: time | None, end: time | None, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` (aware, in the member's zone) lies in, or None.
    ``start`` > ``end`` wraps past midnight (22:00–07:00)."""
    if start is None or end is None:
        return None
    t = now.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    until = now.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > now else until + timedelta(days=1)


# --- Holding back -----------------------------------------------------------------------------


def hour_window(now: datetime) -> tuple[datetime, datetime]:
    """The clock hour ``now`` lies in: [HH:00, HH+1:00)."""
    start = now.replace(minute=0, second=0, microsecond=0)
    return start, start + WINDOW


def rate_release(rule: Rule, alert: Alert, now: datetime) -> datetime | None:
    """When the rule is over its hourly limit (and not urgent): the end of the current clock
    hour; None when the alert may go out now.

    A fixed window, not a sliding one: with a sliding window a long burst keeps the last 60
    minutes full, so the held alerts would wait for as long as the burst lasts; a fixed window
    releases them at the top of every hour, at most one digest per channel an hour."""
    if rule.urgent or not rule.limit_per_hour:
        return None
    start, end = hour_window(now)
    recent = Alert.objects.for_org(rule.organization).filter(rule=rule, fired_at__gte=start, fired_at__lt=end)
    if recent.exclude(pk=alert.pk).count() < rule.limit_per_hour:
        return None
    return end


def hold_email(rule: Rule, alert: Alert, actor: Actor, release: datetime | None, now: datetime) -> bool:
    """Whether the member's e-mail is held (or not wanted): False means send it now."""
    row = NotificationSettings.objects.for_org(rule.organization).filter(user=actor.user).first()
    if row is not None and not row.alert_email:
        return True  # they read alerts in the inbox only
    reason = Held.Reason.RATE if release is not None else None
    if not rule.urgent and row is not None:
        until = quiet_until(row.quiet_start, row.quiet_end, now.astimezone(_zone(row, rule.organization)))
        if until is not None and (release is None or until > release):
            reason, release = Held.Reason.QUIET, until
    if reason is None:
        return False
    Held.objects.for_org(rule.organization).create(
        organization=rule.organization, alert=alert, user=actor.user, reason=reason, release_at=release
    )
    return True


def hold_webhook(rule: Rule, alert: Alert, webhook: Webhook, release: datetime) -> None:
    Held.objects.for_org(rule.organization).create(
        organization=rule.organization,
        alert=alert,
        webhook=webhook,
        reason=Held.Reason.RATE,
        release_at=release,
    )


def _lines(actor: Actor, alerts: list[Alert]) -> list[str]:
    visible = set(
        door.responses(actor.scope)
        .filter(pk__in=[a.response_id for a in alerts])
        .values_list("pk", flat=True)
    )
    lines = []
    for a in alerts:
        if a.response_id not in visible:
            continue
        s = a.summary or {}
        scores = " · ".join(f"{k.upper()} {v}" for k, v in (s.get("scores") or {}).items())
        lines.append(f"- {a.rule.name}: {scores} {s.get('response', {}).get('url', '')}".replace("  ", " "))
    return lines


def notice_lines(notices) -> list[str]:
    """Each episode change as a line and its link, in the active language."""
    lines = []
    for n in notices:
        e = n.episode
        lines.append(f"- {where(e)} · {e.get_kind_display()} ({n.get_event_display()}): {how_sure(n.data)}")
        lines.append(f"  {n.data.get('episode', {}).get('url', '')}")
    return lines


def _language(user, organization) -> str:
    return user.language or organization.default_language or settings.LANGUAGE_CODE


def _release_email(organization, user, rows: list[Held]) -> None:
    try:
        actor = accounts.actor_for_user(user, organization, via="task")
    except NotFound:
        return  # no longer a member
    with translation.override(_language(user, organization)):
        lines = _lines(actor, [r.alert for r in rows if r.alert_id])
        if not lines and not any(r.notice_id for r in rows):
            return
        if lines:
            subject = _("%(n)s alerts held back") % {"n": len(lines)}
            intro = _("These alerts waited for the end of your quiet hours or of a rule's hourly limit:")
        else:
            subject = _("Early warning: %(n)s changes") % {"n": sum(1 for r in rows if r.notice_id)}
            intro = _("These early-warning changes waited for the end of your quiet hours:")
        lines += notice_lines([r.notice for r in rows if r.notice_id])
    try:
        send_mail(subject, "\n".join([intro, "", *lines]), settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # the inbox already holds the alerts; a mail outage must not stop the job
        log.exception("held-alerts digest to %s failed", user.email)


def _release_webhook(organization, webhook: Webhook, rows: list[Held]) -> None:
    from . import delivery
    from .actions import event_for, new_message_id

    if not webhook.enabled:
        return
    data = {"count": len(rows), "alerts": [r.alert.summary for r in rows]}
    made = Delivery.objects.for_org(organization).create(
        organization=organization,
        webhook=webhook,
        message_id=new_message_id(),
        event=event_for(data, "alert.digest"),
        next_attempt_at=timezone.now(),
    )
    delivery.start(made)


def release_held(now: datetime | None = None) -> int:
    """Send every due held alert as one digest per member and per webhook; returns how many
    alerts were released. Rows are marked first, so a crash never sends a digest twice."""
    now = now or timezone.now()
    released = 0
    for organization in accounts.organizations():
        with transaction.atomic():
            due = list(
                Held.objects.for_org(organization)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(released_at__isnull=True, release_at__lte=now)
                .select_related("alert", "alert__rule", "notice", "notice__episode", "user", "webhook")
            )
            Held.objects.for_org(organization).filter(pk__in=[r.pk for r in due]).update(released_at=now)
        groups: dict[tuple, list[Held]] = defaultdict(list)
        for row in due:
            groups[(row.user_id, row.webhook_id)].append(row)
        for rows in groups.values():
            if rows[0].user_id:
                _release_email(organization, rows[0].user, rows)
            else:
                _release_webhook(organization, rows[0].webhook, rows)
        released += len(due)
    return released


# --- Digests ----------------------------------------------------------------------------------


def _due(row: NotificationSettings, now_local: datetime, zone: ZoneInfo) -> bool:
    if now_local.hour < DIGEST_HOUR:
        return False
    if row.digest == "weekly" and now_local.weekday() != 0:
        return False
    if row.last_digest_at is None:
        return True
    last = row.last_digest_at.astimezone(zone).date()
    return (now_local.date() - last).days >= DIGEST_DAYS[row.digest]


def episode_facts(e: Episode) -> dict:
    """What is said of an episode wherever it is told (digests, e-mails, webhook events): the
    latest week of its series, the baseline and the tail probability of silence or a surge."""
    key = {Episode.Kind.SILENCE: "silence_probability", Episode.Kind.SURGE: "surge_probability"}
    return {
        "kind": e.kind,
        "dimension": e.dimension,
        "metric": e.metric,
        "latest": (e.evidence.get("series") or [{}])[-1],
        "baseline": e.evidence.get("baseline", {}),
        "probability": e.evidence.get(key[e.kind]) if e.kind in key else None,
    }


def where(e: Episode) -> str:
    return f"{e.get_dimension_display()} {e.label or e.subject}"


def how_sure(facts: dict) -> str:
    """One line, in the active language: the score against its baseline and the EWMA against its
    limit, or the count against the expected one with the chance of seeing it by accident."""
    latest, base = facts.get("latest") or {}, facts.get("baseline") or {}
    if facts.get("kind") == Episode.Kind.DROP:
        if facts.get("metric") == "top2box":
            text = _(
                "Top-2-box %(nps)s%% against %(base)s%% before; EWMA %(ewma)s beyond its limit ±%(limit)s"
            )
        else:
            text = _("NPS %(nps)s against %(base)s before; EWMA %(ewma)s beyond its limit ±%(limit)s")
        return text % {
            "nps": latest.get(facts.get("metric", "nps")),
            "base": base.get(facts.get("metric", "nps")),
            "ewma": latest.get("ewma"),
            "limit": latest.get("limit"),
        }
    if facts.get("dimension") == Episode.Dimension.TOPIC:  # a topic's series counts mentions
        text = _("%(n)s mentions where %(expected)s were expected (probability %(p).1e by chance)")
    else:
        text = _("%(n)s responses where %(expected)s were expected (probability %(p).1e by chance)")
    return text % {
        "n": latest.get("n"),
        "expected": base.get("expected_per_week"),
        "p": facts.get("probability") or 0.0,
    }


def digest_text(actor: Actor, since: datetime, until: datetime) -> tuple[str, str] | None:
    """Subject and body of the member's digest for ``since``..``until``, in the active language;
    None when nothing changed."""
    from .early_warning import _visible

    items = (
        InboxItem.objects.for_org(actor.organization)
        .filter(user=actor.user, alert__isnull=False, created_at__gte=since, created_at__lt=until)
        .filter(alert__response__in=door.responses(actor.scope).values("pk"))
        .values("alert__rule__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "alert__rule__name")
    )
    # Open episodes are updated by every scan, so each digest lists what is out of control now
    # and what closed since the last one.
    changed = (
        _visible(actor)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since.date()))
        .order_by("closed_at", "-updated_at")
    )
    lines = []
    if items:
        lines.append(_("Alerts in your inbox:"))
        lines += [f"- {i['alert__rule__name']}: {i['n']}" for i in items]
    if changed:
        lines.append(_("Early warning:"))
        for e in changed:
            state = _("closed") if e.closed_at else _("open")
            lines.append(f"- {where(e)} · {e.get_kind_display()} ({state}): {how_sure(episode_facts(e))}")
    if not lines:
        return None
    return _("openxm digest: what changed"), "\n".join(lines)


def _send_digest(row: NotificationSettings, now: datetime) -> bool:
    """Send one member's digest if it is due, then record it; True when an e-mail went out.

    Sent first, recorded after: a failed send raises, leaves ``last_digest_at`` as it was and
    the next run tries again. The settings row stays locked (``select_for_update``) from the
    check to the record, so a second job running at the same time skips it instead of sending
    it again; only a crash between the mail server's acceptance and the commit can repeat one."""
    with transaction.atomic():
        row = (
            NotificationSettings.objects.for_org(row.organization)
            .select_for_update(skip_locked=True)
            .select_related("organization", "user")
            .filter(pk=row.pk)
            .first()
        )
        if row is None or row.digest == "none":
            return False  # another job holds it, or it was switched off meanwhile
        zone = _zone(row, row.organization)
        if not _due(row, now.astimezone(zone), zone):
            return False
        since = row.last_digest_at or now - timedelta(days=DIGEST_DAYS[row.digest])
        found = None
        try:
            actor = accounts.actor_for_user(row.user, row.organization, via="task")
        except NotFound:
            actor = None  # no longer a member: nothing to send, but mark it done
        if actor is not None:
            with translation.override(_language(row.user, row.organization)):
                found = digest_text(actor, since, now)
        if found is not None:
            send_mail(found[0], found[1], settings.DEFAULT_FROM_EMAIL, [row.user.email])
        row.last_digest_at = now
        row.save(update_fields=["last_digest_at"])
    return found is not None


def send_digests(now: datetime | None = None) -> int:
    """Send the due daily and weekly digests; returns how many were sent. A member whose
    e-mail fails is tried again by the next run."""
    now = now or timezone.now()
    sent = 0
    rows = [
        row
        for organization in accounts.organizations()
        for row in NotificationSettings.objects.for_org(organization)
        .exclude(digest="none")
        .select_related("organization", "user")
    ]
    for row in rows:
        try:
            sent += _send_digest(row, now)
        except Exception:  # one member's mail problem must not stop the others' digests
            log.exception("digest to %s failed; it is tried again by the next run", row.user.email)
    return sent


def notify_due(now: datetime | None = None) -> tuple[int, int]:
    """The periodic job: release held alerts, then send due digests."""
    return release_held(now), send_digests(now)
