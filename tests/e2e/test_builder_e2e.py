"""Build a survey with logic in the builder, preview it at phone width and publish it, in a real browser."""

import re

from playwright.sync_api import expect

from openxm.accounts import services as accounts
from openxm.surveys import services as surveys
from openxm.surveys.models import Survey, SurveyVersion
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in

WHY_EN = "What should we do better?"
WHY_ZH = "我们应该在哪些方面做得更好？"


def _draft(org):
    return Survey.objects.for_org(org).get().draft


def _page(draft, page_id):
    return next(p for p in draft["pages"] if p["id"] == page_id)


def test_build_with_logic_preview_and_publish(transactional_db, page, artifacts):
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    accounts.bootstrap_user("li@example.com", PASSWORD, "Li Wei")
    accounts.add_member(accounts.operator_actor(org), "li@example.com", "analyst")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1440, "height": 900})

    sign_in(page, "li@example.com")

    # A survey from the template library, opened in the builder.
    page.goto("/surveys/templates/")
    page.locator("section.card", has_text="Purchase satisfaction (CSAT)").get_by_role(
        "button", name="Create survey").click()
    page.get_by_role("link", name="Edit in the builder").click()
    builder = page.locator("#builder[data-ready='true']")
    expect(builder).to_be_visible()
    expect(page.locator("#bd-problems")).to_contain_text("No problems")

    # A new page with an NPS question, then a text follow-up on the same page.
    page.get_by_role("button", name="Add page").click()
    new_page = page.locator("section.bq-page").nth(2)
    expect(new_page).to_contain_text("No questions yet")
    page.get_by_role("button", name="Add question: NPS").click()
    nps = new_page.locator("li.bq-question[data-qid='nps']")
    expect(nps).to_be_visible()
    nps.get_by_label("Question text (en)").fill("How likely are you to recommend FreshNeighbor to a friend?")
    page.get_by_role("button", name="Add question: Text").click()
    follow_up = new_page.locator("li.bq-question").nth(1)
    question_id = follow_up.get_by_label("Question id")
    question_id.fill("why_low")
    question_id.press("Tab")
    follow_up = new_page.locator("li.bq-question[data-qid='why_low']")
    follow_up.get_by_label("Question text (en)").fill(WHY_EN)
    follow_up.get_by_label("Question text (zh-Hans)").fill(WHY_ZH)

    # Logic without code: show the follow-up only when NPS <= 6.
    follow_up.get_by_role("button", name="Add condition").click()
    follow_up.get_by_label("Question", exact=True).select_option("q:nps")
    follow_up.get_by_label("Condition", exact=True).select_option("lte")
    follow_up.get_by_label("Value", exact=True).select_option(label="6")
    expect(follow_up.locator(".bq-logic")).to_contain_text("Shown if: nps is at most 6")

    # Reorder: drag the follow-up above the NPS question (the server flags the forward reference),
    # then move it back down with the keyboard-accessible button.
    follow_up.locator(".bq-qhead").drag_to(nps, target_position={"x": 60, "y": 6})
    expect(new_page.locator("li.bq-question").first).to_have_attribute("data-qid", "why_low")
    expect(page.locator("#bd-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#bd-problems")).to_contain_text("Problems to fix: 1")
    expect(new_page.locator("li.bq-question[data-qid='why_low']")).to_have_class(re.compile("has-issues"))
    page.get_by_role("button", name="Publish", exact=True).click()  # problems block publishing
    expect(page.locator("#bd-message")).to_contain_text("Fix the problems listed before publishing (1).")
    assert not SurveyVersion.objects.for_org(org).exists()
    moved = new_page.locator("li.bq-question[data-qid='why_low']")
    moved.get_by_role("button", name="Move question down").click()
    expect(new_page.locator("li.bq-question").first).to_have_attribute("data-qid", "nps")
    expect(page.locator("#bd-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#bd-problems")).to_contain_text("No problems")

    draft = _draft(org)
    questions = draft["pages"][2]["questions"]
    assert [q["id"] for q in questions] == ["nps", "why_low"]
    assert questions[1]["display_if"] == {"question": "nps", "op": "lte", "value": 6}
    assert questions[1]["text"] == {"en": WHY_EN, "zh-Hans": WHY_ZH}

    # Preview at phone width: the new page, the follow-up appears only for a detractor.
    page.get_by_role("button", name="Preview").click()
    device = page.locator("#bd-device")
    expect(device).to_be_visible()
    assert round(device.bounding_box()["width"]) == 390
    page.locator("#bd-preview-page").select_option(questions and draft["pages"][2]["id"])
    screen = page.locator("#bd-screen")
    expect(screen).to_contain_text("How likely are you to recommend FreshNeighbor to a friend?")
    expect(screen).not_to_contain_text(WHY_EN)
    screen.get_by_role("radio", name="3", exact=True).check()
    expect(screen).to_contain_text(WHY_EN)
    screen.get_by_role("radio", name="9", exact=True).check()
    expect(screen).not_to_contain_text(WHY_EN)
    screen.get_by_role("radio", name="5", exact=True).check()
    page.screenshot(path=str(artifacts / "builder.png"), full_page=False)

    page.get_by_role("button", name="Desktop", exact=True).click()
    assert device.get_attribute("data-scale") is not None
    page.screenshot(path=str(artifacts / "builder-desktop.png"))
    expect(screen).to_contain_text(WHY_EN)
    page.get_by_role("button", name="Phone", exact=True).click()
    page.get_by_role("tab", name="Respondent page").click()  # the collection module's page, when installed
    expect(page.locator("#bd-respondent iframe, #bd-respondent .bd-unavailable")).to_have_count(1)
    page.get_by_role("tab", name="Builder preview").click()

    # Publish: a new version holding the new question.
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#bd-message")).to_contain_text("Published version 1")
    version = SurveyVersion.objects.for_org(org).get()
    assert version.number == 1
    published = _page(version.definition, draft["pages"][2]["id"])["questions"]
    assert [q["id"] for q in published] == ["nps", "why_low"]
    assert published[1]["display_if"] == {"question": "nps", "op": "lte", "value": 6}
    expect(page.locator("#bd-version")).to_have_text("version 1")
    assert errors == []


