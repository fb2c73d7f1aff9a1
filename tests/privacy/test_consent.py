"""Consent records: what was agreed, when, through which channel and text version, per purpose;
a withdrawal or a channel switched off stops invitations; the API records and lists them."""

import pytest

from openxm.customers import consent
from openxm.customers.models import Contact
from openxm.distribution import invitations
from openxm.distribution.models import Event


def test_record_history_and_current_state(owner, org_a):
    contact = Contact.objects.for_org(org_a).create(
        organization=org_a, external_id="c1", email="c1@example.org"
    )
    consent.record_consent(owner, contact.pk, "surveys", True, "web", "notice-2026-01")
    consent.record_consent(owner, contact.pk, "marketing", True, "in_store", "notice-2026-01")
    consent.record_consent(owner, contact.pk, "marketing", False, "email", "notice-2026-03")
    current, history = consent.consents(owner, contact.pk)
    assert [(c.purpose, c.granted, c.text_version) for c in current] == [
        ("marketing", False, "notice-2026-03"),
        ("surveys", True, "notice-2026-01"),
    ]
    assert len(history) == 3 and history[0].recorded_by == owner.label
    contact.refresh_from_db()
    assert contact.consent == "granted" and contact.consent_at is not None
    assert consent.may_contact(contact, "surveys") and not consent.may_contact(contact, "marketing")


def test_withdrawal_and_channel_preferences_stop_invitations(owner, org_a, survey):
    contact = Contact.objects.for_org(org_a).create(
        organization=org_a, external_id="c2", email="c2@example.org"
    )
    assert invitations.check_rules(org_a, contact, survey, "email", survey_cap_days=None) == "c2@example.org"
    consent.record_consent(owner, contact.pk, "surveys", False, "email", "v2")
    contact.refresh_from_db()
    with pytest.raises(invitations.NotInvited) as refused:
        invitations.check_rules(org_a, contact, survey, "email", survey_cap_days=None)
    assert refused.value.outcome == Event.Outcome.UNSUBSCRIBED
    other = Contact.objects.for_org(org_a).create(
        organization=org_a,
        external_id="c3",
        email="c3@example.org",
        phone="13900000003",
        preferences={"email": False},
    )
    assert not consent.may_contact(other, "surveys", "email") and consent.may_contact(other, "surveys", "sms")


def test_api_records_and_lists_with_field_errors(owner, org_a, make_key, api):
    contact = Contact.objects.for_org(org_a).create(organization=org_a, external_id="c4")
    caller = api(make_key(org_a, "admin"))
    made = caller.post(
        f"/contacts/{contact.pk}/consents", {"purpose": "follow_up", "granted": True, "channel": "sms"}
    )
    assert made.status_code == 201 and made.json()["purpose"] == "follow_up"
    listed = caller.get(f"/contacts/{contact.pk}/consents").json()
    assert listed["current"][0]["granted"] is True and len(listed["history"]) == 1
    bad = caller.post(
        f"/contacts/{contact.pk}/consents", {"purpose": "spam", "granted": True, "channel": "sms"}
    )
    assert bad.status_code == 422 and "purpose" in bad.content.decode()


def test_contact_list_exports_flag_and_can_leave_out_opted_out_contacts(owner, org_a, make_key, api):
    """The directory and a segment's members (the API's bulk reads of contact lists) keep every
    contact, so counts agree with the pages, and flag those who must not be asked for feedback;
    ``contactable=true`` leaves them out (a list for a campaign), ``false`` lists only them."""
    from openxm.distribution import invitations

    made = {}
    for eid in ("ok", "unsubscribed", "withdrawn", "email-off"):
        made[eid] = Contact.objects.for_org(org_a).create(
            organization=org_a, external_id=eid, attributes={"city": "sh"},
            preferences={"email": False} if eid == "email-off" else {},
        )
    invitations.unsubscribe_contact(
        org_a, made["unsubscribed"], invitation=None, channel="email", addresses=[]
    )
    consent.record_consent(owner, made["withdrawn"].pk, "surveys", False, "web", "v3")
    caller = api(make_key(org_a, "admin"))

    listed = caller.get("/contacts").json()["contacts"]
    flags = {c["external_id"]: c["contactable"] for c in listed}
    # A channel switched off still leaves the others: the contact stays contactable.
    assert flags == {"ok": True, "unsubscribed": False, "withdrawn": False, "email-off": True}
    only = caller.get("/contacts?contactable=true").json()["contacts"]
    assert sorted(c["external_id"] for c in only) == ["email-off", "ok"]
    others = caller.get("/contacts?contactable=false").json()["contacts"]
    assert sorted(c["external_id"] for c in others) == ["unsubscribed", "withdrawn"]

    city = {"contact": "city", "op": "eq", "value": "sh"}
    caller.put("/segments/shanghai", {"name": "Shanghai", "condition": city})
    members = caller.get("/segments/shanghai/contacts").json()["contacts"]
    assert {c["external_id"]: c["contactable"] for c in members} == flags
    assert caller.get(f"/contacts/{made['withdrawn'].pk}").json()["contact"]["contactable"] is False
