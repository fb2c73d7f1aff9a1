"""Dashboard widgets: configuration checking and rendering to cards, charts and tables.

A widget is a dict: ``type`` (see :data:`WIDGET_TYPES`), an optional ``title``, ``width``
(``full``, ``half`` or ``third``) and the options of its type (``metric``, ``by``, ``grain``,
``journey``, ``touchpoint``, ``limit``, ``target``). ``journey``/``touchpoint`` on a widget narrow
the dashboard's global filters for that widget only. docs/dashboards.md lists them all.
"""

from dataclasses import dataclass, field, replace

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Unit
from openxm.accounts.roles import Perm
from openxm.analytics.rollup_math import add_tally, score_from_tally
from openxm.customers import tiers
from openxm.journeys import services as journeys
from openxm.surveys.collect import channel_label

from . import charts, drill, figures, journey_map, segments
from .labels import test_label
from .params import Params
from .query import tallies

WIDGET_TYPES = {
    "metric_card": gettext_lazy("Metric card"),
    "trend_line": gettext_lazy("Trend line"),
    "breakdown_bar": gettext_lazy("Breakdown"),
    "distribution": pgettext_lazy("chart of score frequencies", "Distribution"),
    "heatmap": gettext_lazy("Heatmap (touchpoint × period)"),
    "journey_map": gettext_lazy("Journey map"),
    "verbatim_list": gettext_lazy("Verbatims"),
    "kpi_target": gettext_lazy("KPI vs target"),
    "operational": gettext_lazy("Operational metrics"),
    "response_rate": gettext_lazy("Response rate"),
    "cx_dimensions": gettext_lazy("CX dimensions"),
}
METRICS = ("nps", "enps", "csat", "ces")
METRIC_LABELS = {"nps": "NPS", "enps": "eNPS", "csat": "CSAT", "ces": "CES", "responses": _("Responses")}
BY = ("touchpoint", "stage", "journey", "channel", "unit", "region", "survey", "tier")
WIDTHS = ("full", "half", "third")


def clean_widgets(value) -> list[dict]:
    """Widgets checked and normalised; the error names the widget and the field."""
    if not isinstance(value, list):
        raise InvalidInput("widgets", _("must be a list of widgets"))
    if len(value) > 40:
        raise InvalidInput("widgets", _("at most 40 widgets per dashboard"))
    out = []
    for i, w in enumerate(value):
        p = f"widgets[{i}]."
        if not isinstance(w, dict):
            raise InvalidInput(f"widgets[{i}]", _("must be an object with a type"))
        kind = w.get("type")
        if kind not in WIDGET_TYPES:
            raise InvalidInput(p + "type", _("must be one of %(c)s") % {"c": ", ".join(WIDGET_TYPES)})
        clean = {"type": kind}
        if w.get("title"):
            clean["title"] = str(w["title"])[:120]
        clean["width"] = w.get("width") or ("third" if kind in ("metric_card",) else "half")
        if clean["width"] not in WIDTHS:
            raise InvalidInput(p + "width", _("must be one of %(c)s") % {"c": ", ".join(WIDTHS)})
        if kind in ("metric_card", "trend_line", "breakdown_bar", "distribution", "heatmap", "kpi_target"):
            metric = w.get("metric", "nps")
            if metric not in METRICS:
                raise InvalidInput(p + "metric", _("must be one of %(c)s") % {"c": ", ".join(METRICS)})
            clean["metric"] = metric
        if kind == "breakdown_bar":
            by = w.get("by", "touchpoint")
            if by not in BY and not (str(by).startswith("segment:") and len(by) > 8):
                raise InvalidInput(
                    p + "by", _("must be one of %(c)s or segment:<attribute>") % {"c": ", ".join(BY)}
                )
            clean["by"] = by
        if kind == "response_rate":
            by = w.get("by", "touchpoint")
            if by not in ("touchpoint", "channel"):
                raise InvalidInput(p + "by", _("must be one of %(c)s") % {"c": "touchpoint, channel"})
            clean["by"] = by
        if kind in ("trend_line", "heatmap"):
            grain = w.get("grain", "w")
            if grain not in ("d", "w", "m"):
                raise InvalidInput(p + "grain", _("must be d, w or m"))
            clean["grain"] = grain
        for name in ("journey", "touchpoint"):
            if w.get(name):
                clean[name] = str(w[name])[:64]
        if kind == "journey_map" and not clean.get("journey"):
            raise InvalidInput(p + "journey", _("a journey map widget needs a journey"))
        if kind == "verbatim_list":
            try:
                clean["limit"] = max(1, min(int(w.get("limit", 10)), 50))
            except (TypeError, ValueError):
                raise InvalidInput(p + "limit", _("must be a whole number")) from None
        if kind in ("metric_card", "kpi_target") and w.get("target") not in (None, ""):
            try:
                clean["target"] = float(w["target"])
            except (TypeError, ValueError):
                raise InvalidInput(p + "target", _("must be a number")) from None
        out.append(clean)
    return out


