"""Differentiated service per value tier: the settings cases and distribution read.

A contact's tier is the RFM tier of the last value refresh (``Contact.value_tier``, written by
``openxm.profiles.value`` through :func:`store_tiers`). Each tier may have a
:class:`~openxm.customers.models.TierSetting`: the priority and the first-response and
resolution targets a case for one of its customers starts with, the recovery budget per case,
and how often distribution may invite them.

Included: :func:`tier_settings` (what a feature reads: the tier's settings or the defaults, for
any tier name including ""), :func:`service_for_contact`, :func:`contact_cap_days` (the one
distribution applies), :func:`tier_counts`, :func:`list_settings` / :func:`save_settings` /
:func:`reset_settings` (members read; ``org.manage`` to change, audited as
``tier.settings_saved`` / ``tier.settings_reset``) and :func:`store_tiers`.
Excluded: computing tiers (profiles) and acting on the settings (cases, distribution).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.accounts.scope import Scope
from openxm.analytics.rfm import TIER_NAMES

from .directory import contacts
from .models import Contact, TierSetting

PRIORITIES = tuple(TierSetting.Priority.values)
PRIORITY_CHOICES = TierSetting.Priority.choices
# The RFM tiers of openxm.analytics.rfm, as a reader sees them.
TIER_LABELS = {
    "champions": gettext_lazy("Champions"),
    "loyal": gettext_lazy("Loyal"),
    "big_spenders": gettext_lazy("Big spenders"),
    "new": gettext_lazy("New customers"),
    "promising": gettext_lazy("Promising"),
    "at_risk": gettext_lazy("At risk"),
    "hibernating": gettext_lazy("Hibernating"),
    "others": gettext_lazy("Others"),
}
MAX_HOURS = 24 * 365
MAX_CAP_DAYS = 365


@dataclass(frozen=True)
class TierService:
    """The service of one tier. ``None`` targets: none set; ``contact_cap_days`` None: the
    organization's policy applies; 0: no cap for the tier."""

    tier: str
    case_priority: str = TierSetting.Priority.NORMAL
    first_response_hours: int | None = None
    resolution_hours: int | None = None
    recovery_budget: Decimal | None = None
    contact_cap_days: int | None = None
    configured: bool = False

    def as_dict(self) -> dict:
        out = asdict(self)
        out["recovery_budget"] = float(self.recovery_budget) if self.recovery_budget is not None else None
        return out


def tier_label(tier: str) -> str:
    """A tier's name in the reader's language (the tier itself when unknown)."""
    return str(TIER_LABELS.get(tier, tier))


def defaults(tier: str) -> TierService:
    """What a tier without settings gets: normal priority, no targets, no budget, the
    organization's contact cap."""
    return TierService(tier=tier)


def _service(row: TierSetting) -> TierService:
    return TierService(
        tier=row.tier,
        case_priority=row.case_priority,
        first_response_hours=row.first_response_hours,
        resolution_hours=row.resolution_hours,
        recovery_budget=row.recovery_budget,
        contact_cap_days=row.contact_cap_days,
        configured=True,
    )


def tier_settings(organization, tier: str) -> TierService:
    """The service of ``tier`` in the organization (the defaults when none is set)."""
    row = TierSetting.objects.for_org(organization).filter(tier=tier or "").first()
    return _service(row) if row else defaults(tier or "")


def target_hours(organization) -> dict[str, dict]:
    """The tiers that set a first-response or resolution target: tier → both hours (None: unset).
    What cases' SLA clocks read for differentiated service."""
    rows = TierSetting.objects.for_org(organization).exclude(first_response_hours=None, resolution_hours=None)
    fields = ("first_response_hours", "resolution_hours")
    return {row.pop("tier"): row for row in rows.values("tier", *fields)}


def service_for_contact(organization, contact_id: int) -> TierService:
    """The service of the contact's current tier (the defaults for an unknown contact)."""
    rows = Contact.objects.for_org(organization).filter(pk=contact_id)
    tier = rows.values_list("value_tier", flat=True).first()
    return tier_settings(organization, tier or "")


def contact_cap_days(organization, contact: Contact, policy_days: int) -> int:
    """Days between two invitations of this contact: the tier's cap when set, else the policy's."""
    if contact.value_tier:
        cap = (
            TierSetting.objects.for_org(organization)
            .filter(tier=contact.value_tier)
            .values_list("contact_cap_days", flat=True)
            .first()
        )
        if cap is not None:
            return cap
    return policy_days


