"""FreshNeighbor's journeys, their touchpoints and targets, operational metrics and role dashboards.

Step ``journeys`` (order 20, before any survey exists): two journeys — "Buy online" and "Get
support" — with stages, touchpoints (channel, owning team, targets, service-blueprint lanes),
and the segment attributes the rollups use (tier, kind).

Step ``journey-data`` (order 60, after the surveys and their responses): binds every touchpoint
key the demo surveys use to a touchpoint (unknown keys are added to the journey they fit) and
lists the survey questions that measure each touchpoint; for the touchpoints the demo surveys
leave with little feedback it records a seeded "journey pulse" survey over the last twelve
months, so every touchpoint has figures; then 12 months of operational metrics and a dashboard
for each role.
"""

import math
from datetime import date, timedelta

import numpy as np
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.scope import organization_scope
from openxm.insights import dashboards, rollups
from openxm.insights.query import Filters, tallies
from openxm.journeys import operational
from openxm.journeys import services as journeys
from openxm.surveys import collect
from openxm.surveys import services as surveys

from .loader import DemoContext, demo_step

SEED = 20250301
PULSE_KEY = "demo-journey-pulse"
PULSE_RESPONSES = 1400
MIN_FEEDBACK = 40  # NPS/CSAT/CES answers a touchpoint should have in the last year

BLUEPRINT_DELIVERY = {
    "customer_actions": [
        "Chooses a delivery slot",
        "Tracks the rider in the app",
        "Receives and checks the bag",
    ],
    "front_stage": ["Rider hands over the order", "SMS and app notifications"],
    "back_stage": ["Picking and packing in the store", "Route planning", "Substitution decisions"],
    "support_processes": ["Rider app and dispatch system", "Cold-chain boxes", "Inventory system"],
}
BLUEPRINT_CHAT = {
    "customer_actions": ["Opens chat from the order page", "Describes the problem, sends a photo"],
    "front_stage": ["Chat agent answers", "Refund or redelivery offered"],
    "back_stage": ["Agent checks the order and stock", "Escalation to the store"],
    "support_processes": ["Ticketing system", "Refund rules", "Knowledge base"],
}

BUY_ONLINE = {
    "key": "buy-online",
    "name": "线上购物 Buy online",
    "description": "From first hearing of FreshNeighbor to ordering in the app and receiving the groceries.",
    "owner_team": "E-commerce 电商部",
    "stages": [
        {
            "key": "aware",
            "name": "了解 Aware",
            "touchpoints": [
                {
                    "key": "web.first-visit",
                    "name": "官网首次访问 Website first visit",
                    "channel": "web",
                    "owner_team": "Marketing",
                    "targets": {"nps": 20, "csat": 75},
                },
                {
                    "key": "marketing.email",
                    "name": "营销邮件 Marketing e-mail",
                    "channel": "email",
                    "owner_team": "Marketing",
                    "targets": {"csat": 70},
                },
            ],
        },
        {
            "key": "consider",
            "name": "比较 Consider",
            "touchpoints": [
                {
                    "key": "content.download",
                    "name": "食谱下载 Recipe download",
                    "channel": "web",
                    "owner_team": "Marketing",
                    "targets": {"csat": 80},
                },
                {
                    "key": "app.browse",
                    "name": "App 浏览 App browsing",
                    "channel": "app",
                    "owner_team": "App team",
                    "targets": {"csat": 80, "ces": 5.5},
                },
            ],
        },
        {
            "key": "buy",
            "name": "购买 Buy",
            "touchpoints": [
                {
                    "key": "purchase",
                    "name": "下单支付 Purchase",
                    "channel": "app",
                    "owner_team": "E-commerce",
                    "targets": {"nps": 40, "csat": 85, "ces": 5.5},
                },
            ],
        },
        {
            "key": "receive",
            "name": "收货 Receive",
            "touchpoints": [
                {
                    "key": "app.delivery",
                    "name": "到家配送 Home delivery",
                    "channel": "delivery",
                    "owner_team": "Logistics",
                    "targets": {"nps": 35, "csat": 85, "ces": 5.5},
                    "blueprint": BLUEPRINT_DELIVERY,
                },
                {
                    "key": "store.pickup",
                    "name": "门店自提 Store pick-up",
                    "channel": "store",
                    "owner_team": "Store operations",
                    "targets": {"csat": 85},
                },
            ],
        },
        {
            "key": "use",
            "name": "使用 Use",
            "touchpoints": [
                {
                    "key": "product.registration",
                    "name": "会员注册 Membership registration",
                    "channel": "app",
                    "owner_team": "CRM",
                    "targets": {"ces": 5.5},
                },
                {
                    "key": "app.reorder",
                    "name": "一键复购 One-tap reorder",
                    "channel": "app",
                    "owner_team": "App team",
                    "targets": {"csat": 85},
                },
            ],
        },
        {
            "key": "get-help",
            "name": "求助 Get help",
            "touchpoints": [
                {
                    "key": "app.help-centre",
                    "name": "帮助中心 Help centre",
                    "channel": "app",
                    "owner_team": "Customer service",
                    "targets": {"ces": 5.0},
                },
            ],
        },
        {
            "key": "renew",
            "name": "续约或流失 Renew or leave",
            "touchpoints": [
                {
                    "key": "relationship",
                    "name": "关系型 NPS Relationship survey",
                    "channel": "email",
                    "owner_team": "CX",
                    "targets": {"nps": 35},
                },
                {
                    "key": "membership.renewal",
                    "name": "会员续费 Membership renewal",
                    "channel": "app",
                    "owner_team": "CRM",
                    "targets": {"nps": 30, "csat": 80},
                },
            ],
        },
    ],
}

