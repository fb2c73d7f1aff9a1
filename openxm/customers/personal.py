"""Which contact fields and attributes are personal data, per organization.

The contact's name, e-mail and phone are always personal. Attributes are personal when the
organization marks them so (:class:`~openxm.customers.models.AttributeDefinition`), or, without
a definition, when their name is one of :data:`PERSONAL_BY_DEFAULT`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm

from .models import AttributeDefinition

PERSONAL_FIELDS = frozenset({"name", "email", "phone"})
PERSONAL_BY_DEFAULT = frozenset(
    {
        "first_name",
        "last_name",
        "full_name",
        "name",
        "nickname",
        "email",
        "phone",
        "mobile",
        "wechat_openid",
        "wechat_unionid",
        "openid",
        "unionid",
        "address",
        "id_number",
        "birthday",
        "date_of_birth",
    }
)


def personal_attributes(organization, names) -> frozenset[str]:
    """The personal ones among attribute ``names`` of the organization."""
    names = set(names)
    if not names:
        return frozenset()
    defined = dict(
        AttributeDefinition.objects.for_org(organization)
        .filter(name__in=names)
        .values_list("name", "personal")
    )
    return frozenset(n for n in names if defined.get(n, n.lower() in PERSONAL_BY_DEFAULT))


@transaction.atomic
def mark_attribute(actor: Actor, name: str, personal: bool) -> AttributeDefinition:
    """Mark a contact attribute as personal data or not. It changes what every role sees, so it
    needs ``org.manage``. Audited as ``contact.attribute_marked``."""
    actor.require(Perm.ORG_MANAGE)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("name", _("must be 1-64 characters"))
    definition, _created = AttributeDefinition.objects.for_org(actor.organization).update_or_create(
        name=name,
        defaults={
            "organization": actor.organization,
            "personal": bool(personal),
            "updated_at": timezone.now(),
        },
    )
    audit.record(
        actor,
        "contact.attribute_marked",
        target_type="attribute",
        target_id=name,
        data={"personal": personal},
    )
    return definition
