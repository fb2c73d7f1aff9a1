"""Retention policies: how long each kind of data is kept, per organization and survey.

The kinds are contributed by the apps that own the rows (``openxm.personal_data``
``register_retention``): raw comments (the text goes, the response is anonymised, scores stay),
identified responses (anonymised), invitation logs, contact transactions and interactions, and
export files. :func:`plan` is the dry run: what each policy would remove now, nothing written.
:func:`apply` removes it through the apps' actions (domain signals keep rollups and text
analytics consistent), records each policy's last run and audits ``privacy.retention_applied``.
The scheduler runs :func:`apply_all` daily (``openxm.privacy.apply_retention``,
``OPENXM_RETENTION_SECONDS``); ``openxm privacy retention`` and the privacy page run it by hand.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm import personal_data
from openxm.accounts import audit
from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm

from .models import RetentionPolicy

log = logging.getLogger(__name__)
MAX_MONTHS = 600
SAMPLE = 20


@dataclass(frozen=True)
class Planned:
    policy: RetentionPolicy
    label: str
    keeps: str
    before: dt.datetime
    ids: list

    @property
    def count(self) -> int:
        return len(self.ids)


def months_before(when: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` calendar months earlier (the month's last day when shorter)."""
    month_index = when.year * 12 + when.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def _require(actor: Actor) -> None:
    actor.require(Perm.PRIVACY_MANAGE)
    if actor.scope.limited:
        from openxm.accounts.actors import PermissionDenied

        raise PermissionDenied(Perm.PRIVACY_MANAGE)


def list_policies(actor: Actor) -> list[RetentionPolicy]:
    _require(actor)
    return list(RetentionPolicy.objects.for_org(actor.organization))


@transaction.atomic
def set_policy(actor: Actor, data_type: str, months, survey_key: str = "") -> RetentionPolicy:
    """Keep ``data_type`` for ``months`` (of one survey when ``survey_key``); audited as
    ``privacy.retention_set``."""
    _require(actor)
    kinds = personal_data.retention_types()
    if data_type not in kinds:
        raise InvalidInput("data_type", _("must be one of %(kinds)s") % {"kinds": ", ".join(sorted(kinds))})
    survey_key = (survey_key or "").strip()
    if survey_key and not kinds[data_type].by_survey:
        raise InvalidInput("survey", _("this kind of data is not kept per survey"))
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise InvalidInput("months", _("must be a whole number from 1 to %(max)s") % {"max": MAX_MONTHS})
    policy, _created = RetentionPolicy.objects.for_org(actor.organization).update_or_create(
        data_type=data_type,
        survey_key=survey_key,
        defaults={"organization": actor.organization, "months": months, "updated_at": timezone.now()},
    )
    audit.record(
        actor,
        "privacy.retention_set",
        target_type="retention_policy",
        target_id=policy.pk,
        data={"data_type": data_type, "survey": survey_key, "months": months},
    )
    return policy


@transaction.atomic
def delete_policy(actor: Actor, policy_id: int) -> None:
    _require(actor)
    deleted, _rows = RetentionPolicy.objects.for_org(actor.organization).filter(pk=policy_id).delete()
    if deleted:
        audit.record(actor, "privacy.retention_deleted", target_type="retention_policy", target_id=policy_id)


def plan(actor: Actor, now: dt.datetime | None = None) -> list[Planned]:
    """The dry run: for every policy, the rows it would remove now. Nothing is written."""
    _require(actor)
    now = now or timezone.now()
    kinds = personal_data.retention_types()
    out = []
    for policy in RetentionPolicy.objects.for_org(actor.organization):
        kind = kinds.get(policy.data_type)
        if kind is None:  # a kind whose app is not installed in this build
            continue
        before = months_before(now, policy.months)
        ids = kind.due(actor.organization, before, policy.survey_key)
        out.append(Planned(policy, str(kind.label), str(kind.keeps), before, ids))
    return out


def apply(actor: Actor, now: dt.datetime | None = None) -> list[Planned]:
    """Apply every policy (each in its own transaction, so one failing policy leaves the others
    done); the plan that was carried out."""
    done = []
    kinds = personal_data.retention_types()
    for item in plan(actor, now):
        with transaction.atomic():
            kinds[item.policy.data_type].apply(actor, item.ids)
            item.policy.last_run_at = timezone.now()
            item.policy.last_count = item.count
            item.policy.save(update_fields=["last_run_at", "last_count"])
            audit.record(
                actor,
                "privacy.retention_applied",
                target_type="retention_policy",
                target_id=item.policy.pk,
                data={
                    "data_type": item.policy.data_type,
                    "survey": item.policy.survey_key,
                    "rows": item.count,
                },
            )
        done.append(item)
    return done


def apply_all() -> int:
    """Every organization's policies, as the scheduler runs them; the rows removed."""
    from dataclasses import replace

    total = 0
    for org in accounts.organizations():
        actor = replace(accounts.operator_actor(org), via="task")
        try:
            total += sum(item.count for item in apply(actor))
        except Exception:  # one organization's failure must not stop the others
            log.exception("retention of organization %s failed", org.slug)
    return total
