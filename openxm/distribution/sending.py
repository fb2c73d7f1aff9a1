"""Sending invitations and reminders: e-mail through Django's e-mail backend (SMTP when
``OPENXM_EMAIL_URL`` is set), messages through the messenger port (``providers.py``).

``dispatch`` sends queued invitations oldest first, at most ``Policy.emails_per_minute`` e-mails
and ``messages_per_minute`` messages per minute per organization (counted in the shared cache,
so several workers share one budget); what does not fit waits for the next run. ``send_reminders``
reminds non-responders (sent, opened or started but not completed) once ``reminder_after_days``
have passed since the last message, up to the distribution's ``max_reminders``, under the same
budget. An invitation is claimed before it is sent, so two workers never send it twice; a claim
whose worker died (``OPENXM_SEND_CLAIM_SECONDS`` old) is taken again by the next run. Its e-mail
keeps one Message-ID (``oxm-invitation-<id>``, ``-r<n>`` for the n-th reminder, and a
deployment's stamp), so the rare copy sent again after a crash between the mail server's "250"
and the status update is the same message to the recipient's mail system, not a second one.
Unsubscribed contacts and suppressed addresses get nothing (status ``suppressed``). When the mail
server cannot be reached the run stops and the invitation stays queued (logged as a failed
attempt); a refused recipient fails that invitation only.
Excluded: what makes an invitation (``invitations.py``) and when these run (``tasks.py``).
"""

import contextlib
import smtplib
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from openxm.accounts.models import Organization
from openxm.surveys import collect
from openxm.surveys import services as surveys

from . import invitations, ratelimit
from .models import DeliveryEvent, Invitation
from .providers import Message, provider_for
from .respond import django_language

Status = Invitation.Status
BATCH = 500


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _text(value, language: str, default: str) -> str:
    if isinstance(value, dict):
        return value.get(language) or next(iter(value.values()), "") or default
    return str(value or "") or default


def _survey_title(invitation: Invitation, language: str) -> str:
    survey = invitation.survey
    if survey.current_version_id is None:
        return survey.title
    definition = collect.version_definition(survey.current_version)
    return surveys.title_text(definition.title, language) or survey.title


def _language(invitation: Invitation) -> str:
    return invitation.language or invitation.contact.language or "en"


def compose(invitation: Invitation, reminder: bool = False) -> dict:
    """Subject, texts and links of an invitation, in the contact's language."""
    language = _language(invitation)
    org_name = (
        Organization.objects.filter(pk=invitation.organization_id).values_list("name", flat=True).first()
    )
    options = invitation.distribution.options or {}
    with translation.override(django_language(language)):
        title = _survey_title(invitation, language)
        default_subject = _("%(org)s would like your feedback") % {"org": org_name}
        subject = _text(options.get("subject"), language, default_subject)
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        intro = _text(
            options.get("intro"),
            language,
            _(
                "We would value your opinion about your recent experience with %(org)s. "
                "The survey takes about two minutes."
            )
            % {"org": org_name},
        )
        context = {
            "org": org_name,
            "title": title,
            "subject": subject,
            "intro": intro,
            "reminder": reminder,
            "url": invitations.personal_url(invitation),
            "unsubscribe_url": invitations.unsubscribe_url(invitation),
            "expires": invitation.expires_at,
            "language": language,
            "name": invitation.contact.name,
        }
        context["text"] = render_to_string("distribution/email_invitation.txt", context)
        context["html"] = render_to_string("distribution/email_invitation.html", context)
        message = f"{intro} {context['url']}"
        if invitation.channel == "sms":
            message += " " + _("Unsubscribe: %(url)s") % {"url": context["unsubscribe_url"]}
        context["message"] = message
    return context


class ServiceDown(Exception):
    """The mail server cannot be reached: the invitation stays queued for the next run."""


def _claim_timeout() -> timedelta:
    return timedelta(seconds=settings.OPENXM_SEND_CLAIM_SECONDS)


