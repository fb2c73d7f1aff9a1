"""The embedded SQLite backend (openxm/sqlite): a second writer waits for the first one's
commit on the file lock, then writes; one that waits past its timeout gets SQLite's own
"database is locked" instead of waiting for ever."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from openxm.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    with django_db_blocker.unblock():  # connections of their own to a file, not the test database
        yield


def _wrapper(path, timeout=20):
    settings = dict(connection.settings_dict)
    settings.update(NAME=str(path), OPTIONS={**settings["OPTIONS"], "timeout": timeout}, TEST={})
    return DatabaseWrapper(settings, alias=f"writers-{id(settings)}")


def _begin(db):
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _commit(db):
    db.commit()
    db.set_autocommit(True)


def test_a_second_writer_begins_once_the_first_commits_and_both_rows_are_stored(tmp_path):
    path = tmp_path / "w.sqlite3"
    first = _wrapper(path)
    first.cursor().execute("CREATE TABLE t (who TEXT)")
    _begin(first)
    first.cursor().execute("INSERT INTO t VALUES ('first')")
    began = {}

    def write():
        second = _wrapper(path)  # a connection belongs to the thread that made it
        _begin(second)  # waits on the file lock while the first transaction is open
        began["at"], began["locked"] = time.monotonic(), second._locked
        second.cursor().execute("INSERT INTO t VALUES ('second')")
        _commit(second)
        second.close()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.3)
    assert "at" not in began  # still waiting
    committed = time.monotonic()
    _commit(first)
    thread.join(5)
    assert began["at"] >= committed
    assert began["locked"]  # it queued on the file lock, not in SQLite's busy handler
    assert not first._locked  # released with the commit
    with first.cursor() as cursor:
        cursor.execute("SELECT who FROM t ORDER BY rowid")
        assert [row[0] for row in cursor.fetchall()] == ["first", "second"]
    first.close()


def test_a_writer_that_waits_past_its_timeout_gets_sqlites_locked_error(tmp_path):
    path = tmp_path / "w.sqlite3"
    holder, waiter = _wrapper(path), _wrapper(path, timeout=0.2)
    holder.cursor().execute("CREATE TABLE t (x)")
    _begin(holder)
    holder.cursor().execute("INSERT INTO t VALUES (1)")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        _begin(waiter)
    assert 0.2 <= time.monotonic() - started < 5
    assert not waiter._locked  # nothing left held by the failed writer
    _commit(holder)
    _begin(waiter)  # free again
    waiter.cursor().execute("INSERT INTO t VALUES (2)")
    _commit(waiter)
    holder.close()
    waiter.close()
