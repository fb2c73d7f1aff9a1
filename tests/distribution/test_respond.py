"""Respondent pages: public links without JavaScript, progress, partial save and resume, languages,
errors per field, idempotent submits, spam defences, page weight."""

import re
from pathlib import Path

import pytest
from django.test import Client

from openxm.distribution import services, tokens
from openxm.surveys import services as surveys
from openxm.surveys.models import Answer, Response


def _state(html: str) -> str:
    return re.search(r'name="state" value="([^"]+)"', html).group(1)


@pytest.fixture
def link(csat, make_distribution):
    dist = make_distribution(csat, "link")
    return dist, services.public_link(dist).replace("http://localhost:8000", "")


def test_public_link_answers_page_by_page_with_plain_forms(org_a, link):
    dist, url = link
    client = Client()
    first = client.get(url + "?store=sh-jingan&order_id=A-1", HTTP_ACCEPT_LANGUAGE="en")
    html = first.content.decode()
    assert first.status_code == 200 and "<script" not in html
    assert 'name="q_csat"' in html and "sh-jingan" in html  # piped hidden field
    assert "Page 1 of 2" in html and '<progress id="r-prog" max="2" value="1">' in html
    posted = client.post(url, {"state": _state(html), "q_csat": "2", "q_parts.checkout": "3", "lang": "en"})
    assert posted.status_code == 302 and "/r/p/" in posted["Location"]
    partial = Response.objects.for_org(org_a).get()
    assert (
        partial.status == "partial" and partial.answers["csat"] == 2 and partial.hidden["order_id"] == "A-1"
    )
    assert Answer.objects.for_org(org_a).count() == 0  # counted only once complete
    second = client.get(posted["Location"])
    assert (
        'name="page" value="details"' in second.content.decode() and "Page 2 of 2" in second.content.decode()
    )
    assert 'name="q_improve"' in second.content.decode()  # shown because csat <= 3
    done = client.post(
        posted["Location"],
        {
            "page": "details",
            "q_improve": ["price", "other"],
            "q_improve.other": "parking",
            "q_comment": "Too few tills",
        },
    )
    assert done.status_code == 302 and "/r/done/" in done["Location"]
    response = Response.objects.for_org(org_a).get()
    assert response.status == "complete" and response.channel == "link"
    assert response.answers["improve"] == {"choices": ["price", "other"], "other": "parking"}
    assert response.meta["distribution"] == dist.pk
    assert Answer.objects.for_org(org_a).filter(response=response, question_id="csat").get().value_number == 2
    thanks = client.get(done["Location"])
    assert "Thank you for shopping with us!" in thanks.content.decode()
    # the finished response cannot be changed by posting again
    again = client.post(posted["Location"], {"page": "details", "q_comment": "changed"})
    assert Response.objects.for_org(org_a).get().answers["comment"] == "Too few tills"
    assert again.status_code == 200


def test_bad_page_gets_an_error_per_field_and_nothing_changes(org_a, link):
    _dist, url = link
    client = Client()
    html = client.get(url).content.decode()
    bad = client.post(url, {"state": _state(html), "q_parts.checkout": "9"})
    text = bad.content.decode()
    assert bad.status_code == 422
    assert 'class="r-errors" role="alert"' in text and "Please correct 2 answers." in text
    assert 'id="q-csat"' in text and "r-bad" in text
    assert 'value="9"' not in text or "checked" not in text
    assert Response.objects.for_org(org_a).count() == 0


def test_double_submit_of_the_first_page_stores_one_response(org_a, link):
    _dist, url = link
    client = Client()
    state = _state(client.get(url).content.decode())
    one = client.post(url, {"state": state, "q_csat": "5"})
    two = client.post(url, {"state": state, "q_csat": "5"})
    assert one["Location"] == two["Location"]
    assert Response.objects.for_org(org_a).count() == 1