def _send_email(invitation: Invitation, content: dict, smtp: "_Connection") -> tuple[bool, str, str]:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "localhost"
    suffix = f"-r{invitation.reminders_sent + 1}" if content["reminder"] else ""
    # Unique per deployment too: two installations sending from one domain never share an id.
    stamp = salted_hmac("openxm.invitation-message-id", str(invitation.pk)).hexdigest()[:12]
    message_id = f"<oxm-invitation-{invitation.pk}{suffix}.{stamp}@{domain}>"
    try:
        connection = smtp.get()
    except (OSError, smtplib.SMTPException) as exc:
        raise ServiceDown(f"{type(exc).__name__}: {exc}"[:500]) from exc
    email = EmailMultiAlternatives(
        subject=content["subject"],
        body=content["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.address],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{content['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-OpenXM-Invitation": str(invitation.pk),
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(content["html"], "text/html")
    try:
        email.send()
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError) as exc:
        smtp.reset()
        raise ServiceDown(f"{type(exc).__name__}: {exc}"[:500]) from exc
    except (smtplib.SMTPException, ValueError) as exc:  # refused recipient, bad address or data
        return False, "", f"{type(exc).__name__}: {exc}"[:500]
    return True, message_id.strip("<>"), ""


def _send_message(invitation: Invitation, content: dict) -> tuple[bool, str, str]:
    messenger = invitation.distribution.messenger
    if messenger is None or not messenger.active:
        return False, "", "no active provider for this channel"
    provider = provider_for(messenger.kind, messenger.config)
    delivery = provider.send(
        Message(
            to=invitation.address,
            text=content["message"],
            url=content["url"],
            title=content["title"],
            invitation_id=invitation.pk,
            channel=invitation.channel,
            language=content["language"],
        )
    )
    return delivery.ok, delivery.provider_id, delivery.error


def _deliver(invitation: Invitation, reminder: bool, smtp) -> tuple[bool, str, str]:
    content = compose(invitation, reminder)
    if invitation.channel == "email":
        return _send_email(invitation, content, smtp)
    return _send_message(invitation, content)


def _suppressed(org: Organization, invitation: Invitation) -> bool:
    return invitation.contact.unsubscribed_at is not None or invitations.is_suppressed(
        org, invitation.address
    )


def _budget(org: Organization, invitation: Invitation, policy) -> bool:
    email = invitation.channel == "email"
    limit = policy.emails_per_minute if email else policy.messages_per_minute
    return ratelimit.hit(f"send:{org.pk}:{'email' if email else 'message'}", limit)


class _Connection:
    """One SMTP connection for a run, opened on first use."""

    def __init__(self):
        self.connection = None

    def get(self):
        if self.connection is None:
            self.connection = get_connection()
            self.connection.open()
        return self.connection

    def reset(self):
        self.close()
        self.connection = None

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.close()


def dispatch(org: Organization, now=None) -> SendResult:
    """Send this organization's queued invitations that are due (scheduled ones from their
    ``send_after``) within the send rates."""
    now = now or timezone.now()
    policy = invitations.policy(org)
    result = SendResult()
    scoped = Invitation.objects.for_org(org)
    due = Q(send_after__isnull=True) | Q(send_after__lte=now)
    queued = (
        scoped.filter(status=Status.QUEUED)
        .filter(due)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=now - _claim_timeout()))
        .select_related("contact", "distribution__messenger", "survey__current_version")
        .order_by("created_at", "id")[:BATCH]
    )
    smtp = _Connection()
    try:
        for invitation in queued:
            if _suppressed(org, invitation):
                scoped.filter(pk=invitation.pk, status=Status.QUEUED).update(status=Status.SUPPRESSED)
                invitations.log(
                    invitation, DeliveryEvent.Kind.SUPPRESSED, "unsubscribed or suppressed address"
                )
                result.suppressed += 1
                continue
            if not _budget(org, invitation, policy):
                result.deferred += 1
                continue
            claimed = (
                scoped.filter(pk=invitation.pk, status=Status.QUEUED)
                .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=now - _claim_timeout()))
                .update(last_sent_at=timezone.now())
            )
            if not claimed:
                continue
            try:
                ok, provider_id, error = _deliver(invitation, False, smtp)
            except ServiceDown as exc:
                scoped.filter(pk=invitation.pk).update(last_sent_at=None)
                invitations.log(invitation, DeliveryEvent.Kind.FAILED, f"{exc} (will retry)")
                result.failed += 1
                break
            stamp = timezone.now()
            if ok:
                scoped.filter(pk=invitation.pk).update(
                    status=Status.SENT, sent_at=stamp, last_sent_at=stamp, provider_id=provider_id[:200]
                )
                invitations.log(invitation, DeliveryEvent.Kind.SENT, provider_id, stamp)
                result.sent += 1
            else:
                scoped.filter(pk=invitation.pk).update(status=Status.FAILED)
                invitations.log(invitation, DeliveryEvent.Kind.FAILED, error, stamp)
                result.failed += 1
    finally:
        smtp.close()
    if result.deferred:
        first = scoped.filter(due, status=Status.QUEUED).order_by("created_at").first()
        if first is not None and not first.log.filter(kind=DeliveryEvent.Kind.THROTTLED).exists():
            invitations.log(
                first, DeliveryEvent.Kind.THROTTLED, f"{result.deferred} waiting for the send rate"
            )
    return result


def send_reminders(org: Organization, now=None) -> SendResult:
    """Remind non-responders whose last message is ``reminder_after_days`` old."""
    now = now or timezone.now()
    policy = invitations.policy(org)
    result = SendResult()
    scoped = Invitation.objects.for_org(org)
    due = (
        scoped.filter(
            status__in=[Status.SENT, Status.OPENED, Status.STARTED],
            expires_at__gt=now,
            reminders_sent__lt=F("distribution__max_reminders"),
            distribution__reminder_after_days__gt=0,
            distribution__active=True,
            survey__status="active",
            last_sent_at__lte=now - timedelta(days=1),
        )
        .select_related("contact", "distribution__messenger", "survey__current_version")
        .order_by("last_sent_at", "id")[:BATCH]
    )
    smtp = _Connection()
    try:
        for invitation in due:
            if invitation.last_sent_at > now - timedelta(days=invitation.distribution.reminder_after_days):
                continue
            if _suppressed(org, invitation):
                result.suppressed += 1
                continue
            if not _budget(org, invitation, policy):
                result.deferred += 1
                continue
            claimed = scoped.filter(pk=invitation.pk, reminders_sent=invitation.reminders_sent).update(
                reminders_sent=F("reminders_sent") + 1, last_sent_at=now
            )
            if not claimed:
                continue
            try:
                ok, provider_id, error = _deliver(invitation, True, smtp)
            except ServiceDown as exc:
                scoped.filter(pk=invitation.pk).update(
                    reminders_sent=F("reminders_sent") - 1, last_sent_at=invitation.last_sent_at
                )
                invitations.log(invitation, DeliveryEvent.Kind.FAILED, f"reminder: {exc} (will retry)")
                result.failed += 1
                break
            if ok:
                invitations.log(invitation, DeliveryEvent.Kind.REMINDED, provider_id)
                result.sent += 1
            else:
                invitations.log(invitation, DeliveryEvent.Kind.FAILED, f"reminder: {error}")
                result.failed += 1
    finally:
        smtp.close()
    return result
