"""An early-warning episode in a real browser: the scan tells the admin, whose inbox shows the
change (where, what, how sure) with a link to the evidence, in English and Chinese, on a desktop
and a phone."""

import pytest

from openxm.accounts import services as accounts
from openxm.alerts.early_warning import WEEKS, scan
from openxm.surveys import services as surveys
from tests.alerts.test_early_warning import TODAY, _load
from tests.e2e.browsing import sign_in


@pytest.fixture
def told(transactional_db, settings, make_org, make_member):
    settings.OPENXM_JOBS_INLINE = True
    org = make_org("acme")
    user = make_member(org, "admin")
    owner = accounts.operator_actor(org)
    survey = surveys.create_from_template(owner, "relationship-nps", key="nps")
    surveys.publish_survey(owner, survey.pk)
    _load(
        org, surveys.get_survey(owner, survey.pk), [(40, 0.45, 0.20)] * (WEEKS - 3) + [(40, 0.15, 0.60)] * 3
    )
    scan(org, TODAY)
    return user


@pytest.mark.parametrize(
    ("language", "viewport"),
    [
        ("en", {"width": 1366, "height": 768}),
        ("zh-hans", {"width": 1366, "height": 768}),
        ("en", {"width": 390, "height": 844}),
        ("zh-hans", {"width": 390, "height": 844}),
    ],
)
def test_the_inbox_shows_an_opened_episode_with_its_evidence(told, page, artifacts, language, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, told.email)
    if language == "zh-hans":
        with page.expect_navigation():
            page.get_by_role("button", name="简体中文").click()
    size = "phone" if viewport["width"] < 500 else "desktop"
    page.goto("/alerts/")
    row = page.locator("#inbox tbody tr").first
    words = (
        ("分数下降", "已开启", "查看依据")
        if language == "zh-hans"
        else ("Score drop", "Opened", "Open the evidence")
    )
    text = row.inner_text()
    assert all(w in text for w in words[:2]), text
    page.screenshot(path=str(artifacts / f"episode-inbox-{language}-{size}.png"), full_page=True)
    with page.expect_navigation(url="**/alerts/early-warning/*/"):
        row.get_by_role("link", name=words[2]).click()
    assert page.locator("#episode-series tbody tr").count() == 8
