"""Case configuration: calendars, unit setups (calendar and case owner), teams, root-cause codes,
recovery action types and the organisation's case settings (targets, paused states, risk window,
follow-up distributions, control-group share).

Changing any of it needs ``members.manage`` (owners and admins). Every change is audited. The
clocks read these on every read, so a changed calendar or target recomputes the history of
every case. Included: the ``save_*``/``list_*`` functions below. Excluded: working cases.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import unit_tree

from .clocks import parse_week, settings_of
from .machine import STATES
from .models import RecoveryAction, RootCause, Settings, Team, UnitSetup, WorkCalendar

KEY_HELP = "lower-case letters, digits, - or _"


def _key(value: str, field: str = "key") -> str:
    import re

    if not isinstance(value, str) or not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", value):
        raise InvalidInput(field, _("must be lower-case letters, digits, - or _"))
    return value


def _name(value: str) -> str:
    if not (value or "").strip():
        raise InvalidInput("name", _("is required"))
    return value.strip()[:200]


def _dates(values, field: str) -> list[str]:
    try:
        return sorted({date.fromisoformat(str(v)).isoformat() for v in values or []})
    except ValueError:
        raise InvalidInput(field, _("must be dates written YYYY-MM-DD")) from None


def week_from_text(days: list[str]) -> list:
    """Seven lines such as "09:00-12:00, 13:00-18:00" (empty: closed), Monday first, as a
    stored week; InvalidInput naming ``week.N`` (N from 0, Monday) when one is malformed."""
    week = []
    for i, text in enumerate(days):
        periods = []
        for part in (p.strip() for p in (text or "").split(",")):
            if not part:
                continue
            start, sep, end = (x.strip() for x in part.partition("-"))
            if not sep:
                raise InvalidInput(f"week.{i}", _("write periods as HH:MM-HH:MM, separated by commas"))
            periods.append([start, end])
        week.append(periods)
    try:
        parse_week(week)
    except ValueError:
        bad = next(i for i in range(len(week)) if not _day_ok(week[i]))
        raise InvalidInput(
            f"week.{bad}", _("periods are HH:MM-HH:MM, running forward without overlapping")
        ) from None
    return week


def _day_ok(periods) -> bool:
    try:
        parse_week([periods] + [[]] * 6)
    except ValueError:
        return False
    return True


def week_as_text(week) -> list[str]:
    """The form's seven lines of a stored week (the inverse of :func:`week_from_text`)."""
    return [", ".join(f"{a}-{b}" for a, b in day) for day in (week or [[]] * 7)]


@transaction.atomic
def save_calendar(
    actor: Actor, key: str, name: str, tz: str, week, country: str = "", extra_holidays=(), extra_workdays=()
) -> WorkCalendar:
    actor.require(Perm.MEMBERS_MANAGE)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("tz", _("must be an IANA time zone such as Asia/Shanghai")) from None
    try:
        parse_week(week)
    except ValueError as exc:
        raise InvalidInput("week", str(exc)) from None
    if country:
        import holidays

        if country.upper() not in holidays.list_supported_countries():
            raise InvalidInput("country", _("no public holidays known for %(code)s") % {"code": country})
    fields = {
        "name": _name(name),
        "tz": tz,
        "week": week,
        "country": country.upper(),
        "extra_holidays": _dates(extra_holidays, "extra_holidays"),
        "extra_workdays": _dates(extra_workdays, "extra_workdays"),
        "updated_at": timezone.now(),
    }
    cal, _created = WorkCalendar.objects.for_org(actor.organization).update_or_create(
        organization=actor.organization, key=_key(key), defaults=fields
    )
    audit.record(actor, "cases.calendar_saved", target_type="calendar", target_id=cal.pk, data={"key": key})
    return cal


def list_calendars(actor: Actor) -> list[WorkCalendar]:
    actor.require(Perm.CASES_WORK)
    return list(WorkCalendar.objects.for_org(actor.organization))


def _calendar(actor: Actor, key: str) -> WorkCalendar:
    found = WorkCalendar.objects.for_org(actor.organization).filter(key=key).first()
    if found is None:
        raise NotFound("calendar", key)
    return found


def _member_user(actor: Actor, email: str, field: str):
    member = next(iter(accounts.member_actors(actor.organization, [email], via=actor.via).values()), None)
    if member is None:
        raise NotFound("member", email)
    if not member.can(Perm.CASES_WORK):
        raise InvalidInput(field, _("%(email)s may not work cases") % {"email": email})
    return member


