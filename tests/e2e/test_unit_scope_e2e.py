"""The demo's store manager in a real browser: the dashboard, the breakdown by store, the response
browser and text analytics show Jing'an and nothing of the other stores; naming another store in
the address gives "not found". In Chinese and English, on a desktop and a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.demo import company
from openxm.demo.loader import DemoContext
from openxm.insights import dashboards
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.comments.conftest import DEFINITION
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in

MANAGER = "store.jingan@demo.openxm.local"
JINGAN = [("静安店收银排队太久了，等了二十分钟", 3), ("JINGAN-MARK staff were friendly and quick", 9)]
ELSEWHERE = [
    ("sh-pudong", "PUDONG-MARK 浦东店停车太难了", 2),
    ("bj-haidian", "HAIDIAN-MARK 海淀店蔬菜不新鲜", 1),
]
DASHBOARD = {
    "key": "stores",
    "name": "Stores 门店",
    "filters": {"period": "30d", "grain": "w"},
    "widgets": [
        {"type": "metric_card", "metric": "nps", "width": "third"},
        {"type": "breakdown_bar", "metric": "nps", "by": "unit", "width": "half", "title": "NPS by store"},
        {"type": "verbatim_list", "limit": 10, "width": "full"},
    ],
}


@pytest.fixture
def demo_company(transactional_db, settings):
    settings.OPENXM_JOBS_INLINE = True
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    org = ctx.organization
    org.min_sample_size = 1
    org.save(update_fields=["min_sample_size"])
    owner = accounts.operator_actor(org)
    survey = surveys.create_survey(owner, DEFINITION, key="delivery-feedback")
    surveys.publish_survey(owner, survey.pk)
    survey = surveys.get_survey(owner, survey.pk)
    dashboards.save_dashboard(owner, DASHBOARD)
    rows = [("sh-jingan", text, nps) for text, nps in JINGAN] + ELSEWHERE
    for i, (unit, text, nps) in enumerate(rows):
        when = timezone.now() - timedelta(days=2 + i)
        collect.record_response(
            org,
            survey,
            collect.Submission(
                answers={"nps": nps, "comment": text},
                idempotency_key=f"scope-{i}",
                unit=unit,
                started_at=when,
                completed_at=when,
            ),
        )
    return org


def _text(page) -> str:
    return page.locator("main").inner_text()


def _assert_only_jingan(text: str, where: str) -> None:
    for marker in ("PUDONG-MARK", "HAIDIAN-MARK", "浦东", "海淀", "Pudong", "Haidian"):
        assert marker not in text, f"{marker} on {where}"


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("en", {"width": 1366, "height": 900}), ("zh-hans", {"width": 390, "height": 844})],
)
def test_the_store_manager_sees_only_jingan(demo_company, page, artifacts, language, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, MANAGER)
    if language == "zh-hans":
        with page.expect_navigation():
            page.get_by_role("button", name="简体中文").click()
    shot = f"unit-scope-{language}"

    page.goto("/insights/dashboards/stores/")
    text = _text(page)
    _assert_only_jingan(text, "the dashboard")
    assert "上海静安店" in text  # the breakdown by store lists her store, and only hers
    assert "JINGAN-MARK" in text  # the dashboard's verbatims are hers
    page.screenshot(path=str(artifacts / f"{shot}-dashboard.png"), full_page=True)

    response = page.goto("/insights/dashboards/stores/?unit=sh-pudong")
    assert response.status == 404
    _assert_only_jingan(_text(page) if page.locator("main").count() else page.content(), "?unit=sh-pudong")

    page.goto("/responses/")
    text = _text(page)
    _assert_only_jingan(text, "the response browser")
    assert "JINGAN-MARK" in text
    page.screenshot(path=str(artifacts / f"{shot}-responses.png"), full_page=True)

    page.goto("/comments/")
    text = _text(page)
    _assert_only_jingan(text, "text analytics")
    assert "JINGAN-MARK" in text  # the overview shows the first page of verbatims
    page.screenshot(path=str(artifacts / f"{shot}-comments.png"), full_page=True)
    page.goto("/comments/verbatims/?offset=0")  # the verbatim list's own partial
    _assert_only_jingan(page.content(), "the verbatims")

    page.goto("/api/v1/insights/breakdown?by=unit&metric=nps")
    _assert_only_jingan(page.content(), "the API breakdown")
    assert page.goto("/api/v1/insights/breakdown?by=unit&metric=nps&unit=sh-pudong").status == 404