GET_SUPPORT = {
    "key": "get-support",
    "name": "获得帮助 Get support",
    "description": "A customer with a problem: reaching us, getting it solved, and what happens after.",
    "owner_team": "Customer service 客服中心",
    "stages": [
        {
            "key": "reach",
            "name": "联系 Reach us",
            "touchpoints": [
                {
                    "key": "support.chat",
                    "name": "在线客服 Live chat",
                    "channel": "chat",
                    "owner_team": "Customer service",
                    "targets": {"csat": 85, "ces": 5.5},
                    "blueprint": BLUEPRINT_CHAT,
                },
                {
                    "key": "support.phone",
                    "name": "客服热线 Hotline",
                    "channel": "phone",
                    "owner_team": "Customer service",
                    "targets": {"csat": 80, "ces": 5.0},
                },
            ],
        },
        {
            "key": "resolve",
            "name": "解决 Resolve",
            "touchpoints": [
                {
                    "key": "support.contact",
                    "name": "工单关闭 Support case closed",
                    "channel": "email",
                    "owner_team": "Customer service",
                    "targets": {"nps": 20, "csat": 80, "ces": 5.0},
                },
            ],
        },
        {
            "key": "follow-up",
            "name": "跟进 Follow up",
            "touchpoints": [
                {
                    "key": "support.recovery",
                    "name": "服务补救回访 Service recovery call",
                    "channel": "phone",
                    "owner_team": "CX",
                    "targets": {"nps": 10},
                },
                {
                    "key": "store.visit",
                    "name": "门店服务台 Store service desk",
                    "channel": "store",
                    "owner_team": "Store operations",
                    "targets": {"csat": 85},
                },
            ],
        },
    ],
}

# Where a touchpoint key the surveys use, but the journeys lack, is added: (prefix, journey, stage).
PLACEMENT = [
    ("support", "get-support", "reach"),
    ("service", "get-support", "reach"),
    ("internal", "get-support", "resolve"),
    ("app.delivery", "buy-online", "receive"),
    ("delivery", "buy-online", "receive"),
    ("app.order", "buy-online", "buy"),
    ("checkout", "buy-online", "buy"),
    ("store", "buy-online", "buy"),
    ("app", "buy-online", "use"),
    ("web", "buy-online", "aware"),
    ("", "buy-online", "use"),
]

