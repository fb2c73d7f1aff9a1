"""Settings of distribution and collection, read from Django settings, else the environment.

Each environment variable is documented in docs/settings.md. Tests override them with Django
settings of the same name (``settings.OPENXM_RESPOND_RATE_PER_IP = 3``).
"""

import os

from django.conf import settings

from openxm.utils import public_address


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        raw = {
            "OPENXM_RESPOND_RATE_PER_IP": os.environ.get("OPENXM_RESPOND_RATE_PER_IP"),
            "OPENXM_RESPOND_RATE_PER_SURVEY": os.environ.get("OPENXM_RESPOND_RATE_PER_SURVEY"),
        }.get(name)
        value = raw if raw not in (None, "") else default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def public_url() -> str:
    """The address respondents reach this server at, for links, QR codes, e-mails and messages:
    ``OPENXM_PUBLIC_URL``, else the address the server was started on, else the request's host
    (``openxm.utils.public_address``)."""
    return public_address.public_url(getattr(settings, "OPENXM_PUBLIC_URL", None))


def absolute(path: str) -> str:
    return public_url() + path


def rate_per_ip() -> int:
    """Respondent submissions (pages and API responses) per client address per minute."""
    return _int("OPENXM_RESPOND_RATE_PER_IP", 60)


def rate_per_survey() -> int:
    """Respondent submissions per survey per minute, from everyone together."""
    return _int("OPENXM_RESPOND_RATE_PER_SURVEY", 3000)
