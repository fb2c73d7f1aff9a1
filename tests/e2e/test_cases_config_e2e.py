"""Case configuration in a real browser: an admin reaches it from the settings menu, a calendar
with a lunch break is refused with the field named and then saved, every tab in English and
Chinese, on a desktop and a 390 px phone; and a chat message's Claim link opened by its agent."""

import json
from urllib.parse import urlsplit

import pytest

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.cases import config
from openxm.cases.models import Case, WorkCalendar
from openxm.distribution import services as distribution
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.alerts.conftest import Receiver
from tests.cases.test_config_pages import PAGES
from tests.e2e.browsing import sign_in


@pytest.fixture
def setup(transactional_db, settings, make_org, make_member):
    settings.OPENXM_JOBS_INLINE = True
    settings.OPENXM_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    org = make_org("acme")
    op = accounts.operator_actor(org)
    accounts.create_unit(op, "east", "East", "region")
    accounts.create_unit(op, "sh", "Shanghai store", "store", parent="east")
    admin = make_member(org, "admin", "admin@example.com")
    agent = make_member(org, "agent", "agent@example.com")
    survey = surveys.create_from_template(op, "relationship-nps", key="nps")
    surveys.publish_survey(op, survey.pk)
    survey = surveys.get_survey(op, survey.pk)
    distribution.create_distribution(op, survey.pk, "email", name="Follow-up")
    config.save_team(op, "desk", "Service desk", ["agent@example.com"])
    config.save_root_cause(op, "late-delivery", "Late delivery")
    config.save_recovery_action(op, "voucher", "Voucher", "30")
    receiver = Receiver()
    doc = {
        "webhooks": [{"key": "cx-chat", "format": "dingtalk", "url": receiver.url}],
        "rules": [
            {
                "key": "detractors",
                "name": "Detractors",
                "when": {"score": "nps", "op": "lte", "value": 6},
                "actions": [{"case": {"assign": "owner"}}],
            }
        ],
    }
    alerts.apply_document(op, json.dumps(doc), "json")
    yield org, admin, agent, survey, receiver
    receiver.close()


def _shoot(page, artifacts, name):
    page.screenshot(path=str(artifacts / name), full_page=True)


def test_an_admin_configures_cases_in_both_languages_and_on_a_phone(setup, page, artifacts):
    org, admin, _agent, _survey, _receiver = setup
    sign_in(page, admin.email)
    with page.expect_navigation(url="**/cases/config/"):
        page.get_by_role("link", name="Case configuration").click()

    page.get_by_role("link", name="Calendars").click()
    page.get_by_label("Key").fill("shanghai")
    page.get_by_label("Name").fill("Shanghai stores")
    page.get_by_label("Tuesday").fill("09:00-12:00, 11:00-18:00")  # overlapping periods
    with page.expect_navigation():
        page.get_by_role("button", name="Save calendar").click()
    error = page.locator("#c-week-1-error")
    assert error.is_visible() and "Tuesday" in error.inner_text()
    assert not WorkCalendar.objects.for_org(org).exists()
    _shoot(page, artifacts, "cases-config-calendar-error.png")
    page.get_by_label("Tuesday").fill("09:00-12:00, 13:00-18:00")
    page.get_by_label("Extra days off (YYYY-MM-DD, one a line)").fill("2026-12-24")
    with page.expect_navigation():
        page.get_by_role("button", name="Save calendar").click()
    assert "shanghai" in page.locator("#calendars").inner_text()
    assert WorkCalendar.objects.for_org(org).get(key="shanghai").week[1] == [
        ["09:00", "12:00"],
        ["13:00", "18:00"],
    ]

    page.goto("/cases/config/")
    page.get_by_label(
        "Tell this chat of every case opened or assigned, with Claim and Close links"
    ).select_option("cx-chat")
    page.get_by_label("Held-out share (%, 0 to 50)").fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Save case settings").click()
    assert page.get_by_text("Case settings saved.").is_visible()

    for path in PAGES:
        page.goto(path)
        _shoot(page, artifacts, f"{path.strip('/').replace('/', '-')}-en.png")
    admin.language = "zh-hans"
    admin.save(update_fields=["language"])
    for path in PAGES:
        page.goto(path)
        assert page.locator("h1").inner_text() == "工单配置"
        _shoot(page, artifacts, f"{path.strip('/').replace('/', '-')}-zh.png")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/cases/config/", "/cases/config/calendars/", "/cases/config/codes/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (path, width)  # nothing wider than the phone
        _shoot(page, artifacts, f"{path.strip('/').replace('/', '-')}-zh-phone.png")
    admin.language = "en"
    admin.save(update_fields=["language"])
    page.goto("/cases/config/teams/")
    _shoot(page, artifacts, "cases-config-teams-en-phone.png")


def test_the_agent_claims_from_the_dingtalk_message(setup, page, artifacts):
    org, _admin, agent, survey, receiver = setup
    op = accounts.operator_actor(org)
    config.set_unit(op, "sh", owner="agent@example.com")
    config.update_settings(op, messenger_webhook="cx-chat")
    complaint = collect.Submission(
        answers={"nps": 2}, idempotency_key="c", unit="sh", contact=collect.ContactRef("c-1")
    )
    collect.record_response(org, survey, complaint)
    case = Case.objects.for_org(org).get()
    card = json.loads(receiver.requests[-1]["body"])["actionCard"]
    claim = next(b["actionURL"] for b in card["btns"] if b["title"] == "Claim")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(urlsplit(claim).path)  # signing in first, then back to the link
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.locator("#link-confirm").is_visible()
    _shoot(page, artifacts, "cases-link-claim-phone.png")
    with page.expect_navigation(url=f"**/cases/{case.pk}/"):
        page.locator("#link-go").click()
    case.refresh_from_db()
    assert case.state == "in_progress" and case.assignee == agent
    page.goto(urlsplit(claim).path)
    assert page.locator("#link-problem").get_attribute("data-code") == "used"
    _shoot(page, artifacts, "cases-link-used-phone.png")
