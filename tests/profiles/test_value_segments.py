"""RFM, CLV and churn risk stored per contact; segments over them; the API around them."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts.errors import InvalidInput
from openxm.customers import directory as contacts
from openxm.customers import events
from openxm.profiles import directory, segments, value
from openxm.profiles.models import ContactValue

from .conftest import answer


def _buyers(shop, n=40, seed=7):
    """n customers in s-in/s-out; customer i buys about every (7 + i) days for a while."""
    owner, rng, now = shop["owner"], random.Random(seed), timezone.now()
    made = []
    for i in range(n):
        c = contacts.create_contact(owner, {"external_id": f"b{i:02d}", "unit": "s-in" if i % 2 else "s-out"})
        made.append(c)
        day, rows = 300 - i * 3, []
        while day > (i % 5) * 30:
            rows.append(
                (
                    c.pk,
                    {
                        "type": "order",
                        "occurred_at": (now - timedelta(days=day)).isoformat(),
                        "amount": str(50 + rng.randint(0, 20) * (i % 7 + 1)),
                        "external_id": f"o-{i}-{day}",
                    },
                )
            )
            day -= 7 + i
        events.record_events(owner, rows)
    return made


def test_refresh_scores_rfm_and_fits_the_clv_models(shop):
    made = _buyers(shop)
    done = value.refresh_values(shop["org"])
    assert done.contacts == 40 and done.run.method == "bgnbd+gamma-gamma"
    assert {"r", "alpha", "a", "b", "p", "q", "gamma"} <= set(done.run.parameters)
    stored = {v.contact_id: v for v in ContactValue.objects.for_org(shop["org"])}
    assert {v.r for v in stored.values()} == {1, 2, 3, 4, 5}
    # customer 0 buys most often and lately: best frequency and recency; 39 stopped 120 days ago
    best, lapsed = stored[made[0].pk], stored[made[39].pk]
    assert best.f == 5 and best.r >= 4 and lapsed.r == 1
    assert best.p_alive > lapsed.p_alive and best.churn_risk < lapsed.churn_risk
    assert best.clv > lapsed.clv > 0
    assert any(r["code"] == "overdue" for r in lapsed.churn_reasons)


def test_thin_data_uses_the_simple_formula_and_a_detractor_raises_risk(shop):
    owner = shop["owner"]
    c = contacts.create_contact(owner, {"external_id": "c1"})
    now = timezone.now()
    events.record_events(
        owner,
        [
            (c.pk, {"type": "order", "occurred_at": (now - timedelta(days=d)).isoformat(), "amount": "100"})
            for d in (60, 30)
        ],
    )
    calm = value.refresh_values(shop["org"])
    risk_before = ContactValue.objects.for_org(shop["org"]).get(contact=c).churn_risk
    answer(shop, "c1", 2, days_ago=1)
    value.refresh_values(shop["org"])
    stored = ContactValue.objects.for_org(shop["org"]).get(contact=c)
    assert calm.run.method == "simple" and "too little data" in calm.run.reason
    assert stored.clv_method == "simple" and stored.p_alive is None
    assert stored.churn_risk == pytest.approx(min(1.0, risk_before + 0.2))
    assert [r["code"] for r in stored.churn_reasons] == ["detractor"]


def test_at_risk_list_is_scoped_and_ordered_by_value(shop):
    _buyers(shop)
    value.refresh_values(shop["org"])
    everyone = directory.at_risk(shop["owner"], min_risk=0.3)
    mine = directory.at_risk(shop["store"], min_risk=0.3)
    assert everyone and all(v.churn_risk >= 0.3 for _c, v in everyone)
    clvs = [v.clv for _c, v in everyone]
    assert clvs == sorted(clvs, reverse=True)
    assert mine and {c.unit for c, _v in mine} == {"s-in"}


def test_segments_over_value_attributes_and_experience(shop):
    _buyers(shop)
    owner = shop["owner"]
    contacts.update_contact(
        owner, contacts.ids_by_external_id(owner.scope, ["b00"])["b00"], {"attributes": {"vip": "yes"}}
    )
    answer(shop, "b01", 3)
    value.refresh_values(shop["org"])
    champions = {"all": [{"contact": "rfm_tier", "op": "eq", "value": "champions"}]}
    seg = segments.save_segment(owner, "champions", "Champions", champions)
    total = segments.size(owner, seg.condition)
    expected = ContactValue.objects.for_org(shop["org"]).filter(tier="champions").count()
    assert total == expected > 0
    assert segments.size(owner, {"contact": "vip", "op": "eq", "value": "yes"}) == 1
    assert segments.size(owner, {"contact": "detractor_90d", "op": "eq", "value": True}) == 1
    assert segments.size(owner, {"contact": "clv", "op": "gte", "value": 0}) == 40
    assert segments.size(shop["store"], {"contact": "clv", "op": "gte", "value": 0}) == 20
    page = segments.members(owner, {"contact": "clv", "op": "gte", "value": 0}, limit=15)
    rest = segments.members(
        owner, {"contact": "clv", "op": "gte", "value": 0}, after=page.next_after, limit=50
    )
    assert len(page.contacts) == 15 and len(rest.contacts) == 25 and rest.next_after is None


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({}, "condition"),
        ({"question": "nps", "op": "eq", "value": 1}, "condition"),
        ({"all": [{"contact": "clv", "op": "bigger", "value": 1}]}, "condition['all'][0]"),
        ({"contact": "clv", "op": "between", "value": 1}, "condition"),
    ],
)
def test_bad_segment_conditions_are_refused(shop, condition, field):
    with pytest.raises(InvalidInput) as exc:
        segments.save_segment(shop["owner"], "s", "S", condition)
    assert exc.value.field == field


def test_the_contacts_api(shop, make_key, api):
    key = make_key(shop["org"], "admin")
    client = api(key)
    made = client.post("/contacts", {"external_id": "CRM-1", "name": "Li Lei", "phone": "0086 138 0013 8000"})
    assert made.status_code == 201, made.content
    cid = made.json()["id"]
    assert client.post("/contacts", {"external_id": "CRM-1"}).json()["field"] == "external_id"
    one = client.post(
        f"/contacts/{cid}/events",
        {"type": "order", "occurred_at": "2026-01-05", "amount": 10, "external_id": "o1"},
    )
    assert one.json() == {"created": 1, "duplicates": 0}
    batch = client.post(
        "/contacts/events",
        {
            "events": [
                {"contact": "CRM-1", "type": "order", "occurred_at": "2026-01-05", "external_id": "o1"},
                {"contact": "CRM-1", "type": "visit", "occurred_at": "2026-01-06", "external_id": "v1"},
            ]
        },
    )
    assert batch.json() == {"created": 1, "duplicates": 1}
    assert (
        client.post(
            "/contacts/events", {"events": [{"contact": "nope", "type": "x", "occurred_at": "2026-01-05"}]}
        ).status_code
        == 404
    )
    listed = client.get("/contacts?q=13800138000").json()
    assert [c["id"] for c in listed["contacts"]] == [cid] and listed["next_after"] is None
    profile = client.get(f"/contacts/{cid}").json()
    assert profile["contact"]["name"] == "Li Lei" and profile["value"] is None
    kinds = [i["kind"] for i in client.get(f"/contacts/{cid}/timeline").json()]
    assert kinds == ["event", "event"]
    assert client.get("/contacts/999999").status_code == 404
    run = client.post("/value/refresh", {"horizon_weeks": 26}).json()
    assert run["method"] == "simple" and run["horizon_weeks"] == 26
    assert client.get("/value/model").json()["customers"] == 1
    seg = client.put(
        "/segments/buyers", {"name": "Buyers", "condition": {"contact": "frequency", "op": "gte", "value": 1}}
    )
    assert seg.json()["size"] == 1
    assert [c["id"] for c in client.get("/segments/buyers/contacts").json()["contacts"]] == [cid]
    analyst = api(make_key(shop["org"], "analyst"))
    seen = analyst.get(f"/contacts/{cid}").json()["contact"]
    assert seen["name"] is None and seen["phone"] is None
    viewer = api(make_key(shop["org"], "viewer"))
    assert viewer.get(f"/contacts/{cid}").status_code == 403


@pytest.mark.parametrize(
    ("recency", "gap", "alive", "expected", "codes"),
    [
        (10, 10.0, None, 0.0, []),  # on schedule
        (25, 10.0, None, 0.5, ["overdue"]),  # two and a half gaps
        (60, 10.0, None, 1.0, ["overdue"]),
        (90, 0.0, None, 0.5, []),  # a one-time buyer, 90 of 180 days
        (5, 10.0, 0.9, 0.1, []),  # the model's 1 − P(alive)
        (30, 10.0, 0.3, 0.7, ["p_alive", "overdue"]),
    ],
)
def test_churn_risk_rows(recency, gap, alive, expected, codes):
    now = timezone.now()
    risk, reasons = value._risk({"recency_days": recency, "usual_gap_days": gap}, alive, None, now)
    assert risk == pytest.approx(expected) and [r["code"] for r in reasons] == codes
