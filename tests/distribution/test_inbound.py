"""Inbound SMS / messenger replies through the real hook (test client): "TD", "退订", "STOP"
unsubscribe the contact with that number exactly as the e-mail unsubscribe link does; other
texts are kept as replies; the messenger's secret signs every request."""

import hashlib
import hmac
import json

import pytest
from django.core.cache import cache

from openxm.accounts.models import AuditEvent
from openxm.customers.models import Contact
from openxm.distribution import inbound, sending, services
from openxm.distribution.models import DeliveryEvent, InboundMessage, Invitation, Suppression

SECRET = "inbound-s3cret"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()


@pytest.fixture
def sms(analyst, fake_messenger):
    return services.create_messenger(
        analyst, "sms", "SMS gateway", {"url": f"{fake_messenger.url}/sms", "sender": "FN", "secret": SECRET}
    )


@pytest.fixture
def texted(org_a, analyst, csat, sms):
    """A contact (stored as "+86 138-0013-8000") who got an SMS invitation."""
    dist = services.create_distribution(analyst, csat.pk, "sms", name="sms", messenger=sms.pk)
    services.invite_contacts(
        analyst,
        dist.pk,
        [{"id": "c-li", "name": "李雷", "phone": "+86 138-0013-8000", "language": "zh-Hans"}],
    )
    assert sending.dispatch(org_a).sent == 1
    return Invitation.objects.for_org(org_a).select_related("contact").get()


