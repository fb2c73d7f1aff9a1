"""Chunked imports survive their process being killed: a real process, a real SIGKILL.

The import runs in a child process (``import_process.py``) on its own database: a SQLite file,
or a PostgreSQL database made for the test on the server of OPENXM_TEST_DATABASE_URL. The child
kills itself with SIGKILL at a random row of the commit pass; another process resumes the job;
then every row is stored exactly once with all its answers, the rollups match the response
tables, and importing the same file again stores nothing.
"""

import json
import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("import_process.py")
ROWS = 230  # 5 chunks of 40 and a part-chunk (import_process.CHUNK)


@pytest.fixture
def child_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "CELERY_", "DATABASE_"))}
    url = os.environ.get("OPENXM_TEST_DATABASE_URL")
    if not url:
        yield env
        return
    import psycopg

    server = url.rsplit("/", 1)[0] + "/postgres"
    name = f"openxm_resume_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _child(env, home, *args, expect_kill=False) -> dict | None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), str(home), *args], env=env, capture_output=True, text=True, timeout=300
    )
    if expect_kill:
        assert out.returncode == -signal.SIGKILL, out.stderr[-2000:]
        return None
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_an_import_killed_at_a_random_row_resumes_with_nothing_lost_or_doubled(child_env, tmp_path):
    kill_at = random.Random().randint(1, ROWS)  # a different row each run; printed when it fails
    _child(child_env, tmp_path, "setup", str(ROWS))
    _child(child_env, tmp_path, "run", str(kill_at), expect_kill=True)
    resumed = _child(child_env, tmp_path, "resume")
    committed = (kill_at - 1) // 40 * 40  # the chunks committed before the kill
    assert resumed["before"] == {"status": "importing", "rows_committed": committed}, kill_at
    assert resumed["status"] == "imported", (kill_at, resumed["error"])
    assert resumed["stored"] == resumed["distinct_keys"] == ROWS, kill_at
    assert resumed["rows_imported"] == ROWS, kill_at
    assert resumed["answer_rows_per_response"] == [3], kill_at  # csat, comment, store: all or none
    assert resumed["rollup_problems"] == [], kill_at
    # Comments of the chunks the resumed run stored were analysed (by its worker pool when it had
    # more than a chunk to store); a chunk committed just before the kill may have lost its
    # analysis with the process (re-analysis repairs that), and none is analysed twice.
    assert ROWS - committed <= resumed["analysed"] == resumed["analysed_answers"] <= ROWS, kill_at

    again = _child(child_env, tmp_path, "again")
    assert (again["status"], again["rows_imported"], again["rows_duplicate"]) == ("imported", 0, ROWS)
    assert again["stored"] == again["distinct_keys"] == ROWS
    assert again["rollup_problems"] == []
    assert again["analysed"] == resumed["analysed"]  # nothing stored, nothing analysed again
