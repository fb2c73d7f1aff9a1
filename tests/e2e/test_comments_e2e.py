"""Text analytics in a real browser: a survey's topics and verbatims in Chinese and English, filtering the
verbatims by a topic, and a re-analysis whose progress reaches 100 %."""

from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.comments.conftest import DEFINITION
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in

COMMENTS = [
    ("送餐太慢了，等了一个多小时，饭都凉了", 2),
    ("配送员态度很好，送得很快，菜也很新鲜", 10),
    ("价格太贵了，性价比不高", 4),
    ("客服电话一直占线，问题到现在都没解决", 1),
    ("The delivery was late and the courier was rude", 3),
    ("Fast delivery, friendly driver, fresh vegetables", 9),
    ("Prices are too high for what you get", 5),
    ("The app keeps crashing at checkout, call me on 13812345678", 2),
    ("Great value for money, love the weekly deals", 9),
    ("包装很好，没有洒出来", 8),
]


def test_topics_verbatims_and_reanalysis_progress(transactional_db, page, artifacts):
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    accounts.bootstrap_user("chen@example.com", PASSWORD, "Chen Jing")
    accounts.add_member(accounts.operator_actor(org), "chen@example.com", "admin")
    actor = accounts.operator_actor(org)
    survey = surveys.create_survey(actor, DEFINITION, key="delivery-feedback")
    surveys.publish_survey(actor, survey.pk)
    survey = surveys.get_survey(actor, survey.pk)
    now = timezone.now()
    for i, (text, nps) in enumerate(COMMENTS * 2):
        when = now - timedelta(days=1 + i * 2)
        collect.record_response(
            org,
            survey,
            collect.Submission(
                answers={"nps": nps, "comment": text},
                idempotency_key=f"e2e-{i}",
                started_at=when,
                completed_at=when,
            ),
        )

    sign_in(page, "chen@example.com")
    with page.expect_navigation(url="**/comments/"):
        page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Text analytics", exact=True
        ).click()
    page.get_by_label("Survey").select_option(str(survey.pk))
    with page.expect_navigation(url=f"**/comments/?survey={survey.pk}*"):
        page.get_by_role("button", name="Apply").click()
    assert "Delivery feedback" in page.locator("h1").inner_text()
    topics = page.locator("table.cm-topics")
    assert topics.get_by_role("link", name="Delivery", exact=True).is_visible()
    assert topics.get_by_role("link", name="Price and value").is_visible()
    page.locator('[data-comments-chart="topic-map"] canvas').first.wait_for(state="visible")
    assert page.locator("#verbatim-list").get_by_text("20 comments").is_visible()

    page.get_by_label("Topic", exact=True).select_option("price")  # HTMX reloads the list
    page.locator("#verbatim-list").get_by_text("6 comments").wait_for()
    listed = page.locator("#verbatim-list li.cm-verbatim")
    assert listed.count() == 6
    assert all("Price and value" in listed.nth(i).inner_text() for i in range(6))
    assert "价格太贵了" in page.locator("#verbatim-list").inner_text()
    page.wait_for_timeout(500)  # the chart's entry animation
    page.screenshot(path=str(artifacts / "comments-topics.png"), full_page=True)

    with page.expect_navigation(url="**/comments/jobs/*/"):
        page.get_by_role("button", name="Re-analyse this survey's comments").click()
    page.locator("#job-progress .cm-percent").filter(has_text="100 %").wait_for()
    assert "20 of 20 comments" in page.locator("#job-progress").inner_text()
    assert page.locator("#job-progress").get_by_text("Done").is_visible()
    page.screenshot(path=str(artifacts / "comments-reanalysis.png"), full_page=True)
