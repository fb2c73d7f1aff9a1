"""Links handed out by the API start with the address the server runs on and answer there.

The contract of issue 18: with ``openxm demo --port P`` every link in ``GET /api/v1/distributions``
starts with the server's own base URL and answers 200. ``openxm serve``/``demo`` record their
``--host``/``--port`` with ``server_started_on``; a live server stands in for gunicorn here.
"""

import json
import urllib.request

import pytest

from openxm.utils import public_address


@pytest.fixture
def no_public_url(settings, monkeypatch):
    settings.OPENXM_PUBLIC_URL = ""
    monkeypatch.delenv("OPENXM_PUBLIC_URL", raising=False)
    monkeypatch.setattr(public_address, "_server_url", "")


def _get(url: str, key: str | None = None):
    assert url.startswith("http://")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (our live server)
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        return response.status, response.read()


@pytest.mark.django_db(transaction=True)
def test_every_api_link_starts_with_the_servers_address_and_answers(
    live_server, no_public_url, org_a, make_key, csat, make_distribution
):
    host, port = live_server.thread.host, live_server.thread.port
    public_address.server_started_on(host, port)
    for channel in ("link", "qr", "intercept", "app"):
        make_distribution(csat, channel)
    status, body = _get(f"{live_server.url}/api/v1/distributions", make_key(org_a))
    links = [d["link"] for d in json.loads(body) if d["link"]]
    assert status == 200 and len(links) == 4
    for link in links:
        assert link.startswith(f"http://{host}:{port}/r/l/"), link
        assert _get(link)[0] == 200


def test_without_a_server_address_links_follow_the_request_host(
    no_public_url, org_a, make_key, api, csat, make_distribution
):
    make_distribution(csat, "link")
    (row,) = api(make_key(org_a)).get("/distributions").json()
    assert row["link"].startswith("http://testserver/r/l/")


def test_public_url_setting_wins(settings, monkeypatch, org_a, make_key, api, csat, make_distribution):
    monkeypatch.setattr(public_address, "_server_url", "http://127.0.0.1:8811")
    settings.OPENXM_PUBLIC_URL = "https://cx.example.com"
    make_distribution(csat, "qr")
    (row,) = api(make_key(org_a)).get("/distributions").json()
    assert row["link"].startswith("https://cx.example.com/r/l/")
