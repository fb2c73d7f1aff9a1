"""The at-risk list and a customer's profile in a real browser: the Jing'an store manager opens a
high-value customer at risk from the list, sees the value, the named tier, the reasons and the
timeline, and only Jing'an's customers, and opens a case in one click (the case carries the
reasons; the profile and the list then show "Case #N open" instead of a second button); the
admin, in Chinese, merges a duplicate and undoes it.

The admin adds a customer at risk to the win-back segment in one click; the owner sets a tier's
service (case priority, SLA targets, contact cap), refused whole when the targets contradict."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.cases.models import Case
from openxm.customers import directory as contacts
from openxm.customers import events, tiers
from openxm.customers.models import Contact
from openxm.demo import company
from openxm.demo.loader import DemoContext
from openxm.profiles import value
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in

MANAGER = "store.jingan@demo.openxm.local"
ADMIN = "admin@demo.openxm.local"


@pytest.fixture
def shoppers(transactional_db, settings):
    """40 customers in Jing'an and Pudong; odd ones stopped buying 120+ days ago (at risk)."""
    settings.OPENXM_JOBS_INLINE = True
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    org = ctx.organization
    op = accounts.operator_actor(org)
    now = timezone.now()
    for i in range(40):
        store = "sh-jingan" if i % 4 < 2 else "sh-pudong"
        name = f"{'JINGAN' if store == 'sh-jingan' else 'PUDONG'}-{i:02d}"
        c = contacts.create_contact(
            op, {"external_id": f"e2e-{i:02d}", "name": name, "unit": store, "phone": f"+86 139 0000 {i:04d}"}
        )
        stop = 120 + i if i % 2 else 0
        day, rows = 360, []
        while day > stop:
            rows.append(
                (
                    c.pk,
                    {
                        "type": "order",
                        "occurred_at": (now - timedelta(days=day)).isoformat(),
                        "amount": str(100 + 10 * i + (day % 7) * 15),
                        "external_id": f"e2e-{i}-{day}",
                    },
                )
            )
            day -= 9 + i % 5
        events.record_events(op, rows)
    contacts.create_contact(
        op, {"external_id": "e2e-dup", "name": "JINGAN-DUP", "unit": "sh-jingan", "phone": "0086 13900000000"}
    )
    value.refresh_values(org, as_of=now)
    return org


