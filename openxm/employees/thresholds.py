"""Reading and changing the anonymity thresholds of employee results.

Included: :func:`effective` (what a survey's results use: the highest of the defaults, the
organization's row and the survey's row), :func:`current` (the stored settings for the page and
API) and :func:`set_thresholds` (owners only; never below ``suppression.MIN_FLOOR``; audited as
``employees.thresholds_changed``). Excluded: applying them (``results``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor, PermissionDenied
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm, Role
from openxm.analytics.suppression import DEFAULT_MIN_COMMENTS, DEFAULT_MIN_GROUP, MIN_FLOOR, check_threshold
from openxm.surveys import services as surveys

from .models import Confidentiality


@dataclass(frozen=True)
class Thresholds:
    min_group: int
    min_comments: int
    survey: str = ""  # the survey key of a per-survey row, "" for the organization


def effective(organization, survey_id: int | None = None) -> Thresholds:
    """The thresholds a survey's results use (the organization's without a survey)."""
    group, comments = DEFAULT_MIN_GROUP, DEFAULT_MIN_COMMENTS
    rows = Confidentiality.objects.for_org(organization).filter(survey__isnull=True)
    if survey_id is not None:
        rows = Confidentiality.objects.for_org(organization).filter(survey_id__in=[survey_id]) | rows
    for row in rows:
        group, comments = max(group, row.min_group), max(comments, row.min_comments)
    return Thresholds(group, comments)


def current(organization) -> list[Thresholds]:
    """The organization's effective thresholds first, then each per-survey row."""
    rows = Confidentiality.objects.for_org(organization).filter(survey__isnull=False).select_related("survey")
    return [effective(organization)] + [Thresholds(r.min_group, r.min_comments, r.survey.key) for r in rows]


def _number(value, field: str) -> int:
    try:
        return check_threshold(int(value) if not isinstance(value, bool) else value)
    except (TypeError, ValueError):
        raise InvalidInput(field, _("must be a whole number of at least %(n)s") % {"n": MIN_FLOOR}) from None


def set_thresholds(actor: Actor, min_group, min_comments, survey: str = "") -> Thresholds:
    """Store the organization's thresholds, or with ``survey`` (a key) that survey's. Owners only.
    Values below :data:`MIN_FLOOR` are refused; a survey's values below the organization's are
    refused too (they would not apply, and a reader would think they do)."""
    if actor.role != Role.OWNER:
        raise PermissionDenied(Perm.ORG_MANAGE)
    group, comments = _number(min_group, "min_group"), _number(min_comments, "min_comments")
    org = actor.organization
    survey_row = None
    if survey:
        survey_row = surveys.get_survey(actor, survey)
        base = effective(org)
        if group < base.min_group:
            raise InvalidInput("min_group", _("is below the organization's %(n)s") % {"n": base.min_group})
        if comments < base.min_comments:
            raise InvalidInput(
                "min_comments", _("is below the organization's %(n)s") % {"n": base.min_comments}
            )
    with transaction.atomic():
        before = effective(org, survey_row.pk if survey_row else None)
        Confidentiality.objects.for_org(org).update_or_create(
            organization=org,
            survey=survey_row,
            defaults={"min_group": group, "min_comments": comments, "updated_at": timezone.now()},
        )
        audit.record(
            actor,
            "employees.thresholds_changed",
            target_type="survey" if survey_row else "organization",
            target_id=survey_row.key if survey_row else org.slug,
            data={"min_group": [before.min_group, group], "min_comments": [before.min_comments, comments]},
        )
    return Thresholds(group, comments, survey)
