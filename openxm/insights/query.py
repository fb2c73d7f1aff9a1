"""Answer tallies for any filter, from the cheapest source that can answer it exactly.

Three sources give the same tallies (tests/insights/test_rollup_equals_raw.py checks it on
random filters):

``cube``     :class:`MetricCube` — period, journey/stage/touchpoint and segment filters on the
             standard metrics (and response volume). The journey map reads only this.
``answers``  :class:`AnswerCount` — adds channel, unit/region, survey, question and any
             rolled-up question type.
``raw``      the response and answer tables — anything else, e.g. a contact attribute that is
             not a configured segment attribute (filtered on the contact's current value), a
             saved customer segment (its members now) or a grouping by value tier.

A *tally* maps an answer point to ``(count, Σweight, Σweight²)``; a *table* maps a group
(a tuple of the ``group_by`` values) to a tally. Groups: ``touchpoint``, ``bucket`` (the start
of the day/week/month, with ``grain``), ``channel``, ``unit`` (unit id), ``survey`` (survey
id), ``question`` (question id, sub key), ``segment`` (the segment key), ``cx`` (the CX dimension
tag of the question), ``tier`` (the contact's current value tier; raw only).

Periods are whole days in the organization's time zone, inclusive at both ends.

Every reader takes a :class:`~openxm.accounts.scope.Scope` (``actor.scope``), never a bare
organization: a unit filter must lie inside the scope (else NotFound), a scope limited to a unit
reads only that unit's subtree, and the metric cube (which has no unit dimension) is used only
for scopes and filters that do not restrict units.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from weakref import WeakKeyDictionary

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import Organization
from openxm.accounts.scope import Scope
from openxm.analytics.employee import CONFIDENTIAL_AUDIENCES
from openxm.analytics.rollup_math import bucket_end, bucket_start, buckets, decompose
from openxm.customers import segments as contact_segments
from openxm.journeys import services as journeys
from openxm.surveys import door
from openxm.surveys.models import Response, Survey

from . import segments
from .models import CUBE_SCALES, AnswerCount, MetricCube, cube_columns
from .rollups import RESPONSE_QTYPE, ROLLED_TYPES, org_zone, segment_attributes

CUBE_METRICS = ("responses", "nps", "enps", "csat", "ces")
SOURCES = ("auto", "cube", "answers", "raw")
GROUPS = ("touchpoint", "bucket", "channel", "unit", "survey", "question", "segment", "cx", "tier")


@dataclass(frozen=True)
class Filters:
    """What to count. Empty strings and None mean "no filter"."""

    start: date
    end: date
    journey: str = ""
    stage: str = ""
    touchpoint: str = ""
    touchpoints: tuple[str, ...] | None = None  # an explicit list (overrides the three above)
    channel: str = ""
    unit: str = ""  # a unit or region code; its sub-units are included
    attributes: tuple[tuple[str, str], ...] = ()  # contact attribute name=value pairs
    survey: str = ""
    question: str = ""  # question id, optionally "id.sub_key"
    segment: str = ""  # a saved customer segment's key (openxm.customers.segments)
    weighted: bool = False

    def previous(self) -> "Filters":
        """The same filters over the period of the same length just before."""
        days = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=days), end=self.start - timedelta(days=1))


@dataclass
class Resolved:
    """Filters turned into ids and keys of one organization."""

    touchpoints: list[str] | None
    units: list[int] | None
    segment_keys: list[str] | None
    raw_attributes: list[tuple[str, str]]
    survey_id: int | None
    question: tuple[str, str | None] | None
    organization: Organization | None = None
    scope: Scope | None = None
    contacts: frozenset[int] | None = None  # the saved segment's members inside the scope
    _employee: set[int] | None = field(default=None, repr=False)

    @property
    def employee_surveys(self) -> set[int]:
        """Ids of the organization's employee surveys (confidential audiences); read when needed."""
        if self._employee is None:
            self._employee = set(
                Survey.objects.for_org(self.organization)
                .filter(audience__in=CONFIDENTIAL_AUDIENCES)
                .values_list("id", flat=True)
            )
        return self._employee


