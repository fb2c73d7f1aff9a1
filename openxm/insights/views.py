"""Insights pages: the journey map, touchpoint dashboards, role dashboards, response drill-down,
scheduled reports and segment settings. Views parse the filters and call services.
"""

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.journeys import services as journeys
from openxm.web.views import member_required

from . import charts, dashboards, drill, journey_map, notices, params, reports, services, widgets
from .models import Dashboard, ReportSchedule


def _params(request, defaults=None) -> params.Params | None:
    try:
        return params.parse(request.actor.organization, request.GET, defaults)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return params.parse(request.actor.organization, {}, defaults)


def _context(request, p: params.Params, **extra) -> dict:
    options = services.filter_options(request.actor)
    return {
        "params": p,
        "query": p.query(),
        "options": options,
        "configured_segments": [name for name, _values in options.segments],
        "attr_values": dict(p.filters.attributes),
        "can_drill": request.actor.can(Perm.RESPONSES_VIEW),
        **extra,
    }


# --- Journey map ------------------------------------------------------------------------------


def _journey_charts(jm: journey_map.JourneyMap, p: params.Params) -> list[charts.Chart]:
    stages = [s.name for s in jm.stages]
    emotion = charts.emotion_line(
        "emotion",
        _("Satisfaction across the journey (0–100)"),
        stages,
        [s.emotion.mean for s in jm.stages],
        [s.emotion.ci_low for s in jm.stages],
        [s.emotion.ci_high for s in jm.stages],
        [s.emotion.n for s in jm.stages],
    )
    out = [emotion]
    names = {t.key: t.name for t in jm.journey.touchpoints}
    for metric, grid in jm.trends.items():
        cells, links = [], []
        for i, tp in enumerate(grid.touchpoints):
            for j in range(len(grid.buckets)):
                n, score, _lo, _hi = grid.cell(i, j)
                cells.append((j, i, score, n))
                links.append(reverse("insights:touchpoint", args=[tp]) + "?" + p.query())
        low, high = {"nps": (-100, 100), "csat": (0, 100), "ces": (1, 7)}[metric]
        out.append(
            charts.heatmap(
                f"trend-{metric}",
                f"{widgets.METRIC_LABELS[metric]} · {_('touchpoint × period')}",
                [b.isoformat() for b in grid.buckets],
                [names.get(t, t) for t in grid.touchpoints],
                cells,
                low,
                high,
                links,
                filename=f"{jm.journey.key}-{metric}-trend",
            )
        )
    return out


@member_required(Perm.DASHBOARDS_VIEW)
def journey_map_page(request, key):
    p = _params(request)
    jm = journey_map.build(request.actor, key, p.filters, p.grain)
    chart_list = _journey_charts(jm, p)
    warnings = notices.for_page(request.actor, [t.key for t in jm.journey.touchpoints])
    return render(
        request,
        "insights/journey_map.html",
        _context(
            request,
            p,
            jm=jm,
            emotion=chart_list[0],
            trend_charts=chart_list[1:],
            payloads={c.id: c.payload() for c in chart_list},
            can_design=request.actor.can(Perm.SURVEYS_DESIGN),
            hide_fields=("journey", "stage", "touchpoint"),
            notices=warnings,
            warned={n.subject for n in warnings},
        ),
    )


# --- Touchpoint dashboard (drill-down target of the journey map) ------------------------------

TOUCHPOINT_WIDGETS = [
    {"type": "metric_card", "metric": "nps", "width": "third"},
    {"type": "metric_card", "metric": "csat", "width": "third"},
    {"type": "metric_card", "metric": "ces", "width": "third"},
    {"type": "trend_line", "metric": "nps", "grain": "w", "width": "half"},
    {"type": "trend_line", "metric": "csat", "grain": "w", "width": "half"},
    {"type": "distribution", "metric": "nps", "width": "third"},
    {"type": "distribution", "metric": "csat", "width": "third"},
    {"type": "distribution", "metric": "ces", "width": "third"},
    {"type": "breakdown_bar", "metric": "nps", "by": "channel", "width": "half"},
    {"type": "breakdown_bar", "metric": "nps", "by": "region", "width": "half"},
    {"type": "cx_dimensions", "width": "half"},
    {"type": "response_rate", "by": "channel", "width": "half"},
    {"type": "operational", "width": "half"},
    {"type": "verbatim_list", "limit": 10, "width": "half"},
]


