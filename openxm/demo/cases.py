"""FreshNeighbor closes the loop: case settings, the service desk's history, and one complaint
worked from alert to recovery.

Step ``case-setup`` (order 89, after the alerts replay): the CX admin sets up the Shanghai office
calendar (09:00–12:00 and 13:00–18:00, China's holidays and make-up working days), case owners
for the Jing'an store (its manager) and the East region (the CX admin, who hears escalations),
the service desk team, root-cause codes and recovery actions with their costs. Then the service
desk's history behind the action plan on late deliveries (``demo/plans.py``): detractors of the
last ``2 × PROMISE_DAYS_AGO`` days got a case resolved with the root cause "late delivery" — half
of them before the delivery-slot promise went live ``PROMISE_DAYS_AGO`` days ago, a tenth after
(seeded), so the plan's measured share of late-delivery cases falls. These cases are recorded as
worked on the day the demo loads (their SLA clocks are not the history's) and get no follow-up:
the follow-up is configured in the next step, after they are committed.

Step ``cases`` (order 90): the follow-up through the quarterly NPS e-mail; then the service
desk's webhook and ``case`` are added to the detractors rule (the replayed alerts stay without
cases or deliveries). The story: a customer of the Jing'an store complains (NPS 2, late and
damaged delivery); the rule calls the webhook and opens a case for the store manager; she calls
the customer back, resolves the case with the root cause "late delivery" and a 30-yuan voucher;
the follow-up comes back as a promoter (NPS 9), so the recovery rate moves. Idempotent by keys
and idempotency keys (a second run gives the webhook a new secret).
"""

import base64
import random
import secrets
from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.cases import actions, config, metrics
from openxm.cases import services as cases
from openxm.distribution import services as distribution
from openxm.surveys import collect, door
from openxm.surveys import services as surveys

from .alerts import RULES
from .collection import TZ
from .loader import DemoContext, demo_step

OFFICE = [[["09:00", "12:00"], ["13:00", "18:00"]]] * 5 + [[], []]
ROOT_CAUSES = [
    ("late-delivery", "配送延误 Late delivery"),
    ("damaged-goods", "商品破损 Damaged goods"),
    ("out-of-stock", "缺货 Out of stock"),
    ("staff-attitude", "服务态度 Staff attitude"),
    ("wrong-item", "错发漏发 Wrong or missing item"),
]
RECOVERY = [
    ("apology", "致歉 Apology", "0"),
    ("callback", "回电 Callback", "0"),
    ("voucher", "代金券 Voucher", "30"),
    ("refund", "退款 Refund", "0"),
    ("redelivery", "重新配送 Re-delivery", "15"),
]
# The service desk's ticketing tool hears of every new detractor through a signed webhook. The
# demo has no such tool: its address is reserved (RFC 2606), so the delivery is recorded and its
# attempts fail and are retried, as they would with a receiver that is down.
WEBHOOK_URL = "https://service-desk.example.com/hooks/openxm"
CASE_RULES = "webhooks:\n  - {key: service-desk, format: standard, url: %s, secret: %s}\n" + RULES.replace(
    "      - notify: [admin@demo.openxm.local, store.jingan@demo.openxm.local]\n",
    "      - notify: [admin@demo.openxm.local, store.jingan@demo.openxm.local]\n"
    "      - webhook: service-desk\n"
    "      - case: {assign: owner}\n",
)
# The delivery-slot promise (the action plan on late deliveries) went live this many days ago;
# the share of detractors whose case was a late delivery before and after it.
PROMISE_DAYS_AGO = 42
LATE_SHARE = {"before": 0.5, "after": 0.1}
HISTORY_SEED = 1414
CUSTOMER = collect.ContactRef("demo-recovery-1", {"name": "吴芳 Wu Fang", "email": "wu.fang@example.com"})


def _setup(admin) -> None:
    config.save_calendar(
        admin, "cn-office", "上海办公时间 Shanghai office", "Asia/Shanghai", OFFICE, country="CN"
    )
    config.save_team(
        admin,
        "service-desk",
        "客服中心 Service desk",
        ["agent@demo.openxm.local", "agent2@demo.openxm.local"],
    )
    config.set_unit(admin, "east", owner="admin@demo.openxm.local")
    config.set_unit(admin, "sh-jingan", owner="store.jingan@demo.openxm.local")
    for key, name in ROOT_CAUSES:
        config.save_root_cause(admin, key, name)
    for key, name, cost in RECOVERY:
        config.save_recovery_action(admin, key, name, cost)


