"""The response browser: filters, one response in context, delete and anonymise (audited),
bulk tags; redaction for roles without PII rights; organizations never see each other's data."""

import datetime as dt

import pytest

from openxm.accounts.models import AuditEvent
from openxm.responses import actions, browse
from openxm.responses.filters import parse_filters
from openxm.responses.models import ResponseTag
from openxm.surveys import collect
from openxm.surveys import services as surveys
from openxm.surveys.models import Answer, Response

DAY = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def data(org_a, admin, survey):
    def submit(key, answers, days=0, **kw):
        contact = kw.pop("contact", None)
        sub = collect.Submission(
            answers=answers,
            idempotency_key=key,
            hidden={"order_id": key, "store": "jingan"},
            completed_at=DAY + dt.timedelta(days=days),
            contact=contact,
            meta={"device": "iPhone", "user_agent": "Mobile Safari"},
            **kw,
        )
        return collect.record_response(org_a, survey, sub).response

    gold = collect.ContactRef("C-1", {"email": "wang@example.com", "phone": "13800138000"}, {"tier": "gold"})
    silver = collect.ContactRef("C-2", {"email": "zhao@example.com"}, {"tier": "silver"})
    rows = [
        submit(
            "a", {"csat": 5, "comment": "Great, call me at 13800138000"}, 0, contact=gold, channel="email"
        ),
        submit(
            "b",
            {"csat": 2, "improve": ["price", "waiting"], "comment": "太贵了"},
            1,
            contact=silver,
            channel="sms",
            language="zh-Hans",
        ),
        submit("c", {"csat": 3, "improve": ["staff"]}, 2, channel="app", touchpoint="delivery"),
    ]
    # A second version with the same questions; one response to it.
    surveys.publish_survey(admin, survey.pk)
    survey.refresh_from_db()
    rows.append(submit("d", {"csat": 4}, 3, channel="app"))
    return rows


def _ids(actor, **params):
    page = browse.list_responses(actor, parse_filters(params))
    return sorted(r.id for r in page.rows)


def test_filters(admin, data):
    a, b, c, d = (r.pk for r in data)
    assert _ids(admin) == [a, b, c, d]
    assert _ids(admin, survey="transactional-csat", version="1") == [a, b, c]
    assert _ids(admin, version="2") == [d]
    assert _ids(admin, **{"from": "2024-06-02", "to": "2024-06-03"}) == [b, c]
    assert _ids(admin, touchpoint="delivery") == [c]
    assert _ids(admin, channel="app") == [c, d]
    assert _ids(admin, language="zh-Hans") == [b]
    assert _ids(admin, **{"contact.tier": "gold"}) == [a]
    assert _ids(admin, **{"contact.id": "C-2"}) == [b]
    assert _ids(admin, answer="csat:lte:3") == [b, c]
    assert _ids(admin, answer=["csat:gte:2", "improve:eq:price"]) == [b]
    assert _ids(admin, answer="improve:answered") == [b, c]
    assert _ids(admin, answer="csat:ne:5") == [b, c, d]
    assert _ids(admin, q="太贵") == [b]