def test_the_store_manager_opens_a_high_value_customer_at_risk(shoppers, page, artifacts):
    sign_in(page, MANAGER)
    page.goto("/contacts/at-risk/")
    listing = page.locator("main").inner_text()
    assert "JINGAN-" in listing and "PUDONG-" not in listing
    page.screenshot(path=str(artifacts / "customers-at-risk.png"), full_page=True)
    first = page.locator("main table tbody tr").first
    name = first.locator("td").first.inner_text()
    with page.expect_navigation():
        first.get_by_role("link").click()
    profile = page.locator("main").inner_text()
    assert name in profile
    assert "Value and risk" in profile and "Churn risk" in profile
    assert "no purchase for" in profile  # the reason, spelled out
    assert "order" in profile  # the timeline lists the purchases
    contact_id = int(page.url.rstrip("/").split("/")[-1])
    tier = Contact.objects.for_org(shoppers).get(pk=contact_id).value_tier
    assert str(tiers.TIER_LABELS[tier]) in profile and f"· {tier}" not in profile  # the tier's name
    with page.expect_navigation():
        page.get_by_role("button", name="Open a case").click()
    case = Case.objects.for_org(shoppers).get(contact_id=contact_id)
    assert f"Case #{case.pk} opened." in page.locator("main").inner_text()
    assert case.source == "risk" and "no purchase for" in case.title and case.unit.code == "sh-jingan"
    assert page.get_by_role("button", name="Open a case").count() == 0
    assert page.get_by_role("link", name=f"Case #{case.pk} open").count() == 1
    timeline = page.locator("ol.timeline").inner_text()
    assert "Case opened" in timeline and "Churn risk" in timeline
    page.screenshot(path=str(artifacts / "customers-profile-case-en-desktop.png"), full_page=True)
    page.goto("/contacts/at-risk/")
    row = page.locator("main table tbody tr", has_text=name)
    assert f"Case #{case.pk} open" in row.inner_text()  # no second case from the list
    assert row.get_by_role("button", name="Open a case").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "customers-at-risk-case-en-phone.png"), full_page=True)
    with page.expect_navigation():
        row.get_by_role("link", name=f"Case #{case.pk} open").click()
    assert "Churn risk" in page.locator("main").inner_text()  # the case page: its source and title
    page.goto(f"/contacts/{contact_id}/")
    page.screenshot(path=str(artifacts / "customers-profile-case-en-phone.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    assert f"工单 #{case.pk} 处理中" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "customers-profile-case-zh-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/contacts/{contact_id}/")
    page.screenshot(path=str(artifacts / "customers-profile-case-zh-desktop.png"), full_page=True)
    page.goto("/contacts/at-risk/")
    page.screenshot(path=str(artifacts / "customers-at-risk-case-zh-desktop.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert Case.objects.for_org(shoppers).count() == 1
    assert page.goto("/contacts/?q=PUDONG").status == 200
    assert "PUDONG-" not in page.locator("main").inner_text()


def test_the_admin_merges_a_duplicate_and_undoes_it_in_chinese(shoppers, page, artifacts):
    sign_in(page, ADMIN)
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    page.goto("/contacts/duplicates/")
    assert "phone" in page.locator("main").inner_text()
    page.goto("/contacts/?q=13900000000")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    with page.expect_navigation():
        rows.first.get_by_role("link").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="合并到此联系人").click()
    assert "合并联系人" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "customers-merge-preview.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="合并").click()
    assert "联系人已合并" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="撤销合并").click()
    assert "合并已撤销" in page.content()
    page.goto("/contacts/?q=13900000000")
    assert page.locator("main table tbody tr").count() == 2


def test_the_admin_adds_a_customer_at_risk_to_win_back_and_opens_the_profile(shoppers, page, artifacts):
    sign_in(page, ADMIN)
    page.goto("/contacts/at-risk/")
    first = page.locator("main table tbody tr").first
    name = first.locator("td").first.inner_text()
    with page.expect_navigation():
        first.get_by_role("button", name="Add to win-back").click()
    assert "Added to the segment Win-back." in page.locator("main").inner_text()
    assert "In win-back" in page.locator("main table tbody tr").first.inner_text()
    page.goto("/contacts/segments/win-back/")
    assert name in page.locator("main").inner_text()
    # the profile opened from the list
    page.goto("/contacts/at-risk/")
    with page.expect_navigation():
        page.locator("main table tbody tr").first.get_by_role("link").click()
    assert name in page.locator("main").inner_text()


def test_the_owner_sets_the_service_of_a_tier(shoppers, page, artifacts):
    from openxm.customers import tiers

    sign_in(page, "owner@demo.openxm.local")
    page.goto("/contacts/value/tiers/")
    row = page.locator('tr[data-tier="champions"]')
    row.locator('select[name="case_priority"]').select_option("urgent")
    row.locator('input[name="first_response_hours"]').fill("4")
    row.locator('input[name="resolution_hours"]').fill("2")
    with page.expect_navigation():
        row.get_by_role("button", name="Save").click()
    assert "resolution_hours: must not be shorter than the first-response target" in page.content()
    assert tiers.tier_settings(shoppers, "champions").configured is False  # nothing half-written
    row = page.locator('tr[data-tier="champions"]')
    row.locator('select[name="case_priority"]').select_option("urgent")
    row.locator('input[name="first_response_hours"]').fill("4")
    row.locator('input[name="resolution_hours"]').fill("24")
    row.locator('input[name="contact_cap_days"]').fill("30")
    with page.expect_navigation():
        row.get_by_role("button", name="Save").click()
    saved = tiers.tier_settings(shoppers, "champions")
    assert (saved.case_priority, saved.first_response_hours, saved.resolution_hours) == ("urgent", 4, 24)
    assert saved.contact_cap_days == 30
    page.screenshot(path=str(artifacts / "customers-tiers-en-desktop.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    assert "按价值层级的服务" in page.locator("main").inner_text()
    page.screenshot(path=str(artifacts / "customers-tiers-zh-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/contacts/value/tiers/")
    page.screenshot(path=str(artifacts / "customers-tiers-zh-phone.png"), full_page=True)
    page.goto("/contacts/at-risk/")
    page.screenshot(path=str(artifacts / "customers-at-risk-zh-phone.png"), full_page=True)


@pytest.mark.parametrize(
    ("language", "viewport"),
    [
        ("en", {"width": 1366, "height": 768}),
        ("zh-hans", {"width": 1366, "height": 768}),
        ("en", {"width": 390, "height": 844}),
        ("zh-hans", {"width": 390, "height": 844}),
    ],
)
def test_the_directory_marks_who_must_not_be_asked(shoppers, page, artifacts, language, viewport):
    from openxm.customers import consent

    op = accounts.operator_actor(shoppers)
    withdrawn = contacts.get_contact_in(op.scope, contacts.ids_by_external_id(op.scope, ["e2e-03"])["e2e-03"])
    consent.record_consent(op, withdrawn.pk, "surveys", False, "phone", "notice-v1")
    page.set_viewport_size(viewport)
    sign_in(page, ADMIN)
    if language == "zh-hans":
        with page.expect_navigation():
            page.get_by_role("button", name="简体中文").click()
    page.goto("/contacts/?q=PUDONG-0")
    rows = page.locator("main table tbody tr")
    marked = rows.filter(has=page.locator(".badge.warn"))
    assert marked.count() == 1 and "PUDONG-03" in marked.inner_text()
    assert ("勿联系" if language == "zh-hans" else "Do not contact") in marked.inner_text()
    assert rows.count() > 1
    size = "phone" if viewport["width"] < 500 else "desktop"
    page.screenshot(path=str(artifacts / f"customers-do-not-contact-{language}-{size}.png"), full_page=True)
