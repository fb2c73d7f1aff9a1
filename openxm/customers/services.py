"""Contact actions shared by the web, the API, the CLI and the collection paths."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from openxm import crypto
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization
from openxm.bulk import columns_of, insert_new

from . import identifiers
from .models import Contact

CONTACT_FIELDS = ("name", "email", "phone", "language", "kind")


def _clean(fields: dict) -> dict:
    clean = {k: (fields.get(k) or "").strip() for k in CONTACT_FIELDS if fields.get(k) is not None}
    if clean.get("email"):
        try:
            validate_email(clean["email"])
        except ValidationError:
            raise InvalidInput("contact.email", _("is not a valid e-mail address")) from None
    if clean.get("kind") and clean["kind"] not in Contact.Kind.values:
        raise InvalidInput("contact.kind", _("must be customer or employee"))
    return clean


def clean_contact_ref(external_id: str, fields: dict) -> tuple[str, dict]:
    """The external id and fields of a contact as given by a collection path, checked."""
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 128:
        raise InvalidInput("contact.id", _("must be 1-128 characters"))
    return external_id, _clean(fields)


# Identifier field -> the key column lookups and de-duplication match on.
KEY_FIELDS = {"email": "email_key", "phone": "phone_key", "external_id": "external_key"}
# Identifiers stored encrypted: their key column holds a blind index, not the normalised value.
BLIND = frozenset({"email", "phone"})


def stored_key(kind: str, value: str | None) -> str:
    """What the key column of identifier ``kind`` holds for ``value``: the normalised value, or
    for e-mail and phone its blind index under the first encryption key ("" for none)."""
    normal = identifiers.NORMALISERS[kind](value)
    return crypto.blind_index(normal) if kind in BLIND else normal


def lookup_keys(kind: str, value: str | None) -> list[str]:
    """The key-column values that mean ``value``: ``column__in`` them. For e-mail and phone one
    blind index per encryption key, so rows indexed before a rotation are still found."""
    normal = identifiers.NORMALISERS[kind](value)
    if not normal:
        return []
    return crypto.blind_indexes(normal) if kind in BLIND else [normal]


def refresh_keys(contact: Contact) -> set[str]:
    """Recompute the identifier key columns from the fields; the names that changed."""
    changed = set()
    for source, key in KEY_FIELDS.items():
        value = stored_key(source, getattr(contact, source))
        if getattr(contact, key) != value:
            setattr(contact, key, value)
            changed.add(key)
    return changed


def _apply(contact: Contact, clean: dict, attributes: dict | None) -> set[str]:
    """Set the given fields and merge the attributes (None removes a key); the changed names."""
    changed = {k for k, v in clean.items() if getattr(contact, k) != v}
    for key in changed:
        setattr(contact, key, clean[key])
    if attributes:
        merged = {**contact.attributes, **attributes}
        merged = {k: v for k, v in merged.items() if v is not None}
        if merged != contact.attributes:
            contact.attributes = merged
            changed.add("attributes")
    if changed:
        changed |= refresh_keys(contact)
    return changed


@transaction.atomic
def upsert_contacts(org: Organization, refs: list[tuple[str, dict, dict | None]]) -> dict[str, Contact]:
    """Many contacts at once, as ``upsert_contact`` does each: ``refs`` are (external id,
    fields, attributes), applied in order (a later ref of the same contact wins). One query reads
    the known ones, one insert adds the new ones; only contacts that change are saved."""
    cleaned = [(*clean_contact_ref(eid, fields), attributes) for eid, fields, attributes in refs]
    scoped = Contact.objects.for_org(org)
    ids = list(dict.fromkeys(eid for eid, _clean_fields, _attrs in cleaned))
    known = {c.external_id: c for c in scoped.filter(external_id__in=ids)}
    first = {}
    for eid, clean, _attrs in cleaned:
        if eid not in known and eid not in first:
            first[eid] = Contact(organization=org, external_id=eid, **clean, attributes={})
            refresh_keys(first[eid])
    if first:
        # A concurrent request may add one of them first: keep its row, then apply ours to it.
        columns = columns_of(Contact)
        created = insert_new(
            Contact,
            columns,
            [tuple(getattr(c, name) for name in columns) for c in first.values()],
            "external_id",
        )
        for eid, contact in first.items():
            if eid in created:
                contact.pk = created[eid]
                contact._state.adding = False
                known[eid] = contact
        if len(created) < len(first):
            missing = [eid for eid in first if eid not in created]
            known.update((c.external_id, c) for c in scoped.filter(external_id__in=missing))
    changed: dict[str, set[str]] = {}
    for eid, clean, attributes in cleaned:
        changed.setdefault(eid, set()).update(_apply(known[eid], clean, attributes))
    for eid, names in changed.items():
        if names:
            known[eid].save(update_fields=sorted(names))
    return known


@transaction.atomic
def upsert_contact(
    org: Organization, external_id: str, fields: dict, attributes: dict | None = None
) -> Contact:
    """The contact with this external id, created or updated with the given fields.

    Attributes are merged (a key given as None is removed). Used by collection paths that
    learn about a contact from an event or an import, so it takes the organization, not an actor.
    """
    external_id, clean = clean_contact_ref(external_id, fields)
    contact, created = Contact.objects.for_org(org).get_or_create(
        external_id=external_id, defaults={"organization": org, **clean, "attributes": {}}
    )
    changed = _apply(contact, {} if created else clean, attributes)
    if created:
        changed |= refresh_keys(contact)
    if changed:
        contact.save(update_fields=sorted(changed))
    return contact


def get_contact(org: Organization, external_id: str) -> Contact | None:
    return Contact.objects.for_org(org).filter(external_id=external_id).first()


def count_contacts(actor: Actor) -> int:
    """Contacts the actor may see: all of them, or those of their unit and the units below it."""
    contacts = Contact.objects.for_org(actor.organization)
    if actor.scope.limited:
        contacts = contacts.filter(unit_id__in=actor.scope.unit_ids)
    return contacts.count()