def tier_counts(scope: Scope) -> dict[str, int]:
    """Contacts per current tier inside the scope ("" for those without one)."""
    rows = contacts(scope).values("value_tier").annotate(n=Count("pk")).order_by()
    return {row["value_tier"]: row["n"] for row in rows}


def list_settings(actor: Actor) -> list[TierService]:
    """Every RFM tier's service, in the order of the tiers (``responses.view``)."""
    actor.require(Perm.RESPONSES_VIEW)
    rows = {r.tier: r for r in TierSetting.objects.for_org(actor.organization)}
    return [_service(rows[t]) if t in rows else defaults(t) for t in TIER_NAMES]


def _hours(data: dict, name: str) -> int | None:
    return _whole(data, name, MAX_HOURS, _("must be a whole number of hours, 1-%(max)s"), minimum=1)


def _whole(data: dict, name: str, maximum: int, message: str, minimum: int = 0) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(name, message % {"max": maximum}) from None
    if not minimum <= number <= maximum:
        raise InvalidInput(name, message % {"max": maximum})
    return number


def _budget(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput("recovery_budget", _("must be an amount like 200 or 49.90")) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput("recovery_budget", _("must be an amount like 200 or 49.90"))
    return amount.quantize(Decimal("0.01"))


def _check_tier(tier: str) -> None:
    if tier not in TIER_NAMES:
        raise InvalidInput("tier", _("must be one of: %(tiers)s") % {"tiers": ", ".join(TIER_NAMES)})


@transaction.atomic
def save_settings(actor: Actor, tier: str, data: dict) -> TierService:
    """Set the service of an RFM tier (``org.manage``): ``case_priority``,
    ``first_response_hours``, ``resolution_hours``, ``recovery_budget``, ``contact_cap_days``
    (empty values clear a target). Checked whole before anything is stored."""
    actor.require(Perm.ORG_MANAGE)
    _check_tier(tier)
    priority = (data.get("case_priority") or TierSetting.Priority.NORMAL).strip()
    if priority not in PRIORITIES:
        raise InvalidInput("case_priority", _("must be one of: %(p)s") % {"p": ", ".join(PRIORITIES)})
    first = _hours(data, "first_response_hours")
    resolution = _hours(data, "resolution_hours")
    if first is not None and resolution is not None and resolution < first:
        raise InvalidInput("resolution_hours", _("must not be shorter than the first-response target"))
    values = {
        "case_priority": priority,
        "first_response_hours": first,
        "resolution_hours": resolution,
        "recovery_budget": _budget(data.get("recovery_budget")),
        "contact_cap_days": _whole(
            data, "contact_cap_days", MAX_CAP_DAYS, _("must be a whole number of days, 0-%(max)s")
        ),
    }
    row, _created = TierSetting.objects.for_org(actor.organization).update_or_create(
        tier=tier,
        defaults={
            "organization": actor.organization,
            **values,
            "updated_by": actor.label,
            "updated_at": timezone.now(),
        },
    )
    service = _service(row)
    audit.record(actor, "tier.settings_saved", target_type="tier", target_id=tier, data=service.as_dict())
    return service


@transaction.atomic
def reset_settings(actor: Actor, tier: str) -> TierService:
    """Back to the defaults for ``tier`` (``org.manage``); audited as ``tier.settings_reset``."""
    actor.require(Perm.ORG_MANAGE)
    _check_tier(tier)
    TierSetting.objects.for_org(actor.organization).filter(tier=tier).delete()
    audit.record(actor, "tier.settings_reset", target_type="tier", target_id=tier)
    return defaults(tier)


def store_tiers(organization, tiers: dict[int, str]) -> None:
    """Set every contact's tier from a value refresh: those in ``tiers`` get theirs, every other
    contact of the organization none (they have no purchase any more)."""
    contacts = Contact.objects.for_org(organization)
    by_tier: dict[str, list[int]] = {}
    for contact_id, tier in tiers.items():
        by_tier.setdefault(tier, []).append(contact_id)
    had = set(contacts.exclude(value_tier="").values_list("pk", flat=True))
    by_tier[""] = sorted(had - set(tiers))
    for tier, ids in by_tier.items():
        for start in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
            contacts.filter(pk__in=ids[start : start + 900]).exclude(value_tier=tier).update(value_tier=tier)
