"""FreshNeighbor's customers: stores, consent, a year of purchases and service contacts, a few
duplicates, value tiers, CLV, churn risk and segments.

Step ``customers`` (order 85, after the responses and their text analytics): through the same
import path a member uses (:mod:`openxm.customers.importing`), it places every demo customer in
their home store (so the Jing'an store manager sees Jing'an's customers only) with a consent
state, records a year of orders, support contacts and store visits, adds five duplicate
contacts (the same phone written differently, the same WeChat openid) for the duplicates page,
trains and evaluates the churn model on that history (switched on when better than chance),
computes RFM, CLV and churn risk, saves three segments, sets the service of the top tiers
(case priority, SLA targets, recovery budget, contact cap), marks a few high-value customers at
risk for win-back, and adds an alert rule on a segment ("a champion is a detractor"), replayed
over the last 30 days like the other demo rules.

The purchase generator: each customer buys at a rate set by their loyalty tier (gold about
weekly, silver fortnightly, bronze monthly, ±50 % per customer), spends a log-normal amount
around a tier mean (gold ¥260, silver ¥150, bronze ¥90), and a quarter of them stop buying at a
random day of the year (the churners the risk should find). Idempotent: with the segments in
place it does nothing.
"""

import io
import math
import random
from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.scope import organization_scope
from openxm.alerts import services as alerts
from openxm.alerts.evaluate import evaluate_responses
from openxm.customers import directory, importing, tiers
from openxm.profiles import churn, segments, value
from openxm.profiles import directory as profile_directory
from openxm.surveys import door

from .loader import DemoContext, demo_step

SEED = 20241111
RATE_DAYS = {"gold": 7, "silver": 14, "bronze": 30}
MEAN_SPEND = {"gold": 260.0, "silver": 150.0, "bronze": 90.0}
SEGMENTS = [
    ("champions", "冠军客户 Champions", {"contact": "rfm_tier", "op": "eq", "value": "champions"}),
    (
        "high-value-at-risk",
        "高价值流失风险 High value at risk",
        {
            "all": [
                {"contact": "churn_risk", "op": "gte", "value": 0.5},
                {"contact": "monetary", "op": "gte", "value": 1500},
            ]
        },
    ),
    (
        "recent-detractors",
        "近期贬损者 Recent detractors",
        {"contact": "detractor_90d", "op": "eq", "value": True},
    ),
]


# Differentiated service: the best customers get faster, more generous service and fewer surveys.
TIER_SERVICE = {
    "champions": {"case_priority": "urgent", "first_response_hours": 4, "resolution_hours": 24,
                  "recovery_budget": 300, "contact_cap_days": 30},
    "loyal": {"case_priority": "high", "first_response_hours": 8, "resolution_hours": 48,
              "recovery_budget": 150, "contact_cap_days": 21},
    "big_spenders": {"case_priority": "high", "first_response_hours": 8, "resolution_hours": 48,
                     "recovery_budget": 200},
    "at_risk": {"case_priority": "high", "first_response_hours": 12, "resolution_hours": 72,
                "recovery_budget": 100},
}
SEGMENT_RULE = """
rules:
  - key: champion-detractor
    name: A champion is a detractor · 冠军客户给出贬损评分
    when:
      all:
        - {segment: champions}
        - {score: nps, op: lte, value: 6}
    actions:
      - notify: [admin@demo.openxm.local]
"""
WIN_BACK = 3
REPLAY_DAYS = 30


