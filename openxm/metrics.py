"""Prometheus metrics, served at ``/metrics`` to a scraper holding ``OPENXM_METRICS_TOKEN``.

What is measured:

* ``openxm_http_requests_total{method, route, status}`` and
  ``openxm_http_request_duration_seconds{method, route}`` (a histogram): every request, by URL
  pattern (``api/v1/surveys/<ref>/responses``, ``r/<token>/``), never by raw path, so the number
  of series stays bounded; static files are one route, ``static``, and unmatched paths
  ``unmatched``.
* ``openxm_responses_ingested_total{channel}``: complete responses stored (respondent pages,
  the collection APIs, imports), counted once their transaction has committed.
* ``openxm_tasks_succeeded_total{task}`` and ``openxm_task_failures_total{task}``: background
  tasks by outcome (Celery's signals; without a broker the inline runs count too).
* ``openxm_queue_depth{queue}`` and ``openxm_tasks_unacknowledged``: with a Redis broker, tasks
  waiting and tasks taken by a worker but not finished, read from the broker at each scrape
  (absent without a broker: nothing waits).

Several processes: ``openxm serve`` and ``openxm worker`` call :func:`use_directory` before they
fork, so their processes share counters through files in ``OPENXM_HOME/metrics``
(prometheus_client's multi-process mode) and one scrape of any web process sees them all: the
web processes' requests and the task outcomes of workers on the same host. Workers on other hosts
are not seen by this host's ``/metrics``. A single process (the development server, tests) keeps
them in memory. ``prometheus_client`` is therefore imported only once a metric is first used.

Excluded: the request id and JSON logs (``openxm.logs``); the health checks (``/health``,
``/ready``, ``openxm check``).
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse

log = logging.getLogger(__name__)

# Seconds; 0.2 is the respondent-page and dashboard target of the load benchmark.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUEUES = ("celery",)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_directory(directory: Path | None = None) -> Path:
    """Share this process's and its children's metrics through files in ``directory``
    (``OPENXM_HOME/metrics``); files of processes no longer running are removed (their counts
    restart, which Prometheus's ``rate()`` takes as a counter reset). Call before forking and
    before any metric is used."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    directory = Path(given or directory or Path(settings.OPENXM_HOME) / "metrics")
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
    os.environ[ENV] = str(directory)
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_LOCK = threading.Lock()
_made: list[SimpleNamespace] = []


def _m() -> SimpleNamespace:
    """The metrics, made on first use (once: threads of one process race for the first)."""
    if _made:
        return _made[0]
    with _LOCK:
        if not _made:
            _made.append(_make())
    return _made[0]


def _make() -> SimpleNamespace:
    from prometheus_client import Counter, Histogram

    return SimpleNamespace(
        requests=Counter("openxm_http_requests", "HTTP requests answered", ["method", "route", "status"]),
        latency=Histogram(
            "openxm_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
        ),
        ingested=Counter("openxm_responses_ingested", "Complete responses stored", ["channel"]),
        succeeded=Counter("openxm_tasks_succeeded", "Background tasks that finished", ["task"]),
        failed=Counter("openxm_task_failures", "Background tasks that raised an error", ["task"]),
    )


# --- HTTP ---------------------------------------------------------------------------------------


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or match.view_name or "unmatched"
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class MetricsMiddleware:
    """Counts and times every request (outermost, so the time includes all other middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in METHODS else "other"
        route = _route(request)
        m = _m()
        m.requests.labels(method, route, str(response.status_code)).inc()
        m.latency.labels(method, route).observe(elapsed)
        return response


# --- Domain and background work -----------------------------------------------------------------


def on_responses_recorded(sender, recorded, **kwargs) -> None:
    """Receiver of ``surveys.signals.responses_recorded``: count the stored responses by channel
    once the storing transaction commits (a rolled-back one counts nothing)."""
    channels: dict[str, int] = {}
    for response, _answers in recorded:
        channel = getattr(response, "channel", "") or "unknown"
        channels[channel] = channels.get(channel, 0) + 1
    transaction.on_commit(lambda: count_ingested(channels), robust=True)


def count_ingested(channels: dict[str, int]) -> None:
    for channel, n in channels.items():
        _m().ingested.labels(channel).inc(n)


def on_task_success(sender=None, **kwargs) -> None:
    _m().succeeded.labels(getattr(sender, "name", "unknown")).inc()


def on_task_failure(sender=None, **kwargs) -> None:
    _m().failed.labels(getattr(sender, "name", "unknown")).inc()


# --- The scrape ---------------------------------------------------------------------------------


def _broker_gauges():
    """The queue depth and unacknowledged tasks, from a Redis broker (no other broker: none)."""
    from prometheus_client.core import GaugeMetricFamily

    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return []
    import redis

    depth = GaugeMetricFamily("openxm_queue_depth", "Background tasks waiting for a worker", labels=["queue"])
    unacked = GaugeMetricFamily(
        "openxm_tasks_unacknowledged", "Background tasks taken by a worker and not finished (or lost)"
    )
    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            # kombu keeps a queue's priorities in lists "<queue>", "<queue>\x06\x163", ...
            for queue in QUEUES:
                keys = [queue, *(f"{queue}\x06\x16{p}" for p in (3, 6, 9))]
                depth.add_metric([queue], sum(client.llen(k) for k in keys))
            unacked.add_metric([], client.hlen("unacked"))
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        log.warning("metrics: the broker cannot be read: %s", exc)
        return []
    return [depth, unacked]


class _BrokerCollector:
    def collect(self):
        yield from _broker_gauges()


@cache  # called under _LOCK
def _registry():
    """Where a scrape reads: every process's files in multi-process mode, else this process."""
    from prometheus_client import REGISTRY, CollectorRegistry

    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    registry.register(_BrokerCollector())
    return registry


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus's text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    _m()  # every family is exposed, with no samples yet, from the first scrape on
    with _LOCK:
        registry = _registry()
    return generate_latest(registry), CONTENT_TYPE_LATEST


def metrics_view(request):
    """``GET /metrics`` with ``Authorization: Bearer <OPENXM_METRICS_TOKEN>``: 404 while no token
    is set (the endpoint is off), 401 without the right one."""
    token = settings.OPENXM_METRICS_TOKEN
    if not token:
        return HttpResponse(status=404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type, headers={"Cache-Control": "no-store"})
