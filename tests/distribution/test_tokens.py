"""Personal links: signed, expiring, single-use; the response is tied to the contact and the touchpoint."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from openxm.distribution import invitations, services, tokens
from openxm.distribution.models import DeliveryEvent, Invitation
from openxm.surveys.models import Response


@pytest.fixture
def invited(org_a, analyst, csat, make_distribution):
    dist = make_distribution(csat, "email", touchpoint="purchase.store", link_days=14)
    result = services.invite_contacts(
        analyst,
        dist.pk,
        [{"id": "c-42", "email": "li@example.com", "name": "李雷", "language": "zh-Hans"}],
        hidden={"store": "上海静安店"},
    )
    invitation = Invitation.objects.for_org(org_a).get(pk=result.invited[0])
    return invitation, invitations.personal_url(invitation).replace("http://localhost:8000", "")


def _kinds(org, invitation):
    return [e.kind for e in DeliveryEvent.objects.for_org(org).filter(invitation=invitation)]


def test_personal_link_ties_the_response_to_contact_and_touchpoint(org_a, invited):
    invitation, url = invited
    client = Client()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="zh-Hans">' in html and "上海静安店" in html
    first = client.post(url, {"page": "overall", "q_csat": "5"})
    assert first.status_code == 302 and first["Location"] == url
    invitation.refresh_from_db()
    assert invitation.status == "started" and invitation.response.status == "partial"
    done = client.post(url, {"page": "details", "q_comment": "很好"})
    assert "/r/done/" in done["Location"]
    response = Response.objects.for_org(org_a).get()
    invitation.refresh_from_db()
    assert response.contact.external_id == "c-42" and response.touchpoint == "purchase.store"
    assert response.channel == "email" and response.meta["invitation"] == invitation.pk
    assert invitation.status == "completed" and invitation.response_id == response.pk
    assert _kinds(org_a, invitation) == ["queued", "opened", "started", "completed"]


def test_link_is_single_use(org_a, invited):
    invitation, url = invited
    client = Client()
    client.post(url, {"page": "overall", "q_csat": "4"})
    client.post(url, {"page": "details"})
    again = client.get(url)
    assert again.status_code == 200 and 'data-kind="done"' in again.content.decode()
    client.post(url, {"page": "overall", "q_csat": "1"})
    assert Response.objects.for_org(org_a).get().answers["csat"] == 4
    assert Response.objects.for_org(org_a).count() == 1


def test_expired_link_is_refused(org_a, invited):
    invitation, url = invited
    Invitation.objects.for_org(org_a).filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client().get(url).status_code == 410


def test_token_older_than_the_link_validity_is_refused(org_a, invited, monkeypatch):
    invitation, _url = invited
    real = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 15 * 24 * 3600)  # signed 15 days ago
    old = tokens.invitation_token(org_a.pk, invitation.pk, invitation.nonce)
    monkeypatch.setattr(signing.time, "time", real)
    assert Client().get(f"/r/i/{old}/").status_code == 410


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: t.replace(t.split(".")[1], str(int(t.split(".")[1]) + 1), 1),  # another invitation id
        lambda t: "x" + t,
        lambda t: "nonsense",
    ],
)
def test_tampered_token_is_refused(invited, mangle):
    _invitation, url = invited
    token = re.search(r"/r/i/([^/]+)/", url).group(1)
    assert Client().get(f"/r/i/{mangle(token)}/").status_code == 404


def test_token_of_another_organization_is_refused(org_a, org_b, invited):
    invitation, _url = invited
    forged = tokens.invitation_token(org_b.pk, invitation.pk, invitation.nonce)
    assert Client().get(f"/r/i/{forged}/").status_code == 404


def test_reissued_nonce_invalidates_the_old_link(org_a, invited):
    invitation, url = invited
    Invitation.objects.for_org(org_a).filter(pk=invitation.pk).update(nonce="fresh")
    assert Client().get(url).status_code == 404


def test_leave_midway_and_resume_from_the_personal_link(org_a, invited):
    invitation, url = invited
    Client().post(url, {"page": "overall", "q_csat": "2", "q_parts.staff": "1"})
    later = Client().get(url)  # another device, no cookie
    html = later.content.decode()
    assert 'name="page" value="details"' in html and 'name="q_improve"' in html
    back = Client().get(url + "?page=overall")
    assert re.search(r'name="q_csat" value="2" checked', back.content.decode())
    assert re.search(r'name="q_parts.staff" value="1" checked', back.content.decode())


def test_one_response_per_contact(org_a, analyst, csat, make_distribution):
    dist = make_distribution(csat, "email", one_response_per_contact=True)
    a = services.invite_contacts(
        analyst, dist.pk, [{"id": "c1", "email": "c1@example.com"}], apply_caps=False
    )
    b = services.invite_contacts(analyst, dist.pk, [{"id": "c1"}], apply_caps=False)
    first, second = (Invitation.objects.for_org(org_a).get(pk=r.invited[0]) for r in (a, b))
    url1 = invitations.personal_url(first).replace("http://localhost:8000", "")
    url2 = invitations.personal_url(second).replace("http://localhost:8000", "")
    Client().post(url1, {"page": "overall", "q_csat": "5"})
    Client().post(url1, {"page": "details"})
    assert 'data-kind="done"' in Client().get(url2).content.decode()
