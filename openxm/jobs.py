"""How background work is started: long jobs, and work batched per transaction.

``dispatch`` starts a long job (import, export, re-analysis, classifier training).

With a broker (``CELERY_BROKER_URL``) the task goes to the workers once the job row is committed.
In the embedded default (no broker) it runs in a daemon thread of the web process, started after
the commit, so the page that started it returns at once and polls the job's progress.
``settings.OPENXM_JOBS_INLINE = True`` (the test suite, the CLI) runs it inline instead, before
``dispatch`` returns. A task records its own failures on its job row; an exception that escapes
a thread is logged, never raised into the request that started it.

``on_commit_batch`` collects what one transaction hands to the same function (the responses
whose comments text analytics should analyse) and calls it once, after the commit, with all of
it: a transaction storing ten thousand responses starts one batch of work, not ten thousand.
"""

import gc
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextlib import contextmanager
from multiprocessing import current_process

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections, transaction

from openxm import metrics

log = logging.getLogger(__name__)
THREAD_PREFIX = "openxm-job:"


def _apply(task, args) -> None:
    """Run ``task`` here. An eager task's error propagates before Celery's failure signal is sent,
    so it is counted for /metrics here (a worker's are counted by the signal)."""
    try:
        task.apply(args=args)
    except Exception:
        metrics.on_task_failure(task)
        raise


def _in_thread(task, args) -> None:
    close_old_connections()
    try:
        _apply(task, args)
    except Exception:  # the task records its own failures on its row; this is a last resort
        log.exception("background %s failed", task.name)
    finally:
        connections.close_all()


def dispatch(task, *args) -> None:
    """Run the Celery task ``task(*args)`` in the background (see the module docstring)."""
    if getattr(settings, "OPENXM_JOBS_INLINE", False):
        _apply(task, args)
    elif not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: task.delay(*args))
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_thread, args=(task, args), name=f"{THREAD_PREFIX}{task.name}", daemon=True
            ).start()
        )


# --- Work batched per transaction ---------------------------------------------------------------

# This thread's open batches by (database alias, flush). A batch is held only by the on-commit
# callbacks of its parts, so when Django drops them (a rollback) the batch goes too and the next
# transaction starts a new one; no state is kept on the connection.
_open = threading.local()


class _Batch:
    def __init__(self, flush: Callable[[list], None]):
        self.flush = flush
        self.parts: list[weakref.ref] = []
        self.flushed = False


class _Part:
    """The items of one ``on_commit_batch`` call. Its callback stays registered only while the
    savepoint it was added in stands; the first part run after the commit flushes the items of
    every part still registered."""

    def __init__(self, batch: _Batch, items: list):
        self.batch = batch
        self.items = items

    def run(self) -> None:
        batch = self.batch
        if batch.flushed:
            return
        batch.flushed = True
        # Parts whose savepoint rolled back were dropped with their callbacks, so they are gone.
        items = [item for ref in batch.parts if (part := ref()) is not None for item in part.items]
        batch.flush(items)


def on_commit_batch(flush: Callable[[list], None], items: Iterable, using: str | None = None) -> None:
    """Call ``flush`` once after the current transaction commits, with every item handed to it
    in that transaction, in order.

    ``flush`` names the batch: pass the same module-level function each time. Items added in a
    savepoint that rolls back are left out; a transaction that rolls back calls nothing. Outside
    a transaction ``flush(items)`` runs at once. An exception from ``flush`` is logged, never
    raised into the code that committed (``robust``): the stored rows stay stored.
    """
    items = list(items)
    if not items:
        return
    alias = using or DEFAULT_DB_ALIAS
    batches = getattr(_open, "batches", None)
    if batches is None:
        batches = _open.batches = weakref.WeakValueDictionary()
    batch = batches.get((alias, flush))
    if batch is None or batch.flushed:
        batch = batches[(alias, flush)] = _Batch(flush)
    part = _Part(batch, items)
    batch.parts.append(weakref.ref(part))
    transaction.on_commit(part.run, using=alias, robust=True)


# --- The garbage collector during a bulk job -----------------------------------------------------
#
# A bulk job allocates millions of short-lived objects, so the cyclic collector runs often, and
# each full pass walks every long-lived object too: Django's, the models', a loaded text model's
# dictionaries. Measured on a 100,000-row import: 15 s of its 42 s check and commit were the
# collector's, 13.5 s of them full passes (benchmarks/README.md). Within ``bulk_gc`` the objects
# alive at its start are frozen out of every pass and the automatic collector is off; the job
# calls ``collect_garbage`` between its chunks, when little is alive, so a chunk's cyclic garbage
# (Django's querysets and model states make some) is freed once per chunk.

