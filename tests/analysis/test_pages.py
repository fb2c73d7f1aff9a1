"""Study pages: the new-study form in two steps, the study page with filters, CSV downloads."""

import csv
import io
import json
import re

import pytest

from openxm.analysis.models import Study

PAIR = {"functional": "like", "dysfunctional": "dislike"}


@pytest.fixture
def kano_survey(org_a, published, record):
    survey = published(org_a, "kano-feature-study")
    for i in range(8):
        record(org_a, survey, {"frequency": "weekly", "live_tracking": PAIR,
                               "contactless": {"functional": "like", "dysfunctional": "neutral"}},
               channel="sms" if i < 5 else "email")
    return survey


def test_new_study_form_shows_the_surveys_questions_then_creates_the_study(org_a, kano_survey, make_member,
                                                                            signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    first = client.get("/analysis/new/")
    assert first.status_code == 200 and "Choose a survey and a method" in first.text
    fragment = client.get("/analysis/new/questions/", {"survey": kano_survey.pk, "kind": "kano"})
    assert "Real-time courier tracking on a map" in fragment.text and 'name="features"' in fragment.text
    none = client.get("/analysis/new/questions/", {"survey": kano_survey.pk, "kind": "servqual"})
    assert "no questions this method can analyse" in none.text
    refreshed = client.post("/analysis/new/", {"survey": kano_survey.pk, "kind": "kano", "refresh": "1"})
    assert refreshed.status_code == 200 and 'name="features"' in refreshed.text
    assert Study.objects.for_org(org_a).count() == 0

    created = client.post("/analysis/new/", {
        "survey": kano_survey.pk, "kind": "kano", "title": "", "features": ["live_tracking", "contactless"],
        "table": "pouliot"})
    assert created.status_code == 302
    study = Study.objects.for_org(org_a).get()
    assert created["Location"] == f"/analysis/{study.pk}/"
    assert study.title == "KANO · Delivery app feature study (KANO)"
    assert study.config["table"] == "pouliot"


def test_new_study_form_reports_a_bad_choice_on_its_field(org_a, published, make_member, signed_in):
    survey = published(org_a, "transactional-csat")
    client = signed_in(make_member(org_a, "analyst"))
    page = client.post("/analysis/new/", {"survey": survey.pk, "kind": "drivers", "title": "D",
                                          "outcome": "csat", "drivers": ["parts.staff"], "method": "shapley",
                                          "bootstrap": "0"})
    assert page.status_code == 200 and "choose at least two drivers" in page.text
    assert Study.objects.for_org(org_a).count() == 0


def test_study_page_filters_and_csv(org_a, kano_survey, actor_for, make_member, signed_in):
    from openxm.analysis import services

    study = services.create_study(actor_for(org_a), survey=kano_survey.pk, kind="kano", title="K",
                                  config={"features": ["live_tracking", "contactless"]})
    client = signed_in(make_member(org_a, "viewer"))
    page = client.get(f"/analysis/{study.pk}/", {"channel": "sms"})
    assert page.status_code == 200
    data = json.loads(re.search(r'<script id="study-data" type="application/json">(.*?)</script>', page.text,
                                re.S).group(1))
    assert data["respondents"] == 5 and data["filters"]["channel"] == "sms"
    assert [f["category"] for f in data["result"]["features"]] == ["O", "A"]
    assert "/csv/features/?channel=sms" in page.text
    assert 'src="/static/openxm/js/analysis-kano.js"' in page.text and "<script>" not in page.text

    def table(**filters):
        download = client.get(f"/analysis/{study.pk}/csv/features/", filters)
        assert download["Content-Type"].startswith("text/csv")
        rows = csv.DictReader(io.StringIO(download.content.decode("utf-8-sig")))
        return [(r["feature"], r["n"], r["O"], r["category"], r["suppressed"]) for r in rows]

    assert table(channel="sms") == [("live_tracking", "5", "5", "O", "false"),
                                    ("contactless", "5", "0", "A", "false")]
    # Three e-mail answers are below the organization's minimum of 5: n only.
    assert table(channel="email") == [("live_tracking", "3", "", "", "true"),
                                      ("contactless", "3", "", "", "true")]
    assert client.get(f"/analysis/{study.pk}/csv/nothing/").status_code == 404

    bad = client.get(f"/analysis/{study.pk}/", {"from": "2024-05-01", "to": "2024-04-01", "unit": "nowhere"})
    assert bad.status_code == 200 and "The end date is before the start date." in bad.text
