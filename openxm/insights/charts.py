"""Chart specifications: an ECharts option plus the same numbers as a table.

Pages put a :class:`Chart` in a ``json_script`` block; ``static/openxm/js/charts.js`` draws it,
switches to the table view and downloads CSV or PNG. Options are plain JSON (no functions), as
the content security policy allows no inline script. ``links`` (one URL per data point, in
the order of the first series) make a click drill down.

Axes are bounded to their metric's domain (``DOMAINS``: a share never runs past 0–100 %, NPS
past ±100): bars show the whole domain, a trend zooms to its data but never beyond the domain.
"""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext

PALETTE = ["#2457d6", "#12b76a", "#f79009", "#7a5af8", "#ee46bc", "#0ba5ec", "#667085"]
# (low, high, step of a zoomed axis) per metric as the dashboards report it: NPS and eNPS in
# points, CSAT as top-2-box %, CES as the 1–7 mean, shares (response rate, 0–100 indices) in %.
DOMAINS = {
    "nps": (-100, 100, 10),
    "enps": (-100, 100, 10),
    "csat": (0, 100, 10),
    "ces": (1, 7, 1),
    "share": (0, 100, 10),
}


def zoomed(values, domain: str) -> dict:
    """``min``/``max`` of a value axis that holds ``values`` (None ignored), rounded out to the
    domain's step and never beyond the domain."""
    low, high, step = DOMAINS[domain]
    present = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not present:
        return {"min": low, "max": high}
    bottom = max(low, math.floor(min(present) / step) * step)
    top = min(high, math.ceil(max(present) / step) * step)
    if top <= bottom:  # a flat line: one step of room around it, still inside the domain
        bottom, top = max(low, bottom - step), min(high, top + step)
    return {"min": bottom, "max": top}


@dataclass
class Chart:
    id: str
    title: str
    option: dict
    header: list[str]
    rows: list[list]
    filename: str = "chart"
    links: list[str] = field(default_factory=list)
    height: int = 280

    def payload(self) -> dict:
        return {
            "option": self.option,
            "table": {"header": self.header, "rows": self.rows},
            "filename": self.filename,
            "links": self.links,
            "title": self.title,
        }


