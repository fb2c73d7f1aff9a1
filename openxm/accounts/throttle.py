"""Sign-in throttling against password guessing.

Failures are counted per e-mail and per client address in the shared cache (the database
cache in the embedded default, Redis when configured, so every web process sees the same
counts). After ``LOGIN_MAX_FAILURES`` failures the pair is locked for ``LOGIN_LOCKOUT_SECONDS``;
a successful sign-in clears the e-mail's counter.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, ip: str | None) -> list[str]:
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    keys = [f"openxm:login:email:{digest}"]
    if ip:
        keys.append(f"openxm:login:ip:{ip}")
    return keys


def is_locked(email: str, ip: str | None) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    # The per-address limit is wider: several people may share one office address.
    limits = [limit, limit * 4]
    return any((cache.get(k) or 0) >= lim for k, lim in zip(_keys(email, ip), limits, strict=False))


def record_failure(email: str, ip: str | None) -> None:
    for key in _keys(email, ip):
        if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def clear(email: str) -> None:
    cache.delete(_keys(email, None)[0])
