"""Writing the audit log. Callers pass what happened; this adds who, when and from where."""

from .actors import Actor
from .models import AuditEvent, Organization, User


def record(
    actor: Actor,
    action: str,
    *,
    target_type: str = "",
    target_id: str | int = "",
    data: dict | None = None,
) -> AuditEvent:
    return AuditEvent.unscoped.create(
        organization=actor.organization,
        action=action,
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        actor_label=actor.label,
        via=actor.via,
        target_type=target_type,
        target_id=str(target_id),
        data=data or {},
        ip_address=actor.ip_address,
    )


def record_system(
    action: str,
    *,
    organization: Organization | None = None,
    user: User | None = None,
    label: str = "",
    via: str = "web",
    data: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """For events without an acting member, e.g. a sign-in or a failed sign-in."""
    return AuditEvent.unscoped.create(
        organization=organization,
        action=action,
        actor_user=user,
        actor_label=label or (user.email if user else ""),
        via=via,
        data=data or {},
        ip_address=ip_address,
    )
