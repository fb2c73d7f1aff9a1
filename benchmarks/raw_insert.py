"""The raw baseline of the ingestion benchmarks: the same rows into the same schema, driver only.

Used by ``ingest.py`` and ``import_large.py`` in a child process whose Django settings point at
a database migrated with the app's schema (every index and constraint in place). The response
rows and their answer rows are written with the database driver itself (``sqlite3`` with the
app's PRAGMAs, or psycopg), ``executemany`` of one statement per table, ids assigned by the
client (no ``RETURNING`` round trip), ``per_txn`` responses per transaction. Nothing else is
written: no contacts, rollups, facts or text analytics; that is what "raw" means here.

A response is ``(response_values, [answer_values, ...])`` in the column orders below, with
``answers``/``hidden``/``meta``/``value_choices`` already JSON text and times as aware datetimes.
"""

from __future__ import annotations

import time
from datetime import UTC

RESPONSE_COLUMNS = (
    "organization_id",
    "survey_id",
    "version_id",
    "idempotency_key",
    "status",
    "channel",
    "touchpoint",
    "language",
    "answers",
    "hidden",
    "meta",
    "weight",
    "started_at",
    "completed_at",
    "created_at",
)
ANSWER_COLUMNS = (
    "organization_id",
    "response_id",
    "survey_id",
    "question_id",
    "sub_key",
    "qtype",
    "value_number",
    "value_text",
    "value_choice",
    "value_choices",
    "touchpoint",
    "cx_dimension",
    "answered_at",
)
TIME_COLUMNS = {"started_at", "completed_at", "created_at", "answered_at"}


def connect():
    """(vendor, a raw driver connection) for the database of the current Django settings."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        import sqlite3

        raw = sqlite3.connect(settings["NAME"], isolation_level=None)
        raw.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        return "sqlite", raw
    import psycopg

    raw = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    return "postgresql", raw


def _sql(vendor: str, table: str, columns: tuple[str, ...]) -> str:
    mark = "?" if vendor == "sqlite" else "%s"
    names = ", ".join(("id",) + columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * (len(columns) + 1))})"


def _time(vendor: str):
    if vendor == "sqlite":  # what Django's SQLite backend stores: naive UTC, ISO text
        return lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return lambda v: v


def insert(responses, per_txn: int) -> dict:
    """Insert every response of the iterable; returns ``{"n", "seconds", "per_s", "cpu_seconds",
    "per_cpu_s"}``. The time the iterable takes to produce its items is left out of both."""
    vendor, raw = connect()
    to_db = _time(vendor)
    r_times = [i for i, c in enumerate(RESPONSE_COLUMNS) if c in TIME_COLUMNS]
    a_times = [i for i, c in enumerate(ANSWER_COLUMNS) if c in TIME_COLUMNS]
    r_sql = _sql(vendor, "surveys_response", RESPONSE_COLUMNS)
    a_sql = _sql(vendor, "surveys_answer", ANSWER_COLUMNS)
    cur = raw.cursor()
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM surveys_response")
    next_response = cur.fetchone()[0] + 1
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM surveys_answer")
    next_answer = cur.fetchone()[0] + 1
    if vendor == "postgresql":
        raw.commit()
    n = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    pending_r: list = []
    pending_a: list = []

    def flush() -> None:
        if vendor == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(r_sql, pending_r)
        cur.executemany(a_sql, pending_a)
        if vendor == "sqlite":
            cur.execute("COMMIT")
        else:
            raw.commit()
        pending_r.clear()
        pending_a.clear()

    producing = cpu_producing = 0.0  # time spent making the rows (reading a file), not counted
    source = iter(responses)
    while True:
        mark, cpu_mark = time.perf_counter(), time.process_time()
        item = next(source, None)
        producing += time.perf_counter() - mark
        cpu_producing += time.process_time() - cpu_mark
        if item is None:
            break
        values, answers = item
        values = list(values)
        for i in r_times:
            values[i] = to_db(values[i])
        pending_r.append((next_response, *values))
        for answer in answers:
            answer = list(answer)
            answer[1] = next_response
            for i in a_times:
                answer[i] = to_db(answer[i])
            pending_a.append((next_answer, *answer))
            next_answer += 1
        next_response += 1
        n += 1
        if n % per_txn == 0:
            flush()
    if pending_r:
        flush()
    seconds = time.perf_counter() - started - producing
    cpu = time.process_time() - cpu_started - cpu_producing
    raw.close()
    return {
        "n": n,
        "per_txn": per_txn,
        "seconds": round(seconds, 2),
        "per_s": round(n / max(seconds, 1e-9), 1),
        # CPU time of this process (SQLite works in it; a PostgreSQL server's own time is not
        # counted): on a machine shared with other work it moves much less than the wall clock.
        "cpu_seconds": round(cpu, 2),
        "per_cpu_s": round(n / max(cpu, 1e-9), 1),
    }
