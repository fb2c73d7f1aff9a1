"""A submitted page is one change: its answers and the invitation's progress are stored in one
transaction (both or neither), and the page is validated once."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from openxm.distribution import invitations, services
from openxm.distribution.models import DeliveryEvent, Invitation
from openxm.surveys import definition
from openxm.surveys.models import Answer, Response


@pytest.fixture
def invited(org_a, analyst, csat, make_distribution):
    """A queued e-mail invitation (never sent: its send waits for a commit) and its link's path."""
    dist = make_distribution(csat, "email")
    services.invite_contacts(analyst, dist.pk, [{"id": "c1", "email": "ann@example.com"}])
    invitation = Invitation.objects.for_org(org_a).get()
    return invitation, urlsplit(invitations.personal_url(invitation)).path


def _log(org, invitation):
    return list(
        DeliveryEvent.objects.for_org(org).filter(invitation=invitation).values_list("kind", flat=True)
    )


def test_each_submitted_page_is_validated_once(org_a, invited, monkeypatch):
    invitation, url = invited
    calls = []
    original = definition.validate_answers

    def counting(*args, **kwargs):
        calls.append(kwargs.get("through_page"))
        return original(*args, **kwargs)

    monkeypatch.setattr(definition, "validate_answers", counting)
    client = Client()
    client.get(url)
    assert client.post(url, {"page": "overall", "q_csat": "4"}).status_code == 302
    assert calls == ["overall"]
    assert client.post(url, {"page": "details"}).status_code == 302
    assert calls == ["overall", "details"]
    response = Response.objects.for_org(org_a).get()
    assert response.status == "complete" and response.answers["csat"] == 4
    invitation.refresh_from_db()
    assert invitation.status == "completed" and invitation.response_id == response.pk
    assert _log(org_a, invitation)[-2:] == ["started", "completed"]


def test_the_answers_are_not_stored_when_the_invitation_cannot_move_on(org_a, invited, monkeypatch):
    invitation, url = invited
    client = Client()
    client.post(url, {"page": "overall", "q_csat": "4"})
    partial = Response.objects.for_org(org_a).get()
    assert partial.status == "partial"

    def broken(*args, **kwargs):
        raise RuntimeError("delivery log unavailable")

    monkeypatch.setattr(invitations, "log", broken)
    with pytest.raises(RuntimeError):
        client.post(url, {"page": "details", "q_comment": "Quick checkout"})
    partial.refresh_from_db()
    assert partial.status == "partial" and "comment" not in partial.answers  # rolled back together
    assert not Answer.objects.for_org(org_a).exists()
    invitation.refresh_from_db()
    assert invitation.completed_at is None and invitation.status == "started"
