"""The survey page leads on: publish → share panel (link, QR, embed, e-mail, messengers),
completed counts that match the responses for every channel, the newest responses, and a
distribution form that shows only the chosen channel's fields."""

import re

from django.test import Client

from openxm.distribution import services
from openxm.distribution.models import Distribution


def _answer_through(url: str, comment: str) -> None:
    client = Client()
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    state = re.search(r'name="state" value="([^"]+)"', html).group(1)
    nxt = client.post(url, {"state": state, "q_csat": "2", "q_parts.checkout": "3", "lang": "en"})
    done = client.post(nxt["Location"], {"page": "details", "q_improve": ["price"], "q_comment": comment})
    assert "/r/done/" in done["Location"]


def test_publish_leads_to_the_share_panel_and_counts_match(
    org_a, make_member, signed_in, analyst, make_survey
):
    survey = make_survey("transactional-csat", publish=False)
    client = signed_in(make_member(org_a, "admin"))
    before = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Publish the survey to share it." in before and 'href="#share"' not in before
    published = client.post(f"/surveys/{survey.pk}/publish/")
    assert published["Location"] == f"/surveys/{survey.pk}/#share"
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'href="#share"' in page and "Create a public link" in page
    created = client.post(f"/distribution/share/{survey.pk}/")
    assert created["Location"] == f"/surveys/{survey.pk}/#share"
    dist = Distribution.objects.for_org(org_a).get(survey=survey)
    assert dist.channel == "link"
    client.post(f"/distribution/share/{survey.pk}/")  # the open link is reused, not doubled
    assert Distribution.objects.for_org(org_a).filter(survey=survey).count() == 1
    qr = services.create_distribution(analyst, survey.pk, "qr", name="Till QR")
    link_url = services.public_link(dist).replace("http://localhost:8000", "")
    _answer_through(link_url, "first through the link")
    _answer_through(link_url, "second through the link")
    _answer_through(services.public_link(qr).replace("http://localhost:8000", ""), "扫码结账太慢了")
    counts = {r.id: r.responses for r in services.list_distributions(analyst, survey.pk)}
    assert counts == {dist.pk: 2, qr.pk: 1}
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "3 complete responses" in page and "Response rate" not in page  # no invitations yet
    assert f"/distribution/{dist.pk}/qr.svg" in page and "?embed=1" in page
    assert f"/distribution/new/?survey={survey.pk}&amp;channel=email" in page
    assert f"/distribution/new/?survey={survey.pk}&amp;channel=wechat" in page
    assert "扫码结账太慢了" in page  # the newest responses with their comments
    overview = client.get("/distribution/").content.decode()
    row = re.search(rf'href="/distribution/{qr.pk}/".*?</tr>', overview, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "1"]


def test_distribution_form_shows_only_the_channels_fields(org_a, make_member, signed_in, csat):
    client = signed_in(make_member(org_a, "admin"))
    html = client.get(f"/distribution/new/?survey={csat.pk}&channel=link").content.decode()

    def shown(name: str) -> bool:
        wrapper = re.search(rf'<div class="field"([^>]*)>\s*<label for="id_{name}"', html).group(1)
        return " hidden" not in wrapper

    assert shown("name") and shown("touchpoint")
    assert not shown("subject") and not shown("reminder_after_days") and not shown("percent")
    html = client.get(f"/distribution/new/?survey={csat.pk}&channel=email").content.decode()
    assert shown("subject") and shown("reminder_after_days") and not shown("percent")


def test_viewer_sees_the_panel_without_the_create_button(org_a, make_member, signed_in, csat):
    page = signed_in(make_member(org_a, "viewer")).get(f"/surveys/{csat.pk}/").content.decode()
    assert "No open public link yet." in page and "Create a public link" not in page
