"""Escalation from the SLA clocks: at risk the assignee is told, on breach the case owner one
unit level up; messages wait for the recipient's working hours unless the case is urgent."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core import mail

from openxm.alerts import services as alerts
from openxm.cases import config, escalation
from openxm.cases.models import Case, CaseEvent, Escalation

SH = ZoneInfo("Asia/Shanghai")
OFFICE = [[["09:00", "12:00"], ["13:00", "18:00"]]] * 5 + [[], []]


def at(*args):
    return datetime(*args, tzinfo=SH)


def _setup(org, admin, make_member):
    make_member(org, "agent", "store@example.com")
    make_member(org, "agent", "region@example.com")
    config.save_calendar(admin, "sh-office", "Shanghai office", "Asia/Shanghai", OFFICE, country="CN")
    config.set_unit(admin, "sh", calendar="sh-office", owner="region@example.com")
    config.set_unit(admin, "sh-jingan", owner="store@example.com")  # calendar inherited from sh
    config.update_settings(admin, risk_hours=1)


def _case(org, respond, key, priority):
    r = respond(1, key, unit="sh-jingan")
    case = Case.objects.for_org(org).get(response=r)
    case.priority = priority
    case.opened_at = at(2026, 12, 7, 9)  # Monday 09:00 in Shanghai
    case.save()
    return case


def test_risk_then_breach_escalate_once_each_and_wait_for_working_hours(
    org_a, admin, units, make_member, respond
):
    _setup(org_a, admin, make_member)
    alerts.save_rule(
        admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {"assign": "owner"}}]
    )
    case = _case(org_a, respond, "a", "high")  # first response within 2 business hours
    assert case.assignee.email == "store@example.com"

    assert escalation.sweep(org_a, now=at(2026, 12, 7, 9, 30)) == 0  # 1.5 h left: fine
    assert escalation.sweep(org_a, now=at(2026, 12, 7, 10, 30)) == 1  # 30 min left: at risk
    assert escalation.sweep(org_a, now=at(2026, 12, 7, 10, 40)) == 0  # once per level
    risk = Escalation.objects.for_org(org_a).get(level=1)
    assert risk.recipient.email == "store@example.com" and risk.send_at == at(2026, 12, 7, 10, 30)

    # Breached at 11:00; the sweep runs at 19:00, after hours: the regional manager (the owner
    # one unit level up) hears at 09:00 the next working morning, not at night.
    assert escalation.sweep(org_a, now=at(2026, 12, 7, 19)) == 1
    breach = Escalation.objects.for_org(org_a).get(level=2, recipient__email="region@example.com")
    assert breach.send_at == at(2026, 12, 8, 9)
    assert escalation.send_due(org_a, now=at(2026, 12, 7, 19)) == 1  # only the 10:30 risk mail
    assert mail.outbox[0].to == ["store@example.com"] and "at risk" in mail.outbox[0].subject
    assert escalation.send_due(org_a, now=at(2026, 12, 8, 8, 59)) == 0
    assert escalation.send_due(org_a, now=at(2026, 12, 8, 9)) == 2  # the manager and the assignee
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["region@example.com", "store@example.com"]
    assert all("breached" in m.subject for m in mail.outbox[1:])
    case.refresh_from_db()
    assert case.escalation_level == 2
    kinds = list(
        CaseEvent.objects.for_org(org_a).filter(case=case, kind="escalated").values_list("data", flat=True)
    )
    assert [k["level"] for k in kinds] == [1, 2] and kinds[1]["clock"] == "first_response"


def test_an_urgent_case_escalates_at_night_and_a_paused_case_does_not(
    org_a, admin, units, make_member, respond
):
    _setup(org_a, admin, make_member)
    alerts.save_rule(
        admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {"assign": "owner"}}]
    )
    urgent = _case(org_a, respond, "u", "urgent")
    waiting = _case(org_a, respond, "w", "high")
    Case.objects.for_org(org_a).filter(pk=waiting.pk).update(state="waiting")
    CaseEvent.objects.for_org(org_a).create(
        organization=org_a,
        case=waiting,
        kind="state",
        at=at(2026, 12, 7, 9, 10),
        from_state="new",
        to_state="waiting",
    )
    assert escalation.sweep(org_a, now=at(2026, 12, 7, 23)) == 1
    row = Escalation.objects.for_org(org_a).get(case=urgent, level=2, recipient__email="region@example.com")
    assert row.send_at == at(2026, 12, 7, 23)  # urgent: now, even at 23:00
    assert not Escalation.objects.for_org(org_a).filter(case=waiting).exists()