def resolve(scope: Scope, f: Filters) -> Resolved:
    """The filters as ids and keys inside ``scope``; NotFound for a unit outside it."""
    org = scope.organization
    if f.touchpoints is not None:
        tps: list[str] | None = list(f.touchpoints)
    elif f.touchpoint:
        tps = [f.touchpoint]
    elif f.journey or f.stage:
        tps = journeys.touchpoint_keys(org, f.journey, f.stage)
    else:
        tps = None
    allowed = scope.units(f.unit)
    units = None if allowed is None else sorted(allowed)
    configured = set(segment_attributes(org)) if f.attributes else set()
    seg = [(k, v) for k, v in f.attributes if k in configured]
    raw_attrs = [(k, v) for k, v in f.attributes if k not in configured]
    segment_keys = None
    if seg:
        segment_keys = segments.matching_keys(known_segment_keys(org), dict(seg))
    survey_id = None
    if f.survey:
        survey_id = (
            Survey.objects.for_org(org).filter(key=f.survey).values_list("id", flat=True).first() or -1
        )
    question = None
    if f.question:
        qid, _, sub = f.question.partition(".")
        question = (qid, sub or None)
    contacts = saved_segment(scope, f.segment) if f.segment else None
    return Resolved(tps, units, segment_keys, raw_attrs, survey_id, question, org, scope, contacts)


# A saved segment filters by its members' ids: one bound parameter each.
MAX_SEGMENT_FILTER = 30_000


# Members per scope object: a page resolves its filters once per figure, and a segment is
# evaluated contact by contact; a scope lives as long as its request (or task).
_members: WeakKeyDictionary = WeakKeyDictionary()


def saved_segment(scope: Scope, key: str) -> frozenset[int]:
    """The members of a saved customer segment inside the scope, for the raw path's Slice."""
    known = _members.setdefault(scope, {})
    if key not in known:
        try:
            known[key] = contact_segments.contact_ids(scope, key)
        except NotFound:
            raise InvalidInput("segment", _("there is no saved segment with this key")) from None
    ids = known[key]
    if len(ids) > MAX_SEGMENT_FILTER:
        raise InvalidInput(
            "segment",
            _("has %(n)s members; a dashboard can filter by at most %(max)s")
            % {"n": len(ids), "max": MAX_SEGMENT_FILTER},
        )
    return ids


def known_segment_keys(org: Organization) -> list[str]:
    """Segment keys seen in the organization's rollups (read from the small monthly rows)."""
    return list(
        MetricCube.objects.for_org(org).filter(grain="m").values_list("segment_key", flat=True).distinct()
    )


def choose_source(metric: str, f: Filters, r: Resolved, group_by) -> str:
    if r.raw_attributes or r.contacts is not None or "tier" in group_by:
        return "raw"
    if (
        metric in CUBE_METRICS
        and r.units is None
        and not (f.channel or f.unit or f.survey or f.question)
        and set(group_by) <= {"touchpoint", "bucket", "segment"}
    ):
        return "cube"
    return "answers"


@dataclass(frozen=True)
class Tallies:
    table: dict
    source: str
    group_by: tuple[str, ...]


def tallies(
    scope: Scope,
    f: Filters,
    metric: str,
    group_by=(),
    grain: str = "w",
    source: str = "auto",
) -> Tallies:
    """Tallies of ``metric`` grouped by ``group_by``.

    ``metric`` is one of :data:`CUBE_METRICS`, or a question type (rating, likert, matrix …)
    read from the answer rollups. For ``responses`` the tally is {0: (responses, Σw, Σw²)}.
    """
    group_by = tuple(group_by)
    bad = [g for g in group_by if g not in GROUPS]
    if bad:
        raise ValueError(f"unknown group {bad[0]!r}; expected one of {', '.join(GROUPS)}")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    org = scope.organization
    r = resolve(scope, f)
    chosen = choose_source(metric, f, r, group_by) if source == "auto" else source
    if chosen == "cube" and metric not in CUBE_METRICS:
        raise ValueError(f"the metric cube has no {metric!r}")
    if chosen == "cube" and r.units is not None:
        raise ValueError("the metric cube has no unit dimension: a unit scope needs the answer rollups")
    if chosen != "raw" and r.raw_attributes:
        raise ValueError("a contact attribute that is not a segment attribute needs the raw source")
    if chosen != "raw" and (r.contacts is not None or "tier" in group_by):
        raise ValueError("a saved segment and the value tier need the raw source")
    if f.end < f.start:
        return Tallies({}, chosen, group_by)
    if metric == "enps":
        # Employee results are released only as suppressed group figures (openxm.employees):
        # a metric that can be cut by any filter here would undo the suppression.
        return Tallies({}, chosen, group_by)
    if metric == "responses":
        f = replace(f, weighted=False)  # volume is a count of responses
    reader = {"cube": _from_cube, "answers": _from_answers, "raw": _from_raw}[chosen]
    return Tallies(reader(org, f, r, metric, group_by, grain), chosen, group_by)


