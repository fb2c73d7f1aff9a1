"""The SLA engine: business time of a calendar and a case's clocks, computed from its events.

Pure: plain values in (aware datetimes, dates, frozen dataclasses), plain values out; no Django.

A :class:`Calendar` has several working periods per weekday (a lunch break is the gap between
two periods), an IANA time zone, public holidays (no work on a working weekday) and make-up
working days (调休: work on a weekend day, with the periods of a normal working day).
:func:`official_days` fills the last two from the ``holidays`` package.

A case's clocks (:func:`clocks`) are recomputed from its state changes every time they are
read: change a calendar or a target and history is recomputed with it; time spent in a paused
state is never counted, however the calendar changes. Included: first-response and resolution
clocks, breach moment, due moment, remaining business time, breach risk, escalation level and
when an escalation message may be sent (:func:`deliver_at`). Excluded: who is notified and how
(``openxm/cases/escalation.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far the engine looks for working time before it says the calendar has none.
HORIZON_DAYS = 3 * 366

Period = tuple[time, time]


@dataclass(frozen=True)
class Calendar:
    """Working time. ``week`` has seven entries, Monday first: the periods of that weekday.

    ``holidays``: dates without work. ``workdays``: make-up working days, worked with
    ``makeup_periods`` (by default the periods of the first weekday that has any).
    A date in both is a holiday.
    """

    tz: str = "UTC"
    week: tuple[tuple[Period, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    makeup_periods: tuple[Period, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week: needs seven days, Monday first")
        for day in self.week:
            for start, end in day:
                if not start < end:
                    raise ValueError(f"week: period {start}–{end} ends before it starts")
        ZoneInfo(self.tz)  # an unknown zone fails here, not at the first read

    def periods_on(self, day: date) -> tuple[Period, ...]:
        if day in self.holidays:
            return ()
        if day in self.workdays:
            if self.makeup_periods is not None:
                return self.makeup_periods
            return next((p for p in self.week if p), ())
        return self.week[day.weekday()]


def weekdays(periods: Sequence[Period], days: Iterable[int] = range(5)) -> tuple[tuple[Period, ...], ...]:
    """A week with the same ``periods`` on ``days`` (0 = Monday) and no work on the others."""
    chosen = set(days)
    return tuple(tuple(periods) if d in chosen else () for d in range(7))


def always(tz: str = "UTC") -> Calendar:
    """Calendar hours: every moment counts (the "24/7" calendar)."""
    return Calendar(tz=tz, week=(((time(0), time.max),),) * 7)


def official_days(country: str, years: Iterable[int]) -> tuple[frozenset[date], frozenset[date]]:
    """A country's public holidays and make-up working days for ``years``, from the
    ``holidays`` package. For China (``CN``) it lists the days off of the State Council's yearly
    notice and, in ``weekend_workdays``, the weekend days worked in exchange (调休). A country or
    year the package does not know gives what it knows (no make-up days for most countries)."""
    import holidays

    wanted = set(years)
    found = holidays.country_holidays(country, years=sorted(wanted))
    # The package also records the make-up days of neighbouring years it touched: keep ours.
    work = getattr(found, "weekend_workdays", ()) or ()
    return frozenset(found.keys()), frozenset(d for d in work if d.year in wanted)


def _windows(cal: Calendar, start: datetime, end: datetime | None):
    """Working windows (UTC-aware start, end) from ``start`` on, in order, clipped to [start, end)."""
    zone = ZoneInfo(cal.tz)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date() if end is not None else day + timedelta(days=HORIZON_DAYS)
    while day <= last:
        for p_start, p_end in cal.periods_on(day):
            a = datetime.combine(day, p_start, tzinfo=zone)
            b = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                if p_end == time.max
                else datetime.combine(day, p_end, tzinfo=zone)
            )
            a, b = max(a, start), b if end is None else min(b, end)
            if a < b:
                yield a, b
        day += timedelta(days=1)


def business_seconds(cal: Calendar, start: datetime, end: datetime) -> float:
    """Working seconds of ``cal`` between two aware moments (0 when end ≤ start)."""
    if end <= start:
        return 0.0
    return sum((b - a).total_seconds() for a, b in _windows(cal, start, end))


def add_business(cal: Calendar, start: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` working seconds after ``start``. ``seconds`` = 0 gives ``start``
    itself; ValueError when the calendar has no working time within the horizon."""
    if seconds <= 0:
        return start
    left = seconds
    for a, b in _windows(cal, start, None):
        length = (b - a).total_seconds()
        if left <= length:
            return a + timedelta(seconds=left)
        left -= length
    raise ValueError("calendar: no working time within three years")


def is_open(cal: Calendar, at: datetime) -> bool:
    return business_seconds(cal, at, at + timedelta(seconds=1)) > 0


def next_open(cal: Calendar, at: datetime) -> datetime:
    """``at`` itself when it is working time, else the start of the next working period."""
    for a, _b in _windows(cal, at, None):
        return a
    raise ValueError("calendar: no working time within three years")


def deliver_at(recipient: Calendar, now: datetime, urgent: bool) -> datetime:
    """When an escalation message to someone working ``recipient`` may go out: now when the
    priority is urgent or they are at work, else at the start of their next working period
    (no escalation e-mail at 3 a.m.)."""
    return now if urgent else next_open(recipient, now)


# --- a case's clocks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """The case entered ``state`` at ``at`` (the first change is the opening)."""

    at: datetime
    state: str