_gc_lock = threading.Lock()
_gc_depth = 0


@contextmanager
def bulk_gc():
    """Within the block, the objects alive at its start are frozen out of the collector's passes
    and collection happens only in ``collect_garbage``. The collector is the process's: nested or
    concurrent blocks (jobs in threads) share the setting, and the last to leave turns automatic
    collection back on (other threads' cyclic garbage waits for the job's next chunk meanwhile)."""
    global _gc_depth
    with _gc_lock:
        _gc_depth += 1
        if _gc_depth == 1:
            gc.collect()
            gc.freeze()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.enable()
                gc.unfreeze()


def collect_garbage() -> None:
    """Collect a bulk job's cyclic garbage at one of its chunk boundaries (see ``bulk_gc``)."""
    gc.collect()


# --- A pool of worker processes for a long job's follow-up work -------------------------------
#
# Without a broker, work that a job's transactions start once they commit (the text analytics of
# an import's comments) would run inline, in the job's own process, between its chunks. A long
# job opens a pool of processes for its duration instead: ``submit`` hands such work to it, so a
# chunk's comments are analysed while the next chunk is stored, on the other cores. The processes
# are spawned (not forked: a forked child would share the parent's database connections) and set
# Django up from the environment the job runs in; work that fails is logged, like a task.

_pool = threading.local()


def _pool_worker_setup(parent: int) -> None:
    import django

    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    django.setup()


def _exit_with_parent(parent: int) -> None:
    """A job's process killed outright (SIGKILL, OOM) cannot stop its pool; the workers notice
    they were orphaned and end, instead of lingering with the job's files and pipes open."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _pool_call(path: str, args: tuple):
    import importlib

    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)(*args)
    finally:
        connections.close_all()
        # What is still alive now (Django, a text model loaded by the first call) lives as long
        # as the worker: leave it out of later collections (see bulk_gc).
        gc.collect()
        gc.freeze()


class WorkerPool:
    """The pool of one job: submitted calls with their weight (e.g. responses to analyse)."""

    def __init__(self, processes: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.executor = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_pool_worker_setup,
            initargs=(os.getpid(),),
        )
        self.processes = processes
        self.pending: dict = {}  # future → weight
        self.submitted = self.done = 0

    def call(self, path: str, *args) -> Future:
        """``path(*args)`` in a worker; its future (its result and its error are the caller's)."""
        return self.executor.submit(_pool_call, path, args)

    def submit(self, path: str, args: tuple, weight: int) -> None:
        self.pending[self.executor.submit(_pool_call, path, args)] = weight
        self.submitted += weight
        self._collect(block=False)

    def _collect(self, block: bool, timeout: float | None = None) -> None:
        from concurrent.futures import FIRST_COMPLETED, wait

        if not self.pending:
            return
        finished, _ = wait(list(self.pending), timeout=timeout if block else 0, return_when=FIRST_COMPLETED)
        for future in finished:
            self.done += self.pending.pop(future)
            if future.exception() is not None:
                log.error("background work of a job failed", exc_info=future.exception())

    def drain(self, progress=None) -> None:
        """Wait for every submitted call, reporting ``progress(done, submitted)`` as they end."""
        if progress:
            progress(self.done, self.submitted)
        while self.pending:
            self._collect(block=True, timeout=0.5)
            if progress:
                progress(self.done, self.submitted)


@contextmanager
def worker_pool(processes: int):
    """Within the block, ``submit`` sends work to ``processes`` worker processes (none: inline);
    leaving it waits for the work (call ``drain`` first to report progress)."""
    # A daemonic process (a Celery prefork worker's child) may not start processes of its own.
    if processes < 1 or getattr(_pool, "current", None) is not None or current_process().daemon:
        yield None
        return
    pool = WorkerPool(processes)
    _pool.current = pool
    try:
        yield pool
    finally:
        _pool.current = None
        pool.executor.shutdown(wait=True, cancel_futures=False)
        pool._collect(block=True)


def submit(path: str, *args, weight: int = 1) -> bool:
    """Hand ``path(*args)`` (a dotted function name) to the current job's pool; False when no
    pool is open in this thread (the caller runs the work itself)."""
    pool = getattr(_pool, "current", None)
    if pool is None:
        return False
    pool.submit(path, args, weight)
    return True
