"""Where this server is reached: the base URL put in share links, QR codes and e-mails.

Three sources, the first known wins:

1. the ``OPENXM_PUBLIC_URL`` setting (deployments behind a proxy or a domain name);
2. the address ``openxm serve`` / ``openxm demo`` was started on (``--host``/``--port``), unless
   it is a wildcard such as 0.0.0.0 that nobody can open;
3. the scheme and host of the request being handled (a page or an API call), so a server run by
   another WSGI server still hands out links that answer.

Without any of them (a background job in another process, a test outside a request) the
fallback is ``http://localhost:8000``. Excluded: guessing a host name from the network.
"""

import os
from contextvars import ContextVar

FALLBACK = "http://localhost:8000"
WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104  (compared, not bound)

_server_url: str = ""
_request_url: ContextVar[str] = ContextVar("openxm_request_base_url", default="")


def server_started_on(host: str, port: int) -> None:
    """Called by the server command before it forks its workers (they inherit the value)."""
    global _server_url
    if host in WILDCARD_HOSTS:
        _server_url = ""
        return
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    _server_url = f"http://{host}:{int(port)}"


def set_request_base(url: str):
    """Remember the current request's base URL; returns the token to pass to ``reset_request_base``."""
    return _request_url.set(url.rstrip("/"))


def reset_request_base(token) -> None:
    _request_url.reset(token)


def public_url(configured: str | None = None) -> str:
    """The base URL without a trailing slash (see the module docstring for the order)."""
    value = configured or os.environ.get("OPENXM_PUBLIC_URL") or _server_url or _request_url.get() or FALLBACK
    return value.rstrip("/")
