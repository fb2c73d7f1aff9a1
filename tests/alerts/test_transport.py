"""SSRF protection at connect time: loopback, private, link-local and metadata addresses are
refused, a rebinding resolver cannot slip through, allowed networks let a local receiver in,
and redirects are not followed."""

import socket

import pytest

from openxm.alerts.transport import Refused, check_address, parse_networks, post


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared (carrier-grade NAT)
        "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address):
    with pytest.raises(Refused):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    check_address(address)


def test_allowed_networks():
    allowed = parse_networks("127.0.0.0/8, 10.20.0.0/16")
    check_address("127.0.0.1", allowed)
    check_address("10.20.3.4", allowed)
    with pytest.raises(Refused):
        check_address("10.21.0.1", allowed)
    with pytest.raises(ValueError):
        parse_networks("10.0.0.0/33")


def _resolver(*answers):
    """A resolver answering each call with the next address (a rebinding DNS server)."""
    calls = []

    def resolve(host, port, type=0):
        address = answers[min(len(calls), len(answers) - 1)]
        calls.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    resolve.calls = calls
    return resolve


def test_a_rebinding_resolver_cannot_get_through(receiver):
    hook = receiver()
    port = hook.server.server_address[1]
    # The name first resolves to a public address (what a save-time check would have seen), then
    # to loopback: the address is checked when connecting, on the answer used for the socket.
    rebinding = _resolver("93.184.216.34", "127.0.0.1")
    rebinding("hooks.example.com", port)  # the "validation" look-up
    with pytest.raises(Refused, match="127.0.0.1"):
        post(f"http://hooks.example.com:{port}/hook", {}, b"{}", resolver=rebinding, timeout=2)
    assert hook.requests == []


def test_loopback_url_is_refused_unless_allowed(receiver):
    hook = receiver()
    with pytest.raises(Refused):
        post(hook.url, {}, b"{}", timeout=2)
    assert hook.requests == []
    answer = post(
        hook.url, {"Content-Type": "application/json"}, b"{}", allowed=parse_networks("127.0.0.0/8")
    )
    assert answer.status == 200 and answer.excerpt == "ok"
    assert len(hook.requests) == 1


def test_a_name_resolving_to_a_private_address_is_refused():
    with pytest.raises(Refused, match="10.0.0.5"):
        post("https://intranet.example.com/x", {}, b"{}", resolver=_resolver("10.0.0.5"), timeout=2)


def test_redirects_are_not_followed(receiver):
    hook = receiver([302])
    answer = post(hook.url, {}, b"{}", allowed=parse_networks("127.0.0.0/8"))
    assert answer.status == 302  # reported as the attempt's status, not followed
    assert len(hook.requests) == 1


def test_bad_urls():
    for url in ("ftp://example.com/x", "http:///nohost", "file:///etc/passwd"):
        with pytest.raises(Refused):
            post(url, {}, b"")
