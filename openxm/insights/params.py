"""Global filters from query parameters (pages, CSV links, the API) and back.

``period``: ``7d``, ``30d``, ``90d``, ``12m``, ``ytd``, ``last_week``, ``last_month``,
``this_month``, or ``custom`` with ``start``/``end`` (ISO dates); ``journey``, ``stage``,
``touchpoint``, ``channel``, ``unit`` (a unit or region code), ``survey``, ``question``,
``segment`` (a saved customer segment's key: its members now); ``attr`` repeated as
``name:value`` for contact attributes (``value_tier:champions`` for the value tier);
``weighted=1``;
``grain`` = ``d``, ``w`` or ``m``.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization

from .query import Filters
from .rollups import org_zone

PERIODS = {
    "7d": gettext_lazy("Last 7 days"),
    "30d": gettext_lazy("Last 30 days"),
    "90d": gettext_lazy("Last 90 days"),
    "12m": gettext_lazy("Last 12 months"),
    "ytd": gettext_lazy("Year to date"),
    "last_week": gettext_lazy("Last week"),
    "last_month": gettext_lazy("Last month"),
    "this_month": gettext_lazy("This month"),
    "custom": gettext_lazy("Custom"),
}
DEFAULT_PERIOD = "90d"
# Nd periods and custom ranges span at most three years: the date arithmetic stays in range and
# a dashboard query stays bounded.
MAX_DAYS = 3 * 366
GRAINS = {"d": gettext_lazy("Day"), "w": gettext_lazy("Week"), "m": gettext_lazy("Month")}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
FIELDS = ("journey", "stage", "touchpoint", "channel", "unit", "survey", "question", "segment")


# The vocabulary ``parse`` reads, for the API's OpenAPI declarations ("*": may be repeated).
QUERY_PARAMETERS = (
    ("period", "7d, 30d, 90d (any Nd up to 1098d), 12m, ytd, last_week, last_month, this_month or custom"),
    ("start", "first day (YYYY-MM-DD) with period=custom"),
    ("end", "last day (YYYY-MM-DD) with period=custom; at most three years after start"),
    ("journey", "journey key"),
    ("stage", "stage key"),
    ("touchpoint", "touchpoint key"),
    ("channel", "channel"),
    ("unit", "unit or region code (its subtree)"),
    ("survey", "survey key"),
    ("question", "question id"),
    ("segment", "saved customer segment key (responses of its members now)"),
    ("attr*", "contact attribute segment as name:value (value_tier:NAME for the value tier)"),
    ("weighted", "1 to weight by the survey's weights"),
    ("grain", "d, w or m (default from the period's length)"),
)


def today_for(org: Organization) -> date:
    return timezone.localtime(timezone.now(), org_zone(org)).date()


def period_range(period: str, today: date) -> tuple[date, date]:
    if period.endswith("d") and period[:-1].isascii() and period[:-1].isdigit():
        days = int(period[:-1]) if len(period) <= 8 else MAX_DAYS + 1
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput("period", _("Nd must be between 1d and %(max)dd") % {"max": MAX_DAYS})
        return today - timedelta(days=days - 1), today
    if period == "12m":  # this month and the eleven before it
        months = today.year * 12 + today.month - 1 - 11
        return date(months // 12, months % 12 + 1, 1), today
    if period == "ytd":
        return date(today.year, 1, 1), today
    if period == "last_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if period == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if period == "this_month":
        return today.replace(day=1), today
    raise InvalidInput("period", _("must be one of %(choices)s") % {"choices": ", ".join(PERIODS)})


@dataclass(frozen=True)
class Params:
    filters: Filters
    period: str
    grain: str

    def query(self, **changes) -> str:
        """The query string for these filters (with ``changes`` applied; None removes)."""
        f = self.filters
        items: list[tuple[str, str]] = [("period", self.period)]
        if self.period == "custom":
            items += [("start", f.start.isoformat()), ("end", f.end.isoformat())]
        for name in FIELDS:
            value = getattr(f, name)
            if value:
                items.append((name, value))
        items += [("attr", f"{k}:{v}") for k, v in f.attributes]
        if f.weighted:
            items.append(("weighted", "1"))
        items.append(("grain", self.grain))
        out = [(k, v) for k, v in items if k not in changes]
        for k, v in changes.items():
            if v is None:
                continue
            if isinstance(v, list | tuple):
                out += [(k, x) for x in v]
            else:
                out.append((k, str(v)))
        return urlencode(out)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(name, _("must be a date like 2025-03-31")) from None


def parse(org: Organization, params: Mapping, defaults: Mapping | None = None) -> Params:
    """Filters from query parameters (a QueryDict or a dict whose ``attr`` may be a list),
    falling back to ``defaults`` (a dashboard's stored filters) for parameters not given."""
    defaults = defaults or {}

    def get(name: str, fallback: str = "") -> str:
        value = params.get(name)
        if value in (None, ""):
            value = defaults.get(name, fallback)
        return str(value or "").strip()

    def get_list(name: str) -> list[str]:
        if hasattr(params, "getlist") and params.getlist(name):
            return params.getlist(name)
        value = params.get(name) or defaults.get(name) or []
        return [value] if isinstance(value, str) else list(value)

    period = get("period", DEFAULT_PERIOD)
    today = today_for(org)
    if period == "custom" or (params.get("start") and params.get("end") and not params.get("period")):
        period = "custom"
        start, end = _date(get("start"), "start"), _date(get("end"), "end")
        if end < start:
            raise InvalidInput("end", _("is before start"))
        if (end - start).days >= MAX_DAYS:
            raise InvalidInput("end", _("a period can be at most three years"))
    else:
        start, end = period_range(period, today)
    attributes = []
    for item in get_list("attr"):
        name, sep, value = str(item).partition(":")
        if not item or not sep:
            continue
        if not _NAME.match(name.strip()):
            raise InvalidInput("attr", _("use name:value with a contact attribute name"))
        attributes.append((name.strip(), value.strip()))
    span = (end - start).days + 1
    grain = get("grain", "d" if span <= 31 else "w" if span <= 190 else "m")
    if grain not in GRAINS:
        raise InvalidInput("grain", _("must be d, w or m"))
    values = {name: get(name)[:64] for name in FIELDS}
    return Params(
        Filters(
            start=start,
            end=end,
            attributes=tuple(attributes),
            weighted=get("weighted") in ("1", "true", "on"),
            **values,
        ),
        period,
        grain,
    )
