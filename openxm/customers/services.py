"""Contact actions shared by the web, the API, the CLI and the collection paths."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.models import Organization

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


@transaction.atomic
def upsert_contact(
    org: Organization, external_id: str, fields: dict, attributes: dict | None = None
) -> Contact:
    """The contact with this external id, created or updated with the given fields.

    Attributes are merged (a key given as None is removed). Used by collection paths that
    learn about a contact from an event or an import, so it takes the organization, not an actor.
    """
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 128:
        raise InvalidInput("contact.id", _("must be 1-128 characters"))
    clean = _clean(fields)
    contact, created = Contact.objects.for_org(org).get_or_create(
        external_id=external_id, defaults={"organization": org, **clean, "attributes": {}}
    )
    changed = [] if created else [k for k, v in clean.items() if getattr(contact, k) != v]
    for key in changed:
        setattr(contact, key, clean[key])
    if attributes:
        merged = {**contact.attributes, **attributes}
        contact.attributes = {k: v for k, v in merged.items() if v is not None}
        changed.append("attributes")
    if changed:
        contact.save(update_fields=changed)
    return contact


def get_contact(org: Organization, external_id: str) -> Contact | None:
    return Contact.objects.for_org(org).filter(external_id=external_id).first()


def count_contacts(actor: Actor) -> int:
    return Contact.objects.for_org(actor.organization).count()