# The simulated feedback of the journey pulse: (share of responses, NPS mean, CSAT mean, CES mean, trend per
# month in NPS points), per touchpoint. Delivery and the hotline lag their targets; live chat improves.
PULSE_PROFILE = {
    "web.first-visit": (0.05, 7.4, 4.0, 5.4, 0.0),
    "marketing.email": (0.04, 6.6, 3.6, 5.2, 0.0),
    "content.download": (0.03, 7.8, 4.2, 5.8, 0.0),
    "app.browse": (0.08, 7.6, 4.1, 5.6, 0.1),
    "purchase": (0.16, 8.1, 4.3, 5.8, 0.0),
    "app.delivery": (0.16, 6.9, 3.7, 4.9, 0.15),
    "store.pickup": (0.05, 8.0, 4.3, 5.9, 0.0),
    "product.registration": (0.04, 7.5, 4.0, 5.1, 0.0),
    "app.reorder": (0.05, 8.2, 4.4, 6.1, 0.0),
    "app.help-centre": (0.04, 6.4, 3.5, 4.4, 0.0),
    "relationship": (0.08, 7.7, 4.0, 5.4, 0.0),
    "membership.renewal": (0.03, 7.2, 3.9, 5.3, -0.1),
    "support.chat": (0.08, 7.0, 3.9, 5.2, 0.25),
    "support.phone": (0.04, 6.2, 3.4, 4.3, -0.15),
    "support.contact": (0.04, 6.8, 3.7, 4.8, 0.0),
    "support.recovery": (0.02, 7.9, 4.2, 5.6, 0.0),
    "store.visit": (0.01, 8.0, 4.2, 5.7, 0.0),
}
STORES = ["sh-jingan", "sh-pudong", "hz-xihu", "sz-sip", "bj-chaoyang", "bj-haidian", "tj-heping"]
STORE_EFFECT = {
    "sh-jingan": 0.4,
    "sh-pudong": 0.1,
    "hz-xihu": 0.2,
    "sz-sip": 0.0,
    "bj-chaoyang": -0.4,
    "bj-haidian": -0.1,
    "tj-heping": -0.3,
}
TIER_EFFECT = {"gold": 0.6, "silver": 0.1, "bronze": -0.4}
CHANNEL_OF = {
    "web": "link",
    "email": "email",
    "app": "app",
    "delivery": "sms",
    "store": "qr",
    "chat": "wechat",
    "phone": "sms",
}


def _actor(ctx: DemoContext):
    org = ctx.organization or accounts.get_organization("demo")
    analyst = ctx.users.get("analyst") or accounts.bootstrap_user("analyst@demo.openxm.local", None)
    return org, accounts.actor_for_user(analyst, org, via="cli")


@demo_step("journeys", order=20)
def load_journeys(ctx: DemoContext) -> None:
    org, actor = _actor(ctx)
    for document in (BUY_ONLINE, GET_SUPPORT):
        journeys.import_journey(actor, document)
    if not rollups.segment_attributes(org):
        rollups.set_segment_attributes(org, ["tier", "kind"])
    count = sum(len(s["touchpoints"]) for d in (BUY_ONLINE, GET_SUPPORT) for s in d["stages"])
    ctx.say(f"2 journeys with {count} touchpoints")


# --- Order 60: bind, fill, O-data, dashboards ------------------------------------------------


def _survey_bindings(actor) -> dict[str, list[str]]:
    """touchpoint key -> ["survey_key/question_id", ...] of the NPS/CSAT/CES questions measuring it."""
    out: dict[str, list[str]] = {}
    for row in surveys.list_surveys(actor):
        survey = surveys.get_survey(actor, row.id)
        if survey.current_version_id is None:
            continue
        definition = survey.current_version.definition
        default = definition.get("touchpoint") or survey.touchpoint or ""
        for page in definition.get("pages", []):
            for q in page.get("questions", []):
                key = q.get("touchpoint") or default
                if key and q.get("type") in ("nps", "csat", "ces"):
                    out.setdefault(key, []).append(f"{survey.key}/{q['id']}")
                elif key:
                    out.setdefault(key, [])
    return out


def _place(key: str) -> tuple[str, str]:
    for prefix, journey, stage in PLACEMENT:
        if key.startswith(prefix):
            return journey, stage
    return "buy-online", "use"


def _bind(actor) -> tuple[int, int]:
    """Bind the surveys' questions to their touchpoints: (touchpoints bound, of them new)."""
    directory = journeys.touchpoint_directory(actor.organization)
    added = bound = 0
    for key, refs in sorted(_survey_bindings(actor).items()):
        bound += 1
        if key in directory:
            info = directory[key]
            merged = list(dict.fromkeys([*info.questions, *refs]))
            if merged != list(info.questions):
                journeys.update_touchpoint(actor, key, questions=merged)
        else:
            journey, stage = _place(key)
            name = key.replace(".", " ").replace("-", " ").replace("_", " ").title()
            journeys.add_touchpoint(actor, journey, stage, key, name=name, questions=refs)
            added += 1
    return bound, added


