"""An owner answers a data-subject request in a real browser: finds the customer by e-mail,
exports the archive (downloaded and opened), erases everything, and the customer is gone. Then
the same page in Chinese on a phone."""

import json
import zipfile

import pytest

from openxm.accounts import services as accounts
from openxm.customers.models import Contact
from openxm.demo import company
from openxm.demo.loader import DemoContext
from openxm.surveys import collect
from openxm.surveys import services as surveys
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in
from tests.privacy.conftest import DEFINITION

OWNER = "owner@demo.openxm.local"
EMAIL = "mei.lin@example.cn"


@pytest.fixture
def customer(transactional_db, settings, tmp_path):
    settings.OPENXM_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    org = ctx.organization
    op = accounts.operator_actor(org)
    survey = surveys.create_survey(op, DEFINITION, key=DEFINITION["key"])
    surveys.publish_survey(op, survey.pk)
    survey = surveys.get_survey(op, survey.pk)
    ref = collect.ContactRef(
        "crm-mei", {"name": "Lin Mei 林梅", "email": EMAIL, "phone": "+86 139 1111 2222"}
    )
    for i, (nps, text) in enumerate([(3, "送货太慢，林梅很失望"), (8, "Better this time")]):
        collect.record_response(
            org,
            survey,
            collect.Submission(answers={"nps": nps, "comment": text}, idempotency_key=f"m{i}", contact=ref),
        )
    return org


def test_owner_exports_and_erases_a_customer(customer, page, artifacts, tmp_path):
    sign_in(page, OWNER)
    page.goto("/privacy/")
    page.get_by_label("E-mail").fill(EMAIL)
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()
    found = page.locator("#dsr-found").inner_text()
    assert "customers.Contact" in found and "surveys.Response" in found
    page.screenshot(path=str(artifacts / "privacy-found.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Export archive").click()
    with page.expect_download() as download:
        page.locator("#dsr-log .dsr-download").first.click()
    archive = tmp_path / "archive.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as z:
        tables = json.loads(z.read("data.json"))["tables"]
        assert tables["customers.Contact"][0]["email"] == EMAIL
        assert len(tables["surveys.Response"]) == 2 and "surveys.Answer.csv" in z.namelist()

    page.get_by_label("E-mail").fill(EMAIL)
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()
    page.locator("#dsr-confirm").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Erase everything").click()
    assert "Erased: request" in page.content()
    log = page.locator("#dsr-log").inner_text()
    assert "Erase" in log and "Export" in log and EMAIL not in log and "m***@example.cn" in log
    page.screenshot(path=str(artifacts / "privacy-log.png"), full_page=True)
    assert not Contact.objects.for_org(customer).exists()
    page.get_by_label("E-mail").fill(EMAIL)
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()
    assert "0 rows found" in page.locator("#dsr-found").inner_text()
    page.goto("/contacts/?q=Lin")
    assert "Lin Mei" not in page.locator("main").inner_text()


def test_privacy_pages_in_chinese_on_a_phone(customer, browser, live_server, artifacts):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, OWNER)
        with page.expect_navigation():
            page.get_by_role("button", name="简体中文").click()
        page.goto("/privacy/")
        page.get_by_label("电子邮件").fill(EMAIL)
        with page.expect_navigation():
            page.get_by_role("button", name="查找").click()
        assert "导出归档" in page.locator("main").inner_text()
        page.screenshot(path=str(artifacts / "privacy-zh-phone.png"), full_page=True)
        page.goto("/privacy/retention/")
        assert "保留策略" in page.locator("main").inner_text()
        page.screenshot(path=str(artifacts / "privacy-retention-zh-phone.png"), full_page=True)
    finally:
        context.close()
