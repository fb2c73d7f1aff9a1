"""Delivery against a real local HTTP server that fails first: retries with backoff, the
delivery log, the same webhook-id on every try, switching off after repeated failure, WeCom's
20-a-minute limit, and "send test"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.alerts import delivery, services
from openxm.alerts.models import Delivery, InboxItem, Webhook

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _apply(admin, url, fmt="standard", secret=SECRET):
    doc = f"""
webhooks:
  - {{key: hook, format: {fmt}, url: "{url}"{", secret: " + secret if secret else ""}}}
rules:
  - {{key: low, name: Low, when: {{score: nps, op: lte, value: 6}}, actions: [{{webhook: hook}}]}}
"""
    services.apply_document(admin, doc)


def _respond(org, survey, score, key, capture):
    from openxm.surveys import collect

    with capture(execute=True):
        return collect.record_response(
            org, survey, collect.Submission(answers={"nps": score}, idempotency_key=key)
        ).response


def test_retries_with_backoff_until_the_receiver_answers(
    org_a, admin, nps_survey, receiver, django_capture_on_commit_callbacks
):
    hook = receiver([500, 503])
    _apply(admin, hook.url)
    response = _respond(org_a, nps_survey, 3, "k1", django_capture_on_commit_callbacks)

    d = Delivery.objects.for_org(org_a).get()
    assert d.status == "pending" and d.attempts == 1  # the first try ran at once and failed
    first_retry = d.next_attempt_at
    assert timedelta(seconds=4) < first_retry - d.log.get().at <= timedelta(seconds=5)
    assert delivery.deliver_due(now=first_retry - timedelta(seconds=1)) == 0  # not due yet

    assert delivery.deliver_due(now=first_retry) == 1
    d.refresh_from_db()
    assert d.attempts == 2 and d.status == "pending"
    assert d.next_attempt_at - first_retry == timedelta(seconds=300)  # 5 s, then 5 min

    assert delivery.deliver_due(now=d.next_attempt_at) == 1
    d.refresh_from_db()
    assert d.status == "delivered" and d.next_attempt_at is None
    log = list(d.log.order_by("number"))
    assert [(a.number, a.status_code, a.ok) for a in log] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert log[0].excerpt == "try again later"
    ids = {r["headers"]["webhook-id"] for r in hook.requests}
    assert ids == {d.message_id}  # the same id on every try
    assert all(str(response.pk) in r["body"].decode() for r in hook.requests)
    assert Webhook.objects.for_org(org_a).get().consecutive_failures == 0


def test_a_failing_webhook_is_switched_off_and_its_owner_told(
    org_a, admin, nps_survey, receiver, django_capture_on_commit_callbacks
):
    hook = receiver([500] * 100)
    _apply(admin, hook.url)
    for i in range(delivery.DISABLE_AFTER):
        _respond(org_a, nps_survey, 1, f"k{i}", django_capture_on_commit_callbacks)
    webhook = Webhook.objects.for_org(org_a).get()
    assert not webhook.enabled and webhook.consecutive_failures == delivery.DISABLE_AFTER
    notice = InboxItem.objects.for_org(org_a).get(kind="webhook_disabled")
    assert notice.user == admin.user and notice.webhook == webhook
    assert [r.title for r in services.inbox(admin)][0].startswith("Webhook hook was switched off")
    # switched off: new alerts make no request
    before = len(hook.requests)
    _respond(org_a, nps_survey, 1, "after", django_capture_on_commit_callbacks)
    assert len(hook.requests) == before


def test_refused_address_is_a_logged_failure(
    org_a, admin, nps_survey, receiver, settings, django_capture_on_commit_callbacks
):
    hook = receiver()
    _apply(admin, hook.url)
    settings.OPENXM_WEBHOOK_ALLOWED_NETWORKS = ""
    _respond(org_a, nps_survey, 1, "k", django_capture_on_commit_callbacks)
    attempt = Delivery.objects.for_org(org_a).get().log.get()
    assert not attempt.ok and attempt.status_code is None
    assert "Refused" in attempt.excerpt and "127.0.0.1" in attempt.excerpt
    assert hook.requests == []


def test_wecom_holds_back_beyond_20_a_minute_then_merges(
    org_a, admin, nps_survey, receiver, django_capture_on_commit_callbacks
):
    hook = receiver()
    _apply(admin, hook.url + "?key=K", fmt="wecom", secret="")
    for i in range(23):
        _respond(org_a, nps_survey, 1, f"k{i}", django_capture_on_commit_callbacks)
    assert len(hook.requests) == 20
    waiting = Delivery.objects.for_org(org_a).filter(status="pending")
    assert waiting.count() == 3
    later = max(d.next_attempt_at for d in waiting)
    assert later > timezone.now()
    delivery.deliver_due(now=later + timedelta(seconds=61))
    assert len(hook.requests) == 21  # the three waiting alerts in one merged message
    assert "3" in hook.requests[-1]["body"].decode()
    assert Delivery.objects.for_org(org_a).filter(status="delivered").count() == 23


@pytest.mark.parametrize("statuses, ok", [((), True), ((500,), False)])
def test_send_test(org_a, admin, receiver, statuses, ok):
    hook = receiver(statuses)
    _apply(admin, hook.url)
    attempt = services.send_test(admin, "hook")
    assert attempt.ok is ok
    assert len(hook.requests) == 1
    d = attempt.delivery
    d.refresh_from_db()
    assert d.status == ("delivered" if ok else "failed")  # a test is never retried
    assert Webhook.objects.for_org(org_a).get().consecutive_failures == 0
    assert services.delivery_log(admin, "hook")[0].pk == attempt.pk


def test_the_periodic_jobs_run_in_the_embedded_scheduler(
    org_a, admin, nps_survey, receiver, django_capture_on_commit_callbacks
):
    from openxm import periodic
    from openxm.periodic import Scheduler

    hook = receiver([500])
    _apply(admin, hook.url)
    _respond(org_a, nps_survey, 1, "k", django_capture_on_commit_callbacks)
    d = Delivery.objects.for_org(org_a).get()
    Delivery.objects.for_org(org_a).filter(pk=d.pk).update(next_attempt_at=timezone.now())
    jobs = [j for j in periodic.configured_jobs() if j.name.startswith("openxm-alerts")]
    assert sorted(j.name for j in jobs) == [
        "openxm-alerts-deliver-due",
        "openxm-alerts-early-warning",
        "openxm-alerts-notify",
    ]
    assert sorted(Scheduler(jobs, None).run_pending()) == sorted(j.name for j in jobs)
    d.refresh_from_db()
    assert d.status == "delivered" and d.attempts == 2
