"""Action plans: create, change, list and delete plans and their tasks. The pages, the API and
the CLI call these; measuring a plan's impact and the backlog are in :mod:`openxm.plans.measure`.

Permissions: reading needs ``dashboards.view``; changing a plan or its tasks needs
``plans.manage``, except that a task's assignee may tick their own task done (or undo it).
Unit scope: a member or key limited to a unit sees and changes only plans of that unit and the
units below it; a plan they create is given their unit when they name none. Each change writes
one :class:`~openxm.plans.models.PlanEvent` and one audit entry (``plan.created``,
``plan.updated``, ``plan.deleted``, ``plan.task_added``, ``plan.task_done``,
``plan.task_reopened``, ``plan.task_removed``) in the same transaction.

Root causes are the cases app's per-organization codes; a plan keeps the code as text, and a
code it is given must be one of them (:func:`openxm.cases.services.root_cause_codes`).
"""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor, PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import unit_tree
from openxm.accounts.services import member_actors
from openxm.cases import services as cases

from .models import ActionPlan, PlanEvent, PlanTask

FIELDS = (
    "title",
    "description",
    "owner",
    "due_date",
    "go_live",
    "status",
    "touchpoint",
    "topic",
    "unit",
    "root_cause",
    "metric",
    "control_kind",
    "control",
    "window_days",
)
_CODE = re.compile(r"[\w.:/-]{1,100}")
MIN_WINDOW, MAX_WINDOW = 7, 365


def _visible(actor: Actor):
    plans = ActionPlan.objects.for_org(actor.organization).select_related("owner", "unit")
    if actor.scope.limited:
        plans = plans.filter(unit_id__in=actor.scope.unit_ids)
    return plans


def list_plans(actor: Actor, status: str = "", target: tuple[str, str] | None = None) -> list[ActionPlan]:
    """The plans the actor may see, newest first; ``target`` = (kind, code) narrows to plans on
    that touchpoint, topic, unit or root cause."""
    actor.require(Perm.DASHBOARDS_VIEW)
    plans = _visible(actor)
    if status:
        if status not in ActionPlan.Status.values:
            raise InvalidInput(
                "status", _("must be one of %(c)s") % {"c": ", ".join(ActionPlan.Status.values)}
            )
        plans = plans.filter(status=status)
    if target:
        kind, code = target
        column = {
            "touchpoint": "touchpoint",
            "topic": "topic",
            "unit": "unit__code",
            "root_cause": "root_cause",
        }
        if kind not in column:
            raise InvalidInput("target", _("must be touchpoint, topic, unit or root_cause"))
        plans = plans.filter(**{column[kind]: code})
    return list(plans)


