"""Who the client is behind reverse proxies: believe X-Forwarded-For only from trusted proxies.

Each proxy appends the address it received the request from, so the header reads
``client, proxy1, proxy2`` and the connection comes from the last proxy. Walking from the right,
every address inside a trusted network is one of ours; the first one that is not is the client
(anything left of it was written by the client and may be forged). When the connection itself
does not come from a trusted proxy, the headers are ignored.
"""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_networks(specs: tuple[str, ...]) -> tuple[Network, ...]:
    """CIDRs (or single addresses) to networks; raises ValueError naming a bad one."""
    networks = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an address or network: {spec!r}") from None
    return tuple(networks)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(address: str, networks: Iterable[Network]) -> bool:
    ip = _address(address or "")
    return ip is not None and any(ip in net for net in networks)


def client_address(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: ``remote_addr`` unless it is a trusted proxy, then the rightmost
    untrusted address of ``forwarded_for`` (or the leftmost when all are trusted). A malformed
    entry stops the walk: the proxy that would have vouched for it is the client."""
    if not networks or not is_trusted(remote_addr, networks):
        return remote_addr
    hops = [h for h in (forwarded_for or "").split(",") if h.strip()]
    client = remote_addr
    for hop in reversed(hops):
        ip = _address(hop)
        if ip is None:
            return client
        client = str(ip)
        if not any(ip in net for net in networks):
            return client
    return client