def tallies_many(
    scope: Scope,
    f: Filters,
    metrics: tuple[str, ...],
    group_by=(),
    grain: str = "w",
    source: str = "auto",
) -> dict[str, Tallies]:
    """:func:`tallies` of several metrics; from the metric cube all of them come from one read."""
    group_by = tuple(group_by)
    r = resolve(scope, f)
    chosen = {m: choose_source(m, f, r, group_by) if source == "auto" else source for m in metrics}
    cube = [m for m in metrics if chosen[m] == "cube" and m != "enps"]
    out = {}
    if cube and f.end >= f.start:
        for metric, table in _from_cube_many(scope.organization, f, r, cube, group_by, grain).items():
            out[metric] = Tallies(table, "cube", group_by)
    for metric in metrics:
        if metric not in out:
            out[metric] = tallies(scope, f, metric, group_by, grain, chosen[metric])
    return out


def _metric_scope(metric: str) -> tuple[str, tuple[int, int] | None]:
    """(question type, on-scale range) of a metric."""
    if metric == "responses":
        return RESPONSE_QTYPE, None
    if metric in ("nps", "csat", "ces"):
        return metric, CUBE_SCALES[metric]
    if metric in ROLLED_TYPES:
        return metric, None
    raise ValueError(f"unknown metric {metric!r}")


def _add(table: dict, group: tuple, point: int, c, s, q) -> None:
    tally = table.setdefault(group, {})
    c0, s0, q0 = tally.get(point, (0, 0, 0))
    tally[point] = (c0 + c, s0 + s, q0 + q)


def _bucket_of(grain: str):
    def of(day: date) -> date:
        return bucket_start(day, grain)

    return of


# --- Cube -------------------------------------------------------------------------------------


def cube_pieces(start: date, end: date, grain: str | None) -> dict[tuple[str, date], date | None]:
    """Which cube rows (grain, bucket) cover [start, end], and the output bucket each adds to."""
    pieces: dict[tuple[str, date], date | None] = {}
    if grain is None:
        for piece in decompose(start, end):
            pieces[piece] = None
        return pieces
    finer = {"m": ("w", "d"), "w": ("d",), "d": ("d",)}[grain]
    for b, s, e in buckets(start, end, grain):
        if s == b and e == bucket_end(b, grain):
            pieces[(grain, b)] = b
        else:
            for piece in decompose(s, e, finer):
                pieces[piece] = b
    return pieces


def _cube_queryset(org, f: Filters, r: Resolved, pieces):
    by_grain = defaultdict(list)
    for g, b in pieces:
        by_grain[g].append(b)
    cond = Q()
    for g, bs in by_grain.items():
        cond |= Q(grain=g, bucket__in=bs)
    qs = MetricCube.objects.for_org(org).filter(cond)
    if r.touchpoints is not None:
        qs = qs.filter(touchpoint__in=r.touchpoints)
    if r.segment_keys is not None:
        qs = qs.filter(segment_key__in=r.segment_keys)
    return qs


def _from_cube(org, f: Filters, r: Resolved, metric: str, group_by, grain) -> dict:
    return _from_cube_many(org, f, r, [metric], group_by, grain)[metric]


