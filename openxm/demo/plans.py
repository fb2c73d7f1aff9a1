"""Demo action plans: one whose go-live date splits the demo's data, on the planted CSAT
improvement of the East stores (``collection.IMPROVED_STORES``) with the North stores as
control, so its measured effect is real; one on the root cause "late delivery" of the cases,
measured by the share of responses whose case had that cause before and after the delivery-slot
promise went live (the service desk's history in ``demo/cases.py`` falls after it); and one that
went live five days ago, so it shows "not enough data yet".
"""

from datetime import timedelta

from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.plans import services as plans

from .cases import PROMISE_DAYS_AGO
from .collection import IMPROVEMENT_DAYS_AGO, TZ
from .loader import DemoContext, demo_step

QUEUE_TITLE = "收银台排队分流 Queue-busting at the tills (East)"
CALLBACK_TITLE = "工单当日回电 Same-day callbacks on tickets"
PROMISE_TITLE = "送达时段承诺 Delivery-slot promise"


@demo_step("plans", order=90)
def load_plans(ctx: DemoContext) -> None:
    org = ctx.organization
    analyst = accounts.actor_for_user(ctx.users["analyst@demo.openxm.local"], org, via="cli")
    if plans.list_plans(analyst):
        ctx.say("plans: already loaded")
        return
    today = timezone.now().astimezone(TZ).date()
    queue = plans.create_plan(
        analyst,
        {
            "title": QUEUE_TITLE,
            "description": "Open a second till and a mobile checkout at peak hours; measured on CSAT "
            "against the North stores, which kept their tills as they were.",
            "unit": "east",
            "topic": "waiting_time",
            "metric": "csat",
            "go_live": today - timedelta(days=IMPROVEMENT_DAYS_AGO),
            "due_date": today - timedelta(days=IMPROVEMENT_DAYS_AGO - 14),
            "status": "active",
            "control_kind": "unit",
            "control": "north",
            "window_days": 84,
        },
    )
    plans.add_task(analyst, queue.pk, "Staff rota for peak hours", "admin@demo.openxm.local")
    done = plans.add_task(analyst, queue.pk, "Mobile checkout devices", "analyst@demo.openxm.local")
    plans.set_task_done(analyst, queue.pk, done.pk, True)
    promise = plans.create_plan(
        analyst,
        {
            "title": PROMISE_TITLE,
            "description": "Customers choose a one-hour delivery slot and couriers are routed to keep it; "
            "measured by the share of responses whose case was resolved as a late delivery.",
            "root_cause": "late-delivery",
            "metric": "root_cause_share",
            "go_live": today - timedelta(days=PROMISE_DAYS_AGO),
            "due_date": today - timedelta(days=PROMISE_DAYS_AGO - 7),
            "status": "active",
            "window_days": PROMISE_DAYS_AGO,
        },
    )
    plans.add_task(analyst, promise.pk, "Slot picker in the app", "analyst@demo.openxm.local")
    plans.create_plan(
        analyst,
        {
            "title": CALLBACK_TITLE,
            "unit": "callcenter",
            "metric": "ces",
            "go_live": today - timedelta(days=5),
            "status": "active",
        },
    )
    ctx.say("plans: 3 action plans (against a control, on a root cause, and one too new to tell)")
