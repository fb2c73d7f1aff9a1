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


def actor_for_user(user: User, org: Organization, via: str, ip_address: str | None = None) -> Actor:
    membership = membership_in(user, org)
    if membership is None:
        raise NotFound("organization", org.slug)
    return Actor(organization=org, role=Role(membership.role), via=via, user=user, ip_address=ip_address)


# --- Members --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    id: int
    email: str
    name: str
    role: str
    joined: str


def list_members(actor: Actor) -> list[MemberRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    rows = Membership.objects.for_org(actor.organization).select_related("user")
    return [MemberRow(m.id, m.user.email, m.user.name, m.role, m.created_at.date().isoformat()) for m in rows]


@transaction.atomic
def add_member(
    actor: Actor, email: str, role: str, name: str = "", password: str | None = None
) -> Membership:
    actor.require(Perm.MEMBERS_MANAGE)
    new_role = _role(role)
    if not can_grant(actor.role, new_role):
        raise InvalidInput("role", _("you cannot grant a role above your own"))
    user = bootstrap_user(email, password, name)
    if membership_in(user, actor.organization) is not None:
        raise InvalidInput("email", _("is already a member of this organization"))
    membership = Membership.objects.for_org(actor.organization).create(
        organization=actor.organization, user=user, role=new_role.value
    )
    audit.record(actor, "member.added", target_type="user", target_id=user.pk, data={"role": new_role.value})
    return membership


def _get_membership(actor: Actor, membership_id: int) -> Membership:
    membership = (
        Membership.objects.for_org(actor.organization).select_related("user").filter(pk=membership_id).first()
    )
    if membership is None:
        raise NotFound("member", membership_id)
    return membership


def _owner_count(org: Organization) -> int:
    return Membership.objects.for_org(org).filter(role=Role.OWNER.value).count()


@transaction.atomic
def change_role(actor: Actor, membership_id: int, role: str) -> Membership:
    actor.require(Perm.MEMBERS_MANAGE)
    new_role = _role(role)
    membership = _get_membership(actor, membership_id)
    old_role = Role(membership.role)
    if not can_grant(actor.role, new_role) or not can_grant(actor.role, old_role):
        raise InvalidInput("role", _("you cannot change a role above your own"))
    if old_role == Role.OWNER and new_role != Role.OWNER and _owner_count(actor.organization) == 1:
        raise InvalidInput("role", _("the organization must keep at least one owner"))
    membership.role = new_role.value
    membership.save(update_fields=["role"])
    audit.record(
        actor,
        "member.role_changed",
        target_type="user",
        target_id=membership.user_id,
        data={"from": old_role.value, "to": new_role.value, "email": membership.user.email},
    )
    return membership


@transaction.atomic
def remove_member(actor: Actor, membership_id: int) -> None:
    actor.require(Perm.MEMBERS_MANAGE)
    membership = _get_membership(actor, membership_id)
    if not can_grant(actor.role, Role(membership.role)):
        raise InvalidInput("role", _("you cannot remove a member above your own role"))
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
def create_api_key(actor: Actor, name: str, role: str) -> NewApiKey:
    actor.require(Perm.APIKEYS_MANAGE)
    key_role = _role(role)
    if not can_grant(actor.role, key_role):
        raise InvalidInput("role", _("you cannot grant a role above your own"))
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
    )
    audit.record(
        actor,
        "apikey.created",
        target_type="apikey",
        target_id=key.pk,
        data={"name": name, "role": key_role.value, "prefix": prefix},
    )
    return NewApiKey(key, plaintext)


def list_api_keys(actor: Actor) -> list[ApiKey]:
    actor.require(Perm.APIKEYS_MANAGE)
    return list(ApiKey.objects.for_org(actor.organization).select_related("created_by"))


@transaction.atomic
def revoke_api_key(actor: Actor, key_id: int) -> ApiKey:
    actor.require(Perm.APIKEYS_MANAGE)
    key = ApiKey.objects.for_org(actor.organization).filter(pk=key_id).first()
    if key is None:
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
        organization=key.organization, role=Role(key.role), via="api", api_key=key, ip_address=ip_address
    )


# --- Units ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str
    parent: str


UNIT_COLUMNS = ["code", "name", "kind", "parent"]


def list_units(actor: Actor) -> list[UnitRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    units = Unit.objects.for_org(actor.organization).select_related("parent")
    return [UnitRow(u.code, u.name, u.kind, u.parent.code if u.parent else "") for u in units]


def count_units(actor: Actor) -> int:
    actor.require(Perm.DASHBOARDS_VIEW)
    return Unit.objects.for_org(actor.organization).count()


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
    if parent:
        parent_unit = scoped.filter(code=parent).first()
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
    unit = Unit.objects.for_org(actor.organization).filter(code=code).first()
    if unit is None:
        raise NotFound("unit", code)
    if unit.children.exists():
        raise InvalidInput("code", _("the unit has sub-units; delete or move them first"))
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


def list_audit(actor: Actor, limit: int = 200, action: str = "") -> list[AuditEvent]:
    actor.require(Perm.AUDIT_VIEW)
    events = AuditEvent.objects.for_org(actor.organization)
    if action:
        events = events.filter(action=action)
    return list(events[: max(1, min(limit, 5000))])


def export_audit(actor: Actor) -> tuple[list[str], list[list]]:
    actor.require(Perm.AUDIT_VIEW)
    actor.require(Perm.DATA_EXPORT)
    events = AuditEvent.objects.for_org(actor.organization).order_by("created_at", "id")
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
