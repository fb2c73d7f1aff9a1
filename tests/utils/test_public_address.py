"""The base URL of links: OPENXM_PUBLIC_URL, else the server's own address, else the request's."""

import pytest

from openxm.utils import public_address

ANY = "0.0.0.0"  # noqa: S104  (a wildcard address given to the function, nothing is bound)


@pytest.fixture(autouse=True)
def _no_server_address(monkeypatch):
    monkeypatch.delenv("OPENXM_PUBLIC_URL", raising=False)
    monkeypatch.setattr(public_address, "_server_url", "")


@pytest.mark.parametrize(
    ("configured", "started_on", "request_base", "expected"),
    [
        ("", None, "", "http://localhost:8000"),
        ("", ("127.0.0.1", 8811), "", "http://127.0.0.1:8811"),
        ("", ("127.0.0.1", 8811), "http://shop.test:9000", "http://127.0.0.1:8811"),
        ("", (ANY, 8811), "http://10.0.0.5:8811", "http://10.0.0.5:8811"),
        ("", (ANY, 8811), "", "http://localhost:8000"),
        ("", ("::1", 8811), "", "http://[::1]:8811"),
        ("", None, "http://testserver/", "http://testserver"),
        ("https://cx.example.com/", ("127.0.0.1", 8811), "http://testserver", "https://cx.example.com"),
    ],
)
def test_public_url_order(configured, started_on, request_base, expected):
    if started_on:
        public_address.server_started_on(*started_on)
    token = public_address.set_request_base(request_base)
    try:
        assert public_address.public_url(configured or None) == expected
    finally:
        public_address.reset_request_base(token)


def test_environment_variable_overrides_the_server_address(monkeypatch):
    monkeypatch.setenv("OPENXM_PUBLIC_URL", "https://cx.example.com")
    public_address.server_started_on("127.0.0.1", 8811)
    assert public_address.public_url() == "https://cx.example.com"
