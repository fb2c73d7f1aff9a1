"""Honest charts: value axes bounded to their metric's domain, no empty frames, the topic map's
share axis 0–100 % with whole bubbles."""

import dataclasses

import pytest

from openxm.comments.charts import topic_map
from openxm.comments.queries import TopicFigure
from openxm.insights import charts
from openxm.insights.views import TOUCHPOINT_WIDGETS
from tests.insights.test_pages import Q, chart_payloads


@pytest.mark.parametrize(
    ("values", "domain", "bounds"),
    [
        ([62.5, 71.0, 93.2], "csat", (60, 100)),  # never past 100 %
        ([0.4, 3.0, None], "share", (0, 10)),
        ([97, 100], "share", (90, 100)),
        ([-95.0, 12.0], "nps", (-100, 20)),
        ([4.2, 5.6], "ces", (4, 6)),
        ([100.0, 100.0], "csat", (90, 100)),  # a flat line gets room, inside the domain
        ([None, None], "nps", (-100, 100)),
        ([], "ces", (1, 7)),
    ],
)
def test_a_zoomed_axis_holds_its_values_inside_the_domain(values, domain, bounds):
    assert charts.zoomed(values, domain) == {"min": bounds[0], "max": bounds[1]}


def test_bars_of_a_share_span_0_to_100_and_trends_stay_inside_their_domain():
    bars = charts.bars(
        "b", "Response rate", ["email", "sms"], [26.5, 9.0], [20, 5], [33, 14], [80, 60], "%", domain="share"
    )
    assert (bars.option["xAxis"]["min"], bars.option["xAxis"]["max"]) == (0, 100)
    free = charts.bars("b", "Mean", ["a"], [3.2])
    assert "min" not in free.option["xAxis"]
    line = charts.line_with_band(
        "t",
        "CSAT",
        ["2026-01", "2026-02"],
        [{"name": "CSAT", "values": [88, 95], "low": [80, 90], "high": [94, 99.5]}],
        domain="csat",
    )
    axis = line.option["yAxis"]
    assert (axis["min"], axis["max"], axis["scale"]) == (80, 100, False)


def test_a_chart_without_a_value_has_no_data():
    assert not charts.has_data(charts.bars("b", "NPS", ["a", "b"], [None, None], [None, None], [None, None]))
    assert charts.has_data(charts.bars("b", "NPS", ["a", "b"], [None, 12.0]))
    assert not charts.has_data(charts.heatmap("h", "NPS", ["x"], ["y"], [(0, 0, None, 2)], -100, 100))
    assert charts.has_data(charts.distribution("d", "NPS", {9: 3}))


def _figure(topic, negative, volume, impact=None):
    return TopicFigure(
        topic=topic, label=topic.title(), parent="", kind="topic", volume=volume, responses=volume,
        share=50.0, positive=volume - negative, neutral=0, negative=negative,
        mean_sentiment=(volume - 2 * negative) / volume, nps_n=0, nps_with=None, nps_without=None,
        nps_impact=impact, nps_significant=False, csat_n=0, csat_with=None, csat_without=None,
        csat_impact=None, previous_volume=None, trend=None, surge=False,
    )  # fmt: skip


def test_the_topic_map_share_axis_runs_0_to_100_and_draws_whole_bubbles():
    option = topic_map([_figure("price", 30, 30), _figure("staff", 2, 40), _figure("food", 10, 20)])
    y = option["yAxis"]
    assert (y["min"], y["max"]) == (0, 100) and "scale" not in y
    assert [p["value"][1] for p in option["series"][0]["data"]] == [100.0, 5.0, 50.0]
    assert option["series"][0]["clip"] is False
    biggest = max(p["symbolSize"] for p in option["series"][0]["data"])
    grid = option["grid"]
    assert min(grid["top"], grid["right"]) >= biggest / 2  # a bubble on the edge is drawn whole
    impact = topic_map([dataclasses.replace(_figure("price", 30, 30), nps_impact=-12.5)])
    assert impact["yAxis"]["scale"] is True and "max" not in impact["yAxis"]


@pytest.mark.django_db
def test_touchpoint_widgets_without_data_say_why_instead_of_drawing_a_frame(
    small_org, make_member, signed_in
):
    org, *_ = small_org
    client = signed_in(make_member(org, "analyst"))
    body = client.get(f"/insights/touchpoints/web.visit/?{Q}").content.decode()
    payloads = chart_payloads(body)
    assert all(charts.has_data(charts.Chart(k, "", p["option"], [], [])) for k, p in payloads.items())
    assert body.count('class="card widget') == len(TOUCHPOINT_WIDGETS)
    # the small organisation sends no invitations: the response rate by channel says so
    assert "No invitations were delivered by any channel in this period" in body
