"""A database outage degrades cleanly: a real ``openxm serve`` on a throwaway PostgreSQL cluster
answers 503 with Retry-After (JSON under /api/, a translated page for people) while the cluster
is stopped, ``/health`` stays alive, ``/ready`` says 503, and service resumes by itself when the
database returns."""

import re

import pytest

from .servers import (
    Cluster,
    Server,
    cluster_unavailable_reason,
    openxm_env,
    provision,
    publish_csat,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(cluster_unavailable_reason()), reason=str(cluster_unavailable_reason())),
]


@pytest.fixture
def cluster():
    c = Cluster()
    c.start()
    c.create_database()
    yield c
    c.destroy()


@pytest.fixture
def site(cluster, tmp_path):
    """A migrated openxm with an owner, an admin key and a published survey with app and link
    distributions, served by one process."""
    env = openxm_env(tmp_path, DATABASE_URL=cluster.url)
    auth = provision(env)
    server = Server(env).start()
    links = publish_csat(server, auth)
    yield server, auth, links
    server.stop()


def _csrf(server) -> tuple[str, str]:
    page = server.request("GET", "/accounts/login/")
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode()).group(1)
    return cookie, token


def test_database_outage_gives_503_with_retry_after_and_service_resumes(cluster, site):
    server, auth, links = site
    token = links["app"].rstrip("/").rsplit("/", 1)[1]
    respond_path = "/" + links["link"].split("/", 3)[3]
    public = f"/api/v1/public/surveys/{token}/responses"
    assert server.request("GET", "/api/v1/me", headers=auth).status == 200
    assert server.request("GET", "/ready").json() == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok"},
    }
    assert server.request("POST", public, {"answers": {"csat": 5}}).status == 201
    cookie, csrf = _csrf(server)

    cluster.stop()

    # A server that starts during the outage (no key cached yet) and the running one.
    fresh = Server(server.env).start()
    try:
        me = fresh.request("GET", "/api/v1/me", headers=auth)
        assert me.status == 503 and int(me.headers["Retry-After"]) > 0
        assert me.headers["Content-Type"].startswith("application/json")
        assert isinstance(me.json()["detail"], str)
        assert fresh.request("GET", "/ready").status == 503
    finally:
        log = fresh.stop()
    assert "Traceback" not in log
    surveys = server.request("GET", "/api/v1/surveys", headers=auth)
    assert surveys.status == 503 and int(surveys.headers["Retry-After"]) > 0 and surveys.json()["detail"]
    ready = server.request("GET", "/ready")
    assert ready.status == 503 and ready.json()["ready"] is False and "Retry-After" in ready.headers
    assert server.request("GET", "/health").status == 200
    submit = server.request("POST", public, {"answers": {"csat": 4}, "idempotency_key": "outage-1"})
    assert submit.status == 503 and submit.json()["detail"]
    page = server.request("GET", respond_path, headers={"Accept-Language": "zh-Hans"})
    assert page.status == 503 and "Retry-After" in page.headers
    text = page.body.decode()
    assert "服务暂不可用" in text and "Traceback" not in text and "psycopg" not in text
    login = server.request(
        "POST",
        "/accounts/login/",
        f"csrfmiddlewaretoken={csrf}&username=owner%40example.com&password=wrong",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"http://127.0.0.1:{server.port}/accounts/login/",
        },
    )
    assert login.status == 503 and "Traceback" not in login.body.decode()

    cluster.start()

    assert wait_for(lambda: server.request("GET", "/api/v1/me", headers=auth).status == 200, 30)
    assert server.request("GET", "/ready").status == 200
    again = server.request("POST", public, {"answers": {"csat": 4}, "idempotency_key": "outage-1"})
    assert again.status == 201
