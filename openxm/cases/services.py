"""Reading and opening cases: the one path behind the inbox, the API, the CLI and alert rules.

Every read is limited to the actor's scope: a member or key limited to a unit sees the cases of
that unit and below, never cases without a unit. Working cases needs ``cases.work``.
Included: :func:`visible`, :func:`list_cases`, :func:`get_case`, :func:`open_case` (by hand, from a
response page, by API), :func:`open_for_rule` (the alerts-as-code ``case`` action), and what
action plans read of cases: :func:`root_cause_codes` and :func:`responses_with_root_cause`.
Excluded: changing a case (``actions.py``), assignment rules (``assignment.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope, unit_tree
from openxm.customers.directory import get_contact_in
from openxm.profiles import value as profiles_value
from openxm.surveys import door

from . import assignment
from .machine import OPEN_STATES, STATES
from .models import PRIORITIES, Case, CaseEvent, RootCause
from .priority import priority_for

SCORE_TYPES = ("nps", "csat")
VIEWS = ("all", "mine", "team", "unassigned", "overdue", "at_risk", "open")


def visible(scope: Scope) -> QuerySet:
    """The cases inside ``scope``: its unit subtree (cases without a unit: whole-org scopes only)."""
    qs = Case.objects.for_org(scope.organization)
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    return qs


@dataclass(frozen=True)
class Filters:
    response: int | None = None
    state: str = ""
    priority: str = ""
    view: str = "all"
    unit: str = ""
    assignee: str = ""  # an e-mail

    def check(self) -> None:
        if self.state and self.state not in STATES:
            raise InvalidInput("state", _("must be one of: %(allowed)s") % {"allowed": ", ".join(STATES)})
        if self.priority and self.priority not in PRIORITIES:
            raise InvalidInput(
                "priority", _("must be one of: %(allowed)s") % {"allowed": ", ".join(PRIORITIES)}
            )
        if self.view not in VIEWS:
            raise InvalidInput("view", _("must be one of: %(allowed)s") % {"allowed": ", ".join(VIEWS)})


def list_cases(actor: Actor, filters: Filters = Filters(), limit: int = 200) -> list[Case]:
    """Cases matching ``filters`` in the actor's scope, newest first. ``overdue`` and
    ``at_risk`` read the SLA clocks of the open cases (computed, never stored)."""
    actor.require(Perm.CASES_WORK)
    filters.check()
    qs = visible(actor.scope).select_related(
        "unit", "assignee", "team", "contact", "root_cause", "recovery_action"
    )
    if filters.response is not None:
        qs = qs.filter(Q(response_id=filters.response) | Q(followup_response_id=filters.response))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.unit:
        qs = qs.filter(unit_id__in=actor.scope.units(filters.unit))
    if filters.assignee:
        qs = qs.filter(assignee__email__iexact=filters.assignee)
    if filters.view in ("mine", "team") and actor.user is None:
        return []  # an API key has no cases of its own and no team
    if filters.view != "all":
        qs = qs.filter(held_out=False)  # the control group is never worked
    if filters.view == "mine":
        qs = qs.filter(assignee=actor.user, state__in=OPEN_STATES)
    elif filters.view == "team":
        qs = qs.filter(team__members=actor.user, assignee__isnull=True, state__in=OPEN_STATES)
    elif filters.view == "unassigned":
        qs = qs.filter(assignee__isnull=True, state__in=OPEN_STATES)
    elif filters.view in ("open", "overdue", "at_risk"):
        qs = qs.filter(state__in=OPEN_STATES)
    rows = list(qs[: limit if filters.view not in ("overdue", "at_risk") else 5000])
    if filters.view in ("overdue", "at_risk"):
        from .clocks import case_clocks, settings_of

        settings = settings_of(actor.organization)
        level = 2 if filters.view == "overdue" else 1
        rows = [c for c in rows if case_clocks(c, settings=settings)[1].level == level][:limit]
    return rows


def get_case(actor: Actor, case_id: int) -> Case:
    actor.require(Perm.CASES_WORK)
    found = (
        visible(actor.scope)
        .select_related(
            "unit", "assignee", "team", "contact", "response", "root_cause", "recovery_action", "rule"
        )
        .filter(pk=case_id)
        .first()
    )
    if found is None:
        raise NotFound("case", case_id)
    return found


def _score(scope: Scope, response_id: int) -> tuple[str, float | None]:
    """The response's first NPS or CSAT answer (the score a recovery is measured against)."""
    for qtype, number in (
        door.answers(scope)
        .filter(response_id=response_id, qtype__in=SCORE_TYPES, value_number__isnull=False)
        .order_by("pk")
        .values_list("qtype", "value_number")
    ):
        return qtype, number
    return "", None


def _tier(scope: Scope, contact_id: int | None) -> str:
    if contact_id is None:
        return ""
    stored = profiles_value.value_of(scope, contact_id)
    return stored.tier if stored is not None else ""


def _label(actor: Actor | None) -> str:
    return actor.label if actor is not None else "rule"


