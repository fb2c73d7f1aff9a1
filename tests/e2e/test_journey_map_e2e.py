"""The journey map in a real browser: figures and charts, a segment filter, drill-down to a response."""

import random
from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.insights import rollups
from tests.conftest import PASSWORD
from tests.e2e.browsing import sign_in
from tests.insights.factories import record, setup_org


def test_journey_map_filter_a_segment_and_drill_down_to_a_response(transactional_db, page, artifacts):
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")

    def make_member(o, role, email=None):
        user = accounts.bootstrap_user(email or f"{role}@example.com", PASSWORD, role.title())
        accounts.add_member(accounts.operator_actor(o), user.email, role)
        return user

    _actor, survey = setup_org(org, make_member)
    rollups.set_segment_attributes(org, ["tier"])
    rng = random.Random(4)
    now = timezone.now()
    for i in range(36):
        tier = "gold" if i % 3 == 0 else "bronze"
        nps = rng.randint(8, 10) if tier == "gold" else rng.randint(2, 9)
        record(
            org,
            survey,
            when=now - timedelta(days=rng.randint(1, 40), hours=1),
            answers={
                "nps": nps,
                "csat": rng.randint(3, 5),
                "ces": rng.randint(3, 7),
                "comment": f"comment {i}",
            },
            tier=tier,
            contact=f"c{i}",
        )
    make_member(org, "agent", "agent@example.com")

    sign_in(page, "agent@example.com")

    page.goto("/insights/journeys/buy-online/")
    card = page.locator('article[data-touchpoint="web.visit"]')
    assert card.get_by_role("link", name="Website visit").is_visible()
    assert "n 36" in card.locator('[data-metric="nps"]').inner_text()
    page.locator('figure[data-chart="emotion"] canvas').first.wait_for()

    page.get_by_label("Segment: tier").select_option("tier:gold")
    with page.expect_navigation(url="**attr=tier%3Agold**"):
        page.get_by_role("button", name="Apply").click()
    assert "n 12" in page.locator('article[data-touchpoint="web.visit"] [data-metric="nps"]').inner_text()

    emotion = page.locator('figure[data-chart="emotion"]')
    emotion.get_by_role("button", name="Table").click()
    assert emotion.locator("table").is_visible()
    page.screenshot(path=str(artifacts / "journey-map.png"), full_page=True)

    with page.expect_navigation(url="**/insights/touchpoints/web.visit/**"):
        page.locator('article[data-touchpoint="web.visit"]').get_by_role("link", name="Website visit").click()
    assert page.locator("h1").inner_text() == "Website visit"
    assert "attr=tier%3Agold" in page.url  # the segment filter travels with the drill-down

    with page.expect_navigation(url="**/insights/responses/**"):
        page.locator("main p.muted").get_by_role("link", name="Responses").click()
    assert "12 responses match the filters." in page.locator("main").inner_text()
    with page.expect_navigation(url="**/insights/responses/*/**"):
        page.locator("table.data tbody tr").first.get_by_role("link").first.click()
    assert page.locator("h1").inner_text().startswith("Response #")
    assert "tier=gold" in page.locator("dl.facts").inner_text()
    page.screenshot(path=str(artifacts / "journey-map-response.png"), full_page=True)