def num(value, digits: int = 1):
    """A rounded float for display, None for missing/NaN."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return round(value, digits)


def has_data(chart: Chart) -> bool:
    """Whether any series of the chart has a value to draw (a page shows why instead of an empty
    frame when none has)."""
    for series in chart.option.get("series", []):
        for point in series.get("data", []):
            value = point[-1] if isinstance(point, list) else point
            if value is not None:
                return True
    return False


def _base(title: str) -> dict:
    return {
        "color": PALETTE,
        "animation": False,
        "title": {"show": False, "text": title},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 16, "top": 32, "bottom": 40, "containLabel": True},
    }


def line_with_band(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[dict],
    y_name: str = "",
    filename: str = "trend",
    domain: str | None = None,
) -> Chart:
    """``series``: dicts with name, values, low, high (lists aligned with ``labels``). Each line
    gets its 95 % interval as a shaded band (a stacked pair of transparent/filled areas). With a
    ``domain`` (a key of ``DOMAINS``) the axis holds the lines and bands, inside the domain."""
    option = _base(title)
    option["legend"] = {"top": 0, "data": [s["name"] for s in series]}
    option["xAxis"] = {"type": "category", "data": labels, "boundaryGap": False}
    option["yAxis"] = {"type": "value", "name": y_name, "scale": True}
    if domain:
        shown = [v for s in series for key in ("values", "low", "high") for v in s[key]]
        option["yAxis"].update(zoomed(shown, domain), scale=False)
    out = []
    header = [gettext("Period")]
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        stack = f"ci{i}"
        low = [num(v) for v in s["low"]]
        width = [
            None if lo is None or hi is None else num(hi - lo) for lo, hi in zip(low, s["high"], strict=True)
        ]
        out.append(
            {
                "name": f"{s['name']} ci",
                "type": "line",
                "data": low,
                "stack": stack,
                "stackStrategy": "all",
                "symbol": "none",
                "lineStyle": {"opacity": 0},
                "tooltip": {"show": False},
                "silent": True,
            }
        )
        out.append(
            {
                "name": f"{s['name']} 95%",
                "type": "line",
                "data": width,
                "stack": stack,
                "stackStrategy": "all",
                "symbol": "none",
                "lineStyle": {"opacity": 0},
                "areaStyle": {"color": color, "opacity": 0.15},
                "tooltip": {"show": False},
                "silent": True,
            }
        )
        out.append(
            {
                "name": s["name"],
                "type": "line",
                "data": [num(v) for v in s["values"]],
                "connectNulls": False,
                "itemStyle": {"color": color},
                "lineStyle": {"color": color, "width": 2},
            }
        )
        header += [
            s["name"],
            gettext("%(name)s: low end of 95%% CI") % {"name": s["name"]},
            gettext("%(name)s: high end of 95%% CI") % {"name": s["name"]},
            f"{s['name']} n",
        ]
    option["series"] = out
    rows = []
    for j, label in enumerate(labels):
        row = [label]
        for s in series:
            row += [
                num(s["values"][j]),
                num(s["low"][j]),
                num(s["high"][j]),
                s.get("n", [None] * len(labels))[j],
            ]
        rows.append(row)
    return Chart(chart_id, title, option, header, rows, filename)


def bars(
    chart_id: str,
    title: str,
    categories: list[str],
    values: list,
    low: list | None = None,
    high: list | None = None,
    n: list | None = None,
    name: str = "",
    links: list[str] | None = None,
    target: float | None = None,
    filename: str = "breakdown",
    horizontal: bool = True,
    domain: str | None = None,
) -> Chart:
    """A bar per category; the interval as a thin marker pair; an optional target line. With a
    ``domain`` (a key of ``DOMAINS``) the value axis spans the whole domain (0–100 % for a share),
    so bars of different charts compare by eye."""
    option = _base(title)
    option["tooltip"] = {"trigger": "item"}
    cat_axis = {"type": "category", "data": categories, "inverse": horizontal}
    val_axis = {"type": "value", "scale": False}
    if domain:
        bottom, top, _step = DOMAINS[domain]
        val_axis.update(min=bottom, max=top)
    option["xAxis"], option["yAxis"] = (val_axis, cat_axis) if horizontal else (cat_axis, val_axis)
    series = [
        {
            "name": name or title,
            "type": "bar",
            "data": [num(v) for v in values],
            "barMaxWidth": 28,
            "label": {"show": True, "position": "right" if horizontal else "top"},
        }
    ]
    if low is not None and high is not None:
        marker = {"symbol": "rect", "symbolSize": [2, 14] if horizontal else [14, 2]}
        series.append(
            {
                "name": "95% low",
                "type": "scatter",
                "data": [num(v) for v in low],
                "itemStyle": {"color": "#101828"},
                **marker,
            }
        )
        series.append(
            {
                "name": "95% high",
                "type": "scatter",
                "data": [num(v) for v in high],
                "itemStyle": {"color": "#101828"},
                **marker,
            }
        )
    if target is not None:
        series[0]["markLine"] = {
            "symbol": "none",
            "data": [{"xAxis" if horizontal else "yAxis": target, "name": gettext("Target")}],
            "lineStyle": {"color": "#b42318", "type": "dashed"},
        }
    option["series"] = series
    header = [
        gettext("Group"),
        name or title,
        gettext("Low end of 95% CI"),
        gettext("High end of 95% CI"),
        "n",
    ]
    rows = [
        [c, num(values[i]), num(low[i]) if low else None, num(high[i]) if high else None, n[i] if n else None]
        for i, c in enumerate(categories)
    ]
    height = max(200, 34 * len(categories) + 60) if horizontal else 280
    return Chart(chart_id, title, option, header, rows, filename, links or [], height)


def distribution(chart_id: str, title: str, counts: dict[int, int], filename: str = "distribution") -> Chart:
    points = sorted(counts)
    total = sum(counts.values()) or 1
    option = _base(title)
    option["xAxis"] = {"type": "category", "data": [str(p) for p in points]}
    option["yAxis"] = {"type": "value"}
    option["series"] = [
        {
            "name": title,
            "type": "bar",
            "data": [counts[p] for p in points],
            "label": {"show": True, "position": "top"},
        }
    ]
    rows = [[p, counts[p], round(100 * counts[p] / total, 1)] for p in points]
    return Chart(chart_id, title, option, [gettext("Answer"), gettext("Count"), "%"], rows, filename)


def heatmap(
    chart_id: str,
    title: str,
    x_labels: list[str],
    y_labels: list[str],
    cells: list[tuple[int, int, float | None, int]],
    low: float,
    high: float,
    links: list[str] | None = None,
    filename: str = "heatmap",
) -> Chart:
    """``cells``: (x index, y index, value or None when suppressed, n)."""
    option = _base(title)
    option["tooltip"] = {"position": "top"}
    option["grid"] = {"left": 8, "right": 16, "top": 16, "bottom": 64, "containLabel": True}
    option["xAxis"] = {"type": "category", "data": x_labels, "splitArea": {"show": True}}
    option["yAxis"] = {"type": "category", "data": y_labels, "splitArea": {"show": True}, "inverse": True}
    option["visualMap"] = {
        "min": low,
        "max": high,
        "calculable": True,
        "orient": "horizontal",
        "left": "center",
        "bottom": 0,
        "inRange": {"color": ["#d92d20", "#fdb022", "#12b76a"]},
    }
    data = [[x, y, num(v)] for x, y, v, _ in cells if v is not None]
    option["series"] = [
        {"name": title, "type": "heatmap", "data": data, "label": {"show": len(x_labels) <= 16}}
    ]
    header = [gettext("Row"), gettext("Column"), gettext("Value"), "n"]
    rows = [[y_labels[y], x_labels[x], num(v), n] for x, y, v, n in cells]
    chart_links = []
    if links:
        by = {(x, y): links[i] for i, (x, y, _, _) in enumerate(cells)}
        chart_links = [by.get((x, y), "") for x, y, _ in data]
    return Chart(
        chart_id, title, option, header, rows, filename, chart_links, max(220, 26 * len(y_labels) + 100)
    )


def emotion_line(chart_id: str, title: str, stages: list[str], values, low, high, n, links=None) -> Chart:
    chart = line_with_band(
        chart_id,
        title,
        stages,
        [{"name": title, "values": values, "low": low, "high": high, "n": n}],
        y_name="0–100",
        filename="emotion",
    )
    chart.option["xAxis"]["boundaryGap"] = True
    chart.option["yAxis"].update({"min": 0, "max": 100, "scale": False})
    chart.option["series"][-1]["smooth"] = True
    chart.option["series"][-1]["symbolSize"] = 10
    chart.links = list(links or [])
    chart.height = 220
    return chart
