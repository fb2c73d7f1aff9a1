"""Survey design lifecycle through services, API and CLI: create, validate, publish, version, close."""

import json

import pytest
import yaml

from openxm.accounts import services as accounts
from openxm.accounts.actors import PermissionDenied
from openxm.surveys import services
from openxm.surveys.models import Survey, SurveyVersion


def minimal(key="pulse", nps_max=10):
    return {
        "schema_version": 1,
        "key": key,
        "title": {"en": "Pulse", "zh-Hans": "脉搏"},
        "languages": ["en", "zh-Hans"],
        "default_language": "en",
        "pages": [
            {
                "id": "p1",
                "questions": [
                    {
                        "id": "nps",
                        "type": "nps",
                        "required": True,
                        "text": {"en": "Recommend?", "zh-Hans": "推荐吗？"},
                        "scale": {"min": 0, "max": nps_max},
                    },
                ],
            }
        ],
    }


@pytest.fixture
def analyst(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")


def test_create_publish_and_keep_earlier_versions(analyst):
    survey = services.create_survey(analyst, minimal())
    assert survey.status == "draft" and survey.current_version is None and survey.title == "Pulse"
    v1 = services.publish_survey(analyst, survey.pk)
    draft = services.get_survey(analyst, survey.pk).draft
    draft["title"] = {"en": "Pulse 2", "zh-Hans": "脉搏 2"}
    services.save_draft(analyst, survey.pk, draft)
    v2 = services.publish_survey(analyst, survey.key)
    assert (v1.number, v2.number) == (1, 2)
    assert services.version_document(analyst, survey.pk, 1)["title"]["en"] == "Pulse"
    assert services.version_document(analyst, survey.pk)["title"]["en"] == "Pulse 2"
    assert services.get_survey(analyst, survey.pk).status == "active"


def test_invalid_definition_names_the_path_and_stores_nothing(analyst):
    with pytest.raises(services.InvalidDefinition) as err:
        services.create_survey(analyst, minimal(nps_max=5))
    assert err.value.field == "pages[0].questions[0].scale"
    assert "0-10" in err.value.message
    assert Survey.objects.for_org(analyst.organization).count() == 0


def test_invalid_draft_can_be_saved_but_not_published(analyst):
    survey = services.create_survey(analyst, minimal())
    services.save_draft(analyst, survey.pk, minimal(nps_max=5))
    with pytest.raises(services.InvalidDefinition):
        services.publish_survey(analyst, survey.pk)
    assert SurveyVersion.objects.for_org(analyst.organization).count() == 0


def test_close_reopen_duplicate(analyst):
    survey = services.create_survey(analyst, minimal())
    with pytest.raises(services.InvalidInput, match="publish"):
        services.set_status(analyst, survey.pk, "active")
    services.publish_survey(analyst, survey.pk)
    assert services.set_status(analyst, survey.pk, "closed").status == "closed"
    copy = services.duplicate_survey(analyst, survey.pk)
    assert copy.key == "pulse-copy" and copy.status == "draft" and copy.draft["key"] == "pulse-copy"


def test_every_template_instantiates_and_publishes(analyst):
    keys = [t["key"] for t in services.list_templates()]
    assert {
        "relationship-nps",
        "transactional-csat",
        "support-ces",
        "kano-feature-study",
        "servqual-22",
        "enps-pulse",
        "internal-customer",
    } <= set(keys)
    for key in keys:
        survey = services.create_from_template(analyst, key)
        assert services.publish_survey(analyst, survey.pk).number == 1


def test_viewer_cannot_design(org_a, make_member):
    viewer = accounts.actor_for_user(make_member(org_a, "viewer"), org_a, via="web")
    with pytest.raises(PermissionDenied):
        services.create_survey(viewer, minimal())


def test_api_create_validate_publish_export(org_a, make_key, api):
    caller = api(make_key(org_a, "analyst"))
    bad = caller.post("/surveys/validate", minimal(nps_max=5))
    assert bad.json()["valid"] is False
    assert bad.json()["issues"][0]["path"] == "pages[0].questions[0].scale"
    rejected = caller.post("/surveys", {"definition": minimal(nps_max=5)})
    assert rejected.status_code == 422
    created = caller.post("/surveys", {"definition": minimal()})
    assert created.status_code == 201
    sid = created.json()["id"]
    assert caller.post(f"/surveys/{sid}/publish").json()["number"] == 1
    exported = caller.get(f"/surveys/{sid}/definition?format=yaml").content.decode()
    assert yaml.safe_load(exported)["version"] == 1
    from_template = caller.post("/surveys", {"template": "support-ces"})
    assert from_template.status_code == 201 and from_template.json()["key"] == "support-ces"


def test_api_errors_follow_the_callers_language(org_a, make_key, client):
    headers = {"Authorization": f"Bearer {make_key(org_a, 'analyst')}", "Accept-Language": "zh-Hans"}
    issues = client.post(
        "/api/v1/surveys/validate", minimal(nps_max=5), content_type="application/json", headers=headers
    ).json()["issues"]
    assert issues[0]["path"] == "pages[0].questions[0].scale"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in issues[0]["message"]), issues[0]["message"]


def test_cli_validate_import_export(org_a, make_member, tmp_path, capsys):
    from openxm.cli import main

    analyst = make_member(org_a, "analyst")
    good = tmp_path / "pulse.yaml"
    good.write_text(yaml.safe_dump(minimal(), allow_unicode=True))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(minimal(nps_max=5)))
    assert main(["surveys", "validate", str(good)]) == 0
    assert main(["surveys", "validate", str(bad)]) == 1
    assert "pages[0].questions[0].scale: must be 0-10 for nps" in capsys.readouterr().err
    assert (
        main(["surveys", "import", str(good), "--org", org_a.slug, "--user", analyst.email, "--publish"]) == 0
    )
    capsys.readouterr()
    assert main(["surveys", "export", "pulse", "--org", org_a.slug, "--user", analyst.email]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["version"] == 1 and exported["title"]["zh-Hans"] == "脉搏"