def _from_cube_many(org, f: Filters, r: Resolved, metrics: list[str], group_by, grain) -> dict[str, dict]:
    pieces = cube_pieces(f.start, f.end, grain if "bucket" in group_by else None)
    if not pieces:
        return {m: {} for m in metrics}
    cols = ["grain", "bucket", "segment_key", "touchpoint"]
    layout = []  # (metric, points, first column, width)
    for metric in metrics:
        if metric == "responses":
            points, counts, wsums, wsqs = [0], ["responses"], ["responses"], ["responses"]
        else:
            low, high = CUBE_SCALES[metric]
            points = list(range(low, high + 1))
            counts, wsums, wsqs = cube_columns(metric)
        layout.append((metric, points, len(cols), len(points)))
        cols += [*counts, *wsums, *wsqs]
    tables: dict[str, dict] = {m: {} for m in metrics}
    for row in _cube_queryset(org, f, r, pieces).values_list(*cols):
        values = {"bucket": pieces[(row[0], row[1])], "segment": row[2], "touchpoint": row[3]}
        group = tuple(values[g] for g in group_by)
        for metric, points, at, k in layout:
            table = tables[metric]
            for i, p in enumerate(points):
                c = row[at + i]
                if c:
                    _add(table, group, p, c, row[at + k + i], row[at + 2 * k + i])
    return {m: _normalise(t, f.weighted and m != "responses") for m, t in tables.items()}


def _normalise(table: dict, weighted: bool) -> dict:
    """Unweighted tallies hold the count in all three places, as the metrics' raw path does."""
    out = {}
    for group, tally in table.items():
        clean = {p: v if weighted else (v[0], v[0], v[0]) for p, v in sorted(tally.items()) if v[0]}
        if clean:
            out[group] = clean
    return out


# --- Answer rollups ---------------------------------------------------------------------------


def _from_answers(org, f: Filters, r: Resolved, metric: str, group_by, grain) -> dict:
    qtype, scale = _metric_scope(metric)
    qs = AnswerCount.objects.for_org(org).filter(qtype=qtype, day__gte=f.start, day__lte=f.end)
    if scale is not None:
        qs = qs.filter(value__gte=scale[0], value__lte=scale[1])
    if qtype in ("nps", "csat", "ces"):
        qs = qs.filter(sub_key="")
    qs = qs.exclude(survey_id__in=r.employee_surveys)  # see tallies: never employee results
    if r.touchpoints is not None:
        qs = qs.filter(touchpoint__in=r.touchpoints)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if r.units is not None:
        qs = qs.filter(unit__in=r.units)
    if r.segment_keys is not None:
        qs = qs.filter(segment_key__in=r.segment_keys)
    if r.survey_id is not None:
        qs = qs.filter(survey_id=r.survey_id)
    if r.question is not None:
        qs = qs.filter(question_id=r.question[0])
        if r.question[1] is not None:
            qs = qs.filter(sub_key=r.question[1])
    fields = {
        "touchpoint": "touchpoint",
        "bucket": "day",
        "channel": "channel",
        "unit": "unit",
        "survey": "survey_id",
        "question": "question_id",
        "segment": "segment_key",
        "cx": "cx_dimension",
    }
    names = list(dict.fromkeys(fields[g] for g in group_by))
    if "question" in group_by:
        names.append("sub_key")
    rows = qs.values(*names, "value").annotate(c=Sum("count"), s=Sum("wsum"), q=Sum("wsq")).order_by()
    to_bucket = _bucket_of(grain)
    table: dict = {}
    for row in rows:
        group = tuple(_group_value(g, row, fields, to_bucket) for g in group_by)
        _add(table, group, row["value"], row["c"], row["s"], row["q"])
    return _normalise(table, f.weighted)


def _group_value(g: str, row: dict, fields: dict, to_bucket):
    if g == "bucket":
        return to_bucket(row[fields["bucket"]])
    if g == "question":
        return (row["question_id"], row["sub_key"])
    return row[fields[g]]


# --- Raw tables -------------------------------------------------------------------------------


def _period(org, f: Filters) -> tuple[datetime, datetime]:
    zone = org_zone(org)
    return (
        datetime.combine(f.start, time.min, tzinfo=zone),
        datetime.combine(f.end + timedelta(days=1), time.min, tzinfo=zone),
    )


