"""Action plans in a real browser: an analyst creates a plan on the delivery touchpoint, sets its
go-live date and the store touchpoint as control, and sees the measured impact (before/after and
the difference in differences with its n) on the plan's page; screenshots on a desktop and a
phone, in English and Chinese."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.e2e.browsing import sign_in


def _scores(promoters, passives, detractors, seed):
    pool = [10] * promoters + [8] * passives + [3] * detractors
    random.Random(seed).shuffle(pool)
    return pool


@pytest.fixture
def setup(transactional_db, settings, make_org, make_member):
    settings.OPENXM_JOBS_INLINE = True
    org = make_org("acme")
    user = make_member(org, "analyst")
    owner = accounts.operator_actor(org)
    survey = surveys.create_from_template(owner, "relationship-nps", key="nps")
    surveys.publish_survey(owner, survey.pk)
    survey = surveys.get_survey(owner, survey.pk)
    go_live = timezone.now().date() - timedelta(days=30)
    cells = [
        ("delivery", go_live - timedelta(days=28), (50, 50, 60)),
        ("delivery", go_live, (90, 45, 25)),
        ("store", go_live - timedelta(days=28), (60, 50, 50)),
        ("store", go_live, (60, 50, 50)),
    ]
    subs = []
    for c, (touchpoint, first, mix) in enumerate(cells):
        for i, score in enumerate(_scores(*mix, seed=c)):
            at = datetime.combine(first + timedelta(days=i % 28), time(12), UTC)
            subs.append(
                collect.Submission(
                    answers={"nps": score},
                    idempotency_key=f"c{c}-{i}",
                    touchpoint=touchpoint,
                    completed_at=at,
                )
            )
    collect.record_batch(org, survey, subs)
    return user, go_live


def test_an_analyst_creates_a_plan_and_sees_its_measured_impact(setup, page, browser, live_server, artifacts):
    user, go_live = setup
    sign_in(page, user.email)
    with page.expect_navigation(url="**/plans/"):
        page.get_by_role("link", name="Action plans", exact=True).click()
    form = page.locator("#new-plan")
    form.get_by_label("Title").fill("Courier training")
    form.get_by_label("Touchpoint", exact=True).fill("delivery")
    form.get_by_label("Go-live date").fill(go_live.isoformat())
    form.get_by_label("Days compared on each side of go-live").fill("28")
    form.get_by_label("Control group").select_option("touchpoint")
    form.get_by_label("Control touchpoint or unit").fill("store")
    with page.expect_navigation(url="**/plans/*/"):
        form.get_by_role("button", name="Create plan").click()

    did = page.locator('[data-design="diff_in_diff"]')
    assert did.get_attribute("data-verdict") == "improved"
    assert did.locator(".verdict").inner_text().startswith("Improved")
    assert [int(n) for n in did.locator(".cell-n").all_inner_texts()] == [160, 160, 160, 160]
    assert float(did.locator(".effect").inner_text()) == pytest.approx(46.9, abs=0.05)
    assert float(did.locator(".p-value").get_attribute("data-p")) < 0.05
    assert "Owner: " + user.email in page.content()
    page.locator("[data-chart] canvas").first.wait_for()
    page.screenshot(path=str(artifacts / "plans-detail-en-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "plans-detail-en-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the plan page scrolls sideways on a phone ({width}px)"

    with page.expect_navigation():
        page.locator('button[name="language"][value="zh-hans"]').click()
    assert "已改善" in page.locator('[data-design="diff_in_diff"] .verdict').inner_text()
    page.screenshot(path=str(artifacts / "plans-detail-zh-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(artifacts / "plans-detail-zh-desktop.png"), full_page=True)

    page.goto("/plans/backlog/")
    row = page.locator('#backlog tr[data-kind="touchpoint"][data-code="delivery"]')
    assert row.get_by_role("link", name="Courier training").count() == 1
    page.screenshot(path=str(artifacts / "plans-backlog-zh-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/plans/")
    page.screenshot(path=str(artifacts / "plans-list-zh-phone.png"), full_page=True)
