"""Background work through a real Redis broker and a real `openxm worker` process.

Runs when OPENXM_TEST_REDIS_URL is set (CI sets it); skipped otherwise with how to enable it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("OPENXM_TEST_REDIS_URL")
OPENXM = str(Path(sys.executable).with_name("openxm"))
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="set OPENXM_TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run"),
]


def _env(home: Path, broker: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "DATABASE_URL", "CELERY_"))}
    env.update(
        {
            "OPENXM_HOME": str(home),
            "OPENXM_SECRET_KEY": "celery-test-key-0123456789-0123456789-abcdef",
            "CELERY_BROKER_URL": broker,
            "DJANGO_SETTINGS_MODULE": "openxm.settings",
        }
    )
    return env


def _check(env: dict, timeout: float) -> dict:
    result = subprocess.run(
        [OPENXM, "check", "--json", "--timeout", str(timeout)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return {r["name"]: r for r in json.loads(result.stdout)}


def test_worker_answers_through_redis(tmp_path):
    env = _env(tmp_path, REDIS_URL)
    subprocess.run([OPENXM, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    worker = subprocess.Popen(
        [OPENXM, "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        results = _check(env, timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert results["broker"]["status"] == "ok"
    assert results["worker"]["status"] == "ok", results["worker"]["detail"]


def test_check_reports_a_missing_worker(tmp_path):
    # A Redis database no worker consumes from: the broker answers, no worker does.
    env = _env(tmp_path, REDIS_URL.rsplit("/", 1)[0] + "/14")
    subprocess.run([OPENXM, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    results = _check(env, timeout=1)
    assert results["broker"]["status"] == "ok"
    assert results["worker"]["status"] == "fail"


def test_worker_refuses_to_start_without_a_broker(tmp_path):
    env = _env(tmp_path, "")
    result = subprocess.run([OPENXM, "worker"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "CELERY_BROKER_URL is not set" in result.stderr