PULSE_DEFINITION = {
    "schema_version": 1,
    "key": PULSE_KEY,
    "version": 1,
    "title": {"en": "Journey pulse", "zh-Hans": "旅程脉搏调查"},
    "languages": ["en", "zh-Hans"],
    "default_language": "zh-Hans",
    "audience": "customer",
    "pages": [
        {
            "id": "p1",
            "questions": [
                {
                    "id": "nps",
                    "type": "nps",
                    "text": {
                        "en": "How likely are you to recommend FreshNeighbor to a friend?",
                        "zh-Hans": "您向朋友推荐鲜邻生活的可能性有多大？",
                    },
                },
                {
                    "id": "csat",
                    "type": "csat",
                    "scale": {"min": 1, "max": 5},
                    "text": {
                        "en": "How satisfied are you with this step?",
                        "zh-Hans": "您对这一环节满意吗？",
                    },
                },
                {
                    "id": "ces",
                    "type": "ces",
                    "scale": {"min": 1, "max": 7},
                    "cx_dimension": "resolution",
                    "text": {"en": "FreshNeighbor made it easy for me.", "zh-Hans": "鲜邻生活让我很省心。"},
                },
                {
                    "id": "comment",
                    "type": "text",
                    "text": {"en": "What could we do better?", "zh-Hans": "我们哪里可以做得更好？"},
                },
            ],
        }
    ],
}
COMMENTS = {
    "low": [
        "配送太慢了，冰淇淋都化了",
        "The rider was 40 minutes late.",
        "客服电话一直占线",
        "Substitutions without asking me",
        "App 结账时卡住了",
        "Hard to find the refund button",
    ],
    "mid": ["还可以，价格有点贵", "Delivery slot choice is limited", "包装可以更环保"],
    "high": [
        "蔬菜很新鲜，点赞！",
        "Fast delivery and friendly rider",
        "客服小姐姐很耐心",
        "One-tap reorder saves me time",
    ],
}


def _answers_per_touchpoint(org, keys) -> dict[str, int]:
    """NPS, CSAT and CES answers in the last year per touchpoint (read from the rollups)."""
    year_ago = timezone.localdate() - timedelta(days=365)
    f = Filters(year_ago, timezone.localdate(), touchpoints=tuple(keys))
    out = dict.fromkeys(keys, 0)
    for metric in ("nps", "csat", "ces"):
        for (key,), tally in tallies(organization_scope(org), f, metric, ("touchpoint",)).table.items():
            out[key] = out.get(key, 0) + sum(c for c, _, _ in tally.values())
    return out


def _clip(x: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(x))))


def _pulse(org, actor, rng, keys: list[str]) -> int:
    """Simulated journey-pulse responses for ``keys`` (the touchpoints the demo surveys leave with
    too little feedback), as many as their share of :data:`PULSE_RESPONSES`."""
    existing = [s for s in surveys.list_surveys(actor) if s.key == PULSE_KEY]
    if existing or not keys:
        return 0
    survey = surveys.create_survey(actor, PULSE_DEFINITION)
    surveys.publish_survey(actor, survey.pk)
    survey = surveys.get_survey(actor, survey.pk)
    directory = journeys.touchpoint_directory(org)
    shares = np.array([PULSE_PROFILE[k][0] for k in keys])
    count = max(
        len(keys) * 20, int(PULSE_RESPONSES * shares.sum() / sum(p[0] for p in PULSE_PROFILE.values()))
    )
    now = timezone.now()
    subs = []
    for i in range(count):
        key = str(rng.choice(keys, p=shares / shares.sum()))
        _share, nps_mu, csat_mu, ces_mu, slope = PULSE_PROFILE[key]
        days_ago = float(rng.uniform(0.1, 364))
        months_from_start = (364 - days_ago) / 30.4
        tier = str(rng.choice(["gold", "silver", "bronze"], p=[0.2, 0.45, 0.35]))
        channel_kind = directory[key].channel
        store = str(rng.choice(STORES)) if channel_kind in ("store", "delivery") or rng.random() < 0.3 else ""
        lift = TIER_EFFECT[tier] + STORE_EFFECT.get(store, 0) + slope * (months_from_start - 6) / 2
        seasonal = 0.3 * math.sin(months_from_start / 12 * 2 * math.pi)
        nps = _clip(rng.normal(nps_mu + lift + seasonal, 2.0), 0, 10)
        answers = {"nps": nps, "csat": _clip(rng.normal(csat_mu + lift / 2.5, 0.9), 1, 5)}
        if (
            key.startswith(("support", "app.help", "product", "app.delivery", "purchase"))
            or rng.random() < 0.3
        ):
            answers["ces"] = _clip(rng.normal(ces_mu + lift / 2, 1.2), 1, 7)
        if rng.random() < 0.25:
            mood = "low" if nps <= 6 else "mid" if nps <= 8 else "high"
            answers["comment"] = str(rng.choice(COMMENTS[mood]))
        completed = now - timedelta(days=days_ago)
        contact = f"demo-cust-{int(rng.integers(1, 600)):04d}"
        subs.append(
            collect.Submission(
                answers=answers,
                idempotency_key=f"{PULSE_KEY}-{i:05d}",
                channel=CHANNEL_OF.get(channel_kind, "app"),
                touchpoint=key,
                unit=store,
                contact=collect.ContactRef(contact, {"kind": "customer"}, {"tier": tier}),
                started_at=completed - timedelta(minutes=2),
                completed_at=completed,
                language="zh-Hans",
            )
        )
    for start in range(0, len(subs), 200):
        collect.record_batch(org, survey, subs[start : start + 200])
    return len(subs)


