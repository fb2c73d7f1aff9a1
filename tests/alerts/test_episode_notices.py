"""One alert per early-warning episode: an opened, meaningfully worse or closed episode is one
inbox item for each member who may see it, one e-mail per scan (held in quiet hours) and one
signed ``episode.*`` event to each subscribed webhook — once, however often the scan runs, and
exactly once when two scans run at the same time (PostgreSQL)."""

import json
import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection, connections

from openxm.accounts import services as accounts
from openxm.alerts import notifying, services
from openxm.alerts.early_warning import WEEKS, scan, watched_weeks
from openxm.alerts.formats import verify_standard
from openxm.alerts.models import Episode, EpisodeNotice, Held, InboxItem
from openxm.distribution.conf import absolute
from openxm.surveys import collect
from tests.alerts.conftest import quiet_hours_around_now
from tests.alerts.test_early_warning import TODAY, _load

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STABLE = [(40, 0.45, 0.20)] * (WEEKS - 3)
DROP = STABLE + [(40, 0.15, 0.60)] * 3
LONG_DROP = STABLE[1:] + [(40, 0.15, 0.60)] * 4


def _subscribe(admin, url, early_warning=True):
    services.apply_document(
        admin,
        f"""
webhooks:
  - {{key: ew, format: standard, url: "{url}", secret: {SECRET}, early_warning: {str(early_warning).lower()}}}
""",
    )


def _events(hook):
    return [json.loads(r["body"]) for r in hook.requests]


def _recover(org, survey, weeks=8):
    """``weeks`` more weeks at the old level after the watched ones."""
    start, _ = watched_weeks(TODAY)
    rng = random.Random(9)
    subs = []
    for w in range(WEEKS, WEEKS + weeks):
        for i in range(60):
            r = rng.random()
            score = 10 if r < 0.45 else 0 if r < 0.65 else 7
            at = datetime.combine(start + timedelta(days=7 * w + i % 7), datetime.min.time(), UTC)
            subs.append(
                collect.Submission(
                    answers={"nps": score}, idempotency_key=f"r{w}-{i}", completed_at=at + timedelta(hours=12)
                )
            )
    collect.record_batch(org, survey, subs)


def test_an_episode_is_told_once_when_opened_worse_and_closed(
    org_a, admin, nps_survey, units, receiver, django_capture_on_commit_callbacks
):
    hook, other = receiver(), receiver()
    _subscribe(admin, hook.url)
    services.apply_document(
        admin,
        f'webhooks:\n  - {{key: alerts-only, format: standard, url: "{other.url}", secret: {SECRET}}}\n',
    )
    accounts.add_member(admin, "store@example.com", "analyst", unit="sh-jingan")
    store = accounts.actor_for_user(accounts.bootstrap_user("store@example.com", None), org_a, "web")
    _load(org_a, nps_survey, LONG_DROP)
    mail.outbox.clear()

    # Two weeks before TODAY the second bad week is the latest: the EWMA crosses its limit.
    with django_capture_on_commit_callbacks(execute=True):
        scan(org_a, TODAY - timedelta(days=14))
    [opened] = _events(hook)
    assert opened["type"] == "episode.opened"
    data = opened["data"]
    episode = Episode.objects.for_org(org_a).get(kind="drop")
    assert (data["dimension"], data["subject"], data["kind"], data["metric"]) == (
        "touchpoint",
        "relationship",
        "drop",
        "nps",
    )
    assert data["episode"] == {"id": episode.pk, "url": absolute(f"/alerts/early-warning/{episode.pk}/")}
    assert data["latest"]["ewma"] < -data["latest"]["limit"] and data["baseline"]["nps"] > 0
    request = hook.requests[0]
    assert verify_standard(
        SECRET, request["headers"], request["body"], int(request["headers"]["webhook-timestamp"])
    )
    assert other.requests == []  # a webhook not subscribed to early warning hears nothing
    # The admin sees the whole organization: one inbox item and one e-mail; the store manager
    # (limited to a unit) is not told of a touchpoint's episode.
    [row] = [r for r in services.inbox(admin) if r.kind == "episode"]
    assert "Score drop" in row.title and "Opened" in row.title and row.detail["episode"] == episode.pk
    assert services.inbox(store) == []
    [message] = mail.outbox
    assert message.to == [admin.user.email] and f"/alerts/early-warning/{episode.pk}/" in message.body

    # The same weeks again (a re-run, a retried task) and the third bad week, a little worse (the
    # EWMA about 0.75 standard errors lower): nobody is told again.
    for day in (TODAY - timedelta(days=14), TODAY - timedelta(days=13), TODAY - timedelta(days=7)):
        with django_capture_on_commit_callbacks(execute=True):
            scan(org_a, day)
    assert len(hook.requests) == 1 and len(mail.outbox) == 1
    assert InboxItem.objects.for_org(org_a).filter(kind="episode").count() == 1

    # The fourth bad week: the EWMA is over one standard error lower than when told: updated.
    with django_capture_on_commit_callbacks(execute=True):
        scan(org_a, TODAY)
        scan(org_a, TODAY)
    assert [e["type"] for e in _events(hook)] == ["episode.opened", "episode.updated"]
    assert _events(hook)[1]["data"]["number"] == 1
    assert _events(hook)[1]["data"]["latest"]["ewma"] <= data["latest"]["ewma"] - 1.0

    # Back in control: closed, once.
    _recover(org_a, nps_survey)
    later = TODAY + timedelta(weeks=8)
    for day in (later, later + timedelta(days=1)):
        with django_capture_on_commit_callbacks(execute=True):
            scan(org_a, day)
    assert [e["type"] for e in _events(hook)] == ["episode.opened", "episode.updated", "episode.closed"]
    assert _events(hook)[2]["data"]["closed_at"] == later.isoformat()
    assert sorted(EpisodeNotice.objects.for_org(org_a).values_list("event", flat=True)) == [
        "closed",
        "opened",
        "updated",
    ]
    assert InboxItem.objects.for_org(org_a).filter(kind="episode", user=admin.user).count() == 3