def _followup(admin) -> None:
    followup = [
        d.id
        for d in distribution.list_distributions(admin)
        if d.channel == "email" and d.active and "NPS" in d.name
    ]
    config.update_settings(admin, default_calendar="cn-office", followup_distributions=followup[:1])


@demo_step("case-setup", order=89)
def load_case_setup(ctx: DemoContext) -> None:
    org = ctx.organization
    admin = accounts.actor_for_user(ctx.users["admin@demo.openxm.local"], org, via="cli")
    _setup(admin)
    agent = accounts.actor_for_user(ctx.users["agent@demo.openxm.local"], org, via="cli")
    late = _history(agent)
    ctx.say(f"cases: {late} late-delivery cases in the service desk's history")


def _history(agent) -> int:
    """Resolve the late-delivery cases of the history (see the module docstring); returns how
    many there are. Idempotent: a response has one case without a rule."""
    org = agent.organization
    today = timezone.now().astimezone(TZ).date()
    go_live = today - timedelta(days=PROMISE_DAYS_AGO)
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - simulated data, not security
    late = 0
    for period, first, last in (
        ("before", go_live - timedelta(days=PROMISE_DAYS_AGO), go_live - timedelta(days=1)),
        ("after", go_live, today - timedelta(days=1)),
    ):
        detractors = (
            door.answers(agent.scope, door.Slice.days(org, first, last))
            .filter(qtype="nps", value_number__lte=6)
            .order_by("response_id")
            .values_list("response_id", flat=True)
            .distinct()
        )
        for response_id in detractors:
            if rng.random() >= LATE_SHARE[period]:
                continue
            case = cases.open_case(agent, response_id=response_id)
            late += 1
            if case.state == "new":
                actions.transition(
                    agent,
                    case.pk,
                    "resolved",
                    "补送并致歉 Re-delivered",
                    root_cause="late-delivery",
                    recovery="redelivery",
                )
    return late


@demo_step("cases", order=90)
def load_cases(ctx: DemoContext) -> None:
    org = ctx.organization
    admin = accounts.actor_for_user(ctx.users["admin@demo.openxm.local"], org, via="cli")
    manager = accounts.actor_for_user(ctx.users["store.jingan@demo.openxm.local"], org, via="cli")
    _followup(admin)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    alerts.apply_document(admin, CASE_RULES % (WEBHOOK_URL, secret))
    nps = surveys.get_survey(admin, "relationship-nps")
    complaint = collect.Submission(
        answers={
            "nps": 2,
            "reason_detractor": "配送晚了两个小时，鸡蛋还碎了三个。The delivery was two hours late.",
        },
        idempotency_key="demo-case-complaint",
        unit="sh-jingan",
        contact=CUSTOMER,
    )
    response = collect.record_response(org, nps, complaint).response
    # The rule runs once the storing transaction commits; the demo step runs in one transaction,
    # so it evaluates the new response itself (once per rule and response, like the receiver).
    from openxm.alerts.evaluate import evaluate_responses

    evaluate_responses(org, [response.pk], text=False, email=False)
    case = cases.list_cases(manager, cases.Filters(response=response.pk))[0]
    if case.state == "new":
        actions.log_contact(
            manager, case.pk, "call", "致电客户道歉，确认补发鸡蛋并赠送代金券 Called, apologised, voucher"
        )
        actions.transition(
            manager,
            case.pk,
            "resolved",
            "补发并赠送30元代金券",
            root_cause="late-delivery",
            recovery="voucher",
        )
    answer = collect.Submission(
        answers={"nps": 9, "reason_promoter": "客服很快联系了我，问题解决了。"},
        idempotency_key="demo-case-followup",
        hidden={"case": str(case.pk)},
        contact=CUSTOMER,
    )
    collect.record_response(org, nps, answer)
    rate = metrics.summary(admin)["recovery"]
    ctx.say(f"cases: case #{case.pk} resolved with a voucher; recovery rate {rate['recovered']}/{rate['n']}")
