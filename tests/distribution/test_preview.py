"""The builder's preview: the draft page by page, framable by the same origin, nothing stored."""

from django.urls import reverse

from openxm.surveys import services as surveys
from openxm.surveys.models import Response


def test_preview_renders_the_draft_page_by_page_and_stores_nothing(
    org_a, make_member, signed_in, make_survey, analyst
):
    survey = make_survey("support-ces", publish=False)
    client = signed_in(make_member(org_a, "analyst"))
    url = reverse("distribution:preview", args=[survey.pk])
    assert url == f"/r/preview/{survey.pk}/"
    page = client.get(url + "?lang=zh-Hans&company=鲜邻")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-Hans">' in html and "鲜邻让我轻松地解决了问题" in html
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in page["Content-Security-Policy"]
    # a required answer missing: the page again with an error per field
    state = html.split('name="state" value="')[1].split('"')[0]
    bad = client.post(url, {"page": "effort", "state": state, "lang": "zh-Hans"})
    assert bad.status_code == 422 and 'id="q-ces"' in bad.content.decode() and "r-err" in bad.content.decode()
    nxt = client.post(
        url, {"page": "effort", "state": state, "lang": "zh-Hans", "q_ces": "6", "q_resolved": "partly"}
    )
    assert nxt.status_code == 200 and 'name="page" value="agent"' in nxt.content.decode()
    # editing the draft shows at once, without publishing
    draft = survey.draft
    draft["pages"][0]["questions"][3]["text"]["en"] = "Edited question?"
    surveys.save_draft(analyst, survey.pk, draft)
    assert "Edited question?" in client.get(url + "?lang=en").content.decode()
    assert Response.objects.for_org(org_a).count() == 0


def test_preview_needs_design_rights_in_the_survey_organization(
    org_a, org_b, make_member, signed_in, make_survey
):
    survey = make_survey(publish=False)
    url = f"/r/preview/{survey.pk}/"
    assert signed_in(make_member(org_b, "owner")).get(url).status_code == 404
    assert signed_in(make_member(org_a, "viewer")).get(url).status_code == 404


def test_preview_of_an_invalid_draft_lists_the_problems(org_a, make_member, signed_in, make_survey, analyst):
    survey = make_survey(publish=False)
    draft = survey.draft
    draft["pages"][0]["questions"][3]["scale"]["max"] = 99
    surveys.save_draft(analyst, survey.pk, draft)
    page = signed_in(make_member(org_a, "analyst")).get(f"/r/preview/{survey.pk}/")
    assert page.status_code == 200 and "r-errors" in page.content.decode()
