"""Periodic work, and the scheduler that runs it inside `openxm serve` when there is no broker.

The jobs are ``settings.CELERY_BEAT_SCHEDULE`` (built from ``settings.PERIODIC_JOBS``): the
distribution tick (queued invitations, reminders) every minute and the scheduled reports every
five minutes, each interval set by an environment variable (docs/settings.md).

- Scaled (``CELERY_BROKER_URL`` set): Celery beat sends them to the workers. Run exactly one
  beat: ``openxm beat`` (recommended), or ``openxm worker --beat`` on one worker only.
- Embedded (no broker, tasks run inline): :func:`start_embedded` starts a daemon thread in each
  gunicorn worker of `openxm serve`; a file lock (``OPENXM_HOME/scheduler.lock``) lets only one
  of them (and only one server per home) run the jobs. When the process holding the lock dies,
  another one takes over at its next try. ``OPENXM_EMBEDDED_SCHEDULER=false`` switches it off.

Nothing here starts by itself: tests, ``runserver``-style test servers and management commands
never run a scheduler; only the gunicorn hooks of `openxm serve` call :func:`start_embedded`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

log = logging.getLogger(__name__)

THREAD_NAME = "openxm-scheduler"
LOCK_FILE = "scheduler.lock"


@dataclass(frozen=True)
class Job:
    name: str
    task: str
    interval: float  # seconds
    args: tuple = ()


def jobs_from_schedule(schedule: dict) -> list[Job]:
    """The jobs of a Celery beat schedule whose interval is a number of seconds (or a timedelta)."""
    found = []
    for name, entry in schedule.items():
        every = entry["schedule"]
        if isinstance(every, timedelta):
            every = every.total_seconds()
        elif not isinstance(every, int | float):
            every = getattr(getattr(every, "run_every", None), "total_seconds", lambda: 0)()
        if every and every > 0:
            found.append(Job(name, entry["task"], float(every), tuple(entry.get("args") or ())))
    return found


def configured_jobs() -> list[Job]:
    from django.conf import settings

    return jobs_from_schedule(getattr(settings, "CELERY_BEAT_SCHEDULE", {}) or {})


def run_task(job: Job) -> object:
    """Run the job's Celery task inline, in this thread (the embedded default)."""
    from openxm.celery import app

    app.loader.import_default_modules()
    return app.tasks[job.task].apply(args=job.args, throw=True).get()


class FileLock:
    """An exclusive, non-blocking ``flock`` on a file: held by one process at a time, released by
    the operating system when the process dies."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        import fcntl

        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        import fcntl

        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class Scheduler:
    """Runs each job every ``job.interval`` seconds while it holds ``lock``.

    A job runs as soon as the lock is taken, then every interval (measured from its last run, so
    a slow run delays the next one instead of piling runs up). A failing job is logged and tried
    again at its next time. ``clock`` and ``run`` are replaceable for tests.
    """

    def __init__(
        self,
        jobs: list[Job],
        lock: FileLock | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        run: Callable[[Job], object] | None = None,
        lock_retry: float = 15.0,
        max_sleep: float = 5.0,
    ):
        self.jobs = list(jobs)
        self.lock = lock
        self.clock = clock
        self.run = run or (lambda job: run_task(job))
        self.lock_retry = lock_retry
        self.max_sleep = max_sleep
        self.next_run: dict[str, float] = {}
        self.runs: dict[str, int] = {job.name: 0 for job in self.jobs}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> bool:
        """Take the lock (or confirm it is held); False when another process runs the jobs."""
        if self.lock is None or self.lock.held:
            return True
        if self.lock.acquire():
            log.info("periodic jobs run in this process (pid %s)", os.getpid())
            self.next_run = {}  # a new holder runs every job at once
            return True
        return False

    def run_pending(self) -> list[str]:
        """Run the jobs that are due now (only while holding the lock); their names."""
        if not self.acquire():
            return []
        ran = []
        for job in self.jobs:
            now = self.clock()
            if self.next_run.get(job.name, now) > now:
                continue
            try:
                self.run(job)
            except Exception:  # one failing job must not stop the others or the thread
                log.exception("periodic job %s failed", job.name)
            self.runs[job.name] += 1
            self.next_run[job.name] = self.clock() + job.interval
            ran.append(job.name)
        return ran

    def seconds_to_next(self) -> float:
        if self.lock is not None and not self.lock.held:
            return self.lock_retry
        now = self.clock()
        waits = [self.next_run.get(job.name, now) - now for job in self.jobs]
        return max(0.05, min([self.max_sleep, *waits]))

    # --- the thread ---------------------------------------------------------------------

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # e.g. the home became unwritable: log, keep trying
                log.exception("periodic scheduler")
            finally:
                _close_connections()  # this thread's own; a new one at the next run
            self._stop.wait(self.seconds_to_next())

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self.lock is not None:
            self.lock.release()


def _close_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


def embedded_reason_off() -> str | None:
    """Why `openxm serve` runs no scheduler (None: it runs one)."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL:
        return "a broker is configured: run `openxm beat` (one per deployment) instead"
    if not getattr(settings, "OPENXM_EMBEDDED_SCHEDULER", True):
        return "OPENXM_EMBEDDED_SCHEDULER is off"
    if not configured_jobs():
        return "no periodic job has an interval"
    return None


_embedded: Scheduler | None = None


def start_embedded() -> Scheduler | None:
    """Start the scheduler thread of this server process (called from a gunicorn hook)."""
    global _embedded
    if _embedded is not None:
        return _embedded
    if reason := embedded_reason_off():
        log.info("no embedded scheduler: %s", reason)
        return None
    from django.conf import settings

    lock = FileLock(Path(settings.OPENXM_HOME) / LOCK_FILE)
    _embedded = Scheduler(configured_jobs(), lock).start()
    return _embedded


def stop_embedded() -> None:
    global _embedded
    if _embedded is not None:
        _embedded.stop()
        _embedded = None
