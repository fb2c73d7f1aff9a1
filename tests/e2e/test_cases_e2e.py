"""The closed loop in a real browser: a detractor's complaint fires a signed webhook at a local
receiver and opens a case for the store's owner; the agent signs in, works the inbox with the
keyboard, logs a call, adds a note and resolves the case with a root cause and a voucher with
its cost; the follow-up survey is sent, the customer answers it as a promoter on the respondent
page, the recovery rate on Case metrics moves, and the action plan on that root cause shows its
measured effect (the share of responses whose case was a late delivery, before vs after its
go-live, from the cases of the weeks before). Screenshots of the inbox, the case, the metrics
and the plan in English and Chinese, on a desktop and a 390 px phone; none scrolls sideways."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.cases import actions, config
from openxm.cases import services as cases
from openxm.cases.models import Case
from openxm.distribution import invitations
from openxm.distribution import services as distribution
from openxm.distribution.models import Invitation
from openxm.plans import services as plans
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.alerts.conftest import Receiver
from tests.e2e.browsing import sign_in

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WINDOW = 28
# Responses per period and how many of them had a case resolved as a late delivery.
HISTORY = {"before": (40, 12), "after": (40, 1)}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _history(org, admin, survey, go_live) -> None:
    """The weeks around the plan's go-live: responses of no store (so not the agent's), some of
    them worked as late deliveries; recorded before the follow-up and the rule exist."""
    subs, late = [], []
    for period, first in (("before", go_live - timedelta(days=WINDOW)), ("after", go_live)):
        total, caused = HISTORY[period]
        for i in range(total):
            at = datetime.combine(first + timedelta(days=i % (WINDOW - 2)), time(12), UTC)
            key = f"{period}-{i}"
            subs.append(
                collect.Submission(
                    answers={"nps": 3 if i < caused else 8}, idempotency_key=key, completed_at=at
                )
            )
            if i < caused:
                late.append(key)
    recorded = collect.record_batch(org, survey, subs)
    by_key = {sub.idempotency_key: rec.response.pk for sub, rec in zip(subs, recorded, strict=True)}
    for key in late:
        case = cases.open_case(admin, response_id=by_key[key])
        actions.transition(admin, case.pk, "resolved", "re-delivered", root_cause="late-delivery")


@pytest.fixture
def setup(transactional_db, settings, make_org, make_member, live_server):
    settings.OPENXM_JOBS_INLINE = True
    settings.OPENXM_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    settings.OPENXM_PUBLIC_URL = live_server.url
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
    go_live = timezone.now().date() - timedelta(days=WINDOW)
    _history(org, admin, survey, go_live)
    plan = plans.create_plan(
        admin,
        {
            "title": "Delivery-slot promise",
            "root_cause": "late-delivery",
            "metric": "root_cause_share",
            "go_live": go_live,
            "window_days": WINDOW,
            "status": "active",
        },
    )
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
    yield org, agent, survey, receiver, plan
    receiver.close()


def _shoot(page, artifacts, name: str) -> None:
    """Desktop and phone screenshots of the page; on the phone nothing may scroll sideways."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    # A chart takes the new width on a later frame: give the page up to 5 s to fit. (Not
    # wait_for_function: the pages' CSP forbids evaluating its string.)
    for _ in range(50):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width <= PHONE["width"] + 1:
            break
        page.wait_for_timeout(100)
    assert width <= PHONE["width"] + 1, f"{name} scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_the_agent_works_the_inbox_and_the_recovery_rate_moves(setup, page, browser, artifacts):
    org, agent, survey, receiver, plan = setup
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
    case = Case.objects.for_org(org).get(rule__isnull=False)
    assert case.response_id == response.pk and case.assignee == agent

    sign_in(page, agent.email)
    with page.expect_navigation(url="**/cases/"):
        page.get_by_role("link", name="Cases", exact=True).click()
    rows = page.locator("#case-list tbody tr[data-href]")
    assert rows.count() == 1 and "Detractors" in rows.first.inner_text()
    _shoot(page, artifacts, "loop-inbox-en")
    page.keyboard.press("j")
    with page.expect_navigation(url=f"**/cases/{case.pk}/"):
        page.keyboard.press("o")
    assert "Two hours late" in page.locator("#history").inner_text()  # the customer's story

    page.locator("#contact-form select[name=channel]").select_option("call")
    page.locator("#contact-form input[name=summary]").fill("Called, apologised, voucher offered")
    with page.expect_navigation():
        page.get_by_role("button", name="Log the contact").click()
    page.locator("#note-form textarea[name=text]").fill("Courier was two hours late; eggs re-sent")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the note").click()
    assert "eggs re-sent" in page.content()
    form = page.locator("#transition-form")
    form.locator("select[name=to]").select_option("resolved")
    form.locator("select[name=root_cause]").select_option("late-delivery")
    form.locator("select[name=recovery_action]").select_option("voucher")
    form.locator("input[name=cost]").fill("25.50")
    form.locator("input[name=reason]").fill("voucher sent")
    with page.expect_navigation():
        page.get_by_role("button", name="Change state").click()
    assert "Resolved" in page.locator("p.muted").first.inner_text()
    assert "Voucher · 25.50" in page.locator("#clocks").inner_text()
    assert "First response" in page.locator("#clocks").inner_text()
    case.refresh_from_db()
    assert case.root_cause.key == "late-delivery" and str(case.recovery_cost) == "25.50"
    _shoot(page, artifacts, "loop-case-en")

    page.goto("/cases/metrics/")
    assert "n = 1" not in page.locator("#recovery-rate").inner_text()  # nobody has answered yet

    # The customer answers the follow-up on the respondent page, through the link they were sent.
    invitation = Invitation.unscoped.get(organization=org, contact_id=case.contact_id)
    assert invitation.hidden == {"case": str(case.pk)}
    respondent = browser.new_context(viewport=PHONE)
    answer = respondent.new_page()
    answer.goto(invitations.personal_url(invitation))
    answer.locator('label:has(input[name="q_nps"][value="9"])').click()
    while answer.locator("button.r-next").count():
        with answer.expect_navigation():
            answer.locator("button.r-next").click()
    respondent.close()
    case.refresh_from_db()
    assert case.followup_score == 9

    page.goto("/cases/metrics/")
    rate = page.locator("#recovery-rate").inner_text()
    assert "100%" in rate and "n = 1" in rate
    _shoot(page, artifacts, "loop-metrics-en")

    # The outer loop: the plan on the root cause the agent chose shows its measured effect.
    page.goto(f"/plans/{plan.pk}/")
    measured = page.locator('[data-design="before_after"]')
    assert measured.get_attribute("data-verdict") == "improved"
    assert [int(n) for n in measured.locator(".cell-n").all_inner_texts()] == [40, 40]
    assert float(measured.locator(".effect").inner_text()) == pytest.approx(-27.5, abs=0.05)
    assert "Root cause: Late delivery" in page.locator("[data-root-cause=late-delivery]").inner_text()
    _shoot(page, artifacts, "loop-plan-en")

    with page.expect_navigation():
        page.locator('button[name="language"][value="zh-hans"]').click()
    assert "已改善" in page.locator('[data-design="before_after"] .verdict').inner_text()
    assert "上线前" in page.locator('[data-design="before_after"]').inner_text()
    _shoot(page, artifacts, "loop-plan-zh")
    for url, name in (("/cases/", "inbox"), (f"/cases/{case.pk}/", "case"), ("/cases/metrics/", "metrics")):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        _shoot(page, artifacts, f"loop-{name}-zh")