def root_cause_choices(actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the root causes a plan may target: the cases app's codes."""
    actor.require(Perm.DASHBOARDS_VIEW)
    return cases.root_cause_codes(actor.organization)


def get_plan(actor: Actor, plan_id: int) -> ActionPlan:
    """One plan inside the actor's scope, else NotFound."""
    actor.require(Perm.DASHBOARDS_VIEW)
    plan = _visible(actor).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("action plan", plan_id)
    return plan


def tasks_of(plan: ActionPlan) -> list[PlanTask]:
    return list(plan.tasks.select_related("assignee"))


def events_of(plan: ActionPlan, limit: int = 100) -> list[PlanEvent]:
    return list(plan.events.all()[:limit])


# --- Checking input ---------------------------------------------------------------------------


def _member(actor: Actor, email, field: str):
    if email in (None, ""):
        return None
    found = member_actors(actor.organization, [str(email)])
    if not found:
        raise InvalidInput(field, _("is not a member of this organization"))
    return next(iter(found.values())).user


def _date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(field, _("is not a date (YYYY-MM-DD)")) from None


def _code(value, field: str) -> str:
    text = str(value or "").strip()
    if text and not _CODE.fullmatch(text):
        raise InvalidInput(field, _("must be a code of letters, digits and . : / _ - (at most 100)"))
    return text


def _unit_id(actor: Actor, code: str, field: str) -> int:
    """The unit's id; a unit outside the actor's scope is as unknown as a missing one."""
    try:
        actor.scope.units(code)
    except NotFound:
        raise InvalidInput(field, _("is not a unit you can see")) from None
    return next(pk for pk, unit_code, _p in unit_tree(actor.organization) if unit_code == code)


def _choice(value, choices, field: str) -> str:
    if value not in choices:
        raise InvalidInput(field, _("must be one of %(c)s") % {"c": ", ".join(c or '""' for c in choices)})
    return value


def _clean(actor: Actor, data: dict) -> dict:
    """Checked model values of the given fields (unknown fields refused). Cross-field rules are
    checked on the plan as it will be (:func:`_check_whole`)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], _("is not a field of an action plan"))
    values: dict = {}
    for name, raw in data.items():
        if name == "title":
            title = str(raw or "").strip()
            if not title:
                raise InvalidInput("title", _("is required"))
            if len(title) > 200:
                raise InvalidInput("title", _("is longer than %(n)s characters") % {"n": 200})
            values["title"] = title
        elif name == "description":
            values["description"] = str(raw or "").strip()
        elif name == "owner":
            values["owner"] = _member(actor, raw, "owner")
        elif name in ("due_date", "go_live"):
            values[name] = _date(raw, name)
        elif name == "status":
            values["status"] = _choice(raw, ActionPlan.Status.values, "status")
        elif name == "metric":
            values["metric"] = _choice(raw, ActionPlan.Metric.values, "metric")
        elif name == "control_kind":
            values["control_kind"] = _choice(raw or "", ActionPlan.Control.values, "control_kind")
        elif name in ("touchpoint", "topic", "root_cause", "control"):
            values[name] = _code(raw, name)
        elif name == "unit":
            code = _code(raw, "unit")
            values["unit_id"] = _unit_id(actor, code, "unit") if code else None
        elif name == "window_days":
            try:
                days = int(raw)
            except (TypeError, ValueError):
                raise InvalidInput("window_days", _("is not a whole number")) from None
            if not MIN_WINDOW <= days <= MAX_WINDOW:
                raise InvalidInput(
                    "window_days", _("must be between %(a)s and %(b)s") % {"a": MIN_WINDOW, "b": MAX_WINDOW}
                )
            values["window_days"] = days
    return values


def _check_whole(actor: Actor, plan: ActionPlan) -> None:
    """Rules across fields, on the plan as it is about to be saved."""
    if actor.scope.limited and plan.unit_id is None:
        raise InvalidInput("unit", _("is required: your membership is limited to a unit"))
    if plan.metric == ActionPlan.Metric.NEGATIVE_SHARE and not plan.topic:
        raise InvalidInput("topic", _("is required to measure a topic's negative share"))
    if plan.metric == ActionPlan.Metric.ROOT_CAUSE_SHARE and not plan.root_cause:
        raise InvalidInput("root_cause", _("is required to measure a root cause's share"))
    if plan.root_cause and plan.root_cause not in dict(cases.root_cause_codes(actor.organization)):
        raise InvalidInput("root_cause", _("is not one of this organization's root-cause codes"))
    if plan.control_kind and not plan.control:
        raise InvalidInput("control", _("is required when a control group is chosen"))
    if plan.control and not plan.control_kind:
        raise InvalidInput("control_kind", _("must be touchpoint or unit when a control is given"))
    if plan.control_kind == ActionPlan.Control.TOUCHPOINT:
        if not plan.touchpoint:
            raise InvalidInput("control", _("a control touchpoint needs the plan's own touchpoint"))
        if plan.control == plan.touchpoint:
            raise InvalidInput("control", _("must differ from the plan's touchpoint"))
    if plan.control_kind == ActionPlan.Control.UNIT:
        if plan.unit_id is None:
            raise InvalidInput("control", _("a control unit needs the plan's own unit"))
        try:
            control_units = actor.scope.units(plan.control)
        except NotFound:
            raise InvalidInput("control", _("is not a unit you can see")) from None
        if control_units & actor.scope.units(plan.unit_id):
            raise InvalidInput("control", _("overlaps the plan's unit; choose a unit outside it"))


def _shown(value):
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "email"):
        return value.email
    if hasattr(value, "code"):  # a unit
        return value.code
    return value


def _event(actor: Actor, plan: ActionPlan, action: str, data: dict) -> None:
    PlanEvent.objects.for_org(actor.organization).create(
        organization=actor.organization, plan=plan, actor_label=actor.label, action=action, data=data
    )
    audit.record(actor, f"plan.{action}", target_type="action_plan", target_id=plan.pk, data=data)


# --- Changing plans ---------------------------------------------------------------------------


@transaction.atomic
def create_plan(actor: Actor, data: dict) -> ActionPlan:
    """A new plan from ``data`` (FIELDS; ``title`` required). Owner defaults to the actor."""
    actor.require(Perm.PLANS_MANAGE)
    values = _clean(actor, {"title": data.get("title", ""), **data})
    if actor.scope.limited and values.get("unit_id") is None:
        values["unit_id"] = _own_unit(actor)
    if values.get("owner") is None:  # a form sends an empty owner: the creator owns the plan
        values["owner"] = actor.user
    plan = ActionPlan(organization=actor.organization, created_by=actor.user, **values)
    _check_whole(actor, plan)
    plan.save()
    _event(actor, plan, "created", {k: _shown(getattr(plan, k)) for k in FIELDS if getattr(plan, k, None)})
    return plan


def _own_unit(actor: Actor) -> int:
    return next(pk for pk, code, _p in unit_tree(actor.organization) if code == actor.scope.unit_code)


@transaction.atomic
def update_plan(actor: Actor, plan_id: int, data: dict) -> ActionPlan:
    """Change the given fields; records {field: [from, to]} of those that changed."""
    actor.require(Perm.PLANS_MANAGE)
    plan = get_plan(actor, plan_id)
    values = _clean(actor, data)
    changed = {}
    for name, value in values.items():
        before = getattr(plan, name)
        if before != value:
            setattr(plan, name, value)  # setting unit_id also drops the cached unit
            if name == "unit_id":
                changed["unit"] = [_unit_code(plan, before), _unit_code(plan, value)]
            else:
                changed[name] = [_shown(before), _shown(value)]
    if not changed:
        return plan
    _check_whole(actor, plan)
    plan.updated_at = timezone.now()
    plan.save()
    _event(actor, plan, "status" if set(changed) == {"status"} else "updated", changed)
    return plan


def _unit_code(plan: ActionPlan, unit_id) -> str:
    if unit_id is None:
        return ""
    return next((code for pk, code, _p in unit_tree(plan.organization) if pk == unit_id), "")


@transaction.atomic
def delete_plan(actor: Actor, plan_id: int) -> None:
    actor.require(Perm.PLANS_MANAGE)
    plan = get_plan(actor, plan_id)
    audit.record(
        actor, "plan.deleted", target_type="action_plan", target_id=plan.pk, data={"title": plan.title}
    )
    plan.delete()


# --- Tasks ------------------------------------------------------------------------------------


@transaction.atomic
def add_task(actor: Actor, plan_id: int, title: str, assignee: str = "", due=None) -> PlanTask:
    actor.require(Perm.PLANS_MANAGE)
    plan = get_plan(actor, plan_id)
    title = str(title or "").strip()
    if not title:
        raise InvalidInput("title", _("is required"))
    if len(title) > 200:
        raise InvalidInput("title", _("is longer than %(n)s characters") % {"n": 200})
    task = PlanTask.objects.for_org(actor.organization).create(
        organization=actor.organization,
        plan=plan,
        title=title,
        assignee=_member(actor, assignee, "assignee"),
        due=_date(due, "due"),
    )
    _event(
        actor,
        plan,
        "task_added",
        {
            "task": task.pk,
            "title": title,
            "assignee": _shown(task.assignee) or "",
            "due": _shown(task.due) or "",
        },
    )
    return task


def _task(actor: Actor, plan_id: int, task_id: int) -> tuple[ActionPlan, PlanTask]:
    plan = get_plan(actor, plan_id)
    task = plan.tasks.filter(pk=task_id).select_related("assignee").first()
    if task is None:
        raise NotFound("task", task_id)
    return plan, task


@transaction.atomic
def set_task_done(actor: Actor, plan_id: int, task_id: int, done: bool) -> PlanTask:
    """Tick a task done (or undo it): ``plans.manage``, or the task's own assignee."""
    plan, task = _task(actor, plan_id, task_id)
    if not actor.can(Perm.PLANS_MANAGE) and (actor.user is None or task.assignee_id != actor.user.pk):
        raise PermissionDenied(Perm.PLANS_MANAGE)
    if task.done == done:
        return task
    task.done, task.done_at = done, timezone.now() if done else None
    task.save(update_fields=["done", "done_at"])
    _event(actor, plan, "task_done" if done else "task_reopened", {"task": task.pk, "title": task.title})
    return task


@transaction.atomic
def remove_task(actor: Actor, plan_id: int, task_id: int) -> None:
    actor.require(Perm.PLANS_MANAGE)
    plan, task = _task(actor, plan_id, task_id)
    _event(actor, plan, "task_removed", {"task": task.pk, "title": task.title})
    task.delete()
