"""ECharts options for the text analytics page, built from service results (no queries here).

The page passes them to ``comments.js`` with ``json_script``; each option is plain JSON (the
script adds the tooltip formatters, which are functions).
"""

from django.utils.translation import gettext as _

from .queries import TopicFigure, Trend

NEGATIVE, NEUTRAL, POSITIVE = "#d92d20", "#98a2b3", "#12b76a"
PALETTE = ["#2457d6", "#d92d20", "#12b76a", "#f79009", "#7a5af8", "#0ba5ec", "#dd2590", "#667085"]


def _color(score: float | None) -> str:
    if score is None:
        return NEUTRAL
    return NEGATIVE if score <= -0.2 else POSITIVE if score >= 0.2 else NEUTRAL


def topic_map(figures: list[TopicFigure]) -> dict | None:
    """Bubbles: x = mean sentiment, y = NPS impact (or % negative without NPS), size = volume.

    The axes are bounded to their domain (sentiment −1 to 1, a share 0–100 %) and bubbles are
    drawn whole: a topic at 100 % negative sits on the top line, not cut in half by it."""
    if not figures:
        return None
    with_impact = any(f.nps_impact is not None for f in figures)
    biggest = max(f.volume for f in figures) or 1
    data = []
    for f in figures:
        y = f.nps_impact if with_impact else round(f.negative_share, 1)
        if y is None or f.mean_sentiment is None:
            continue
        data.append(
            {
                "name": f.label,
                "value": [f.mean_sentiment, y, f.volume],
                "topic": f.topic,
                "symbolSize": round(12 + 48 * (f.volume / biggest) ** 0.5, 1),
                "itemStyle": {"color": _color(f.mean_sentiment), "opacity": 0.75},
                "tip": [
                    f.label,
                    _("%(n)s comments (%(share)s%%)") % {"n": f.volume, "share": f.share},
                    _("Mean sentiment %(s)s") % {"s": f"{f.mean_sentiment:+.2f}"},
                    (_("NPS impact %(p)s points") % {"p": f"{f.nps_impact:+.1f}"})
                    if with_impact
                    else (_("%(p)s%% negative") % {"p": f"{f.negative_share:.0f}"}),
                ],
            }
        )
    if not data:
        return None
    y_name = _("NPS impact (points lost)") if with_impact else _("Share of negative comments")
    # the largest bubble is 60 px wide: half of it must fit outside the plot on every side
    share_axis = {"min": 0, "max": 100, "axisLabel": {"formatter": "{value} %"}}
    y_axis = {"scale": True} if with_impact else share_axis
    return {
        "animationDuration": 400,
        "grid": {"left": 72, "right": 36, "top": 36, "bottom": 64},
        "xAxis": {
            "name": _("Mean sentiment (negative ← → positive)"),
            "nameLocation": "middle",
            "nameGap": 32,
            "min": -1,
            "max": 1,
            "splitLine": {"lineStyle": {"type": "dashed"}},
        },
        "yAxis": {
            "name": y_name,
            "nameLocation": "middle",
            "nameGap": 48,
            **y_axis,
            "splitLine": {"lineStyle": {"type": "dashed"}},
        },
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "scatter",
                "clip": False,
                "data": data,
                "label": {
                    "show": True,
                    "formatter": "{b}",
                    "position": "top",
                    "fontSize": 11,
                    "color": "#344054",
                },
                "labelLayout": {"hideOverlap": True},
                "emphasis": {"focus": "self", "label": {"fontWeight": "bold"}},
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"color": "#98a2b3"},
                    "data": [{"xAxis": 0}] + ([{"yAxis": 0}] if with_impact else []),
                    "label": {"show": False},
                },
            }
        ],
    }


def trend_chart(trend: Trend) -> dict | None:
    """Lines: comments per period for each topic."""
    if not trend.buckets or not trend.series:
        return None
    return {
        "animationDuration": 400,
        "color": PALETTE,
        "grid": {"left": 40, "right": 36, "top": 16, "bottom": 64},
        "legend": {"bottom": 0, "type": "scroll"},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [
                d.strftime("%Y-%m") if trend.bucket == "month" else d.isoformat() for d in trend.buckets
            ],
            "boundaryGap": False,
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "line", "name": trend.labels.get(t, t), "data": values, "symbolSize": 5}
            for t, values in trend.series.items()
        ],
    }
