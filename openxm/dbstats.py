"""The query planner's statistics (``ANALYZE``), kept fresh where the database does not.

Without statistics SQLite chooses an index by its shape alone. A lookup of a few responses'
answers (``organization_id = ? AND response_id IN (…)``, how text analytics, alerts, exports and
the response browser read them) then walks every answer of the organization through the
organization's index, which matches an equality, rather than the response index: each lookup
costs the size of the table. Measured on a 1,000,000-row import (benchmarks/README.md): the
comment analysis fell from about 2,300 to under 500 responses/s as the table grew. With
statistics the planner knows that the organization index selects every row and the response
index a handful.

``refresh`` stores them: after the first chunk and at the end of an import's commit, at the end
of the demo's seeding, and daily (``openxm.refresh_statistics``, a periodic job), so a database
that grows through the API is covered too. SQLite reads every index through: a sampled
``ANALYZE`` (``analysis_limit``) caps the rows it counts per key, so the organization's index
looked as selective as a few thousand rows and a lookup of ten thousand responses' answers still
went through it (10× slower at 100,000 responses). The full one took 0.2 s on 100,000 responses
(400,000 answers). PostgreSQL's autovacuum keeps its own statistics; ``refresh`` analyses the
database at once after a bulk load, and is skipped by the periodic job there. Other databases:
nothing.
"""

from django.db import connection


def refresh() -> None:
    """Store fresh planner statistics of every table (SQLite, PostgreSQL). Runs in the caller's
    transaction if there is one."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 0")  # read every row: see the docstring
        cursor.execute("ANALYZE")