@transaction.atomic
def set_unit(actor: Actor, code: str, *, calendar: str | None = None, owner: str | None = None) -> UnitSetup:
    """A unit's calendar key and case owner (e-mail); "" clears one, None keeps it."""
    actor.require(Perm.MEMBERS_MANAGE)
    unit_id = next((pk for pk, c, _p in unit_tree(actor.organization) if c == code), None)
    if unit_id is None or not actor.scope.allows_unit(unit_id):
        raise NotFound("unit", code)
    setup, _created = UnitSetup.objects.for_org(actor.organization).get_or_create(
        organization=actor.organization, unit_id=unit_id
    )
    if calendar is not None:
        setup.calendar = _calendar(actor, calendar) if calendar else None
    if owner is not None:
        if owner:
            member = _member_user(actor, owner, "owner")
            if not member.scope.allows_unit(unit_id):
                raise InvalidInput("owner", _("%(email)s cannot see this unit") % {"email": owner})
            setup.owner = member.user
        else:
            setup.owner = None
    setup.save()
    audit.record(
        actor,
        "cases.unit_set",
        target_type="unit",
        target_id=unit_id,
        data={"calendar": calendar, "owner": owner},
    )
    return setup


@transaction.atomic
def save_team(actor: Actor, key: str, name: str, members: list[str]) -> Team:
    actor.require(Perm.MEMBERS_MANAGE)
    users = [_member_user(actor, email, "members").user for email in members]
    team, _created = Team.objects.for_org(actor.organization).update_or_create(
        organization=actor.organization, key=_key(key), defaults={"name": _name(name)}
    )
    team.members.set(users)
    audit.record(actor, "cases.team_saved", target_type="team", target_id=team.pk, data={"members": members})
    return team


def list_teams(actor: Actor) -> list[Team]:
    actor.require(Perm.CASES_WORK)
    return list(Team.objects.for_org(actor.organization).prefetch_related("members"))


def queue_sizes(actor: Actor) -> dict[int, int]:
    """{team id: open cases waiting in its queue (no assignee yet)}."""
    from django.db.models import Count

    from .machine import OPEN_STATES
    from .models import Case

    actor.require(Perm.CASES_WORK)
    rows = (
        Case.objects.for_org(actor.organization)
        .filter(team__isnull=False, assignee__isnull=True, state__in=OPEN_STATES, held_out=False)
        .values("team_id")
        .annotate(n=Count("pk"))
    )
    return {r["team_id"]: r["n"] for r in rows}


def list_unit_setups(actor: Actor) -> list[UnitSetup]:
    actor.require(Perm.CASES_WORK)
    return list(UnitSetup.objects.for_org(actor.organization).select_related("calendar", "owner"))


@transaction.atomic
def save_root_cause(actor: Actor, key: str, name: str, active: bool = True) -> RootCause:
    actor.require(Perm.MEMBERS_MANAGE)
    row, _created = RootCause.objects.for_org(actor.organization).update_or_create(
        organization=actor.organization, key=_key(key), defaults={"name": _name(name), "active": active}
    )
    audit.record(actor, "cases.root_cause_saved", target_type="root_cause", target_id=row.pk)
    return row


def list_root_causes(actor: Actor, active_only: bool = True) -> list[RootCause]:
    actor.require(Perm.CASES_WORK)
    qs = RootCause.objects.for_org(actor.organization)
    return list(qs.filter(active=True) if active_only else qs)


@transaction.atomic
def save_recovery_action(
    actor: Actor, key: str, name: str, default_cost="0", active: bool = True
) -> RecoveryAction:
    actor.require(Perm.MEMBERS_MANAGE)
    try:
        cost = Decimal(str(default_cost))
    except InvalidOperation:
        raise InvalidInput("default_cost", _("must be a number")) from None
    if cost < 0:
        raise InvalidInput("default_cost", _("must be zero or more"))
    row, _created = RecoveryAction.objects.for_org(actor.organization).update_or_create(
        organization=actor.organization,
        key=_key(key),
        defaults={"name": _name(name), "default_cost": cost, "active": active},
    )
    audit.record(actor, "cases.recovery_action_saved", target_type="recovery_action", target_id=row.pk)
    return row


def list_recovery_actions(actor: Actor, active_only: bool = True) -> list[RecoveryAction]:
    actor.require(Perm.CASES_WORK)
    qs = RecoveryAction.objects.for_org(actor.organization)
    return list(qs.filter(active=True) if active_only else qs)