def raw_slice(org, f: Filters, r: Resolved) -> door.Slice:
    """The filters of the raw path as the door's Slice: complete responses in the period, of the
    resolved touchpoints, survey, channel, unit and contact attributes. Segment keys (the
    segment a response had when recorded) are not part of a Slice: :func:`_segment_keys` adds
    them."""
    since, until = _period(org, f)
    return door.Slice(
        survey_id=r.survey_id,
        touchpoints=tuple(r.touchpoints) if r.touchpoints is not None else None,
        unit=f.unit,
        channel=f.channel,
        since=since,
        until=until,
        segment=tuple(r.raw_attributes),
        contacts=r.contacts,
        status=Response.Status.COMPLETE,
    )


def _segment_keys(qs, r: Resolved, prefix: str):
    if r.segment_keys is not None:
        qs = qs.filter(**{f"{prefix}insights_fact__segment_key__in": r.segment_keys})
    return qs


def _from_raw(org, f: Filters, r: Resolved, metric: str, group_by, grain) -> dict:
    zone = org_zone(org)
    since, until = _period(org, f)
    if metric == "responses":
        return _raw_responses(org, f, r, group_by, grain, since, until, zone)
    qtype, scale = _metric_scope(metric)
    qs = door.answers(r.scope, raw_slice(org, f, r)).filter(qtype=qtype, value_number__isnull=False)
    if scale is not None:
        qs = qs.filter(value_number__gte=scale[0], value_number__lte=scale[1], sub_key="")
    qs = _segment_keys(qs, r, "response__")  # the door leaves employee surveys out
    if r.question is not None:
        qs = qs.filter(question_id=r.question[0])
        if r.question[1] is not None:
            qs = qs.filter(sub_key=r.question[1])
    fields = {
        "touchpoint": "touchpoint",
        "bucket": "day",
        "channel": "response__channel",
        "unit": "response__unit_id",
        "survey": "survey_id",
        "question": "question_id",
        "segment": "response__insights_fact__segment_key",
        "cx": "cx_dimension",
        "tier": "response__contact__value_tier",
    }
    names = list(dict.fromkeys(fields[g] for g in group_by))
    if "question" in group_by:
        names.append("sub_key")
    if "bucket" in group_by:
        qs = qs.annotate(day=TruncDate("answered_at", tzinfo=zone))
    rows = (
        qs.values(*names, "value_number")
        .annotate(
            c=Count("id"),
            s=Sum("response__weight"),
            q=Sum(F("response__weight") * F("response__weight")),
        )
        .order_by()
    )
    to_bucket = _bucket_of(grain)
    table: dict = {}
    for row in rows:
        number = float(row["value_number"])
        if not number.is_integer():
            continue
        group = tuple(_group_value(g, row, fields, to_bucket) for g in group_by)
        _add(table, group, int(number), row["c"], row["s"], row["q"])
    return _normalise(_unit_none(table, group_by), f.weighted)


def _unit_none(table: dict, group_by) -> dict:
    """Responses without a unit are unit 0 in the rollups; the raw tables say None."""
    if "unit" not in group_by:
        return table
    i = group_by.index("unit")
    out: dict = {}
    for group, tally in table.items():
        g = list(group)
        g[i] = g[i] or 0
        for p, (c, s, q) in tally.items():
            _add(out, tuple(g), p, c, s, q)
    return out


def _raw_responses(org, f, r, group_by, grain, since, until, zone) -> dict:
    qs = _segment_keys(door.responses(r.scope, raw_slice(org, f, r)), r, "")
    fields = {
        "touchpoint": "touchpoint",
        "bucket": "day",
        "channel": "channel",
        "unit": "unit_id",
        "survey": "survey_id",
        "segment": "insights_fact__segment_key",
        "tier": "contact__value_tier",
    }
    if "question" in group_by or "cx" in group_by:
        raise ValueError("response volume cannot be grouped by question")
    names = list(dict.fromkeys(fields[g] for g in group_by))
    if "bucket" in group_by:
        qs = qs.annotate(day=TruncDate("completed_at", tzinfo=zone))
    rows = (
        qs.values(*names)
        .annotate(c=Count("id"), s=Sum("weight"), q=Sum(F("weight") * F("weight")))
        .order_by()
    )
    to_bucket = _bucket_of(grain)
    table: dict = {}
    for row in rows:
        group = tuple(_group_value(g, row, fields, to_bucket) for g in group_by)
        _add(table, group, 0, row["c"], row["s"], row["q"])
    return _normalise(_unit_none(table, group_by), f.weighted)