def _render_widgets(request, p: params.Params, config: list[dict], prefix: str = "w") -> list:
    views = []
    for i, w in enumerate(widgets.clean_widgets(config)):
        try:
            views.append(widgets.render(request.actor, w, p, i, prefix))
        except (InvalidInput, ValueError) as exc:
            views.append(widgets.WidgetView(i, w["type"], w.get("title", ""), w["width"], note=str(exc)))
    return views


@member_required(Perm.DASHBOARDS_VIEW)
def touchpoint_page(request, key):
    info = journeys.get_touchpoint(request.actor, key)
    p = _params(request)
    scoped = params.Params(
        params.Filters(
            **{**p.filters.__dict__, "touchpoint": key, "journey": "", "stage": "", "touchpoints": None}
        ),
        p.period,
        p.grain,
    )
    views = _render_widgets(request, scoped, TOUCHPOINT_WIDGETS)
    return render(
        request,
        "insights/touchpoint.html",
        _context(
            request,
            scoped,
            tp=info,
            views=views,
            payloads={v.chart.id: v.chart.payload() for v in views if v.chart},
            hide_fields=("journey", "stage", "touchpoint"),
            notices=notices.for_page(request.actor, [key]),
        ),
    )


# --- Dashboards -------------------------------------------------------------------------------


@member_required(Perm.DASHBOARDS_VIEW)
def dashboard_list(request):
    rows = dashboards.list_dashboards(request.actor)
    if rows and request.GET.get("all") != "1":
        mine = dashboards.default_dashboard(request.actor)
        if mine is not None and request.GET.get("list") != "1":
            return redirect("insights:dashboard", key=mine.key)
    return render(
        request,
        "insights/dashboards.html",
        {
            "dashboards": rows,
            "roles": dict(Dashboard.Role.choices),
            "can_design": request.actor.can(Perm.SURVEYS_DESIGN),
        },
    )


@member_required(Perm.DASHBOARDS_VIEW)
def dashboard_page(request, key):
    try:
        row, p, views = dashboards.render_dashboard(request.actor, key, request.GET)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect(f"{reverse('insights:dashboard', args=[key])}")
    return render(
        request,
        "insights/dashboard.html",
        _context(
            request,
            p,
            dashboard=row,
            views=views,
            payloads={v.chart.id: v.chart.payload() for v in views if v.chart},
            all_dashboards=dashboards.list_dashboards(request.actor),
            roles=dict(Dashboard.Role.choices),
            can_design=request.actor.can(Perm.SURVEYS_DESIGN),
            can_schedule=request.actor.can(Perm.DATA_EXPORT),
            hide_fields=(),
            notices=notices.for_page(request.actor),
        ),
    )


class DashboardForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    role = forms.ChoiceField(label=gettext_lazy("For"), choices=Dashboard.Role.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    filters = forms.CharField(
        label=gettext_lazy("Default filters (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    widgets = forms.CharField(label=gettext_lazy("Widgets (JSON)"), widget=forms.Textarea(attrs={"rows": 18}))


@member_required(Perm.SURVEYS_DESIGN)
def dashboard_edit(request, key=None):
    actor = request.actor
    initial = {"widgets": json.dumps(TOUCHPOINT_WIDGETS[:3], indent=1), "filters": "{}"}
    if key:
        row = dashboards.get_dashboard(actor, key)
        initial = {
            "key": row.key,
            "name": row.name,
            "role": row.role,
            "description": row.description,
            "filters": json.dumps(row.filters, ensure_ascii=False, indent=1),
            "widgets": json.dumps(row.widgets, ensure_ascii=False, indent=1),
        }
    form = DashboardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = {
                "key": key or data["key"],
                "name": data["name"],
                "role": data["role"],
                "description": data["description"],
                "filters": json.loads(data["filters"] or "{}"),
                "widgets": json.loads(data["widgets"]),
            }
            row, _created = dashboards.save_dashboard(actor, document)
            messages.success(request, _("Dashboard saved."))
            return redirect("insights:dashboard", key=row.key)
        except json.JSONDecodeError as exc:
            form.add_error("widgets", _("not valid JSON: %(e)s") % {"e": exc})
        except InvalidInput as exc:
            name = "widgets" if exc.field.startswith("widgets") else exc.field.split(".")[0]
            form.add_error(name if name in form.fields else None, f"{exc.field}: {exc.message}")
    return render(
        request,
        "insights/dashboard_edit.html",
        {"form": form, "key": key, "widget_types": widgets.WIDGET_TYPES, "by": widgets.BY},
    )


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def dashboard_delete(request, key):
    dashboards.delete_dashboard(request.actor, key)
    messages.success(request, _("Dashboard deleted."))
    return redirect(reverse("insights:dashboards") + "?list=1")


@member_required(Perm.DASHBOARDS_VIEW)
def dashboard_pdf(request, key):
    report = reports.render_report(request.actor, key, request.GET)
    fmt = request.GET.get("format", "pdf")
    if fmt == "csv":
        response = HttpResponse(report.csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{key}.csv"'
        return response
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{key}.pdf"'
    return response


# --- Responses (drill-down) -------------------------------------------------------------------


@member_required(Perm.RESPONSES_VIEW)
def response_list(request):
    p = _params(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows, total = drill.list_responses(request.actor, p.filters, limit=50, offset=(page - 1) * 50)
    return render(
        request,
        "insights/responses.html",
        _context(
            request,
            p,
            rows=rows,
            total=total,
            page=page,
            has_next=page * 50 < total,
            next_query=p.query(page=page + 1),
            prev_query=p.query(page=page - 1) if page > 1 else "",
            hide_fields=(),
        ),
    )


@member_required(Perm.RESPONSES_VIEW)
def response_detail(request, response_id):
    detail = drill.get_response(request.actor, response_id)
    return render(
        request,
        "insights/response.html",
        {"detail": detail, "back": request.GET.get("back", ""), "can_pii": request.actor.can(Perm.PII_VIEW)},
    )


# --- Scheduled reports ------------------------------------------------------------------------


@member_required(Perm.DASHBOARDS_VIEW)
def schedules(request):
    actor = request.actor
    if request.method == "POST":
        actor.require(Perm.DATA_EXPORT)
        try:
            reports.create_schedule(
                actor,
                request.POST.get("dashboard", ""),
                request.POST.get("frequency", ""),
                request.POST.get("recipients", ""),
                request.POST.get("language", "en"),
            )
            messages.success(request, _("Report scheduled."))
            return redirect("insights:schedules")
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    return render(
        request,
        "insights/schedules.html",
        {
            "schedules": reports.list_schedules(actor),
            "dashboards": dashboards.list_dashboards(actor),
            "frequencies": ReportSchedule.Frequency.choices,
            "can_schedule": actor.can(Perm.DATA_EXPORT),
            "selected": request.GET.get("dashboard", ""),
        },
    )


@member_required(Perm.DATA_EXPORT)
@require_POST
def schedule_delete(request, schedule_id):
    reports.delete_schedule(request.actor, schedule_id)
    messages.success(request, _("Report schedule deleted."))
    return redirect("insights:schedules")


@member_required(Perm.DATA_EXPORT)
@require_POST
def schedule_send(request, schedule_id):
    try:
        reports.send_now(request.actor, schedule_id)
        messages.success(request, _("Report sent."))
    except Exception as exc:  # the mail server's error, shown to the member
        if isinstance(exc, Http404):
            raise
        messages.error(request, _("Sending failed: %(e)s") % {"e": exc})
    return redirect("insights:schedules")


# --- Settings: segments -----------------------------------------------------------------------


@member_required(Perm.DASHBOARDS_VIEW)
def segment_settings(request):
    actor = request.actor
    if request.method == "POST":
        actor.require(Perm.ORG_MANAGE)
        try:
            result = services.configure_segments(actor, request.POST.get("attributes", ""))
            messages.success(
                request, _("Segments saved; %(n)s responses re-segmented.") % {"n": result.responses}
            )
            return redirect("insights:segments")
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    return render(
        request,
        "insights/segments.html",
        {"status": services.rollup_status(actor), "can_manage": actor.can(Perm.ORG_MANAGE)},
    )
