"""Topic figures: volume, share, sentiment, NPS/CSAT impact (with suppression), trend and surge, scopes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.errors import NotFound
from openxm.accounts.scope import organization_scope
from openxm.comments import services
from openxm.comments.queries import make_slice, topic_trends
from openxm.comments.services import topic_summary

PRICE = "价格太贵了"
DELIVERY = "Delivery was fast and the courier was friendly"


def _by_topic(figures):
    return {f.topic: f for f in figures}


@pytest.fixture
def scored(survey, record):
    for score in (0, 0, 0, 0, 8):
        record(survey, PRICE, nps=score, csat=1)
    for score in (10, 10, 10, 10, 7):
        record(survey, DELIVERY, nps=score, csat=5)
    return survey


def test_volume_share_sentiment_and_impact_on_nps_and_csat(scored, org_a):
    figures = _by_topic(topic_summary(org_a, survey=scored))
    price = figures["price"]
    assert (price.volume, price.responses, price.share, price.negative, price.positive) == (5, 5, 50.0, 5, 0)
    assert price.mean_sentiment < -0.2 and price.label == "Price and value"
    assert (price.nps_with, price.nps_without, price.nps_impact, price.nps_significant) == (
        -80,
        80,
        160,
        True,
    )
    assert (price.csat_with, price.csat_without, price.csat_impact) == (1, 5, 4)
    delivery = figures["delivery"]
    assert delivery.nps_impact == -160 and delivery.positive == 5
    assert figures["delivery.courier"].parent == "delivery"
    assert price.trend is None  # no start: no previous period
    assert _by_topic(topic_summary(org_a, language="zh-hans"))["price"].label == "价格与性价比"


def test_impact_is_suppressed_below_five_responses_per_group(survey, record, org_a):
    for _ in range(4):
        record(survey, PRICE, nps=0)
    for _ in range(6):
        record(survey, DELIVERY, nps=10)
    price = _by_topic(topic_summary(org_a))["price"]
    assert price.nps_n == 4 and price.nps_with is None and price.nps_impact is None
    assert price.volume == 4  # counts are not suppressed, only the metric


def test_trend_and_surge_against_the_previous_period(survey, record, org_a):
    for i in range(10):
        record(survey, PRICE if i < 8 else DELIVERY, nps=5, days_ago=5)
    for i in range(10):
        record(survey, PRICE if i < 1 else DELIVERY, nps=5, days_ago=40)
    today = timezone.localdate()
    figures = _by_topic(topic_summary(org_a, since=today - timedelta(days=29), until=today))
    price = figures["price"]
    assert (price.volume, price.previous_volume, price.trend, price.surge) == (8, 1, 70.0, True)
    assert figures["delivery"].surge is False and figures["delivery"].trend < 0
    trend = topic_trends(organization_scope(org_a), make_slice(org_a), ["price"], bucket="month")
    assert sum(trend.series["price"]) == 9 and sum(trend.totals) == 20


def test_touchpoint_and_unit_scopes(survey, record, org_a, admin):
    operator = accounts.operator_actor(org_a)
    accounts.create_unit(operator, "east", "East", "region")
    accounts.create_unit(operator, "sh", "Shanghai", "store", "east")
    accounts.create_unit(operator, "bj", "Beijing", "store")
    record(survey, PRICE, nps=1, unit="sh", touchpoint="checkout")
    record(survey, PRICE, nps=1, unit="bj")
    record(survey, DELIVERY, nps=9, unit="sh")
    assert _by_topic(topic_summary(org_a, unit="east"))["price"].volume == 1  # the region includes its store
    assert _by_topic(topic_summary(org_a, unit="bj"))["price"].volume == 1
    assert list(_by_topic(topic_summary(org_a, touchpoint="checkout"))) == ["price"]
    with pytest.raises(NotFound):  # an unknown unit is "not found", like one outside the scope
        topic_summary(org_a, unit="nowhere")


def test_services_check_the_organization_and_the_role(scored, org_b, make_member, actor_for):
    from openxm.accounts.actors import PermissionDenied
    from openxm.accounts.errors import NotFound

    outsider = accounts.actor_for_user(make_member(org_b, "admin"), org_b, via="web")
    with pytest.raises(NotFound):
        services.slice_for(outsider, survey=scored.pk)
    assert services.figures(outsider, services.slice_for(outsider, period="all")) == []
    with pytest.raises(PermissionDenied):
        services.verbatims(actor_for("viewer"), services.slice_for(actor_for("viewer")))
    summary = services.summary(actor_for("viewer"), services.slice_for(actor_for("viewer"), period="all"))
    assert (summary.comments, summary.negative, summary.languages) == (10, 5, {"zh": 5, "en": 5})


def test_api_scope_parameters_are_checked(scored, org_a, make_key, api):
    caller = api(make_key(org_a, "viewer"))
    assert caller.get("/comments/topics?period=30d&until=2020-01-01").status_code == 422
    response = caller.get("/comments/topics?period=weekly")
    assert response.status_code == 422 and response.json()["field"] == "period"
    since = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert {f["topic"] for f in caller.get(f"/comments/topics?since={since}").json()} >= {"price", "delivery"}
    trend = caller.get("/comments/trends?period=all&topics=price,delivery&bucket=day").json()
    assert sum(trend["series"]["price"]) == 5 and trend["labels"]["price"] == "Price and value"
