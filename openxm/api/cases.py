"""Case routes: list (by response, state, view), one case with its clocks and log, open,
transitions, assignment, notes, the contact log, bulk actions and the recovery metrics.

Everything needs ``cases.work`` except the metrics (``dashboards.view``); a key or member
limited to a unit sees the cases of that unit subtree only. Each route calls one service.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.responses import Status

from openxm.cases import actions, config, for_profiles, metrics, services
from openxm.cases.detail import case_detail

from .errors import ErrorOut

router = Router(tags=["cases"])


class ClockOut(Schema):
    name: str
    status: str
    target_hours: float
    elapsed_hours: float
    remaining_hours: float
    due_at: datetime | None
    breached_at: datetime | None


class CaseOut(Schema):
    id: int
    title: str
    state: str
    priority: str
    source: str
    unit: str
    touchpoint: str
    response_id: int | None
    rule: str
    contact_id: int | None
    assignee: str
    team: str
    tier: str
    score_type: str
    score: float | None
    opened_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    root_cause: str
    recovery_action: str
    recovery_cost: Decimal | None
    held_out: bool
    escalation_level: int
    followup_score: float | None


class EventOut(Schema):
    at: datetime
    kind: str
    actor: str
    from_state: str
    to_state: str
    reason: str
    data: dict


class NoteOut(Schema):
    id: int
    at: datetime
    author: str
    text: str


class ContactOut(Schema):
    id: int
    at: datetime
    channel: str
    direction: str
    summary: str
    by: str


class CaseDetailOut(CaseOut):
    clocks: list[ClockOut]
    risk_level: int
    allowed: list[str]
    events: list[EventOut]
    notes: list[NoteOut]
    contacts: list[ContactOut]


class CaseIn(Schema):
    title: str = ""
    response_id: int | None = None
    contact_id: int | None = None
    unit: str = ""
    priority: str = ""
    assign: str = ""


class TransitionIn(Schema):
    to: str
    reason: str = ""
    root_cause: str = ""
    recovery_action: str = ""
    cost: Decimal | None = None


class AssignIn(Schema):
    assignee: str = ""
    team: str = ""
    reason: str = ""


class NoteIn(Schema):
    text: str


class ContactIn(Schema):
    channel: str
    summary: str
    direction: str = "out"


class BulkIn(Schema):
    ids: list[int]
    to: str = ""
    assignee: str = ""
    team: str = ""


class BulkOut(Schema):
    done: list[int]
    refused: dict[str, str]


class RateOut(Schema):
    key: str
    recovered: int
    n: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None


class MetricsOut(Schema):
    cases: int
    open: int
    recovery: RateOut
    by: dict[str, list[RateOut]]
    first_response_hours_median: float | None
    resolution_hours_median: float | None
    sla_breach_rate: float | None
    sla_n: int
    recovery_cost: Decimal
    top_root_causes: list[dict]
    control: dict | None


def case_out(case) -> dict:
    return {
        "id": case.pk,
        "title": case.title,
        "state": case.state,
        "priority": case.priority,
        "source": case.source,
        "unit": case.unit.code if case.unit_id else "",
        "touchpoint": case.touchpoint,
        "response_id": case.response_id,
        "rule": case.rule.key if case.rule_id else "",
        "contact_id": case.contact_id,
        "assignee": case.assignee.email if case.assignee_id else "",
        "team": case.team.key if case.team_id else "",
        "tier": case.tier,
        "score_type": case.score_type,
        "score": case.score,
        "opened_at": case.opened_at,
        "first_response_at": case.first_response_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "root_cause": case.root_cause.key if case.root_cause_id else "",
        "recovery_action": case.recovery_action.key if case.recovery_action_id else "",
        "recovery_cost": case.recovery_cost,
        "held_out": case.held_out,
        "escalation_level": case.escalation_level,
        "followup_score": case.followup_score,
    }


def case_detail_out(actor, case_id: int) -> dict:
    detail = case_detail(actor, case_id)
    return {
        **case_out(detail.case),
        "clocks": [
            {
                "name": c.name,
                "status": c.status,
                "target_hours": c.target / 3600,
                "elapsed_hours": c.elapsed / 3600,
                "remaining_hours": c.remaining / 3600,
                "due_at": c.due_at,
                "breached_at": c.breached_at,
            }
            for c in detail.clocks
        ],
        "risk_level": detail.risk.level,
        "allowed": sorted(detail.allowed),
        "events": [
            {
                "at": e.at,
                "kind": e.kind,
                "actor": e.actor_label,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "data": e.data,
            }
            for e in detail.events
        ],
        "notes": [{"id": n.pk, "at": n.at, "author": n.author_label, "text": n.text} for n in detail.notes],
        "contacts": [
            {
                "id": c.pk,
                "at": c.at,
                "channel": c.channel,
                "direction": c.direction,
                "summary": c.summary,
                "by": c.by_label,
            }
            for c in detail.contacts
        ],
    }


@router.get("/cases", response=list[CaseOut], summary="Cases in the caller's scope")
def list_cases(
    request,
    response: int | None = None,
    state: str = "",
    priority: str = "",
    view: str = "all",
    unit: str = "",
    assignee: str = "",
    limit: int = 200,
):
    """``view``: all, mine, team (my teams' queue), unassigned, open, overdue (an SLA clock
    breached), at_risk (breaches within the risk window). ``response``: the cases opened on
    that response (or answered by it as a follow-up)."""
    filters = services.Filters(
        response=response, state=state, priority=priority, view=view, unit=unit, assignee=assignee
    )
    return [case_out(c) for c in services.list_cases(request.auth, filters, limit=max(1, min(limit, 1000)))]


@router.post("/cases", response={201: CaseDetailOut, 200: CaseDetailOut}, summary="Open a case")
def open_case(request, payload: CaseIn):
    """From a response (``response_id``: its customer and unit; a response has at most one such
    case, so a retry returns it with 200) or by hand (``title``, ``unit``, ``contact_id``)."""
    source = "api"
    before = (
        services.list_cases(request.auth, services.Filters(response=payload.response_id))
        if payload.response_id is not None
        else []
    )
    case = services.open_case(
        request.auth,
        title=payload.title,
        response_id=payload.response_id,
        contact_id=payload.contact_id,
        unit=payload.unit,
        priority=payload.priority,
        assign=payload.assign,
        source=source,
    )
    created = all(c.pk != case.pk for c in before)
    return Status(201 if created else 200, case_detail_out(request.auth, case.pk))


class RiskCaseIn(Schema):
    contact_id: int


@router.post(
    "/cases/churn-risk",
    response={201: CaseDetailOut, 200: CaseDetailOut},
    summary="Open a case for a customer at churn risk",
)
def open_for_churn_risk(request, payload: RiskCaseIn):
    """The same as "Open a case" on the at-risk list and the profile: the case carries the
    customer, the risk and its top reasons, and the priority of the customer's value tier. While
    the customer has an open case, that one is answered with 200 and nothing is written; a
    customer without a computed churn risk is refused (422, field ``contact``)."""
    opened = for_profiles.open_for_risk(request.auth, payload.contact_id)
    return Status(201 if opened.created else 200, case_detail_out(request.auth, opened.case_id))


@router.get("/cases/metrics", response=MetricsOut, summary="Recovery rate, SLA and cost figures")
def case_metrics(request, unit: str = "", days: int = 90):
    return metrics.summary(request.auth, unit=unit, days=days)


@router.post("/cases/bulk", response={200: BulkOut, 422: ErrorOut}, summary="One action on many cases")
def bulk(request, payload: BulkIn):
    result = actions.bulk(request.auth, payload.ids, to=payload.to, email=payload.assignee, team=payload.team)
    return {"done": result["done"], "refused": {str(k): v for k, v in result["refused"].items()}}


@router.post("/cases/{case_id}/transitions", response=CaseDetailOut, summary="Change a case's state")
def transition(request, case_id: int, payload: TransitionIn):
    """Allowed: new → in_progress | waiting | resolved; in_progress → waiting | resolved;
    waiting → in_progress | resolved; resolved → closed | reopened; closed → reopened;
    reopened → in_progress | waiting | resolved. Resolving may record the root cause and the
    recovery action with its cost."""
    actions.transition(
        request.auth,
        case_id,
        payload.to,
        payload.reason,
        root_cause=payload.root_cause,
        recovery=payload.recovery_action,
        cost=payload.cost,
    )
    return case_detail_out(request.auth, case_id)


@router.post("/cases/{case_id}/assign", response=CaseDetailOut, summary="Assign a case")
def assign(request, case_id: int, payload: AssignIn):
    actions.assign(request.auth, case_id, email=payload.assignee, team=payload.team, reason=payload.reason)
    return case_detail_out(request.auth, case_id)


@router.post("/cases/{case_id}/notes", response={201: NoteOut}, summary="Add an internal note")
def add_note(request, case_id: int, payload: NoteIn):
    note = actions.add_note(request.auth, case_id, payload.text)
    return Status(201, {"id": note.pk, "at": note.at, "author": note.author_label, "text": note.text})


@router.post(
    "/cases/{case_id}/contacts", response={201: ContactOut}, summary="Log a contact with the customer"
)
def log_contact(request, case_id: int, payload: ContactIn):
    entry = actions.log_contact(request.auth, case_id, payload.channel, payload.summary, payload.direction)
    return Status(
        201,
        {
            "id": entry.pk,
            "at": entry.at,
            "channel": entry.channel,
            "direction": entry.direction,
            "summary": entry.summary,
            "by": entry.by_label,
        },
    )


# --- configuration (members.manage) --------------------------------------------------------


class CalendarIn(Schema):
    name: str
    tz: str = "Asia/Shanghai"
    week: list[list[list[str]]]
    country: str = ""
    extra_holidays: list[str] = []
    extra_workdays: list[str] = []


class KeyOut(Schema):
    key: str


class UnitSetupIn(Schema):
    calendar: str | None = None
    owner: str | None = None


class TeamIn(Schema):
    name: str
    members: list[str] = []


class CodeIn(Schema):
    name: str
    active: bool = True
    default_cost: Decimal = Decimal(0)


class SettingsIn(Schema):
    default_calendar: str | None = None
    targets: dict | None = None
    paused_states: list[str] | None = None
    risk_hours: float | None = None
    followup_distributions: list[int] | None = None
    followup_by_rule: dict[str, list[int]] | None = None
    messenger_webhook: str | None = None
    control_share: float | None = None


@router.put("/cases/calendars/{key}", response=KeyOut, summary="Create or replace a working calendar")
def put_calendar(request, key: str, payload: CalendarIn):
    """``week``: seven lists (Monday first) of ``["HH:MM", "HH:MM"]`` periods; ``country``: whose
    public holidays and make-up working days apply (e.g. CN)."""
    cal = config.save_calendar(
        request.auth,
        key,
        payload.name,
        payload.tz,
        payload.week,
        payload.country,
        payload.extra_holidays,
        payload.extra_workdays,
    )
    return {"key": cal.key}


@router.put("/cases/units/{code}", response=KeyOut, summary="A unit's calendar and case owner")
def put_unit(request, code: str, payload: UnitSetupIn):
    config.set_unit(request.auth, code, calendar=payload.calendar, owner=payload.owner)
    return {"key": code}


@router.put("/cases/teams/{key}", response=KeyOut, summary="Create or replace a team queue")
def put_team(request, key: str, payload: TeamIn):
    return {"key": config.save_team(request.auth, key, payload.name, payload.members).key}


@router.put("/cases/root-causes/{key}", response=KeyOut, summary="Create or change a root-cause code")
def put_root_cause(request, key: str, payload: CodeIn):
    return {"key": config.save_root_cause(request.auth, key, payload.name, payload.active).key}


@router.put("/cases/recovery-actions/{key}", response=KeyOut, summary="Create or change a recovery action")
def put_recovery_action(request, key: str, payload: CodeIn):
    row = config.save_recovery_action(request.auth, key, payload.name, payload.default_cost, payload.active)
    return {"key": row.key}


@router.put(
    "/cases/settings", response=KeyOut, summary="Case settings: targets, pause, risk, follow-up, control"
)
def put_settings(request, payload: SettingsIn):
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    if payload.default_calendar is not None:
        changes["default_calendar"] = payload.default_calendar
    config.update_settings(request.auth, **changes)
    return {"key": "settings"}


# Last: a one-segment path parameter would otherwise catch /cases/settings, /metrics, /bulk.
@router.get("/cases/{case_id}", response=CaseDetailOut, summary="One case: clocks, log, notes, contacts")
def get_case(request, case_id: int):
    return case_detail_out(request.auth, case_id)
