"""Action-plan pages: the list (with a form for a new plan), one plan (its impact, tasks and log,
and forms to change them) and the improvement backlog. Each view parses the form and calls one
service; permissions and scope are the services'."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.analytics import impact as impact_math
from openxm.insights import charts
from openxm.web.views import member_required

from . import measure, services
from .models import ActionPlan

_FORM_FIELDS = services.FIELDS


def _posted(post) -> dict:
    return {name: post.get(name, "").strip() for name in _FORM_FIELDS if name in post}


def _choices(actor) -> dict:
    return {
        "statuses": ActionPlan.Status.choices,
        "metrics": ActionPlan.Metric.choices,
        "controls": ActionPlan.Control.choices,
        "root_causes": services.root_cause_choices(actor),
    }


@member_required(Perm.DASHBOARDS_VIEW)
def plan_list(request):
    actor = request.actor
    form, problem = {"metric": "nps", "window_days": 42}, None
    if request.method == "POST":
        form = _posted(request.POST)
        try:
            plan = services.create_plan(actor, form)
            messages.success(request, _("Action plan created."))
            return redirect("plans:detail", plan_id=plan.pk)
        except InvalidInput as exc:
            problem = exc
    status = request.GET.get("status", "")
    return render(
        request,
        "plans/list.html",
        {
            "plans": services.list_plans(actor, status if status in ActionPlan.Status.values else ""),
            "status": status,
            "form": form,
            "problem": problem,
            "can_manage": actor.can(Perm.PLANS_MANAGE),
            **_choices(actor),
        },
    )


def _cell_labels() -> dict[str, str]:
    return {
        "before": pgettext("plan period", "Before"),
        "after": pgettext("plan period", "After"),
        "treated before": _("Plan's group, before"),
        "treated after": _("Plan's group, after"),
        "control before": _("Control, before"),
        "control after": _("Control, after"),
    }


_RANGE = {"share": (0.0, 100.0), "net": (-100.0, 100.0)}


def _cells_chart(measured) -> charts.Chart | None:
    result = measured.did or measured.before_after
    if result is None:
        return None
    labels = _cell_labels()
    cells = result.cells
    z = 1.959964
    # The normal interval of a share near 0 % reaches below it: draw it inside the metric's range.
    floor, ceiling = _RANGE.get(impact_math.METRICS[measured.plan.metric].kind, (None, None))
    low = [c.estimate - z * c.se if c.se is not None else None for c in cells]
    high = [c.estimate + z * c.se if c.se is not None else None for c in cells]
    if floor is not None:
        low = [max(floor, v) if v is not None else None for v in low]
        high = [min(ceiling, v) if v is not None else None for v in high]
    return charts.bars(
        "plan-impact",
        _("The metric in each group and period with its confidence interval (95%)"),
        [labels[c.label] for c in cells],
        [c.estimate for c in cells],
        low,
        high,
        [c.n for c in cells],
        name=measured.plan.get_metric_display(),
        filename=f"plan-{measured.plan.pk}-impact",
        horizontal=False,
    )


@member_required(Perm.DASHBOARDS_VIEW)
def plan_detail(request, plan_id):
    actor = request.actor
    plan = services.get_plan(actor, plan_id)
    problem = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "update":
                services.update_plan(actor, plan.pk, _posted(request.POST))
                messages.success(request, _("Action plan saved."))
            elif action == "add_task":
                services.add_task(
                    actor,
                    plan.pk,
                    request.POST.get("task_title", ""),
                    request.POST.get("task_assignee", ""),
                    request.POST.get("task_due", ""),
                )
            elif action in ("task_done", "task_reopen"):
                services.set_task_done(
                    actor, plan.pk, int(request.POST.get("task", 0)), action == "task_done"
                )
            elif action == "remove_task":
                services.remove_task(actor, plan.pk, int(request.POST.get("task", 0)))
            return redirect("plans:detail", plan_id=plan.pk)
        except InvalidInput as exc:
            problem = exc
        except ValueError:
            problem = InvalidInput("task", _("is not a task of this plan"))
        plan = services.get_plan(actor, plan_id)
    measured = measure.impact(actor, plan.pk)
    chart = _cells_chart(measured)
    labels = _cell_labels()
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "root_cause_name": dict(services.root_cause_choices(actor)).get(plan.root_cause, plan.root_cause),
            "tasks": services.tasks_of(plan),
            "events": services.events_of(plan),
            "measured": measured,
            "results": [
                {
                    "impact": r,
                    "verdict": measure.verdict_text(r.verdict),
                    "reasons": [measure.reason_text(code) for code in r.reasons],
                    "cells": [(labels.get(c.label, c.label), c) for c in r.cells],
                }
                for r in (measured.before_after, measured.did)
                if r is not None
            ],
            "missing": measure.reason_text(measured.missing) if measured.missing else "",
            "form": _form_of(plan) if problem is None else {**_form_of(plan), **_posted(request.POST)},
            "rules": measure.RULES,
            "chart": chart,
            "payloads": {chart.id: chart.payload()} if chart else {},
            "problem": problem,
            "can_manage": actor.can(Perm.PLANS_MANAGE),
            "user_id": actor.user.pk if actor.user else None,
            **_choices(actor),
        },
    )


def _form_of(plan: ActionPlan) -> dict:
    return {
        **{name: getattr(plan, name) for name in ("title", "description", "status", "metric", "window_days")},
        **{
            name: getattr(plan, name)
            for name in ("touchpoint", "topic", "root_cause", "control_kind", "control")
        },
        "owner": plan.owner.email if plan.owner else "",
        "unit": plan.unit.code if plan.unit else "",
        "due_date": plan.due_date.isoformat() if plan.due_date else "",
        "go_live": plan.go_live.isoformat() if plan.go_live else "",
    }


@member_required(Perm.PLANS_MANAGE)
@require_POST
def plan_delete(request, plan_id):
    services.delete_plan(request.actor, plan_id)
    messages.success(request, _("Action plan deleted."))
    return redirect("plans:list")


def _number(text, field, cast, default):
    if text in (None, ""):
        return default
    try:
        return cast(text)
    except ValueError:
        raise InvalidInput(field, _("is not a number")) from None


@member_required(Perm.DASHBOARDS_VIEW)
def backlog(request):
    actor = request.actor
    get = request.GET
    form = {k: get.get(k, "") for k in ("days", "target", "min_volume", "attribute", "weights")}
    result, problem = None, None
    try:
        query = measure.BacklogRequest(
            days=_number(form["days"], "days", int, 90),
            target=_number(form["target"], "target", float, 30.0),
            min_volume=_number(form["min_volume"], "min_volume", int, 10),
            attribute=form["attribute"].strip(),
            weights=measure.parse_weights(form["weights"]),
        )
        result = measure.backlog(actor, query)
    except InvalidInput as exc:
        problem = exc
    kinds = {
        "touchpoint": _("Touchpoint"),
        "topic": _("Topic"),
        "unit": _("Unit"),
        "root_cause": _("Root cause"),
    }
    return render(
        request,
        "plans/backlog.html",
        {"backlog": result, "form": form, "problem": problem, "kinds": kinds},
    )
