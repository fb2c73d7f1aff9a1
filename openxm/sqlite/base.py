"""Django's SQLite backend, with writers queued on a file lock instead of SQLite's busy handler.

SQLite lets one transaction write at a time. A second writer's ``BEGIN IMMEDIATE`` fails with
"database is locked", and SQLite's busy handler retries after sleeping 1, 2, 5, 10, … up to
100 ms, whether or not the lock was freed meanwhile, while newcomers may take it first. With the
web server's processes and threads each storing a response (a transaction of a few
milliseconds), the unlucky request waits hundreds of milliseconds: the p99 of
``benchmarks/ingest.py`` was 198–358 ms for single responses (benchmarks/README.md). Here a
transaction first takes an exclusive ``flock`` on a lock file beside the database, one open file
per connection, so threads and processes queue alike; a waiter asks again every millisecond, and
takes SQLite's lock once it holds the file lock. The lock is released when the transaction
commits or rolls back or the connection closes (the kernel releases it if the process dies).
A writer that has waited ``timeout`` seconds (the database's busy timeout, 20 s) goes on to
``BEGIN`` without it, and SQLite's busy handler decides as before: a transaction that waits for
another thread while it writes cannot deadlock the two.

Included: transactions Django starts (``atomic`` blocks). Excluded: single statements in
autocommit mode (SQLite's busy handler waits for those, as before), in-memory databases (one
connection each: nothing to queue), platforms without ``fcntl`` (the plain backend).
"""

import time

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy handler alone
    fcntl = None

POLL_SECONDS = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock = None
    _locked = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if fcntl is not None and not self.is_in_memory_db():
            # Opened per connection: flock locks belong to the open file, so two connections of
            # one process exclude each other as two processes do.
            self._write_lock = open(f"{self.settings_dict['NAME']}-writer.lock", "a")  # noqa: SIM115
        return connection

    def _acquire(self) -> None:
        deadline = time.monotonic() + float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        while True:
            try:
                fcntl.flock(self._write_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's busy handler decides from here
                time.sleep(POLL_SECONDS)
            else:
                self._locked = True
                return

    def _release(self) -> None:
        if self._locked:
            fcntl.flock(self._write_lock, fcntl.LOCK_UN)
            self._locked = False

    def _start_transaction_under_autocommit(self):
        if self._write_lock is not None:
            self._acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self._write_lock is not None:
                self._write_lock.close()  # releases the lock too
                self._write_lock = None
                self._locked = False
