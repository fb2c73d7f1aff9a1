"""Account actions: the one place that changes organizations, members, units and API keys.

Views, API routes and CLI commands validate their input, build an :class:`Actor` and call one
function here. Each function checks the actor's permission, owns its transaction and writes
the audit entry. Bootstrap functions for the machine operator (``bootstrap_*``) take no actor:
they are reachable only from the ``openxm`` command on the server itself.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.utils.ttl import TTLCache

from . import audit
from .actors import Actor
from .errors import InvalidInput, NotFound
from .models import ApiKey, AuditEvent, Membership, Organization, Unit, User
from .roles import Perm, Role, can_grant

API_KEY_PREFIX = "oxm"
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")


def _role(value: str, field: str = "role") -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(field, _("must be one of %(choices)s") % {"choices": choices}) from None


# --- Organizations and users ----------------------------------------------------------------


def get_organization(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise NotFound("organization", slug) from None


def organizations(pk: int | None = None) -> list[Organization]:
    """Every organization (or the one with id ``pk``): for system work that visits each tenant."""
    qs = Organization.objects.order_by("pk")
    return list(qs if pk is None else qs.filter(pk=pk))


def bootstrap_organization(slug: str, name: str) -> Organization:
    if not _SLUG_RE.match(slug or ""):
        raise InvalidInput("slug", _("use 3-50 lowercase letters, digits and hyphens"))
    if not (name or "").strip():
        raise InvalidInput("name", _("must not be empty"))
    org, _created = Organization.objects.get_or_create(slug=slug, defaults={"name": name.strip()})
    return org


def bootstrap_user(email: str, password: str | None, name: str = "") -> User:
    """Create a user (or return the existing one with that e-mail, password unchanged)."""
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("email", _("is not a valid e-mail address")) from None
    existing = User.objects.filter(email=email.lower()).first()
    if existing is not None:
        return existing
    if password is not None:
        try:
            validate_password(password, User(email=email, name=name))
        except ValidationError as exc:
            raise InvalidInput("password", " ".join(exc.messages)) from None
    return User.objects.create_user(email, password, name=name)


@transaction.atomic
def bootstrap_admin(org_slug: str, org_name: str, email: str, password: str, name: str = "") -> Membership:
    """What `openxm createadmin` does: an organization (created if new) with an owner."""
    org = bootstrap_organization(org_slug, org_name)
    user = bootstrap_user(email, password, name)
    membership, created = Membership.objects.for_org(org).get_or_create(
        user=user, defaults={"role": Role.OWNER.value, "organization": org}
    )
    if not created and membership.role != Role.OWNER.value:
        membership.role = Role.OWNER.value
        membership.save(update_fields=["role"])
    operator = operator_actor(org)
    audit.record(operator, "member.added", target_type="user", target_id=user.pk, data={"role": "owner"})
    return membership


def operator_actor(org: Organization) -> Actor:
    """The machine operator at the server's shell: owner rights, recorded as via=cli."""
    return Actor(organization=org, role=Role.OWNER, via="cli")


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.unscoped.filter(user=user).select_related("organization").order_by("organization__name")
    )


def membership_in(user: User, org: Organization) -> Membership | None:
    return Membership.objects.for_org(org).filter(user=user).first()


def member_unit(org: Organization, user_id: int) -> int | None:
    """The unit a member's access is limited to (None: the whole organization, or no member)."""
    return Membership.objects.for_org(org).filter(user_id=user_id).values_list("unit_id", flat=True).first()


def member_actors(org: Organization, emails, via: str = "task") -> dict[str, Actor]:
    """Members of ``org`` among these e-mail addresses (every member when ``emails`` is None),
    as actors (e-mail → actor); addresses of non-members are left out."""
    rows = Membership.objects.for_org(org).select_related("user")
    if emails is not None:
        wanted = {e.strip().lower() for e in emails if e and e.strip()}
        rows = rows.filter(user__email__in=wanted)
    return {m.user.email: Actor(org, Role(m.role), via, user=m.user, unit_id=m.unit_id) for m in rows}


def actor_for_user(user: User, org: Organization, via: str, ip_address: str | None = None) -> Actor:
    membership = membership_in(user, org)
    if membership is None:
        raise NotFound("organization", org.slug)
    return Actor(
        organization=org,
        role=Role(membership.role),
        via=via,
        user=user,
        ip_address=ip_address,
        unit_id=membership.unit_id,
    )


