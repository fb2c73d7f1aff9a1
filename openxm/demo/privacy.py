"""FreshNeighbor's privacy log: one answered data-subject request, and a retention policy.

Step ``privacy`` (order 95, last): a former member of the loyalty programme asked for their data
and then for its erasure. The step records them (a contact with purchases and a consent
statement), then the owner exports everything about them (the archive stays downloadable from
the privacy page) and erases it: both requests are in the log, completed, with their due dates.
The person is made for this, so no other demo data changes. Raw comments are kept 24 months.
Idempotent: nothing more is done when the log already holds a request.
"""

from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.customers import consent, events
from openxm.customers import directory as contacts
from openxm.privacy import retention, services

from .loader import DemoContext, demo_step

EMAIL = "zhao.xin@example.cn"


@demo_step("privacy", order=95)
def load_privacy(ctx: DemoContext) -> None:
    org = ctx.organization
    owner = accounts.actor_for_user(ctx.users["owner@demo.openxm.local"], org, via="cli")
    retention.set_policy(owner, "comments", 24)
    if services.list_requests(owner):
        return
    person = contacts.create_contact(
        owner,
        {
            "external_id": "demo-dsr-0001",
            "name": "Zhao Xin 赵欣",
            "email": EMAIL,
            "phone": "+86 139 0211 0042",
        },
    )
    now = timezone.now()
    events.record_events(
        owner,
        [
            (
                person.pk,
                {"type": "order", "occurred_at": (now - timedelta(days=d)).isoformat(), "amount": "86.00"},
            )
            for d in (90, 45, 12)
        ],
    )
    consent.record_consent(owner, person.pk, "marketing", True, "in_store", "notice-2026-01")
    exported = services.export_request(owner, received_at=now - timedelta(days=3), email=EMAIL)
    erased = services.erase_request(owner, received_at=now - timedelta(days=2), email=EMAIL)
    ctx.say(f"privacy: request {exported.pk} exported {exported.rows} rows, request {erased.pk} erased them")