@dataclass(frozen=True)
class Targets:
    """Business seconds allowed; None: no target for that clock."""

    first_response: float | None = None
    resolution: float | None = None


@dataclass(frozen=True)
class Clock:
    name: str  # first_response | resolution
    target: float  # business seconds allowed
    elapsed: float  # business seconds counted (running states only)
    status: str  # running | paused | met | breached
    stopped_at: datetime | None  # when the clock stopped (response given, case resolved)
    breached_at: datetime | None  # the moment the target was passed, if it was
    due_at: datetime | None  # while running: the moment it breaches; paused or stopped: None

    @property
    def remaining(self) -> float:
        return self.target - self.elapsed

    @property
    def breached(self) -> bool:
        return self.breached_at is not None


@dataclass(frozen=True)
class Policy:
    """Which states pause the clocks and which stop the resolution clock."""

    paused: frozenset[str] = frozenset({"waiting"})
    stopped: frozenset[str] = frozenset({"resolved", "closed"})


def _run(
    cal: Calendar,
    name: str,
    target: float,
    segments: list[tuple[datetime, datetime]],
    stopped_at: datetime | None,
    paused_now: bool,
    now: datetime,
) -> Clock:
    """One clock over its running segments (each [a, b) counted in business time)."""
    elapsed, breached_at = 0.0, None
    for a, b in segments:
        part = business_seconds(cal, a, b)
        if breached_at is None and elapsed + part > target:
            breached_at = add_business(cal, a, target - elapsed)
            # add_business gives the last in-target moment; the breach is any time after it
        elapsed += part
    if stopped_at is not None:
        status = "breached" if breached_at else "met"
        return Clock(name, target, elapsed, status, stopped_at, breached_at, None)
    if breached_at is not None:
        return Clock(name, target, elapsed, "breached", None, breached_at, None)
    if paused_now:
        return Clock(name, target, elapsed, "paused", None, None, None)
    return Clock(name, target, elapsed, "running", None, None, add_business(cal, now, target - elapsed))


def _segments(changes: Sequence[Change], until: datetime, counting) -> list[tuple[datetime, datetime]]:
    """The [a, b) stretches before ``until`` during which ``counting(state)`` holds."""
    out = []
    ordered = sorted(changes, key=lambda c: c.at)
    for i, change in enumerate(ordered):
        end = ordered[i + 1].at if i + 1 < len(ordered) else until
        a, b = change.at, min(end, until)
        if a < b and counting(change.state):
            out.append((a, b))
    return out


def clocks(
    cal: Calendar,
    changes: Sequence[Change],
    targets: Targets,
    now: datetime,
    first_response_at: datetime | None = None,
    policy: Policy = Policy(),
) -> dict[str, Clock]:
    """The case's clocks at ``now``, from its state changes (the first is the opening).

    First response: from opening to ``first_response_at`` (the first contact with the
    customer). Resolution: every stretch in a state neither paused nor stopped; a reopened
    case's clock goes on from what it had counted. Both skip paused states and non-working time.
    """
    if not changes:
        return {}
    ordered = sorted(changes, key=lambda c: c.at)
    state_now = ordered[-1].state
    found: dict[str, Clock] = {}
    if targets.first_response is not None:
        # Resolving without a logged contact also ends the wait for a first response.
        first_stop = next((c.at for c in ordered if c.state in policy.stopped), None)
        answered = min((t for t in (first_response_at, first_stop) if t is not None), default=None)
        stopped = answered if answered is not None and answered <= now else None
        segs = _segments(
            ordered, stopped or now, lambda s: s not in policy.paused and s not in policy.stopped
        )
        found["first_response"] = _run(
            cal, "first_response", targets.first_response, segs, stopped, state_now in policy.paused, now
        )
    if targets.resolution is not None:
        segs = _segments(ordered, now, lambda s: s not in policy.paused and s not in policy.stopped)
        stopped = ordered[-1].at if state_now in policy.stopped else None
        found["resolution"] = _run(
            cal, "resolution", targets.resolution, segs, stopped, state_now in policy.paused, now
        )
    return found


@dataclass(frozen=True)
class Risk:
    level: int  # 0 fine, 1 at risk (escalate: reassign / tell the assignee), 2 breached (manager)
    clock: str  # the clock that decided, "" at level 0
    remaining: float  # business seconds left on that clock (negative once breached)


def risk(found: dict[str, Clock], window: float) -> Risk:
    """The worst of the running clocks: breached (2), within ``window`` business seconds of
    breaching (1), or fine (0). Stopped clocks that met their target do not count."""
    worst = Risk(0, "", float("inf"))
    for clock in found.values():
        if clock.status == "met":
            continue
        if clock.breached:
            level = 2
        elif clock.status == "running" and clock.remaining <= window:
            level = 1
        else:
            level = 0
        if (level, -clock.remaining) > (worst.level, -worst.remaining):
            worst = Risk(level, clock.name if level else "", clock.remaining)
    return worst


@dataclass(frozen=True)
class TargetTable:
    """Targets per priority, optionally overridden per (priority, value tier)."""

    by_priority: dict[str, Targets] = field(default_factory=dict)
    by_tier: dict[tuple[str, str], Targets] = field(default_factory=dict)

    def for_case(self, priority: str, tier: str = "") -> Targets:
        return self.by_tier.get((priority, tier)) or self.by_priority.get(priority) or Targets()