def test_a_unit_episode_reaches_the_members_whose_scope_covers_the_unit(
    org_a, admin, nps_survey, units, django_capture_on_commit_callbacks
):
    accounts.add_member(admin, "store@example.com", "analyst", unit="sh-jingan")
    accounts.add_member(admin, "sh@example.com", "analyst", unit="sh")
    accounts.add_member(admin, "bj@example.com", "analyst", unit="bj")
    _load(org_a, nps_survey, [(40, 0.45, 0.20)] * (WEEKS - 1) + [(140, 0.15, 0.60)], unit="sh-jingan")
    with django_capture_on_commit_callbacks(execute=True):
        scan(org_a, TODAY)
    told = {
        email: {
            (r.detail["event"], Episode.objects.for_org(org_a).get(pk=r.detail["episode"]).subject)
            for r in services.inbox(
                accounts.actor_for_user(accounts.bootstrap_user(email, None), org_a, "web")
            )
        }
        for email in ("store@example.com", "sh@example.com", "bj@example.com")
    }
    assert told["store@example.com"] == {("opened", "sh-jingan")}
    assert told["sh@example.com"] == {("opened", "sh-jingan"), ("opened", "sh")}
    assert told["bj@example.com"] == set()


def test_quiet_hours_hold_the_episode_email_and_release_it(
    org_a, admin, nps_survey, django_capture_on_commit_callbacks
):
    quiet_hours_around_now(admin)
    _load(org_a, nps_survey, DROP)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scan(org_a, TODAY)
    assert mail.outbox == [] and services.unread_count(admin) == 1  # the inbox is never held
    [held] = Held.objects.for_org(org_a)
    assert held.notice is not None and held.reason == "quiet"
    assert notifying.release_held(held.release_at) == 1
    [message] = mail.outbox
    assert "Early warning: 1 changes" in message.subject and "Score drop" in message.body
    assert notifying.release_held(held.release_at + timedelta(hours=1)) == 0


def test_alert_email_off_keeps_the_inbox_only(org_a, admin, nps_survey, django_capture_on_commit_callbacks):
    notifying.save_settings(
        admin, alert_email=False, digest="none", quiet_start="", quiet_end="", time_zone=""
    )
    _load(org_a, nps_survey, DROP)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scan(org_a, TODAY)
    assert mail.outbox == [] and services.unread_count(admin) == 1


def test_rules_as_code_round_trip_the_subscription_and_reject_a_non_boolean(admin, receiver):
    hook = receiver()
    _subscribe(admin, hook.url)
    assert "early_warning: true" in services.export_document(admin)
    with pytest.raises(services.InvalidDocument) as caught:
        services.apply_document(
            admin, f'webhooks:\n  - {{key: ew, format: standard, url: "{hook.url}", early_warning: "yes"}}\n'
        )
    assert "webhooks[0].early_warning" in str(caught.value)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_tell_once(org_a, admin, nps_survey, receiver):
    """Two workers scanning the same organization at the same moment (a retried task next to the
    periodic one): the episode opens once, with one notice, one inbox item and one event."""
    hook = receiver()
    _subscribe(admin, hook.url)
    _load(org_a, nps_survey, DROP)
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait()
            scan(org_a, TODAY)
        except Exception as exc:  # the assertion below shows it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Episode.objects.for_org(org_a).filter(kind="drop").count() == 1
    assert EpisodeNotice.objects.for_org(org_a).count() == 1
    assert InboxItem.objects.for_org(org_a).filter(kind="episode").count() == 1
    assert [json.loads(r["body"])["type"] for r in hook.requests] == ["episode.opened"]
    assert connection.vendor == "postgresql"


def test_chat_formats_render_an_episode_event_with_its_link(org_a, admin, nps_survey):
    from openxm.alerts.delivery import message_for
    from openxm.alerts.models import Webhook

    _load(org_a, nps_survey, DROP)
    scan(org_a, TODAY, email=False)
    [notice] = EpisodeNotice.objects.for_org(org_a)
    message = message_for(
        Webhook(organization=org_a, format="slack"), {"type": "episode.opened", "data": notice.data}
    )
    assert (
        message.title.startswith("openxm early warning: Touchpoint ")
        and "Score drop (Opened)" in message.title
    )
    assert message.link == notice.data["episode"]["url"] and message.lines[0].startswith("NPS ")
