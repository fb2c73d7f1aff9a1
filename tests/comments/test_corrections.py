"""Corrections: an analyst's sentiment, topics and flags win over the model, survive re-analysis,
are audited, exportable, and reachable through ``POST /api/v1/comments/{id}/corrections``."""

import pytest

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import AuditEvent
from openxm.comments import corrections, services
from openxm.comments.models import CommentAnalysis, CommentCorrection, CommentTopic


def _analysis(org, response):
    return CommentAnalysis.objects.for_org(org).get(response=response)


def _topics(analysis, kind="topic"):
    return set(CommentTopic.objects.for_org(analysis.organization).filter(analysis=analysis, kind=kind)
               .values_list("topic", flat=True))


@pytest.fixture
def comment(survey, record, org_a):
    response = record(survey, "One-tap reorder is great but delivery was late", nps=9)
    return _analysis(org_a, response)


def test_a_correction_applies_at_once_and_survives_reanalysis(comment, analyst, admin, org_a):
    assert "delivery" in _topics(comment)
    result = corrections.correct_comment(
        analyst, comment.pk, sentiment="negative", add_topics=["digital.usability"],
        remove_topics=["delivery"], add_flags=["refund"],
    )
    assert result.analysis.sentiment == "negative" and result.analysis.score < 0
    assert "digital" in result.topics and "digital.usability" in result.topics  # the parent comes along
    assert not any(t == "delivery" or t.startswith("delivery.") for t in result.topics)
    assert result.flags == ("refund",)
    stored = _analysis(org_a, comment.response)
    assert stored.pk == comment.pk and stored.sentiment == "negative"
    assert {"digital", "digital.usability"} <= _topics(stored) and "delivery" not in _topics(stored)
    assert _topics(stored, "flag") == {"refund"}
    assert stored.flags[-1]["kind"] == "refund" and stored.flags[-1]["corrected"] is True

    services.start_reanalysis(admin, inline=True)  # the model runs again on every comment
    again = _analysis(org_a, comment.response)
    assert again.pk != comment.pk  # rows were replaced ...
    assert again.sentiment == "negative" and again.score < 0  # ... and the correction still wins
    assert {"digital", "digital.usability"} <= _topics(again) and "delivery" not in _topics(again)
    assert _topics(again, "flag") == {"refund"}


def test_corrections_merge_and_can_be_undone(comment, analyst, org_a):
    corrections.correct_comment(analyst, comment.pk, sentiment="neutral", add_topics=["price"])
    corrections.correct_comment(analyst, comment.pk, remove_topics=["price"])
    row = CommentCorrection.objects.for_org(org_a).get()
    assert row.sentiment == "neutral" and row.topics_added == [] and row.topics_removed == ["price"]
    assert row.model_sentiment == "positive"  # what the model said before the first correction
    assert row.corrected_by == analyst.user
    result = corrections.correct_comment(analyst, comment.pk, sentiment="")
    assert CommentCorrection.objects.for_org(org_a).get().sentiment == ""
    assert result.analysis.sentiment == "neutral"  # until the model runs again


