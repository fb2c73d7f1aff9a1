"""Start-up checks: a missing or placeholder secret key outside debug mode stops the server."""

from django.conf import settings
from django.core.checks import Error, register


def secret_key_problem() -> str | None:
    if settings.DEBUG:
        return None
    key = settings.SECRET_KEY or ""
    if key.lower() in settings.PLACEHOLDER_SECRET_KEYS or len(key) < 32:
        return (
            "OPENXM_SECRET_KEY is missing or a placeholder. Set it to a long random value, e.g. "
            "OPENXM_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set OPENXM_DEBUG=true on a development machine."
        )
    return None


@register("security", deploy=False)
def check_secret_key(app_configs, **kwargs):
    problem = secret_key_problem()
    return [Error(problem, id="openxm.E001")] if problem else []


@register("security", deploy=False)
def check_encryption_keys(app_configs, **kwargs):
    """``openxm.E002``: missing or malformed OPENXM_ENCRYPTION_KEYS where they are required."""
    from openxm import crypto

    try:
        crypto.keys()
    except crypto.EncryptionKeyError as exc:
        return [Error(str(exc), id="openxm.E002")]
    return []
