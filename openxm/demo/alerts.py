"""FreshNeighbor's alert rules, and the inbox they would have filled over the last 30 days.

Step ``alerts`` (order 85, after text analytics): the CX admin applies two rules as code — NPS
detractors, told to the admin and to the Jing'an store manager (who is told only of her own
store's responses), and comments flagged as churn risk or negative about delivery, told to the
admin and the service desk. The rules are then evaluated on the complete responses of the last
30 days, so the inboxes hold alerts (no e-mail is sent for this replayed history). Idempotent:
rules are upserted by key and an alert exists once per rule and response. Then the early-warning
scan runs once over the demo's touchpoints, journey stages, units and topics; the episodes it
opens reach the members' inboxes (no e-mail either).

Step ``courier-incident`` (order 78, before the text analytics step re-analyses every comment and
before any rule exists, so recording it sends no e-mail): the demo's history has one incident
for early warning to find — a new courier partner took over home delivery four complete weeks
ago, and the journey pulse's "Delivery" touchpoint (``app.delivery``) has had more and angrier
answers every week since (seeded). The scan in ``alerts`` opens the episode that the executive
dashboard, the "Buy online" journey map and the touchpoint page show.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.scope import organization_scope
from openxm.alerts import services as alerts
from openxm.alerts.early_warning import scan, watched_weeks
from openxm.alerts.evaluate import evaluate_responses
from openxm.surveys import collect, door
from openxm.surveys import services as surveys

from .collection import TZ
from .journeys import PULSE_KEY
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
INCIDENT_WEEKS = 4
INCIDENT_PER_WEEK = 14
INCIDENT_SEED = 1313
INCIDENT_COMMENTS = [
    "新的快递公司太慢了，晚了一个小时",
    "配送员态度很差，东西放在门口就走了",
    "The new courier was over an hour late and the milk was warm.",
    "送货太慢了，客服态度也很差，我要退款",
    "Eggs arrived broken, rider did not care.",
    "",
    "",
]


@demo_step("courier-incident", order=78)
def load_courier_incident(ctx: DemoContext) -> None:
    org = ctx.organization
    admin = accounts.actor_for_user(ctx.users["admin@demo.openxm.local"], org, via="cli")
    recorded = _courier_incident(org, admin)
    ctx.say(f"courier incident: {recorded} delivery answers in the last {INCIDENT_WEEKS} weeks")


def _courier_incident(org, admin) -> int:
    """The delivery complaints of the last ``INCIDENT_WEEKS`` complete weeks (idempotent)."""
    pulse = next((s for s in surveys.list_surveys(admin) if s.key == PULSE_KEY), None)
    if pulse is None:
        return 0
    survey = surveys.get_survey(admin, pulse.id)
    rng = random.Random(INCIDENT_SEED)  # noqa: S311 - simulated data, not security
    _start, last_sunday = watched_weeks(timezone.localdate())
    subs = []
    for w in range(INCIDENT_WEEKS):
        monday = last_sunday - timedelta(days=7 * (INCIDENT_WEEKS - w) - 1)
        for i in range(INCIDENT_PER_WEEK):
            r = rng.random()
            nps = rng.randint(0, 4) if r < 0.8 else rng.randint(5, 6) if r < 0.92 else rng.randint(7, 8)
            when = datetime.combine(monday + timedelta(days=i % 7), time(10 + i % 9), tzinfo=TZ)
            answers = {"nps": nps, "csat": 1 if nps <= 4 else 2, "ces": 6}
            comment = rng.choice(INCIDENT_COMMENTS)
            if comment:
                answers["comment"] = comment
            subs.append(
                collect.Submission(
                    answers=answers,
                    idempotency_key=f"demo-courier-{w}-{i:02d}",
                    channel="app",
                    touchpoint="app.delivery",
                    started_at=when - timedelta(minutes=2),
                    completed_at=when,
                    language="en" if comment and comment.isascii() else "zh-Hans",
                )
            )
    collect.record_batch(org, survey, subs)
    return len(subs)


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
    watched = scan(org, email=False)  # the inbox and webhooks only, like the replayed alerts
    out = sorted(
        f"{subject} ({kind}{'' if extra is None else ', ' + extra})"
        for (_dimension, subject), e in watched.items()
        for extra, found in ((None, e), ("top-2-box", e.get("top2box")), ("NPS", e.get("score")))
        for kind in ("drop", "silence", "surge")
        if found and found.get(kind)
    )
    ctx.say(
        f"alerts: 2 rules, {fired} alerts on the last {REPLAY_DAYS} days' responses; "
        f"early warning on {len(watched)} series, "
        f"out of control: {', '.join(out) or 'none'}"
    )
