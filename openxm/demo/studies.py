"""FreshNeighbor's analysis studies: a KANO feature study of the delivery app, a SERVQUAL study of
the stores, and a purchase-satisfaction survey with its key drivers and importance–performance grid.

The answers are simulated from a seeded generator with a known structure, so the pages show
what the methods should find: live tracking is one-dimensional, delivery slots and
substitutions are must-be, contactless delivery and one-tap reorder attract, recommendations
leave people indifferent; every SERVQUAL dimension falls short of expectations, responsiveness
most; product availability drives purchase satisfaction most, then delivery.
"""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.analysis import services as analysis
from openxm.surveys import collect
from openxm.surveys import services as surveys
from openxm.surveys.models import Response

from .loader import DemoContext, demo_step

SEED = 20240611
DAYS = 120

KANO_KEY, SERVQUAL_KEY, CSAT_KEY = "demo-kano-app", "demo-servqual-stores", "demo-purchase-csat"
KANO_RESPONSES, SERVQUAL_RESPONSES, CSAT_RESPONSES = 240, 200, 320

STORES = ["sh-jingan", "sh-pudong", "hz-xihu", "sz-sip", "bj-chaoyang", "bj-haidian", "tj-heping"]

# Share of respondents per KANO category (A, O, M, I, R, Q) for each feature.
KANO_PROFILES = {
    "live_tracking": (0.20, 0.45, 0.20, 0.10, 0.03, 0.02),
    "delivery_slots": (0.08, 0.20, 0.50, 0.18, 0.02, 0.02),
    "contactless": (0.48, 0.12, 0.08, 0.25, 0.05, 0.02),
    "substitutions": (0.08, 0.30, 0.42, 0.15, 0.03, 0.02),
    "one_tap_reorder": (0.52, 0.15, 0.06, 0.22, 0.03, 0.02),
    "recommendations": (0.20, 0.07, 0.05, 0.50, 0.15, 0.03),
}
_MIDDLE = ["must_be", "neutral", "live_with"]
_IMPORTANCE = {"A": (3, 5), "O": (4, 5), "M": (4, 5), "I": (1, 3), "R": (1, 2), "Q": (2, 4)}

# Mean gap (perception − expectation) of each SERVQUAL dimension, and store effects.
SERVQUAL_GAPS = {
    "tangibles": -0.4,
    "reliability": -0.9,
    "responsiveness": -1.7,
    "assurance": -0.5,
    "empathy": -1.0,
}
STORE_EFFECT = {
    "sh-jingan": 0.35,
    "sh-pudong": 0.1,
    "hz-xihu": 0.2,
    "sz-sip": 0.0,
    "bj-chaoyang": -0.35,
    "bj-haidian": -0.1,
    "tj-heping": -0.25,
}
IMPORTANCE_SHARES = {
    "tangibles": 0.11,
    "reliability": 0.31,
    "responsiveness": 0.23,
    "assurance": 0.19,
    "empathy": 0.16,
}

# How much each part of a purchase moves overall satisfaction.
CSAT_EFFECTS = {"availability": 0.62, "fulfilment": 0.32, "staff": 0.2, "checkout": 0.08}
# The "what should we improve" option that matches a weak part of the purchase.
IMPROVE_OPTION = {
    "availability": "availability",
    "fulfilment": "delivery",
    "staff": "staff",
    "checkout": "waiting",
}


def _when(rng, now):
    completed = now - timedelta(days=float(rng.uniform(0.2, DAYS)))
    return completed - timedelta(minutes=float(rng.uniform(2, 12))), completed


# The studies' own names, so they are not confused with the library's surveys of the same template.
STUDY_TITLES = {
    "kano-feature-study": {
        "en": "Delivery app features (KANO study)",
        "zh-Hans": "外卖 App 功能研究（KANO）",
    },
    "servqual-22": {
        "en": "Store service quality (SERVQUAL study)",
        "zh-Hans": "门店服务质量研究（SERVQUAL）",
    },
    "transactional-csat": {"en": "Purchase satisfaction drivers study", "zh-Hans": "购买满意度驱动因素研究"},
}


