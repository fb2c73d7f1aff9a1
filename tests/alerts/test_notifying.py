"""Quiet hours, per-rule rate limits with a digest of what was held back (e-mail and a signed
webhook event), urgent rules bypassing both, notification settings, and the daily and weekly
digest e-mails in each member's scope and language."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from openxm.accounts import services as accounts
from openxm.accounts.errors import InvalidInput
from openxm.alerts import notifying, services
from openxm.alerts.formats import verify_standard
from openxm.alerts.models import Episode, Held, InboxItem
from tests.alerts.conftest import quiet_hours_around_now

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _rules(admin, url, limit=None, urgent=False, notify=None):
    extra = (f"\n    limit_per_hour: {limit}" if limit else "") + ("\n    urgent: true" if urgent else "")
    services.apply_document(
        admin,
        f"""
webhooks:
  - {{key: hook, format: standard, url: "{url}", secret: {SECRET}}}
rules:
  - key: low
    name: Low
    when: {{score: nps, op: lte, value: 6}}
    actions: [{{webhook: hook}}, {{notify: [{notify or admin.user.email}]}}]{extra}
""",
    )


@pytest.mark.parametrize(
    "start, end, now, until",
    [
        (None, None, "03:00", None),
        ("22:00", "07:00", "23:30", "2026-12-07T07:00"),  # wraps past midnight
        ("22:00", "07:00", "03:00", "2026-12-06T07:00"),
        ("22:00", "07:00", "07:00", None),  # the end itself is no longer quiet
        ("22:00", "07:00", "12:00", None),
        ("12:00", "14:00", "13:59", "2026-12-06T14:00"),
        ("12:00", "14:00", "11:59", None),
    ],
)
def test_quiet_until(start, end, now, until):
    zone = UTC
    at = datetime.fromisoformat(f"2026-12-06T{now}").replace(tzinfo=zone)

    def t(v):
        return time.fromisoformat(v) if v else None

    expected = datetime.fromisoformat(until).replace(tzinfo=zone) if until else None
    assert notifying.quiet_until(t(start), t(end), at) == expected


def test_rate_limit_holds_back_and_sends_one_digest_per_channel(org_a, admin, respond, receiver):
    hook = receiver()
    _rules(admin, hook.url, limit=2)
    assert "limit_per_hour: 2" in services.export_document(admin)  # rules as code round-trip it
    mail.outbox.clear()
    fired = [respond(2, f"k{i}") for i in range(4)]
    # Two alerts went out at once on each channel; the inbox has all four.
    assert len(hook.requests) == 2 and len(mail.outbox) == 2
    assert services.unread_count(admin) == 4
    held = Held.objects.for_org(org_a)
    assert sorted(held.values_list("reason", flat=True)) == ["rate"] * 4  # 2 alerts × (e-mail, webhook)
    assert notifying.release_held(timezone.now()) == 0  # not yet: the hour is not over
    release = held.first().release_at
    assert notifying.release_held(release) == 4
    [digest] = [r for r in hook.requests if json.loads(r["body"])["type"] == "alert.digest"]
    assert verify_standard(
        SECRET, digest["headers"], digest["body"], int(digest["headers"]["webhook-timestamp"])
    )
    data = json.loads(digest["body"])["data"]
    assert data["count"] == 2
    assert [a["response"]["id"] for a in data["alerts"]] == sorted(r.pk for r in fired[2:])
    [message] = mail.outbox[2:]
    assert "2 alerts held back" in message.subject
    assert all(f"/responses/{r.pk}/" in message.body for r in fired[2:])
    assert notifying.release_held(release + timedelta(hours=1)) == 0  # never twice


def test_urgent_rule_bypasses_the_limit_and_quiet_hours(org_a, admin, respond, receiver):
    hook = receiver()
    _rules(admin, hook.url, limit=1, urgent=True)
    quiet_hours_around_now(admin)
    mail.outbox.clear()
    for i in range(3):
        respond(1, f"u{i}")
    assert len(hook.requests) == 3 and len(mail.outbox) == 3
    assert not Held.objects.for_org(org_a).exists()


def test_quiet_hours_hold_emails_until_they_end_and_alert_email_off(org_a, admin, respond, receiver):
    hook = receiver()
    _rules(admin, hook.url)
    now = quiet_hours_around_now(admin)
    mail.outbox.clear()
    r = respond(2, "q1")
    respond(3, "q2")
    assert mail.outbox == [] and len(hook.requests) == 2  # quiet hours are the member's, not the webhook's
    [end] = set(Held.objects.for_org(org_a).values_list("release_at", flat=True))
    assert end.astimezone(UTC).strftime("%H:%M") == (now + timedelta(hours=1)).strftime("%H:%M")
    assert 0 < (end - now).total_seconds() <= 3600
    assert notifying.release_held(end) == 2
    [message] = mail.outbox
    assert f"/responses/{r.pk}/" in message.body

    notifying.save_settings(
        admin, alert_email=False, digest="none", quiet_start="", quiet_end="", time_zone=""
    )
    mail.outbox.clear()
    respond(1, "q3")
    assert mail.outbox == [] and InboxItem.objects.for_org(org_a).count() == 3
    assert Held.objects.for_org(org_a).filter(released_at__isnull=True).count() == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"digest": "hourly"}, "digest"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00", "quiet_end": ""}, "quiet_end"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_settings_errors_name_the_field_and_save_nothing(admin, fields, field):
    values = {"alert_email": False, "digest": "daily", "quiet_start": "", "quiet_end": "", "time_zone": ""}
    with pytest.raises(InvalidInput) as exc:
        notifying.save_settings(admin, **{**values, **fields})
    assert exc.value.field == field
    assert notifying.get_settings(admin).pk is None
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as exc:
        notifying.save_settings(admin, **{**values, "digest": "hourly"})
    assert exc.value.message.startswith("必须是以下之一")


def _episode(org, subject, dimension="unit", opened=None):
    return Episode.objects.for_org(org).create(
        organization=org,
        dimension=dimension,
        subject=subject,
        label=subject,
        kind="drop",
        opened_at=opened or date(2026, 12, 6),
        updated_at=opened or date(2026, 12, 6),
        evidence={
            "baseline": {"nps": 25.0, "n": 720, "weeks": 18, "expected_per_week": 40},
            "series": [{"week": "2026-11-30", "n": 41, "nps": -20.0, "z": -4.1, "ewma": -2.9, "limit": 1.9}],
        },
    )


def _nine_am_zone(now: datetime) -> str:
    """A fixed-offset zone in which ``now`` is between 09:00 and 10:00."""
    k = 9 - now.astimezone(UTC).hour  # Etc/GMT-k is UTC+k
    if k < -12:  # there is no zone behind UTC-12: 09:00 of the next day, ahead of UTC, instead
        k += 24
    return "Etc/GMT" if k == 0 else f"Etc/GMT{-k:+d}"


def test_daily_digest_in_scope_and_language_once_a_day(org_a, admin, units, respond):
    accounts.add_member(admin, "sh@example.com", "analyst", unit="sh")
    user = accounts.bootstrap_user("sh@example.com", None)
    user.language = "zh-hans"
    user.save()
    sh = accounts.actor_for_user(user, org_a, "web")
    services.apply_document(
        admin,
        "rules:\n  - {key: low, name: Low, when: {score: nps, op: lte, value: 6}, "
        "actions: [{notify: [sh@example.com]}]}\n",
    )
    now = timezone.now()
    zone = _nine_am_zone(now)
    notifying.save_settings(
        sh, alert_email=False, digest="daily", quiet_start="", quiet_end="", time_zone=zone
    )
    respond(2, "s1", unit="sh-jingan")
    respond(2, "s2", unit="sh-jingan")
    respond(2, "b1", unit="bj")
    _episode(org_a, "sh-jingan")
    _episode(org_a, "bj")
    _episode(org_a, "relationship", dimension="touchpoint")
    mail.outbox.clear()
    assert notifying.send_digests(now - timedelta(hours=2)) == 0  # 07:xx local: too early
    assert notifying.send_digests(now + timedelta(minutes=1)) == 1
    [message] = mail.outbox
    assert message.to == ["sh@example.com"]
    assert "Low: 2" in message.body  # the Beijing response never reached her inbox
    assert "sh-jingan" in message.body and "bj" not in message.body and "relationship" not in message.body
    assert "-20.0" in message.body and "25.0" in message.body  # how sure: the NPS against its baseline
    assert "预警" in message.body and "Early warning" not in message.body  # in her language
    mail.outbox.clear()
    assert notifying.send_digests(now + timedelta(hours=3)) == 0  # once a day
    # The next day: no new alerts, but the episode is still open (the scan updates it daily).
    assert notifying.send_digests(now + timedelta(days=1, minutes=2)) == 1
    assert "Low" not in mail.outbox[0].body and "sh-jingan" in mail.outbox[0].body


@pytest.mark.parametrize(
    "digest, last, now, due",
    [
        ("daily", None, "2026-12-08T09:00", True),
        ("daily", None, "2026-12-08T07:59", False),
        ("daily", "2026-12-08T08:30", "2026-12-08T20:00", False),
        ("daily", "2026-12-07T23:00", "2026-12-08T08:00", True),
        ("weekly", None, "2026-12-07T09:00", True),  # a Monday
        ("weekly", None, "2026-12-08T09:00", False),  # a Tuesday
        ("weekly", "2026-12-07T09:00", "2026-12-14T08:10", True),
        ("weekly", "2026-12-07T09:00", "2026-12-07T18:00", False),
    ],
)
def test_when_a_digest_is_due(digest, last, now, due):
    row = notifying.NotificationSettings(digest=digest)
    row.last_digest_at = datetime.fromisoformat(last).replace(tzinfo=UTC) if last else None
    assert notifying._due(row, datetime.fromisoformat(now).replace(tzinfo=UTC), UTC) is due


def test_a_digest_that_fails_to_send_is_sent_by_the_next_run_once(org_a, admin, respond, monkeypatch):
    """Sent first, recorded after: a mail server that refuses leaves the digest due, the next
    run sends it, and the run after that sends nothing more."""
    services.apply_document(
        admin,
        "rules:\n  - {key: low, name: Low, when: {score: nps, op: lte, value: 6}, "
        f"actions: [{{notify: [{admin.user.email}]}}]}}\n",
    )
    now = timezone.now()
    notifying.save_settings(
        admin, alert_email=False, digest="daily", quiet_start="", quiet_end="", time_zone=_nine_am_zone(now)
    )
    respond(2, "d1")
    mail.outbox.clear()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(notifying, "send_mail", refuse)
    assert notifying.send_digests(now + timedelta(minutes=1)) == 0
    row = notifying.NotificationSettings.objects.for_org(org_a).get(user=admin.user)
    assert row.last_digest_at is None  # not marked: still due
    monkeypatch.undo()
    assert notifying.send_digests(now + timedelta(minutes=2)) == 1
    assert notifying.send_digests(now + timedelta(minutes=3)) == 0
    [message] = mail.outbox
    assert "Low: 1" in message.body


def test_the_hourly_limit_is_a_fixed_clock_hour(org_a, admin, respond, receiver):
    """Held alerts go out at the top of the hour however long the burst lasts; the next hour
    starts a fresh count."""
    hook = receiver()
    _rules(admin, hook.url, limit=1)
    respond(2, "h0")
    respond(2, "h1")
    [held_release] = set(Held.objects.for_org(org_a).values_list("release_at", flat=True))
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert held_release == start + timedelta(hours=1)
    rule = services.get_rule(admin, "low")
    next_hour = start + timedelta(hours=1, minutes=5)
    last = rule.alerts.first()
    assert notifying.rate_release(rule, last, next_hour) is None  # a new hour, a new count
    assert notifying.rate_release(rule, last, start + timedelta(minutes=59)) == start + timedelta(hours=1)
