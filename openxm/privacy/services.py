"""Data-subject requests: find, export and erase everything about one person.

Each function checks the permission (``privacy.manage``, for the whole organization: a member
limited to a unit cannot answer for a person whose data spans units), owns its transaction,
writes the request log (:class:`~.models.DataSubjectRequest`) and the audit entry
(``privacy.exported``, ``privacy.erased``), and runs the apps' hooks (``openxm.personal_data``).
The web page, the API and ``openxm privacy`` call these and nothing else.

Erasure runs the hooks right to left, then asks every hook again: if anything about the subject
is left, it raises and the transaction undoes the whole erasure (nothing half-erased).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm import crypto, personal_data
from openxm.accounts import audit
from openxm.accounts.actors import Actor, PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.customers.personal_data import resolve

from . import archive
from .models import DataSubjectRequest, PrivacySettings

IDENTIFIERS = ("email", "phone", "wechat", "contact")


class ErasureIncomplete(RuntimeError):
    """A hook left rows about the subject: the erasure is rolled back."""


@dataclass(frozen=True)
class Preview:
    subject: personal_data.Subject
    found: dict[str, list]

    @property
    def counts(self) -> dict[str, int]:
        return {label: len(ids) for label, ids in self.found.items() if ids}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _require(actor: Actor) -> None:
    actor.require(Perm.PRIVACY_MANAGE)
    if actor.scope.limited:
        raise PermissionDenied(Perm.PRIVACY_MANAGE)


def clean_identifiers(**given: str) -> dict[str, str]:
    """The identifiers given (e-mail, phone, WeChat id, contact id), checked; at least one."""
    clean = {k: (given.get(k) or "").strip() for k in IDENTIFIERS if (given.get(k) or "").strip()}
    if not clean:
        raise InvalidInput("email", _("give an e-mail address, a phone number, a WeChat id or a contact id"))
    for key, value in clean.items():
        if len(value) > 254:
            raise InvalidInput(key, _("must be at most 254 characters"))
    if "email" in clean:
        try:
            validate_email(clean["email"])
        except ValidationError:
            raise InvalidInput("email", _("is not a valid e-mail address")) from None
    if "phone" in clean and sum(ch.isdigit() for ch in clean["phone"]) < 5:
        raise InvalidInput("phone", _("is not a phone number"))
    return clean


def mask(kind: str, value: str) -> str:
    """An identifier as the log keeps it: enough to recognise, not enough to contact."""
    if kind == "email":
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == "phone":
        digits = [c for c in value if c.isdigit()]
        return "*" * max(0, len(digits) - 4) + "".join(digits[-4:])
    if kind == "wechat":
        return value[:3] + "***"
    return value


def subject_hash(clean: dict[str, str]) -> str:
    """A keyed hash of the identifiers as given: matches a later request by the same words."""
    text = "\n".join(f"{k}={clean[k].lower()}" for k in sorted(clean))
    return crypto.blind_index(hashlib.sha256(text.encode()).hexdigest())


def find_subject(actor: Actor, **given: str) -> Preview:
    """Everything the hooks find about the person known by these identifiers."""
    _require(actor)
    clean = clean_identifiers(**given)
    subject = resolve(actor.organization, **clean)
    found: dict[str, list] = {}
    for hook in personal_data.hooks():
        found.update(hook.find(subject, found))
    return Preview(subject, found)


def get_settings(org) -> PrivacySettings:
    return PrivacySettings.objects.for_org(org).first() or PrivacySettings(organization=org)


@transaction.atomic
def set_deadline(actor: Actor, days: int, working_days: bool) -> PrivacySettings:
    """The organization's statutory deadline (audited as ``privacy.deadline_set``)."""
    actor.require(Perm.ORG_MANAGE)
    if not isinstance(days, int) or not 1 <= days <= 90:
        raise InvalidInput("deadline_days", _("must be a whole number from 1 to 90"))
    row = get_settings(actor.organization)
    row.deadline_days, row.working_days, row.updated_at = days, bool(working_days), timezone.now()
    row.save()
    audit.record(actor, "privacy.deadline_set", data={"days": days, "working_days": bool(working_days)})
    return row