def _create(
    actor: Actor | None,
    organization,
    *,
    title: str,
    source: str,
    response=None,
    unit_id=None,
    contact=None,
    rule=None,
    alert=None,
    priority: str = "",
    assign: str = "",
    scope: Scope,
    why: str = "",
    data: dict | None = None,
) -> Case:
    """Write the case, its opening event (``why`` and ``data`` say more about the opening) and
    its assignment in one transaction."""
    score_type, score = _score(scope, response.pk) if response is not None else ("", None)
    tier = _tier(scope, contact.pk if contact is not None else None)
    case = Case.objects.for_org(organization).create(
        organization=organization,
        title=title[:300],
        source=source,
        response=response,
        unit_id=unit_id,
        contact=contact,
        rule=rule,
        alert=alert,
        touchpoint=getattr(response, "touchpoint", "") or "",
        score_type=score_type,
        score=score,
        tier=tier,
        priority=priority_for(score_type, score, tier, priority),
        opened_at=timezone.now(),
    )
    CaseEvent.objects.for_org(organization).create(
        organization=organization,
        case=case,
        at=case.opened_at,
        kind=CaseEvent.Kind.OPENED,
        actor_user=actor.user if actor else None,
        actor_label=_label(actor),
        to_state="new",
        reason=why,
        data={"source": source, "priority": case.priority, "rule": rule.key if rule else "", **(data or {})},
    )
    assignment.apply(case, assign)
    return case


def open_case(
    actor: Actor,
    *,
    title: str = "",
    response_id: int | None = None,
    contact_id: int | None = None,
    unit: str = "",
    priority: str = "",
    assign: str = "",
    source: str = Case.Source.MANUAL,
) -> Case:
    """A case opened by a member or key. From a response: its contact and unit; a response has
    at most one such case, so a second click or a retried request returns the first."""
    actor.require(Perm.CASES_WORK)
    if priority and priority not in PRIORITIES:
        raise InvalidInput("priority", _("must be one of: %(allowed)s") % {"allowed": ", ".join(PRIORITIES)})
    if assign:
        assignment.check(actor.organization, assign)
    response = contact = None
    if response_id is not None:
        response = door.get_response(actor.scope, response_id)
        contact = response.contact
        existing = visible(actor.scope).filter(response=response, rule__isnull=True).first()
        if existing is not None:
            return existing
    if contact_id is not None and contact is None:
        contact = get_contact_in(actor.scope, contact_id)
    unit_id = response.unit_id if response is not None else None
    if unit:
        unit_id = _unit_id(actor, unit)
    if unit_id is None and actor.scope.limited:
        raise InvalidInput("unit", _("is required: your access is limited to a unit"))
    if not title.strip():
        if response is None:
            raise InvalidInput("title", _("is required"))
        title = _("Response %(id)s: %(survey)s") % {"id": response.pk, "survey": response.survey.title}
    try:
        with transaction.atomic():
            case = _create(
                actor,
                actor.organization,
                title=title.strip(),
                source=source,
                response=response,
                unit_id=unit_id,
                contact=contact,
                priority=priority,
                assign=assign,
                scope=actor.scope,
            )
            audit.record(actor, "case.opened", target_type="case", target_id=case.pk, data={"source": source})
            announce_opened(case)
    except IntegrityError:  # the same response, opened at the same moment by another request
        return visible(actor.scope).get(response=response, rule__isnull=True)
    return case


def announce_opened(case: Case) -> None:
    """Tell the messenger webhook of the new case once it is committed (``messenger.py``).
    A rule's case is announced after the control-group draw, so a held-out one never is."""
    from .messenger import announce  # it issues links, which act through actions.py

    transaction.on_commit(lambda: announce(case.organization, case.pk, "opened"), robust=True)


def _unit_id(actor: Actor, code: str) -> int:
    """The id of the unit ``code`` inside the actor's scope; NotFound otherwise."""
    for pk, unit_code, _parent in unit_tree(actor.organization):
        if unit_code == code and actor.scope.allows_unit(pk):
            return pk
    raise NotFound("unit", code)


def open_for_rule(rule, alert, response, owner: Actor, options: dict | None) -> Case | None:
    """The ``case`` action of an alert rule: one case per (rule, response), whatever the
    retries. Returns the new case, or None when the pair already has one."""
    options = options or {}
    organization = rule.organization
    if Case.objects.for_org(organization).filter(rule=rule, response=response).exists():
        return None
    title = _("%(rule)s: response %(id)s") % {"rule": rule.name, "id": response.pk}
    try:
        with transaction.atomic():
            return _create(
                None,
                organization,
                title=title,
                source=Case.Source.RULE,
                response=response,
                unit_id=response.unit_id,
                contact=response.contact,
                rule=rule,
                alert=alert,
                priority=options.get("priority", ""),
                assign=options.get("assign", ""),
                scope=owner.scope,
            )
    except IntegrityError:  # another process opened it between the check and the insert
        return None


# --- What action plans read (the outer loop) ---------------------------------------------------


def root_cause_codes(organization) -> list[tuple[str, str]]:
    """The organisation's root-cause codes as (key, name), inactive ones included: a plan on a
    cause keeps measuring it after the code is retired. Codes are settings, not case data, so
    reading them needs no permission beyond membership."""
    return list(RootCause.objects.for_org(organization).order_by("key").values_list("key", "name"))


def responses_with_root_cause(scope: Scope, responses: QuerySet, key: str) -> int:
    """How many of ``responses`` have a case inside ``scope`` with root cause ``key`` (a
    response counts once however many cases it has): the numerator of a plan's root-cause share."""
    cases = visible(scope).filter(response__in=responses.values("pk"), root_cause__key=key)
    return cases.values("response_id").distinct().count()
