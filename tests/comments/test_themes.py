"""Theme discovery: comments without a topic grouped into suggested topics, accepted into the taxonomy."""

from openxm.comments import services
from openxm.comments.models import CommentTopic

UNCAUGHT = [
    "The parking lot is always full, call 13812345678",
    "No parking spaces near the entrance",
    "Parking lot never has room for weekend shoppers",
    "parking lot full again on saturday",
    "Hard to find parking spaces after work",
    "停车场总是满的，很难找到车位",
    "停车场太小了，周末没有车位",
    "车位不好找，停车场门口经常堵",
    "停车场车位不够用",
    "周末停车场车位紧张",
]


def test_themes_group_uncaught_comments_and_never_show_pii(survey, record, analyst, admin):
    for text in UNCAUGHT * 2:
        record(survey, text, nps=5)
    scope = services.slice_for(analyst, period="all")
    used, themes = services.discover_themes(analyst, scope, k=4)
    assert used == 20 and themes
    assert {t.language for t in themes} == {"zh", "en"}
    terms = " ".join(term for t in themes for term in t.top_terms)
    shown = " ".join(s.text for t in themes for example in t.examples for s in example)
    assert "parking" in terms and "停车场" in terms
    assert "13812345678" not in terms + shown
    assert all(t.suggested_rule.startswith('"') and t.suggested_id for t in themes)


def test_accepting_a_theme_adds_a_topic_and_reanalysis_applies_it(
    survey, record, org_a, make_member, signed_in
):
    for text in UNCAUGHT:
        record(survey, text, nps=5)
    client = signed_in(make_member(org_a, "analyst"))
    page = client.get("/comments/themes/?period=all&k=2")
    assert page.status_code == 200 and "Accept into the taxonomy" in page.content.decode()
    response = client.post(
        "/comments/themes/?period=all",
        {
            "prefix": "theme1",
            "theme1-id": "parking",
            "theme1-label_en": "Parking",
            "theme1-label_zh": "停车",
            "theme1-rule": "parking OR 停车 OR 车位",
            "theme1-parent": "",
        },
    )
    assert response.status_code == 302 and response.url == "/comments/taxonomy/"
    assert client.post("/comments/reanalyse/", {}).status_code == 302
    assert CommentTopic.objects.for_org(org_a).filter(topic="parking").count() == 10
