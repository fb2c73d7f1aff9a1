"""Backup and restore of the whole database, behind ``openxm backup`` and ``openxm restore``.

SQLite: the online backup API (a consistent copy while the server runs and writes). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner``, which must be on
PATH in the version of the server or newer. Included: every table (responses, answers,
rollups, text analytics, accounts, the audit log). Excluded: files under OPENXM_MEDIA_ROOT
(uploads and exports: copy that directory with the backup) and the cache table's contents.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _vendor() -> str:
    return connection.vendor


def _pg() -> tuple[str, dict]:
    """The database URL for pg_dump/pg_restore and their environment; the password travels in
    PGPASSWORD, not on the command line (where ``ps`` shows it)."""
    import os

    db = settings.DATABASES["default"]
    user = f"{db['USER']}@" if db.get("USER") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    env = {**os.environ, **({"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {})}
    return f"postgresql://{user}{db.get('HOST') or 'localhost'}{port}/{db['NAME']}", env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise InvalidInput(
            "database", _("%(tool)s is not installed (PostgreSQL client tools)") % {"tool": name}
        )
    return path


def backup(target: Path) -> str:
    """Write a backup of the database to ``target``; returns the database kind."""
    target = Path(target)
    if target.exists():
        raise InvalidInput("file", _("%(path)s exists; choose a new file") % {"path": target})
    if _vendor() == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return "sqlite"
    url, env = _pg()
    run = subprocess.run(  # noqa: S603 (argv list from shutil.which and settings, no shell)
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", url],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        target.unlink(missing_ok=True)
        raise InvalidInput(
            "database", run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "pg_dump"
        )
    return "postgresql"


def restore(source: Path) -> str:
    """Replace the database's contents with the backup in ``source``; returns the database kind.

    Stop the web processes and workers first: sessions and cached keys would outlive the swap.
    """
    source = Path(source)
    if not source.is_file():
        raise InvalidInput("file", _("%(path)s is not a file") % {"path": source})
    head = source.read_bytes()[:16]
    if _vendor() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise InvalidInput("file", _("not a SQLite backup made by openxm backup"))
        connection.close()
        backup_db = sqlite3.connect(source)
        live = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        try:
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        return "sqlite"
    if not head.startswith(PG_MAGIC):
        raise InvalidInput("file", _("not a PostgreSQL backup made by openxm backup"))
    connection.close()
    url, env = _pg()
    run = subprocess.run(  # noqa: S603 (argv list from shutil.which and settings, no shell)
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={url}",
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise InvalidInput(
            "database", run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "pg_restore"
        )
    return "postgresql"
