"""The survey builder's pages: who may open it, and saving / publishing through the builder's endpoints."""

import json

import pytest
from django.urls import reverse

from openxm.accounts import services as accounts
from openxm.surveys import definition as sd
from openxm.surveys import services
from openxm.surveys.builder import config, defaults
from openxm.surveys.builder.config import draft_revision
from openxm.surveys.definition import vocab
from openxm.surveys.models import Survey, SurveyVersion


def pulse(key="pulse"):
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
                    {"id": "nps", "type": "nps", "required": True,
                     "text": {"en": "Recommend?", "zh-Hans": "推荐吗？"}},
                ],
            }
        ],
    }


@pytest.fixture
def survey(org_a, make_member):
    actor = accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")
    return services.create_survey(actor, pulse())


def save(client, survey, document, **extra):
    return client.post(
        reverse("surveys:builder_save", args=[survey.pk]),
        data=json.dumps({"definition": document, **extra}),
        content_type="application/json",
    )


def embedded(response, element_id):
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])


def test_builder_renders_the_draft_and_its_configuration_for_designers(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    response = client.get(reverse("surveys:builder", args=[survey.pk]))
    assert response.status_code == 200
    assert embedded(response, "builder-draft")["pages"][0]["questions"][0]["id"] == "nps"
    cfg = embedded(response, "builder-config")
    assert cfg["urls"]["save"] == reverse("surveys:builder_save", args=[survey.pk])
    assert cfg["survey"]["revision"] == draft_revision(survey.draft)
    assert sorted(t for group in cfg["palette"] for t in group["types"]) == sorted(vocab.QUESTION_TYPES)
    assert cfg["operators_by_kind"]["numeric"][:3] == ["eq", "neq", "in"]
    assert embedded(response, "builder-issues") == []
    html = response.content.decode()
    assert 'src="/static/openxm/js/builder.js"' in html and "<script>" not in html  # CSP: no inline script


def test_builder_speaks_the_ui_language(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("surveys:builder", args=[survey.pk]))
    cfg = embedded(response, "builder-config")
    assert cfg["ui_language"] == "zh-Hans"
    assert cfg["ui"]["status_active"] == "有效"  # every label is translated on the server, none in the script
    assert cfg["preview_ui"]["en"]["next"] == "Next"  # the respondent's labels follow the survey language


@pytest.mark.parametrize("role, status", [("viewer", 403), ("agent", 403), ("analyst", 200), ("admin", 200)])
def test_only_designers_open_the_builder(org_a, make_member, signed_in, survey, role, status):
    client = signed_in(make_member(org_a, role))
    assert client.get(reverse("surveys:builder", args=[survey.pk])).status_code == status
    assert save(client, survey, pulse()).status_code == (403 if status == 403 else 200)


def test_other_organizations_surveys_are_not_found(org_b, make_member, signed_in, survey):
    client = signed_in(make_member(org_b, "admin"))
    assert client.get(reverse("surveys:builder", args=[survey.pk])).status_code == 404
    assert save(client, survey, pulse()).status_code == 404
    assert client.post(reverse("surveys:builder_publish", args=[survey.pk])).status_code == 404
    assert Survey.objects.for_org(survey.organization).get().draft == services.get_survey(
        accounts.operator_actor(survey.organization), survey.pk
    ).draft


def test_saving_persists_the_draft_and_reports_issues_with_paths(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    document = pulse()
    document["pages"].append({
        "id": "p2",
        "questions": [
            {"id": "why", "type": "text", "text": {"en": "Why?"},
             "display_if": {"question": "nps", "op": "lte", "value": 6}},
        ],
    })
    response = save(client, survey, document, revision=draft_revision(survey.draft))
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    [issue] = body["issues"]
    assert (issue["path"], issue["code"]) == ("pages[1].questions[0].text", "text.untranslated")
    assert "zh-Hans" in issue["message"] and not issue["message"].startswith("pages[")
    stored = Survey.objects.for_org(org_a).get(pk=survey.pk)
    condition = stored.draft["pages"][1]["questions"][0]["display_if"]
    assert condition == {"question": "nps", "op": "lte", "value": 6}
    assert body["revision"] == draft_revision(stored.draft) != draft_revision(survey.draft)


def test_issues_come_in_the_ui_language(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    document = pulse()
    document["pages"][0]["questions"].append({"id": "why", "type": "text", "text": {"en": "Why?"}})
    response = client.post(
        reverse("surveys:builder_save", args=[survey.pk]), data=json.dumps({"definition": document}),
        content_type="application/json", headers={"accept-language": "zh-hans"},
    )
    assert response.json()["issues"][0]["message"].startswith("每种语言都需要文本")


def test_a_stale_revision_is_a_conflict_unless_forced(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    opened = draft_revision(survey.draft)
    theirs = pulse()
    theirs["title"] = {"en": "Theirs", "zh-Hans": "他们的"}
    first = save(client, survey, theirs, revision=opened).json()
    mine = pulse()
    mine["title"] = {"en": "Mine", "zh-Hans": "我的"}
    stale = save(client, survey, mine, revision=opened)
    assert stale.status_code == 409
    assert stale.json()["revision"] == first["revision"]
    assert stale.json()["definition"]["title"]["en"] == "Theirs"
    assert Survey.objects.for_org(org_a).get(pk=survey.pk).title == "Theirs"
    assert save(client, survey, mine, revision=opened, force=True).status_code == 200
    assert Survey.objects.for_org(org_a).get(pk=survey.pk).title == "Mine"
    # Closing or reopening the survey elsewhere leaves the draft, so it is no conflict.
    again = Survey.objects.for_org(org_a).get(pk=survey.pk)
    again.status = "closed"
    again.save()
    assert save(client, survey, mine, revision=draft_revision(again.draft)).status_code == 200


@pytest.mark.parametrize("body", ["not json", json.dumps({"definition": []}), json.dumps([1])])
def test_bad_bodies_are_rejected_and_nothing_changes(org_a, make_member, signed_in, survey, body):
    client = signed_in(make_member(org_a, "analyst"))
    response = client.post(reverse("surveys:builder_save", args=[survey.pk]), data=body,
                           content_type="application/json")
    assert response.status_code in (400, 422) and response.json()["field"] in ("body", "definition")
    assert Survey.objects.for_org(org_a).get(pk=survey.pk).draft == pulse()


def test_publishing_creates_a_version_or_lists_the_problems(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    broken = pulse()
    broken["pages"][0]["questions"][0]["scale"] = {"min": 0, "max": 5}
    save(client, survey, broken)
    refused = client.post(reverse("surveys:builder_publish", args=[survey.pk]))
    assert refused.status_code == 422
    assert refused.json()["issues"][0]["path"] == "pages[0].questions[0].scale"
    assert not SurveyVersion.objects.for_org(org_a).exists()

    save(client, survey, pulse())
    published = client.post(reverse("surveys:builder_publish", args=[survey.pk]))
    assert published.status_code == 200
    body = published.json()
    assert body["number"] == 1 and body["definition"]["version"] == 1 and body["status"] == "active"
    assert SurveyVersion.objects.for_org(org_a).get(survey=survey).number == 1
    assert client.post(reverse("surveys:builder_publish", args=[survey.pk])).json()["number"] == 2


def test_publish_needs_post(org_a, make_member, signed_in, survey):
    client = signed_in(make_member(org_a, "analyst"))
    assert client.get(reverse("surveys:builder_publish", args=[survey.pk])).status_code == 405


@pytest.mark.parametrize("qtype", vocab.QUESTION_TYPES)
@pytest.mark.parametrize("languages", [["en", "zh-Hans"], ["en"], ["zh-Hans"]])
def test_every_starter_question_is_valid_in_en_and_zh(qtype, languages):
    spec = {"id": defaults.ID_STEMS[qtype], "type": qtype, **defaults.starter_specs()[qtype]}

    def fit(value):
        if isinstance(value, dict) and set(value) <= {"en", "zh-Hans"} and value:
            return {lang: value[lang] for lang in languages}
        if isinstance(value, dict):
            return {k: fit(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fit(v) for v in value]
        return value

    document = {
        "schema_version": 1, "title": dict.fromkeys(languages, "T"), "languages": languages,
        "default_language": languages[0],
        "pages": [{"id": "p1", "questions": [fit(spec)]}],
    }
    assert sd.validate_definition(document) == []


def test_palette_lists_every_type_once():
    types = [t for group in config.palette() for t in group["types"]]
    assert sorted(types) == sorted(vocab.QUESTION_TYPES) and len(types) == len(set(types))
    assert set(config.type_labels()) == set(vocab.QUESTION_TYPES) == set(defaults.ID_STEMS)


def test_the_respondent_preview_is_linked_only_when_the_collection_module_serves_it(survey, monkeypatch):
    from django.urls import NoReverseMatch

    try:
        expected = reverse("distribution:preview", args=[survey.pk])
    except NoReverseMatch:
        expected = None
    assert config._respondent_preview_url(survey) == expected

    def missing(*args, **kwargs):
        raise NoReverseMatch("no such route")

    monkeypatch.setattr(config, "reverse", missing)
    assert config._respondent_preview_url(survey) is None
