"""Quotas on respondent pages: a full cell ends the survey at the quota's ending (kept as screened
out, outside metrics) or stops it with the quota's message (nothing kept); the last place goes to
one respondent only."""

import re

import pytest
from django.test import Client

from openxm.distribution import services
from openxm.insights.models import ResponseFact
from openxm.surveys import collect, quota_counts
from openxm.surveys import services as surveys
from openxm.surveys.models import Answer, Response

FULL = {
    "id": "full",
    "text": {
        "en": "We have enough answers like yours, thank you!",
        "zh-Hans": "我们已收到足够的回答，谢谢！",
    },
}


def _state(html: str) -> str:
    return re.search(r'name="state" value="([^"]+)"', html).group(1)


def _with_quota(analyst, survey, quota):
    draft = survey.draft
    draft["endings"].append(FULL)
    draft["quotas"] = [quota]
    surveys.save_draft(analyst, survey.pk, draft)
    surveys.publish_survey(analyst, survey.pk)
    return surveys.get_survey(analyst, survey.pk)


def _end_quota(limit=1):
    cell = {"id": "happy", "if": {"question": "csat", "op": "gte", "value": 4}, "limit": limit}
    return {"id": "sat", "action": "end", "ending": "full", "cells": [cell]}


def _stop_quota(cell_if, limit=1):
    return {
        "id": "loyal",
        "action": "stop",
        "message": {
            "en": "Sorry, we have enough answers from {{hidden.store|you}}.",
            "zh-Hans": "名额已满。",
        },
        "cells": [{"id": "cell", "if": cell_if, "limit": limit}],
    }


@pytest.fixture
def link_to(make_distribution):
    def make(survey):
        dist = make_distribution(survey, "link")
        return services.public_link(dist).replace("http://localhost:8000", "")

    return make


def _fill(org, survey, n=1, csat=5, **answers):
    for i in range(n):
        collect.record_response(
            org, survey, collect.Submission(answers={"csat": csat, **answers}, idempotency_key=f"api-{i}")
        )


def _first_page(client, url, csat, query=""):
    state = _state(client.get(url + query).content.decode())
    return client.post(url + query, {"state": state, "q_csat": str(csat)})


def test_end_screens_a_respondent_out_after_the_page_that_places_them(org_a, analyst, csat, link_to):
    survey = _with_quota(analyst, csat, _end_quota(limit=1))
    _fill(org_a, survey)
    url = link_to(survey)
    client = Client()
    posted = _first_page(client, url, 5)
    assert posted.status_code == 302 and "/r/done/" in posted["Location"]
    ending = client.get(posted["Location"])
    assert "We have enough answers like yours" in ending.content.decode()
    screened = Response.objects.for_org(org_a).get(status="screened")
    assert screened.answers["csat"] == 5 and screened.meta["screened"]["ending"] == "full"
    assert screened.completed_at is not None and "quotas" not in screened.meta
    # Outside metrics: no Answer rows, no rollup fact, not counted in the cell.
    assert not Answer.objects.for_org(org_a).filter(response=screened).exists()
    assert not ResponseFact.objects.for_org(org_a).filter(response=screened).exists()
    assert quota_counts.current_counts(org_a, survey.pk) == {"sat.happy": 1}
    # Back through the resume cookie: the ending again, not the survey.
    again = client.get(url, follow=True)
    assert "We have enough answers like yours" in again.content.decode()
    # A respondent outside the full cell goes on.
    other = _first_page(Client(), url, 2)
    assert "/r/p/" in other["Location"]


def test_a_partial_answer_does_not_take_a_place(org_a, analyst, csat, link_to):
    survey = _with_quota(analyst, csat, _end_quota(limit=1))
    url = link_to(survey)
    first = _first_page(Client(), url, 5)
    assert "/r/p/" in first["Location"]
    assert quota_counts.current_counts(org_a, survey.pk) == {}
    second = _first_page(Client(), url, 4)  # the cell is not full while the first one is unfinished
    assert "/r/p/" in second["Location"]
    assert Response.objects.for_org(org_a).filter(status="partial").count() == 2