def _csv(header: list[str], rows: list[list]) -> io.BytesIO:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def _purchases(rng: random.Random, contact, now) -> list[list]:
    tier = (contact.attributes or {}).get("tier", "bronze")
    store = (contact.attributes or {}).get("home_store", "")
    every = RATE_DAYS.get(tier, 30) * rng.uniform(0.5, 1.5)
    stop = rng.uniform(30, 330) if rng.random() < 0.25 else 0.0
    rows, day = [], 365 - rng.uniform(0, every)
    while day > stop:
        when = now - timedelta(days=day, hours=rng.uniform(0, 10))
        amount = MEAN_SPEND.get(tier, 90.0) * math.exp(rng.gauss(-0.125, 0.5))
        channel = rng.choice(["store", "store", "app", "delivery"])
        rows.append(
            [
                contact.external_id,
                "order",
                when.isoformat(),
                f"{amount:.2f}",
                "CNY",
                channel,
                store if channel == "store" else "",
                f"demo-order-{contact.external_id}-{int(day * 24)}",
            ]
        )
        if rng.random() < 0.04:
            rows.append(
                [
                    contact.external_id,
                    "support",
                    (when + timedelta(days=2)).isoformat(),
                    "",
                    "",
                    "phone",
                    "callcenter",
                    "",
                ]
            )
        if channel == "store" and rng.random() < 0.3:
            rows.append(
                [
                    contact.external_id,
                    "visit",
                    (when - timedelta(days=3)).isoformat(),
                    "",
                    "",
                    "store",
                    store,
                    "",
                ]
            )
        day -= rng.expovariate(1.0 / every)
    return rows


@demo_step("customers", order=85)
def load_customers(ctx: DemoContext) -> None:
    org = ctx.organization
    actor = accounts.operator_actor(org)
    if len(segments.list_segments(actor)) >= len(SEGMENTS):
        ctx.say("customers: already loaded")
        return
    rng = random.Random(SEED)  # noqa: S311 - simulated data, not security
    now = timezone.now()
    people = list(directory.contacts(organization_scope(org)).filter(external_id__startswith="demo-cust-"))
    places = [
        [
            c.external_id,
            (c.attributes or {}).get("home_store", ""),
            rng.choice(["granted", "granted", "unknown"]),
            (c.attributes or {}).get("wechat_openid", ""),
        ]
        for c in people
    ]
    importing.import_contacts(
        actor, _csv(["external_id", "unit", "consent", "wechat_openid"], places), "demo"
    )
    duplicates = []
    for i, c in enumerate(people[:5]):
        phone = c.phone[3:] if i % 2 else f"0086 {c.phone[3:6]}-{c.phone[6:10]}-{c.phone[10:]}"
        duplicates.append(
            [
                f"demo-dup-{i + 1}",
                c.name,
                phone,
                (c.attributes or {}).get("home_store", ""),
                (c.attributes or {}).get("wechat_openid", "") if i == 0 else "",
            ]
        )
    importing.import_contacts(
        actor, _csv(["external_id", "name", "phone", "unit", "wechat_openid"], duplicates), "demo"
    )
    events = [row for c in people for row in _purchases(rng, c, now)]
    header = ["contact", "type", "occurred_at", "amount", "currency", "channel", "unit", "external_id"]
    report = importing.import_events(actor, _csv(header, events), "demo")
    model = churn.evaluate_model(actor, now=now)
    if model.metrics["better_than_chance"]:
        churn.switch_on(actor, model.pk)
    done = value.refresh_values(org, as_of=now)
    for key, name, condition in SEGMENTS:
        segments.save_segment(actor, key, name, condition)
    for tier, service in TIER_SERVICE.items():
        tiers.save_settings(actor, tier, service)
    for _card, v in profile_directory.at_risk(actor, 0.5, WIN_BACK):
        segments.add_to_win_back(actor, v.contact_id)
    fired = _segment_rule(ctx, org)
    ctx.say(
        f"customers: {len(people)} placed in their stores, {report.created} events, "
        f"{done.contacts} valued with {done.run.method}, churn model AUC {model.metrics['auc']:.3f} "
        f"({'on' if model.metrics['better_than_chance'] else 'off'}), {len(SEGMENTS)} segments, "
        f"service for {len(TIER_SERVICE)} tiers, {fired} alerts of the segment rule"
    )


def _segment_rule(ctx: DemoContext, org) -> int:
    """Apply the segment rule as the CX admin and replay it over the last 30 days' responses."""
    admin = accounts.actor_for_user(ctx.users["admin@demo.openxm.local"], org, via="cli")
    alerts.apply_document(admin, SEGMENT_RULE)
    since = timezone.now() - timedelta(days=REPLAY_DAYS)
    ids = list(
        door.responses(organization_scope(org))
        .filter(status="complete", completed_at__gte=since, contact__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(evaluate_responses(org, ids[i : i + 500], False, email=False) for i in range(0, len(ids), 500))
