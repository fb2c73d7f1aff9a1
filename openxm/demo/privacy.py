"""FreshNeighbor's privacy log: one answered data-subject request, and a retention policy.

Step ``privacy`` (order 95, after everything else holds personal data): a customer who asked
for their data and then for its erasure. The owner exports everything about the first customer
with an e-mail address and a response (the archive stays downloadable from the privacy page),
then erases it: both requests are in the log, completed, with their due dates. Raw comments are
kept 24 months. Idempotent: nothing is done when the log already holds a request.
"""

from openxm.accounts import services as accounts
from openxm.accounts.scope import organization_scope
from openxm.privacy import retention, services
from openxm.surveys import door

from .loader import DemoContext, demo_step


@demo_step("privacy", order=95)
def load_privacy(ctx: DemoContext) -> None:
    org = ctx.organization
    owner = accounts.actor_for_user(ctx.users["owner@demo.openxm.local"], org, via="cli")
    retention.set_policy(owner, "comments", 24)
    if services.list_requests(owner):
        return
    response = (
        door.responses(organization_scope(org))
        .filter(contact__isnull=False)
        .exclude(contact__email="")
        .select_related("contact")
        .order_by("pk")
        .first()
    )
    if response is None:
        return
    email = response.contact.email
    exported = services.export_request(owner, email=email)
    erased = services.erase_request(owner, email=email)
    ctx.say(
        f"privacy: request {exported.pk} exported {exported.rows} rows, "
        f"request {erased.pk} erased them ({services.mask('email', email)})"
    )
