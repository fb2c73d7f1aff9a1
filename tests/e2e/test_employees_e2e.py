"""The employee pages in a real browser on the demo's employees: the East region's breakdown with
its suppressed stores, the organization's comments with their sentiment and topics, the
internal-service matrix with suppressed cells, and the pulse's own survey page with its count, in
English and Chinese, on a desktop and a phone."""

import pytest

from openxm.accounts.services import operator_actor
from openxm.demo import company, employees, library
from openxm.demo.loader import DemoContext
from openxm.surveys.services import get_survey
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in


@pytest.fixture
def demo(transactional_db, settings):
    settings.OPENXM_JOBS_INLINE = True
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    library.load_library(ctx)
    employees.load_employees(ctx)
    return ctx


@pytest.mark.parametrize(
    ("language", "viewport"),
    [
        ("en", {"width": 1366, "height": 768}),
        ("zh-hans", {"width": 1366, "height": 768}),
        ("en", {"width": 390, "height": 844}),
        ("zh-hans", {"width": 390, "height": 844}),
    ],
)
def test_suppressed_breakdown_and_matrix(demo, page, artifacts, language, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, "analyst@demo.openxm.local")
    if language == "zh-hans":
        with page.expect_navigation():
            page.get_by_role("button", name="简体中文").click()
    size = "phone" if viewport["width"] < 500 else "desktop"

    page.goto("/employees/?survey=enps-pulse&unit=east")
    table = page.locator("#breakdown")
    assert table.locator('[data-suppressed="small"]').count() == 1  # Hangzhou West Lake (4)
    assert table.locator('[data-suppressed="complementary"]').count() >= 1
    hidden = table.locator("tr", has=page.locator('[data-suppressed="small"]')).inner_text()
    assert "杭州西湖店" in hidden
    word = "少于" if language == "zh-hans" else "fewer than"
    assert word in hidden
    page.screenshot(path=str(artifacts / f"employees-breakdown-{language}-{size}.png"), full_page=True)

    page.goto("/employees/?survey=enps-pulse")
    themes = page.locator("#comment-themes")
    assert ("已分析" if language == "zh-hans" else "analysed comments") in themes.inner_text()
    assert themes.locator("tbody tr").count() >= 2  # topics found in the comments
    themes.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"employees-comments-{language}-{size}.png"), full_page=True)

    pulse = get_survey(operator_actor(demo.organization), "enps-pulse")
    page.goto(f"/surveys/{pulse.pk}/")
    count = page.locator("main p.muted").first.inner_text()
    assert ("份完成的回答" if language == "zh-hans" else "complete responses") in count
    assert not count.startswith("0") and " 0 " not in count
    page.screenshot(path=str(artifacts / f"employees-survey-page-{language}-{size}.png"))

    page.goto("/employees/matrix/?survey=internal-service-matrix")
    matrix = page.locator("#matrix")
    assert matrix.locator("[data-suppressed]").count() >= 2
    assert "n = " in matrix.inner_text()
    page.screenshot(path=str(artifacts / f"employees-matrix-{language}-{size}.png"), full_page=True)
