"""Action-plan routes: plans (list, one, create, change, delete), their tasks, their measured
impact and the improvement backlog.

Reading needs ``dashboards.view``; changing plans and tasks ``plans.manage`` (a task's assignee
may tick it done). A key or member limited to a unit sees only that unit's plans, and every
figure is computed inside their scope.
"""

from datetime import date, datetime
from typing import Any

from ninja import Router, Schema
from ninja.responses import Status

from openxm.plans import measure, services

router = Router(tags=["plans"])


class TaskOut(Schema):
    id: int
    title: str
    assignee: str
    due: date | None
    done: bool


class PlanOut(Schema):
    id: int
    title: str
    description: str
    owner: str
    due_date: date | None
    go_live: date | None
    status: str
    touchpoint: str
    topic: str
    unit: str
    root_cause: str
    metric: str
    control_kind: str
    control: str
    window_days: int
    created_at: datetime
    updated_at: datetime
    tasks: list[TaskOut]


class PlanIn(Schema):
    """Every field optional on PATCH; ``title`` required on POST. ``owner`` and task assignees
    are members' e-mail addresses, ``unit`` and ``control`` (a unit) unit codes."""

    title: str | None = None
    description: str | None = None
    owner: str | None = None
    due_date: str | None = None
    go_live: str | None = None
    status: str | None = None
    touchpoint: str | None = None
    topic: str | None = None
    unit: str | None = None
    root_cause: str | None = None
    metric: str | None = None
    control_kind: str | None = None
    control: str | None = None
    window_days: int | None = None


class TaskIn(Schema):
    title: str
    assignee: str = ""
    due: str | None = None


class TaskPatch(Schema):
    done: bool


class CellOut(Schema):
    label: str
    n: int
    estimate: float | None
    se: float | None


class ImpactResultOut(Schema):
    design: str
    metric: str
    enough: bool
    verdict: str
    reasons: list[str]
    n: int
    effect: float | None
    se: float | None
    test: str | None
    statistic: float | None
    df: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    alpha: float
    min_n: int
    min_days: int
    days_before: float
    days_after: float
    cells: list[CellOut]


class ImpactOut(Schema):
    plan: int
    metric: str
    go_live: date | None
    before: list[date] | None
    after: list[date] | None
    missing: str
    groups: dict[str, Any]
    before_after: ImpactResultOut | None
    diff_in_diff: ImpactResultOut | None


class BacklogItemOut(Schema):
    rank: int
    kind: str
    code: str
    label: str
    volume: int
    score: float
    target: float
    gap: float
    value: float
    impact: float
    share: float
    plans: list[dict[str, Any]]


class BacklogOut(Schema):
    target: float
    min_volume: int
    items: list[BacklogItemOut]
    too_small: list[dict[str, str]]


def _task_out(t) -> TaskOut:
    return TaskOut(
        id=t.pk, title=t.title, assignee=t.assignee.email if t.assignee else "", due=t.due, done=t.done
    )


def plan_out(p) -> PlanOut:
    return PlanOut(
        id=p.pk,
        title=p.title,
        description=p.description,
        owner=p.owner.email if p.owner else "",
        due_date=p.due_date,
        go_live=p.go_live,
        status=p.status,
        touchpoint=p.touchpoint,
        topic=p.topic,
        unit=p.unit.code if p.unit else "",
        root_cause=p.root_cause,
        metric=p.metric,
        control_kind=p.control_kind,
        control=p.control,
        window_days=p.window_days,
        created_at=p.created_at,
        updated_at=p.updated_at,
        tasks=[_task_out(t) for t in services.tasks_of(p)],
    )


def _result_out(r) -> ImpactResultOut | None:
    if r is None:
        return None
    return ImpactResultOut(
        design=r.design,
        metric=r.metric,
        enough=r.enough,
        verdict=r.verdict,
        reasons=list(r.reasons),
        n=r.n,
        effect=r.effect,
        se=r.se,
        test=r.test,
        statistic=r.statistic,
        df=r.df,
        p_value=r.p_value,
        ci_low=r.ci_low,
        ci_high=r.ci_high,
        alpha=r.rules.alpha,
        min_n=r.rules.min_n,
        min_days=r.rules.min_days,
        days_before=r.days_before,
        days_after=r.days_after,
        cells=[CellOut(label=c.label, n=c.n, estimate=c.estimate, se=c.se) for c in r.cells],
    )


