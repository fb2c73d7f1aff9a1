"""The demo's collection step: invitations and responses across all channels over twelve months."""

import dataclasses

from django.db.models import Count
from django.db.models.functions import TruncMonth

from openxm.demo import collection, company
from openxm.demo.loader import DemoContext
from openxm.distribution.models import DeliveryEvent, Distribution, Invitation
from openxm.surveys.models import Response


def test_collection_covers_every_channel_over_a_year_and_loads_once(db, monkeypatch):
    # A lighter year than the real demo (same code, fewer rows) keeps the test quick.
    plans = [dataclasses.replace(p, per_month=max(2, p.per_month // 6)) for p in collection.PLANS]
    monkeypatch.setattr(collection, "PLANS", plans)
    monkeypatch.setattr(collection, "CONTACTS", 200)
    ctx = DemoContext(password="demo-password-123")
    company.load_company(ctx)
    collection.load_collection(ctx)
    org = ctx.organization
    responses = Response.objects.for_org(org).filter(status="complete")
    channels = set(responses.values_list("channel", flat=True))
    assert channels == {
        "link",
        "qr",
        "email",
        "sms",
        "wechat",
        "wecom",
        "dingtalk",
        "webhook",
        "intercept",
        "app",
    }
    months = set(responses.annotate(m=TruncMonth("completed_at")).values_list("m", flat=True))
    assert len(months) >= 12
    statuses = set(Invitation.objects.for_org(org).values_list("status", flat=True))
    assert {"sent", "opened", "started", "completed", "failed"} <= statuses
    kinds = set(DeliveryEvent.objects.for_org(org).values_list("kind", flat=True))
    assert {"queued", "sent", "opened", "started", "completed", "reminded"} <= kinds
    linked = Invitation.objects.for_org(org).filter(status="completed")
    assert linked.exists() and not linked.filter(response__isnull=True).exists()
    by_invitation = dict(linked.values_list("pk", "response__meta__invitation"))
    assert all(k == v for k, v in by_invitation.items())
    counts = (
        Distribution.objects.for_org(org).count(),
        Invitation.objects.for_org(org).count(),
        responses.count(),
    )
    collection.load_collection(ctx)  # idempotent
    assert counts == (
        Distribution.objects.for_org(org).count(),
        Invitation.objects.for_org(org).count(),
        Response.objects.for_org(org).filter(status="complete").count(),
    )
    per_survey = dict(responses.values_list("survey__key").annotate(n=Count("id")))
    assert set(per_survey) == {"transactional-csat", "relationship-nps", "support-ces"}