def test_every_change_is_audited_with_before_and_after(comment, analyst, org_a):
    corrections.correct_comment(analyst, comment.pk, sentiment="negative")
    corrections.correct_comment(analyst, comment.pk, add_flags=["churn"])
    events = list(AuditEvent.objects.for_org(org_a).filter(action="comment.corrected").order_by("pk"))
    assert len(events) == 2
    assert events[0].data["before"]["sentiment"] == "" and events[0].data["after"]["sentiment"] == "negative"
    assert events[1].data["after"]["flags_added"] == ["churn"]
    assert events[1].target_id == str(comment.pk) and events[1].actor_user == analyst.user


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sentiment": "great"}, "sentiment"),
        ({"add_topics": ["no_such_topic"]}, "add_topics"),
        ({"add_flags": ["angry"]}, "add_flags"),
        ({"add_topics": "price"}, "add_topics"),
        ({}, "sentiment"),
    ],
)
def test_bad_corrections_name_the_field(comment, analyst, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        corrections.correct_comment(analyst, comment.pk, **kwargs)
    assert exc.value.field == field
    assert not CommentCorrection.unscoped.exists()


def test_permissions_and_tenancy(comment, actor_for, org_b, make_member):
    with pytest.raises(PermissionDenied):
        corrections.correct_comment(actor_for("agent"), comment.pk, sentiment="negative")
    with pytest.raises(NotFound):
        corrections.correct_comment(actor_for("admin", org=org_b), comment.pk, sentiment="negative")


def test_export_lists_corrections_redacted_without_pii_view(survey, record, analyst, org_a):
    response = record(survey, "Call me on 13812345678, the app is slow", nps=3)
    analysis = _analysis(org_a, response)
    corrections.correct_comment(analyst, analysis.pk, sentiment="negative", add_topics=["digital"])
    rows = corrections.export_corrections(analyst)
    assert len(rows) == 1
    assert rows[0]["sentiment"] == "negative" and rows[0]["topics_added"] == ["digital"]
    assert "13812345678" not in rows[0]["text"] and "[PHONE]" in rows[0]["text"]
    assert rows[0]["corrected_by"] == analyst.user.email
    assert AuditEvent.objects.for_org(org_a).filter(action="comments.corrections_exported").count() == 1


def test_api_correction_and_export(comment, api, make_key, org_a):
    key = make_key(org_a, "analyst")
    reply = api(key).post(
        f"/comments/{comment.pk}/corrections", {"sentiment": "negative", "add_topics": ["price"]}
    )
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert body["comment_id"] == comment.pk and body["sentiment"] == "negative"
    assert "price" in body["topics"] and body["correction"]["topics_added"] == ["price"]
    assert body["model_sentiment"] == "positive"
    bad = api(key).post(f"/comments/{comment.pk}/corrections", {"sentiment": "great"})
    assert bad.status_code == 422 and bad.json()["field"] == "sentiment"
    assert api(key).post("/comments/999999/corrections", {"sentiment": "neutral"}).status_code == 404
    viewer = make_key(org_a, "viewer")
    denied = api(viewer).post(f"/comments/{comment.pk}/corrections", {"sentiment": "neutral"})
    assert denied.status_code == 403
    exported = api(key).get("/comments/corrections")
    assert exported.status_code == 200 and exported.json()[0]["sentiment"] == "negative"


def test_verbatims_page_has_one_click_corrections_for_analysts_only(
    comment, make_member, org_a, signed_in, client
):
    analyst_client = signed_in(make_member(org_a, "analyst"))
    html = analyst_client.get("/comments/?period=all").content.decode()
    assert f'id="correct-{comment.pk}"' in html and 'name="sentiment" value="negative"' in html
    assert 'name="remove_topic" value="delivery' in html and 'name="add_topic"' in html
    url = f"/comments/verbatims/{comment.pk}/correct/"
    htmx = {"HX-Request": "true"}
    reply = analyst_client.post(url, {"sentiment": "negative"}, headers=htmx)
    assert reply.status_code == 200
    item = reply.content.decode()
    assert 'data-sentiment="negative"' in item
    assert 'aria-pressed="true"' in item and f'id="correct-{comment.pk}"' in item
    removed = analyst_client.post(url, {"remove_topic": "delivery"}, headers=htmx).content.decode()
    assert 'value="delivery' not in removed.split("<form")[0]  # the tags are gone, the select keeps them
    added = analyst_client.post(url, {"action": "add_topic", "add_topic": "price"})
    assert added.status_code == 302  # without HTMX: back to the page
    assert "price" in _topics(_analysis(org_a, comment.response))
    client.logout()
    agent_client = signed_in(make_member(org_a, "agent"))
    assert f'id="correct-{comment.pk}"' not in agent_client.get("/comments/?period=all").content.decode()
    denied = agent_client.post(f"/comments/verbatims/{comment.pk}/correct/", {"sentiment": "negative"})
    assert denied.status_code == 403


def test_flags_are_added_and_removed_in_one_click(comment, make_member, org_a, signed_in):
    analyst_client = signed_in(make_member(org_a, "analyst"))
    url = f"/comments/verbatims/{comment.pk}/correct/"
    htmx = {"HX-Request": "true"}
    added = analyst_client.post(url, {"action": "add_flag", "add_flag": "refund"}, headers=htmx)
    assert added.status_code == 200
    assert 'name="remove_flag" value="refund"' in added.content.decode()
    assert "refund" in _topics(_analysis(org_a, comment.response), kind="flag")
    removed = analyst_client.post(url, {"remove_flag": "refund"}, headers=htmx).content.decode()
    assert 'name="remove_flag" value="refund"' not in removed
    assert "refund" not in _topics(_analysis(org_a, comment.response), kind="flag")
    bad = analyst_client.post(url, {"action": "add_flag", "add_flag": "angry"}, headers=htmx)
    assert bad.status_code == 400 and bad.content.decode().startswith("add_flags:")


def test_the_response_page_loads_its_comments_with_corrections(
    comment, make_member, org_a, signed_in, client
):
    response_id = comment.response_id
    page = signed_in(make_member(org_a, "analyst")).get(f"/responses/{response_id}/").content.decode()
    assert f'hx-get="/comments/responses/{response_id}/"' in page
    panel = client.get(f"/comments/responses/{response_id}/").content.decode()
    assert f'id="correct-{comment.pk}"' in panel and "One-tap reorder" in panel
    assert 'name="next" value="/responses/' in panel
    # Without HTMX a correction made there returns to the response page, not the overview.
    back = client.post(
        f"/comments/verbatims/{comment.pk}/correct/",
        {"sentiment": "positive", "next": f"/responses/{response_id}/"},
    )
    assert back.status_code == 302 and back.url == f"/responses/{response_id}/"
    offsite = client.post(
        f"/comments/verbatims/{comment.pk}/correct/", {"sentiment": "positive", "next": "https://evil.example/"}
    )
    assert offsite.url == "/comments/"
    client.logout()
    agent = signed_in(make_member(org_a, "agent")).get(f"/comments/responses/{response_id}/").content.decode()
    assert "One-tap reorder" in agent and f'id="correct-{comment.pk}"' not in agent  # reads, cannot correct
    assert client.get("/comments/responses/999999/").status_code == 404


def test_the_case_page_loads_the_complaints_comments_with_corrections(
    comment, admin, make_member, org_a, signed_in, client
):
    from openxm.cases import services as cases

    case = cases.open_case(admin, response_id=comment.response_id, source="response")
    page = signed_in(make_member(org_a, "admin")).get(f"/cases/{case.pk}/").content.decode()
    panel_url = f"/comments/responses/{comment.response_id}/?next=/cases/{case.pk}/"
    assert f'hx-get="{panel_url}"' in page
    panel = client.get(panel_url).content.decode()
    assert f'id="correct-{comment.pk}"' in panel and f'name="next" value="/cases/{case.pk}/"' in panel
    # A ``next`` off this site is ignored: the panel falls back to the response page.
    offsite = client.get(f"/comments/responses/{comment.response_id}/?next=https://evil.example/")
    offsite = offsite.content.decode()
    assert 'value="https://evil.example/"' not in offsite
    assert f'value="/responses/{comment.response_id}/"' in offsite
    client.logout()
    agent = signed_in(make_member(org_a, "agent"))  # works the case, reads the comments, cannot correct
    assert f'hx-get="{panel_url}"' in agent.get(f"/cases/{case.pk}/").content.decode()
    assert f'id="correct-{comment.pk}"' not in agent.get(panel_url).content.decode()
