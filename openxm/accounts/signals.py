"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import Membership


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    # One event per organization the user belongs to, so each tenant's log is complete.
    orgs = [m.organization for m in Membership.unscoped.filter(user=user).select_related("organization")]
    for org in orgs or [None]:
        audit.record_system("auth.signed_in", organization=org, user=user, ip_address=_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    for m in Membership.unscoped.filter(user=user).select_related("organization"):
        audit.record_system(
            "auth.signed_out", organization=m.organization, user=user, ip_address=_ip(request)
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record_system(
        "auth.sign_in_failed", label=str(credentials.get("username", ""))[:200], ip_address=_ip(request)
    )
