"""Transactional triggers through POST /api/v1/events: sampling, per-survey and global contact caps,
idempotent events, and the rules that stop an invitation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.distribution import events, services
from openxm.distribution.models import Event, Invitation


@pytest.fixture
def wired(org_a, analyst, csat, make_survey, make_distribution):
    """order_delivered -> purchase CSAT by e-mail; ticket_closed -> support CES by e-mail."""
    ces = make_survey("support-ces")
    purchase = make_distribution(csat, "email")
    support = make_distribution(ces, "email")
    services.create_trigger(analyst, "order_delivered", purchase.pk, sample_percent=100, survey_cap_days=30)
    services.create_trigger(analyst, "ticket_closed", support.pk, sample_percent=100, survey_cap_days=14)
    services.save_policy(analyst, contact_cap_days=7, emails_per_minute=100, messages_per_minute=100)
    return purchase, support


def _event(caller, name, contact_id, key="", **attributes):
    return caller.post(
        "/events",
        {
            "event": name,
            "contact": {"id": contact_id, "email": f"{contact_id}@example.com", "language": "zh-Hans"},
            "attributes": attributes,
            "idempotency_key": key,
        },
    )


def test_event_invites_the_contact_to_the_bound_survey(org_a, wired, make_key, api):
    caller = api(make_key(org_a, "analyst"))
    reply = _event(caller, "order_delivered", "c1", key="order-1", order_id="A-1", store="sh-jingan")
    assert reply.status_code == 202
    body = reply.json()
    assert body["outcome"] == "invited" and body["repeat"] is False
    invitation = Invitation.objects.for_org(org_a).get(pk=body["invitation"])
    assert invitation.survey.key == "transactional-csat" and invitation.hidden["order_id"] == "A-1"
    assert invitation.touchpoint == "purchase" and invitation.contact.email == "c1@example.com"
    repeat = _event(caller, "order_delivered", "c1", key="order-1")
    assert repeat.status_code == 200 and repeat.json()["repeat"] is True
    assert repeat.json()["event_id"] == body["event_id"]
    assert Invitation.objects.for_org(org_a).count() == 1 and Event.objects.for_org(org_a).count() == 1


def test_contact_frequency_caps_per_survey_and_globally(org_a, wired, make_key, api, analyst):
    caller = api(make_key(org_a, "analyst"))
    assert _event(caller, "order_delivered", "c1", key="o1").json()["outcome"] == "invited"
    # any survey within 7 days: the global cap
    assert _event(caller, "ticket_closed", "c1", key="t1").json()["outcome"] == "capped_global"
    # 10 days later the global cap has passed but the purchase survey's 30-day cap has not
    Invitation.objects.for_org(org_a).update(created_at=timezone.now() - timedelta(days=10))
    assert _event(caller, "order_delivered", "c1", key="o2").json()["outcome"] == "capped_survey"
    assert _event(caller, "ticket_closed", "c1", key="t2").json()["outcome"] == "invited"
    # another contact is not affected
    assert _event(caller, "order_delivered", "c2", key="o3").json()["outcome"] == "invited"
    # with the global cap off, only per-survey caps apply
    services.save_policy(analyst, contact_cap_days=0, emails_per_minute=100, messages_per_minute=100)
    assert _event(caller, "ticket_closed", "c2", key="t3").json()["outcome"] == "invited"


def test_sampling_invites_about_the_given_share_and_is_stable_per_key(
    org_a, analyst, csat, make_distribution
):
    dist = make_distribution(csat, "email")
    trigger = services.create_trigger(analyst, "visit", dist.pk, sample_percent=25, survey_cap_days=0)
    drawn = [events.sampled(25, f"event-{i}", trigger.pk) for i in range(4000)]
    assert 0.22 < sum(drawn) / len(drawn) < 0.28
    assert drawn == [events.sampled(25, f"event-{i}", trigger.pk) for i in range(4000)]
    assert not any(events.sampled(0, f"e{i}", 1) for i in range(100))
    assert all(events.sampled(100, f"e{i}", 1) for i in range(100))
    services.save_policy(analyst, contact_cap_days=0, emails_per_minute=10, messages_per_minute=10)
    outcomes = [
        events.receive_event(
            analyst, "visit", {"id": f"c{i}", "email": f"c{i}@example.com"}, idempotency_key=f"v{i}"
        ).outcome
        for i in range(100)
    ]
    invited = outcomes.count("invited")
    assert invited + outcomes.count("sampled_out") == 100 and 10 <= invited <= 40


def test_rules_that_stop_an_invitation(org_a, wired, make_key, api, make_contact):
    caller = api(make_key(org_a, "analyst"))
    assert _event(caller, "no_such_event", "c1").json()["outcome"] == "no_trigger"
    no_mail = caller.post("/events", {"event": "order_delivered", "contact": {"id": "c9"}})
    assert no_mail.json()["outcome"] == "no_address"
    contact = make_contact("c5")
    contact.unsubscribed_at = timezone.now()
    contact.save()
    assert _event(caller, "order_delivered", "c5").json()["outcome"] == "unsubscribed"


def test_event_input_errors_and_permissions(org_a, wired, make_key, api):
    caller = api(make_key(org_a, "analyst"))
    bad = caller.post("/events", {"event": "Order Delivered!", "contact": {"id": "c1"}})
    assert bad.status_code == 422 and bad.json()["field"] == "event"
    assert caller.post("/events", {"event": "x", "contact": {"id": ""}}).json()["field"] == "contact.id"
    viewer = api(make_key(org_a, "viewer"))
    assert _event(viewer, "order_delivered", "c1").status_code == 403
    assert Invitation.objects.for_org(org_a).count() == 0


def test_events_of_one_organization_never_reach_another(org_a, org_b, wired, make_key, api):
    caller = api(make_key(org_b, "admin"))
    assert _event(caller, "order_delivered", "c1").json()["outcome"] == "no_trigger"
    assert Invitation.objects.for_org(org_a).count() == 0 and Invitation.objects.for_org(org_b).count() == 0
