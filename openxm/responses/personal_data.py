"""The responses' part of data-subject requests (``openxm.personal_data``).

The responses app owns deleting and anonymising responses (``actions``), so it answers for the
surveys app's ``Response`` and ``Answer`` rows as well as its own tags and import logs.

Included: the responses of the subject's contacts and those where an e-mail or phone question
was answered with one of the subject's identifiers (an anonymous link), read through the one
door with the organization's scope; their answer rows and tags; import logs whose sample or
rejected rows mention an identifier. Erasure deletes each response with
``actions.delete_response`` (or keeps it, with nothing identifying, with
``actions.anonymise_response``): the actions send the domain signals, so rollups, quota counts
and text analytics follow in the same transaction, and each response is audited. Import logs
lose the rows that mention the subject. Excluded (exempt): export jobs, whose files the
``exports`` retention policy removes (docs/privacy.md).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openxm.accounts.scope import organization_scope
from openxm.personal_data import (
    ANONYMISE,
    Hook,
    RetentionType,
    Subject,
    exempt,
    mentions,
    register,
    register_retention,
    row,
)
from openxm.surveys import door

from . import actions
from .models import ExportJob, ImportJob, ResponseTag

RESPONSE = "surveys.Response"
ANSWER = "surveys.Answer"
TAG = "responses.ResponseTag"
IMPORT = "responses.ImportJob"
PERSONAL_QTYPES = ("email", "phone")


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    scope = organization_scope(subject.organization)
    typed = Q(pk__in=[])
    for needle in subject.needles:
        typed |= Q(value_text__iexact=needle)
    by_answer = door.answers(scope).filter(qtype__in=PERSONAL_QTYPES).filter(typed).values("response_id")
    responses = list(
        door.responses(scope)
        .filter(Q(contact_id__in=subject.contact_ids) | Q(pk__in=by_answer))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {
        RESPONSE: responses,
        ANSWER: list(door.answers(scope).filter(response_id__in=responses).values_list("pk", flat=True)),
        TAG: list(
            ResponseTag.objects.for_org(subject.organization)
            .filter(response_id__in=responses)
            .values_list("pk", flat=True)
        ),
        IMPORT: [
            job.pk
            for job in ImportJob.objects.for_org(subject.organization).only("pk", "sample", "rejections")
            if subject.needles and mentions([job.sample, job.rejections], subject.needles)
        ],
    }


def export(subject: Subject, found: dict[str, list]) -> dict[str, list[dict]]:
    scope = organization_scope(subject.organization)
    org = subject.organization
    jobs = ImportJob.objects.for_org(org).filter(pk__in=found[IMPORT])
    return {
        RESPONSE: [row(r) for r in door.responses(scope).filter(pk__in=found[RESPONSE]).order_by("pk")],
        ANSWER: [
            row(a) for a in door.answers(scope).filter(pk__in=found[ANSWER]).order_by("response_id", "pk")
        ],
        TAG: [row(t) for t in ResponseTag.objects.for_org(org).filter(pk__in=found[TAG])],
        IMPORT: [
            {"id": job.pk, "file_name": job.file_name, "rows": _mentioning(job, subject.needles)}
            for job in jobs
        ],
    }


def _mentioning(job: ImportJob, needles) -> list:
    return [r for r in [*job.sample, *job.rejections] if mentions(r, needles)]


def erase(actor, subject: Subject, found: dict[str, list], mode: str) -> dict[str, int]:
    act = actions.anonymise_response if mode == ANONYMISE else actions.delete_response
    for response_id in found[RESPONSE]:
        act(actor, response_id)
    for job in ImportJob.objects.for_org(subject.organization).filter(pk__in=found[IMPORT]):
        job.sample = [r for r in job.sample if not mentions(r, subject.needles)]
        job.rejections = [r for r in job.rejections if not mentions(r, subject.needles)]
        job.save(update_fields=["sample", "rejections"])
    n = len(found[RESPONSE])
    return {RESPONSE: n, ANSWER: len(found[ANSWER]), TAG: len(found[TAG]), IMPORT: len(found[IMPORT])}


# --- retention ---------------------------------------------------------------------------------


def _old_responses(org, before, survey_key: str):
    qs = door.responses(organization_scope(org)).filter(completed_at__lt=before)
    return qs.filter(survey__key=survey_key) if survey_key else qs


def due_responses(org, before, survey_key: str) -> list:
    """Completed before ``before`` and not anonymised yet (those keep nothing identifying)."""
    return [
        pk
        for pk, meta in _old_responses(org, before, survey_key).values_list("pk", "meta")
        if not (meta or {}).get("anonymised_at")
    ]


def due_comments(org, before, survey_key: str) -> list:
    """Responses completed before ``before`` that still hold a free-text answer."""
    with_text = door.answers(organization_scope(org)).filter(qtype="text").values("response_id")
    return list(_old_responses(org, before, survey_key).filter(pk__in=with_text).values_list("pk", flat=True))


def _each(action):
    def apply(actor, ids: list) -> int:
        for pk in ids:
            action(actor, pk)
        return len(ids)

    return apply


def due_exports(org, before, survey_key: str) -> list:
    return list(ExportJob.objects.for_org(org).filter(created_at__lt=before).values_list("pk", flat=True))


def remove_exports(actor, ids: list) -> int:
    """Delete the export files and their jobs (the files hold personal data when exported so)."""
    jobs = ExportJob.objects.for_org(actor.organization).filter(pk__in=ids)
    for job in jobs:
        if job.file_path:
            Path(settings.MEDIA_ROOT, job.file_path).unlink(missing_ok=True)
    return jobs.delete()[1].get("responses.ExportJob", 0)


def register_hook() -> None:
    register(
        Hook(
            app="responses",
            models=(RESPONSE, ANSWER, TAG, IMPORT),
            find=find,
            export=export,
            erase=erase,
            derived=(ANSWER, TAG),
        )
    )
    exempt("responses.ExportJob", "an export file made for a member; removed by the exports retention policy")
    register_retention(
        RetentionType(
            "comments",
            _("Raw comments"),
            _("scores, choices and dates, anonymised"),
            True,
            due_comments,
            _each(actions.drop_comments),
        )
    )
    register_retention(
        RetentionType(
            "responses",
            _("Responses (identified)"),
            _("scores and comments, anonymised"),
            True,
            due_responses,
            _each(actions.anonymise_response),
        )
    )
    register_retention(
        RetentionType("exports", _("Export files"), _("nothing"), False, due_exports, remove_exports)
    )
