"""Telling an outage (the database or the broker unreachable) from a bug, for the 503 handler
and for the log filter. Imports no app: the logging configuration loads it before apps are ready.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError

# What a 503 asks clients and load balancers to wait before retrying, in seconds.
RETRY_AFTER_SECONDS = 10


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    try:  # the broker: kombu's connection errors, raised when a task cannot be queued
        from kombu.exceptions import OperationalError as BrokerError

        errors += (BrokerError,)
    except ImportError:  # pragma: no cover - kombu comes with Celery
        pass
    return errors


OUTAGE_ERRORS = _outage_errors()


def is_outage(exc: BaseException | None) -> bool:
    """A dependency is unreachable (not a bug): the database refuses connections or queries
    on a dead connection, or the broker does not answer."""
    if isinstance(exc, OUTAGE_ERRORS):
        return True
    # A driver error may wrap the connection error as its cause.
    cause = getattr(exc, "__cause__", None)
    return isinstance(exc, DatabaseError) and isinstance(cause, OUTAGE_ERRORS)


class OutageLogFilter(logging.Filter):
    """Drops django.request's traceback for an outage: the 503 handler logs one line instead,
    so a minute without the database is a minute of warnings, not pages of stack traces."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not is_outage(exc)
