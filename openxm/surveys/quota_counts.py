"""Quota counts: how many complete responses each quota cell holds, kept in step with responses.

The definition package decides quotas (``definition.check_quotas``, pure); this module keeps the
counts it reads. ``count`` runs inside the transaction that stores complete responses
(``collect``): one ``INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count`` per
transaction, rows in key order (two writers lock overlapping rows in the same order and cannot
deadlock), returning the counts after the increment. A respondent page's final check is decided
on those returned counts, minus this transaction's own increment: on PostgreSQL the upsert keeps
the row locked until commit, so a second respondent racing for the last place waits and then
sees the first one's count; SQLite runs one writer at a time (transactions begin IMMEDIATE).

Included: counting complete responses from every path (respondent pages, the ingestion API one
by one or in batches, imports, the public collection API); the cells a response was counted in
(``Response.meta["quotas"]``), so deleting it un-counts exactly those; viewing counts and
resetting a quota (``surveys.design``, audited). Excluded: partial and screened responses (never
counted), screening itself (``screening.py``: only respondent pages are screened).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization
from openxm.accounts.roles import Perm

from . import definition as sd
from . import services
from .models import QuotaCount, Response, Survey

META_KEY = "quotas"  # Response.meta: {"cells": [quota keys counted], "at": ISO time counted}


class QuotaFull(Exception):
    """A screened submission fell into a full cell; the storing transaction was rolled back."""

    def __init__(self, decision: sd.QuotaDecision):
        self.decision = decision
        super().__init__(f"quota {decision.quota_id}.{decision.cell_id} is full")


def has_quotas(definition: sd.SurveyDefinition) -> bool:
    return bool(definition.data.get("quotas"))


def matched_keys(definition: sd.SurveyDefinition, answers: Mapping, context: sd.ResponseContext) -> tuple:
    """The cells a complete response counts in (``answers``: the route's answers)."""
    if not has_quotas(definition):
        return ()
    return sd.check_quotas(definition, answers, context, {}, final=True).matched


def counted_meta(keys) -> dict:
    """What a counted response records in its ``meta`` (nothing when it matched no cell)."""
    return {META_KEY: {"cells": list(keys), "at": timezone.now().isoformat()}} if keys else {}


def add(org: Organization, survey_id: int, increments: Mapping[str, int]) -> dict[str, int]:
    """Add ``increments`` (quota key → n) in one upsert; returns the counts after it."""
    items = sorted(increments.items())
    if not items:
        return {}
    qn = connection.ops.quote_name
    table, key, n = qn(QuotaCount._meta.db_table), qn("key"), qn("count")
    # Table and column names come from the model, never from input; values are parameters.
    sql = (
        f"INSERT INTO {table} ({qn('organization_id')}, {qn('survey_id')}, {key}, {n}) "  # noqa: S608
        f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(items))} "
        f"ON CONFLICT ({qn('survey_id')}, {key}) DO UPDATE SET {n} = {table}.{n} + excluded.{n} "
        f"RETURNING {key}, {n}"
    )
    params = [v for cell, delta in items for v in (org.pk, survey_id, cell, delta)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def count(
    org: Organization,
    survey_id: int,
    definition: sd.SurveyDefinition,
    answers: Mapping,
    context: sd.ResponseContext,
    keys: tuple,
    *,
    screen: bool = False,
) -> None:
    """Count one complete response in ``keys`` (its ``matched_keys``), in the caller's transaction.

    ``screen``: decide the quotas on the counts just before this response (final); when it falls
    into a cell that was already full, raise ``QuotaFull`` so the caller's transaction rolls back
    (the increment with it).
    """
    if not keys:
        return
    after = add(org, survey_id, Counter(keys))
    if screen:
        before = {key: n - 1 for key, n in after.items()}
        decision = sd.check_quotas(definition, answers, context, before, final=True)
        if decision.stops:
            raise QuotaFull(decision)


def current_counts(org: Organization, survey_id: int) -> dict[str, int]:
    return dict(QuotaCount.objects.for_org(org).filter(survey_id=survey_id).values_list("key", "count"))


def on_response_deleted(sender, response: Response, **kwargs) -> None:
    """Un-count a complete response about to be deleted (``response_deleted``, in the deleting
    transaction).

    Deleting a response frees its place: a CX manager deletes a response because it should not
    count (a test, a duplicate, fraud, a data-subject request), and a quota promises that many
    usable responses. A response counted before its cell was last reset is no longer in the
    count, so it changes nothing; counts never go below zero.
    """
    if response.status != Response.Status.COMPLETE:
        return
    counted = (response.meta or {}).get(META_KEY) or {}
    keys = sorted(set(counted.get("cells") or []))
    if not keys:
        return
    at = parse_datetime(str(counted.get("at") or "")) or response.completed_at or response.created_at
    scoped = QuotaCount.objects.for_org(response.organization).filter(
        survey_id=response.survey_id, key__in=keys, count__gt=0
    )
    scoped = scoped.filter(Q(reset_at__isnull=True) | Q(reset_at__lte=at))
    ids = list(scoped.select_for_update().order_by("key").values_list("pk", flat=True))
    if ids:
        QuotaCount.objects.for_org(response.organization).filter(pk__in=ids).update(count=F("count") - 1)


# --- viewing and resetting -----------------------------------------------------------------


@dataclass(frozen=True)
class CellCount:
    quota_id: str
    cell_id: str
    key: str
    condition: dict
    limit: int
    count: int
    reset_at: datetime | None

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    @property
    def condition_text(self) -> str:
        return json.dumps(self.condition, ensure_ascii=False, separators=(", ", ": "))

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.limit)) if self.limit else 100


