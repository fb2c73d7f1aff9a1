"""E-mail invitations against a real local SMTP server: sending, the delivery log, throttling,
reminders to non-responders, unsubscribe (link and one-click), bounces and complaints."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from openxm.distribution import sending, services
from openxm.distribution.models import DeliveryEvent, Invitation
from openxm.distribution.tasks import dispatch_invitations, send_reminders


@pytest.fixture
def email_dist(csat, make_distribution):
    return make_distribution(
        csat,
        "email",
        reminder_after_days=3,
        max_reminders=2,
        options={"subject": {"en": "How was your shopping?", "zh-Hans": "您的购物体验如何？"}},
    )


def _invite(analyst, dist, *people, **kw):
    contacts = [
        {"id": p[0], "email": p[1], "language": p[2] if len(p) > 2 else "en", "name": "Ann Lee"}
        for p in people
    ]
    return services.invite_contacts(analyst, dist.pk, contacts, **kw)


def _log(org, invitation_id):
    return [e.kind for e in DeliveryEvent.objects.for_org(org).filter(invitation_id=invitation_id)]


def _link(message) -> str:
    return re.search(
        r"https://cx\.example\.com(/r/i/[^\s]+/)", message.get_body(("plain",)).get_content()
    ).group(1)


def test_invitation_goes_out_over_smtp_and_the_log_follows_the_respondent(
    org_a, analyst, email_dist, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = _invite(
            analyst, email_dist, ("c1", "ann@example.com"), ("c2", "wang.fang@example.com", "zh-Hans")
        )
    assert len(result.invited) == 2 and len(smtp.messages) == 2
    (ann,) = smtp.to("ann@example.com")
    assert ann["Subject"] == "How was your shopping?" and ann["From"] == "cx@freshneighbor.example"
    assert ann["List-Unsubscribe"].strip().startswith("<https://cx.example.com/r/u/")
    assert ann["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = ann.get_body(("html",)).get_content()
    assert "https://cx.example.com/r/i/" in html and "Ann Lee" in html
    (wang,) = [m for _s, _r, m in smtp.messages if m["Subject"] == "您的购物体验如何？"]
    invitation = Invitation.objects.for_org(org_a).get(address="ann@example.com")
    assert invitation.status == "sent" and invitation.provider_id in ann["Message-ID"]
    client = Client()
    url = _link(ann)
    client.get(url)
    client.post(url, {"page": "overall", "q_csat": "4"})
    client.post(url, {"page": "details"})
    assert _log(org_a, invitation.pk) == ["queued", "sent", "opened", "started", "completed"]
    assert wang is not None


def test_unreachable_server_keeps_the_invitation_queued_and_logs_the_attempt(
    org_a, analyst, email_dist, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    result = _invite(analyst, email_dist, ("c1", "ann@example.com"))
    assert dispatch_invitations(org_a.pk) == {"sent": 0, "failed": 1, "suppressed": 0, "deferred": 0}
    invitation = Invitation.objects.for_org(org_a).get(pk=result.invited[0])
    assert invitation.status == "queued"  # retried on the next run
    failed = DeliveryEvent.objects.for_org(org_a).get(invitation=invitation, kind="failed")
    assert "refused" in failed.detail.lower() and "will retry" in failed.detail


def test_refused_recipient_fails_that_invitation(org_a, analyst, email_dist, smtp):
    async def refuse(server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.handle_RCPT = refuse
    _invite(analyst, email_dist, ("c1", "nobody@example.com"), ("c2", "ann@example.com"))
    assert sending.dispatch(org_a).as_dict() == {"sent": 1, "failed": 1, "suppressed": 0, "deferred": 0}
    statuses = dict(Invitation.objects.for_org(org_a).values_list("address", "status"))
    assert statuses == {"nobody@example.com": "failed", "ann@example.com": "sent"}


def test_sending_is_throttled_per_minute(org_a, analyst, email_dist, smtp):
    services.save_policy(analyst, contact_cap_days=7, emails_per_minute=2, messages_per_minute=10)
    _invite(analyst, email_dist, *[(f"c{i}", f"p{i}@example.com") for i in range(5)])
    first = sending.dispatch(org_a)
    assert (first.sent, first.deferred) == (2, 3) and len(smtp.messages) == 2
    assert Invitation.objects.for_org(org_a).filter(status="queued").count() == 3
    assert DeliveryEvent.objects.for_org(org_a).filter(kind="throttled").count() == 1
    from django.core.cache import cache

    cache.clear()  # the next minute
    second = sending.dispatch(org_a)
    assert second.sent == 2 and len(smtp.messages) == 4


def test_reminders_go_to_non_responders_only(org_a, analyst, email_dist, smtp):
    _invite(
        analyst,
        email_dist,
        ("c1", "done@example.com"),
        ("c2", "later@example.com"),
        ("c3", "started@example.com"),
    )
    sending.dispatch(org_a)
    by_address = {i.address: i for i in Invitation.objects.for_org(org_a)}
    client = Client()
    done_url = _link(smtp.to("done@example.com")[0])
    client.post(done_url, {"page": "overall", "q_csat": "5"})
    client.post(done_url, {"page": "details"})
    started_url = _link(smtp.to("started@example.com")[0])
    client.post(started_url, {"page": "overall", "q_csat": "3"})
    assert send_reminders(org_a.pk)["sent"] == 0  # too early
    four_days_ago = timezone.now() - timedelta(days=4)
    Invitation.objects.for_org(org_a).update(last_sent_at=four_days_ago)
    assert send_reminders(org_a.pk)["sent"] == 2
    reminded = {m["To"] for _s, _r, m in smtp.messages if m["Subject"].startswith("Reminder:")}
    assert reminded == {"later@example.com", "started@example.com"}
    assert _log(org_a, by_address["later@example.com"].pk)[-1] == "reminded"
    assert send_reminders(org_a.pk)["sent"] == 0  # not again within reminder_after_days
    Invitation.objects.for_org(org_a).update(last_sent_at=four_days_ago)
    assert send_reminders(org_a.pk)["sent"] == 2  # second and last reminder (max_reminders=2)
    Invitation.objects.for_org(org_a).update(last_sent_at=four_days_ago)
    assert send_reminders(org_a.pk)["sent"] == 0


def test_unsubscribe_link_and_one_click(org_a, analyst, email_dist, smtp, csat):
    result = _invite(analyst, email_dist, ("c1", "ann@example.com"), ("c2", "bob@example.com"))
    sending.dispatch(org_a)
    page_url = re.search(
        r"<https://cx\.example\.com(/r/u/[^>]+)>", smtp.to("ann@example.com")[0]["List-Unsubscribe"]
    )
    client = Client()
    confirm = client.get(page_url.group(1))
    assert confirm.status_code == 200 and '<form method="post"' in confirm.content.decode()
    assert client.post(page_url.group(1)).status_code == 200
    one_click = re.search(
        r"<https://cx\.example\.com(/r/u/[^>]+)>", smtp.to("bob@example.com")[0]["List-Unsubscribe"]
    )
    assert client.post(one_click.group(1), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _log(org_a, result.invited[0])[-1] == "unsubscribed"
    again = _invite(
        analyst, email_dist, ("c1", "ann@example.com"), ("c2", "bob@example.com"), apply_caps=True
    )
    assert again.invited == [] and again.skipped == {"unsubscribed": 2}
    assert client.get("/r/u/forged:token/").status_code == 404


def test_bounce_and_complaint_hooks(org_a, analyst, email_dist, smtp, make_key, api):
    _invite(analyst, email_dist, ("c1", "gone@example.com"), ("c2", "angry@example.com"))
    sending.dispatch(org_a)
    caller = api(make_key(org_a, "analyst"))
    gone = Invitation.objects.for_org(org_a).get(address="gone@example.com")
    reply = caller.post(
        "/distribution/bounces",
        {"kind": "bounce", "message_id": gone.provider_id, "detail": "550 5.1.1 user unknown"},
    )
    assert reply.status_code == 200 and reply.json() == {"marked": 1}
    complaint = caller.post("/distribution/bounces", {"kind": "complaint", "address": "angry@example.com"})
    assert complaint.json() == {"marked": 1}
    statuses = dict(Invitation.objects.for_org(org_a).values_list("address", "status"))
    assert statuses == {"gone@example.com": "bounced", "angry@example.com": "complained"}
    again = _invite(
        analyst, email_dist, ("c1", "gone@example.com"), ("c2", "angry@example.com"), apply_caps=True
    )
    assert again.invited == [] and again.skipped == {"unsubscribed": 2}
    log = caller.get(f"/invitations/{gone.pk}").json()["log"]
    assert [e["kind"] for e in log] == ["queued", "sent", "bounced"] and log[-1]["detail"].startswith("550")
    assert (
        caller.post("/distribution/bounces", {"kind": "nonsense", "address": "x@example.com"}).status_code
        == 422
    )


def test_a_scheduled_send_waits_for_its_time(
    org_a, analyst, email_dist, smtp, django_capture_on_commit_callbacks, make_key, api
):
    at = timezone.now() + timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        result = _invite(analyst, email_dist, ("c1", "ann@example.com"), send_at=at)
    invitation = Invitation.objects.for_org(org_a).get(pk=result.invited[0])
    assert smtp.messages == [] and invitation.status == "queued" and invitation.send_after == at
    assert invitation.expires_at == at + timedelta(days=email_dist.link_days)  # valid from the send
    assert sending.dispatch(org_a, now=at - timedelta(minutes=1)).sent == 0 and smtp.messages == []
    assert sending.dispatch(org_a, now=at + timedelta(seconds=1)).sent == 1
    (ann,) = smtp.to("ann@example.com")
    caller = api(make_key(org_a, "analyst"))
    shown = caller.get(f"/invitations/{invitation.pk}").json()
    assert shown["status"] == "sent" and shown["send_after"] is not None
    # Through the API: an ISO time with its zone; a past one is refused naming the field.
    later = (timezone.now() + timedelta(days=2)).isoformat()
    made = caller.post(
        f"/distributions/{email_dist.pk}/invitations",
        {"contacts": [{"id": "c2", "email": "bo@example.com"}], "send_at": later},
    )
    assert made.status_code == 202
    assert Invitation.objects.for_org(org_a).get(pk=made.json()["invited"][0]).send_after is not None
    past = caller.post(
        f"/distributions/{email_dist.pk}/invitations",
        {"contacts": [{"id": "c3", "email": "cy@example.com"}], "send_at": "2020-01-01T08:00:00+08:00"},
    )
    assert past.status_code == 422 and past.json()["field"] == "send_at"


@pytest.mark.parametrize(
    ("send_at", "problem"),
    [
        (lambda now: now - timedelta(minutes=1), "must be in the future"),
        (lambda now: now + timedelta(days=91), "must be within 90 days"),
        (lambda now: now.replace(tzinfo=None) + timedelta(days=1), "needs a time zone"),
    ],
)
def test_a_bad_send_time_is_refused_and_nobody_is_invited(org_a, analyst, email_dist, send_at, problem):
    from openxm.accounts.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        _invite(analyst, email_dist, ("c1", "ann@example.com"), send_at=send_at(timezone.now()))
    assert (err.value.field, err.value.message) == ("send_at", problem)
    assert not Invitation.objects.for_org(org_a).exists()