def _post(client, org, messenger, payload, secret=SECRET, signature=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {}
    if signature is not None:
        headers["X-OpenXM-Signature"] = signature
    elif secret:
        headers["X-OpenXM-Signature"] = (
            "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        )
    return client.post(
        f"/api/v1/distribution/inbound/{org.slug}/{messenger.pk}",
        data=body,
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize(
    "sender, text",
    [
        ("+8613800138000", "TD"),
        ("8613800138000", "td"),
        ("0086 138 0013 8000", " T "),
        ("13800138000", "退订"),
        ("+86 138 0013 8000", "ＴＤ"),  # full-width letters
        ("１３８００１３８０００", "Stop."),  # full-width digits
        ("+86-138-0013-8000", "UNSUBSCRIBE"),
        ("13800138000", "t d"),
    ],
)
def test_an_opt_out_reply_unsubscribes_the_contact_like_the_email_link(
    client, org_a, sms, texted, sender, text
):
    response = _post(client, org_a, sms, {"from": sender, "text": text, "id": "m-1"})
    assert response.status_code == 200, response.content
    assert response.json() | {"id": 0} == {"id": 0, "outcome": "unsubscribed", "contacts": 1, "repeat": False}
    contact = Contact.objects.for_org(org_a).get(pk=texted.contact_id)
    assert contact.unsubscribed_at is not None
    # the same trail as the e-mail unsubscribe link: audit line, suppressed address, delivery log
    (audit,) = AuditEvent.objects.for_org(org_a).filter(action="contact.unsubscribed")
    assert audit.actor_label == "contact:c-li" and audit.via == "api"
    assert audit.data == {"invitation": texted.pk, "channel": "sms"}
    assert (
        Suppression.objects.for_org(org_a).filter(address="+86 138-0013-8000", reason="unsubscribe").exists()
    )
    kinds = list(
        DeliveryEvent.objects.for_org(org_a).filter(invitation=texted).values_list("kind", flat=True)
    )
    assert kinds[-1] == "unsubscribed"
    stored = InboundMessage.objects.for_org(org_a).get()
    assert stored.phone == "13800138000" and stored.text == text and stored.outcome == "unsubscribed"


def test_the_opted_out_contact_gets_nothing_more(client, org_a, analyst, csat, sms, texted):
    assert _post(client, org_a, sms, {"from": "+8613800138000", "text": "退订"}).status_code == 200
    dist = services.create_distribution(analyst, csat.pk, "sms", name="again", messenger=sms.pk)
    result = services.invite_contacts(analyst, dist.pk, [{"id": "c-li"}])
    assert not result.invited and result.skipped == {"unsubscribed": 1}
    # even past the contact rules, nothing is sent to it
    services.invite_contacts(analyst, dist.pk, [{"id": "c-li"}], apply_caps=False)
    assert sending.dispatch(org_a).as_dict()["suppressed"] == 1


def test_other_texts_are_kept_as_replies_and_change_nothing(client, org_a, sms, texted):
    response = _post(client, org_a, sms, {"from": "13800138000", "text": "TD是什么意思？服务很好"})
    assert response.status_code == 200
    assert response.json()["outcome"] == "reply" and response.json()["contacts"] == 1
    assert Contact.objects.for_org(org_a).get(pk=texted.contact_id).unsubscribed_at is None
    assert not Suppression.objects.for_org(org_a).exists()
    assert not AuditEvent.objects.for_org(org_a).filter(action="contact.unsubscribed").exists()
    assert InboundMessage.objects.for_org(org_a).get().text == "TD是什么意思？服务很好"


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha256=" + hmac.new(b"wrong", b"{}", hashlib.sha256).hexdigest()],
)
def test_an_unsigned_or_badly_signed_request_changes_nothing(client, org_a, sms, texted, signature):
    response = _post(client, org_a, sms, {"from": "13800138000", "text": "TD"}, signature=signature)
    assert response.status_code == 403
    assert "X-OpenXM-Signature" in response.json()["detail"]
    assert Contact.objects.for_org(org_a).get(pk=texted.contact_id).unsubscribed_at is None
    assert not InboundMessage.objects.for_org(org_a).exists()


def test_a_body_changed_after_signing_is_refused(client, org_a, sms, texted):
    body = json.dumps({"from": "13900000000", "text": "hello"}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    tampered = body.replace(b"hello", b"TD").replace(b"13900000000", b"13800138000")
    response = client.post(
        f"/api/v1/distribution/inbound/{org_a.slug}/{sms.pk}",
        data=tampered,
        content_type="application/json",
        headers={"X-OpenXM-Signature": signature},
    )
    assert response.status_code == 403
    assert Contact.objects.for_org(org_a).get(pk=texted.contact_id).unsubscribed_at is None


def test_a_messenger_without_a_secret_accepts_nothing(client, org_a, analyst, fake_messenger):
    open_sms = services.create_messenger(analyst, "sms", "no secret", {"url": f"{fake_messenger.url}/sms"})
    assert _post(client, org_a, open_sms, {"from": "1", "text": "TD"}, secret="").status_code == 403
    assert _post(client, org_a, open_sms, {"from": "1", "text": "TD"}, secret="anything").status_code == 403


def test_unknown_organization_or_messenger_is_404(client, org_a, org_b, sms):
    assert _post(client, org_b, sms, {"from": "1", "text": "TD"}).status_code == 404  # another org's id
    response = client.post("/api/v1/distribution/inbound/nope/1", data=b"{}", content_type="application/json")
    assert response.status_code == 404


def test_a_bad_payload_names_the_field(client, org_a, sms):
    response = _post(client, org_a, sms, {"text": "TD"})
    assert response.status_code == 422 and response.json()["field"] == "from"
    response = _post(client, org_a, sms, {"from": "138"})
    assert response.status_code == 422 and response.json()["field"] == "text"


def test_a_repeated_message_id_is_applied_once(client, org_a, sms, texted):
    first = _post(client, org_a, sms, {"from": "13800138000", "text": "STOP", "id": "gw-77"}).json()
    again = _post(client, org_a, sms, {"from": "13800138000", "text": "STOP", "id": "gw-77"}).json()
    assert again == first | {"repeat": True}
    assert InboundMessage.objects.for_org(org_a).count() == 1
    assert AuditEvent.objects.for_org(org_a).filter(action="contact.unsubscribed").count() == 1


def test_an_opt_out_from_an_unknown_number_suppresses_the_number(client, org_a, sms, texted):
    response = _post(client, org_a, sms, {"from": "+86 139 0000 0000", "text": "TD"})
    assert response.json()["outcome"] == "unknown_sender" and response.json()["contacts"] == 0
    assert {s.address for s in Suppression.objects.for_org(org_a)} == {"+86 139 0000 0000", "13900000000"}
    assert Contact.objects.for_org(org_a).get(pk=texted.contact_id).unsubscribed_at is None


def test_every_contact_with_the_number_is_unsubscribed_and_only_in_this_organization(
    client, org_a, org_b, make_contact, sms, texted
):
    make_contact("c-li-2", phone="138 0013 8000")
    make_contact("c-other", phone="13800138001")
    response = _post(client, org_a, sms, {"from": "+8613800138000", "text": "退订"})
    assert response.json()["contacts"] == 2
    unsubscribed = set(
        Contact.objects.for_org(org_a)
        .filter(unsubscribed_at__isnull=False)
        .values_list("external_id", flat=True)
    )
    assert unsubscribed == {"c-li", "c-li-2"}
    assert not AuditEvent.objects.for_org(org_b).filter(action="contact.unsubscribed").exists()


def test_a_webhook_messenger_matches_the_external_id_and_extra_keywords(client, org_a, analyst, make_contact):
    hook = services.create_messenger(
        analyst,
        "webhook",
        "IVR",
        {"url": "http://127.0.0.1:9/hook", "secret": SECRET, "opt_out_keywords": ["不要再发"]},
    )
    make_contact("crm-42")
    response = _post(client, org_a, hook, {"from": "crm-42", "text": "不要再发！"})
    assert response.json()["outcome"] == "unsubscribed"
    assert Contact.objects.for_org(org_a).get(external_id="crm-42").unsubscribed_at is not None


def test_phone_normalisation():
    same = [
        "+86 138 0013 8000",
        "0086-138-0013-8000",
        "8613800138000",
        "(138) 0013 8000",
        "１３８ ００１３ ８０００",
    ]
    assert {inbound.normalise_phone(p) for p in same} == {"13800138000"}
    assert inbound.normalise_phone("+1 (415) 555-0100") == inbound.normalise_phone("001 415 555 0100")
    assert inbound.normalise_phone("86123") == "86123"  # not a mobile number with a prefix: unchanged


def test_opt_out_keywords():
    for text in [
        "TD",
        "td",
        " T ",
        "退订",
        "STOP",
        "stop!",
        "Unsubscribe",
        "ＳＴＯＰ",
        "ｔｄ",
        "T　D",
        "退订。",
    ]:
        assert inbound.is_opt_out(text), text
    for text in ["", "thanks", "TD is great", "不退订", "stop sending me surveys please", "TDD"]:
        assert not inbound.is_opt_out(text), text