def _months(today: date, count: int) -> list[tuple[date, date]]:
    out = []
    first = today.replace(day=1)
    for _ in range(count):
        end = first - timedelta(days=1)
        first = end.replace(day=1)
        out.append((first, end))
    return out[::-1]


def _operational(actor, rng) -> int:
    if operational.list_operational(actor, ["relationship"]):
        return 0
    rows = []
    months = _months(timezone.localdate(), 12)
    for i, (start, end) in enumerate(months):
        base = {"period_start": start.isoformat(), "period_end": end.isoformat()}
        at_start = int(rng.integers(42000, 46000))
        lost = int(at_start * (0.038 - 0.0008 * i + rng.normal(0, 0.002)))
        rows.append(
            {
                **base,
                "touchpoint": "relationship",
                "metric": "churn_rate",
                "numerator": lost,
                "denominator": at_start,
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "relationship",
                "metric": "clv",
                "value": round(2300 + 18 * i + rng.normal(0, 40)),
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "membership.renewal",
                "metric": "retention_rate",
                "value": round(81 + 0.3 * i + rng.normal(0, 0.8), 1),
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "purchase",
                "metric": "repeat_purchase_rate",
                "value": round(46 + 0.4 * i + rng.normal(0, 1), 1),
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "app.reorder",
                "metric": "repeat_purchase_rate",
                "value": round(58 + 0.5 * i + rng.normal(0, 1), 1),
            }
        )
        contacts = int(rng.integers(5200, 6400))
        resolved = int(contacts * (0.71 + 0.006 * i + rng.normal(0, 0.01)))
        rows.append(
            {
                **base,
                "touchpoint": "support.chat",
                "metric": "fcr",
                "numerator": resolved,
                "denominator": contacts,
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "support.chat",
                "metric": "aht",
                "value": round(410 - 6 * i + rng.normal(0, 12)),
            }
        )
        calls = int(rng.integers(2100, 2600))
        rows.append(
            {
                **base,
                "touchpoint": "support.phone",
                "metric": "fcr",
                "numerator": int(calls * 0.62),
                "denominator": calls,
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "support.phone",
                "metric": "aht",
                "value": round(520 + 4 * i + rng.normal(0, 15)),
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "app.delivery",
                "metric": "complaints",
                "value": int(rng.integers(380, 520) - 8 * i),
            }
        )
        rows.append(
            {
                **base,
                "touchpoint": "support.contact",
                "metric": "complaints",
                "value": int(rng.integers(150, 230)),
            }
        )
    return operational.record_operational(actor, rows, source="demo")


