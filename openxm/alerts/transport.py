"""Outbound HTTP for webhooks, guarded against server-side request forgery at connect time.

The host name is resolved once, when the connection is made; every address it resolves to must
be public (``ipaddress.is_global``: not loopback, private, link-local — which includes the cloud
metadata address 169.254.169.254 —, shared, reserved or multicast), or inside one of the
networks an administrator allowed (``OPENXM_WEBHOOK_ALLOWED_NETWORKS``). The socket then connects
to the address that was checked, so a DNS answer that changes between a check and the connection
("DNS rebinding") cannot get through. Redirects are never followed: a 3xx is a failed attempt.
HTTPS keeps verifying the certificate against the host name (SNI).

Included: :func:`post`, :func:`check_address`, :func:`parse_networks`. Excluded: what to send
(``formats.py``) and retries (``delivery.py``).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list]
EXCERPT = 300


class Refused(Exception):
    """The destination is not allowed (the message names the address), or the URL is unusable."""


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    duration_ms: int


def parse_networks(text: str) -> tuple[Network, ...]:
    """CIDRs separated by commas or spaces (``127.0.0.0/8, 10.1.0.0/16``); ValueError on a bad one."""
    return tuple(ipaddress.ip_network(part, strict=False) for part in text.replace(",", " ").split())


def check_address(address: str, allowed: Sequence[Network] = ()) -> None:
    """Refused unless the address is public or inside an allowed network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed):
        return
    if not ip.is_global or ip.is_multicast:
        raise Refused(f"{ip} is not a public address")


def _connect(host: str, port: int, timeout: float, allowed, resolver: Resolver) -> socket.socket:
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"{host} does not resolve: {exc}") from exc
    if not infos:
        raise Refused(f"{host} does not resolve")
    for info in infos:  # every answer must be allowed: a mixed answer is refused
        check_address(info[4][0], allowed)
    family, socktype, proto, _name, sockaddr = infos[0]
    sock = socket.socket(family, socktype, proto)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except OSError:
        sock.close()
        raise
    return sock


def _connection(scheme: str, host: str, port: int, timeout: float, allowed, resolver: Resolver):
    if scheme == "https":

        class Guarded(http.client.HTTPSConnection):
            def connect(self):
                sock = _connect(host, port, timeout, allowed, resolver)
                self.sock = self._context.wrap_socket(sock, server_hostname=host)

        return Guarded(host, port, timeout=timeout, context=ssl.create_default_context())

    class GuardedHTTP(http.client.HTTPConnection):
        def connect(self):
            self.sock = _connect(host, port, timeout, allowed, resolver)

    return GuardedHTTP(host, port, timeout=timeout)


def post(
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    allowed: Sequence[Network] = (),
    timeout: float = 10.0,
    resolver: Resolver = socket.getaddrinfo,
) -> Answer:
    """POST ``body`` to ``url``; the status and the start of the answer. Raises Refused for a
    forbidden or unusable destination and OSError for network failures."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("the URL must start with http:// or https:// and name a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn = _connection(parts.scheme, parts.hostname, port, timeout, allowed, resolver)
    started = time.monotonic()
    try:
        conn.request("POST", path, body=body, headers={**headers, "User-Agent": "openxm-webhooks"})
        answer = conn.getresponse()
        text = answer.read(4096).decode("utf-8", errors="replace")
        return Answer(answer.status, text[:EXCERPT], int((time.monotonic() - started) * 1000))
    finally:
        conn.close()
