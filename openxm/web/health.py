"""The checks behind `openxm check` (settings, database, migrations, cache, broker, worker) and
behind ``/ready`` for load balancers (database, migrations, broker)."""

import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # ok, warn, fail
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def _secret_key() -> CheckResult:
    from .checks import secret_key_problem

    problem = secret_key_problem()
    if problem:
        return CheckResult("secret key", "fail", problem)
    return CheckResult(
        "secret key",
        "warn" if settings.DEBUG else "ok",
        "debug mode: a development key is accepted" if settings.DEBUG else "set",
    )


def _database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        detail = f"{connection.vendor} {connection.settings_dict['NAME']}"
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                detail += f" (journal_mode={cursor.fetchone()[0]})"
        return CheckResult("database", "ok", detail)
    except Exception as exc:
        return CheckResult("database", "fail", f"{type(exc).__name__}: {exc}")


def _migrations() -> CheckResult:
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return CheckResult("migrations", "fail", f"{type(exc).__name__}: {exc}")
    if pending:
        return CheckResult("migrations", "fail", f"{len(pending)} pending: run 'openxm migrate'")
    return CheckResult("migrations", "ok", "up to date")


def _cache() -> CheckResult:
    key = f"openxm:check:{secrets.token_hex(4)}"
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        return CheckResult("cache", "fail", f"{type(exc).__name__}: {exc}")
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return CheckResult("cache", "ok" if ok else "fail", backend)


def _media() -> CheckResult:
    root = Path(settings.MEDIA_ROOT)
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".check-{secrets.token_hex(4)}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return CheckResult("media directory", "fail", f"{root}: {exc}")
    return CheckResult("media directory", "ok", str(root))


def _broker_and_worker(timeout: float) -> list[CheckResult]:
    if not settings.CELERY_BROKER_URL:
        return [CheckResult("background work", "ok", "inline (no CELERY_BROKER_URL): no worker needed")]
    from openxm.celery import app

    from .tasks import ping

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        return [CheckResult("broker", "fail", f"{settings.CELERY_BROKER_URL}: {exc}")]
    results = [CheckResult("broker", "ok", _redact(settings.CELERY_BROKER_URL))]
    token = secrets.token_hex(8)
    try:
        answer = ping.apply_async(args=[token]).get(timeout=timeout)
        ok = answer.get("token") == token
        results.append(CheckResult("worker", "ok" if ok else "fail", f"answered from {answer.get('host')}"))
    except Exception as exc:
        results.append(
            CheckResult("worker", "fail", f"no worker answered within {timeout:g}s ({type(exc).__name__})")
        )
    return results


def _redact(url: str) -> str:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "***")
    return url


def run_checks(worker_timeout: float = 10.0) -> list[CheckResult]:
    results = [_secret_key(), _database()]
    if results[-1].status == "ok":
        results.append(_migrations())
        results.append(_cache())
    results.append(_media())
    results.extend(_broker_and_worker(worker_timeout))
    return results


# Migrations, once applied, stay applied for the life of a process (a new release restarts it):
# /ready asks the database only until the first success.
_migrations_seen_current = False


def _broker_reachable(timeout: float) -> CheckResult:
    from openxm.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        return CheckResult("broker", "fail", type(exc).__name__)
    return CheckResult("broker", "ok", "reachable")


def readiness(timeout: float = 2.0) -> list[CheckResult]:
    """What a load balancer needs before sending traffic: the database answers, every
    migration is applied, and the broker (when one is configured) accepts connections.
    Workers are not waited for: queued work waits for them."""
    global _migrations_seen_current
    results = [_database()]
    if results[0].status == "ok":
        if _migrations_seen_current:
            results.append(CheckResult("migrations", "ok", "up to date"))
        else:
            results.append(_migrations())
            _migrations_seen_current = results[-1].status == "ok"
    if settings.CELERY_BROKER_URL:
        results.append(_broker_reachable(timeout))
    return results
