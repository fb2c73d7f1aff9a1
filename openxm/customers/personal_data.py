"""The customers app's part of data-subject requests (``openxm.personal_data``).

Included: resolving a person from an e-mail, phone, WeChat id or contact id to a
:class:`~openxm.personal_data.Subject` (every contact that matches, and the contacts merged into
them), and the hook for contacts, their events (transactions, interactions) and the merge log.
Erasure deletes these rows; it runs last of all hooks (the customers app is leftmost), after
every other app has removed what points at the contacts. Excluded: attribute definitions
(names and types, nobody's values).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openxm.personal_data import Hook, RetentionType, Subject, exempt, register, register_retention, row

from . import identifiers
from .models import ConsentRecord, Contact, ContactEvent, ContactMerge
from .services import lookup_keys

CONTACT = "customers.Contact"
EVENT = "customers.ContactEvent"
MERGE = "customers.ContactMerge"
CONSENT = "customers.ConsentRecord"


def resolve(
    organization,
    *,
    email: str = "",
    phone: str = "",
    wechat: str = "",
    contact: str = "",
) -> Subject:
    """The subject known by any of the given identifiers in the organization.

    ``contact`` is the contact's id in openxm or its external id. Contacts merged into a matching
    contact are the same person and belong to the subject. The contacts' own e-mail, phone and
    WeChat ids are added to the subject's identifiers.
    """
    emails = {identifiers.email_key(email)} - {""}
    phones = {identifiers.phone_key(phone)} - {""}
    wechat_ids = {identifiers.openid_key(wechat)} - {""}
    q = Q(pk__in=[])
    if emails:
        q |= Q(email_key__in=lookup_keys("email", email))
    if phones:
        q |= Q(phone_key__in=lookup_keys("phone", phone))
    if wechat_ids:
        q |= Q(wechat_openid__in=wechat_ids) | Q(wechat_unionid__in=wechat_ids)
    contact = (contact or "").strip()
    if contact:
        q |= Q(external_key=identifiers.external_key(contact))
        if contact.isdigit():
            q |= Q(pk=int(contact))
    scoped = Contact.objects.for_org(organization)
    found = set(scoped.filter(q).values_list("pk", flat=True))
    # The merged-away contacts of every found one (merges may chain).
    while True:
        more = set(scoped.filter(merged_into_id__in=found).values_list("pk", flat=True)) - found
        if not more:
            break
        found |= more
    for c in scoped.filter(pk__in=found):
        emails |= {identifiers.email_key(c.email)} - {""}
        phones |= {identifiers.phone_key(c.phone)} - {""}
        wechat_ids |= {c.wechat_openid, c.wechat_unionid} - {""}
    return Subject(
        organization=organization,
        contact_ids=tuple(sorted(found)),
        emails=tuple(sorted(emails)),
        phones=tuple(sorted(phones)),
        wechat_ids=tuple(sorted(wechat_ids)),
    )


def _merges(subject: Subject):
    return ContactMerge.objects.for_org(subject.organization).filter(
        Q(survivor_id__in=subject.contact_ids) | Q(merged_id__in=subject.contact_ids)
    )


def find(subject: Subject, found: dict[str, list]) -> dict[str, list]:
    org = subject.organization
    return {
        CONTACT: list(
            Contact.objects.for_org(org).filter(pk__in=subject.contact_ids).values_list("pk", flat=True)
        ),
        EVENT: list(
            ContactEvent.objects.for_org(org)
            .filter(contact_id__in=subject.contact_ids)
            .values_list("pk", flat=True)
        ),
        MERGE: list(_merges(subject).values_list("pk", flat=True)),
        CONSENT: list(
            ConsentRecord.objects.for_org(org)
            .filter(contact_id__in=subject.contact_ids)
            .values_list("pk", flat=True)
        ),
    }


def export(subject: Subject, found: dict[str, list]) -> dict[str, list[dict]]:
    org = subject.organization
    return {
        CONTACT: [row(c) for c in Contact.objects.for_org(org).filter(pk__in=found[CONTACT]).order_by("pk")],
        EVENT: [
            row(e)
            for e in ContactEvent.objects.for_org(org).filter(pk__in=found[EVENT]).order_by("occurred_at")
        ],
        MERGE: [row(m) for m in ContactMerge.objects.for_org(org).filter(pk__in=found[MERGE]).order_by("pk")],
        CONSENT: [
            row(r)
            for r in ConsentRecord.objects.for_org(org).filter(pk__in=found[CONSENT]).order_by("recorded_at")
        ],
    }


def erase(actor, subject: Subject, found: dict[str, list], mode: str) -> dict[str, int]:
    """Delete the events, the merge log and the contacts (their consent log goes with them). A
    merge of another person into one of the subject's contacts goes too: its ``survivor_before``
    is the subject's old record."""
    org = subject.organization
    counts = {
        EVENT: ContactEvent.objects.for_org(org).filter(pk__in=found[EVENT]).delete()[1].get(EVENT, 0),
        MERGE: ContactMerge.objects.for_org(org).filter(pk__in=found[MERGE]).delete()[1].get(MERGE, 0),
    }
    contacts = Contact.objects.for_org(org).filter(pk__in=found[CONTACT])
    # Others merged into the subject's contacts stay (they are other people); unlink them first.
    Contact.objects.for_org(org).filter(merged_into_id__in=found[CONTACT]).exclude(
        pk__in=found[CONTACT]
    ).update(merged_into=None)
    counts[CONTACT] = contacts.delete()[1].get(CONTACT, 0)
    return counts


def due_events(org, before, survey_key: str) -> list:
    return list(ContactEvent.objects.for_org(org).filter(occurred_at__lt=before).values_list("pk", flat=True))


def remove_events(actor, ids: list) -> int:
    return ContactEvent.objects.for_org(actor.organization).filter(pk__in=ids).delete()[1].get(EVENT, 0)


def register_hook() -> None:
    register(
        Hook(
            app="customers",
            models=(CONTACT, EVENT, MERGE, CONSENT),
            find=find,
            export=export,
            erase=erase,
            derived=(CONSENT,),  # the contact's deletion takes its consent log (cascade)
        )
    )
    exempt(
        "customers.AttributeDefinition",
        "the organization's attribute names, types and choices; no contact's values",
    )
    exempt("customers.TierSetting", "the service a value tier gets (priority, targets, caps); no contact")
    register_retention(
        RetentionType(
            "contact_events",
            _("Transactions and interactions"),
            _("nothing (RFM and CLV are computed from what remains)"),
            False,
            due_events,
            remove_events,
        )
    )
