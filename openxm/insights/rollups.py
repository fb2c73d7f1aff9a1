"""Keeping the rollup tables in step with responses, and rebuilding them.

:func:`on_responses_recorded` runs inside the transaction that stores responses (subscribed
to ``surveys.signals.responses_recorded`` in ``InsightsConfig.ready``): if the rollup update
fails, the responses are not stored either. :func:`on_response_deleted` subtracts a response
before it is deleted, :func:`on_response_anonymised` moves it out of its contact's segment
(both in the transaction of the action in ``responses.actions``). All write with one
``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` statement per table, which SQLite
(≥ 3.24) and PostgreSQL run the same way, so concurrent writers add up instead of overwriting
each other. Rows are written in key order, so two transactions upserting overlapping rows lock
them in the same order and cannot deadlock.

What is rolled up: complete responses; answers of type nps, csat, ces, rating, likert and
matrix rows whose value is a whole number (choices, text, KANO and SERVQUAL parts are read
from the answer tables). The metric cube holds nps (eNPS for employee surveys), csat and ces
answers on their standard scales (0–10, 1–5, 1–7) under the touchpoint each answer is tagged
with, and one ``responses`` count per response under the response's own touchpoint (volume).
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from openxm.accounts.models import Organization
from openxm.analytics.employee import confidential
from openxm.analytics.rollup_math import bucket_start
from openxm.bulk import copy_rows
from openxm.customers.models import Contact
from openxm.surveys.models import Answer, Response, Survey
from openxm.utils.ttl import TTLCache

from . import segments
from .models import CUBE_SCALES, AnswerCount, MetricCube, ResponseFact, RollupSettings, cube_columns

ROLLED_TYPES = frozenset({"nps", "csat", "ces", "rating", "likert", "matrix"})
GRAINS = ("d", "w", "m")
RESPONSE_QTYPE = "response"

ANSWER_KEY = [
    "organization_id",
    "touchpoint",
    "day",
    "survey_id",
    "question_id",
    "sub_key",
    "qtype",
    "cx_dimension",
    "channel",
    "unit",
    "segment_key",
    "value",
]
ANSWER_SUMS = ["count", "wsum", "wsq"]
CUBE_KEY = ["organization_id", "grain", "segment_key", "bucket", "touchpoint"]
CUBE_SUMS = ["responses"] + [c for metric in CUBE_SCALES for cols in cube_columns(metric) for c in cols]
# Where each (metric, point) adds its count, Σw and Σw² in a cube accumulator.
_CUBE_AT = {
    (metric, low + i): (CUBE_SUMS.index(counts[i]), CUBE_SUMS.index(wsums[i]), CUBE_SUMS.index(wsqs[i]))
    for metric, (low, _high) in CUBE_SCALES.items()
    for counts, wsums, wsqs in [cube_columns(metric)]
    for i in range(len(counts))
}
FACT_COLUMNS = ("organization_id", "response_id", "segment_key", "day")
CHUNK_ROWS = 400
SPARSE_ROWS = 12  # up to this many rows (one response's), upsert only the columns they change


# --- Settings ---------------------------------------------------------------------------------


# Read on every storing transaction; changed by an operator once in a while (which rebuilds the
# rollups). Another process picks a change up within this time; keys are self-describing, so a
# response it rolls up meanwhile under the old attributes still reads correctly.
SEGMENT_CACHE_SECONDS = 5
_recent_segments = TTLCache(SEGMENT_CACHE_SECONDS, maxsize=1024)


def segment_attributes(org: Organization, *, cached: bool = False) -> list[str]:
    """The contact attributes responses of ``org`` are segmented by; ``cached`` accepts a value
    read in this process in the last few seconds (the storing path; see above)."""
    found = _recent_segments.get(org.pk) if cached else None
    if found is None:
        row = RollupSettings.objects.for_org(org).first()
        found = tuple(row.segment_attributes) if row else ()
        _recent_segments.set(org.pk, found)
    return list(found)


def forget_segments(**kwargs) -> None:
    """``post_save``/``post_delete`` receiver for RollupSettings (connected in ``ready``)."""
    _recent_segments.clear()


def org_zone(org: Organization) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(org.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_day(moment, zone) -> date:
    return timezone.localtime(moment, zone).date()


def cube_metric(qtype: str, audience: str) -> str | None:
    """The cube column a question type adds to. Employee surveys add only to ``enps``, which no
    reader releases (insights.query.tallies): their results leave through openxm.employees."""
    if confidential(audience):
        return "enps" if qtype == "nps" else None
    if qtype == "nps":
        return "nps"
    return qtype if qtype in ("csat", "ces") else None


# --- Building delta rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseShape:
    """What the rollups need of a response, whichever path it came from."""

    organization_id: int
    survey_id: int
    audience: str
    touchpoint: str
    channel: str
    unit: int
    weight: float
    day: date
    segment_key: str


def _integral(value) -> int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else None


class Deltas:
    """Accumulated increments for both tables (merged by key before writing)."""

    def __init__(self):
        self.answers: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
        self.cube: dict[tuple, list] = defaultdict(lambda: [0] * len(CUBE_SUMS))

    def add(self, shape: ResponseShape, answers, sign: int = 1) -> None:
        """``answers``: (question_id, sub_key, qtype, cx_dimension, touchpoint, value_number) rows."""
        w = shape.weight
        for question_id, sub_key, qtype, cx_dimension, touchpoint, value_number in answers:
            if qtype not in ROLLED_TYPES:
                continue
            value = _integral(value_number)
            if value is None:
                continue
            tp = touchpoint or shape.touchpoint
            acc = self.answers[
                (
                    shape.organization_id,
                    tp,
                    shape.day,
                    shape.survey_id,
                    question_id,
                    sub_key or "",
                    qtype,
                    cx_dimension or "",
                    shape.channel,
                    shape.unit,
                    shape.segment_key,
                    value,
                )
            ]
            acc[0] += sign
            acc[1] += sign * w
            acc[2] += sign * w * w
            metric = cube_metric(qtype, shape.audience)
            if metric and not sub_key:
                low, high = CUBE_SCALES[metric]
                if low <= value <= high:
                    self._cube(shape, tp, metric, value, sign)
        response_acc = self.answers[
            (
                shape.organization_id,
                shape.touchpoint,
                shape.day,
                shape.survey_id,
                "",
                "",
                RESPONSE_QTYPE,
                "",
                shape.channel,
                shape.unit,
                shape.segment_key,
                0,
            )
        ]
        response_acc[0] += sign
        response_acc[1] += sign * w
        response_acc[2] += sign * w * w
        if confidential(shape.audience):
            return
        for grain in GRAINS:
            key = (
                shape.organization_id,
                grain,
                shape.segment_key,
                bucket_start(shape.day, grain),
                shape.touchpoint,
            )
            self.cube[key][0] += sign

    def _cube(self, shape: ResponseShape, touchpoint: str, metric: str, value: int, sign: int) -> None:
        w = shape.weight
        count_at, wsum_at, wsq_at = _CUBE_AT[(metric, value)]
        for grain in GRAINS:
            key = (
                shape.organization_id,
                grain,
                shape.segment_key,
                bucket_start(shape.day, grain),
                touchpoint,
            )
            acc = self.cube[key]
            acc[count_at] += sign
            acc[wsum_at] += sign * w
            acc[wsq_at] += sign * w * w

    def __len__(self) -> int:
        return len(self.answers) + len(self.cube)

    def write(self) -> None:
        _upsert(AnswerCount._meta.db_table, ANSWER_KEY, ANSWER_SUMS, self.answers)
        _upsert(MetricCube._meta.db_table, CUBE_KEY, CUBE_SUMS, self.cube)
        self.answers.clear()
        self.cube.clear()


def _upsert(table: str, key_cols: list[str], sum_cols: list[str], rows: dict) -> None:
    if not rows:
        return
    if len(rows) <= SPARSE_ROWS and len(sum_cols) > 3:
        # A response touches a handful of the cube's hundred columns: write only those (rows
        # grouped by the columns they touch), which keeps the per-response cost low.
        groups: dict[tuple[int, ...], dict] = defaultdict(dict)
        for key, sums in rows.items():
            touched = tuple(i for i, v in enumerate(sums) if v)
            groups[touched][key] = [sums[i] for i in touched]
        for touched, part in groups.items():
            if touched:
                _upsert_columns(table, key_cols, [sum_cols[i] for i in touched], part)
        return
    _upsert_columns(table, key_cols, sum_cols, rows)


def _upsert_columns(table: str, key_cols: list[str], sum_cols: list[str], rows: dict) -> None:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in key_cols + sum_cols)
    one = "(" + ", ".join(["%s"] * (len(key_cols) + len(sum_cols))) + ")"
    conflict = ", ".join(qn(c) for c in key_cols)
    updates = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in sum_cols)
    items = sorted(rows.items())  # one lock order for every writer (see the module docstring)
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK_ROWS):
            chunk = items[start : start + CHUNK_ROWS]
            # Table and column names come from the models, never from input; values are parameters.
            sql = (
                f"INSERT INTO {qn(table)} ({cols}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            )
            params = [v for key, sums in chunk for v in (*key, *sums)]
            cursor.execute(sql, params)


# --- The signal receivers ---------------------------------------------------------------------


def _shape(
    response: Response, org: Organization, segment_key: str, audience: str, zone=None
) -> ResponseShape:
    return ResponseShape(
        organization_id=org.pk,
        survey_id=response.survey_id,
        audience=audience,
        touchpoint=response.touchpoint or "",
        channel=response.channel,
        unit=response.unit_id or 0,
        weight=float(response.weight),
        day=local_day(response.completed_at or response.created_at, zone or org_zone(org)),
        segment_key=segment_key,
    )


def _answer_tuples(answers) -> list[tuple]:
    return [
        (a.question_id, a.sub_key, a.qtype, a.cx_dimension, a.touchpoint, a.value_number) for a in answers
    ]


def on_responses_recorded(sender, recorded, **kwargs) -> None:
    """Add just-stored complete responses to the rollups, in the transaction that stored them.

    ``recorded`` is the ``(response, answers)`` list of one ``responses_recorded`` send: their
    increments are merged first, so a batch of a hundred responses is one facts insert and one
    upsert per rollup table, not a hundred of each.
    """
    if not recorded:
        return
    org = recorded[0][0].organization
    attributes = segment_attributes(org, cached=True)
    zone = org_zone(org)
    facts = []
    deltas = Deltas()
    for response, answers in recorded:
        # The contact is read only when segments need it (it is usually attached already).
        contact = response.contact if attributes and response.contact_id else None
        key = segments.build_key(contact, attributes)
        shape = _shape(response, org, key, response.survey.audience, zone)
        facts.append((org.pk, response.pk, key, shape.day))
        deltas.add(shape, _answer_tuples(answers))
    copy_rows(ResponseFact, FACT_COLUMNS, facts)
    deltas.write()


def _rolled_answers(org: Organization, response_id: int) -> list[tuple]:
    return list(
        Answer.objects.for_org(org)
        .filter(response_id=response_id, qtype__in=ROLLED_TYPES)
        .values_list("question_id", "sub_key", "qtype", "cx_dimension", "touchpoint", "value_number")
    )


def _rolled_up(response: Response) -> tuple[ResponseShape, list[tuple]] | None:
    """How a stored response is counted in the rollups now (None when it is not)."""
    if response.status != Response.Status.COMPLETE:
        return None
    org = response.organization
    fact = ResponseFact.objects.for_org(org).filter(response_id=response.pk).first()
    if fact is None:
        return None  # never rolled up (recorded before insights existed); a rebuild settles it
    audience = (
        Survey.objects.for_org(org).filter(pk=response.survey_id).values_list("audience", flat=True).first()
    )
    shape = _shape(response, org, fact.segment_key, audience or "")
    return shape, _rolled_answers(org, response.pk)


def on_response_deleted(sender, response: Response, **kwargs) -> None:
    """Subtract a response about to be deleted and drop its fact (``response_deleted``: sent in
    the deleting transaction before the answer rows go)."""
    counted = _rolled_up(response)
    if counted is None:
        return
    deltas = Deltas()
    deltas.add(*counted, sign=-1)
    deltas.write()
    ResponseFact.objects.for_org(response.organization).filter(response_id=response.pk).delete()


def on_response_anonymised(sender, response: Response, **kwargs) -> None:
    """Move an anonymised response out of its contact's segment (``response_anonymised``).

    Its counts move to the key of a response without a contact, in the rollups and in its
    fact, as a rebuild with re-segmenting would put them: the segment no longer tells whose
    answers these were.
    """
    counted = _rolled_up(response)
    if counted is None:
        return
    shape, answers = counted
    key = segments.build_key(None, segment_attributes(response.organization))
    if key == shape.segment_key:
        return
    deltas = Deltas()
    deltas.add(shape, answers, sign=-1)
    deltas.add(replace(shape, segment_key=key), answers)
    deltas.write()
    ResponseFact.objects.for_org(response.organization).filter(response_id=response.pk).update(
        segment_key=key
    )


# --- Rebuild ----------------------------------------------------------------------------------


def organizations(slug: str | None = None) -> list[Organization]:
    """The organization with ``slug``, or every organization (operator commands span tenants)."""
    from openxm.accounts import services

    if slug:
        return [services.get_organization(slug)]
    return list(Organization.objects.order_by("slug"))


@dataclass(frozen=True)
class RebuildResult:
    organization: str
    responses: int
    answer_rows: int
    cube_rows: int


def rebuild(org: Organization, *, resegment: bool = False, batch: int = 5000, progress=None) -> RebuildResult:
    """Recompute every rollup row of ``org`` from its responses, in one transaction.

    Segment keys recorded with each response are kept; ``resegment`` recomputes them from the
    contacts' current attributes (after the segment attributes changed). Operator work: called
    by ``openxm rollups rebuild`` and by the settings service, not reachable by members directly.
    """
    zone = org_zone(org)
    attributes = segment_attributes(org)
    audiences = dict(Survey.objects.for_org(org).values_list("id", "audience"))
    with transaction.atomic():
        AnswerCount.objects.for_org(org).delete()
        MetricCube.objects.for_org(org).delete()
        if resegment:
            ResponseFact.objects.for_org(org).delete()
        ids = list(
            Response.objects.for_org(org)
            .filter(status=Response.Status.COMPLETE)
            .order_by("id")
            .values_list("id", flat=True)
        )
        deltas = Deltas()
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            _rebuild_chunk(org, chunk, zone, attributes, audiences, deltas)
            if len(deltas) > 50_000:
                deltas.write()
            if progress:
                progress(min(start + batch, len(ids)), len(ids))
        deltas.write()
    return RebuildResult(
        org.slug,
        len(ids),
        AnswerCount.objects.for_org(org).count(),
        MetricCube.objects.for_org(org).count(),
    )


def _rebuild_chunk(org, ids, zone, attributes, audiences, deltas: Deltas) -> None:
    responses = list(
        Response.objects.for_org(org)
        .filter(id__in=ids)
        .values_list(
            "id", "survey_id", "touchpoint", "channel", "unit_id", "weight", "completed_at", "contact_id"
        )
    )
    facts = dict(
        ResponseFact.objects.for_org(org)
        .filter(response_id__in=ids)
        .values_list("response_id", "segment_key")
    )
    contact_ids = {r[7] for r in responses if r[7] and r[0] not in facts}
    contacts = (
        {c.pk: c for c in Contact.objects.for_org(org).filter(pk__in=contact_ids)} if contact_ids else {}
    )
    answers: dict[int, list] = defaultdict(list)
    for row in (
        Answer.objects.for_org(org)
        .filter(response_id__in=ids, qtype__in=ROLLED_TYPES)
        .values_list(
            "response_id", "question_id", "sub_key", "qtype", "cx_dimension", "touchpoint", "value_number"
        )
    ):
        answers[row[0]].append(row[1:])
    new_facts = []
    for rid, survey_id, touchpoint, channel, unit_id, weight, completed_at, contact_id in responses:
        day = local_day(completed_at, zone)
        key = facts.get(rid)
        if key is None:
            key = segments.build_key(contacts.get(contact_id), attributes)
            new_facts.append(ResponseFact(organization=org, response_id=rid, segment_key=key, day=day))
        shape = ResponseShape(
            org.pk,
            survey_id,
            audiences.get(survey_id, ""),
            touchpoint or "",
            channel,
            unit_id or 0,
            weight,
            day,
            key,
        )
        deltas.add(shape, answers.get(rid, []))
    if new_facts:
        ResponseFact.objects.for_org(org).bulk_create(new_facts, batch_size=1000)


def compact(org: Organization) -> int:
    """Delete rows whose counts went back to zero (after deletions). Returns rows deleted."""
    deleted, _ = AnswerCount.objects.for_org(org).filter(count=0).delete()
    zero = {name: 0 for name in CUBE_SUMS if not name.endswith(("_w", "_q"))}
    cube_deleted, _ = MetricCube.objects.for_org(org).filter(**zero).delete()
    return deleted + cube_deleted


def set_segment_attributes(org: Organization, attributes: list[str]) -> RebuildResult:
    """Store the segment attributes and re-segment every response (operator/service use)."""
    with transaction.atomic():
        row, _ = RollupSettings.objects.for_org(org).get_or_create(
            organization=org, defaults={"segment_attributes": attributes}
        )
        row.segment_attributes = attributes
        row.updated_at = timezone.now()
        row.save()
        return rebuild(org, resegment=True)
