"""Scheduled reports: a dashboard rendered to PDF (and CSV) and e-mailed weekly or monthly.

Weekly reports cover last week (Monday–Sunday) and go out on Monday at 07:00 in the
organization's time zone; monthly reports cover last month and go out on the 1st at 07:00.
Reports are rendered with viewer rights (aggregates only; comments redacted), whoever made the
schedule. :func:`send_due` is run by ``openxm insights send-reports`` (cron) or the Celery task
``openxm.insights.tasks.send_due_reports`` (beat); it walks every organization.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Membership, Organization
from openxm.accounts.roles import Perm, Role
from openxm.accounts.scope import descendants, unit_tree
from openxm.utils.csvsafe import write_csv

from . import dashboards
from .models import Dashboard, ReportSchedule
from .pdf import Document
from .rollups import org_zone

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 50
SEND_HOUR = 7


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    dashboard: str
    dashboard_name: str
    frequency: str
    recipients: list[str]
    language: str
    active: bool
    next_run_at: datetime
    last_sent_at: datetime | None
    last_error: str


def _row(s: ReportSchedule) -> ScheduleRow:
    return ScheduleRow(
        s.pk,
        s.dashboard.key,
        s.dashboard.name,
        s.frequency,
        list(s.recipients),
        s.language,
        s.active,
        s.next_run_at,
        s.last_sent_at,
        s.last_error,
    )


def next_run(frequency: str, org: Organization, after: datetime) -> datetime:
    """The next Monday (weekly) or 1st of the month (monthly) at 07:00 local time after ``after``."""
    zone = org_zone(org)
    local = timezone.localtime(after, zone)
    day = local.date()
    if frequency == ReportSchedule.Frequency.WEEKLY:
        candidate = day - timedelta(days=day.weekday())
        step = timedelta(days=7)
        moment = datetime.combine(candidate, time(SEND_HOUR), tzinfo=zone)
        while moment <= local:
            candidate += step
            moment = datetime.combine(candidate, time(SEND_HOUR), tzinfo=zone)
        return moment
    candidate = day.replace(day=1)
    moment = datetime.combine(candidate, time(SEND_HOUR), tzinfo=zone)
    while moment <= local:
        candidate = (candidate.replace(day=28) + timedelta(days=4)).replace(day=1)
        moment = datetime.combine(candidate, time(SEND_HOUR), tzinfo=zone)
    return moment


def _recipients(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").replace("\n", ",").split(",")
    out = []
    for raw in value or []:
        email = str(raw).strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                "recipients", _("%(email)s is not a valid e-mail address") % {"email": email}
            ) from None
        if email not in out:
            out.append(email)
    if not out:
        raise InvalidInput("recipients", _("give at least one e-mail address"))
    if len(out) > MAX_RECIPIENTS:
        raise InvalidInput("recipients", _("at most %(n)s recipients") % {"n": MAX_RECIPIENTS})
    return out


def list_schedules(actor: Actor) -> list[ScheduleRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return [_row(s) for s in ReportSchedule.objects.for_org(actor.organization).select_related("dashboard")]


@transaction.atomic
def create_schedule(
    actor: Actor, dashboard_key: str, frequency: str, recipients, language: str = "en"
) -> ScheduleRow:
    """Sending figures out by e-mail is an export: it needs ``data.export``."""
    actor.require(Perm.DATA_EXPORT)
    dashboard = Dashboard.objects.for_org(actor.organization).filter(key=dashboard_key).first()
    if dashboard is None:
        raise InvalidInput("dashboard", _("no dashboard with key %(key)s") % {"key": dashboard_key})
    if frequency not in ReportSchedule.Frequency.values:
        raise InvalidInput("frequency", _("must be weekly or monthly"))
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput("language", _("must be one of %(c)s") % {"c": ", ".join(dict(settings.LANGUAGES))})
    schedule = ReportSchedule.objects.for_org(actor.organization).create(
        organization=actor.organization,
        dashboard=dashboard,
        frequency=frequency,
        recipients=_recipients(recipients),
        language=language,
        next_run_at=next_run(frequency, actor.organization, timezone.now()),
        created_by=actor.user,
    )
    audit.record(
        actor,
        "report.scheduled",
        target_type="report",
        target_id=schedule.pk,
        data={"dashboard": dashboard_key, "frequency": frequency, "recipients": len(schedule.recipients)},
    )
    return _row(schedule)


@transaction.atomic
def delete_schedule(actor: Actor, schedule_id: int) -> None:
    actor.require(Perm.DATA_EXPORT)
    schedule = ReportSchedule.objects.for_org(actor.organization).filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound("report schedule", schedule_id)
    schedule.delete()
    audit.record(actor, "report.unscheduled", target_type="report", target_id=schedule_id)


# --- Rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    title: str
    period: str
    pdf: bytes
    csv: str
    html: str


def render_report(actor: Actor, dashboard_key: str, query) -> Report:
    """The dashboard as a PDF (cards, bar and line charts, tables), a CSV of every widget's
    table and an HTML summary for the e-mail body."""
    row, params, views = dashboards.render_dashboard(actor, dashboard_key, query)
    f = params.filters
    period = f"{f.start.isoformat()} – {f.end.isoformat()}"
    doc = Document(title=f"{row.name} {period}")
    doc.heading(row.name, 18)
    doc.paragraph(f"{actor.organization.name} · {period}", 10, 0.35)
    csv_rows: list[list] = []
    for view in views:
        doc.heading(view.title, 12)
        if view.note:
            doc.paragraph(view.note, 9, 0.4)
        for card in view.cards:
            doc.paragraph(_card_text(card), 11)
            csv_rows.append([view.title, card.label, "", card.value, card.ci_low, card.ci_high, card.n])
        if view.chart is not None:
            chart = view.chart
            if view.type in ("breakdown_bar", "kpi_target", "distribution"):
                doc.bars([r[0] for r in chart.rows], [r[1] for r in chart.rows])
            elif view.type == "trend_line":
                doc.line_chart([r[0] for r in chart.rows], [(chart.header[1], [r[1] for r in chart.rows])])
            if view.type == "heatmap":
                doc.table(*_pivot(chart.rows))
            else:
                doc.table(chart.header, chart.rows, max_rows=25)
            csv_rows += [[view.title, *r] for r in chart.rows]
        if view.journey is not None:
            jm = view.journey
            header = [_("Stage"), _("Touchpoint"), _("Responses"), "NPS", "CSAT", "CES"]
            rows = []
            for stage in jm.stages:
                for tp in stage.touchpoints:
                    rows.append(
                        [
                            stage.name,
                            tp.info.name,
                            tp.volume,
                            *[_fmt(tp.metrics[m].result.score, m) for m in ("nps", "csat", "ces")],
                        ]
                    )
            doc.table(header, rows)
            csv_rows += [[view.title, *r] for r in rows]
        for v in view.verbatims:
            doc.paragraph(f"“{v.text}” ({v.touchpoint}, {v.answered_at:%Y-%m-%d})", 9)
        for op in view.operational:
            doc.paragraph(
                f"{op['touchpoint']}: {op['metric']} {op['value']:g} {op['unit']} ({op['period']})", 9
            )
    csv = write_csv(["widget", "group", "value/1", "value/2", "value/3", "value/4", "value/5"], csv_rows)
    html = render_to_string(
        "insights/report_email.html",
        {"dashboard": row, "views": views, "period": period, "organization": actor.organization},
    )
    return Report(row.name, period, doc.render(), csv, html)


def _pivot(rows: list[list], max_columns: int = 8) -> tuple[list, list]:
    """Heatmap cells (row, column, value, n) as a table: one line per row, the latest columns."""
    columns = sorted({r[1] for r in rows})[-max_columns:]
    lines: dict[str, dict] = {}
    for row, column, value, _n in rows:
        if column in columns:
            lines.setdefault(row, {})[column] = value
    return ["", *columns], [[name, *[cells.get(c) for c in columns]] for name, cells in lines.items()]


def _fmt(value, metric: str) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if metric == "ces" else f"{value:.0f}"


def _card_text(card) -> str:
    if card.suppressed:
        return f"{card.label}: {_('suppressed')} (n = {card.n} < {card.min_n})"
    digits = card.digits
    ci = "—" if card.ci_low is None else f"{card.ci_low:.{digits}f} to {card.ci_high:.{digits}f}"
    text = f"{card.label}: {card.value:.{digits}f}  (95% CI {ci}, n = {card.n})"
    if card.test and card.p_value is not None:
        text += f"; {card.trend} vs previous period, {card.test} p = {card.p_value:.3f}"
    return text


def report_actor(org: Organization, unit_id: int | None = None) -> Actor:
    """Reports are rendered with viewer rights: aggregates, no personal data; limited to
    ``unit_id`` and the units below it when given."""
    return Actor(organization=org, role=Role.VIEWER, via="task", unit_id=unit_id)


def recipient_units(schedule: ReportSchedule) -> dict[int | None, list[str]]:
    """The schedule's recipients grouped by the unit their copy is limited to (None: the whole
    organization). A recipient who is a member limited to a unit gets only that unit; when the
    schedule's author is limited to a unit, nobody gets more than the author's unit."""
    org = schedule.organization
    units = {
        m.user.email.lower(): m.unit_id
        for m in Membership.objects.for_org(org)
        .select_related("user")
        .filter(user__email__in=[e.lower() for e in schedule.recipients])
    }
    author = Membership.objects.for_org(org).filter(user_id=schedule.created_by_id).first()
    ceiling = author.unit_id if author is not None else None
    rows = unit_tree(org) if ceiling is not None else []
    inside = descendants(ceiling, rows) if ceiling is not None else None
    groups: dict[int | None, list[str]] = {}
    for email in schedule.recipients:
        unit = units.get(email.lower())
        if inside is not None and (unit is None or unit not in inside):
            unit = ceiling
        groups.setdefault(unit, []).append(email)
    return groups


def send(schedule: ReportSchedule, now: datetime | None = None) -> None:
    """Render and e-mail one schedule (one copy per unit scope among its recipients); the period
    is last week or last month."""
    for unit_id, recipients in recipient_units(schedule).items():
        _send_copy(schedule, unit_id, recipients)


def _send_copy(schedule: ReportSchedule, unit_id: int | None, recipients: list[str]) -> None:
    org = schedule.organization
    period = "last_week" if schedule.frequency == ReportSchedule.Frequency.WEEKLY else "last_month"
    with translation.override(schedule.language):
        report = render_report(report_actor(org, unit_id), schedule.dashboard.key, {"period": period})
        subject = _("%(name)s report, %(period)s") % {"name": report.title, "period": report.period}
        message = EmailMultiAlternatives(
            subject=subject,
            body=_("The %(name)s report for %(period)s is attached (PDF and CSV).")
            % {"name": report.title, "period": report.period},
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(recipients),
        )
        message.attach_alternative(report.html, "text/html")
        slug = schedule.dashboard.key
        message.attach(f"{slug}-{report.period[:10]}.pdf", report.pdf, "application/pdf")
        message.attach(f"{slug}-{report.period[:10]}.csv", report.csv, "text/csv")
        message.send()


def send_due(now: datetime | None = None) -> int:
    """Send every active schedule whose time has come, in every organization. Returns the number
    sent. A failure is recorded on its schedule (and retried at the next run), not raised."""
    now = now or timezone.now()
    sent = 0
    for org in Organization.objects.order_by("id"):
        due = (
            ReportSchedule.objects.for_org(org)
            .select_related("dashboard", "organization")
            .filter(active=True, next_run_at__lte=now)
        )
        for schedule in due:
            try:
                send(schedule, now)
                schedule.last_sent_at = now
                schedule.last_error = ""
                sent += 1
                audit.record(
                    report_actor(org),
                    "report.sent",
                    target_type="report",
                    target_id=schedule.pk,
                    data={"recipients": len(schedule.recipients)},
                )
            except Exception as exc:  # a broken mail server must not stop the other reports
                log.exception("report %s failed", schedule.pk)
                schedule.last_error = f"{type(exc).__name__}: {exc}"[:500]
            schedule.next_run_at = next_run(schedule.frequency, org, now)
            schedule.save(update_fields=["last_sent_at", "last_error", "next_run_at"])
    return sent


def send_now(actor: Actor, schedule_id: int) -> None:
    actor.require(Perm.DATA_EXPORT)
    schedule = (
        ReportSchedule.objects.for_org(actor.organization)
        .select_related("dashboard", "organization")
        .filter(pk=schedule_id)
        .first()
    )
    if schedule is None:
        raise NotFound("report schedule", schedule_id)
    send(schedule)
    schedule.last_sent_at = timezone.now()
    schedule.last_error = ""
    schedule.save(update_fields=["last_sent_at", "last_error"])
    audit.record(
        actor,
        "report.sent",
        target_type="report",
        target_id=schedule.pk,
        data={"recipients": len(schedule.recipients)},
    )
