"""openxm backup / openxm restore round trip: a second installation restored from the backup
answers the same response counts and metrics as the original, and its rollups verify.

SQLite by default (online backup while the server runs); on the PostgreSQL pass a throwaway
cluster (pg_dump, pg_restore into a second database).
"""

import subprocess

import pytest

from .servers import (
    OPENXM,
    Server,
    openxm,
    openxm_env,
    provision,
    publish_csat,
)

pytestmark = pytest.mark.slow

PROBES = [
    "/api/v1/responses?per_page=500",
    "/api/v1/insights/metrics?metric=csat&period=30d",
    "/api/v1/insights/breakdown?metric=csat&by=channel&period=30d",
    "/api/v1/units",
]


@pytest.fixture
def databases(pg_cluster):
    """(original DATABASE_URL, restored DATABASE_URL), both None on SQLite."""
    if pg_cluster is None:
        return None, None
    return pg_cluster.url, pg_cluster.create_database("restored")


def _snapshot(server, auth) -> dict:
    answers = {}
    for probe in PROBES:
        reply = server.request("GET", probe, headers=auth)
        assert reply.status == 200, (probe, reply.body)
        answers[probe] = reply.json()
    return answers


def test_backup_restores_the_same_counts_and_metrics(tmp_path, databases):
    original_url, restored_url = databases
    original = openxm_env(
        tmp_path / "a",
        OPENXM_RESPOND_RATE_PER_IP="0",
        **({"DATABASE_URL": original_url} if original_url else {}),
    )
    auth = provision(original)
    server = Server(original).start()
    try:
        token = publish_csat(server, auth, channels=("app",))["app"].rstrip("/").rsplit("/", 1)[1]
        for i in range(30):
            body = {"answers": {"csat": 1 + i % 5, "comment": f"comment {i}"}, "idempotency_key": f"b{i}"}
            assert server.request("POST", f"/api/v1/public/surveys/{token}/responses", body).status == 201
        assert (
            server.request(
                "POST", "/api/v1/units", {"code": "sh", "name": "上海", "kind": "region"}, auth
            ).status
            == 201
        )
        before = _snapshot(server, auth)
        backup = tmp_path / "openxm.backup"
        print(openxm(original, "backup", str(backup)).strip())  # while the server runs
    finally:
        server.stop()
    assert before[PROBES[0]]["total"] == 30

    restored = {**original, "OPENXM_HOME": str(tmp_path / "b")}
    (tmp_path / "b").mkdir()
    if restored_url:
        restored["DATABASE_URL"] = restored_url
    refused = subprocess.run(
        [OPENXM, "restore", str(backup)], env=restored, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 1 and "--yes" in refused.stderr
    print(openxm(restored, "restore", "--yes", str(backup)).strip())
    openxm(restored, "rollups", "verify")
    server = Server(restored).start()
    try:
        assert _snapshot(server, auth) == before
    finally:
        server.stop()
