"""Screening respondents on quotas: what respondent pages do when a quota cell is full.

After each submitted page that is not the last, ``page_decision`` decides the quotas on the
counts as they are now (``final=False``: a cell is decided once the questions it reads are
answered). The last page is decided again by ``collect.record_response(..., screen=True)`` with
``final=True`` in the storing transaction, on counts no other writer can change meanwhile (see
``quota_counts``); it raises ``QuotaFull`` and stores nothing when the place was taken.

For a full cell the quota's action applies: ``end`` → ``screen_out`` keeps the answers given so
far as a ``screened`` response (no Answer rows, no ``responses_recorded``, not counted in any
cell, so metrics, rollups and quotas never see it) and the respondent sees the quota's ending;
``stop`` → ``discard`` deletes the response in progress and the respondent sees the quota's
message.

Included: respondent pages (public links, QR codes, personal links, intercepts). Excluded: the
ingestion API, imports, the public collection API and the demo loader, which count responses
but never screen them (a system posting answers already collected cannot show an ending).
"""

from django.db import transaction
from django.utils import timezone

from openxm.accounts.models import Organization

from . import collect, quota_counts
from . import definition as sd
from .models import Response, Survey

CONTINUE = sd.QuotaDecision("continue")


def page_decision(
    org: Organization, survey: Survey, definition: sd.SurveyDefinition, answers, context: sd.ResponseContext
) -> sd.QuotaDecision:
    """The quota decision after a page (``answers``: the route's answers so far)."""
    if not quota_counts.has_quotas(definition):
        return CONTINUE
    return sd.check_quotas(definition, answers, context, quota_counts.current_counts(org, survey.pk))


def screen_out(
    org: Organization, survey: Survey, sub: collect.Submission, page_id: str, decision: sd.QuotaDecision
) -> collect.Recorded:
    """Keep the answers so far (validated through ``page_id``) as a screened-out response.

    A response that finished meanwhile (a double submit) is returned as it is, with created False.
    """
    with transaction.atomic():
        recorded = collect.save_partial(org, survey, sub, page_id)
        response = recorded.response
        if response.status != Response.Status.PARTIAL:
            return collect.Recorded(response, created=False)
        meta = {k: v for k, v in response.meta.items() if k != "page"}
        meta["screened"] = {
            "quota": decision.quota_id,
            "cell": decision.cell_id,
            "ending": decision.ending_id,
        }
        changes = {"status": Response.Status.SCREENED, "completed_at": timezone.now(), "meta": meta}
        Response.objects.for_org(org).filter(pk=response.pk, status=Response.Status.PARTIAL).update(**changes)
        for name, value in changes.items():
            setattr(response, name, value)
    return collect.Recorded(response, created=True)


def discard(org: Organization, survey: Survey, key: str) -> int:
    """Delete the response in progress under ``key`` (action ``stop``); returns how many went."""
    if not key:
        return 0
    with transaction.atomic():
        scoped = Response.objects.for_org(org).filter(
            survey=survey, idempotency_key=key, status=Response.Status.PARTIAL
        )
        return scoped.delete()[1].get(Response._meta.label, 0)


def ending_of(response: Response) -> str | None:
    """The ending a screened-out response was sent to."""
    return ((response.meta or {}).get("screened") or {}).get("ending")
