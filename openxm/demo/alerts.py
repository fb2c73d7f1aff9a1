"""FreshNeighbor's alert rules, and the inbox they would have filled over the last 30 days.

Step ``alerts`` (order 85, after text analytics): the CX admin applies two rules as code — NPS
detractors, told to the admin and to the Jing'an store manager (who is told only of her own
store's responses), and comments flagged as churn risk or negative about delivery, told to the
admin and the service desk. The rules are then evaluated on the complete responses of the last
30 days, so the inboxes hold alerts (no e-mail is sent for this replayed history). Idempotent:
rules are upserted by key and an alert exists once per rule and response. Then the early-warning
scan runs once over the demo's touchpoints.
"""

from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.scope import organization_scope
from openxm.alerts import services as alerts
from openxm.alerts.early_warning import scan
from openxm.alerts.evaluate import evaluate_responses
from openxm.surveys import door

from .loader import DemoContext, demo_step

RULES = """
rules:
  - key: detractors
    name: NPS detractors · NPS 贬损者
    when: {score: nps, op: lte, value: 6}
    actions:
      - notify: [admin@demo.openxm.local, store.jingan@demo.openxm.local]
  - key: churn-risk
    name: Churn risk or an angry delivery comment · 流失风险或对配送的负面评论
    when:
      any:
        - {flag: churn}
        - all: [{sentiment: negative}, {topic: delivery}]
    actions:
      - notify: [admin@demo.openxm.local, agent@demo.openxm.local]
"""
REPLAY_DAYS = 30


@demo_step("alerts", order=85)
def load_alerts(ctx: DemoContext) -> None:
    org = ctx.organization
    admin = accounts.actor_for_user(ctx.users["admin@demo.openxm.local"], org, via="cli")
    alerts.apply_document(admin, RULES)
    since = timezone.now() - timedelta(days=REPLAY_DAYS)
    ids = list(
        door.responses(organization_scope(org))
        .filter(status="complete", completed_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    fired = sum(
        evaluate_responses(org, ids[i : i + 500], text, email=False)
        for text in (False, True)
        for i in range(0, len(ids), 500)
    )
    watched = scan(org)
    drops = sorted(tp for tp, e in watched.items() if e["drop"])
    ctx.say(
        f"alerts: 2 rules, {fired} alerts on the last {REPLAY_DAYS} days' responses; "
        f"early warning on {len(watched)} touchpoints, drops: {', '.join(drops) or 'none'}"
    )
