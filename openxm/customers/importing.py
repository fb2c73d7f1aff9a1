"""Importing contacts and their events from a CSV/TSV/XLSX file, with a dry run.

Read with the shared reader (:func:`openxm.readers.read_table`: any encoding, CSV or XLSX).
All or nothing: every row is checked first; with any error nothing is stored and the report
lists each error with its file line and field. A dry run checks and counts and stores nothing.

Contacts: ``external_id`` (required) and optionally ``name``, ``email``, ``phone``,
``language``, ``kind``, ``unit``, ``wechat_openid``, ``wechat_unionid``, ``consent``; every
other column is an attribute (typed by its definition; an empty cell leaves it unset). A known
external id updates that contact (which must lie inside the importer's scope).

Events: ``contact`` (the contact's external id), ``type``, ``occurred_at``, and optionally
``amount``, ``currency``, ``channel``, ``unit``, ``external_id`` (makes re-importing the file
harmless); other columns are the event's attributes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import unit_tree
from openxm.readers import ReadError, read_table

from . import directory, events
from .models import Contact
from .services import refresh_keys

CONTACT_COLUMNS = (
    "external_id",
    "name",
    "email",
    "phone",
    "language",
    "kind",
    "unit",
    "wechat_openid",
    "wechat_unionid",
    "consent",
)
EVENT_COLUMNS = ("contact", "type", "occurred_at", "amount", "currency", "channel", "unit", "external_id")
MAX_ERRORS = 100


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    dry_run: bool = False
    errors: list[dict] = field(default_factory=list)  # {"line", "field", "message"}

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _table(source, file_name: str):
    try:
        table = read_table(source)
        return table, list(table.rows_with_lines())
    except ReadError as exc:
        raise InvalidInput("file", exc.message_in(_, file=file_name or "upload")) from None


def _error(report: ImportReport, line: int, exc: Exception) -> None:
    if len(report.errors) < MAX_ERRORS:
        if isinstance(exc, InvalidInput):
            report.errors.append({"line": line, "field": exc.field, "message": exc.message})
        else:
            report.errors.append({"line": line, "field": "", "message": str(exc)})


@transaction.atomic
def import_contacts(actor: Actor, source, file_name: str = "", dry_run: bool = False) -> ImportReport:
    """Create or update the file's contacts (``responses.write``); see the module docstring."""
    actor.require(Perm.RESPONSES_WRITE)
    table, rows = _table(source, file_name)
    if "external_id" not in table.columns:
        raise InvalidInput("file", _("the file needs an external_id column"))
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    org = actor.organization
    known_defs = directory.definitions(org)
    ids = [_cell(row.get("external_id")) for _line, row in rows]
    existing = {}
    for start in range(0, len(ids), 1000):
        chunk = [i for i in ids[start : start + 1000] if i]
        existing.update(
            (c.external_id, c) for c in Contact.objects.for_org(org).filter(external_id__in=chunk)
        )
    visible = (
        set(
            directory.contacts(actor.scope)
            .filter(pk__in=[c.pk for c in existing.values()])
            .values_list("pk", flat=True)
        )
        if existing
        else set()
    )
    new, changed, seen = [], [], set()
    for line, row in rows:
        try:
            eid = _cell(row.get("external_id"))
            if not eid or len(eid) > 128:
                raise InvalidInput("external_id", _("must be 1-128 characters"))
            if eid in seen:
                raise InvalidInput("external_id", _("appears twice in the file"))
            seen.add(eid)
            data = {c: _cell(row.get(c)) for c in CONTACT_COLUMNS[1:] if c in table.columns}
            data = {k: v for k, v in data.items() if v or k in ("name",)}
            fields = directory._clean_fields(actor, data)
            attributes = {c: _cell(row.get(c)) for c in table.columns if c not in CONTACT_COLUMNS}
            attributes = directory.clean_attributes(
                org, {k: v for k, v in attributes.items() if v}, known_defs
            )
            contact = existing.get(eid)
            if contact is None:
                if actor.scope.limited and "unit_id" not in fields:
                    raise InvalidInput("unit", _("a member limited to a unit must give a unit inside it"))
                contact = Contact(organization=org, external_id=eid, attributes=attributes, **fields)
                refresh_keys(contact)
                new.append(contact)
                continue
            if contact.pk not in visible:
                raise NotFound("contact", eid)
            for name, value in fields.items():
                setattr(contact, name, value)
            contact.attributes = {**contact.attributes, **attributes}
            refresh_keys(contact)
            contact.updated_at = timezone.now()
            changed.append(contact)
        except (InvalidInput, NotFound) as exc:
            _error(report, line, exc)
    report.created, report.updated = len(new), len(changed)
    if report.errors or dry_run:
        return report
    Contact.objects.for_org(org).bulk_create(new, batch_size=1000)
    if changed:
        names = [*CONTACT_COLUMNS[1:], "attributes", "email_key", "phone_key", "external_key", "updated_at"]
        Contact.objects.for_org(org).bulk_update(changed, names, batch_size=1000)
    audit.record(
        actor,
        "contact.imported",
        target_type="file",
        target_id=file_name[:100],
        data={"created": report.created, "updated": report.updated},
    )
    return report


@transaction.atomic
def import_events(actor: Actor, source, file_name: str = "", dry_run: bool = False) -> ImportReport:
    """Store the file's events (``responses.write``), idempotent per ``external_id``."""
    actor.require(Perm.RESPONSES_WRITE)
    table, rows = _table(source, file_name)
    missing = [c for c in ("contact", "type", "occurred_at") if c not in table.columns]
    if missing:
        raise InvalidInput(
            "file", _("the file needs the columns: %(columns)s") % {"columns": ", ".join(missing)}
        )
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    refs = {_cell(row.get("contact")) for _line, row in rows}
    by_ref = dict(
        directory.contacts(actor.scope).filter(external_id__in=refs).values_list("external_id", "pk")
    )
    units = {code: pk for pk, code, _p in unit_tree(actor.organization)}
    batch = []
    for line, row in rows:
        try:
            ref = _cell(row.get("contact"))
            if ref not in by_ref:
                raise NotFound("contact", ref)
            data = {c: _cell(row.get(c)) for c in EVENT_COLUMNS[1:] if c in table.columns}
            data["attributes"] = {
                c: _cell(row.get(c)) for c in table.columns if c not in EVENT_COLUMNS and _cell(row.get(c))
            }
            events.clean_event(data, "event", units)
            batch.append((by_ref[ref], data))
        except (InvalidInput, NotFound) as exc:
            _error(report, line, exc)
    if report.errors:
        return report
    if dry_run:
        report.created = len(batch)
        return report
    for start in range(0, len(batch), events.MAX_BATCH):
        recorded = events.record_events(actor, batch[start : start + events.MAX_BATCH], source="import")
        report.created += recorded.created
        report.duplicates += recorded.duplicates
    return report