def test_every_question_type_from_the_palette_is_valid_and_previews(transactional_db, page, artifacts):
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    user = accounts.bootstrap_user("li@example.com", PASSWORD, "Li Wei")
    accounts.add_member(accounts.operator_actor(org), "li@example.com", "analyst")
    actor = accounts.actor_for_user(user, org, via="web")
    survey = surveys.create_survey(actor, {
        "schema_version": 1, "title": {"en": "Types", "zh-Hans": "题型"}, "languages": ["en", "zh-Hans"],
        "default_language": "en",
        "pages": [{"id": "p1", "questions": [
            {"id": "ok", "type": "consent", "text": {"en": "OK?", "zh-Hans": "好吗？"}},
        ]}],
    })
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, "li@example.com")
    page.goto(f"/surveys/{survey.pk}/builder/")
    expect(page.locator("#builder[data-ready='true']")).to_be_visible()

    palette = page.locator(".bp-type")
    types = [palette.nth(i).get_attribute("data-type") for i in range(palette.count())]
    assert len(types) == 20
    for qtype in types:
        palette.locator(f"xpath=self::*[@data-type='{qtype}']").click()
    expect(page.locator("li.bq-question")).to_have_count(21)
    expect(page.locator("#bd-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#bd-problems")).to_contain_text("No problems")

    # Undo and redo the last addition.
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("li.bq-question")).to_have_count(20)
    page.get_by_role("button", name="Redo").click()
    expect(page.locator("li.bq-question")).to_have_count(21)

    # A condition on one row of the matrix: the part is chosen from the rows.
    comment = page.locator("li.bq-question[data-qid='comment']")
    comment.locator(".bq-qtoggle").click()
    comment.get_by_role("button", name="Add condition").click()
    comment.get_by_label("Question", exact=True).select_option("q:grid")
    comment.get_by_label("Part", exact=True).select_option("r2")
    comment.get_by_label("Condition", exact=True).select_option("gte")
    comment.get_by_label("Value", exact=True).select_option(label="4")
    expect(page.locator("#bd-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#bd-problems")).to_contain_text("No problems")
    stored = Survey.objects.for_org(org).get().draft["pages"][0]["questions"]
    assert [q["type"] for q in stored[1:]] == types
    grid_leaf = {"question": "grid", "part": "r2", "op": "gte", "value": 4}
    assert next(q for q in stored if q["id"] == "comment")["display_if"] == grid_leaf

    # An OR group: a second condition, then "any of these".
    comment.get_by_role("button", name="Add condition").click()
    comment.locator(".bc-leaf").nth(1).get_by_label("Question", exact=True).select_option("q:ok")
    comment.get_by_label("Match").select_option("any")
    expect(comment.locator(".bq-logic")).to_contain_text(" or ok is Yes")

    # Branching after the page: end the survey when consent is refused, with a new ending.
    page.get_by_role("button", name="Page settings and logic").click()
    rules = page.locator(".bf-rules")
    page.get_by_role("button", name="Add a branching rule").click()
    rules.get_by_role("button", name="Add condition").click()
    rules.get_by_label("Question", exact=True).select_option("q:ok")
    rules.get_by_label("Value", exact=True).select_option(label="No")
    expect(page.locator("#bd-status")).to_have_text("All changes saved", timeout=10_000)
    expect(page.locator("#bd-problems")).to_contain_text("No problems")
    draft = Survey.objects.for_org(org).get().draft
    comment_if = next(q for q in draft["pages"][0]["questions"] if q["id"] == "comment")["display_if"]
    assert comment_if == {"any": [grid_leaf, {"question": "ok", "op": "eq", "value": True}]}
    ending = draft["endings"][0]["id"]
    refused = {"question": "ok", "op": "eq", "value": False}
    assert draft["pages"][0]["next"] == [{"end": ending, "if": refused}]
    assert draft["endings"][0]["text"] == {"en": "Thank you for your feedback!", "zh-Hans": "感谢您的反馈！"}

    page.get_by_role("button", name="Preview").click()
    screen = page.locator("#bd-screen")
    # Neither the hidden field nor the comment (its condition does not hold yet) is shown.
    expect(screen.locator(".pv-q")).to_have_count(19)
    screen.locator(".pv-matrix .pv-mrow").nth(2).get_by_role("radio", name="5").check()
    expect(screen.locator(".pv-q")).to_have_count(20)
    screen.locator(".pv-matrix .pv-mrow").nth(2).get_by_role("radio", name="1").check()
    expect(screen.locator(".pv-q")).to_have_count(19)
    screen.get_by_role("checkbox", name="OK?").check()  # the other branch of the OR
    expect(screen.locator(".pv-q")).to_have_count(20)
    page.locator("#bd-preview-lang").select_option("zh-Hans")
    expect(screen).to_contain_text("您向朋友或同事推荐我们的可能性有多大？")
    page.screenshot(path=str(artifacts / "builder-types.png"))
    assert errors == []
