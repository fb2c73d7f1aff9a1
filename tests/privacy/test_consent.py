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