# Widgets take their titles from their settings, so they read in the viewer's language.
DASHBOARDS = [
    {
        "key": "executive",
        "name": "高管概览 Executive overview",
        "role": "executive",
        "description": "NPS, CSAT and CES across the company, the two journeys and the stores.",
        "filters": {"period": "90d", "grain": "w"},
        "widgets": [
            {"type": "metric_card", "metric": "nps", "width": "third"},
            {"type": "metric_card", "metric": "csat", "width": "third"},
            {"type": "metric_card", "metric": "ces", "width": "third"},
            {"type": "trend_line", "metric": "nps", "grain": "m", "width": "half"},
            {
                "type": "breakdown_bar",
                "metric": "nps",
                "by": "region",
                "width": "half",
            },
            {"type": "journey_map", "journey": "buy-online", "width": "full"},
            {"type": "kpi_target", "metric": "csat", "width": "half"},
            {
                "type": "breakdown_bar",
                "metric": "nps",
                "by": "segment:tier",
                "width": "half",
            },
            {"type": "breakdown_bar", "metric": "nps", "by": "tier", "width": "half"},
            {"type": "cx_dimensions", "width": "half"},
            {"type": "response_rate", "by": "touchpoint", "width": "half"},
            {"type": "operational", "width": "full"},
        ],
    },
    {
        "key": "journey-owner",
        "name": "旅程负责人 Journey owner: Buy online",
        "role": "journey_owner",
        "description": "Every touchpoint of the Buy online journey, week by week.",
        "filters": {"period": "12m", "journey": "buy-online", "grain": "w"},
        "widgets": [
            {"type": "journey_map", "journey": "buy-online", "width": "full"},
            {
                "type": "heatmap",
                "metric": "nps",
                "grain": "m",
                "width": "full",
            },
            {"type": "kpi_target", "metric": "nps", "width": "half"},
            {"type": "kpi_target", "metric": "ces", "width": "half"},
            {"type": "distribution", "metric": "nps", "width": "third"},
            {"type": "breakdown_bar", "metric": "csat", "by": "stage", "width": "third"},
            {"type": "breakdown_bar", "metric": "csat", "by": "channel", "width": "third"},
            {"type": "verbatim_list", "limit": 12, "width": "full"},
        ],
    },
    {
        "key": "store-manager",
        "name": "店长 Store manager: Jing'an",
        "role": "store_manager",
        "description": "The Shanghai Jing'an store: pick-up, service desk and deliveries from the store.",
        "filters": {"period": "90d", "unit": "sh-jingan", "grain": "w"},
        "widgets": [
            {"type": "metric_card", "metric": "nps", "width": "third"},
            {"type": "metric_card", "metric": "csat", "width": "third", "target": 85},
            {"type": "metric_card", "metric": "ces", "width": "third"},
            {"type": "trend_line", "metric": "csat", "grain": "w", "width": "full"},
            {"type": "breakdown_bar", "metric": "csat", "by": "touchpoint", "width": "half"},
            {"type": "verbatim_list", "limit": 8, "width": "half"},
        ],
    },
    {
        "key": "agent",
        "name": "客服 Service agent",
        "role": "agent",
        "description": "Support touchpoints: effort, satisfaction and what customers say.",
        "filters": {"period": "30d", "journey": "get-support", "grain": "d"},
        "widgets": [
            {"type": "metric_card", "metric": "ces", "width": "third", "target": 5.5},
            {"type": "metric_card", "metric": "csat", "width": "third"},
            {"type": "metric_card", "metric": "nps", "width": "third"},
            {"type": "trend_line", "metric": "ces", "grain": "w", "width": "half"},
            {"type": "breakdown_bar", "metric": "ces", "by": "touchpoint", "width": "half"},
            {"type": "verbatim_list", "limit": 15, "width": "full"},
            {"type": "operational", "width": "full", "journey": "get-support"},
        ],
    },
]


@demo_step("journey-data", order=60)
def load_journey_data(ctx: DemoContext) -> None:
    org, actor = _actor(ctx)
    rng = np.random.default_rng(SEED)
    bound, added = _bind(actor)
    directory = journeys.touchpoint_directory(org)
    have = _answers_per_touchpoint(org, list(directory))
    thin = [key for key in PULSE_PROFILE if key in directory and have.get(key, 0) < MIN_FEEDBACK]
    recorded = _pulse(org, actor, rng, thin)
    ops = _operational(actor, rng)
    for document in DASHBOARDS:
        dashboards.save_dashboard(actor, document)
    ctx.say(
        f"survey questions bound to {bound} journey touchpoints"
        + (f" ({added} of them new)" if added else "")
        + f", {recorded} journey-pulse responses, "
        f"{ops} operational metric rows, {len(DASHBOARDS)} role dashboards"
    )
