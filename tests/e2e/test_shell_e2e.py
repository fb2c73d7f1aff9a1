"""Sign in, switch language and organization, in a real browser."""

from openxm.accounts import services
from tests.conftest import PASSWORD


def test_sign_in_switch_language_and_organization(transactional_db, page, artifacts):
    org_a = services.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    org_b = services.bootstrap_organization("northwind", "Northwind Coffee")
    for org, role in [(org_a, "admin"), (org_b, "viewer")]:
        services.bootstrap_user("chen@example.com", PASSWORD, "Chen Jing")
        services.add_member(services.operator_actor(org), "chen@example.com", role)
    services.create_unit(services.operator_actor(org_a), "sh-jingan", "上海静安店", "store")

    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("E-mail").fill("chen@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The e-mail address or password is wrong."
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation(url="**/"):
        page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "FreshNeighbor 鲜邻生活"
    assert page.get_by_role("link", name="Audit log").is_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="概览").is_visible()
    page.get_by_role("link", name="组织单元", exact=True).click()
    assert "上海静安店" in page.locator("table").inner_text()

    with page.expect_navigation(url="**/"):
        page.get_by_label("组织").select_option("northwind")  # submits on change
    assert page.locator("h1").inner_text() == "Northwind Coffee"
    assert page.get_by_role("link", name="审计日志").count() == 0  # a viewer there
    page.screenshot(path=str(artifacts / "shell-zh.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_by_role("link", name="Overview").is_visible()
    with page.expect_navigation(url="**/accounts/login/"):
        page.get_by_role("button", name="Sign out").click()