def due_at(received_at: dt.datetime, days: int, working_days: bool) -> dt.datetime:
    """The deadline: ``days`` calendar days after receipt, or ``days`` working days (Monday to
    Friday; public holidays are not counted out) after it."""
    if not working_days:
        return received_at + dt.timedelta(days=days)
    day, left = received_at, days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _log(
    actor: Actor, kind: str, clean: dict[str, str], received_at: dt.datetime | None
) -> DataSubjectRequest:
    received = received_at or timezone.now()
    conf = get_settings(actor.organization)
    return DataSubjectRequest.objects.for_org(actor.organization).create(
        organization=actor.organization,
        kind=kind,
        subject={k: mask(k, v) for k, v in clean.items()},
        subject_hash=subject_hash(clean),
        received_at=received,
        due_at=due_at(received, conf.deadline_days, conf.working_days),
        actor_label=actor.label,
    )


def _complete(request: DataSubjectRequest, counts: dict[str, int]) -> None:
    request.status = DataSubjectRequest.Status.COMPLETED
    request.completed_at = timezone.now()
    request.counts = counts
    request.save()


@transaction.atomic
def export_request(actor: Actor, received_at: dt.datetime | None = None, **given: str) -> DataSubjectRequest:
    """Answer an access request: a zip archive of everything found (JSON and one CSV per model),
    kept under ``MEDIA_ROOT/privacy``; the request is logged as completed and audited."""
    preview = find_subject(actor, **given)
    clean = clean_identifiers(**given)
    request = _log(actor, DataSubjectRequest.Kind.EXPORT, clean, received_at)
    rows: dict[str, list[dict]] = {}
    for hook in personal_data.hooks():
        rows.update(hook.export(preview.subject, preview.found))
    path = Path("privacy") / str(actor.organization.pk) / f"request-{request.pk}.zip"
    full = Path(settings.MEDIA_ROOT) / path
    request.archive_size = archive.write(
        full, rows, about={"request": request.pk, "subject": request.subject}
    )
    request.archive_path = str(path)
    _complete(request, preview.counts)
    audit.record(
        actor,
        "privacy.exported",
        target_type="privacy_request",
        target_id=request.pk,
        data={"subject": request.subject, "rows": preview.total},
    )
    return request


@transaction.atomic
def erase_request(
    actor: Actor, mode: str = personal_data.ERASE, received_at: dt.datetime | None = None, **given: str
) -> DataSubjectRequest:
    """Erase (or anonymise: responses kept for statistics with nothing identifying) everything
    about the person; the request is logged as completed and audited (``privacy.erased``)."""
    if mode not in personal_data.MODES:
        raise InvalidInput("mode", _("must be erase or anonymise"))
    actor.require(Perm.DATA_DELETE)
    preview = find_subject(actor, **given)
    clean = clean_identifiers(**given)
    kind = DataSubjectRequest.Kind.ERASE if mode == personal_data.ERASE else DataSubjectRequest.Kind.ANONYMISE
    request = _log(actor, kind, clean, received_at)
    for hook in reversed(personal_data.hooks()):
        hook.erase(actor, preview.subject, preview.found, mode)
    left: dict[str, list] = {}
    for hook in personal_data.hooks():
        left.update(hook.find(preview.subject, left))
    remaining = {label: len(ids) for label, ids in left.items() if ids}
    if remaining:
        raise ErasureIncomplete(f"rows left after the erasure: {remaining}")
    _complete(request, preview.counts)
    audit.record(
        actor,
        "privacy.erased",
        target_type="privacy_request",
        target_id=request.pk,
        data={"subject": request.subject, "mode": mode, "rows": preview.total},
    )
    return request


def list_requests(actor: Actor, limit: int = 200) -> list[DataSubjectRequest]:
    _require(actor)
    return list(DataSubjectRequest.objects.for_org(actor.organization)[:limit])


def get_request(actor: Actor, request_id: int) -> DataSubjectRequest:
    _require(actor)
    request = DataSubjectRequest.objects.for_org(actor.organization).filter(pk=request_id).first()
    if request is None:
        raise NotFound("privacy request", request_id)
    return request


def archive_file(actor: Actor, request_id: int) -> Path:
    """The export archive of a request (NotFound when it has none, or it was removed)."""
    request = get_request(actor, request_id)
    full = Path(settings.MEDIA_ROOT) / request.archive_path if request.archive_path else None
    if full is None or not full.is_file():
        raise NotFound("privacy archive", request_id)
    return full
