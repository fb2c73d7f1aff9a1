"""Management pages and QR codes, the public collection API for apps, and the intercept config."""

import json
import zoneinfo
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from openxm.distribution import services
from openxm.distribution.models import Distribution, Invitation
from openxm.surveys.models import Response


def test_pages_create_a_link_show_its_qr_code_and_invite_contacts(
    org_a, make_member, signed_in, csat, analyst
):
    client = signed_in(make_member(org_a, "analyst"))
    assert client.get("/distribution/").status_code == 200
    created = client.post(
        "/distribution/new/",
        {
            "survey": csat.pk,
            "channel": "qr",
            "name": "Till receipts",
            "link_days": 30,
            "reminder_after_days": 3,
            "max_reminders": 1,
        },
    )
    dist = Distribution.objects.for_org(org_a).get()
    assert created.status_code == 302 and created["Location"] == f"/distribution/{dist.pk}/"
    page = client.get(created["Location"]).content.decode()
    assert "/r/l/" in page and f"/distribution/{dist.pk}/qr.svg" in page
    svg = client.get(f"/distribution/{dist.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(f"/distribution/{dist.pk}/qr.png?download=1")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and "attachment" in png["Content-Disposition"]
    email = services.create_distribution(analyst, csat.pk, "email")
    contacts = "ann@example.com\nc2, bob@example.com, Bob"
    invited = client.post(f"/distribution/{email.pk}/invite/", {"contacts": contacts})
    assert invited.status_code == 302
    assert Invitation.objects.for_org(org_a).filter(distribution=email).count() == 2

    # A scheduled send: the time typed is in the organization's time zone.
    org_a.time_zone = "Asia/Shanghai"
    org_a.save()
    local = timezone.localtime(timezone.now() + timedelta(days=3), zoneinfo.ZoneInfo("Asia/Shanghai"))
    typed = local.strftime("%Y-%m-%dT%H:%M")
    client.post(f"/distribution/{email.pk}/invite/", {"contacts": "c9, cy@example.com", "send_at": typed})
    scheduled = Invitation.objects.for_org(org_a).get(address="cy@example.com")
    assert timezone.localtime(scheduled.send_after, zoneinfo.ZoneInfo("Asia/Shanghai")).strftime(
        "%Y-%m-%dT%H:%M"
    ) == typed
    page = client.get(f"/distribution/{email.pk}/").content.decode()
    assert "scheduled for" in page
    refused = client.post(
        f"/distribution/{email.pk}/invite/",
        {"contacts": "c10, dd@example.com", "send_at": "2020-01-01T08:00"},
        follow=True,
    )
    assert "send_at: must be in the future" in refused.content.decode()
    assert not Invitation.objects.for_org(org_a).filter(address="dd@example.com").exists()


def test_qr_code_encodes_the_public_link(org_a, csat, make_distribution):
    segno = pytest.importorskip("segno")
    from openxm.distribution import qr

    dist = make_distribution(csat, "qr")
    link = services.public_link(dist)
    svg = qr.qr_code(link, "svg").decode()
    assert svg.startswith("<?xml") and link in svg  # the title carries the link
    assert segno.make(link, error="m").designator == segno.make(link, error="m").designator


def test_viewer_sees_but_cannot_change(org_a, make_member, signed_in, csat, make_distribution):
    dist = make_distribution(csat, "link")
    client = signed_in(make_member(org_a, "viewer"))
    assert client.get(f"/distribution/{dist.pk}/").status_code == 200
    assert client.get("/distribution/new/").status_code == 403
    assert client.post(f"/distribution/{dist.pk}/toggle/", {"active": "0"}).status_code == 403


def test_public_collection_api_for_apps(org_a, csat, make_distribution, client, settings):
    dist = make_distribution(csat, "app")
    token = services.public_link(dist).rstrip("/").rsplit("/", 1)[1]
    survey = client.get(f"/api/v1/public/surveys/{token}").json()
    assert survey["survey"] == "transactional-csat" and survey["definition"]["pages"][0]["id"] == "overall"
    body = {
        "answers": {"csat": 5},
        "idempotency_key": "phone-1",
        "language": "zh-Hans",
        "hidden": {"store": "sh-jingan"},
        "meta": {"platform": "ios", "secret": "x"},
    }
    first = client.post(f"/api/v1/public/surveys/{token}/responses", body, content_type="application/json")
    second = client.post(f"/api/v1/public/surveys/{token}/responses", body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200) and first.json()["id"] == second.json()["id"]
    response = Response.objects.for_org(org_a).get()
    assert response.channel == "app" and response.meta["platform"] == "ios" and "secret" not in response.meta
    bad = client.post(
        f"/api/v1/public/surveys/{token}/responses", {"answers": {"csat": 9}}, content_type="application/json"
    )
    assert bad.status_code == 422 and "csat" in bad.json()["errors"]
    assert client.get("/api/v1/public/surveys/forged:token").status_code == 404
    settings.OPENXM_RESPOND_RATE_PER_IP = 1
    limited = client.post(
        f"/api/v1/public/surveys/{token}/responses", {"answers": {"csat": 4}}, content_type="application/json"
    )
    assert limited.status_code == 429


def test_personal_channels_are_not_public(org_a, csat, make_distribution, client):
    dist = make_distribution(csat, "email")
    token = services.public_link(dist).rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/api/v1/public/surveys/{token}").status_code == 404


def test_intercept_config_and_embedding(org_a, csat, make_distribution, settings):
    settings.OPENXM_PUBLIC_URL = "https://cx.example.com"
    dist = make_distribution(
        csat,
        "intercept",
        options={
            "trigger": "event",
            "event": "checkout_done",
            "percent": 20,
            "delay_seconds": 3,
            "allowed_origins": ["https://shop.example.com"],
        },
    )
    token = services.public_link(dist).rstrip("/").rsplit("/", 1)[1]
    reply = Client().get(f"/r/x/{token}/config.json")
    config = json.loads(reply.content)
    assert reply["Access-Control-Allow-Origin"] == "*"
    assert config["trigger"] == "event" and config["event"] == "checkout_done" and config["percent"] == 20
    assert config["url"] == f"https://cx.example.com/r/l/{token}/?embed=1"
    page = Client().get(f"/r/l/{token}/?embed=1")
    assert "frame-ancestors https://shop.example.com" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    plain = Client().get(
        services.public_link(make_distribution(csat, "link")).replace("https://cx.example.com", "")
    )
    assert "frame-ancestors 'none'" in plain["Content-Security-Policy"] and plain["X-Frame-Options"] == "DENY"
    assert Client().get(f"/r/x/{token}x/config.json").status_code == 404


def test_intercept_options_are_checked(analyst, csat):
    from openxm.accounts.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        services.create_distribution(analyst, csat.pk, "intercept", options={"trigger": "event"})
    assert err.value.field == "options.event"
    with pytest.raises(InvalidInput):
        services.create_distribution(analyst, csat.pk, "intercept", options={"percent": 150})


def test_intercept_snippet_is_small():
    import gzip

    from django.contrib.staticfiles import finders

    with open(finders.find("openxm/intercept.js"), "rb") as f:
        source = f.read()
    assert len(gzip.compress(source, 9)) <= 10 * 1024
    assert b"/r/x/" in source and b"showModal" in source


def test_every_management_page_renders(org_a, make_member, signed_in, csat, analyst, fake_messenger):
    client = signed_in(make_member(org_a, "admin"))
    email = services.create_distribution(analyst, csat.pk, "email", name="Purchase mail")
    intercept = services.create_distribution(analyst, csat.pk, "intercept", options={"percent": 5})
    result = services.invite_contacts(analyst, email.pk, [{"id": "c1", "email": "c1@example.com"}])
    services.create_trigger(analyst, "order_delivered", email.pk, sample_percent=50)
    pages = [
        "/distribution/",
        f"/distribution/{email.pk}/",
        f"/distribution/{intercept.pk}/",
        f"/distribution/invitations/{result.invited[0]}/",
        "/distribution/triggers/",
        "/distribution/messengers/",
        "/distribution/policy/",
        f"/distribution/new/?survey={csat.pk}&channel=email",
    ]
    for url in pages:
        reply = client.get(url)
        assert reply.status_code == 200, url
    assert "intercept.js" in client.get(f"/distribution/{intercept.pk}/").content.decode()
    saved = client.post(
        "/distribution/policy/", {"contact_cap_days": 14, "emails_per_minute": 10, "messages_per_minute": 10}
    )
    assert saved.status_code == 302 and services.get_policy(analyst).contact_cap_days == 14
    added = client.post(
        "/distribution/messengers/",
        {"kind": "webhook", "name": "IVR", "config": json.dumps({"url": fake_messenger.url})},
    )
    assert added.status_code == 302 and len(services.list_messengers(analyst)) == 1
    trigger = services.list_triggers(analyst)[0]
    assert client.post("/distribution/triggers/", {"delete": trigger.pk}).status_code == 302
    assert services.list_triggers(analyst) == []
