"""Pages: journey map with filters and drill-down, touchpoint dashboards, role dashboards, the
response list and a response (PII by role), segment settings."""

import json
import re

import pytest

from openxm.insights import dashboards
from openxm.insights.views import TOUCHPOINT_WIDGETS

pytestmark = pytest.mark.django_db

Q = "period=custom&start=2025-01-01&end=2025-04-30"


def chart_payloads(body: str) -> dict:
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', body, re.S)
    return json.loads(match.group(1))


def test_journey_map_page_shows_figures_emotion_and_drill_down_links(small_org, make_member, signed_in):
    org, *_ = small_org
    client = signed_in(make_member(org, "viewer"))
    body = client.get(f"/insights/journeys/buy-online/?{Q}").content.decode()
    assert "Website visit" in body and "Live chat" in body and "Emotion line" in body
    assert f'href="/insights/touchpoints/web.visit/?{Q.replace("&", "&amp;")}' in body
    payloads = chart_payloads(body)
    assert payloads["emotion"]["table"]["header"][0] == "Period"
    assert payloads["emotion"]["option"]["xAxis"]["data"] == ["Aware", "Get help"]
    assert {"trend-nps", "trend-csat", "trend-ces"} <= set(payloads)
    gold = client.get(f"/insights/journeys/buy-online/?{Q}&attr=tier:gold")
    assert gold.status_code == 200 and 'value="tier:gold" selected' in gold.content.decode()


def test_bad_filters_fall_back_with_a_message(small_org, make_member, signed_in):
    org, *_ = small_org
    client = signed_in(make_member(org, "viewer"))
    response = client.get("/insights/journeys/buy-online/?period=custom&start=2025-05-01&end=2025-01-01")
    assert response.status_code == 200 and "end: is before start" in response.content.decode()


def test_touchpoint_dashboard_has_every_widget_with_table_and_downloads(small_org, make_member, signed_in):
    org, *_ = small_org
    client = signed_in(make_member(org, "analyst"))
    body = client.get(f"/insights/touchpoints/web.visit/?{Q}").content.decode()
    assert body.count('class="card widget') == len(TOUCHPOINT_WIDGETS)
    assert body.count('data-chart-action="png"') == len(chart_payloads(body)) > 0
    assert "95% CI" in body


def test_role_dashboard_renders_and_its_report_downloads(small_org, make_member, signed_in):
    org, actor, *_ = small_org
    dashboards.save_dashboard(
        actor,
        {
            "key": "exec",
            "name": "Executive",
            "role": "executive",
            "filters": {"period": "custom", "start": "2025-01-01", "end": "2025-04-30"},
            "widgets": [
                {"type": "metric_card", "metric": "nps"},
                {"type": "trend_line", "metric": "csat", "grain": "m"},
                {"type": "breakdown_bar", "metric": "nps", "by": "segment:tier"},
                {"type": "breakdown_bar", "metric": "nps", "by": "region"},
                {"type": "distribution", "metric": "ces"},
                {"type": "heatmap", "metric": "nps", "grain": "m"},
                {"type": "journey_map", "journey": "buy-online"},
                {"type": "verbatim_list", "limit": 5},
                {"type": "kpi_target", "metric": "csat"},
                {"type": "operational"},
            ],
        },
    )
    client = signed_in(make_member(org, "owner"))
    assert client.get("/insights/")["Location"] == "/insights/dashboards/exec/"
    body = client.get("/insights/dashboards/exec/").content.decode()
    assert body.count('class="card widget') == 10 and "NPS by tier" in body
    pdf = client.get("/insights/dashboards/exec/report/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-1.4")
    csv = client.get("/insights/dashboards/exec/report/?format=csv")
    assert csv.content.decode("utf-8-sig").startswith("widget,")


def test_dashboard_editor_checks_widgets(small_org, make_member, signed_in):
    org, *_ = small_org
    client = signed_in(make_member(org, "analyst"))
    bad = client.post(
        "/insights/dashboards/new/",
        {"key": "d", "name": "D", "role": "agent", "filters": "{}", "widgets": '[{"type": "pie"}]'},
    )
    assert bad.status_code == 200 and "widgets[0].type" in bad.content.decode()
    good = client.post(
        "/insights/dashboards/new/",
        {
            "key": "d",
            "name": "D",
            "role": "agent",
            "filters": "{}",
            "widgets": '[{"type": "metric_card", "metric": "ces"}]',
        },
    )
    assert good["Location"] == "/insights/dashboards/d/"
    viewer = signed_in(make_member(org, "viewer"))
    assert viewer.get("/insights/dashboards/new/").status_code == 403


def test_drill_down_to_a_response_hides_pii_from_roles_without_it(small_org, make_member, signed_in):
    org, _actor, survey, responses = small_org
    from openxm.surveys import collect

    with_pii = collect.record_response(
        org,
        survey,
        collect.Submission(
            answers={"nps": 2, "comment": "call me on 13812345678 or mail li@example.com"},
            channel="email",
            contact=collect.ContactRef("li", {"name": "Li Na", "email": "li@example.com"}, {"tier": "gold"}),
        ),
    ).response
    analyst = signed_in(make_member(org, "analyst"))
    listing = analyst.get(f"/insights/responses/?{Q}&touchpoint=web.visit").content.decode()
    assert "responses match the filters" in listing
    detail = analyst.get(f"/insights/responses/{with_pii.pk}/").content.decode()
    assert "[PHONE]" in detail and "13812345678" not in detail and "Li Na" not in detail
    agent = signed_in(make_member(org, "agent"))
    detail = agent.get(f"/insights/responses/{with_pii.pk}/").content.decode()
    assert "13812345678" in detail and "Li Na" in detail
    viewer = signed_in(make_member(org, "viewer"))
    assert viewer.get("/insights/responses/").status_code == 403


def test_responses_of_another_organization_are_not_found(small_org, org_b, make_member, signed_in):
    _org, _a, _s, responses = small_org
    client = signed_in(make_member(org_b, "admin"))
    assert client.get(f"/insights/responses/{responses[0].pk}/").status_code == 404
    assert client.get("/insights/journeys/buy-online/").status_code == 404


def test_segment_settings_need_org_manage(small_org, make_member, signed_in):
    org, *_ = small_org
    admin = signed_in(make_member(org, "admin"))
    assert admin.post("/insights/segments/", {"attributes": "tier kind"}).status_code == 403
    owner = signed_in(make_member(org, "owner"))
    assert owner.post("/insights/segments/", {"attributes": "tier kind"}).status_code == 302
    assert "kind" in owner.get("/insights/segments/").content.decode()
