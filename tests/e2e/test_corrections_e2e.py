"""Correcting a comment in a real browser: one click on its sentiment and on a topic's ×, and the
page's figures (share of positive comments, the topic's comment count) follow after a reload."""

from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.comments.conftest import DEFINITION
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in

COMMENTS = [
    ("Prices are too high for what you get", 5),
    ("Fast delivery, friendly driver, fresh vegetables", 9),
    ("价格太贵了，性价比不高", 4),
    ("The delivery was late and the courier was rude", 3),
]


def _topic_count(page, name: str) -> int:
    row = page.locator("table.cm-topics tr").filter(has=page.get_by_role("link", name=name, exact=True))
    return int(row.locator("td").first.inner_text())


def _seed():
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    accounts.bootstrap_user("chen@example.com", PASSWORD, "Chen Jing")
    accounts.add_member(accounts.operator_actor(org), "chen@example.com", "analyst")
    actor = accounts.operator_actor(org)
    survey = surveys.create_survey(actor, DEFINITION, key="delivery-feedback")
    surveys.publish_survey(actor, survey.pk)
    survey = surveys.get_survey(actor, survey.pk)
    now = timezone.now()
    for i, (text, nps) in enumerate(COMMENTS):
        when = now - timedelta(days=1 + i)
        collect.record_response(
            org, survey,
            collect.Submission(answers={"nps": nps, "comment": text}, idempotency_key=f"c-{i}",
                               started_at=when, completed_at=when),
        )
    return org


def test_correct_sentiment_and_topic_and_see_the_figures_update(transactional_db, page, artifacts):
    _seed()
    sign_in(page, "chen@example.com")
    page.goto("/comments/?period=all")
    positive = page.locator(".cm-stat .cm-positive-text")
    assert positive.inner_text() == "25%"  # one of four comments
    assert _topic_count(page, "Price and value") == 2

    item = page.locator("li.cm-verbatim").filter(has_text="Prices are too high for what you get")
    assert item.get_attribute("data-sentiment") == "negative"
    item.locator("form.cm-correct").get_by_role("button", name="Positive").click()  # one click, HTMX
    corrected = page.locator('li.cm-verbatim[data-sentiment="positive"]').filter(
        has_text="Prices are too high for what you get"
    )
    corrected.wait_for()
    assert corrected.locator('button[aria-pressed="true"]').inner_text() == "Positive"
    corrected.get_by_role("button", name="Remove topic Price and value").click()
    page.locator("li.cm-verbatim").filter(has_text="Prices are too high for what you get").locator(
        ".cm-tag", has_text="Price and value"
    ).wait_for(state="detached")
    picker = page.locator("li.cm-verbatim").filter(has_text="Prices are too high for what you get")
    picker.get_by_label("Add a topic").select_option("digital")
    picker.get_by_role("button", name="Add", exact=True).click()
    page.locator("li.cm-verbatim").filter(has_text="Prices are too high for what you get").locator(
        ".cm-tag", has_text="App and website"
    ).wait_for()
    page.screenshot(path=str(artifacts / "comments-correction.png"), full_page=True)

    page.reload()
    assert page.locator(".cm-stat .cm-positive-text").inner_text() == "50%"
    assert _topic_count(page, "Price and value") == 1


def test_correct_by_keyboard_on_the_response_page(transactional_db, page, artifacts):
    _seed()
    sign_in(page, "chen@example.com")
    page.goto("/comments/?period=all")
    page.locator("li.cm-verbatim").filter(has_text="Fast delivery, friendly driver").get_by_role(
        "link", name="Response"
    ).click()
    item = page.locator("#response-comments li.cm-verbatim")  # loaded into the response page
    item.wait_for()
    assert item.get_attribute("data-sentiment") == "positive"
    item.focus()
    page.keyboard.press("n")
    page.locator('#response-comments li.cm-verbatim[data-sentiment="negative"]').wait_for()
    page.keyboard.press("u")  # the focus stays on the corrected comment
    page.locator('#response-comments li.cm-verbatim[data-sentiment="neutral"]').wait_for()
    page.screenshot(path=str(artifacts / "response-corrections-en.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator('#response-comments li.cm-verbatim[data-sentiment="neutral"]').wait_for()
    page.screenshot(path=str(artifacts / "response-corrections-phone.png"), full_page=True)
