"""Scheduled reports: next run times, rendering to PDF/CSV, e-mail with attachments, failures kept."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from openxm.accounts.errors import InvalidInput
from openxm.insights import dashboards, reports
from openxm.insights.models import ReportSchedule
from openxm.insights.pdf import Document

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("frequency", "zone", "after", "expected"),
    [
        # Wednesday → next Monday 07:00 local (Shanghai is UTC+8: 23:00 UTC on Sunday).
        (
            "weekly",
            "Asia/Shanghai",
            datetime(2025, 3, 5, 12, tzinfo=UTC),
            datetime(2025, 3, 9, 23, tzinfo=UTC),
        ),
        # Monday 06:00 local is before the send time: the same day.
        ("weekly", "UTC", datetime(2025, 3, 3, 6, tzinfo=UTC), datetime(2025, 3, 3, 7, tzinfo=UTC)),
        ("monthly", "UTC", datetime(2025, 3, 1, 7, tzinfo=UTC), datetime(2025, 4, 1, 7, tzinfo=UTC)),
        ("monthly", "UTC", datetime(2025, 12, 15, tzinfo=UTC), datetime(2026, 1, 1, 7, tzinfo=UTC)),
    ],
)
def test_next_run(org_a, frequency, zone, after, expected):
    org_a.time_zone = zone
    assert reports.next_run(frequency, org_a, after) == expected


def test_due_reports_are_mailed_with_pdf_and_csv(small_org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org, actor, *_ = small_org
    dashboards.save_dashboard(
        actor,
        {
            "key": "exec",
            "name": "Executive 高管",
            "widgets": [
                {"type": "metric_card", "metric": "nps"},
                {"type": "breakdown_bar", "metric": "csat", "by": "touchpoint"},
                {"type": "trend_line", "metric": "nps", "grain": "w"},
                {"type": "heatmap", "metric": "nps"},
            ],
        },
    )
    from openxm.accounts import services as accounts

    owner = accounts.operator_actor(org)
    row = reports.create_schedule(owner, "exec", "weekly", "cx@example.com; ceo@example.com", "zh-hans")
    assert row.recipients == ["cx@example.com", "ceo@example.com"]
    assert reports.send_due(datetime(2020, 1, 1, tzinfo=UTC)) == 0
    sent_at = row.next_run_at
    assert reports.send_due(sent_at) == 1
    message = mail.outbox[0]
    assert message.to == ["cx@example.com", "ceo@example.com"] and "Executive" in message.subject
    names = [a[0] for a in message.attachments]
    assert names[0].endswith(".pdf") and names[1].endswith(".csv")
    assert message.attachments[0][1].startswith(b"%PDF-1.4") and b"%%EOF" in message.attachments[0][1]
    schedule = ReportSchedule.objects.for_org(org).get()
    assert schedule.last_sent_at == sent_at and schedule.next_run_at > sent_at
    assert reports.send_due(sent_at) == 0  # not twice


def test_a_failing_mail_server_is_recorded_and_others_still_go(small_org, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org, actor, *_ = small_org
    dashboards.save_dashboard(
        actor, {"key": "d", "name": "D", "widgets": [{"type": "metric_card", "metric": "ces"}]}
    )
    from openxm.accounts import services as accounts

    row = reports.create_schedule(accounts.operator_actor(org), "d", "monthly", ["a@example.com"])

    def broken(self, fail_silently=False):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    assert reports.send_due(row.next_run_at) == 0
    schedule = ReportSchedule.objects.for_org(org).get()
    assert "connection refused" in schedule.last_error and schedule.next_run_at > row.next_run_at


@pytest.mark.parametrize(
    ("dashboard", "frequency", "recipients", "field"),
    [
        ("nope", "weekly", ["a@example.com"], "dashboard"),
        ("d", "daily", ["a@example.com"], "frequency"),
        ("d", "weekly", [], "recipients"),
        ("d", "weekly", ["x@"], "recipients"),
    ],
)
def test_schedule_errors_name_the_field(small_org, dashboard, frequency, recipients, field):
    org, actor, *_ = small_org
    dashboards.save_dashboard(actor, {"key": "d", "name": "D", "widgets": []})
    with pytest.raises(InvalidInput) as err:
        reports.create_schedule(actor, dashboard, frequency, recipients)
    assert err.value.field == field


def test_pdf_writer_makes_a_well_formed_file():
    doc = Document(title="t")
    doc.heading("旅程 Journey")
    doc.paragraph("NPS 42 (95% CI 35 to 49) " * 20)
    doc.table(["a", "b"], [[1, "二"], [2.5, None]] * 30)
    doc.bars(["x", "y"], [3, -2])
    doc.line_chart(["w1", "w2", "w3"], [("NPS", [1, None, 3])])
    data = doc.render()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[xref : xref + 4] == b"xref"
    count = int(data[xref:].split(b"\n")[1].split()[1])
    offsets = [int(line.split()[0]) for line in data[xref:].split(b"\n")[3 : 3 + count - 1]]
    for number, offset in enumerate(offsets, start=1):
        assert data[offset:].startswith(f"{number} 0 obj".encode())
    assert len(doc.pages) >= 2
