"""Tasks of the shell itself."""

import os
import socket

from celery import shared_task


@shared_task(name="openxm.ping")
def ping(token: str) -> dict:
    """Answers with the token and where it ran, so `openxm check` can prove a worker round trip."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}


@shared_task(name="openxm.refresh_statistics")
def refresh_statistics() -> str:
    """The daily refresh of SQLite's planner statistics (see ``openxm.dbstats``); PostgreSQL's
    autovacuum keeps its own."""
    from django.db import connection

    from openxm import dbstats

    if connection.vendor != "sqlite":
        return "skipped"
    dbstats.refresh()
    return "refreshed"