@dataclass
class Card:
    label: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    suppressed: bool
    min_n: int
    trend: str = ""
    previous: float | None = None
    test: str = ""
    p_value: float | None = None
    difference: float | None = None
    target: float | None = None
    digits: int = 0


@dataclass
class WidgetView:
    index: int
    type: str
    title: str
    width: str
    chart: charts.Chart | None = None
    cards: list[Card] = field(default_factory=list)
    verbatims: list = field(default_factory=list)
    journey: object = None
    operational: list = field(default_factory=list)
    source: str = ""
    drill_url: str = ""
    note: str = ""


def _digits(metric: str) -> int:
    return 2 if metric == "ces" else 0


def card_from(label: str, metric: str, fig: figures.Figure, target: float | None = None) -> Card:
    r, c = fig.result, fig.comparison
    return Card(
        label=label,
        value=r.score,
        ci_low=r.ci_low,
        ci_high=r.ci_high,
        n=r.n,
        suppressed=r.suppressed,
        min_n=r.min_n,
        trend=fig.trend,
        previous=fig.previous.score if fig.previous else None,
        test=test_label(c.test) if c else "",
        p_value=c.p_value if c else None,
        difference=c.difference if c else None,
        target=target,
        digits=_digits(metric),
    )


def _scoped(params: Params, w: dict) -> Params:
    f = params.filters
    if w.get("touchpoint"):
        f = replace(f, touchpoint=w["touchpoint"], touchpoints=None)
    elif w.get("journey"):
        f = replace(f, journey=w["journey"], touchpoints=None)
    return replace(params, filters=f)


def render(actor: Actor, w: dict, params: Params, index: int, chart_prefix: str = "w") -> WidgetView:
    params = _scoped(params, w)
    kind = w["type"]
    title = w.get("title") or _default_title(w)
    view = WidgetView(index, kind, title, w.get("width", "half"))
    query = params.query()
    if actor.can(Perm.RESPONSES_VIEW):
        view.drill_url = reverse("insights:responses") + "?" + query
    handler = {
        "metric_card": _metric_card,
        "kpi_target": _kpi_target,
        "trend_line": _trend_line,
        "breakdown_bar": _breakdown,
        "distribution": _distribution,
        "heatmap": _heatmap,
        "journey_map": _journey_map,
        "verbatim_list": _verbatims,
        "operational": _operational,
        "response_rate": _response_rate,
        "cx_dimensions": _cx_dimensions,
    }[kind]
    handler(actor, w, params, view, f"{chart_prefix}{index}")
    if view.chart is not None and not charts.has_data(view.chart):
        # an empty frame says nothing: say why there is nothing to draw instead
        view.chart = None
        view.note = view.note or _(
            "Nothing to show: no answers in this period match these filters, or fewer than %(n)s."
        ) % {"n": figures.min_n(actor.organization)}
    return view


BY_LABELS = {
    "touchpoint": gettext_lazy("touchpoint"),
    "stage": gettext_lazy("stage"),
    "journey": gettext_lazy("journey"),
    "channel": gettext_lazy("channel"),
    "unit": gettext_lazy("store"),
    "region": gettext_lazy("region"),
    "survey": gettext_lazy("survey"),
    "tier": gettext_lazy("value tier"),
}


