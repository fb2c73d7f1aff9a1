"""Text analytics pages and API: topics and verbatims, redaction by role, tenancy between organizations."""

import pytest

from openxm.comments.models import ReanalysisJob

COMMENTS = [
    ("送餐太慢了，等了一个多小时，打电话13812345678也没人接", 2),
    ("配送员态度很好，送得很快", 10),
    ("The delivery was late and the courier was rude, mail me at li@example.com", 3),
    ("Fast delivery, friendly driver, great food", 9),
    ("价格太贵了，性价比不高", 5),
    ("Prices are too high for what you get", 4),
]
PHONE, EMAIL = "13812345678", "li@example.com"


@pytest.fixture
def analysed(survey, record):
    return [record(survey, text, nps=score, csat=3) for text, score in COMMENTS]


def test_overview_lists_topics_charts_and_verbatims(analysed, survey, make_member, org_a, signed_in):
    client = signed_in(make_member(org_a, "admin"))
    html = client.get(f"/comments/?survey={survey.pk}&period=all").content.decode()
    assert "Delivery feedback" in html and "Price and value" in html and "Delivery speed" in html
    assert 'id="comments-charts"' in html and '"topic-map"' in html
    assert "Re-analyse this survey" in html  # an admin configures text analytics
    assert PHONE in html  # an admin has pii.view
    zh = client.get("/comments/?period=all", headers={"Accept-Language": "zh-hans"})
    assert zh.status_code == 200


def test_verbatims_filter_by_topic_and_sentiment(analysed, make_member, org_a, signed_in):
    client = signed_in(make_member(org_a, "agent"))
    html = client.get("/comments/verbatims/?period=all&topic=price").content.decode()
    assert "价格太贵了" in html and "Prices are too high" in html and "送餐太慢了" not in html
    html = client.get("/comments/verbatims/?period=all&topic=delivery&sentiment=positive").content.decode()
    assert "Fast delivery" in html and "The delivery was late" not in html
    assert "<mark>" in html  # the matched clauses are highlighted


@pytest.mark.parametrize(
    ("role", "status", "sees_pii"),
    [("viewer", 403, None), ("analyst", 200, False), ("agent", 200, True), ("owner", 200, True)],
)
def test_redaction_follows_pii_rights(analysed, make_member, org_a, signed_in, role, status, sees_pii):
    client = signed_in(make_member(org_a, role))
    response = client.get("/comments/verbatims/?period=all")
    assert response.status_code == status
    overview = client.get("/comments/?period=all").content.decode()
    assert "Price and value" in overview  # every role sees the aggregates
    if sees_pii is None:
        assert 'id="verbatims"' not in overview and PHONE not in overview
        return
    html = response.content.decode()
    assert (PHONE in html, EMAIL in html) == (sees_pii, sees_pii)
    assert ("[PHONE]" in html, "[EMAIL]" in html) == (not sees_pii, not sees_pii)


def test_api_verbatims_are_redacted_without_pii_rights(analysed, org_a, make_key, api):
    analyst = api(make_key(org_a, "analyst")).get("/comments/verbatims?period=all&limit=50").json()
    assert analyst["total"] == 6
    texts = " ".join(item["text"] for item in analyst["items"])
    assert PHONE not in texts and "[PHONE]" in texts and EMAIL not in texts
    assert any(item["redacted"] for item in analyst["items"])
    agent = api(make_key(org_a, "agent")).get("/comments/verbatims?period=all&limit=50").json()
    assert PHONE in " ".join(item["text"] for item in agent["items"])
    assert api(make_key(org_a, "viewer")).get("/comments/verbatims?period=all").status_code == 403
    topics = api(make_key(org_a, "viewer")).get("/comments/topics?period=all&lang=zh").json()
    assert {"topic": "price", "label": "价格与性价比"}.items() <= next(
        t for t in topics if t["topic"] == "price"
    ).items()


def test_org_b_cannot_read_org_a_comments(
    analysed, survey, org_a, org_b, make_member, signed_in, make_key, api, admin
):
    from openxm.comments import services

    job = services.start_reanalysis(admin, inline=True)
    client = signed_in(make_member(org_b, "owner"))
    overview = client.get(f"/comments/?survey={survey.pk}&period=all").content.decode()
    assert "价格太贵了" not in overview and "Price and value" not in overview
    assert "价格太贵了" not in client.get("/comments/verbatims/?period=all").content.decode()
    assert client.get(f"/comments/verbatims/?survey={survey.pk}&period=all").status_code in (200, 404)
    assert "价格太贵了" not in client.get(f"/comments/verbatims/?survey={survey.pk}").content.decode()
    assert client.get(f"/comments/jobs/{job.pk}/").status_code == 404
    b = api(make_key(org_b, "owner"))
    assert b.get(f"/comments/verbatims?survey={survey.pk}").status_code == 404
    assert b.get("/comments/verbatims?period=all").json()["total"] == 0
    assert b.get("/comments/topics?period=all").json() == []
    assert b.get(f"/comments/reanalysis/{job.pk}").status_code == 404
    assert b.get(f"/comments/responses/{analysed[0].pk}").status_code == 404
    assert ReanalysisJob.objects.for_org(org_b).count() == 0


def test_api_taxonomy_reanalysis_and_themes(analysed, org_a, make_key, api):
    admin = api(make_key(org_a, "admin"))
    taxonomy = admin.get("/comments/taxonomy").json()
    assert taxonomy["version"] == 0 and taxonomy["topics"][0]["id"] == "delivery"
    bad = {"name": "x", "topics": [{"id": "a", "label": {"en": "A"}, "rule": "(a"}]}
    response = client_put(admin, "/comments/taxonomy", bad)
    assert response.status_code == 422 and response.json()["field"] == "topics[0].rule"
    good = {**taxonomy, "name": "Mine", "note": "api"}
    assert client_put(admin, "/comments/taxonomy", good).json()["version"] == 1
    started = admin.post("/comments/reanalysis", {})
    assert started.status_code == 202
    job = admin.get(f"/comments/reanalysis/{started.json()['id']}").json()
    assert (job["status"], job["percent"], job["done"], job["total"]) == ("done", 100, 6, 6)
    assert api(make_key(org_a, "agent")).post("/comments/reanalysis", {}).status_code == 403
    themes = admin.get("/comments/themes?period=all&k=2")
    assert themes.status_code == 200 and themes.json()["comments"] >= 0
    summary = admin.get("/comments/summary?period=all").json()
    assert summary["comments"] == 6 and summary["taxonomy_version"] == 1 and summary["stale"] == 0


def client_put(caller, path, payload):
    from django.test import Client

    return Client().put(
        f"/api/v1{path}", data=payload, content_type="application/json", headers=caller.headers
    )
