"""Logs: a request id on every request and log line, and the JSON format.

* :class:`RequestIdMiddleware` gives each request an id: the caller's ``X-Request-ID`` when it
  is a plain token (letters, digits, ``.``, ``_``, ``:``, ``-``; at most 128 characters: a proxy
  or load balancer usually sets one), else a new random one. It is answered in the response's
  ``X-Request-ID`` header and attached to every log record made while the request is handled
  (``request_id``; ``-`` outside a request).
* With ``OPENXM_LOG_FORMAT=json`` each log record is one JSON object on one line
  (:class:`JsonFormatter`: ``time`` in UTC ISO 8601, ``level``, ``logger``, ``message``,
  ``request_id``, ``process``, the request fields below, and ``exception`` with the traceback),
  and the middleware logs one ``openxm.request`` record per request (``method``, ``path``,
  ``route``, ``status``, ``duration_ms``) in place of the web server's plain access log.

Excluded: what is logged (each module's own logger), the metrics (``openxm.metrics``).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings

HEADER = "X-Request-ID"
_GIVEN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_request_id: ContextVar[str] = ContextVar("openxm_request_id", default="-")
REQUEST_FIELDS = ("method", "path", "route", "status", "duration_ms")

request_log = logging.getLogger("openxm.request")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Sets the request id (see the module docstring); outermost but for the metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _GIVEN.fullmatch(given) else secrets.token_hex(16)
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            if settings.OPENXM_LOG_FORMAT == "json":
                match = getattr(request, "resolver_match", None)
                request_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "route": match.route if match is not None else "",
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (the console handler's filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (non-ASCII kept as is: Chinese stays readable)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
            "process": record.process,
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)