@dataclass(frozen=True)
class QuotaView:
    id: str
    action: str
    ending: str | None
    cells: tuple[CellCount, ...]


def quota_overview(actor: Actor, ref: int | str | Survey) -> list[QuotaView]:
    """The quotas of the survey's current version, each cell with its count and limit."""
    from .collect import version_definition  # collect imports this module

    actor.require(Perm.DASHBOARDS_VIEW)
    survey = _survey(actor, ref)
    if survey.current_version_id is None:
        return []
    definition = version_definition(survey.current_version)
    if not has_quotas(definition):
        return []
    rows = {q.key: q for q in QuotaCount.objects.for_org(actor.organization).filter(survey=survey)}
    out = []
    for quota in definition.data["quotas"]:
        cells = []
        for cell in quota["cells"]:
            key = sd.quota_key(quota["id"], cell["id"])
            row = rows.get(key)
            cells.append(
                CellCount(
                    quota["id"],
                    cell["id"],
                    key,
                    cell["if"],
                    cell["limit"],
                    row.count if row else 0,
                    row.reset_at if row else None,
                )
            )
        out.append(QuotaView(quota["id"], quota["action"], quota.get("ending"), tuple(cells)))
    return out


def _survey(actor: Actor, ref: int | str | Survey) -> Survey:
    if isinstance(ref, Survey) and ref.organization_id == actor.organization.pk:
        return ref
    return services.get_survey(actor, ref.pk if isinstance(ref, Survey) else ref)


@transaction.atomic
def reset_quota(actor: Actor, ref: int | str | Survey, quota_id: str) -> dict[str, int]:
    """Set the counts of every cell of ``quota_id`` to zero (audited as survey.quota_reset).

    Responses stay as they are; later respondents fill the cells again from zero. Returns the
    counts as they were before the reset.
    """
    actor.require(Perm.SURVEYS_DESIGN)
    survey = _survey(actor, ref)
    known = {q.id: q for q in quota_overview(actor, survey)}
    if quota_id not in known:
        raise InvalidInput("quota", _("the survey has no quota %(quota)s") % {"quota": quota_id})
    keys = sorted(cell.key for cell in known[quota_id].cells)
    now = timezone.now()
    scoped = QuotaCount.objects.for_org(actor.organization).filter(survey=survey)
    before = dict(scoped.filter(key__in=keys).select_for_update().order_by("key").values_list("key", "count"))
    # Rows for every cell, so a later delete of a response counted earlier sees the reset time.
    add(actor.organization, survey.pk, dict.fromkeys(keys, 0))
    scoped.filter(key__in=keys).update(count=0, reset_at=now)
    audit.record(
        actor,
        "survey.quota_reset",
        target_type="survey",
        target_id=survey.pk,
        data={"quota": quota_id, "counts": {k: before.get(k, 0) for k in keys}},
    )
    return before
