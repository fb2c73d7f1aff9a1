"""Who may see and change studies, through pages and the API; org B never reaches org A's study."""

import pytest

from openxm.analysis import services
from openxm.analysis.models import Study

PAIR = {"functional": "like", "dysfunctional": "dislike"}


@pytest.fixture
def study_a(org_a, published, record, actor_for):
    survey = published(org_a, "kano-feature-study")
    for _ in range(6):
        record(org_a, survey, {"frequency": "weekly", "live_tracking": PAIR})
    return services.create_study(actor_for(org_a), survey=survey.pk, kind="kano", title="Org A features",
                                 config={"features": ["live_tracking"]})


@pytest.mark.parametrize("role", ["owner", "admin", "analyst", "agent", "viewer"])
def test_every_role_sees_studies_and_only_designers_create_them(org_a, study_a, make_member, signed_in, role):
    client = signed_in(make_member(org_a, role))
    designer = role in ("owner", "admin", "analyst")
    listing = client.get("/analysis/")
    assert listing.status_code == 200 and "Org A features" in listing.text
    assert ("New study" in listing.text) == designer
    page = client.get(f"/analysis/{study_a.pk}/")
    assert page.status_code == 200 and 'data-chart="kano-better-worse"' in page.text
    assert "Real-time courier tracking on a map" in page.text
    assert ("Delete study" in page.text) == designer
    assert client.get("/analysis/new/").status_code == (200 if designer else 403)
    deleted = client.post(f"/analysis/{study_a.pk}/delete/")
    assert deleted.status_code == (302 if designer else 403)
    assert Study.objects.for_org(org_a).filter(pk=study_a.pk).exists() != designer


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_api_refuses_creating_and_deleting_without_design_permission(org_a, study_a, make_key, api, role):
    caller = api(make_key(org_a, role))
    body = {"survey": str(study_a.survey_id), "kind": "kano", "title": "x"}
    created = caller.post("/analysis/studies", body)
    assert created.status_code == 403 and created.json()["permission"] == "surveys.design"
    assert caller.delete(f"/analysis/studies/{study_a.pk}").status_code == 403
    assert caller.get(f"/analysis/studies/{study_a.pk}/result").status_code == 200


def test_org_b_cannot_open_org_a_study_by_page_csv_or_api(org_a, org_b, study_a, make_member, signed_in,
                                                           make_key, api, published):
    client = signed_in(make_member(org_b, "owner"))
    for path in (f"/analysis/{study_a.pk}/", f"/analysis/{study_a.pk}/csv/features/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/analysis/{study_a.pk}/delete/").status_code == 404
    assert "Org A features" not in client.get("/analysis/").text

    caller = api(make_key(org_b, "owner"))
    for path in (f"/analysis/studies/{study_a.pk}", f"/analysis/studies/{study_a.pk}/result"):
        assert caller.get(path).status_code == 404
    assert caller.delete(f"/analysis/studies/{study_a.pk}").status_code == 404
    assert caller.get("/analysis/studies").json() == []
    # Nor can org B build a study on org A's survey, or read its metrics.
    made = caller.post("/analysis/studies", {"survey": str(study_a.survey_id), "kind": "kano", "title": "x"})
    assert made.status_code == 422 and made.json()["field"] == "survey"
    metrics = caller.get(f"/analysis/surveys/{study_a.survey_id}/metrics", data={"question": "csat"})
    assert metrics.status_code == 404, metrics.json()
    assert Study.objects.for_org(org_a).filter(pk=study_a.pk).exists()


def test_api_creates_lists_runs_and_deletes_a_study(org_a, study_a, make_key, api):
    caller = api(make_key(org_a, "analyst"))
    questions = caller.get(f"/analysis/surveys/{study_a.survey_id}/questions", data={"kind": "kano"}).json()
    assert [q["ref"] for q in questions][:2] == ["live_tracking", "delivery_slots"]
    made = caller.post("/analysis/studies", {"survey": str(study_a.survey_id), "kind": "kano", "title": "API",
                                             "config": {"features": ["live_tracking"], "table": "pouliot"}})
    assert made.status_code == 201, made.json()
    study = made.json()
    assert study["config"] == {"features": ["live_tracking"], "table": "pouliot", "tolerance": 0.05}
    assert {s["title"] for s in caller.get("/analysis/studies").json()} == {"API", "Org A features"}
    result = caller.get(f"/analysis/studies/{study['id']}/result").json()
    feature = result["result"]["features"][0]
    assert (result["respondents"], feature["n"], feature["category"]) == (6, 6, "O")
    assert result["min_n"] == 5
    path = f"/analysis/studies/{study['id']}/result"
    assert caller.get(path, data={"from": "2000-01-01", "to": "2000-01-31"}).json()["respondents"] == 0
    bad = caller.get(path, data={"from": "2000-02-01", "to": "2000-01-31"})
    assert bad.status_code == 422 and bad.json()["field"] == "to"
    assert caller.delete(f"/analysis/studies/{study['id']}").status_code == 204
    assert caller.get(f"/analysis/studies/{study['id']}").status_code == 404


def test_api_rejects_a_bad_configuration_with_the_field(org_a, study_a, make_key, api):
    caller = api(make_key(org_a, "analyst"))
    made = caller.post("/analysis/studies", {"survey": str(study_a.survey_id), "kind": "kano", "title": "x",
                                             "config": {"features": ["no_such_question"]}})
    assert made.status_code == 422 and made.json()["field"] == "features"