def impact_out(m) -> ImpactOut:
    return ImpactOut(
        plan=m.plan.pk,
        metric=m.plan.metric,
        go_live=m.plan.go_live,
        before=list(m.periods.before) if m.periods else None,
        after=list(m.periods.after) if m.periods and m.periods.after else None,
        missing=m.missing,
        groups={
            k: {"touchpoints": list(v["touchpoints"] or []), "unit": v["unit"]} for k, v in m.groups.items()
        },
        before_after=_result_out(m.before_after),
        diff_in_diff=_result_out(m.did),
    )


@router.get("/plans", response=list[PlanOut], summary="Action plans (newest first)")
def list_plans(request, status: str = ""):
    return [plan_out(p) for p in services.list_plans(request.auth, status)]


@router.post("/plans", response={201: PlanOut}, summary="Create an action plan")
def create_plan(request, payload: PlanIn):
    plan = services.create_plan(request.auth, payload.dict(exclude_none=True))
    return Status(201, plan_out(plan))


@router.get(
    "/plans/backlog", response=BacklogOut, summary="The improvement backlog: pain points ranked by impact"
)
def backlog(
    request,
    days: int = 90,
    target: float = 30.0,
    min_volume: int = 10,
    attribute: str = "",
    weights: str = "",
):
    query = measure.BacklogRequest(
        days=days,
        target=target,
        min_volume=min_volume,
        attribute=attribute.strip(),
        weights=measure.parse_weights(weights),
    )
    result = measure.backlog(request.auth, query)
    return BacklogOut(
        target=result.target,
        min_volume=result.min_volume,
        items=[
            BacklogItemOut(
                **{k: getattr(i, k) for k in BacklogItemOut.model_fields if k != "plans"},
                plans=[{"id": pid, "title": title, "status": status} for pid, title, status in i.plans],
            )
            for i in result.items
        ],
        too_small=[{"kind": kind, "code": code} for kind, code in result.too_small],
    )


@router.get("/plans/{plan_id}", response=PlanOut, summary="One action plan with its tasks")
def get_plan(request, plan_id: int):
    return plan_out(services.get_plan(request.auth, plan_id))


@router.patch("/plans/{plan_id}", response=PlanOut, summary="Change an action plan (only the fields given)")
def update_plan(request, plan_id: int, payload: PlanIn):
    return plan_out(services.update_plan(request.auth, plan_id, payload.dict(exclude_unset=True)))


@router.delete("/plans/{plan_id}", response={204: None}, summary="Delete an action plan")
def delete_plan(request, plan_id: int):
    services.delete_plan(request.auth, plan_id)
    return Status(204, None)


@router.post("/plans/{plan_id}/tasks", response={201: TaskOut}, summary="Add a task to a plan")
def add_task(request, plan_id: int, payload: TaskIn):
    task = services.add_task(request.auth, plan_id, payload.title, payload.assignee, payload.due)
    return Status(201, _task_out(task))


@router.patch("/plans/{plan_id}/tasks/{task_id}", response=TaskOut, summary="Tick a task done or reopen it")
def set_task(request, plan_id: int, task_id: int, payload: TaskPatch):
    return _task_out(services.set_task_done(request.auth, plan_id, task_id, payload.done))


@router.delete("/plans/{plan_id}/tasks/{task_id}", response={204: None}, summary="Remove a task")
def remove_task(request, plan_id: int, task_id: int):
    services.remove_task(request.auth, plan_id, task_id)
    return Status(204, None)


@router.get(
    "/plans/{plan_id}/impact",
    response=ImpactOut,
    summary="The plan's metric before vs after go-live and against its control (difference in differences)",
)
def impact(request, plan_id: int):
    return impact_out(measure.impact(request.auth, plan_id))
