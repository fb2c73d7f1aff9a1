"""Text and numbers from outside: NUL characters, lone surrogates, control characters, lengths
beyond the column and numbers out of range get a 422 naming the field (the API) or an error page
naming it (pages), never a 500, on SQLite and PostgreSQL."""

import json
import re

import pytest
from django.test import Client

from openxm.surveys.models import Response

BAD_TEXT = ["a\u0000b", "\ud800", "x\udfffy", "bell\u0007"]


def _post_json(client, path, body, **headers):
    # json.dumps escapes a lone surrogate as \ud800, which is what a client sends on the wire.
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def _state(html: str) -> str:
    return re.search(r'name="state" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("text", BAD_TEXT)
def test_public_collection_api_rejects_bad_text_anywhere_in_the_body(org_a, app_token, text):
    client = Client()
    path = f"/api/v1/public/surveys/{app_token}/responses"
    for body, field in [
        ({"answers": {"csat": 4, "comment": text}}, "answers.comment"),
        ({"answers": {"csat": 4}, "hidden": {"store": text}}, "hidden.store"),
        ({"answers": {"csat": 4}, "idempotency_key": text}, "idempotency_key"),
        ({"answers": {"csat": 4}, "meta": {text: "1"}}, "meta"),
    ]:
        reply = _post_json(client, path, body)
        assert reply.status_code == 422, (body, reply.content)
        error = reply.json()
        assert isinstance(error["detail"], str) and error["field"] == field
    assert Response.objects.for_org(org_a).count() == 0


def test_public_collection_api_validation_errors_have_a_string_detail(app_token):
    reply = _post_json(Client(), f"/api/v1/public/surveys/{app_token}/responses", {"answers": "nope"})
    assert reply.status_code == 422
    error = reply.json()
    assert isinstance(error["detail"], str) and error["field"] == "answers"


@pytest.mark.parametrize("text", ["a\u0000b", "bell\u0007"])
def test_respondent_page_rejects_bad_text_with_a_page_naming_the_field(org_a, public_link, text):
    client = Client()
    html = client.get(public_link).content.decode()
    reply = client.post(public_link, {"state": _state(html), "q_csat": "2", "q_comment": text})
    assert reply.status_code == 422
    assert "q_comment" in reply.content.decode() and "<html" in reply.content.decode()
    assert Response.objects.for_org(org_a).count() == 0


@pytest.mark.parametrize("text", ["a\u0000b"])
def test_query_strings_with_nul_are_refused(org_a, make_key, api, text):
    caller = api(make_key(org_a))
    reply = caller.get("/audit", data={"action": text})
    assert reply.status_code == 422 and reply.json()["field"] == "action"
    page = Client().get("/accounts/login/", {"next": text})
    assert page.status_code == 422 and "next" in page.content.decode()


def test_path_with_nul_is_refused(org_a, make_key, api):
    reply = api(make_key(org_a)).get("/surveys/a%00b")
    assert reply.status_code == 422 and reply.json()["field"] == "path"


@pytest.mark.parametrize("text", BAD_TEXT)
def test_unit_name_with_bad_text_is_refused(org_a, make_key, api, text):
    reply = api(make_key(org_a)).post("/units", {"code": "sh", "name": text, "kind": "store"})
    assert reply.status_code == 422 and reply.json()["field"] == "name"


def test_unit_name_longer_than_its_column_is_refused(org_a, make_key, api):
    reply = api(make_key(org_a)).post("/units", {"code": "sh", "name": "n" * 10_001, "kind": "store"})
    assert reply.status_code == 422, reply.content
    error = reply.json()
    assert error["field"] == "name" and "200" in error["detail"]


def test_sign_in_form_with_nul_gets_an_error_not_a_crash(db):
    reply = Client().post("/accounts/login/", {"username": "a\u0000b@example.com", "password": "x\u0000"})
    assert reply.status_code == 422 and "username" in reply.content.decode()


@pytest.mark.parametrize("period", ["99999999d", "0d", "-1d", "1099d", "9" * 400 + "d"])
def test_out_of_range_periods_are_refused(org_a, make_member, make_key, api, signed_in, period):
    reply = api(make_key(org_a)).get("/insights/metrics", data={"period": period})
    assert reply.status_code == 422, reply.content
    assert reply.json()["field"] == "period"
    page = signed_in(make_member(org_a, "analyst")).get("/insights/", {"period": period})
    assert page.status_code in (200, 422) and page.status_code != 500


def test_period_range_is_bounded():
    from datetime import date, timedelta

    from openxm.accounts.errors import InvalidInput
    from openxm.insights.params import period_range

    today = date(2026, 3, 31)
    assert period_range("1d", today) == (today, today)
    assert period_range("1098d", today)[0] == today - timedelta(days=1097)
    for bad in ("0d", "1099d", "99999999d"):
        with pytest.raises(InvalidInput):
            period_range(bad, today)


@pytest.mark.parametrize("limit", ["1000000000", "-1", "0", "abc"])
def test_audit_limit_is_capped(org_a, make_key, api, limit):
    reply = api(make_key(org_a)).get("/audit", data={"limit": limit})
    assert reply.status_code == 422
    error = reply.json()
    assert error["field"] == "limit" and isinstance(error["detail"], str)


def test_audit_limit_within_range_is_honoured(org_a, make_key, api):
    caller = api(make_key(org_a))
    for i in range(3):
        caller.post("/units", {"code": f"u{i}", "name": f"Unit {i}", "kind": "store"})
    assert len(caller.get("/audit", data={"limit": "2"}).json()) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/comments/verbatims?limit=1000000000",
        "/comments/verbatims?limit=0",
        "/comments/verbatims?offset=-1",
        "/responses?per_page=1000000000",
        "/responses?page=0",
    ],
)
def test_page_sizes_and_offsets_are_capped(org_a, make_key, api, path):
    reply = api(make_key(org_a)).get(path)
    assert reply.status_code == 422 and reply.json()["field"] in ("limit", "offset", "per_page", "page")


def test_huge_offsets_answer_an_empty_page(org_a, make_key, make_member, api, signed_in):
    reply = api(make_key(org_a)).get("/comments/verbatims?offset=" + "9" * 30)
    assert reply.status_code == 200 and reply.json()["items"] == []
    page = signed_in(make_member(org_a, "analyst")).get("/comments/verbatims/", {"offset": "9" * 30})
    assert page.status_code == 200
