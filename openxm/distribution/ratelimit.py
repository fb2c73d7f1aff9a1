"""Fixed-window counters in the shared cache: respondent rate limits and send throttling.

The cache is the database cache in the embedded default and Redis when configured, so every web
process and worker counts together. A window is one minute; the key names the minute, so
counters expire on their own.
"""

import time

from django.core.cache import cache

WINDOW = 60


def _key(name: str, now: float | None) -> str:
    return f"openxm:rl:{name}:{int((now or time.time()) // WINDOW)}"


def hit(name: str, limit: int, now: float | None = None, amount: int = 1) -> bool:
    """Count ``amount`` against ``name`` in the current window; False when that passes ``limit``."""
    if limit <= 0:
        return True
    key = _key(name, now)
    if cache.add(key, amount, timeout=WINDOW * 2):
        return amount <= limit
    try:
        count = cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=WINDOW * 2)
        count = amount
    return count <= limit


def retry_after(now: float | None = None) -> int:
    """Seconds until the current window ends (what a 429's Retry-After says)."""
    return max(1, WINDOW - int(now or time.time()) % WINDOW)


def used(name: str, now: float | None = None) -> int:
    return int(cache.get(_key(name, now)) or 0)


def allow_submission(ip: str | None, survey_id: int, now: float | None = None) -> bool:
    """Per-address and per-survey limits on respondent submissions."""
    from . import conf

    ok_ip = hit(f"ip:{ip or 'unknown'}", conf.rate_per_ip(), now)
    ok_survey = hit(f"survey:{survey_id}", conf.rate_per_survey(), now)
    return ok_ip and ok_survey