def test_browser_page_filters_and_redacts_for_roles_without_pii(client, org_a, make_member, data):
    client.force_login(make_member(org_a, "analyst"))
    page = client.get(
        "/responses/",
        {"survey": "transactional-csat", "answer_q": "csat", "answer_op": "lte", "answer_value": "3"},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "2 responses" in html
    assert "太贵了" in html and "wang@example.com" not in html
    page = client.get("/responses/", {"contact_key": "tier", "contact_value": "gold"})
    html = page.content.decode()
    assert "1 response" in html and "Great, call me at [PHONE]" in html and "13800138000" not in html
    assert client.get("/responses/", {"from": "yesterday"}).status_code == 200  # a bad filter is reported


def test_the_comment_column_shows_every_text_answer(client, org_a, make_member, admin, survey, analyst):
    sub = collect.Submission(
        answers={
            "csat": 1,
            "improve": {"choices": ["other"], "other": "停车难, call 13800138000"},
            "comment": "排队太久",
        },
        idempotency_key="two-texts",
        completed_at=DAY,
    )
    response = collect.record_response(org_a, survey, sub).response
    row = next(r for r in browse.list_responses(admin, parse_filters({})).rows if r.id == response.pk)
    assert row.comments == ("停车难, call 13800138000", "排队太久")  # the "other" text first, as asked
    assert row.comment == "停车难, call 13800138000\n排队太久"  # the API's one text
    row = next(r for r in browse.list_responses(analyst, parse_filters({})).rows if r.id == response.pk)
    assert row.comments == ("停车难, call [PHONE]", "排队太久")  # redacted without pii
    client.force_login(make_member(org_a, "admin"))
    html = client.get("/responses/").content.decode()
    assert "<p>停车难, call 13800138000</p><p>排队太久</p>" in html


def test_detail_shows_the_full_context(client, org_a, make_member, data):
    client.force_login(make_member(org_a, "agent"))  # agents may see PII
    html = client.get(f"/responses/{data[1].pk}/").content.decode()
    for text in (
        "zhao@example.com",
        "silver",
        "iPhone",
        "overall → details",
        "Dissatisfied",
        "Price; Waiting time",
        "太贵了",
        "order_id",
    ):
        assert text in html, text
    assert "Anonymise" not in html  # agents may not delete


def test_delete_is_audited_and_needs_the_right(client, org_a, make_member, data):
    target = data[0].pk
    client.force_login(make_member(org_a, "analyst"))
    assert client.post(f"/responses/{target}/delete/").status_code == 403
    client.force_login(make_member(org_a, "admin"))
    assert client.post(f"/responses/{target}/delete/").status_code == 302
    assert not Response.objects.for_org(org_a).filter(pk=target).exists()
    assert not Answer.objects.for_org(org_a).filter(response_id=target).exists()
    event = AuditEvent.objects.for_org(org_a).get(action="data.deleted")
    assert event.target_id == str(target) and event.data["survey"] == "transactional-csat"


def test_anonymise_keeps_scores_and_drops_identity(org_a, admin, data):
    response = actions.anonymise_response(admin, data[0].pk)
    response.refresh_from_db()
    assert response.contact is None and response.hidden == {} and "device" not in response.meta
    assert response.answers == {"csat": 5, "comment": "Great, call me at [PHONE]"}
    rows = Answer.objects.for_org(org_a).filter(response=response)
    assert sorted(r.question_id for r in rows) == ["comment", "csat"]
    assert rows.get(question_id="comment").value_text == "Great, call me at [PHONE]"
    assert response.idempotency_key.startswith("anonymised-")
    assert (
        AuditEvent.objects.for_org(org_a)
        .filter(action="data.anonymised", target_id=str(response.pk))
        .exists()
    )


def test_bulk_tag_selected_and_filtered(client, org_a, make_member, admin, data):
    client.force_login(make_member(org_a, "analyst"))
    ids = [str(data[0].pk), str(data[1].pk)]
    client.post("/responses/tag/", {"ids": ids, "add": "follow-up", "scope": "selected"})
    assert _ids(admin, tag="follow-up") == sorted(int(i) for i in ids)
    client.post("/responses/tag/", {"channel": "app", "add": "app, review", "scope": "all"})
    assert _ids(admin, tag="review") == [data[2].pk, data[3].pk]
    browse.tag_responses(admin, parse_filters({"ids": str(data[0].pk)}), remove=["follow-up"])
    assert _ids(admin, tag="follow-up") == [data[1].pk]
    assert ResponseTag.objects.for_org(org_a).count() == 5
    assert AuditEvent.objects.for_org(org_a).filter(action="responses.tagged").count() == 3
    client.force_login(make_member(org_a, "agent"))
    assert client.post("/responses/tag/", {"ids": ids, "add": "x"}).status_code == 403


def test_other_organizations_see_nothing(client, org_b, make_member, actor_for, data):
    outsider = actor_for("owner", org_b)
    assert browse.list_responses(outsider, parse_filters({})).total == 0
    client.force_login(make_member(org_b, "owner"))
    assert client.get(f"/responses/{data[0].pk}/").status_code == 404
    assert client.post(f"/responses/{data[0].pk}/delete/").status_code == 404
    client.post("/responses/tag/", {"ids": [str(data[0].pk)], "add": "x"})
    assert browse.tag_names(outsider) == []


def test_viewers_cannot_open_responses(client, org_a, make_member, data):
    client.force_login(make_member(org_a, "viewer"))
    assert client.get("/responses/").status_code == 403
    assert client.get(f"/responses/{data[0].pk}/").status_code == 403
