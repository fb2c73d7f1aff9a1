"""Transactions and interactions of contacts: orders, refunds, support contacts, visits, any
event with a type, a time, an optional amount and attributes.

Included: :func:`record_events` (one or many, all or nothing, idempotent per ``external_id``:
an event whose id is stored already is reported as a duplicate and left as it is),
:func:`events_of` (a contact's events, newest first), :func:`transactions_in` (the
(contact id, time, amount) rows the value models read).

Excluded: what the events mean for value and risk (``openxm.profiles``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope, unit_tree

from .directory import contacts, get_contact_in
from .models import ContactEvent

MAX_BATCH = 5000
# Event types that carry revenue: the value models (RFM, CLV) read these.
PURCHASE_TYPES = ("order", "purchase")


@dataclass(frozen=True)
class Recorded:
    created: int
    duplicates: int


def _when(value, field: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value or "").strip()
        when = parse_datetime(text) or (parse_datetime(text + "T00:00:00") if len(text) == 10 else None)
        if when is None:
            raise InvalidInput(field, _("must be a date and time (ISO 8601)"))
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput(field, _("must be a number")) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise InvalidInput(field, _("must be a number"))
    return amount.quantize(Decimal("0.01"))


def clean_event(row: dict, field: str, units: dict[str, int]) -> dict:
    """One event checked: ``field`` prefixes the names in errors (``events[3].type``)."""
    if not isinstance(row, dict):
        raise InvalidInput(field, _("must be an object"))
    kind = slugify(str(row.get("type") or ""))[:32]
    if not kind:
        raise InvalidInput(f"{field}.type", _("is required (e.g. order, refund, support, visit)"))
    external_id = str(row.get("external_id") or "").strip()
    if len(external_id) > 128:
        raise InvalidInput(f"{field}.external_id", _("must be at most 128 characters"))
    attributes = row.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise InvalidInput(f"{field}.attributes", _("must be an object of name: value"))
    unit = str(row.get("unit") or "").strip()
    if unit and unit not in units:
        raise InvalidInput(f"{field}.unit", _("no unit with code %(code)s") % {"code": unit})
    currency = str(row.get("currency") or "").strip().upper()
    if currency and len(currency) != 3:
        raise InvalidInput(f"{field}.currency", _("must be a three-letter code such as CNY"))
    return {
        "external_id": external_id,
        "type": kind,
        "occurred_at": _when(row.get("occurred_at"), f"{field}.occurred_at"),
        "amount": _amount(row.get("amount"), f"{field}.amount"),
        "currency": currency,
        "channel": str(row.get("channel") or "").strip()[:32],
        "unit_id": units.get(unit) if unit else None,
        "attributes": attributes,
    }


@transaction.atomic
def record_events(actor: Actor, rows: list[tuple[int, dict]], source: str = "api") -> Recorded:
    """Store events of contacts inside the actor's scope (``responses.write``): ``rows`` are
    (contact id, event). All or nothing: a bad row stores none. Audited once per call."""
    actor.require(Perm.RESPONSES_WRITE)
    if len(rows) > MAX_BATCH:
        raise InvalidInput("events", _("at most %(n)d events per call") % {"n": MAX_BATCH})
    units = {code: pk for pk, code, _p in unit_tree(actor.organization)}
    wanted = {cid for cid, _row in rows}
    visible = set(contacts(actor.scope).filter(pk__in=wanted).values_list("pk", flat=True))
    cleaned = []
    for i, (contact_id, row) in enumerate(rows):
        field = f"events[{i}]" if len(rows) > 1 else "event"
        if contact_id not in visible:
            get_contact_in(actor.scope, contact_id)  # raises NotFound, naming the contact
        cleaned.append((contact_id, clean_event(row, field, units)))
    org = actor.organization
    scoped = ContactEvent.objects.for_org(org)
    given = [c["external_id"] for _cid, c in cleaned if c["external_id"]]
    known = dict(scoped.filter(external_id__in=given).values_list("external_id", "pk")) if given else {}
    new, seen, duplicates = [], set(), 0
    stamp = timezone.now()
    for contact_id, c in cleaned:
        key = c["external_id"]
        if key and (key in known or key in seen):
            duplicates += 1
            continue
        if key:
            seen.add(key)
        new.append(
            ContactEvent(organization=org, contact_id=contact_id, source=source, created_at=stamp, **c)
        )
    created = len(new)
    if new:
        # A concurrent call may store one of the same ids first: its row is kept, and the rows of
        # this call (stamped with its time) say what it added.
        scoped.bulk_create(new, ignore_conflicts=True)
        if seen:
            ours = scoped.filter(external_id__in=seen, created_at=stamp).count()
            duplicates += len(seen) - ours
            created -= len(seen) - ours
    audit.record(
        actor,
        "contact.events_recorded",
        target_type="contact",
        target_id=cleaned[0][0] if len({c for c, _ in cleaned}) == 1 else "",
        data={"created": created, "duplicates": duplicates, "source": source},
    )
    return Recorded(created=created, duplicates=duplicates)


def events_of(scope: Scope, contact_id: int, limit: int = 200) -> list[ContactEvent]:
    """A contact's events (inside the scope), newest first."""
    contact = get_contact_in(scope, contact_id)
    return list(
        ContactEvent.objects.for_org(scope.organization)
        .filter(contact=contact)
        .select_related("unit")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def transactions_in(scope: Scope, until: datetime | None = None) -> list[tuple[int, datetime, float]]:
    """(contact id, time, amount) of every purchase of the scope's contacts up to ``until``."""
    qs = ContactEvent.objects.for_org(scope.organization).filter(
        type__in=PURCHASE_TYPES, contact__merged_into__isnull=True
    )
    if scope.unit_ids is not None:
        qs = qs.filter(contact__unit_id__in=scope.unit_ids)
    if until is not None:
        qs = qs.filter(occurred_at__lte=until)
    return [(c, t, float(a or 0)) for c, t, a in qs.values_list("contact_id", "occurred_at", "amount")]


def last_event_types(organization, contact_ids) -> dict[int, str]:
    """The type of each contact's latest event."""
    out: dict[int, str] = {}
    rows = (
        ContactEvent.objects.for_org(organization)
        .filter(contact_id__in=list(contact_ids))
        .order_by("contact_id", "-occurred_at", "-pk")
        .values_list("contact_id", "type")
    )
    for contact_id, kind in rows:
        out.setdefault(contact_id, kind)
    return out
