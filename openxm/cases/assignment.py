"""Assignment rules: who works a new case.

``owner``: the case owner of the case's unit, else of the nearest unit above it with one.
``team:KEY``: the team's queue (no assignee; members take it from "my team's queue").
``round_robin:KEY``: the member of the team who least recently got a case of that team.
``least_loaded:KEY``: the member of the team with the fewest open cases (ties: round robin).
Left empty: the unit's owner when there is one, else unassigned.
"""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.scope import unit_tree

from .machine import OPEN_STATES
from .models import Case, CaseEvent, Team, UnitSetup

MODES = ("owner", "team", "round_robin", "least_loaded")


def parse(rule: str) -> tuple[str, str]:
    mode, _sep, key = (rule or "").partition(":")
    if mode not in MODES or (mode != "owner" and not key) or (mode == "owner" and key):
        raise InvalidInput("assign", _("must be owner, team:KEY, round_robin:KEY or least_loaded:KEY"))
    return mode, key


def team(organization, key: str) -> Team:
    found = Team.objects.for_org(organization).filter(key=key).first()
    if found is None:
        raise NotFound("team", key)
    return found


def check(organization, rule: str) -> None:
    mode, key = parse(rule)
    if key:
        team(organization, key)


def unit_owner(organization, unit_id: int | None, skip: int = 0):
    """The case owner of the unit or the nearest unit above it; ``skip`` levels up first
    (1: the manager one level above the unit)."""
    parents = {pk: parent for pk, _code, parent in unit_tree(organization)}
    owners = dict(
        UnitSetup.objects.for_org(organization).filter(owner__isnull=False).values_list("unit_id", "owner_id")
    )
    for _i in range(skip):
        unit_id = parents.get(unit_id) if unit_id is not None else None
    seen = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        if unit_id in owners:
            return owners[unit_id]
        unit_id = parents.get(unit_id)
    return None


def _round_robin(organization, group: Team, members: list[int]) -> int:
    last = dict(
        Case.objects.for_org(organization)
        .filter(team=group, assignee_id__in=members)
        .values("assignee_id")
        .annotate(last=Max("pk"))
        .values_list("assignee_id", "last")
    )
    return min(members, key=lambda m: (last.get(m, 0), m))


def _least_loaded(organization, group: Team, members: list[int]) -> int:
    load = dict(
        Case.objects.for_org(organization)
        .filter(assignee_id__in=members)
        .values("assignee_id")
        .annotate(n=Count("pk", filter=Q(state__in=OPEN_STATES)))
        .values_list("assignee_id", "n")
    )
    fewest = min(load.get(m, 0) for m in members)
    return _round_robin(organization, group, [m for m in members if load.get(m, 0) == fewest])


def apply(case: Case, rule: str) -> None:
    """Assign a just-opened case by ``rule`` (see the module) and log it."""
    organization = case.organization
    group = None
    if rule:
        mode, key = parse(rule)
    else:
        mode, key = "owner", ""
    if mode == "owner":
        case.assignee_id = unit_owner(organization, case.unit_id)
    else:
        group = Team.objects.for_org(organization).filter(key=key).first()
        if group is None:  # the team was removed after the rule was written: leave it unassigned
            return
        case.team = group
        members = sorted(group.members.values_list("pk", flat=True))
        if mode == "round_robin" and members:
            case.assignee_id = _round_robin(organization, group, members)
        elif mode == "least_loaded" and members:
            case.assignee_id = _least_loaded(organization, group, members)
    if case.assignee_id is None and group is None:
        return
    case.save(update_fields=["assignee", "team"])
    CaseEvent.objects.for_org(organization).create(
        organization=organization,
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor_label="rule",
        data={"rule": rule or "owner", "assignee": case.assignee_id, "team": group.key if group else ""},
    )
