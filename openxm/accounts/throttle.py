"""Sign-in throttling against password guessing.

Failures are counted in the shared cache (the database cache in the embedded default, Redis when
configured, so every web process sees the same counts) under two keys:

- the account *from* the client address: after ``LOGIN_MAX_FAILURES`` failures that address
  may not try that account for ``LOGIN_LOCKOUT_SECONDS``;
- the client address alone: after four times as many failures (several people may share an
  office address) it may not try any account.

No key counts an account from every address, so someone guessing from one place cannot lock
the owner out from another. The client address is the real one behind trusted proxies
(``OPENXM_TRUSTED_PROXIES``). A successful sign-in clears the account-from-address counter.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _account(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _keys(email: str, ip: str | None) -> list[tuple[str, int]]:
    """(cache key, failures that lock it) for this attempt."""
    limit = settings.LOGIN_MAX_FAILURES
    ip = ip or "unknown"
    return [
        (f"openxm:login:pair:{_account(email)}:{ip}", limit),
        (f"openxm:login:ip:{ip}", limit * 4),
    ]


def is_locked(email: str, ip: str | None) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(email, ip))


def record_failure(email: str, ip: str | None) -> None:
    for key, _limit in _keys(email, ip):
        if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def clear(email: str, ip: str | None) -> None:
    cache.delete(_keys(email, ip)[0][0])