def test_languages_from_query_and_browser(link):
    _dist, url = link
    client = Client()
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in zh and "总体而言" in zh and "第 1 页，共 2 页" in zh or "总体而言" in zh
    en = client.get(url + "?lang=en", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in en and "Overall, how satisfied" in en
    assert 'hreflang="zh-Hans"' in en  # the language switch is a plain link


def test_resume_cookie_brings_an_anonymous_respondent_back(org_a, link):
    _dist, url = link
    client = Client()
    posted = client.post(url, {"state": _state(client.get(url).content.decode()), "q_csat": "4"})
    back = client.get(url)
    assert back.status_code == 302 and back["Location"].startswith(posted["Location"])


def test_honeypot_thanks_a_bot_and_stores_nothing(org_a, link):
    _dist, url = link
    client = Client()
    state = _state(client.get(url).content.decode())
    reply = client.post(url, {"state": state, "q_csat": "5", "website": "http://spam.example"})
    assert reply.status_code == 200 and "Thank you" in reply.content.decode()
    assert Response.objects.for_org(org_a).count() == 0


def test_rate_limits_per_address_and_per_survey(org_a, link, settings):
    _dist, url = link
    settings.OPENXM_RESPOND_RATE_PER_IP = 2
    client = Client(REMOTE_ADDR="203.0.113.7")
    state = _state(client.get(url).content.decode())
    codes = [client.post(url, {"state": state, "q_csat": "5"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(url, {"state": state, "q_csat": "5"}).status_code == 302
    settings.OPENXM_RESPOND_RATE_PER_IP = 100
    settings.OPENXM_RESPOND_RATE_PER_SURVEY = 1
    assert Client(REMOTE_ADDR="203.0.113.9").post(url, {"state": state, "q_csat": "5"}).status_code == 429


def test_tampered_link_and_closed_distribution(org_a, link, analyst):
    dist, url = link
    client = Client()
    assert client.get(url[:-3] + "x/").status_code == 404
    assert client.get(url).status_code == 200  # the link is remembered now (entry.py) ...
    services.set_active(analyst, dist.pk, False)
    assert client.get(url).status_code == 410  # ... and a paused one answers so at once
    services.set_active(analyst, dist.pk, True)
    assert client.get(url).status_code == 200
    surveys.set_status(analyst, dist.survey_id, "closed")
    assert client.get(url).status_code == 410


def test_first_page_weighs_under_30_kb(link, csat, make_survey, make_distribution):
    """The bytes a phone downloads for the first page: HTML plus every stylesheet, script and image
    it references (no JavaScript at all)."""
    from django.contrib.staticfiles import finders

    for survey in (csat, make_survey("relationship-nps"), make_survey("servqual-22")):
        dist = make_distribution(survey, "link")
        html = Client().get(services.public_link(dist).replace("http://localhost:8000", "")).content
        assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
        total = len(html) + sum(Path(finders.find(a.decode())).stat().st_size for a in assets)
        assert b"<script" not in html
        assert total <= 30 * 1024, f"{survey.key}: {total} bytes"


def test_resume_token_of_another_organization_is_refused(org_a, org_b, link):
    _dist, url = link
    client = Client()
    posted = client.post(url, {"state": _state(client.get(url).content.decode()), "q_csat": "4"})
    token = posted["Location"].split("/r/p/")[1].strip("/")
    _org, response_id = tokens.parse_resume(token)
    forged = tokens.resume_token(org_b.pk, response_id)
    assert client.get(f"/r/p/{forged}/").status_code == 404


def test_the_platforms_hidden_case_id_is_kept_on_any_survey(org_a, link):
    """The cases follow-up marks its invitation with ``case``; the survey need not define it,
    while other undefined keys are still dropped."""
    _dist, url = link
    client = Client()
    html = client.get(url + "?store=sh-jingan&case=7&colour=red", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(url, {"state": _state(html), "q_csat": "2", "lang": "en"})
    hidden = Response.objects.for_org(org_a).get().hidden
    assert hidden["case"] == "7" and "colour" not in hidden
