"""FreshNeighbor closes the loop: case settings, and one complaint worked from alert to recovery.

Step ``cases`` (order 90, after the alerts replay): the CX admin sets up the Shanghai office
calendar (09:00–12:00 and 13:00–18:00, China's holidays and make-up working days), case owners
for the Jing'an store (its manager) and the East region (the CX admin, who hears escalations),
the service desk team, root-cause codes, recovery actions with their costs and the follow-up
through the quarterly NPS e-mail; then adds ``case`` to the detractors rule (the replayed history
stays without cases). The story: a customer of the Jing'an store complains (NPS 2, late and
damaged delivery); the rule opens a case for the store manager; she calls the customer back,
resolves the case with the root cause "late delivery" and a 30-yuan voucher; the follow-up
comes back as a promoter (NPS 9), so the recovery rate moves. Idempotent by keys and
idempotency keys.
"""

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.cases import actions, config, metrics
from openxm.cases import services as cases
from openxm.distribution import services as distribution
from openxm.surveys import collect
from openxm.surveys import services as surveys

from .alerts import RULES
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
CASE_RULES = RULES.replace(
    "      - notify: [admin@demo.openxm.local, store.jingan@demo.openxm.local]\n",
    "      - notify: [admin@demo.openxm.local, store.jingan@demo.openxm.local]\n"
    "      - case: {assign: owner}\n",
)
CUSTOMER = collect.ContactRef("demo-recovery-1", {"name": "吴芳 Wu Fang", "email": "wu.fang@example.com"})


def _setup(admin, org) -> None:
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
    followup = [
        d.id
        for d in distribution.list_distributions(admin)
        if d.channel == "email" and d.active and "NPS" in d.name
    ]
    config.update_settings(admin, default_calendar="cn-office", followup_distributions=followup[:1])


@demo_step("cases", order=90)
def load_cases(ctx: DemoContext) -> None:
    org = ctx.organization
    admin = accounts.actor_for_user(ctx.users["admin@demo.openxm.local"], org, via="cli")
    manager = accounts.actor_for_user(ctx.users["store.jingan@demo.openxm.local"], org, via="cli")
    _setup(admin, org)
    alerts.apply_document(admin, CASE_RULES)
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