def _grantable_unit(actor: Actor, code: str | None, field: str = "unit") -> Unit | None:
    """The unit a member or key is to be limited to (None: the whole organization).

    An actor limited to a unit can grant only units inside their own scope, never the whole
    organization, so a store manager with members.manage cannot widen anyone's view."""
    code = (code or "").strip()
    if not code:
        if actor.scope.limited:
            raise InvalidInput(field, _("you can only grant units inside your own unit"))
        return None
    unit = Unit.objects.for_org(actor.organization).filter(code=code).first()
    if unit is None:
        raise InvalidInput(field, _("no unit with code %(code)s") % {"code": code})
    if not actor.scope.allows_unit(unit.pk):
        raise InvalidInput(field, _("you can only grant units inside your own unit"))
    return unit


def _check_within(actor: Actor, unit_id: int | None, field: str = "unit") -> None:
    """A limited actor may not change a member or key whose scope reaches outside their own."""
    if actor.scope.limited and not actor.scope.allows_unit(unit_id):
        raise InvalidInput(field, _("you can only manage members and keys inside your own unit"))


# --- Members --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    id: int
    email: str
    name: str
    role: str
    joined: str
    unit: str = ""  # the unit code the member is limited to; "" for the whole organization


def list_members(actor: Actor) -> list[MemberRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    rows = Membership.objects.for_org(actor.organization).select_related("user", "unit")
    return [
        MemberRow(
            m.id,
            m.user.email,
            m.user.name,
            m.role,
            m.created_at.date().isoformat(),
            m.unit.code if m.unit else "",
        )
        for m in rows
    ]


@transaction.atomic
def add_member(
    actor: Actor, email: str, role: str, name: str = "", password: str | None = None, unit: str | None = None
) -> Membership:
    actor.require(Perm.MEMBERS_MANAGE)
    new_role = _role(role)
    if not can_grant(actor.role, new_role):
        raise InvalidInput("role", _("you cannot grant a role above your own"))
    scope_unit = _grantable_unit(actor, unit)
    user = bootstrap_user(email, password, name)
    if membership_in(user, actor.organization) is not None:
        raise InvalidInput("email", _("is already a member of this organization"))
    membership = Membership.objects.for_org(actor.organization).create(
        organization=actor.organization, user=user, role=new_role.value, unit=scope_unit
    )
    audit.record(
        actor,
        "member.added",
        target_type="user",
        target_id=user.pk,
        data={"role": new_role.value, "unit": scope_unit.code if scope_unit else ""},
    )
    return membership


@transaction.atomic
def set_member(
    actor: Actor, email: str, role: str, unit: str | None = None, name: str = "", password: str | None = None
) -> Membership:
    """Make ``email`` a member with exactly ``role`` and ``unit`` (a unit code; empty for the
    whole organization): added when not yet a member, changed otherwise. Audited as
    ``member.added`` or ``member.role_changed``."""
    user = User.objects.filter(email=(email or "").strip().lower()).first()
    membership = membership_in(user, actor.organization) if user is not None else None
    if membership is None:
        return add_member(actor, email, role, name=name, password=password, unit=unit)
    return change_role(actor, membership.pk, role, unit=unit or "")


def _get_membership(actor: Actor, membership_id: int) -> Membership:
    membership = (
        Membership.objects.for_org(actor.organization).select_related("user").filter(pk=membership_id).first()
    )
    if membership is None:
        raise NotFound("member", membership_id)
    return membership


def _owner_count(org: Organization, unlimited: bool = False) -> int:
    """Owners of the organization (``unlimited``: only those not limited to a unit)."""
    owners = Membership.objects.for_org(org).filter(role=Role.OWNER.value)
    return owners.filter(unit__isnull=True).count() if unlimited else owners.count()


_KEEP = object()


@transaction.atomic
def change_role(actor: Actor, membership_id: int, role: str, unit=_KEEP) -> Membership:
    """Set a member's role and, when ``unit`` is given, the unit they are limited to (a code;
    "" or None for the whole organization). Audited with both sides of each change."""
    actor.require(Perm.MEMBERS_MANAGE)
    new_role = _role(role)
    membership = _get_membership(actor, membership_id)
    old_role = Role(membership.role)
    if not can_grant(actor.role, new_role) or not can_grant(actor.role, old_role):
        raise InvalidInput("role", _("you cannot change a role above your own"))
    _check_within(actor, membership.unit_id)
    old_unit = membership.unit.code if membership.unit else ""
    new_unit_obj = membership.unit if unit is _KEEP else _grantable_unit(actor, unit)
    stays_full_owner = new_role == Role.OWNER and new_unit_obj is None
    is_full_owner = old_role == Role.OWNER and membership.unit_id is None
    if is_full_owner and not stays_full_owner and _owner_count(actor.organization, unlimited=True) == 1:
        raise InvalidInput("role", _("the organization must keep at least one owner"))
    membership.role = new_role.value
    membership.unit = new_unit_obj
    membership.save(update_fields=["role", "unit"])
    new_unit = new_unit_obj.code if new_unit_obj else ""
    data = {"from": old_role.value, "to": new_role.value, "email": membership.user.email}
    if new_unit != old_unit:
        data.update({"unit_from": old_unit, "unit_to": new_unit})
    audit.record(actor, "member.role_changed", target_type="user", target_id=membership.user_id, data=data)
    return membership


@transaction.atomic
def remove_member(actor: Actor, membership_id: int) -> None:
    actor.require(Perm.MEMBERS_MANAGE)
    membership = _get_membership(actor, membership_id)
    if not can_grant(actor.role, Role(membership.role)):
        raise InvalidInput("role", _("you cannot remove a member above your own role"))
    _check_within(actor, membership.unit_id)
    if membership.role == Role.OWNER.value and _owner_count(actor.organization) == 1:
        raise InvalidInput("role", _("the organization must keep at least one owner"))
    membership.delete()
    audit.record(
        actor,
        "member.removed",
        target_type="user",
        target_id=membership.user_id,
        data={"email": membership.user.email, "role": membership.role},
    )


# --- API keys -------------------------------------------------------------------------------


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    plaintext: str  # shown once, never stored


@transaction.atomic
def create_api_key(actor: Actor, name: str, role: str, unit: str | None = None) -> NewApiKey:
    """A new key with ``role``, limited to ``unit`` (a code) and its descendants when given."""
    actor.require(Perm.APIKEYS_MANAGE)
    key_role = _role(role)
    if not can_grant(actor.role, key_role):
        raise InvalidInput("role", _("you cannot grant a role above your own"))
    scope_unit = _grantable_unit(actor, unit)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name", _("must not be empty"))
    if len(name) > 100:
        raise InvalidInput("name", _("must be at most 100 characters"))
    prefix = secrets.token_hex(6)
    plaintext = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.for_org(actor.organization).create(
        organization=actor.organization,
        name=name,
        role=key_role.value,
        prefix=prefix,
        key_hash=_hash_key(plaintext),
        created_by=actor.user,
        unit=scope_unit,
    )
    audit.record(
        actor,
        "apikey.created",
        target_type="apikey",
        target_id=key.pk,
        data={
            "name": name,
            "role": key_role.value,
            "prefix": prefix,
            "unit": scope_unit.code if scope_unit else "",
        },
    )
    return NewApiKey(key, plaintext)


def list_api_keys(actor: Actor) -> list[ApiKey]:
    """The organization's keys; an actor limited to a unit sees only keys inside it."""
    actor.require(Perm.APIKEYS_MANAGE)
    keys = ApiKey.objects.for_org(actor.organization).select_related("created_by", "unit")
    if actor.scope.limited:
        keys = keys.filter(unit_id__in=actor.scope.unit_ids)
    return list(keys)


@transaction.atomic
def revoke_api_key(actor: Actor, key_id: int) -> ApiKey:
    actor.require(Perm.APIKEYS_MANAGE)
    key = ApiKey.objects.for_org(actor.organization).filter(pk=key_id).first()
    if key is None or not actor.scope.allows_unit(key.unit_id) and actor.scope.limited:
        raise NotFound("api key", key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        _recent_keys.discard(key.key_hash)
        audit.record(
            actor, "apikey.revoked", target_type="apikey", target_id=key.pk, data={"prefix": key.prefix}
        )
    return key


# Keys that authenticated recently, by hash: an API client sends the same key on every request,
# and the look-up (a join with the organization) was a fifth of the cost of storing a response.
# A key revoked in another process keeps working there until its entry expires.
API_KEY_CACHE_SECONDS = 5
_recent_keys = TTLCache(API_KEY_CACHE_SECONDS, maxsize=4096)


def authenticate_api_key(raw: str, ip_address: str | None = None) -> Actor | None:
    """The actor for a presented key, or None for an unknown, malformed or revoked key.

    A key that authenticated in the last ``API_KEY_CACHE_SECONDS`` seconds in this process is
    not looked up again; revoking it here takes effect at once, elsewhere within that time."""
    parts = (raw or "").strip().split("_", 2)  # the secret part may contain "_"
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    hashed = _hash_key(raw.strip())
    key = _recent_keys.get(hashed)
    if key is None:
        key = (
            ApiKey.unscoped.select_related("organization")
            .filter(prefix=parts[1], revoked_at__isnull=True)
            .first()
        )
        if key is None or not secrets.compare_digest(key.key_hash, hashed):
            return None
        now = timezone.now()
        # Touch last_used_at at most once a minute so a busy key does not write on every request.
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.unscoped.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        _recent_keys.set(hashed, key)
    return Actor(
        organization=key.organization,
        role=Role(key.role),
        via="api",
        api_key=key,
        ip_address=ip_address,
        unit_id=key.unit_id,
    )


# --- Units ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    parent: str


UNIT_COLUMNS = ["code", "name", "kind", "parent"]


def _visible_units(actor: Actor):
    units = Unit.objects.for_org(actor.organization)
    return units.filter(pk__in=actor.scope.unit_ids) if actor.scope.limited else units


def list_units(actor: Actor) -> list[UnitRow]:
    """The units the actor may see: all of them, or their own unit and those below it."""
    actor.require(Perm.DASHBOARDS_VIEW)
    units = _visible_units(actor).select_related("parent")
    return [UnitRow(u.code, u.name, u.kind, u.parent.code if u.parent else "") for u in units]


def count_units(actor: Actor) -> int:
    actor.require(Perm.DASHBOARDS_VIEW)
    return _visible_units(actor).count()


@transaction.atomic
def create_unit(actor: Actor, code: str, name: str, kind: str, parent: str = "") -> Unit:
    actor.require(Perm.UNITS_MANAGE)
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code or ""):
        raise InvalidInput("code", _("use 1-64 letters, digits, hyphens or underscores"))
    if not (name or "").strip():
        raise InvalidInput("name", _("must not be empty"))
    if kind not in Unit.Kind.values:
        raise InvalidInput("kind", _("must be one of %(choices)s") % {"choices": ", ".join(Unit.Kind.values)})
    scoped = Unit.objects.for_org(actor.organization)
    parent_unit = None
    if actor.scope.limited and not parent:
        raise InvalidInput("parent", _("you can only add units inside your own unit"))
    if parent:
        parent_unit = _visible_units(actor).filter(code=parent).first()
        if parent_unit is None:
            raise InvalidInput("parent", _("no unit with code %(code)s") % {"code": parent})
    if scoped.filter(code=code).exists():
        raise InvalidInput("code", _("a unit with this code already exists"))
    try:
        unit = scoped.create(
            organization=actor.organization, code=code, name=name.strip(), kind=kind, parent=parent_unit
        )
    except IntegrityError:
        raise InvalidInput("code", _("a unit with this code already exists")) from None
    audit.record(actor, "unit.created", target_type="unit", target_id=code)
    return unit


@transaction.atomic
def delete_unit(actor: Actor, code: str) -> None:
    actor.require(Perm.DATA_DELETE)
    unit = _visible_units(actor).filter(code=code).first()
    if unit is None:
        raise NotFound("unit", code)
    if unit.children.exists():
        raise InvalidInput("code", _("the unit has sub-units; delete or move them first"))
    if (
        Membership.objects.for_org(actor.organization).filter(unit=unit).exists()
        or ApiKey.objects.for_org(actor.organization).filter(unit=unit, revoked_at__isnull=True).exists()
    ):
        raise InvalidInput("code", _("members or API keys are limited to this unit; change them first"))
    # Revoked keys keep no scope worth protecting: they can never authenticate again.
    ApiKey.objects.for_org(actor.organization).filter(unit=unit).update(unit=None)
    unit.delete()
    audit.record(actor, "data.deleted", target_type="unit", target_id=code)


def export_units(actor: Actor) -> tuple[list[str], list[list[str]]]:
    """Every unit as (header, rows) for CSV/XLSX. Audited as a data export."""
    actor.require(Perm.DATA_EXPORT)
    rows = [[u.code, u.name, u.kind, u.parent] for u in list_units(actor)]
    audit.record(actor, "data.exported", target_type="unit", data={"rows": len(rows)})
    return UNIT_COLUMNS, rows


# --- Audit log ------------------------------------------------------------------------------

AUDIT_COLUMNS = ["time", "action", "actor", "via", "target_type", "target_id", "ip_address", "data"]


def _visible_audit(actor: Actor):
    """The organization's audit log; an actor limited to a unit sees only their own actions (the
    log names members, keys and responses of every unit)."""
    actor.require(Perm.AUDIT_VIEW)
    events = AuditEvent.objects.for_org(actor.organization)
    if actor.scope.limited:
        events = (
            events.filter(actor_user=actor.user) if actor.user else events.filter(actor_api_key=actor.api_key)
        )
    return events


def list_audit(actor: Actor, limit: int = 200, action: str = "") -> list[AuditEvent]:
    events = _visible_audit(actor)
    if action:
        events = events.filter(action=action)
    return list(events[: max(1, min(limit, 5000))])


def export_audit(actor: Actor) -> tuple[list[str], list[list]]:
    actor.require(Perm.DATA_EXPORT)
    events = _visible_audit(actor).order_by("created_at", "id")
    rows = [
        [
            e.created_at.isoformat(),
            e.action,
            e.actor_label,
            e.via,
            e.target_type,
            e.target_id,
            e.ip_address or "",
            e.data,
        ]
        for e in events.iterator()
    ]
    audit.record(actor, "data.exported", target_type="audit", data={"rows": len(rows)})
    return AUDIT_COLUMNS, rows
