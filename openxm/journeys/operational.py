"""Operational metrics (O-data) per touchpoint and period: import from CSV/XLSX or the API, read.

Rows name a touchpoint key, a metric, a period and a value. A period is given either as
``period_start`` and ``period_end`` (ISO dates, inclusive) or as ``period``: ``2025-03``
(a month), ``2025-W10`` (an ISO week), ``2025-Q1`` (a quarter) or ``2025-03-14`` (a day).
Rates may be given as ``numerator``/``denominator`` instead of a value (churn: customers lost /
customers at period start; FCR: contacts resolved first time / contacts); the value is then
computed as a percentage and both counts are kept. A batch is all or nothing: every row is
checked first and the error names the row and the field.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm

from .models import OperationalMetric, Touchpoint


@dataclass(frozen=True)
class OpMetricSpec:
    key: str
    label: object  # lazy translation
    unit: str  # "%", "s", "count", "currency"
    higher_is_better: bool
    is_rate: bool


OP_METRICS: dict[str, OpMetricSpec] = {
    s.key: s
    for s in (
        OpMetricSpec("churn_rate", gettext_lazy("Churn rate"), "%", False, True),
        OpMetricSpec("retention_rate", gettext_lazy("Retention rate"), "%", True, True),
        OpMetricSpec("repeat_purchase_rate", gettext_lazy("Repeat purchase rate"), "%", True, True),
        OpMetricSpec("fcr", gettext_lazy("First-contact resolution"), "%", True, True),
        OpMetricSpec("aht", gettext_lazy("Average handle time"), "s", False, False),
        OpMetricSpec("complaints", gettext_lazy("Complaint count"), "count", False, False),
        OpMetricSpec("clv", gettext_lazy("Customer lifetime value"), "currency", True, False),
    )
}

COLUMNS = ["touchpoint", "metric", "period_start", "period_end", "value", "numerator", "denominator"]
MAX_ROWS = 50_000


@dataclass(frozen=True)
class OperationalRow:
    touchpoint: str
    metric: str
    period_start: date
    period_end: date
    value: float
    numerator: float | None
    denominator: float | None
    source: str


def parse_period(text: str) -> tuple[date, date]:
    """(first day, last day) of ``2025-03``, ``2025-W10``, ``2025-Q1`` or ``2025-03-14``."""
    text = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            return start, end
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text, re.I):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return start, start + timedelta(days=6)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text, re.I):
            year, quarter = int(m[1]), int(m[2])
            start = date(year, 3 * quarter - 2, 1)
            end_month = 3 * quarter
            end = date(year + (end_month == 12), end_month % 12 + 1, 1) - timedelta(days=1)
            return start, end
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return day, day
    except ValueError:
        pass
    raise ValueError(text)


def _number(raw, fieldname: str, required: bool) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise InvalidInput(fieldname, _("must not be empty"))
        return None
    try:
        number = float(str(raw).strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(fieldname, _("must be a number")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput(fieldname, _("must be a finite number"))
    return number


def _date(raw, fieldname: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise InvalidInput(fieldname, _("must be a date like 2025-03-31")) from None


def clean_row(raw: dict, prefix: str, touchpoints: dict[str, int]) -> dict:
    """One row checked and normalised (the model's fields, touchpoint as its id)."""
    key = str(raw.get("touchpoint") or "").strip()
    if key not in touchpoints:
        raise InvalidInput(prefix + "touchpoint", _("no touchpoint with key %(key)s") % {"key": key or "—"})
    metric = str(raw.get("metric") or "").strip()
    spec = OP_METRICS.get(metric)
    if spec is None:
        raise InvalidInput(
            prefix + "metric", _("must be one of %(choices)s") % {"choices": ", ".join(OP_METRICS)}
        )
    if raw.get("period") not in (None, ""):
        try:
            start, end = parse_period(str(raw["period"]))
        except ValueError:
            raise InvalidInput(
                prefix + "period", _("must look like 2025-03, 2025-W10, 2025-Q1 or 2025-03-14")
            ) from None
    else:
        start = _date(raw.get("period_start"), prefix + "period_start")
        end = _date(raw.get("period_end") or raw.get("period_start"), prefix + "period_end")
    if end < start:
        raise InvalidInput(prefix + "period_end", _("is before period_start"))
    numerator = _number(raw.get("numerator"), prefix + "numerator", False)
    denominator = _number(raw.get("denominator"), prefix + "denominator", False)
    value = _number(raw.get("value"), prefix + "value", numerator is None or denominator is None)
    if (numerator is None) != (denominator is None):
        raise InvalidInput(prefix + "denominator", _("give numerator and denominator together"))
    if numerator is not None:
        if not spec.is_rate:
            raise InvalidInput(prefix + "numerator", _("only rates take a numerator and denominator"))
        if denominator <= 0 or numerator < 0 or numerator > denominator:
            raise InvalidInput(prefix + "numerator", _("must be between 0 and the denominator (> 0)"))
        computed = 100 * numerator / denominator
        if value is not None and abs(value - computed) > 0.05:
            raise InvalidInput(
                prefix + "value", _("does not match numerator / denominator (%(v).1f %%)") % {"v": computed}
            )
        value = computed
    if spec.is_rate and not 0 <= value <= 100:
        raise InvalidInput(prefix + "value", _("a rate must be a percentage between 0 and 100"))
    if spec.unit in ("s", "count") and value < 0:
        raise InvalidInput(prefix + "value", _("must not be negative"))
    return {
        "touchpoint_id": touchpoints[key],
        "metric": metric,
        "period_start": start,
        "period_end": end,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
    }


@transaction.atomic
def record_operational(actor: Actor, rows: list[dict], source: str = "api") -> int:
    """Store rows (insert, or replace the value of the same touchpoint, metric and period).

    All or nothing; returns the number of rows stored.
    """
    actor.require(Perm.RESPONSES_WRITE)
    org = actor.organization
    if len(rows) > MAX_ROWS:
        raise InvalidInput("rows", _("at most %(n)s rows per import") % {"n": MAX_ROWS})
    touchpoints = dict(Touchpoint.objects.for_org(org).values_list("key", "id"))
    clean = [clean_row(raw, f"rows[{i}].", touchpoints) for i, raw in enumerate(rows)]
    return _store(actor, clean, source)


def _store(actor: Actor, clean: list[dict], source: str) -> int:
    org = actor.organization
    scoped = OperationalMetric.objects.for_org(org)
    now = timezone.now()
    for row in clean:
        scoped.update_or_create(
            touchpoint_id=row["touchpoint_id"],
            metric=row["metric"],
            period_start=row["period_start"],
            period_end=row["period_end"],
            defaults={
                "organization": org,
                "value": row["value"],
                "numerator": row["numerator"],
                "denominator": row["denominator"],
                "source": source,
                "imported_at": now,
            },
        )
    audit.record(
        actor, "operational.imported", target_type="operational", data={"rows": len(clean), "source": source}
    )
    return len(clean)


def import_operational_file(actor: Actor, source, name: str = "upload") -> int:
    """Rows from a CSV/TSV/XLSX file (a path or a binary stream) with the columns of
    :data:`COLUMNS` (``period`` may replace the two period columns). Errors name the line."""
    from openxm.readers import ReadError, read_table

    actor.require(Perm.RESPONSES_WRITE)
    try:
        table = read_table(source)
    except ReadError as exc:
        raise InvalidInput("file", exc.message_in(_)) from None
    missing = [c for c in ("touchpoint", "metric") if c not in table.columns]
    if "value" not in table.columns and "numerator" not in table.columns:
        missing.append("value")
    if "period" not in table.columns and "period_start" not in table.columns:
        missing.append("period_start")
    if missing:
        raise InvalidInput("file", _("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
    touchpoints = dict(Touchpoint.objects.for_org(actor.organization).values_list("key", "id"))
    clean = []
    try:
        for line, row in table.rows_with_lines():
            if len(clean) >= MAX_ROWS:
                raise InvalidInput("file", _("at most %(n)s rows per import") % {"n": MAX_ROWS})
            if not any(str(v or "").strip() for v in row.values()):
                continue
            clean.append(clean_row(row, f"line {line}: ", touchpoints))
    except ReadError as exc:
        raise InvalidInput("file", exc.message_in(_)) from None
    with transaction.atomic():
        return _store(actor, clean, "csv" if table.format == "csv" else "xlsx")


def operational_rows(
    org: Organization, touchpoint_keys=None, start: date | None = None, end: date | None = None
) -> list[OperationalRow]:
    """Stored rows whose period overlaps [start, end], oldest first.

    Takes the organization: the insights query service calls it after checking the actor."""
    rows = OperationalMetric.objects.for_org(org).select_related("touchpoint")
    if touchpoint_keys is not None:
        rows = rows.filter(touchpoint__key__in=list(touchpoint_keys))
    if start is not None:
        rows = rows.filter(period_end__gte=start)
    if end is not None:
        rows = rows.filter(period_start__lte=end)
    return [
        OperationalRow(
            r.touchpoint.key,
            r.metric,
            r.period_start,
            r.period_end,
            r.value,
            r.numerator,
            r.denominator,
            r.source,
        )
        for r in rows.order_by("period_start", "touchpoint__key", "metric")
    ]


def list_operational(actor: Actor, touchpoint_keys=None, start=None, end=None) -> list[OperationalRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return operational_rows(actor.organization, touchpoint_keys, start, end)


@transaction.atomic
def delete_operational(actor: Actor, touchpoint_key: str, metric: str | None = None) -> int:
    actor.require(Perm.DATA_DELETE)
    rows = OperationalMetric.objects.for_org(actor.organization).filter(touchpoint__key=touchpoint_key)
    if metric:
        rows = rows.filter(metric=metric)
    count = rows.count()
    rows.delete()
    audit.record(
        actor, "data.deleted", target_type="operational", target_id=touchpoint_key, data={"rows": count}
    )
    return count
