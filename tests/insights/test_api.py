"""The insights API: figures with n and intervals, the journey map, trends, comparisons,
dashboards, report schedules and segments; errors name the field; tenants stay apart."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

Q = "period=custom&start=2025-01-01&end=2025-04-30"


def test_metrics_by_touchpoint_with_previous_period(small_org, make_key, api):
    org, *_ = small_org
    body = api(make_key(org, "viewer")).get(f"/insights/metrics?metric=nps&by=touchpoint&{Q}").json()
    assert body["source"] == "cube" and body["by"] == ["touchpoint"]
    fig = body["figures"][0]
    assert fig["group"] == ["web.visit"] and fig["current"]["n"] > 0
    assert fig["current"]["ci_low"] <= fig["current"]["score"] <= fig["current"]["ci_high"]
    assert set(fig["current"]["shares"]) == {"promoters", "passives", "detractors"}


def test_metrics_errors_name_the_parameter(small_org, make_key, api):
    org, *_ = small_org
    caller = api(make_key(org, "viewer"))
    assert caller.get("/insights/metrics?metric=happiness").json()["field"] == "metric"
    assert caller.get("/insights/metrics?metric=nps&by=colour").json()["field"] == "by"
    assert caller.get("/insights/metrics?metric=nps&period=forever").json()["field"] == "period"


def test_journey_map_trend_and_segment_comparison(small_org, make_key, api):
    org, *_ = small_org
    caller = api(make_key(org, "viewer"))
    jm = caller.get(f"/insights/journeys/buy-online/map?{Q}").json()
    assert [s["key"] for s in jm["stages"]] == ["aware", "get-help"]
    web = jm["stages"][0]["touchpoints"][0]
    assert web["metrics"]["nps"]["target"] == 30 and "ci_low" in web["metrics"]["nps"]
    trend = caller.get(f"/insights/trend?metric=csat&journey=buy-online&grain=m&{Q}").json()
    assert trend["source"] == "cube" and {c["bucket"] for c in trend["cells"]} == {
        "2025-01-01",
        "2025-02-01",
        "2025-03-01",
        "2025-04-01",
    }
    compared = caller.get(f"/insights/compare-segments?metric=nps&attribute=tier&a=gold&b=bronze&{Q}").json()
    assert compared["change"]["test"] == "NPS difference z"


def test_dashboards_and_schedules(small_org, make_key):
    org, *_ = small_org
    client = Client()
    analyst = {"Authorization": f"Bearer {make_key(org, 'analyst')}"}
    viewer = {"Authorization": f"Bearer {make_key(org, 'viewer')}"}
    doc = {"name": "Agent", "role": "agent", "widgets": [{"type": "metric_card", "metric": "ces"}]}
    r = client.put(
        "/api/v1/insights/dashboards/agent", data=doc, content_type="application/json", headers=analyst
    )
    assert r.status_code == 200 and r.json()["widgets"][0]["width"] == "third"
    bad = client.put(
        "/api/v1/insights/dashboards/x",
        data={"name": "X", "widgets": [{"type": "metric_card", "metric": "mood"}]},
        content_type="application/json",
        headers=analyst,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "widgets[0].metric"
    denied = client.put(
        "/api/v1/insights/dashboards/agent", data=doc, content_type="application/json", headers=viewer
    )
    assert denied.status_code == 403
    r = client.post(
        "/api/v1/insights/report-schedules",
        data={"dashboard": "agent", "frequency": "weekly", "recipients": ["cx@example.com"]},
        content_type="application/json",
        headers=analyst,
    )
    assert r.status_code == 201 and r.json()["next_run_at"]
    bad = client.post(
        "/api/v1/insights/report-schedules",
        data={"dashboard": "agent", "frequency": "weekly", "recipients": ["not-an-address"]},
        content_type="application/json",
        headers=analyst,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "recipients"


def test_other_organizations_see_nothing(small_org, org_b, make_key, api):
    caller = api(make_key(org_b, "admin"))
    assert caller.get(f"/insights/metrics?metric=nps&by=touchpoint&{Q}").json()["figures"] == []
    assert caller.get("/insights/journeys/buy-online/map").status_code == 404


def test_breakdown_by_stage_region_and_segment(small_org, make_key, api):
    org, *_ = small_org
    caller = api(make_key(org, "viewer"))
    stages = caller.get(f"/insights/breakdown?metric=ces&by=stage&{Q}").json()
    assert [row["group"] for row in stages] == ["Get help"] and stages[0]["figure"]["n"] > 0
    tiers = {row["group"] for row in caller.get(f"/insights/breakdown?metric=nps&by=segment:tier&{Q}").json()}
    assert tiers <= {"gold", "silver", "bronze", "—"} and "gold" in tiers
    regions = caller.get(f"/insights/breakdown?metric=nps&by=region&{Q}").json()
    assert {row["group"] for row in regions} <= {"east", "—"}
    assert caller.get("/insights/breakdown?metric=nps&by=colour").json()["field"] == "widgets[0].by"
