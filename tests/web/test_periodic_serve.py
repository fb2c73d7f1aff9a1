"""Periodic work in real processes: `openxm serve` elects one gunicorn worker to run the jobs
(file lock under OPENXM_HOME), `OPENXM_EMBEDDED_SCHEDULER=false` switches it off, and with a
broker `openxm beat` sends the jobs through Redis (when OPENXM_TEST_REDIS_URL is set)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from openxm.periodic import LOCK_FILE, FileLock

OPENXM = str(Path(sys.executable).with_name("openxm"))
REDIS_URL = os.environ.get("OPENXM_TEST_REDIS_URL")


def _env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "DATABASE_URL", "CELERY_"))}
    env.update(
        OPENXM_HOME=str(home),
        OPENXM_SECRET_KEY="periodic-test-key-0123456789-0123456789-abcdef",
        OPENXM_COLLECT_STATIC="false",
        DJANGO_SETTINGS_MODULE="openxm.settings",
        **extra,
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    return None


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("migrated")
    subprocess.run([OPENXM, "migrate"], env=_env(home), check=True, capture_output=True, timeout=120)
    return home / "openxm.sqlite3"


@pytest.fixture
def serve(tmp_path, migrated):
    started = []

    def start(**extra):
        env = _env(tmp_path, **extra)
        shutil.copyfile(migrated, tmp_path / "openxm.sqlite3")
        port = _free_port()
        process = subprocess.Popen(
            [OPENXM, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--threads", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        assert _wait(lambda: _answers(port)), "the server did not answer"
        return process

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads process parents from /proc")
def test_serve_runs_the_periodic_jobs_in_exactly_one_worker(tmp_path, serve):
    server = serve(OPENXM_DISTRIBUTION_TICK_SECONDS="1")
    lock = tmp_path / LOCK_FILE
    holder = _wait(lambda: lock.exists() and lock.read_text().strip())
    assert holder, "no worker took the scheduler lock"
    holder = int(holder)
    assert holder != server.pid and _parent(holder) == server.pid  # a worker, not the arbiter
    assert not FileLock(lock).acquire()  # held: a second server on this home would stay idle
    server.terminate()
    server.wait(timeout=30)
    output = server.stdout.read()
    assert "periodic jobs run by this server" in output
    assert output.count("periodic jobs run in this process") == 1, output
    assert "periodic job" not in output.replace("periodic jobs run", ""), output  # no job failed
    assert FileLock(lock).acquire()  # released with the server


def test_serve_can_leave_the_periodic_jobs_off(tmp_path, serve):
    server = serve(OPENXM_EMBEDDED_SCHEDULER="false")
    time.sleep(1)
    assert not (tmp_path / LOCK_FILE).exists()
    server.terminate()
    server.wait(timeout=30)
    assert "periodic jobs not run here: OPENXM_EMBEDDED_SCHEDULER is off" in server.stdout.read()


def test_beat_refuses_to_start_without_a_broker(tmp_path):
    result = subprocess.run([OPENXM, "beat"], env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "CELERY_BROKER_URL is not set" in result.stderr and "openxm serve" in result.stderr


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="set OPENXM_TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run")
def test_beat_sends_the_periodic_jobs_through_the_broker(tmp_path):
    import redis

    broker = REDIS_URL.rsplit("/", 1)[0] + "/13"  # a database no worker consumes from
    client = redis.Redis.from_url(broker)
    client.delete("celery")
    env = _env(tmp_path, CELERY_BROKER_URL=broker, OPENXM_DISTRIBUTION_TICK_SECONDS="1")
    beat = subprocess.Popen(
        [OPENXM, "beat", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait(lambda: client.llen("celery") >= 3, timeout=30), "beat sent nothing"
    finally:
        beat.terminate()
        beat.wait(timeout=30)
    tasks = [json.loads(raw)["headers"]["task"] for raw in client.lrange("celery", 0, -1)]
    client.delete("celery")
    # Beat runs a job first one interval after it starts: only the 1-second tick so far.
    assert set(tasks) == {"openxm.distribution.tick"}
    assert (tmp_path / "celerybeat-schedule").exists() or list(tmp_path.glob("celerybeat-schedule*"))