def test_stop_shows_the_message_and_keeps_nothing(org_a, analyst, csat, link_to):
    quota = _stop_quota({"hidden": "store", "op": "eq", "value": "SH01"})
    survey = _with_quota(analyst, csat, quota)
    sub = collect.Submission(answers={"csat": 3}, idempotency_key="api-0", hidden={"store": "SH01"})
    collect.record_response(org_a, survey, sub)
    url = link_to(survey)
    client = Client()
    stopped = _first_page(client, url, 3, query="?store=SH01")
    html = stopped.content.decode()
    assert stopped.status_code == 200 and "Sorry, we have enough answers from SH01." in html
    assert 'data-kind="quota"' in html
    assert Response.objects.for_org(org_a).count() == 1  # only the one counted before
    assert quota_counts.current_counts(org_a, survey.pk) == {"loyal.cell": 1}
    # Another store is welcome.
    assert "/r/p/" in _first_page(Client(), url, 3, query="?store=BJ02")["Location"]


def test_stop_on_the_last_page_discards_the_response_in_progress(org_a, analyst, csat, link_to):
    survey = _with_quota(analyst, csat, _stop_quota({"question": "repurchase", "op": "gte", "value": 4}))
    _fill(org_a, survey, repurchase=5)
    url = link_to(survey)
    client = Client()
    posted = _first_page(client, url, 5)
    assert Response.objects.for_org(org_a).filter(status="partial").count() == 1
    stopped = client.post(posted["Location"], {"page": "details", "q_repurchase": "5"})
    assert stopped.status_code == 200
    assert "Sorry, we have enough answers from you." in stopped.content.decode()
    assert not Response.objects.for_org(org_a).filter(status="partial").exists()
    assert Response.objects.for_org(org_a).count() == 1
    assert quota_counts.current_counts(org_a, survey.pk) == {"loyal.cell": 1}
    # The resume cookie is gone: the link starts afresh.
    assert client.get(url).status_code == 200


def test_two_respondents_on_the_last_page_get_one_last_place(org_a, analyst, csat, link_to):
    survey = _with_quota(analyst, csat, _end_quota(limit=2))
    _fill(org_a, survey, n=1)
    url = link_to(survey)
    one, two = Client(), Client()
    page_one, page_two = _first_page(one, url, 5), _first_page(two, url, 4)
    # Both passed the first page while one place was left; both now submit the last page.
    assert "/r/p/" in page_one["Location"] and "/r/p/" in page_two["Location"]
    done_one = one.post(page_one["Location"], {"page": "details", "q_comment": "first"})
    done_two = two.post(page_two["Location"], {"page": "details", "q_comment": "second"})
    assert "/r/done/" in done_one["Location"] and "/r/done/" in done_two["Location"]
    assert "Thank you for shopping with us!" in one.get(done_one["Location"]).content.decode()
    assert "We have enough answers like yours" in two.get(done_two["Location"]).content.decode()
    statuses = dict(Response.objects.for_org(org_a).values_list("answers__comment", "status"))
    assert statuses == {None: "complete", "first": "complete", "second": "screened"}
    assert quota_counts.current_counts(org_a, survey.pk) == {"sat.happy": 2}
    # Posting the last page again changes nothing.
    two.post(page_two["Location"], {"page": "details", "q_comment": "again"})
    assert Response.objects.for_org(org_a).get(status="screened").answers["comment"] == "second"


def test_a_screened_invitee_is_done_and_not_reminded(org_a, analyst, csat, make_distribution, make_contact):
    from django.db import transaction

    from openxm.distribution import invitations

    survey = _with_quota(analyst, csat, _end_quota(limit=0))
    dist = make_distribution(survey, "email")
    with transaction.atomic():
        invitation = invitations.create_invitation(org_a, dist, make_contact("c1"), apply_caps=False)
    url = invitations.personal_url(invitation).split("://", 1)[-1].split("/", 1)[1]
    url = "/" + url
    client = Client()
    html = client.get(url).content.decode()
    assert 'name="q_csat"' in html
    posted = client.post(url, {"page": "overall", "q_csat": "5"})
    assert "/r/done/" in posted["Location"]
    invitation.refresh_from_db()
    assert invitation.status == "completed" and invitation.response.status == "screened"
    assert "already answered" in client.get(url).content.decode()