def _survey(actor, template: str, key: str):
    existing = [s for s in surveys.list_surveys(actor) if s.key == key]
    if existing:
        return surveys.get_survey(actor, existing[0].id)
    survey = surveys.create_from_template(actor, template, key=key, title=STUDY_TITLES.get(template))
    surveys.publish_survey(actor, survey.pk)
    return surveys.get_survey(actor, survey.pk)


def _record(org, survey, rng, count: int, make) -> int:
    """Record ``count`` simulated responses (skipped when they are already there)."""
    if Response.objects.for_org(org).filter(survey=survey).count() >= count:
        return 0
    now = timezone.now()
    for i in range(count):
        started, completed = _when(rng, now)
        answers, extra = make(rng)
        collect.record_response(
            org,
            survey,
            collect.Submission(
                answers=answers,
                idempotency_key=f"demo-{survey.key}-{i:04d}",
                started_at=started,
                completed_at=completed,
                **extra,
            ),
        )
    return count


def _kano_pair(rng, category: str) -> tuple[str, str]:
    middle = str(rng.choice(_MIDDLE))
    if category == "A":
        return "like", str(rng.choice(_MIDDLE, p=[0.2, 0.5, 0.3]))
    if category == "O":
        return "like", "dislike"
    if category == "M":
        return str(rng.choice(_MIDDLE, p=[0.5, 0.3, 0.2])), "dislike"
    if category == "I":
        other = ["neutral", "live_with"] if middle == "must_be" else ["neutral", "must_be"]
        return middle, str(rng.choice(other))
    if category == "R":
        return ("dislike", middle) if rng.random() < 0.6 else (middle, "like")
    return ("like", "like") if rng.random() < 0.5 else ("dislike", "dislike")


def _kano_response(rng):
    segment = "regular" if rng.random() < 0.6 else "new"
    if segment == "regular":
        frequency = rng.choice(["weekly", "monthly", "rarely"], p=[0.45, 0.4, 0.15])
    else:
        frequency = rng.choice(["monthly", "rarely", "never"], p=[0.3, 0.4, 0.3])
    answers = {"frequency": str(frequency)}
    for feature, profile in KANO_PROFILES.items():
        shares = np.array(profile)
        if feature == "one_tap_reorder" and segment == "new":
            shares = np.array((0.36, 0.08, 0.05, 0.46, 0.03, 0.02))  # less to reorder yet
        category = str(rng.choice(list("AOMIRQ"), p=shares / shares.sum()))
        functional, dysfunctional = _kano_pair(rng, category)
        low, high = _IMPORTANCE[category]
        answers[feature] = {
            "functional": functional,
            "dysfunctional": dysfunctional,
            "importance": int(rng.integers(low, high + 1)),
        }
    channel = str(rng.choice(["app", "wechat", "email"], p=[0.55, 0.3, 0.15]))
    unit = {"app": "app", "wechat": "mini"}.get(channel, "")
    language = "zh-Hans" if rng.random() < 0.85 else "en"
    return answers, {"channel": channel, "unit": unit, "hidden": {"segment": segment}, "language": language}


def _servqual_items(document) -> list[tuple[str, str]]:
    return [
        (q["id"], q["dimension"])
        for page in document["pages"]
        for q in page["questions"]
        if q["type"] == "servqual"
    ]


def _allocation(rng) -> dict[str, int]:
    shares = rng.dirichlet(np.array(list(IMPORTANCE_SHARES.values())) * 12)
    points = [int(round(100 * s)) for s in shares]
    points[int(np.argmax(points))] += 100 - sum(points)
    return dict(zip(IMPORTANCE_SHARES, points, strict=True))


def _servqual_maker(items):
    item_shift = {}

    def make(rng):
        store = str(rng.choice(STORES))
        person = float(rng.normal(0, 0.45))
        answers = {}
        for qid, dimension in items:
            shift = item_shift.setdefault(qid, float(rng.normal(0, 0.25)))
            expectation = float(np.clip(round(rng.normal(6.2, 0.7)), 3, 7))
            gap = (
                SERVQUAL_GAPS[dimension]
                + shift
                + person
                + STORE_EFFECT[store] * (1.6 if dimension == "responsiveness" else 1.0)
                + rng.normal(0, 0.75)
            )
            perception = float(np.clip(round(expectation + gap), 1, 7))
            answers[qid] = {"expectation": int(expectation), "perception": int(perception)}
        answers["importance"] = _allocation(rng)
        channel = str(rng.choice(["email", "sms", "qr"], p=[0.45, 0.35, 0.2]))
        return answers, {
            "channel": channel,
            "unit": store,
            "hidden": {"company": "FreshNeighbor 鲜邻生活"},
            "language": "zh-Hans" if rng.random() < 0.8 else "en",
        }

    return make


