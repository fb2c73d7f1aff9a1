"""The organisation's churn model: evaluated on its own history, off until switched on, then used."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput
from openxm.analytics import churn_synthetic as synthetic
from openxm.customers import directory as contacts
from openxm.customers import events
from openxm.profiles import churn, value
from openxm.profiles.models import ContactValue


def _history(shop, mode, n=400, seed=2):
    """A synthetic population's purchases as events; 'now' is day 630 of its 720 days."""
    now = timezone.now()
    start = now - timedelta(days=630)
    purchases, _experiences = synthetic.population(n, start, 630, mode, seed=seed)
    owner, ids, rows = shop["owner"], {}, []
    for customer, at, amount in purchases:
        if customer not in ids:
            ids[customer] = contacts.create_contact(owner, {"external_id": customer}).pk
        rows.append((ids[customer], {"type": "order", "occurred_at": at.isoformat(), "amount": str(amount)}))
    for i in range(0, len(rows), 5000):
        events.record_events(owner, rows[i : i + 5000])
    return now


def test_evaluated_then_switched_on_then_used_by_the_refresh(shop):
    now = _history(shop, "planted")
    owner = shop["owner"]
    with pytest.raises(PermissionDenied):
        churn.evaluate_model(shop["analyst"], now=now)
    record = churn.evaluate_model(owner, now=now)
    assert not record.active and record.metrics["better_than_chance"]
    assert record.metrics["auc"] > 0.75 and len(record.metrics["calibration"]) == 10
    value.refresh_values(shop["org"], as_of=now)
    assert not ContactValue.objects.for_org(shop["org"]).filter(churn_reasons__0__code="model").exists()
    churn.switch_on(owner, record.pk)
    value.refresh_values(shop["org"], as_of=now)
    scored = ContactValue.objects.for_org(shop["org"]).exclude(churn_risk=None)
    with_model = [v for v in scored if any(r["code"] == "model" for r in v.churn_reasons)]
    assert len(with_model) > 100
    riskiest = max(with_model, key=lambda v: v.churn_risk)
    assert riskiest.recency_days > 60  # the riskiest customer has not bought for a while
    assert value.reason_text(riskiest.churn_reasons[0]).startswith("churn model:")


def test_a_model_no_better_than_chance_cannot_be_switched_on(shop):
    now = _history(shop, "noise", seed=4)
    record = churn.evaluate_model(shop["owner"], now=now)
    assert not record.metrics["better_than_chance"]
    with pytest.raises(InvalidInput):
        churn.switch_on(shop["owner"], record.pk)


def test_too_little_history_is_refused_saying_how_much_is_needed(shop):
    now = _history(shop, "planted", n=30)
    with pytest.raises(InvalidInput, match="at least 30 of each"):
        churn.evaluate_model(shop["owner"], now=now)


def test_history_feeds_negative_comments_and_unanswered_invitations_when_they_were_known(
    shop, django_capture_on_commit_callbacks
):
    from openxm.accounts.scope import organization_scope
    from openxm.distribution import invitations
    from openxm.distribution import services as distribution
    from openxm.distribution.models import Invitation

    from .conftest import answer

    owner, org, now = shop["owner"], shop["org"], timezone.now()
    contact = contacts.create_contact(owner, {"external_id": "h1", "email": "h1@example.com"})
    contacts.create_contact(owner, {"external_id": "h2", "email": "h2@example.com"})
    with django_capture_on_commit_callbacks(execute=True):
        sad = answer(shop, "h1", 1, comment="太差了，非常失望，服务态度恶劣", days_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        answer(shop, "h2", 10, comment="非常好，很满意，谢谢", days_ago=5)
    dist = distribution.create_distribution(owner, shop["survey"].pk, "email", name="mail")
    invitation = invitations.create_invitation(org, dist, contact, now=now - timedelta(days=40))
    Invitation.objects.for_org(org).filter(pk=invitation.pk).update(status=Invitation.Status.SENT)
    expiry = Invitation.objects.for_org(org).get(pk=invitation.pk).expires_at

    _purchases, experiences = churn.history(organization_scope(org), now)
    negative = [(e.customer, e.at) for e in experiences if e.negative_comment]
    assert negative == [(str(contact.pk), sad.completed_at)]  # h2's praise is not negative
    unanswered = [(e.customer, e.at) for e in experiences if e.unanswered_invitation]
    assert unanswered == [(str(contact.pk), expiry)]
    # before the link expired, nobody knew it would go unanswered: no leak across the cut-off
    _p, earlier = churn.history(organization_scope(org), expiry - timedelta(days=1))
    assert not [e for e in earlier if e.unanswered_invitation]
