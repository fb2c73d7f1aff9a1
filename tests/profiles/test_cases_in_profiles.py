"""Cases in customer intelligence: one click opens a case for a customer at risk (contact,
reasons, the tier's priority; no duplicate while one is open), the timeline shows the case's
opening and resolution with its root cause, the churn model reads cases as they stood at the
cut-off, and merges carry a contact's cases both ways."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.audit import AuditEvent
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.scope import organization_scope
from openxm.cases import actions, config
from openxm.cases.models import Case, CaseEvent
from openxm.cases.priority import priority_for
from openxm.customers import directory as contacts
from openxm.customers import events, tiers
from openxm.profiles import cases, churn, merging, timeline, value


def _customer(shop, external_id, unit="s-in", stopped_days=120):
    """A customer who bought every 10 days for a year and stopped ``stopped_days`` ago."""
    owner, now = shop["owner"], timezone.now()
    c = contacts.create_contact(owner, {"external_id": external_id, "name": external_id, "unit": unit})
    rows = [
        (c.pk, {"type": "order", "occurred_at": (now - timedelta(days=d)).isoformat(), "amount": "120"})
        for d in range(360, stopped_days, -10)
    ]
    events.record_events(owner, rows)
    return c


@pytest.fixture
def at_risk(shop):
    c = _customer(shop, "risky")
    _customer(shop, "steady", stopped_days=3)
    value.refresh_values(shop["org"], as_of=timezone.now())
    c.refresh_from_db()
    assert value.value_of(shop["owner"].scope, c.pk).churn_risk >= 0.5 and c.value_tier
    return c


def test_one_click_opens_a_case_with_the_reasons_and_the_tiers_priority(shop, at_risk):
    owner, org = shop["owner"], shop["org"]
    tiers.save_settings(owner, at_risk.value_tier, {"case_priority": "urgent"})
    opened = cases.open_for_risk(shop["agent"], at_risk.pk)
    assert opened.created
    case = Case.objects.for_org(org).get(pk=opened.case_id)
    assert (case.contact_id, case.source, case.priority, case.unit.code) == (
        at_risk.pk,
        "risk",
        "urgent",
        "s-in",
    )
    assert case.title.startswith("Churn risk") and "no purchase for" in case.title
    event = CaseEvent.objects.for_org(org).get(case=case, kind="opened")
    assert event.data["reasons"][0]["code"] == "overdue" and "no purchase for" in event.reason
    assert AuditEvent.unscoped.filter(organization=org, action="case.opened", target_id=str(case.pk)).exists()
    # a second click (or a second agent) finds the open case instead of opening another
    again = cases.open_for_risk(owner, at_risk.pk)
    assert (again.case_id, again.created) == (case.pk, False)
    assert Case.objects.for_org(org).filter(contact=at_risk).count() == 1
    assert cases.open_cases(owner.scope, [at_risk.pk]) == {at_risk.pk: case.pk}
    # once it is resolved, the customer may get a new one
    actions.transition(owner, case.pk, "resolved")
    assert cases.open_cases(owner.scope, [at_risk.pk]) == {}
    assert cases.open_for_risk(owner, at_risk.pk).created


def test_without_tier_settings_a_valuable_tier_raises_the_priority(shop, at_risk):
    opened = cases.open_for_risk(shop["owner"], at_risk.pk)
    case = Case.objects.for_org(shop["org"]).get(pk=opened.case_id)
    assert case.priority == priority_for("", None, at_risk.value_tier)
    assert case.tier == at_risk.value_tier


def test_opening_needs_cases_work_a_risk_and_the_contact_in_scope(shop, at_risk):
    with pytest.raises(PermissionDenied):
        cases.open_for_risk(shop["analyst"], at_risk.pk)
    other = _customer(shop, "outside", unit="s-out")
    with pytest.raises(NotFound):
        cases.open_for_risk(shop["store"], other.pk)  # another store's customer: not found
    fresh = contacts.create_contact(shop["owner"], {"external_id": "no-orders", "unit": "s-in"})
    with pytest.raises(InvalidInput, match="churn risk"):
        cases.open_for_risk(shop["owner"], fresh.pk)
    assert not Case.objects.for_org(shop["org"]).exists()  # nothing half-written


def test_the_timeline_shows_the_case_opened_and_resolved_with_its_root_cause(shop, at_risk):
    owner = shop["owner"]
    config.save_root_cause(owner, "delivery", "Late delivery")
    opened = cases.open_for_risk(owner, at_risk.pk)
    actions.transition(owner, opened.case_id, "resolved", root_cause="delivery")
    items = timeline.timeline(owner, at_risk.pk)
    kinds = {i.kind: i for i in items}
    assert kinds["case"].detail["case_id"] == opened.case_id and kinds["case"].title.startswith("Churn risk")
    assert kinds["case_state"].detail["to_state"] == "resolved"
    assert kinds["case_state"].detail["root_cause"] == "Late delivery"
    assert [i.kind for i in items].index("case_state") < [i.kind for i in items].index("case")  # newest first
    # without pii.view the agent-typed title is not shown; the facts are
    seen = {i.kind: i for i in timeline.timeline(shop["analyst"], at_risk.pk)}
    assert seen["case"].title == "" and seen["case_state"].detail["root_cause"] == "Late delivery"


def test_churn_history_reads_cases_when_they_happened(shop, at_risk):
    owner, org = shop["owner"], shop["org"]
    opened = cases.open_for_risk(owner, at_risk.pk)
    actions.transition(owner, opened.case_id, "resolved")
    known = [
        (e.customer, e.case_opened, e.open_cases_change)
        for e in churn.history(organization_scope(org))[1]
        if e.case_opened or e.open_cases_change
    ]
    assert known == [(str(at_risk.pk), True, 1), (str(at_risk.pk), False, -1)]
    opened_at = Case.objects.for_org(org).get(pk=opened.case_id).opened_at
    case_times = [e.at for e in churn.history(organization_scope(org))[1] if e.case_opened]
    assert case_times == [opened_at]  # dated by the case's log, not by when the history is read


def test_a_merged_contacts_cases_follow_it_and_come_back_on_unmerge(shop, at_risk):
    owner, org = shop["owner"], shop["org"]
    survivor = contacts.create_contact(owner, {"external_id": "survivor", "unit": "s-in"})
    opened = cases.open_for_risk(owner, at_risk.pk)
    record = merging.merge(owner, survivor.pk, at_risk.pk)
    assert record.moved["cases"] == [opened.case_id]
    assert Case.objects.for_org(org).get(pk=opened.case_id).contact_id == survivor.pk
    assert "case" in [i.kind for i in timeline.timeline(owner, survivor.pk)]
    merging.unmerge(owner, record.pk)
    assert Case.objects.for_org(org).get(pk=opened.case_id).contact_id == at_risk.pk
    assert "case" not in [i.kind for i in timeline.timeline(owner, survivor.pk)]


def test_the_api_opens_a_churn_risk_case_once(shop, at_risk, make_key, api):
    caller = api(make_key(shop["org"], "agent"))
    first = caller.post("/cases/churn-risk", {"contact_id": at_risk.pk})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["source"] == "risk" and body["title"].startswith("Churn risk")
    again = caller.post("/cases/churn-risk", {"contact_id": at_risk.pk})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    fresh = contacts.create_contact(shop["owner"], {"external_id": "no-orders-api", "unit": "s-in"})
    refused = caller.post("/cases/churn-risk", {"contact_id": fresh.pk})
    assert refused.status_code == 422 and refused.json()["field"] == "contact"
    assert Case.objects.for_org(shop["org"]).count() == 1