def _five(latent: float, offset: float = 0.0) -> int:
    """A 1–5 rating from a latent score; most customers are satisfied, as in real CSAT data."""
    return 1 + int(np.searchsorted([-1.9, -1.2, -0.35, 0.75], latent + offset))


def _csat_response(rng):
    store = str(rng.choice(STORES))
    online = rng.random() < 0.55
    common = rng.normal(0, 1)
    latent = {part: 0.5 * common + np.sqrt(0.75) * rng.normal(0, 1) for part in CSAT_EFFECTS}
    if online:
        latent["fulfilment"] -= 0.35  # late deliveries
    latent["availability"] += STORE_EFFECT[store] * 0.8
    overall = sum(effect * latent[part] for part, effect in CSAT_EFFECTS.items()) + rng.normal(0, 0.55)
    csat = _five(overall, 0.3)
    parts = {part: _five(value, 0.35) for part, value in latent.items() if rng.random() > 0.02}
    answers = {
        "csat": csat,
        "parts": parts,
        "repurchase": int(np.clip(csat + rng.choice([-1, 0, 0, 0, 1]), 1, 5)),
    }
    if csat <= 3:
        worst = sorted(latent, key=latent.get)[:2]
        improve = {IMPROVE_OPTION[w] for w in worst} | ({"price"} if rng.random() < 0.3 else set())
        answers["improve"] = sorted(improve)
    if online:
        channel = str(rng.choice(["app", "sms", "wechat", "email"], p=[0.3, 0.3, 0.25, 0.15]))
    else:
        channel = str(rng.choice(["qr", "sms"], p=[0.6, 0.4]))
    hidden = {
        "store": store,
        "channel": "online" if online else "in_store",
        "order_id": f"FN{rng.integers(10**7)}",
    }
    return answers, {
        "channel": channel,
        "unit": store,
        "hidden": hidden,
        "language": "zh-Hans" if rng.random() < 0.85 else "en",
    }


def _study(actor, survey, kind: str, title: str, config: dict) -> None:
    if any(s.title == title for s in analysis.list_studies(actor, survey.pk)):
        return
    analysis.create_study(actor, survey=survey.pk, kind=kind, title=title, config=config)


@demo_step("studies", order=70)
def load_studies(ctx: DemoContext) -> None:
    org = ctx.organization or accounts.get_organization("demo")
    analyst = ctx.users.get("analyst") or accounts.bootstrap_user("analyst@demo.openxm.local", None)
    actor = accounts.actor_for_user(analyst, org, via="cli")
    rng = np.random.default_rng(SEED)

    kano = _survey(actor, "kano-feature-study", KANO_KEY)
    servqual = _survey(actor, "servqual-22", SERVQUAL_KEY)
    csat = _survey(actor, "transactional-csat", CSAT_KEY)
    made = _record(org, kano, rng, KANO_RESPONSES, _kano_response)
    items = _servqual_items(servqual.current_version.definition)
    made += _record(org, servqual, rng, SERVQUAL_RESPONSES, _servqual_maker(items))
    made += _record(org, csat, rng, CSAT_RESPONSES, _csat_response)

    parts = ["parts.availability", "parts.checkout", "parts.staff", "parts.fulfilment"]
    _study(actor, kano, "kano", "Delivery app features (KANO)", {"table": "berger"})
    _study(actor, servqual, "servqual", "Store service quality (SERVQUAL)", {})
    _study(
        actor,
        csat,
        "drivers",
        "What drives purchase satisfaction",
        {"outcome": "csat", "drivers": parts, "method": "relative-weights", "bootstrap": 200},
    )
    _study(
        actor,
        csat,
        "ipa",
        "Purchase experience: importance vs performance",
        {"attributes": parts, "outcome": "csat"},
    )
    ctx.extra["studies"] = {"kano": kano.pk, "servqual": servqual.pk, "csat": csat.pk}
    ctx.say(f"3 study surveys with {made} simulated responses and 4 analysis studies")
