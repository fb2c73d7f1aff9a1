"""The template gallery's naming step, the blank survey and clean previews."""

from openxm.accounts import services as accounts
from openxm.surveys import definition as sd
from openxm.surveys import services
from openxm.surveys.models import Survey


def test_gallery_names_the_survey_and_shows_no_raw_pipes(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    html = client.get("/surveys/templates/").content.decode()
    assert "{{" not in html and "SERVQUAL" in html
    assert html.count('name="title"') == len(services.list_templates()) + 1  # + the blank survey
    created = client.post(
        "/surveys/templates/", {"template": "transactional-csat", "title": "Store visits 2026"}
    )
    survey = Survey.objects.for_org(org_a).get()
    assert created["Location"] == f"/surveys/{survey.pk}/"
    assert survey.title == "Store visits 2026" and survey.key == "store-visits-2026"
    assert survey.draft["title"] == {"en": "Store visits 2026", "zh-Hans": "Store visits 2026"}
    client.post("/surveys/templates/", {"template": "transactional-csat", "title": "门店满意度"})
    chinese = Survey.objects.for_org(org_a).get(title="门店满意度")
    assert chinese.key == "transactional-csat"
    missing = client.post("/surveys/templates/", {"template": "transactional-csat", "title": ""}, follow=True)
    assert "Survey name: This field is required." in missing.content.decode()
    assert Survey.objects.for_org(org_a).count() == 2


def test_blank_survey_opens_in_the_builder_and_publishes(org_a, make_member, signed_in):
    user = make_member(org_a, "analyst")
    created = signed_in(user).post("/surveys/templates/", {"template": "blank", "title": "Kiosk feedback"})
    survey = Survey.objects.for_org(org_a).get()
    assert created["Location"] == f"/surveys/{survey.pk}/builder/"
    actor = accounts.actor_for_user(user, org_a, via="web")
    assert services.publish_survey(actor, survey.pk).number == 1


def test_template_summary_is_not_the_respondents_intro():
    (csat,) = [t for t in services.list_templates("en") if t["key"] == "transactional-csat"]
    assert csat["description"] == "Satisfaction with a recent purchase, asked right after it."
    assert "description" not in sd.load_template("transactional-csat").data


def test_previews_show_a_pipes_fallback():
    text = "how far {{hidden.company|this company}} does it, {{contact.name}}"
    assert services._PIPE.sub(lambda m: m.group(1) or "", text) == "how far this company does it, "
