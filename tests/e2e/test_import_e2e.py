"""Import an XLSX file through the mapping step in a real browser, then find the rows."""

import datetime as dt

from openpyxl import Workbook

from openxm.accounts import services
from openxm.surveys import services as surveys
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in


def test_import_xlsx_with_the_mapping_step(transactional_db, page, artifacts, settings, tmp_path):
    settings.OPENXM_JOBS_INLINE = True  # the embedded default runs it in a thread; here, inline
    settings.MEDIA_ROOT = str(tmp_path / "media")
    org = services.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    services.bootstrap_user("chen@example.com", PASSWORD, "Chen Jing")
    services.add_member(services.operator_actor(org), "chen@example.com", "admin")
    actor = services.operator_actor(org)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)

    book = Workbook()
    sheet = book.active
    sheet.append(["Customer", "How satisfied?", "Comment", "Date"])
    sheet.append(["C-100", "Very satisfied", "店员很热情", dt.datetime(2024, 5, 1, 10, 0)])
    sheet.append(["C-101", "Bof", "Queue too long\nat checkout", dt.datetime(2024, 5, 2, 18, 30)])
    sheet.append(["C-102", 4, "", dt.datetime(2024, 5, 3, 9, 5)])
    path = tmp_path / "store-feedback.xlsx"
    book.save(path)

    sign_in(page, "chen@example.com")
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("CSV or XLSX file").set_input_files(str(path))
    page.get_by_label("Survey", exact=True).select_option(label="Purchase satisfaction (CSAT)")
    page.get_by_role("button", name="Upload and map columns").click()

    # The mapping step: one row per column with its first values.
    page.get_by_role("heading", name="Map the columns").wait_for()
    assert "C-100 · C-101 · C-102" in page.locator("table.mapping").inner_text()
    page.get_by_label("Customer", exact=True).select_option("contact.id")
    page.get_by_label("How satisfied?", exact=True).select_option("csat")
    page.get_by_label("Comment", exact=True).select_option("comment")
    assert page.get_by_label("Date", exact=True).input_value() == "date"  # suggested
    page.get_by_role("button", name="Check every row (dry run)").click()
    report = page.locator("#import-report")
    assert "3 rows read: 2 ready to import, 1 rejected" in report.inner_text()
    assert "'Bof'" in report.inner_text()

    page.get_by_label("Value mapping of How satisfied?").fill("Bof=2")
    page.get_by_role("button", name="Check every row (dry run)").click()
    assert "3 rows read: 3 ready to import, 0 rejected" in page.locator("#import-report").inner_text()
    page.screenshot(path=str(artifacts / "import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("3 responses imported.").wait_for()

    page.get_by_role("link", name="See them in the response browser").click()
    table = page.locator("table.responses")
    assert "店员很热情" in table.inner_text() and "Queue too long" in table.inner_text()
    assert page.get_by_text("3 responses", exact=True).is_visible()
    page.get_by_label("Answer", exact=True).fill("csat")
    page.get_by_label("Comparison").select_option("lte")
    page.get_by_label("Value", exact=True).fill("2")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_text("1 response", exact=True).is_visible()
    page.screenshot(path=str(artifacts / "responses-browser.png"), full_page=True)
    page.get_by_role("link", name="2024-05-02 18:30").click()
    detail = page.locator("main").inner_text()
    assert "C-101" in detail and "2 — Dissatisfied" in detail
    assert "Overall, how satisfied are you with your recent purchase from us?" in detail  # piped text
    page.screenshot(path=str(artifacts / "import-browser.png"), full_page=True)
