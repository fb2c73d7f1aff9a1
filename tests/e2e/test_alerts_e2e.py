"""Alerts in a real browser: an analyst adds a webhook pointing at a local receiver and sends a
test message, creates a rule, back-tests it before saving, saves it; a new detractor response
then reaches the receiver (signed) and the analyst's inbox, whose unread count shows in the menu."""

import json

import pytest

from openxm.accounts import services as accounts
from openxm.alerts.formats import verify_standard
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.alerts.conftest import Receiver
from tests.e2e.browsing import sign_in

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def setup(transactional_db, settings, make_org, make_member):
    settings.OPENXM_JOBS_INLINE = True
    settings.OPENXM_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    org = make_org("acme")
    user = make_member(org, "analyst")
    owner = accounts.operator_actor(org)
    survey = surveys.create_from_template(owner, "relationship-nps", key="nps")
    surveys.publish_survey(owner, survey.pk)
    survey = surveys.get_survey(owner, survey.pk)
    for i, score in enumerate((1, 5, 9)):
        collect.record_response(
            org, survey, collect.Submission(answers={"nps": score}, idempotency_key=f"h{i}")
        )
    receiver = Receiver()
    yield org, user, survey, receiver
    receiver.close()


def test_create_a_rule_backtest_it_and_send_a_test_webhook(setup, page, artifacts):
    org, user, survey, receiver = setup
    sign_in(page, user.email)

    with page.expect_navigation(url="**/alerts/webhooks/"):
        page.get_by_role("link", name="Webhooks", exact=True).click()
    page.get_by_label("Key").fill("cx-team")
    page.get_by_label("URL").fill(receiver.url)
    page.locator("#w-secret").fill(SECRET)
    with page.expect_navigation(url="**/alerts/webhooks/cx-team/"):
        page.get_by_role("button", name="Save webhook").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Send test").click()
    assert "Test message delivered (HTTP 200)" in page.content()
    assert page.locator("#delivery-log tbody tr").count() == 1
    test = receiver.requests[0]
    assert json.loads(test["body"])["type"] == "alert.test"
    assert verify_standard(SECRET, test["headers"], test["body"], int(test["headers"]["webhook-timestamp"]))

    with page.expect_navigation(url="**/alerts/rules/"):
        page.get_by_role("link", name="Alert rules", exact=True).click()
    page.get_by_label("Key").fill("detractors")
    page.get_by_label("Name").fill("Detractors")
    page.locator("#r-when").fill('{"score": "nps", "op": "lte", "value": 6}')
    page.locator("#r-notify").fill(user.email)
    page.get_by_label("cx-team").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Back-test").click()
    backtest = page.locator("#backtest")
    assert "would have fired 2 times in the last 30 days" in backtest.inner_text()
    assert backtest.locator("tbody tr").count() == 2
    page.screenshot(path=str(artifacts / "alerts-backtest.png"), full_page=True)
    with page.expect_navigation(url="**/alerts/rules/detractors/"):
        page.get_by_role("button", name="Save rule").click()
    assert page.locator("h1").inner_text().startswith("Detractors")

    collect.record_response(org, survey, collect.Submission(answers={"nps": 2}, idempotency_key="new"))
    alerts = [r for r in receiver.requests if json.loads(r["body"])["type"] == "alert.fired"]
    assert len(alerts) == 1
    page.goto("/alerts/rules/")
    assert page.locator('[data-badge="alerts-inbox"]').inner_text() == "1"
    with page.expect_navigation(url="**/alerts/"):
        page.get_by_role("link", name="Alerts 1").click()
    assert "Detractors" in page.locator("#inbox").inner_text()
    page.screenshot(path=str(artifacts / "alerts-inbox.png"), full_page=True)