def _check_targets(targets: dict) -> dict:
    from .models import PRIORITIES

    def row_ok(where: str, row) -> None:
        if not isinstance(row, dict) or set(row) - {"first_response_hours", "resolution_hours"}:
            raise InvalidInput(where, _("needs first_response_hours and/or resolution_hours"))
        for k, v in row.items():
            if not isinstance(v, int | float) or isinstance(v, bool) or v <= 0:
                raise InvalidInput(f"{where}.{k}", _("must be a number of hours above zero"))

    if not isinstance(targets, dict):
        raise InvalidInput("targets", _("must be a mapping of priority to hours"))
    for priority, row in targets.items():
        if priority == "tiers":
            if not isinstance(row, dict):
                raise InvalidInput("targets.tiers", _("must be a mapping of tier to priorities"))
            for tier, rows in row.items():
                for p, r in (rows or {}).items():
                    if p not in PRIORITIES:
                        raise InvalidInput(f"targets.tiers.{tier}.{p}", _("is not a priority"))
                    row_ok(f"targets.tiers.{tier}.{p}", r)
        elif priority not in PRIORITIES:
            raise InvalidInput(f"targets.{priority}", _("is not a priority"))
        else:
            row_ok(f"targets.{priority}", row)
    return targets


def _followup_by_rule(actor: Actor, mapping) -> dict:
    """{rule key: [distribution ids]}; a rule with an empty list is dropped (the default)."""
    from openxm.alerts.services import get_rule
    from openxm.distribution.services import get_distribution

    if not isinstance(mapping, dict):
        raise InvalidInput("followup_by_rule", _("must be a mapping of rule key to distribution ids"))
    out = {}
    for key, ids in mapping.items():
        get_rule(actor, key)
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise InvalidInput(f"followup_by_rule.{key}", _("must be a list of distribution ids"))
        for i in ids:
            get_distribution(actor, i)
        if ids:
            out[key] = ids
    return out


def _messenger(actor: Actor, key: str) -> str:
    """A webhook key for case messages ("" for none): it must exist."""
    from openxm.alerts.services import get_webhook

    if key:
        get_webhook(actor, key)
    return key or ""


@transaction.atomic
def update_settings(actor: Actor, **changes) -> Settings:
    """Change some of: default_calendar (key or ""), targets, paused_states, risk_hours,
    followup_distributions (ids), followup_by_rule ({rule key: ids}), messenger_webhook (a
    webhook key or ""), control_share (0–0.5)."""
    actor.require(Perm.MEMBERS_MANAGE)
    current = settings_of(actor.organization)
    if current.pk is None:
        current.save()
    current = Settings.objects.for_org(actor.organization).select_for_update().get(pk=current.pk)
    if "default_calendar" in changes:
        key = changes.pop("default_calendar")
        current.default_calendar = _calendar(actor, key) if key else None
    if "targets" in changes:
        current.targets = _check_targets(changes.pop("targets"))
    if "paused_states" in changes:
        states = changes.pop("paused_states")
        if not isinstance(states, list) or any(
            s not in ("new", "in_progress", "waiting", "reopened") for s in states
        ):
            raise InvalidInput(
                "paused_states",
                _("must be a list of open states (%(allowed)s)")
                % {"allowed": ", ".join(STATES[:3] + ("reopened",))},
            )
        current.paused_states = states
    if "risk_hours" in changes:
        hours = changes.pop("risk_hours")
        if not isinstance(hours, int | float) or hours < 0:
            raise InvalidInput("risk_hours", _("must be zero or more hours"))
        current.risk_hours = float(hours)
    if "followup_distributions" in changes:
        from openxm.distribution.services import get_distribution

        ids = changes.pop("followup_distributions")
        for i in ids:
            get_distribution(actor, int(i))
        current.followup_distributions = [int(i) for i in ids]
    if "followup_by_rule" in changes:
        current.followup_by_rule = _followup_by_rule(actor, changes.pop("followup_by_rule"))
    if "messenger_webhook" in changes:
        current.messenger_webhook = _messenger(actor, changes.pop("messenger_webhook"))
    if "control_share" in changes:
        share = changes.pop("control_share")
        if not isinstance(share, int | float) or not 0 <= share <= 0.5:
            raise InvalidInput("control_share", _("must be between 0 and 0.5"))
        current.control_share = float(share)
    if changes:
        raise InvalidInput(next(iter(changes)), _("is not a known field"))
    current.save()
    audit.record(actor, "cases.settings_saved", target_type="case_settings", target_id=current.pk)
    return current
