"""The closed loop in a real browser: a detractor's complaint fires a signed webhook at a local
receiver and opens a case for the store's owner; the agent signs in, works the inbox with the
keyboard, logs a call and resolves the case with a root cause and a voucher; the follow-up
survey is sent, the customer answers as a promoter, and the recovery rate on Case metrics moves.
Also the case page on a phone."""

import json

import pytest

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.cases import config
from openxm.cases.models import Case
from openxm.distribution import services as distribution
from openxm.distribution.models import Invitation
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
    admin = accounts.operator_actor(org)
    accounts.create_unit(admin, "east", "East", "region")
    accounts.create_unit(admin, "sh", "Shanghai store", "store", parent="east")
    agent = make_member(org, "agent", "agent@example.com")
    survey = surveys.create_from_template(admin, "relationship-nps", key="nps")
    surveys.publish_survey(admin, survey.pk)
    survey = surveys.get_survey(admin, survey.pk)
    config.set_unit(admin, "sh", owner="agent@example.com")
    config.save_root_cause(admin, "late-delivery", "Late delivery")
    config.save_recovery_action(admin, "voucher", "Voucher", "30")
    dist = distribution.create_distribution(admin, survey.pk, "email", name="Follow-up")
    config.update_settings(admin, followup_distributions=[dist.pk])
    receiver = Receiver()
    doc = {
        "webhooks": [{"key": "cx", "format": "standard", "url": receiver.url, "secret": SECRET}],
        "rules": [
            {
                "key": "detractors",
                "name": "Detractors",
                "when": {"score": "nps", "op": "lte", "value": 6},
                "actions": [{"webhook": "cx"}, {"case": {"assign": "owner"}}],
            }
        ],
    }
    alerts.apply_document(admin, json.dumps(doc), "json")
    yield org, agent, survey, receiver
    receiver.close()


def test_the_agent_works_the_inbox_and_the_recovery_rate_moves(setup, page, artifacts):
    org, agent, survey, receiver = setup
    customer = collect.ContactRef("c-1", {"name": "Wu Fang", "email": "wu.fang@example.com"})
    complaint = collect.Submission(
        answers={"nps": 2, "reason_detractor": "Two hours late and the eggs were broken"},
        idempotency_key="complaint",
        unit="sh",
        contact=customer,
    )
    response = collect.record_response(org, survey, complaint).response
    collect.record_response(org, survey, complaint)  # the client retries: still one case
    fired = [json.loads(r["body"]) for r in receiver.requests]
    assert [e["type"] for e in fired] == ["alert.fired"] and fired[0]["data"]["response"]["id"] == response.pk
    case = Case.objects.for_org(org).get()
    assert case.response_id == response.pk and case.assignee == agent

    sign_in(page, agent.email)
    with page.expect_navigation(url="**/cases/"):
        page.get_by_role("link", name="Cases", exact=True).click()
    rows = page.locator("#case-list tbody tr[data-href]")
    assert rows.count() == 1 and "Detractors" in rows.first.inner_text()
    page.screenshot(path=str(artifacts / "cases-inbox.png"), full_page=True)
    page.keyboard.press("j")
    with page.expect_navigation(url=f"**/cases/{case.pk}/"):
        page.keyboard.press("o")
    assert "Two hours late" in page.locator("#history").inner_text()  # the customer's story

    page.locator("#contact-form select[name=channel]").select_option("call")
    page.locator("#contact-form input[name=summary]").fill("Called, apologised, voucher offered")
    with page.expect_navigation():
        page.get_by_role("button", name="Log the contact").click()
    form = page.locator("#transition-form")
    form.locator("select[name=to]").select_option("resolved")
    form.locator("select[name=root_cause]").select_option("late-delivery")
    form.locator("select[name=recovery_action]").select_option("voucher")
    form.locator("input[name=reason]").fill("voucher sent")
    with page.expect_navigation():
        page.get_by_role("button", name="Change state").click()
    assert "Resolved" in page.locator("p.muted").first.inner_text()
    assert "Voucher" in page.locator("#clocks").inner_text()
    assert "First response" in page.locator("#clocks").inner_text()
    page.screenshot(path=str(artifacts / "cases-case.png"), full_page=True)

    invitation = Invitation.unscoped.get(organization=org, contact_id=case.contact_id)
    assert invitation.hidden == {"case": str(case.pk)}
    followup = collect.Submission(
        answers={"nps": 9}, idempotency_key="followup", hidden={"case": str(case.pk)}, contact=customer
    )
    collect.record_response(org, survey, followup)

    page.goto("/cases/metrics/")
    rate = page.locator("#recovery-rate").inner_text()
    assert "100%" in rate and "n = 1" in rate
    page.screenshot(path=str(artifacts / "cases-metrics.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/cases/{case.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # nothing runs off a phone's screen
    page.screenshot(path=str(artifacts / "cases-case-phone.png"), full_page=True)
