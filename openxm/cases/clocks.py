"""A case's SLA clocks, read from its event log with its unit's calendar and the org's targets.

The calendar of a case is its unit's, else the nearest ancestor unit's, else the organisation's
default, else Monday–Friday 09:00–12:00 and 13:00–18:00 in Asia/Shanghai with China's holidays.
Nothing here is stored: every read recomputes (see ``openxm/analytics/sla.py``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from django.utils import timezone

from openxm.analytics import sla
from openxm.customers import tiers

from .machine import DONE_STATES
from .models import Case, CaseEvent, Settings, UnitSetup, WorkCalendar

DEFAULT_WEEK = [[["09:00", "12:00"], ["13:00", "18:00"]]] * 5 + [[], []]
# Hours per priority when an organisation has set none (first response, resolution).
DEFAULT_TARGETS = {
    "urgent": {"first_response_hours": 1, "resolution_hours": 4},
    "high": {"first_response_hours": 2, "resolution_hours": 8},
    "normal": {"first_response_hours": 8, "resolution_hours": 24},
    "low": {"first_response_hours": 16, "resolution_hours": 40},
}


def _hm(text: str) -> time:
    if text in ("24:00", "23:59:59"):
        return time.max
    return time.fromisoformat(text)


def parse_week(week) -> tuple[tuple[sla.Period, ...], ...]:
    """A stored week (seven lists of ["HH:MM", "HH:MM"]) as the engine's; ValueError naming
    the day when it is malformed."""
    if not isinstance(week, list) or len(week) != 7:
        raise ValueError("week: needs seven days, Monday first")
    days = []
    for i, periods in enumerate(week):
        try:
            day = tuple((_hm(a), _hm(b)) for a, b in periods)
        except (TypeError, ValueError) as exc:
            raise ValueError(f'week[{i}]: periods are ["HH:MM", "HH:MM"] pairs') from exc
        if any(a >= b for a, b in day) or any(day[j][1] > day[j + 1][0] for j in range(len(day) - 1)):
            raise ValueError(f"week[{i}]: periods must run forward and not overlap")
        days.append(day)
    return tuple(days)


@lru_cache(maxsize=64)
def _official(country: str, years: tuple[int, ...]):
    return sla.official_days(country, years)


def to_engine(cal: WorkCalendar | None, around: tuple[int, ...] = ()) -> sla.Calendar:
    """The engine's calendar of a stored one (None: the default), with official days for the
    years ``around`` (default: last, this and next year)."""
    years = around or tuple(range(timezone.now().year - 1, timezone.now().year + 2))
    if cal is None:
        off, work = _official("CN", years)
        return sla.Calendar(tz="Asia/Shanghai", week=parse_week(DEFAULT_WEEK), holidays=off, workdays=work)
    off, work = _official(cal.country, years) if cal.country else (frozenset(), frozenset())
    extra_off = frozenset(date.fromisoformat(d) for d in cal.extra_holidays or [])
    extra_work = frozenset(date.fromisoformat(d) for d in cal.extra_workdays or [])
    return sla.Calendar(
        tz=cal.tz,
        week=parse_week(cal.week),
        holidays=off | extra_off,
        workdays=(work | extra_work) - extra_off,
    )


def settings_of(organization) -> Settings:
    found = Settings.objects.for_org(organization).select_related("default_calendar").first()
    return found or Settings(organization=organization)


def calendar_of_unit(organization, unit_id: int | None, parents: dict[int, int | None] | None = None):
    """The WorkCalendar that applies to a unit (inherited upwards), or None for the default."""
    setups = {s.unit_id: s for s in UnitSetup.objects.for_org(organization).select_related("calendar")}
    if parents is None:
        from openxm.accounts.scope import unit_tree

        parents = {pk: parent for pk, _code, parent in unit_tree(organization)}
    seen = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        setup = setups.get(unit_id)
        if setup is not None and setup.calendar is not None:
            return setup.calendar
        unit_id = parents.get(unit_id)
    return settings_of(organization).default_calendar


def _targets(row: dict) -> sla.Targets:
    fr, res = row.get("first_response_hours"), row.get("resolution_hours")
    return sla.Targets(fr * 3600.0 if fr is not None else None, res * 3600.0 if res is not None else None)


def _stricter(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def target_table(settings: Settings) -> sla.TargetTable:
    """Targets per priority, and per (priority, value tier): the case settings' own ``tiers``
    rows first; else the hours a tier's service settings promise (``customers.TierSetting``,
    differentiated service) as an upper bound: each clock is the stricter of the tier's and the
    priority's (an urgent case of a champion keeps the urgent hour), a clock the tier leaves empty
    the priority's. Kept on the settings object: a list of cases reads the tiers once."""
    cached = getattr(settings, "_target_table", None)
    if cached is not None:
        return cached
    raw = settings.targets or DEFAULT_TARGETS
    by_priority = {p: _targets(row) for p, row in raw.items() if p != "tiers"}
    by_tier = {
        (p, tier): _targets(row) for tier, rows in (raw.get("tiers") or {}).items() for p, row in rows.items()
    }
    for tier, hours in tiers.target_hours(settings.organization).items():
        own = _targets(hours)
        for priority, base in by_priority.items():
            by_tier.setdefault(
                (priority, tier),
                sla.Targets(
                    _stricter(own.first_response, base.first_response),
                    _stricter(own.resolution, base.resolution),
                ),
            )
    settings._target_table = sla.TargetTable(by_priority, by_tier)
    return settings._target_table


def policy(settings: Settings) -> sla.Policy:
    paused = frozenset(settings.paused_states or ["waiting"])
    return sla.Policy(paused=paused, stopped=frozenset(DONE_STATES))


def changes_of(case: Case, events: list[CaseEvent] | None = None) -> list[sla.Change]:
    events = (
        events if events is not None else list(CaseEvent.objects.for_org(case.organization).filter(case=case))
    )
    found = [sla.Change(case.opened_at, "new")]
    found += [sla.Change(e.at, e.to_state) for e in events if e.kind == CaseEvent.Kind.STATE]
    return found


def case_clocks(case: Case, now: datetime | None = None, settings: Settings | None = None, calendar=None):
    """(clocks, risk) of one case now."""
    settings = settings or settings_of(case.organization)
    now = now or timezone.now()
    cal = calendar if calendar is not None else to_engine(calendar_of_unit(case.organization, case.unit_id))
    targets = target_table(settings).for_case(case.priority, case.tier)
    found = sla.clocks(cal, changes_of(case), targets, now, case.first_response_at, policy(settings))
    return found, sla.risk(found, settings.risk_hours * 3600.0)
