"""Acknowledged answers survive a server killed mid-ingestion: clients post complete responses to
the public collection API of a real ``openxm serve`` while its worker processes are killed with
SIGKILL; clients retry failures with the same idempotency key, as the API asks. Afterwards every
acknowledged response is stored exactly once with its answers, nothing is half-stored, and
``openxm rollups verify`` finds the rollups equal to the responses.

SQLite by default; on the PostgreSQL pass (OPENXM_TEST_DATABASE_URL set) a throwaway cluster.
"""

import http.client
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .servers import OPENXM, Server, openxm_env, provision, publish_csat

SUBMISSIONS = 240
CLIENTS = 6
KILLS_AT = (0.25, 0.5, 0.75)  # of the acknowledged submissions

pytestmark = pytest.mark.slow


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def test_no_acknowledged_response_is_lost_or_doubled_when_workers_are_killed(tmp_path, database):
    url, query = database
    extra = {"DATABASE_URL": url} if url else {}
    env = openxm_env(tmp_path, OPENXM_RESPOND_RATE_PER_IP="0", OPENXM_RESPOND_RATE_PER_SURVEY="0", **extra)
    auth = provision(env)
    server = Server(env, workers=2).start()
    try:
        token = publish_csat(server, auth, channels=("app",))["app"].rstrip("/").rsplit("/", 1)[1]
        path = f"/api/v1/public/surveys/{token}/responses"
        todo: queue.Queue[str] = queue.Queue()
        for i in range(SUBMISSIONS):
            todo.put(f"k{i:04d}")
        acked: dict[str, int] = {}
        failures = []
        lock = threading.Lock()

        errors = []

        def client():
            try:
                submit_all()
            except BaseException as exc:  # reported by the test, not lost in the thread
                errors.append(repr(exc))

        def submit_all():
            while True:
                try:
                    key = todo.get_nowait()
                except queue.Empty:
                    return
                body = {"answers": {"csat": 1 + int(key[1:]) % 5}, "idempotency_key": key}
                try:
                    reply = server.request("POST", path, body)
                except (OSError, http.client.HTTPException) as exc:  # the worker died mid-answer
                    failures.append(type(exc).__name__)
                    todo.put(key)
                    continue
                if reply.status in (200, 201):
                    with lock:
                        assert acked.setdefault(key, reply.json()["id"]) == reply.json()["id"]
                else:
                    failures.append(reply.status)
                    todo.put(key)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        killed = 0
        for share in KILLS_AT:
            while len(acked) < SUBMISSIONS * share and any(t.is_alive() for t in threads):
                time.sleep(0.01)
            victims = _workers(server.process.pid)
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                killed += 1
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads)
        assert errors == []
        assert killed == len(KILLS_AT)
        assert len(acked) == SUBMISSIONS

        rows = query("SELECT idempotency_key, id FROM surveys_response")
        stored = {key.split("-", 1)[1]: pk for key, pk in rows}
        assert len(rows) == SUBMISSIONS, "a response was stored twice or not at all"
        assert stored == acked
        half = query(
            "SELECT COUNT(*) FROM surveys_response r WHERE NOT EXISTS "
            "(SELECT 1 FROM surveys_answer a WHERE a.response_id = r.id)"
        )
        assert half == [(0,)], "a response was stored without its answers"
        verify = subprocess.run(
            [OPENXM, "rollups", "verify"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert verify.returncode == 0, verify.stderr
        print(f"{SUBMISSIONS} acknowledged, {killed} workers killed, {len(failures)} client retries")
    finally:
        server.stop()
