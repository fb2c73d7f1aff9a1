"""Employees of the demo company answer the eNPS pulse and the internal-service matrix.

Three monthly waves: employees of every store and department answer the pulse (some groups are
smaller than the minimum of 5 — Hangzhou West Lake, Beijing Haidian, HR — so their figures and
their complements are suppressed), and the departments and stores rate the service they got from
the departments they dealt with. Responses go through ``collect.record_batch`` like any other,
so they are stored de-identified. Idempotent: the keys repeat, so a second run stores nothing.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys

from .loader import DemoContext, demo_step

# unit -> employees answering each wave
PULSE = {
    "sh-jingan": 12, "sh-pudong": 9, "hz-xihu": 4, "sz-sip": 7, "bj-chaoyang": 11, "bj-haidian": 3,
    "tj-heping": 8, "callcenter": 14, "logistics": 6, "store-ops": 5, "hr": 2,
}
# mean eNPS score (0-10) of each unit: the call centre is tired, Jing'an proud
MOOD = {"callcenter": 6.2, "sh-jingan": 8.6, "logistics": 7.0}
ITEMS = ("clarity", "resources", "manager_care", "recognition", "growth", "intent_to_stay")
# What employees write in "one thing to change" (about 70 % write one): enough for the larger
# groups to reach the comment threshold of 8, with themes the text analytics find.
COMMENTS = (
    "系统经常卡顿，客户排队等待时间太长",
    "主管很关心我们，团队氛围很好",
    "排班太紧，午饭时间经常被占用",
    "培训不够，新同事服务态度不专业",
    "The scheduling app keeps crashing during busy hours",
    "Great colleagues, friendly and helpful staff",
)
# requester unit -> (respondents, providers they dealt with)
MATRIX = {
    "store-ops": (9, ("logistics", "hr", "it", "finance")),
    "callcenter": (8, ("logistics", "it", "hr")),
    "sh-jingan": (6, ("logistics", "hr")),
    "bj-chaoyang": (5, ("logistics", "it")),
    "logistics": (3, ("it", "finance", "purchasing")),
}
# provider -> mean CSAT (1-5)
SERVICE = {"logistics": 3.4, "hr": 4.1, "it": 3.0, "finance": 3.8, "purchasing": 4.0}


def _waves(now: datetime) -> list[datetime]:
    first = now.replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    out = []
    for back in (2, 1, 0):
        month = first
        for _ in range(back):
            month = (month - timedelta(days=1)).replace(day=1)
        out.append(min(month + timedelta(days=4), now - timedelta(hours=1)))
    return out


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


@demo_step("employees", order=78)
def load_employees(ctx: DemoContext) -> None:
    org = ctx.organization
    actor = accounts.operator_actor(org)
    pulse = surveys.get_survey(actor, "enps-pulse")
    service = surveys.get_survey(actor, "internal-service-matrix")
    rng = random.Random(16)  # noqa: S311 - simulated data, not security
    talk = random.Random(160)  # noqa: S311 - its own draws, so the scores stay as they were
    stored = 0
    for w, when in enumerate(_waves(timezone.now())):
        subs = []
        for unit, n in PULSE.items():
            for i in range(n):
                score = _clip(rng.gauss(MOOD.get(unit, 7.4) + 0.3 * w, 2.0), 0, 10)
                items = {item: _clip(rng.gauss(2 + score / 3.3, 0.8), 1, 5) for item in ITEMS}
                tenure = rng.choice([0.5, 2, 4, 8])
                attributes = {"tenure": tenure, "age": rng.randint(20, 58)}
                answers = {"enps": score, "engagement": items}
                if talk.random() < 0.7:
                    answers["one_change"] = talk.choice(COMMENTS)
                subs.append(collect.Submission(
                    answers=answers,
                    idempotency_key=f"demo-pulse-{unit}-{i}-{w}",
                    channel="email",
                    unit=unit,
                    completed_at=when,
                    contact=collect.ContactRef(f"emp-{unit}-{i}", {"kind": "employee"}, attributes),
                ))
        stored += sum(r.created for r in collect.record_batch(org, pulse, subs))
        subs = []
        for requester, (n, providers) in MATRIX.items():
            for i in range(n):
                answers = {"dealt_with": list(providers)}
                for provider in providers:
                    answers[f"service_{provider}"] = _clip(rng.gauss(SERVICE[provider] + 0.1 * w, 0.9), 1, 5)
                subs.append(collect.Submission(
                    answers=answers, idempotency_key=f"demo-service-{requester}-{i}-{w}", channel="email",
                    unit=requester, completed_at=when,
                ))
        stored += sum(r.created for r in collect.record_batch(org, service, subs))
    if stored:
        ctx.say(f"employee responses: {stored} (eNPS pulse and internal-service matrix, three waves)")
