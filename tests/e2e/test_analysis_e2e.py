"""The demo's analysis studies in a real browser: each page draws its chart and shows its table."""

from pathlib import Path

import pytest

from openxm.accounts import services as accounts
from openxm.demo import company, studies
from openxm.demo.loader import DemoContext
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in

PAGES = [
    # (study title, chart, table id, names the chart and table must show, screenshot)
    (
        "Delivery app features (KANO)",
        "kano-better-worse",
        "kano-table",
        ["Real-time courier tracking on a map", "Contactless doorstep delivery with a photo"],
        "analysis-kano.png",
    ),
    (
        "Store service quality (SERVQUAL)",
        "servqual-dimensions",
        "servqual-dimensions",
        ["Responsiveness", "Reliability", "Empathy"],
        "analysis-servqual.png",
    ),
    (
        "What drives purchase satisfaction",
        "drivers-weights",
        "drivers-table",
        ["Finding the products I wanted", "Delivery or pick-up"],
        "analysis-drivers.png",
    ),
    (
        "Purchase experience: importance vs performance",
        "ipa-grid",
        "ipa-table",
        ["Finding the products I wanted", "Paying at checkout"],
        "analysis-ipa.png",
    ),
]


VIEWER = "board@demo.openxm.local"


@pytest.fixture
def demo(transactional_db):
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    studies.load_studies(ctx)
    # The demo's viewers are limited to a store or a region; a viewer of the whole company looks here.
    accounts.bootstrap_user(VIEWER, PASSWORD, "Board member")
    accounts.set_member(accounts.operator_actor(ctx.organization), VIEWER, "viewer")
    return ctx


def test_demo_study_pages_draw_charts_and_tables_filter_download_and_create(demo, page, artifacts):
    sign_in(page, VIEWER)
    with page.expect_navigation(url="**/analysis/"):
        page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Analysis", exact=True
        ).click()
    assert page.get_by_role("link", name="New study").count() == 0  # a viewer only looks
    for title, chart, table_id, names, shot in PAGES:
        page.goto("/analysis/")
        page.get_by_role("link", name=title).click()
        assert page.locator("h1").inner_text() == title
        canvas = page.locator(f'[data-chart="{chart}"] canvas').first
        canvas.wait_for(state="visible")
        box = canvas.bounding_box()
        assert box["width"] > 300 and box["height"] > 300
        page.wait_for_timeout(600)  # the entry animation
        page.screenshot(path=str(artifacts / shot), full_page=True)
        card = page.locator("section.chart-card").filter(has=page.locator(f"#{table_id}"))
        table = card.locator(f"#{table_id}")
        assert not table.is_visible()  # the chart view is shown first
        card.get_by_role("button", name="Table").click()
        assert table.is_visible() and not canvas.is_visible()
        text = table.inner_text()
        for name in names:
            assert name in text, (title, name)
        card.get_by_role("button", name="Chart").click()
        assert canvas.is_visible()

    # An analyst filters a study, downloads a table and creates a study (one demo load for all).
    with page.expect_navigation(url="**/accounts/login/"):
        page.get_by_role("button", name="Sign out").click()
    sign_in(page, "analyst@demo.openxm.local")
    page.goto("/analysis/")
    page.get_by_role("link", name="Store service quality (SERVQUAL)").click()
    everyone = int(page.locator(".filters .respondents .value").inner_text())
    page.get_by_label("Unit").select_option("sh-jingan")
    with page.expect_navigation(url="**unit=sh-jingan**"):
        page.get_by_role("button", name="Apply").click()
    one_store = int(page.locator(".filters .respondents .value").inner_text())
    assert 0 < one_store < everyone
    page.locator('[data-chart="servqual-items"] canvas').first.wait_for(state="visible")
    with page.expect_download() as download:
        page.locator("section.chart-card").first.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith("-dimensions.csv")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.startswith("dimension,label,items,n,") and "responsiveness" in content

    # A new study from the form: the questions appear once a survey and a method are chosen.
    page.goto("/analysis/")
    page.get_by_role("link", name="New study").click()
    page.get_by_label("Survey").select_option(label="Purchase satisfaction drivers study")
    page.get_by_label("Method").select_option("drivers")
    page.get_by_label("Outcome (overall rating)").select_option("csat")
    for driver in ("Finding the products I wanted", "Help from staff", "Delivery or pick-up"):
        page.get_by_label(driver).check()
    page.get_by_label("Title").fill("Store drivers")
    page.screenshot(path=str(artifacts / "analysis-new-study.png"), full_page=True)
    with page.expect_navigation(url="**/analysis/*/"):
        page.get_by_role("button", name="Create study").click()
    assert page.locator("h1").inner_text() == "Store drivers"
    page.locator('[data-chart="drivers-weights"] canvas').first.wait_for(state="visible")
    assert "Help from staff" in page.locator("#drivers-table").inner_text()
