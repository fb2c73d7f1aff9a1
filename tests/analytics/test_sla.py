"""The SLA engine: business time, clocks from state changes, risk and escalation timing."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from openxm.analytics import sla

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
H = 3600.0

# 09:00–12:00 and 13:00–18:00 Monday to Friday: an hour's lunch break.
OFFICE = sla.weekdays(((time(9), time(12)), (time(13), time(18))))
SHANGHAI = sla.Calendar(tz="Asia/Shanghai", week=OFFICE)


def at(*args, tz=SH):
    return datetime(*args, tzinfo=tz)


# 2026-12-07 is a Monday.
@pytest.mark.parametrize(
    "cal, start, end, hours",
    [
        (SHANGHAI, at(2026, 12, 7, 9), at(2026, 12, 7, 18), 8),  # a full day less lunch
        (SHANGHAI, at(2026, 12, 7, 11), at(2026, 12, 7, 14), 2),  # across the lunch break
        (SHANGHAI, at(2026, 12, 7, 12, 10), at(2026, 12, 7, 12, 50), 0),  # inside the break
        (SHANGHAI, at(2026, 12, 7, 7), at(2026, 12, 7, 10), 1),  # before opening
        (SHANGHAI, at(2026, 12, 11, 17), at(2026, 12, 14, 10), 2),  # Friday → Monday
        (SHANGHAI, at(2026, 12, 12, 9), at(2026, 12, 13, 18), 0),  # a weekend
        (SHANGHAI, at(2026, 12, 7, 10), at(2026, 12, 7, 9), 0),  # end before start
        # The same moments written in another zone count the same: the unit's zone decides.
        (SHANGHAI, at(2026, 12, 6, 20, tz=NY), at(2026, 12, 7, 5, tz=NY), 8),
        # New York hours across the spring-forward night: 9–17 local both days.
        (
            sla.Calendar(tz="America/New_York", week=sla.weekdays(((time(9), time(17)),), range(7))),
            at(2026, 3, 7, 9, tz=NY),
            at(2026, 3, 8, 17, tz=NY),
            16,
        ),
        (sla.always("UTC"), at(2026, 12, 12, 0), at(2026, 12, 13, 0), 24),
    ],
)
def test_business_seconds(cal, start, end, hours):
    assert sla.business_seconds(cal, start, end) == hours * H


def test_chinese_holidays_and_make_up_days_from_the_holidays_package():
    off, work = sla.official_days("CN", [2026])
    # Spring festival 2026: 16–23 February off; Saturday 14 and 28 February worked (调休).
    assert date(2026, 2, 17) in off and date(2026, 2, 23) in off
    assert date(2026, 2, 14) in work and date(2026, 2, 28) in work
    assert all(d.year == 2026 for d in work)
    cal = sla.Calendar(tz="Asia/Shanghai", week=OFFICE, holidays=off, workdays=work)
    # Friday 13 Feb 17:00 → the next working day is Saturday 14 Feb (make-up day), not Monday.
    assert sla.add_business(cal, at(2026, 2, 13, 17), 2 * H) == at(2026, 2, 14, 10)
    # Saturday 14 Feb 18:00 + 1 h skips the whole festival to Tuesday 24 Feb 10:00.
    assert sla.add_business(cal, at(2026, 2, 14, 18), 1 * H) == at(2026, 2, 24, 10)
    assert sla.business_seconds(cal, at(2026, 2, 16, 0), at(2026, 2, 23, 23)) == 0
    # Without the calendar's days the same Saturday counts nothing and the festival counts.
    assert sla.business_seconds(SHANGHAI, at(2026, 2, 14, 0), at(2026, 2, 14, 23)) == 0
    assert sla.business_seconds(SHANGHAI, at(2026, 2, 16, 0), at(2026, 2, 20, 23)) == 5 * 8 * H


@pytest.mark.parametrize(
    "start, hours, expected",
    [
        (at(2026, 12, 7, 9), 3, at(2026, 12, 7, 12)),  # ends exactly at lunch
        (at(2026, 12, 7, 9), 3.5, at(2026, 12, 7, 13, 30)),  # resumes after lunch
        (at(2026, 12, 7, 17), 2, at(2026, 12, 8, 10)),  # overnight
        (at(2026, 12, 11, 17), 2, at(2026, 12, 14, 10)),  # over the weekend
        (at(2026, 12, 12, 3), 0.5, at(2026, 12, 14, 9, 30)),  # opened on Saturday night
        (at(2026, 12, 7, 10), 0, at(2026, 12, 7, 10)),
    ],
)
def test_add_business(start, hours, expected):
    assert sla.add_business(SHANGHAI, start, hours * H) == expected


def test_a_calendar_without_working_time_says_so():
    with pytest.raises(ValueError, match="no working time"):
        sla.add_business(sla.Calendar(), at(2026, 12, 7, 9), H)
    with pytest.raises(ValueError, match="week"):
        sla.Calendar(week=((((time(12), time(9)),),) + ((),) * 6))


TARGETS = sla.Targets(first_response=2 * H, resolution=8 * H)


def changes(*rows):
    return [sla.Change(a, s) for a, s in rows]


def test_clocks_running_met_and_breached():
    opened = at(2026, 12, 7, 9)
    log = changes((opened, "new"), (at(2026, 12, 7, 10), "in_progress"))
    found = sla.clocks(SHANGHAI, log, TARGETS, now=at(2026, 12, 7, 11), first_response_at=at(2026, 12, 7, 10))
    assert found["first_response"].status == "met" and found["first_response"].elapsed == H
    res = found["resolution"]
    assert res.status == "running" and res.elapsed == 2 * H
    assert res.due_at == at(2026, 12, 7, 18)  # 6 h left: 1 before lunch, 5 after
    # Without a first contact by 11:30 the first-response clock breached at 11:00.
    late = sla.clocks(SHANGHAI, log, TARGETS, now=at(2026, 12, 7, 11, 30))
    assert late["first_response"].status == "breached"
    assert late["first_response"].breached_at == at(2026, 12, 7, 11)


def test_pause_stops_the_clock_and_reopen_goes_on_from_what_was_counted():
    log = changes(
        (at(2026, 12, 7, 9), "new"),
        (at(2026, 12, 7, 10), "in_progress"),
        (at(2026, 12, 7, 11), "waiting"),  # customer asked to send a photo: paused
        (at(2026, 12, 9, 11), "in_progress"),  # two working days later
        (at(2026, 12, 9, 14), "resolved"),
        (at(2026, 12, 10, 9), "reopened"),
    )
    found = sla.clocks(
        SHANGHAI, log, TARGETS, now=at(2026, 12, 10, 10), first_response_at=at(2026, 12, 7, 10)
    )
    res = found["resolution"]
    # 2 h (9–11 Mon) + 2 h (11–14 Wed less lunch) + 1 h (9–10 Thu) = 5 h; the pause counts 0.
    assert res.elapsed == 5 * H and res.status == "running"
    assert res.due_at == sla.add_business(SHANGHAI, at(2026, 12, 10, 10), 3 * H)
    paused = sla.clocks(SHANGHAI, log[:3], TARGETS, now=at(2026, 12, 20, 10))
    assert paused["resolution"].status == "paused" and paused["resolution"].due_at is None
    assert paused["resolution"].elapsed == 2 * H


def test_changing_the_calendar_recomputes_history_and_keeps_paused_time_out():
    log = changes(
        (at(2026, 12, 7, 9), "new"),
        (at(2026, 12, 7, 12), "waiting"),
        (at(2026, 12, 8, 12), "in_progress"),
        (at(2026, 12, 8, 15), "resolved"),
    )
    now = at(2026, 12, 9, 9)
    before = sla.clocks(SHANGHAI, log, TARGETS, now)["resolution"]
    assert before.elapsed == 5 * H and before.status == "met"  # 3 h Monday + 2 h Tuesday after lunch
    # The unit drops its lunch break: the same log is 3 h + 3 h (12–15 Tuesday all counts).
    early = sla.Calendar(tz="Asia/Shanghai", week=sla.weekdays(((time(8), time(17)),)))
    after = sla.clocks(early, log, TARGETS, now)["resolution"]
    assert after.elapsed == 3 * H + 3 * H and after.status == "met"
    # Tuesday becomes a holiday: only Monday morning counts; the paused day is still skipped.
    holiday = sla.Calendar(tz="Asia/Shanghai", week=OFFICE, holidays=frozenset({date(2026, 12, 8)}))
    assert sla.clocks(holiday, log, TARGETS, now)["resolution"].elapsed == 3 * H


def test_a_tighter_target_recomputes_breach():
    log = changes((at(2026, 12, 7, 9), "new"), (at(2026, 12, 7, 15), "resolved"))
    now = at(2026, 12, 8, 9)
    assert sla.clocks(SHANGHAI, log, TARGETS, now)["resolution"].status == "met"
    tight = sla.clocks(SHANGHAI, log, sla.Targets(resolution=4 * H), now)["resolution"]
    assert tight.status == "breached" and tight.breached_at == at(2026, 12, 7, 14)


@pytest.mark.parametrize(
    "now, level, clock",
    [
        (at(2026, 12, 7, 9, 30), 0, ""),  # 1.5 h left on first response, window 1 h
        (at(2026, 12, 7, 10, 30), 1, "first_response"),  # 30 min left: at risk
        (at(2026, 12, 7, 11, 30), 2, "first_response"),  # breached
    ],
)
def test_risk_levels(now, level, clock):
    log = changes((at(2026, 12, 7, 9), "new"))
    found = sla.clocks(SHANGHAI, log, TARGETS, now)
    risk = sla.risk(found, window=H)
    assert (risk.level, risk.clock) == (level, clock)


@pytest.mark.parametrize(
    "now, urgent, expected",
    [
        (at(2026, 12, 7, 3), False, at(2026, 12, 7, 9)),  # 3 a.m.: waits for 09:00
        (at(2026, 12, 7, 3), True, at(2026, 12, 7, 3)),  # urgent: now
        (at(2026, 12, 7, 10), False, at(2026, 12, 7, 10)),  # at work: now
        (at(2026, 12, 7, 12, 30), False, at(2026, 12, 7, 13)),  # lunch: after lunch
        (at(2026, 12, 11, 19), False, at(2026, 12, 14, 9)),  # Friday evening: Monday
        # A manager in New York: Monday 03:00 Shanghai is Sunday 14:00 there → Monday 09:00 NY.
        (at(2026, 12, 7, 3), False, at(2026, 12, 7, 9, tz=NY)),
    ],
)
def test_escalation_waits_for_the_recipients_working_hours(now, urgent, expected):
    cal = SHANGHAI
    if expected.tzinfo is NY:
        cal = sla.Calendar(tz="America/New_York", week=OFFICE)
    assert sla.deliver_at(cal, now, urgent) == expected


def test_targets_per_priority_and_tier():
    table = sla.TargetTable(
        by_priority={"high": sla.Targets(H, 8 * H), "normal": sla.Targets(4 * H, 24 * H)},
        by_tier={("high", "gold"): sla.Targets(0.5 * H, 4 * H)},
    )
    assert table.for_case("high", "gold").resolution == 4 * H
    assert table.for_case("high", "bronze").resolution == 8 * H
    assert table.for_case("low") == sla.Targets()


def test_risk_ignores_met_clocks_and_paused_clocks_are_not_at_risk():
    log = changes((at(2026, 12, 7, 9), "new"), (at(2026, 12, 7, 9, 30), "waiting"))
    found = sla.clocks(SHANGHAI, log, TARGETS, at(2026, 12, 9, 9), first_response_at=at(2026, 12, 7, 9, 20))
    assert found["first_response"].status == "met"
    assert found["resolution"].status == "paused"
    assert sla.risk(found, window=8 * H).level == 0


def test_no_changes_no_clocks():
    assert sla.clocks(SHANGHAI, [], TARGETS, at(2026, 12, 7, 9)) == {}


def test_the_worked_example_of_docs_cases_md():
    high = sla.Targets(first_response=2 * H, resolution=8 * H)
    log = changes(
        (at(2026, 12, 11, 16, 30), "new"),  # Friday
        (at(2026, 12, 14, 10), "waiting"),  # Monday
        (at(2026, 12, 15, 15), "in_progress"),  # Tuesday
        (at(2026, 12, 16, 11), "resolved"),  # Wednesday
    )
    found = sla.clocks(SHANGHAI, log, high, at(2026, 12, 17, 9), first_response_at=at(2026, 12, 14, 9, 45))
    first, res = found["first_response"], found["resolution"]
    assert first.elapsed == 2.25 * H and first.status == "breached"
    assert first.breached_at == at(2026, 12, 14, 9, 30)
    assert res.elapsed == 7.5 * H and res.status == "met"
    # The same log while it was still waiting on Tuesday noon: paused at 2.5 h, no due time.
    paused = sla.clocks(
        SHANGHAI, log[:2], high, at(2026, 12, 15, 12), first_response_at=at(2026, 12, 14, 9, 45)
    )
    assert paused["resolution"].status == "paused" and paused["resolution"].elapsed == 2.5 * H
