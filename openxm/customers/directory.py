"""The contact directory: finding contacts inside a scope, and creating and changing them.

Included: :func:`contacts` (the contacts a scope may read: its organization, not merged away,
and for a unit-limited scope those of its units), :func:`search` (filters plus keyset paging on
the id, so page 1,000 of a million costs what page 1 does), :func:`get_contact_in`,
:func:`create_contact` and :func:`update_contact` (typed attributes, identifiers, consent,
preferences, the unit — inside the actor's scope — audited), :func:`clean_attributes`.

Excluded: how a contact is shown (redaction of personal fields happens at the one door,
``openxm.surveys.door.contact_view``, which ``openxm.profiles`` calls), merges
(:mod:`.merging`), events (:mod:`.events`), file imports (:mod:`.importing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope, unit_tree

from . import identifiers
from .models import AttributeDefinition, Consent, Contact
from .services import lookup_keys, refresh_keys

MAX_PAGE = 500
# For forms of other apps, which may not import this app's models.
KIND_CHOICES = Contact.Kind.choices
CONSENT_CHOICES = Consent.choices
CHANNELS = ("email", "sms", "wechat", "phone", "post")


def contacts(scope: Scope) -> QuerySet:
    """Every contact the scope may read (merged-away contacts excluded)."""
    qs = Contact.objects.for_org(scope.organization).filter(merged_into__isnull=True)
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    return qs


def get_contact_in(scope: Scope, contact_id: int, include_merged: bool = False) -> Contact:
    """The contact with this id inside the scope; NotFound otherwise (also for another unit's)."""
    qs = Contact.objects.for_org(scope.organization)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    try:
        contact_id = int(contact_id)
    except (TypeError, ValueError):
        raise NotFound("contact", contact_id) from None
    contact = qs.select_related("unit").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("contact", contact_id)
    return contact


def lock_contact(scope: Scope, contact_id: int) -> Contact:
    """:func:`get_contact_in`, with the contact's row locked until the caller's transaction ends,
    so two requests acting on one contact (a double click) take turns. (On SQLite the
    transactions are IMMEDIATE: they take turns anyway.)"""
    contact = get_contact_in(scope, contact_id)
    # Only the contact's row: PostgreSQL cannot lock the nullable side of the unit's outer join.
    rows = Contact.objects.for_org(scope.organization).select_for_update(of=("self",))
    return rows.select_related("unit").get(pk=contact.pk)


def ids_by_external_id(scope: Scope, external_ids) -> dict[str, int]:
    """Contact ids by external id, for those inside the scope."""
    return dict(contacts(scope).filter(external_id__in=list(external_ids)).values_list("external_id", "pk"))


@dataclass(frozen=True)
class Filters:
    q: str = ""  # an e-mail, a phone number, an external id or WeChat id (exact), or a name prefix
    kind: str = ""
    unit: str = ""  # a unit code: that unit and the units below it
    consent: str = ""
    attribute: str = ""  # with value: contacts whose attribute equals value
    value: str = ""
    contactable: bool | None = None  # True: only those who may be asked for feedback; False: the others


# Who may be asked for feedback, in SQL: what consent.may_contact says for the surveys purpose
# without a channel (Contact.consent mirrors the newest surveys consent record).
CONTACTABLE = Q(unsubscribed_at__isnull=True) & ~Q(consent=Consent.WITHDRAWN)


def search(
    scope: Scope, filters: Filters, after: int = 0, limit: int = 50
) -> tuple[list[Contact], int | None]:
    """A page of contacts in id order after ``after``, and the cursor of the next page (None at
    the end). A search term matches normalised identifiers exactly (indexed) or a name prefix."""
    limit = max(1, min(int(limit), MAX_PAGE))
    qs = contacts(scope)
    if filters.unit:
        qs = qs.filter(unit_id__in=scope.units(filters.unit))
    if filters.kind:
        if filters.kind not in Contact.Kind.values:
            raise InvalidInput("kind", _("must be customer or employee"))
        qs = qs.filter(kind=filters.kind)
    if filters.consent:
        if filters.consent not in Consent.values:
            raise InvalidInput("consent", _("must be unknown, granted or withdrawn"))
        qs = qs.filter(consent=filters.consent)
    if filters.contactable is not None:
        qs = qs.filter(CONTACTABLE) if filters.contactable else qs.exclude(CONTACTABLE)
    if filters.attribute:
        qs = qs.filter(**{f"attributes__{filters.attribute}": _json_value(filters.value)})
    term = (filters.q or "").strip()
    if term:
        qs = qs.filter(pk__in=_matching_ids(scope, term))
    rows = list(qs.filter(pk__gt=int(after or 0)).select_related("unit").order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


def _json_value(value: str):
    """A filter value as JSON compares it: numbers as numbers, else the text."""
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _matching_ids(scope: Scope, term: str) -> QuerySet:
    """Ids of contacts whose identifiers equal the term, or whose name starts with it (case
    sensitive; not for terms that read as an e-mail or phone number). Each arm is an indexed
    lookup on both databases; e-mail and phone through their blind indexes (they are encrypted,
    so only an exact match finds them)."""
    base = Contact.objects.for_org(scope.organization)
    arms = []
    phone = identifiers.phone_key(term)
    if "@" in term:
        arms.append(base.filter(email_key__in=lookup_keys("email", term)))
    elif phone:
        arms.append(base.filter(phone_key__in=lookup_keys("phone", term)))
    else:
        # A name prefix as a range on the (organization, name) index: LIKE 'x%' cannot use it on
        # SQLite (LIKE ignores case there) and needs a pattern index on PostgreSQL.
        arms.append(base.filter(name__gte=term, name__lt=term + "\U0010ffff"))
    arms.append(base.filter(external_key=identifiers.external_key(term)))
    arms.append(base.filter(wechat_openid=term))
    arms.append(base.filter(wechat_unionid=term))
    ids = set()
    for arm in arms:
        ids.update(arm.values_list("pk", flat=True)[:MAX_PAGE])
    return ids


# ---------------------------------------------------------------------------- typed attributes


def definitions(organization) -> dict[str, AttributeDefinition]:
    return {d.name: d for d in AttributeDefinition.objects.for_org(organization)}


def _typed(definition: AttributeDefinition | None, name: str, value):
    if value is None or definition is None or definition.type == AttributeDefinition.Type.TEXT:
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
    field = f"attributes.{name}"
    if definition.type == AttributeDefinition.Type.NUMBER:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            raise InvalidInput(field, _("must be a number")) from None
        return int(number) if number.is_integer() else number
    if definition.type == AttributeDefinition.Type.DATE:
        try:
            return date.fromisoformat(str(value).strip()[:10]).isoformat()
        except ValueError:
            raise InvalidInput(field, _("must be a date (YYYY-MM-DD)")) from None
    text = str(value).strip()
    if text not in (definition.choices or []):
        raise InvalidInput(
            field, _("must be one of: %(choices)s") % {"choices": ", ".join(map(str, definition.choices))}
        )
    return text


def clean_attributes(organization, attributes: dict | None, known=None) -> dict:
    """Attribute values checked and converted by their definitions (undefined ones are text)."""
    if not attributes:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidInput("attributes", _("must be an object of name: value"))
    known = definitions(organization) if known is None else known
    out = {}
    for name, value in attributes.items():
        name = str(name).strip()
        if not name or len(name) > 64:
            raise InvalidInput("attributes", _("names must be 1-64 characters"))
        out[name] = _typed(known.get(name), name, value)
    return out


@transaction.atomic
def define_attribute(
    actor: Actor, name: str, type: str = "text", choices=None, personal: bool | None = None, label: str = ""
) -> AttributeDefinition:
    """Create or change an attribute definition (``org.manage``); audited as
    ``contact.attribute_defined``. ``personal`` None keeps the current flag."""
    actor.require(Perm.ORG_MANAGE)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("name", _("must be 1-64 characters"))
    if type not in AttributeDefinition.Type.values:
        raise InvalidInput("type", _("must be text, number, date or choice"))
    choices = [str(c).strip() for c in (choices or []) if str(c).strip()]
    if type == AttributeDefinition.Type.CHOICE and not choices:
        raise InvalidInput("choices", _("a choice attribute needs at least one choice"))
    defaults = {
        "organization": actor.organization,
        "type": type,
        "choices": choices,
        "label": label,
        "updated_at": timezone.now(),
    }
    if personal is not None:
        defaults["personal"] = bool(personal)
    definition, _created = AttributeDefinition.objects.for_org(actor.organization).update_or_create(
        name=name, defaults=defaults
    )
    audit.record(
        actor,
        "contact.attribute_defined",
        target_type="attribute",
        target_id=name,
        data={"type": type, "choices": choices, "personal": definition.personal},
    )
    return definition


# ---------------------------------------------------------------------------- writes

TEXT_FIELDS = {"name": 200, "language": 10, "wechat_openid": 64, "wechat_unionid": 64}


def _clean_fields(actor: Actor, data: dict) -> dict:
    """The contact fields in ``data`` checked (only the keys present)."""
    out = {}
    for name, size in TEXT_FIELDS.items():
        if name in data:
            value = (data[name] or "").strip()
            if len(value) > size:
                raise InvalidInput(name, _("must be at most %(n)d characters") % {"n": size})
            out[name] = value
    if "email" in data:
        email = (data["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise InvalidInput("email", _("is not a valid e-mail address")) from None
        out["email"] = email
    if "phone" in data:
        phone = (data["phone"] or "").strip()
        if phone and not identifiers.phone_key(phone):
            raise InvalidInput("phone", _("is not a phone number"))
        out["phone"] = phone[:32]
    if "kind" in data:
        if data["kind"] not in Contact.Kind.values:
            raise InvalidInput("kind", _("must be customer or employee"))
        out["kind"] = data["kind"]
    if "consent" in data:
        if data["consent"] not in Consent.values:
            raise InvalidInput("consent", _("must be unknown, granted or withdrawn"))
        out["consent"] = data["consent"]
    if "preferences" in data:
        prefs = data["preferences"] or {}
        if not isinstance(prefs, dict) or any(
            k not in CHANNELS or not isinstance(v, bool) for k, v in prefs.items()
        ):
            raise InvalidInput(
                "preferences",
                _("must map channels (%(channels)s) to true or false") % {"channels": ", ".join(CHANNELS)},
            )
        out["preferences"] = prefs
    if "unit" in data:
        code = (data["unit"] or "").strip()
        if code:
            actor.scope.units(code)  # NotFound for a unit outside the actor's scope
            out["unit_id"] = _unit_id(actor, code)
        elif actor.scope.limited:
            raise InvalidInput("unit", _("a member limited to a unit must give a unit inside it"))
        else:
            out["unit_id"] = None
    return out


def _unit_id(actor: Actor, code: str) -> int:
    return next(pk for pk, c, _p in unit_tree(actor.organization) if c == code or str(pk) == code)


@transaction.atomic
def create_contact(actor: Actor, data: dict) -> Contact:
    """A new contact (``responses.write``): ``external_id`` required and unique in the
    organization; a unit-limited actor must place it in a unit of their scope. Audited."""
    actor.require(Perm.RESPONSES_WRITE)
    external_id = (data.get("external_id") or "").strip()
    if not external_id or len(external_id) > 128:
        raise InvalidInput("external_id", _("must be 1-128 characters"))
    fields = _clean_fields(actor, data)
    if actor.scope.limited and "unit_id" not in fields:
        raise InvalidInput("unit", _("a member limited to a unit must give a unit inside it"))
    scoped = Contact.objects.for_org(actor.organization)
    if scoped.filter(external_id=external_id).exists():
        raise InvalidInput("external_id", _("a contact with this id exists already"))
    attributes = clean_attributes(actor.organization, data.get("attributes"))
    consent_at = timezone.now() if fields.get("consent", "unknown") != "unknown" else None
    contact = Contact(
        organization=actor.organization,
        external_id=external_id,
        attributes=attributes,
        consent_at=consent_at,
        **fields,
    )
    refresh_keys(contact)
    contact.save()
    audit.record(actor, "contact.created", target_type="contact", target_id=contact.pk)
    return contact


@transaction.atomic
def update_contact(actor: Actor, contact_id: int, data: dict) -> Contact:
    """Change the given fields of a contact inside the actor's scope (``responses.write``).
    Attributes are merged (a name given as null is removed). Audited with the changed names."""
    actor.require(Perm.RESPONSES_WRITE)
    contact = get_contact_in(actor.scope, contact_id)
    contact = Contact.objects.for_org(actor.organization).select_for_update().get(pk=contact.pk)
    fields = _clean_fields(actor, data)
    changed = {k for k, v in fields.items() if getattr(contact, k) != v}
    for name in changed:
        setattr(contact, name, fields[name])
    if "consent" in changed:
        contact.consent_at = timezone.now()
        changed.add("consent_at")
    if data.get("attributes"):
        given = data["attributes"]
        cleaned = clean_attributes(actor.organization, {k: v for k, v in given.items() if v is not None})
        merged = {**contact.attributes, **cleaned}
        for name, value in given.items():
            if value is None:
                merged.pop(name, None)
        if merged != contact.attributes:
            contact.attributes = merged
            changed.add("attributes")
    if changed:
        changed |= refresh_keys(contact)
        contact.updated_at = timezone.now()
        contact.save(update_fields=sorted(changed | {"updated_at"}))
        audit.record(
            actor,
            "contact.updated",
            target_type="contact",
            target_id=contact.pk,
            data={"fields": sorted(changed - {"email_key", "phone_key", "external_key"})},
        )
    return contact
