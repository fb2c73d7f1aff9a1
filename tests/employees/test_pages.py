"""The employee pages on the demo's employees: suppressed groups are marked, the store manager
sees her store only, owners change thresholds and others cannot."""

import pytest

from openxm.accounts.models import AuditEvent
from openxm.demo import company, employees, library
from openxm.demo.loader import DemoContext
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    library.load_library(ctx)
    employees.load_employees(ctx)
    return ctx


def test_results_page_marks_the_suppressed_groups(demo, client):
    client.force_login(demo.users["analyst"])
    page = client.get("/employees/?survey=enps-pulse&unit=east").content.decode()
    # Hangzhou West Lake has 4 respondents: hidden; Suzhou (7) is the next-smallest: hidden too
    assert page.count('data-suppressed="small"') == 1
    assert page.count('data-suppressed="complementary"') >= 1
    assert "上海静安店" in page
    again = client.get("/employees/?survey=enps-pulse&unit=east").content.decode()
    assert _table(again) == _table(page)  # the same plan every time


def _table(page: str) -> str:
    return page[page.index('id="breakdown"'):page.index("</table>")]


def test_store_manager_sees_her_store_only(demo, client):
    client.force_login(demo.users["store.jingan@demo.openxm.local"])
    page = client.get("/employees/?survey=enps-pulse").content.decode()
    assert "上海静安店" in page and "浦东" not in page
    assert client.get("/employees/?survey=enps-pulse&unit=sh-pudong").status_code == 404


def test_matrix_and_comparison_pages(demo, client):
    client.force_login(demo.users["analyst"])
    page = client.get("/employees/matrix/?survey=internal-service-matrix").content.decode()
    assert 'id="matrix"' in page and 'data-suppressed="small"' in page
    page = client.get("/employees/unit/?survey=enps-pulse&unit=sh-jingan").content.decode()
    assert page.count("<tr>") >= 4  # header and three waves


def test_thresholds_page_owner_only(demo, client):
    client.force_login(demo.users["analyst"])
    assert client.post("/employees/settings/", {"min_group": 7, "min_comments": 9}).status_code == 403
    client.force_login(demo.users["owner"])
    page = client.post("/employees/settings/", {"min_group": 2, "min_comments": 9}).content.decode()
    assert "at least 3" in page
    events = AuditEvent.objects.for_org(demo.organization).filter(action="employees.thresholds_changed")
    assert not events.exists()
    response = client.post("/employees/settings/", {"min_group": 7, "min_comments": 9})
    assert response.status_code == 302
    assert events.count() == 1
    assert "<td>7</td>" in client.get("/employees/settings/").content.decode()