def _default_title(w: dict) -> str:
    label = METRIC_LABELS.get(w.get("metric", ""), "")
    kind = w["type"]
    if kind == "metric_card":
        return label
    if kind == "breakdown_bar":
        by = w["by"]
        by_label = BY_LABELS[by] if by in BY_LABELS else by.split(":", 1)[1]
        return _("%(metric)s by %(by)s") % {"metric": label, "by": by_label}
    if kind == "trend_line":
        return _("%(metric)s trend") % {"metric": label}
    if kind == "distribution":
        return _("%(metric)s distribution") % {"metric": label}
    if kind == "heatmap":
        return _("%(metric)s: touchpoint × period") % {"metric": label}
    if kind == "kpi_target":
        return _("%(metric)s vs target") % {"metric": label}
    if kind == "response_rate":
        return _("Response rate by %(by)s") % {"by": BY_LABELS[w.get("by", "touchpoint")]}
    return str(WIDGET_TYPES[kind])


def _metric_card(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    metric = w["metric"]
    fig = figures.headline(actor, params.filters, metric)
    view.cards = [card_from(METRIC_LABELS[metric], metric, fig, w.get("target"))]


def _touchpoint_targets(actor, params: Params) -> tuple[list, dict]:
    directory = journeys.touchpoint_directory(actor.organization)
    f = params.filters
    tps = [
        t
        for t in directory.values()
        if (not f.journey or t.journey_key == f.journey)
        and (not f.stage or t.stage_key == f.stage)
        and (not f.touchpoint or t.key == f.touchpoint)
    ]
    return tps, directory


def _kpi_target(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    metric = w["metric"]
    tps, _directory = _touchpoint_targets(actor, params)
    found, view.source = figures.figures(actor, params.filters, metric, ("touchpoint",))
    by = {fig.group[0]: fig for fig in found}
    cats, values, targets, lows, highs, ns, links = [], [], [], [], [], [], []
    for t in tps:
        target = t.targets.get(metric, w.get("target"))
        if target is None:
            continue
        fig = by.get(t.key)
        r = fig.result if fig else None
        cats.append(t.name)
        values.append(r.score if r else None)
        lows.append(r.ci_low if r else None)
        highs.append(r.ci_high if r else None)
        ns.append(r.n if r else 0)
        targets.append(target)
        links.append(reverse("insights:touchpoint", args=[t.key]) + "?" + params.query())
    chart = charts.bars(
        chart_id,
        view.title,
        cats,
        values,
        lows,
        highs,
        ns,
        METRIC_LABELS[metric],
        links,
        filename=f"kpi-{metric}",
        domain=metric if metric in charts.DOMAINS else None,
    )
    chart.option["series"].append(
        {
            "name": _("Target"),
            "type": "scatter",
            "symbol": "diamond",
            "symbolSize": 12,
            "itemStyle": {"color": "#b42318"},
            "data": targets,
        }
    )
    chart.header.append(_("Target"))
    for row, target in zip(chart.rows, targets, strict=True):
        row.append(target)
    view.chart = chart
    if not cats:
        view.note = _("No touchpoint has a target for this metric.")


def _trend_line(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    metric, grain = w["metric"], w["grain"]
    f = params.filters
    found, view.source = figures.figures(actor, f, metric, ("bucket",), grain)
    by = {fig.group[0]: fig.result for fig in found}
    from openxm.analytics.rollup_math import buckets

    labels, values, low, high, n = [], [], [], [], []
    for b, _s, _e in buckets(f.start, f.end, grain):
        r = by.get(b)
        labels.append(b.isoformat())
        values.append(r.score if r else None)
        low.append(r.ci_low if r else None)
        high.append(r.ci_high if r else None)
        n.append(r.n if r else 0)
    view.chart = charts.line_with_band(
        chart_id,
        view.title,
        labels,
        [{"name": METRIC_LABELS[metric], "values": values, "low": low, "high": high, "n": n}],
        filename=f"trend-{metric}",
        domain=metric if metric in charts.DOMAINS else None,
    )


def _merge(table: dict, key_of) -> dict:
    out: dict = {}
    for group, tally in table.items():
        key = key_of(group[0])
        merged = out.setdefault(key, {})
        for p, (c, s, q) in tally.items():
            add_tally(merged, p, c, s, q)
    return out


def _unit_names(actor) -> tuple[dict, dict]:
    rows = list(Unit.objects.for_org(actor.organization).values_list("id", "name", "kind", "parent_id"))
    names = {r[0]: r[1] for r in rows}
    parent = {r[0]: r[3] for r in rows}
    kind = {r[0]: r[2] for r in rows}

    def region(uid):
        seen = 0
        while uid and kind.get(uid) != "region" and seen < 20:
            uid, seen = parent.get(uid), seen + 1
        return uid or 0

    return names, {uid: region(uid) for uid in names}


def breakdown_table(actor, params: Params, metric: str, by: str) -> tuple[dict, str, dict]:
    """{label: tally}, the source, and {label: drill-down filter changes}."""
    org = actor.organization
    f = params.filters
    if by in ("touchpoint", "stage", "journey"):
        t = tallies(actor.scope, f, metric, ("touchpoint",))
        directory = journeys.touchpoint_directory(org)
        if by == "touchpoint":
            table = _merge(t.table, lambda k: directory[k].name if k in directory else (k or "—"))
            links = {
                (directory[k].name if k in directory else k or "—"): {"touchpoint": k} for (k,) in t.table
            }
        else:
            attr = "stage_name" if by == "stage" else "journey_name"
            table = _merge(t.table, lambda k: getattr(directory[k], attr) if k in directory else "—")
            links = {}
        return table, t.source, links
    if by in ("unit", "region"):
        t = tallies(actor.scope, f, metric, ("unit",))
        names, regions = _unit_names(actor)
        if by == "unit":
            return _merge(t.table, lambda u: names.get(u, "—")), t.source, {}
        return _merge(t.table, lambda u: names.get(regions.get(u, 0), "—")), t.source, {}
    if by == "channel":
        t = tallies(actor.scope, f, metric, ("channel",))
        return _merge(t.table, lambda c: c), t.source, {name: {"channel": name} for (name,) in t.table}
    if by == "survey":
        t = tallies(actor.scope, f, metric, ("survey",))
        from openxm.surveys.models import Survey

        titles = dict(Survey.objects.for_org(org).values_list("id", "title"))
        return _merge(t.table, lambda s: titles.get(s, "—")), t.source, {}
    if by == "tier":  # the contact's current value tier (RFM, openxm.customers.tiers)
        t = tallies(actor.scope, f, metric, ("tier",))
        table = _merge(t.table, lambda tier: tiers.tier_label(tier) if tier else _("no purchases"))
        return table, t.source, {}
    attribute = by.split(":", 1)[1]
    t = tallies(actor.scope, f, metric, ("segment",))
    return _merge(t.table, lambda key: segments.parse_key(key).get(attribute) or "—"), t.source, {}


def _scored(actor, params: Params, metric: str, table: dict) -> tuple[list, list]:
    floor = figures.min_n(actor.organization)
    labels = sorted(table, key=str)
    return labels, [
        score_from_tally(metric, table[k], weighted=params.filters.weighted, min_n=floor) for k in labels
    ]


def breakdown(actor, params: Params, metric: str, by: str) -> list[tuple[str, object]]:
    """(group label, ScoreResult) per group of ``by`` (see :func:`breakdown_table`)."""
    actor.require(Perm.DASHBOARDS_VIEW)
    table, _source, _links = breakdown_table(actor, params, metric, by)
    labels, results = _scored(actor, params, metric, table)
    return list(zip(labels, results, strict=True))


def _breakdown(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    metric, by = w["metric"], w["by"]
    table, view.source, link_filters = breakdown_table(actor, params, metric, by)
    labels, results = _scored(actor, params, metric, table)
    links = []
    for label in labels:
        changes = link_filters.get(label)
        if changes and "touchpoint" in changes:
            links.append(reverse("insights:touchpoint", args=[changes["touchpoint"]]) + "?" + params.query())
        elif changes:
            links.append(reverse("insights:responses") + "?" + params.query(**changes))
        else:
            links.append("")
    view.chart = charts.bars(
        chart_id,
        view.title,
        [str(x) for x in labels],
        [r.score for r in results],
        [r.ci_low for r in results],
        [r.ci_high for r in results],
        [r.n for r in results],
        METRIC_LABELS[metric],
        links,
        filename=f"{metric}-by-{by.replace(':', '-')}",
        domain=metric if metric in charts.DOMAINS else None,
    )


def _distribution(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    metric = w["metric"]
    counts = figures.distribution(actor, params.filters, metric)
    if not counts:
        view.note = _("Too few answers to show (fewer than %(n)s).") % {
            "n": figures.min_n(actor.organization)
        }
    view.chart = charts.distribution(chart_id, view.title, counts, filename=f"distribution-{metric}")


def _heatmap(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    metric, grain = w["metric"], w["grain"]
    f = params.filters
    directory = journeys.touchpoint_directory(actor.organization)
    keys = None
    if not (f.journey or f.stage or f.touchpoint):
        keys = list(directory)
    grid = figures.trend_grid(actor.scope, f, metric, grain, touchpoints=keys)
    view.source = grid.source
    x = [b.isoformat() for b in grid.buckets]
    y = [directory[t].name if t in directory else t for t in grid.touchpoints]
    cells, links = [], []
    for i, tp in enumerate(grid.touchpoints):
        for j in range(len(grid.buckets)):
            n, score, _lo, _hi = grid.cell(i, j)
            cells.append((j, i, score, n))
            links.append(reverse("insights:touchpoint", args=[tp]) + "?" + params.query() if tp else "")
    low, high = {"nps": (-100, 100), "enps": (-100, 100), "csat": (0, 100), "ces": (1, 7)}[metric]
    view.chart = charts.heatmap(
        chart_id, view.title, x, y, cells, low, high, links, filename=f"heatmap-{metric}"
    )


def _journey_map(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    view.journey = journey_map.build(actor, w["journey"], params.filters, with_trends=False)
    view.source = view.journey.source


def _verbatims(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    view.verbatims = drill.verbatims(actor, params.filters, w.get("limit", 10))
    view.source = "raw"


def _operational(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    tps, directory = _touchpoint_targets(actor, params)
    actor.require(Perm.DASHBOARDS_VIEW)
    latest = journey_map.latest_operational(actor.organization, [t.key for t in tps], params.filters)
    view.operational = [
        {
            "touchpoint": directory[key].name if key in directory else key,
            "metric": cell.label,
            "period": f"{cell.period_start} – {cell.period_end}",
            "value": cell.value,
            "previous": cell.previous,
            "unit": cell.unit,
            "better": None
            if cell.previous is None or cell.previous == cell.value
            else (cell.value > cell.previous) == cell.higher_is_better,
        }
        for key in [t.key for t in tps]
        for cell in latest.get(key, [])
    ]


def _response_rate(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    by = w.get("by", "touchpoint")
    rates = figures.response_rates(actor, params.filters, (by,))
    view.source = "raw"
    if not any(r.result.rate is not None for r in rates):
        # an empty frame says nothing: say why there is no bar instead
        if any(r.result.delivered for r in rates):
            view.note = _("Too few invitations were delivered to show a rate (fewer than %(n)s).") % {
                "n": figures.min_n(actor.organization)
            }
        else:
            view.note = NO_RATES.get(by, NO_RATES["touchpoint"])
        return
    directory = journeys.touchpoint_directory(actor.organization) if by == "touchpoint" else {}
    keys = [r.group[0] for r in rates]
    if by == "channel":
        labels = [channel_label(k) for k in keys]
    else:
        labels = [directory[k].name if k in directory else (k or "—") for k in keys]
    view.chart = charts.bars(
        chart_id,
        view.title,
        labels,
        [r.result.rate for r in rates],
        [r.result.ci_low for r in rates],
        [r.result.ci_high for r in rates],
        [r.result.delivered for r in rates],
        "%",
        filename=f"response-rate-{by}",
        domain="share",
    )


def _cx_dimensions(actor, w, params: Params, view: WidgetView, chart_id: str) -> None:
    results = figures.cx_dimensions(actor, params.filters)
    labels = [str(CX_LABELS[d]) for d in results]
    values = list(results.values())
    view.chart = charts.bars(
        chart_id,
        view.title,
        labels,
        [r.mean for r in values],
        [r.ci_low for r in values],
        [r.ci_high for r in values],
        [r.n for r in values],
        "0–100",
        filename="cx-dimensions",
        domain="share",
    )
    view.source = "answers"


NO_RATES = {
    "channel": gettext_lazy(
        "No invitations were delivered by any channel in this period: no response rate by channel."
    ),
    "touchpoint": gettext_lazy(
        "No invitations were delivered in this period: no response rate by touchpoint."
    ),
}

CX_LABELS = {
    "usefulness": gettext_lazy("Usefulness"),
    "reliability": gettext_lazy("Reliability"),
    "responsiveness": gettext_lazy("Responsiveness"),
    "empathy": gettext_lazy("Empathy"),
    "resolution": gettext_lazy("Resolution"),
    "personalization": gettext_lazy("Personalization"),
}
