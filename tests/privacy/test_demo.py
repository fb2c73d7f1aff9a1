"""The demo's privacy step leaves a completed export-and-erase request in the log, and nothing of
the person behind it."""

from openxm.accounts import services as accounts
from openxm.customers.models import Contact
from openxm.customers.services import lookup_keys
from openxm.demo import company
from openxm.demo.loader import DemoContext
from openxm.demo.privacy import EMAIL, load_privacy
from openxm.privacy import services
from tests.conftest import PASSWORD


def test_demo_has_a_completed_request(db):
    ctx = DemoContext(password=PASSWORD)
    company.load_company(ctx)
    load_privacy(ctx)
    load_privacy(ctx)  # idempotent
    org = ctx.organization
    log = services.list_requests(accounts.operator_actor(org))
    assert [(r.kind, r.status) for r in log] == [("erase", "completed"), ("export", "completed")]
    assert log[1].counts["customers.ContactEvent"] == 3 and log[1].archive_path
    assert log[0].due_at > log[0].received_at
    # E-mail is encrypted (a filter on it never matches): look the person up by the blind index.
    assert not Contact.objects.for_org(org).filter(email_key__in=lookup_keys("email", EMAIL)).exists()
