"""openxm.utils.forwarded: the client behind trusted proxies, and forged headers ignored."""

import pytest

from openxm.utils.forwarded import client_address, is_trusted, parse_networks

PROXIES = parse_networks(("10.0.0.0/8", "::1/128"))


@pytest.mark.parametrize(
    ("remote", "xff", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),  # direct
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # untrusted peer: header ignored
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),  # one trusted proxy
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # forged left entry ignored
        ("10.0.0.2", "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # two proxies of ours
        ("10.0.0.2", "10.0.0.5, 10.0.0.7", "10.0.0.5"),  # all trusted: the leftmost
        ("10.0.0.2", "", "10.0.0.2"),  # proxy sent no header
        ("10.0.0.2", "garbage, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, garbage", "10.0.0.2"),  # unreadable hop: stop at the proxy
        ("::1", "[2001:db8::1]:4711", "2001:db8::1"),
        ("10.0.0.2", "198.51.100.1:5555", "198.51.100.1"),
    ],
)
def test_client_address(remote, xff, expected):
    assert client_address(remote, xff, PROXIES) == expected


def test_no_trusted_proxies_means_headers_are_never_believed():
    assert client_address("10.0.0.2", "198.51.100.1", ()) == "10.0.0.2"
    assert not is_trusted("10.0.0.2", ())


def test_bad_network_is_named():
    with pytest.raises(ValueError, match="10.0.0.0/33"):
        parse_networks(("10.0.0.0/33",))
