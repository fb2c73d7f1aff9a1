"""Case metrics for the dashboard and the API: recovery rate (overall and per touchpoint, unit,
agent, root cause and recovery action, each with n and a Wilson interval), first-response and
resolution times in business hours (medians of the clocks), SLA breach rate, cost of recovery,
top root causes, and the control-group experiment.

Needs ``dashboards.view``; counts only the cases in the actor's scope opened in the last
``days`` days. Held-out (control) cases are left out of every figure but the experiment.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from statistics import median

from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.analytics import recovery
from openxm.customers.events import transactions_in
from openxm.surveys import door

from .clocks import calendar_of_unit, case_clocks, settings_of, to_engine
from .machine import OPEN_STATES
from .services import visible

GROUPS = ("touchpoint", "unit", "agent", "root_cause", "recovery_action")
REPURCHASE_DAYS = 90


def _rate_out(key, r: recovery.Rate) -> dict:
    return {
        "key": str(key),
        "recovered": r.recovered,
        "n": r.n,
        "rate": r.rate,
        "ci_low": r.ci_low,
        "ci_high": r.ci_high,
    }


def _group_key(case, group: str) -> str:
    if group == "touchpoint":
        return case.touchpoint
    if group == "unit":
        return case.unit.code if case.unit_id else ""
    if group == "agent":
        return case.assignee.email if case.assignee_id else ""
    if group == "root_cause":
        return case.root_cause.key if case.root_cause_id else ""
    return case.recovery_action.key if case.recovery_action_id else ""


def _later_outcomes(actor: Actor, cases) -> dict[int, tuple[float | None, bool]]:
    """Per case: the customer's first NPS answer after the case opened (other than the one
    that opened it) and whether they bought again within REPURCHASE_DAYS."""
    contacts = {c.contact_id for c in cases}
    later: dict[int, list[tuple]] = {}
    rows = (
        door.answers(actor.scope)
        .filter(qtype="nps", value_number__isnull=False, response__contact_id__in=contacts)
        .values_list("response__contact_id", "response_id", "response__started_at", "value_number")
    )
    for contact_id, response_id, at, value in rows:
        later.setdefault(contact_id, []).append((at, response_id, value))
    bought: dict[int, list] = {}
    for contact_id, at, _amount in transactions_in(actor.scope):
        if contact_id in contacts:
            bought.setdefault(contact_id, []).append(at)
    out = {}
    for case in cases:
        answers = sorted(
            (at, v)
            for at, rid, v in later.get(case.contact_id, [])
            if at > case.opened_at and rid != case.response_id
        )
        window = case.opened_at + timedelta(days=REPURCHASE_DAYS)
        again = any(case.opened_at < at <= window for at in bought.get(case.contact_id, []))
        out[case.pk] = (answers[0][1] if answers else None, again)
    return out


def control(actor: Actor, cases) -> dict:
    """The experiment: contacted vs held-out eligible detractors (cases opened by rules)."""
    eligible = [
        c for c in cases if c.source == "rule" and c.contact_id and recovery.eligible(c.score_type, c.score)
    ]
    outcomes = _later_outcomes(actor, eligible)
    found = {}
    for outcome in ("nps", "repurchase"):
        index = 0 if outcome == "nps" else 1
        groups = {True: [], False: []}
        for case in eligible:
            value = outcomes[case.pk][index]
            if value is not None:
                groups[case.held_out].append(value)
        effect = recovery.control_effect(groups[False], groups[True], outcome)
        test = effect.comparison
        found[outcome] = {
            "contacted_n": effect.contacted_n,
            "held_out_n": effect.held_out_n,
            "claimed": effect.claimed,
            "reason": effect.reason,
            "difference": test.difference if test else None,
            "ci_low": test.ci_low if test else None,
            "ci_high": test.ci_high if test else None,
            "p_value": test.p_value if test else None,
            "test": test.test if test else "",
        }
    return {"experiment": True, "held_out": sum(1 for c in eligible if c.held_out), **found}


def summary(actor: Actor, unit: str = "", days: int = 90) -> dict:
    actor.require(Perm.DASHBOARDS_VIEW)
    if not 1 <= days <= 3660:
        raise InvalidInput("days", _("must be between 1 and 3660"))
    qs = visible(actor.scope).filter(opened_at__gte=timezone.now() - timedelta(days=days))
    if unit:
        qs = qs.filter(unit_id__in=actor.scope.units(unit))
    everything = list(qs.select_related("unit", "assignee", "root_cause", "recovery_action"))
    cases = [c for c in everything if not c.held_out]
    outcome = {c.pk: recovery.CaseOutcome(c.score_type, c.score, c.followup_score) for c in cases}
    by = {
        group: sorted(
            (
                _rate_out(key, r)
                for key, r in recovery.by_group((_group_key(c, group), outcome[c.pk]) for c in cases).items()
                if r.n
            ),
            key=lambda row: (-row["n"], row["key"]),
        )
        for group in GROUPS
    }
    settings = settings_of(actor.organization)
    calendars: dict = {}
    first, resolve, breached, timed = [], [], 0, 0
    for case in cases:
        if case.unit_id not in calendars:
            calendars[case.unit_id] = to_engine(calendar_of_unit(actor.organization, case.unit_id))
        clocks, _risk = case_clocks(case, settings=settings, calendar=calendars[case.unit_id])
        if not clocks:
            continue
        timed += 1
        breached += any(c.breached for c in clocks.values())
        if "first_response" in clocks and clocks["first_response"].stopped_at:
            first.append(clocks["first_response"].elapsed / 3600)
        if "resolution" in clocks and clocks["resolution"].stopped_at:
            resolve.append(clocks["resolution"].elapsed / 3600)
    causes: dict[tuple[str, str], int] = {}
    for case in cases:
        if case.root_cause_id:
            key = (case.root_cause.key, case.root_cause.name)
            causes[key] = causes.get(key, 0) + 1
    return {
        "cases": len(cases),
        "open": sum(1 for c in cases if c.state in OPEN_STATES),
        "recovery": _rate_out("all", recovery.rate(outcome.values())),
        "by": by,
        "first_response_hours_median": median(first) if first else None,
        "resolution_hours_median": median(resolve) if resolve else None,
        "sla_breach_rate": breached / timed if timed else None,
        "sla_n": timed,
        "recovery_cost": sum((c.recovery_cost or Decimal(0) for c in cases), Decimal(0)),
        "top_root_causes": [
            {"key": k, "name": n, "cases": count}
            for (k, n), count in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        ],
        "control": control(actor, everything)
        if settings.control_share > 0 or any(c.held_out for c in everything)
        else None,
    }
